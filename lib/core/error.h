/*
 * Raising errors inside libraquet: set the thread-local last-error message
 * (read by callers with rq_error_last) and return the code, in one step:
 *   return rq_fail(RQ_EPARSE, "%s:%u: bad wildcard '%s'", file, line, tok);
 */
#ifndef RQ_CORE_ERROR_H
#define RQ_CORE_ERROR_H

#include "raquet/errors.h"

#if defined(__GNUC__)
#define RQ_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define RQ_PRINTF(a, b)
#endif

/* Set the last-error message and return `code` unchanged. */
int rq_fail(int code, const char *fmt, ...) RQ_PRINTF(2, 3);

/* Same, appending ": strerror(errno_value)". */
int rq_fail_errno(int code, int errno_value, const char *fmt, ...) RQ_PRINTF(3, 4);

/* Forget the last error of this thread. */
void rq_error_clear(void);

#endif
