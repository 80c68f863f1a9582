/*
 * Text normalisation for ClamAV target type 7 ("normalised ASCII text"):
 * the byte stream of a text file is rewritten, in streaming fashion, into
 * the form type-7 body signatures are written against. Used by
 * lib/match/bodymatch.c; design: docs/internals/matching.md.
 *
 * Exactly what is done, byte by byte (the same table as ClamAV's textnorm):
 *   - 'A'..'Z' become 'a'..'z';
 *   - a run of whitespace (space, \t, \n, \v, \f, \r) becomes one space ' ';
 *   - every other byte below 0x20 and every byte 0x80..0xff is dropped, and a
 *     dropped byte does not end a whitespace run ("a \x01 b" gives "a b");
 *   - every other byte (0x21..0x7f except upper-case letters) is kept as is.
 * Leading and trailing whitespace are not trimmed (a leading run gives one
 * space). The output is never longer than the input.
 */
#ifndef RQ_MATCH_TEXTNORM_H
#define RQ_MATCH_TEXTNORM_H

#include <stddef.h>
#include <stdint.h>

/* State carried across chunks: whether the last byte written was a space. */
typedef struct rq_textnorm {
	int in_space;
} rq_textnorm;

/* Start a new stream. */
void rq_textnorm_init(rq_textnorm *st);

/*
 * Normalise the next `len` bytes of the stream from `in` into `out` (room
 * for `len` bytes; may not overlap `in`). Returns the bytes written.
 */
size_t rq_textnorm_run(rq_textnorm *st, uint8_t *out, const uint8_t *in, size_t len);

#endif
