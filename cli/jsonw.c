/*
 * The JSON writer of the raquet command (see jsonw.h): one document at a
 * time in a growable buffer, arbitrary bytes made into valid JSON text with
 * the exact bytes kept in a hex side field when they are not UTF-8.
 */
#include "jsonw.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* A document larger than this is dropped: no single result needs it. */
#define JSONW_MAX_SIZE (64u * 1024 * 1024)

void jsonw_init(jsonw *w)
{
	memset(w, 0, sizeof(*w));
}

void jsonw_free(jsonw *w)
{
	free(w->buf);
	memset(w, 0, sizeof(*w));
}

void jsonw_reset(jsonw *w)
{
	w->len = 0;
	w->failed = 0;
	w->depth = 0;
	memset(w->need_comma, 0, sizeof(w->need_comma));
}

static void put(jsonw *w, const char *s, size_t n)
{
	if (w->failed)
		return;
	if (w->len + n + 1 > w->cap) {
		size_t cap = w->cap ? w->cap : 256;
		while (cap < w->len + n + 1 && cap <= JSONW_MAX_SIZE)
			cap *= 2;
		char *nb = cap > JSONW_MAX_SIZE ? NULL : realloc(w->buf, cap);
		if (!nb) {
			w->failed = 1;
			return;
		}
		w->buf = nb;
		w->cap = cap;
	}
	memcpy(w->buf + w->len, s, n);
	w->len += n;
	w->buf[w->len] = '\0';
}

static void puts_(jsonw *w, const char *s)
{
	put(w, s, strlen(s));
}

/* Comma before a value or key when the container already has one. */
static void separate(jsonw *w)
{
	if (w->depth > 0 && w->need_comma[w->depth - 1])
		put(w, ",", 1);
	if (w->depth > 0)
		w->need_comma[w->depth - 1] = 1;
}

static void open_container(jsonw *w, const char *c)
{
	put(w, c, 1);
	if (w->depth >= JSONW_MAX_DEPTH) {
		w->failed = 1;
		return;
	}
	w->need_comma[w->depth++] = 0;
}

static void close_container(jsonw *w, const char *c)
{
	if (w->depth == 0) {
		w->failed = 1;
		return;
	}
	w->depth--;
	put(w, c, 1);
}

void jsonw_object_begin(jsonw *w)
{
	separate(w);
	open_container(w, "{");
}

void jsonw_object_end(jsonw *w)
{
	close_container(w, "}");
}

void jsonw_array_begin(jsonw *w)
{
	separate(w);
	open_container(w, "[");
}

void jsonw_array_end(jsonw *w)
{
	close_container(w, "]");
}

/* Length of the valid UTF-8 sequence at p (NUL-terminated), 0 if invalid. */
static size_t utf8_len(const unsigned char *p)
{
	unsigned c = p[0];
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		return (p[1] & 0xc0) == 0x80 ? 2 : 0;
	if (c >= 0xe0 && c <= 0xef) {
		unsigned lo = c == 0xe0 ? 0xa0 : 0x80, hi = c == 0xed ? 0x9f : 0xbf;
		if (p[1] < lo || p[1] > hi || (p[2] & 0xc0) != 0x80)
			return 0;
		return 3;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		unsigned lo = c == 0xf0 ? 0x90 : 0x80, hi = c == 0xf4 ? 0x8f : 0xbf;
		if (p[1] < lo || p[1] > hi || (p[2] & 0xc0) != 0x80 || (p[3] & 0xc0) != 0x80)
			return 0;
		return 4;
	}
	return 0;
}

int jsonw_utf8_valid(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		size_t n = utf8_len(p);
		if (n == 0)
			return 0;
		p += n;
	}
	return 1;
}

static void put_string_body(jsonw *w, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	put(w, "\"", 1);
	while (*p) {
		size_t n = utf8_len(p);
		if (n == 0) {
			put(w, "\xef\xbf\xbd", 3); /* U+FFFD for one invalid byte */
			p++;
			continue;
		}
		unsigned c = *p;
		if (c == '"' || c == '\\') {
			char esc[2] = { '\\', (char)c };
			put(w, esc, 2);
		} else if (c == '\n') {
			puts_(w, "\\n");
		} else if (c == '\t') {
			puts_(w, "\\t");
		} else if (c == '\r') {
			puts_(w, "\\r");
		} else if (c < 0x20 || c == 0x7f) {
			char esc[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
			put(w, esc, 6);
		} else {
			put(w, (const char *)p, n);
		}
		p += n;
	}
	put(w, "\"", 1);
}

void jsonw_key(jsonw *w, const char *key)
{
	separate(w);
	put_string_body(w, key);
	put(w, ":", 1);
	/* the value that follows needs no comma of its own */
	if (w->depth > 0)
		w->need_comma[w->depth - 1] = 0;
}

/* After a value: the next key or element needs a comma. */
static void value_done(jsonw *w)
{
	if (w->depth > 0)
		w->need_comma[w->depth - 1] = 1;
}

void jsonw_string(jsonw *w, const char *s)
{
	separate(w);
	if (s)
		put_string_body(w, s);
	else
		puts_(w, "null");
	value_done(w);
}

void jsonw_u64(jsonw *w, uint64_t v)
{
	char num[32];
	separate(w);
	snprintf(num, sizeof(num), "%" PRIu64, v);
	puts_(w, num);
	value_done(w);
}

void jsonw_double(jsonw *w, double v, int decimals)
{
	char num[64];
	separate(w);
	if (v != v || v > 1e300 || v < -1e300)
		v = 0; /* JSON has no NaN or infinity */
	snprintf(num, sizeof(num), "%.*f", decimals, v);
	puts_(w, num);
	value_done(w);
}

void jsonw_bool(jsonw *w, int v)
{
	separate(w);
	puts_(w, v ? "true" : "false");
	value_done(w);
}

void jsonw_null(jsonw *w)
{
	separate(w);
	puts_(w, "null");
	value_done(w);
}

void jsonw_field_bytes(jsonw *w, const char *key, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	jsonw_key(w, key);
	jsonw_string(w, s);
	if (!s || jsonw_utf8_valid(s))
		return;
	char hkey[64];
	snprintf(hkey, sizeof(hkey), "%s_hex", key);
	jsonw_key(w, hkey);
	separate(w);
	put(w, "\"", 1);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		char pair[2] = { hex[*p >> 4], hex[*p & 15] };
		put(w, pair, 2);
	}
	put(w, "\"", 1);
	value_done(w);
}

void jsonw_field_string(jsonw *w, const char *key, const char *s)
{
	if (!s)
		return;
	jsonw_key(w, key);
	jsonw_string(w, s);
}

void jsonw_field_u64(jsonw *w, const char *key, uint64_t v)
{
	jsonw_key(w, key);
	jsonw_u64(w, v);
}

int jsonw_print_line(jsonw *w, FILE *f)
{
	if (w->failed || w->depth != 0)
		return -1;
	put(w, "\n", 1);
	if (w->failed || fwrite(w->buf, 1, w->len, f) != w->len)
		return -1;
	return 0;
}

void jsonw_emit(jsonw *w, FILE *f)
{
	if (jsonw_print_line(w, f) != 0)
		fputs("raquet: a JSON result could not be written (out of memory)\n", stderr);
	jsonw_reset(w);
}
