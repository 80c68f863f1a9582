/*
 * A growable string with a maximum length (curl's dynbuf habit): appends
 * never fail loudly; the buffer remembers that it ran out of memory or
 * passed its maximum, and the caller checks once at the end.
 */
#ifndef RQ_CORE_STRBUF_H
#define RQ_CORE_STRBUF_H

#include <stddef.h>

#include "core/error.h"

typedef struct rq_strbuf {
	char *p;        /* NUL-terminated once anything was appended; NULL before */
	size_t len, cap;
	size_t max;     /* longest content allowed */
	int too_long;   /* an append would have passed `max`: it was dropped */
	int no_mem;
} rq_strbuf;

/* An empty buffer holding at most `max` bytes. */
static inline rq_strbuf rq_strbuf_init(size_t max) { return (rq_strbuf){ NULL, 0, 0, max, 0, 0 }; }

void rq_strbuf_put(rq_strbuf *b, const char *s, size_t n);
void rq_strbuf_puts(rq_strbuf *b, const char *s);
void rq_strbuf_uint(rq_strbuf *b, unsigned long v);  /* decimal */
void rq_strbuf_hex(rq_strbuf *b, unsigned byte);     /* two lower-case digits */
/* printf-style; a result longer than 4 KiB is marked too_long (dropped). */
void rq_strbuf_printf(rq_strbuf *b, const char *fmt, ...) RQ_PRINTF(2, 3);
void rq_strbuf_free(rq_strbuf *b);

#endif
