/*
 * The thread-local last-error message and the names of error codes
 * (see include/raquet/errors.h for the contract).
 */
#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define MESSAGE_MAX 1024

static _Thread_local char last_message[MESSAGE_MAX];

const char *rq_error_last(void) { return last_message; }

void rq_error_clear(void) { last_message[0] = '\0'; }

/*
 * Messages are formatted aside and then copied, so a message may wrap the
 * previous one: rq_fail(rc, "%s: %s", path, rq_error_last()).
 */
int rq_fail(int code, const char *fmt, ...)
{
	char buf[MESSAGE_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	memcpy(last_message, buf, sizeof(buf));
	return code;
}

int rq_fail_errno(int code, int errno_value, const char *fmt, ...)
{
	char buf[MESSAGE_MAX];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n < sizeof(buf))
		snprintf(buf + n, sizeof(buf) - (size_t)n, ": %s", strerror(errno_value));
	memcpy(last_message, buf, sizeof(buf));
	return code;
}

const char *rq_error_name(int code)
{
	switch (code) {
	case RQ_OK: return "success";
	case RQ_ERROR: return "error";
	case RQ_ENOMEM: return "out of memory";
	case RQ_EIO: return "input/output error";
	case RQ_EPARSE: return "malformed input";
	case RQ_ENOTFOUND: return "not found";
	case RQ_ELIMIT: return "limit exceeded";
	case RQ_EUNSUPPORTED: return "unsupported";
	case RQ_EINVAL: return "invalid argument";
	case RQ_ESTOPPED: return "stopped";
	case RQ_EVERIFY: return "verification failed";
	default: return "unknown error";
	}
}
