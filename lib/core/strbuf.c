/* Bounded growable strings: see strbuf.h. */
#include "core/strbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"

void rq_strbuf_put(rq_strbuf *b, const char *s, size_t n)
{
	if (b->too_long || b->no_mem)
		return;
	if (n > b->max || b->len > b->max - n) {
		b->too_long = 1;
		return;
	}
	if (rq_grow((void **)&b->p, &b->cap, b->len + n + 1, 1)) {
		b->no_mem = 1;
		return;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void rq_strbuf_puts(rq_strbuf *b, const char *s) { rq_strbuf_put(b, s, strlen(s)); }

void rq_strbuf_uint(rq_strbuf *b, unsigned long v)
{
	char tmp[24];
	size_t n = 0;
	do {
		tmp[sizeof(tmp) - 1 - n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v && n < sizeof(tmp));
	rq_strbuf_put(b, tmp + sizeof(tmp) - n, n);
}

void rq_strbuf_hex(rq_strbuf *b, unsigned byte)
{
	static const char digits[] = "0123456789abcdef";
	char s[2] = { digits[(byte >> 4) & 15], digits[byte & 15] };
	rq_strbuf_put(b, s, 2);
}

void rq_strbuf_printf(rq_strbuf *b, const char *fmt, ...)
{
	char text[4096];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(text))
		b->too_long = 1;
	else
		rq_strbuf_put(b, text, (size_t)n);
}

void rq_strbuf_free(rq_strbuf *b)
{
	free(b->p);
	*b = rq_strbuf_init(b->max);
}
