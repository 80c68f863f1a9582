/*
 * Little-endian binary writer and bounds-checked reader (binbuf.h).
 */
#include "core/binbuf.h"

#include <stdlib.h>
#include <string.h>

void rq_bin_put(rq_binbuf *b, const void *data, size_t n)
{
	if (b->no_mem || !n)
		return;
	if (n > SIZE_MAX - b->len) {
		b->no_mem = 1;
		return;
	}
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		while (cap < b->len + n) {
			if (cap > SIZE_MAX / 2) {
				b->no_mem = 1;
				return;
			}
			cap *= 2;
		}
		uint8_t *np = realloc(b->p, cap);
		if (!np) {
			b->no_mem = 1;
			return;
		}
		b->p = np;
		b->cap = cap;
	}
	if (data)
		memcpy(b->p + b->len, data, n);
	else
		memset(b->p + b->len, 0, n);
	b->len += n;
}

void rq_bin_u8(rq_binbuf *b, uint8_t v) { rq_bin_put(b, &v, 1); }

void rq_bin_u16(rq_binbuf *b, uint16_t v)
{
	uint8_t x[2] = { (uint8_t)v, (uint8_t)(v >> 8) };
	rq_bin_put(b, x, 2);
}

void rq_bin_u32(rq_binbuf *b, uint32_t v)
{
	uint8_t x[4];
	for (int i = 0; i < 4; i++)
		x[i] = (uint8_t)(v >> (8 * i));
	rq_bin_put(b, x, 4);
}

void rq_bin_u64(rq_binbuf *b, uint64_t v)
{
	uint8_t x[8];
	for (int i = 0; i < 8; i++)
		x[i] = (uint8_t)(v >> (8 * i));
	rq_bin_put(b, x, 8);
}

void rq_bin_align(rq_binbuf *b, size_t align)
{
	size_t rem = b->len & (align - 1);
	if (rem)
		rq_bin_put(b, NULL, align - rem);
}

void rq_bin_free(rq_binbuf *b)
{
	free(b->p);
	*b = (rq_binbuf){ 0 };
}
