/*
 * Little-endian binary writing and bounds-checked reading, for the sections
 * of a compiled database (.rqdb). The writer grows a buffer and remembers
 * running out of memory; the reader remembers reading past its end. Both
 * are checked once at the end, like rq_strbuf.
 */
#ifndef RQ_CORE_BINBUF_H
#define RQ_CORE_BINBUF_H

#include <stddef.h>
#include <stdint.h>

typedef struct rq_binbuf {
	uint8_t *p;
	size_t len, cap;
	int no_mem;
} rq_binbuf;

void rq_bin_put(rq_binbuf *b, const void *data, size_t n);
void rq_bin_u8(rq_binbuf *b, uint8_t v);
void rq_bin_u16(rq_binbuf *b, uint16_t v);
void rq_bin_u32(rq_binbuf *b, uint32_t v);
void rq_bin_u64(rq_binbuf *b, uint64_t v);
/* Zero bytes up to the next multiple of `align` (a power of two). */
void rq_bin_align(rq_binbuf *b, size_t align);
void rq_bin_free(rq_binbuf *b);

typedef struct rq_binreader {
	const uint8_t *p;
	size_t len, off;
	int bad; /* a read went past the end */
} rq_binreader;

static inline rq_binreader rq_binreader_init(const void *p, size_t len)
{
	return (rq_binreader){ p, len, 0, 0 };
}

/* Unaligned little-endian loads. */

static inline uint64_t rq_le64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}
static inline uint32_t rq_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Pointer to the next `n` bytes (consumed), or NULL and r->bad set. Inline:
 * loading a database reads millions of fields. */
static inline const uint8_t *rq_bin_take(rq_binreader *r, size_t n)
{
	if (r->bad || n > r->len - r->off) {
		r->bad = 1;
		return NULL;
	}
	const uint8_t *p = r->p + r->off;
	r->off += n;
	return p;
}

/* Pointer to `count` elements of `size` bytes, overflow-checked. */
static inline const uint8_t *rq_bin_take_array(rq_binreader *r, size_t count, size_t size)
{
	if (size && count > SIZE_MAX / size) {
		r->bad = 1;
		return NULL;
	}
	return rq_bin_take(r, count * size);
}

static inline uint8_t rq_bin_get_u8(rq_binreader *r)
{
	const uint8_t *p = rq_bin_take(r, 1);
	return p ? p[0] : 0;
}

static inline uint16_t rq_bin_get_u16(rq_binreader *r)
{
	const uint8_t *p = rq_bin_take(r, 2);
	return p ? (uint16_t)(p[0] | p[1] << 8) : 0;
}

static inline uint32_t rq_bin_get_u32(rq_binreader *r)
{
	const uint8_t *p = rq_bin_take(r, 4);
	return p ? rq_le32(p) : 0;
}

static inline uint64_t rq_bin_get_u64(rq_binreader *r)
{
	const uint8_t *p = rq_bin_take(r, 8);
	return p ? rq_le64(p) : 0;
}

/* Skip to the next multiple of `align` from the start. */
static inline void rq_bin_skip_align(rq_binreader *r, size_t align)
{
	size_t rem = r->off & (align - 1);
	if (rem)
		rq_bin_take(r, align - rem);
}

#endif
