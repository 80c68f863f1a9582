/*
 * Streaming text normalisation for target-type-7 body signatures; the exact
 * rules are in textnorm.h. One table lookup per byte, no allocation.
 */
#include "match/textnorm.h"

/* What happens to a byte: Drop, Keep, whitespace (Space) or Lower-case. */
enum { D = 0, K, S, L };

static const uint8_t action[256] = {
	D, D, D, D, D, D, D, D, D, S, S, S, S, S, D, D, /* 0x00 */
	D, D, D, D, D, D, D, D, D, D, D, D, D, D, D, D, /* 0x10 */
	S, K, K, K, K, K, K, K, K, K, K, K, K, K, K, K, /* 0x20 */
	K, K, K, K, K, K, K, K, K, K, K, K, K, K, K, K, /* 0x30 */
	K, L, L, L, L, L, L, L, L, L, L, L, L, L, L, L, /* 0x40 */
	L, L, L, L, L, L, L, L, L, L, L, K, K, K, K, K, /* 0x50 */
	K, K, K, K, K, K, K, K, K, K, K, K, K, K, K, K, /* 0x60 */
	K, K, K, K, K, K, K, K, K, K, K, K, K, K, K, K, /* 0x70 */
	D, D, D, D, D, D, D, D, D, D, D, D, D, D, D, D, /* 0x80 */
	D, D, D, D, D, D, D, D, D, D, D, D, D, D, D, D, /* 0x90 */
	D, D, D, D, D, D, D, D, D, D, D, D, D, D, D, D, /* 0xa0 */
	D, D, D, D, D, D, D, D, D, D, D, D, D, D, D, D, /* 0xb0 */
	D, D, D, D, D, D, D, D, D, D, D, D, D, D, D, D, /* 0xc0 */
	D, D, D, D, D, D, D, D, D, D, D, D, D, D, D, D, /* 0xd0 */
	D, D, D, D, D, D, D, D, D, D, D, D, D, D, D, D, /* 0xe0 */
	D, D, D, D, D, D, D, D, D, D, D, D, D, D, D, D, /* 0xf0 */
};

void rq_textnorm_init(rq_textnorm *st) { st->in_space = 0; }

size_t rq_textnorm_run(rq_textnorm *st, uint8_t *out, const uint8_t *in, size_t len)
{
	uint8_t *o = out;
	int in_space = st->in_space;
	for (size_t i = 0; i < len; i++) {
		uint8_t c = in[i];
		switch (action[c]) {
		case K:
			*o++ = c;
			in_space = 0;
			break;
		case L:
			*o++ = (uint8_t)(c + ('a' - 'A'));
			in_space = 0;
			break;
		case S:
			if (!in_space)
				*o++ = ' ';
			in_space = 1;
			break;
		default:
			break;
		}
	}
	st->in_space = in_space;
	return (size_t)(o - out);
}
