/*
 * Small helpers shared by the engine: a string pool, overflow-checked
 * growth of arrays, hex decoding, a line iterator over a buffer and reading
 * whole files. Nothing here knows about signatures.
 */
#ifndef RQ_CORE_UTIL_H
#define RQ_CORE_UTIL_H

#include <stddef.h>
#include <stdint.h>

/* --- string pool: many small strings freed together --- */
typedef struct rq_strpool_block rq_strpool_block;
typedef struct rq_strpool {
	rq_strpool_block *head;
} rq_strpool;

/* Copy `len` bytes of `s` (plus a NUL) into the pool; NULL on ENOMEM. */
const char *rq_strpool_add(rq_strpool *pool, const char *s, size_t len);
void rq_strpool_free(rq_strpool *pool);

/*
 * Make room for `need` elements of `elem_size` in *array (capacity *cap),
 * doubling; returns RQ_ENOMEM on overflow or allocation failure.
 */
int rq_grow(void **array, size_t *cap, size_t need, size_t elem_size);

/* Value of a hex digit, or -1. */
int rq_hexval(int c);
/* Decode exactly 2*n hex digits into n bytes; 0 or -1 if any digit is bad. */
int rq_hex_decode(uint8_t *out, const char *hex, size_t n);
/* Encode n bytes as 2*n lower-case digits plus NUL into out. */
void rq_hex_encode(char *out, const uint8_t *in, size_t n);

/* --- lines of a text buffer --- */
typedef struct rq_lines {
	const char *p, *end;
	unsigned lineno;
} rq_lines;

void rq_lines_init(rq_lines *it, const void *data, size_t len);
/*
 * Next line without its "\n" or "\r\n" into (*line, *len); returns 0 at the
 * end. it->lineno is the 1-based number of the line returned.
 */
int rq_lines_next(rq_lines *it, const char **line, size_t *len);

/* Read a whole regular file (at most max_len bytes, else RQ_ELIMIT). Free *out with free(). */
int rq_read_file(const char *path, size_t max_len, uint8_t **out, size_t *out_len);

/* Last path component ("a/b/c.ndb" -> "c.ndb"), pointing into `path`. */
const char *rq_basename(const char *path);
/* Extension after the last '.' of the basename, "" if none, pointing into `path`. */
const char *rq_extension(const char *path);

/* Strip spaces and tabs around `s` in place; the first non-blank character. */
char *rq_trim_blanks(char *s);

#endif
