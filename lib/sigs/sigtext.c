/*
 * Text helpers of the line-based signature loaders: see sigtext.h. Every
 * function works on (pointer, length) pairs, so embedded NUL bytes in a
 * hostile file are data like any other.
 */
#include "sigs/sigtext.h"

#include <stdio.h>
#include <string.h>

#include "core/limits.h"
#include "core/util.h"
#include "sigs/sigset.h"

#define STR_(x) #x
#define STR(x) STR_(x)

const char *rq_sigtext_quote(char *buf, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = len > RQ_SIGTEXT_QUOTE_MAX ? RQ_SIGTEXT_QUOTE_MAX : len;
	char *o = buf;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x20 && c < 0x7f && c != '\\') {
			*o++ = (char)c;
		} else {
			*o++ = '\\';
			*o++ = 'x';
			*o++ = hex[c >> 4];
			*o++ = hex[c & 15];
		}
	}
	if (n < len) {
		memcpy(o, "...", 3);
		o += 3;
	}
	*o = '\0';
	return buf;
}

static int is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

void rq_sigtext_trim(const char **s, size_t *len)
{
	const char *p = *s;
	size_t n = *len;
	while (n && is_blank(*p)) {
		p++;
		n--;
	}
	while (n && is_blank(p[n - 1]))
		n--;
	*s = p;
	*len = n;
}

unsigned rq_sigtext_digest(uint8_t out[32], const char *hex, size_t len)
{
	unsigned type;
	switch (len) {
	case 32: type = RQ_DIGEST_MD5; break;
	case 40: type = RQ_DIGEST_SHA1; break;
	case 64: type = RQ_DIGEST_SHA256; break;
	default: return 0;
	}
	memset(out, 0, 32);
	if (rq_hex_decode(out, hex, len / 2) < 0)
		return 0;
	return type;
}

const char *rq_sigtext_digest_name(unsigned digest_type)
{
	switch (digest_type) {
	case RQ_DIGEST_MD5: return "md5";
	case RQ_DIGEST_SHA1: return "sha1";
	case RQ_DIGEST_SHA256: return "sha256";
	default: return "";
	}
}

int rq_sigtext_u64(uint64_t *out, const char *s, size_t len)
{
	uint64_t v = 0;
	if (!len)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		unsigned d = (unsigned)(s[i] - '0');
		if (v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

const char *rq_sigtext_bad_name(const char *name, size_t len)
{
	if (!len)
		return "empty signature name";
	if (len > RQ_MAX_SIG_NAME)
		return "signature name longer than " STR(RQ_MAX_SIG_NAME) " bytes";
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];
		if (c < 0x20 || c == 0x7f)
			return "control byte in signature name";
	}
	return NULL;
}

size_t rq_sigtext_split(rq_sigtext_field *f, size_t max, char sep, const char *s, size_t len)
{
	size_t n = 0;
	const char *end = s + len;
	for (;;) {
		const char *at = memchr(s, sep, (size_t)(end - s));
		const char *stop = at ? at : end;
		if (n == max)
			return max + 1;
		f[n++] = (rq_sigtext_field){ s, (size_t)(stop - s) };
		if (!at)
			return n;
		s = at + 1;
	}
}

int rq_sigtext_each_line(const uint8_t *data, size_t len, rq_sigtext_line_cb line_cb, void *ctx)
{
	rq_lines it;
	const char *line;
	size_t line_len;
	if (!len)
		return 0; /* `data` may then be NULL */
	rq_lines_init(&it, data, len);
	while (rq_lines_next(&it, &line, &line_len)) {
		rq_sigtext_trim(&line, &line_len);
		if (!line_len || line[0] == '#')
			continue;
		int rc = line_cb(ctx, it.lineno, line, line_len);
		if (rc)
			return rc;
	}
	return 0;
}
