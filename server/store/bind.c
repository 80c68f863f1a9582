/*
 * rq_stmt_bind_fmt (bind.h): a format string walks the parameters.
 */
#include "store/bind.h"

#include <stdarg.h>

#include "core/error.h"

int rq_stmt_bind_fmt(rq_stmt *st, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int rc = rq_stmt_bind_vfmt(st, fmt, ap);
	va_end(ap);
	return rc;
}

int rq_stmt_bind_vfmt(rq_stmt *st, const char *fmt, va_list ap)
{
	int rc = 0, idx = 1;
	for (const char *f = fmt; *f && rc == 0; f++, idx++) {
		switch (*f) {
		case 'i':
			rc = rq_stmt_bind_int64(st, idx, va_arg(ap, int64_t));
			break;
		case 'I': {
			int64_t v = va_arg(ap, int64_t);
			rc = v > 0 ? rq_stmt_bind_int64(st, idx, v) : rq_stmt_bind_null(st, idx);
			break;
		}
		case 't':
			rc = rq_stmt_bind_text(st, idx, va_arg(ap, const char *));
			break;
		case 'T': {
			const char *v = va_arg(ap, const char *);
			rc = rq_stmt_bind_text(st, idx, v ? v : "");
			break;
		}
		default:
			rc = rq_fail(RQ_EINVAL, "store: bad bind format '%c'", *f);
		}
	}
	return rc;
}

const char *rq_stmt_column_str(rq_stmt *st, int col)
{
	const char *v = rq_stmt_column_text(st, col);
	return v ? v : "";
}
