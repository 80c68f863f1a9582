/*
 * A small JSON writer that builds one document (one output line) in a
 * growable buffer. Strings are bytes: valid UTF-8 passes through, control
 * characters are escaped, and invalid bytes become U+FFFD -- with the exact
 * bytes also given in a "<key>_hex" field by jsonw_field_bytes.
 */
#ifndef RQ_CLI_JSONW_H
#define RQ_CLI_JSONW_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define JSONW_MAX_DEPTH 16

typedef struct jsonw {
	char *buf;
	size_t len, cap;
	int failed;                      /* out of memory or misuse: output dropped */
	int depth;
	int need_comma[JSONW_MAX_DEPTH]; /* per open container */
} jsonw;

void jsonw_init(jsonw *w);
void jsonw_free(jsonw *w);
/* Forget the content, keep the buffer. */
void jsonw_reset(jsonw *w);

void jsonw_object_begin(jsonw *w);
void jsonw_object_end(jsonw *w);
void jsonw_array_begin(jsonw *w);
void jsonw_array_end(jsonw *w);
/* A key inside an object; the value follows with one of the value calls. */
void jsonw_key(jsonw *w, const char *key);

void jsonw_string(jsonw *w, const char *s);   /* NULL writes null */
void jsonw_u64(jsonw *w, uint64_t v);
void jsonw_double(jsonw *w, double v, int decimals);
void jsonw_bool(jsonw *w, int v);
void jsonw_null(jsonw *w);

/* 1 if the NUL-terminated bytes are valid UTF-8. */
int jsonw_utf8_valid(const char *s);

/*
 * "key": "text" -- plus "key_hex": "<hex of the bytes>" when the bytes are
 * not valid UTF-8 (the text then has U+FFFD for each invalid byte).
 */
void jsonw_field_bytes(jsonw *w, const char *key, const char *s);
/* "key": "text" (skipped when s is NULL), "key": number. */
void jsonw_field_string(jsonw *w, const char *key, const char *s);
void jsonw_field_u64(jsonw *w, const char *key, uint64_t v);

/* Write the document plus "\n" to f; returns 0 or -1 (also if w->failed). */
int jsonw_print_line(jsonw *w, FILE *f);

/* jsonw_print_line, a one-line warning on stderr if it failed, then jsonw_reset. */
void jsonw_emit(jsonw *w, FILE *f);

#endif
