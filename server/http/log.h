/*
 * raquet-server's log: one line per event to stderr or syslog, filtered by
 * level. Callers never pass secrets (Authorization, Cookie values, bodies);
 * the request line logged by the HTTP layer holds only method, path (no
 * query string), status, time and client address.
 */
#ifndef RQ_SERVER_HTTP_LOG_H
#define RQ_SERVER_HTTP_LOG_H

#include "core/error.h"

/* Choose the level (enum rq_log_level) and the sink; safe to call again. */
void rq_log_init(int level, int use_syslog);

/* 1 when messages of `level` are written (to skip costly formatting). */
int rq_log_enabled(int level);

/* Log one line (a trailing newline is added); thread-safe. */
void rq_log(int level, const char *fmt, ...) RQ_PRINTF(2, 3);

#endif
