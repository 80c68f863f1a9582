/*
 * The hash-signature index (see hashidx.h). Per digest kind, fixed-width
 * records sorted by digest with a radix directory on the digest's top bits,
 * and a bit filter of the file sizes its records name; names stored as a
 * shared prefix ("Win.Trojan.Agent-") and a suffix. The same arrays are
 * built in memory or read in place from a .rqdb, so one look-up path serves
 * both and costs O(1) probes with millions of entries. Saved form:
 * docs/formats/rqdb.md.
 */
#include "match/hashidx.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"

#define DIGEST_KINDS 3
/* Directory bits at most: 2^26 buckets (256 MiB of directory) is far past any database. */
#define MAX_DIR_BITS 26
/* Size filter: 8 bits per sized record (about 1 false "needed" in 9 sizes), 2^12..2^32 bits. */
#define FILTER_MIN_BITS 12
#define FILTER_MAX_BITS 32
#define SAVED_MAGIC 0x32485152u /* "RQH2" */
#define MAX_SOURCES 65535
#define MAX_PREFIXES (1u << 21) /* three varint bytes */

/*
 * A record: digest (D bytes), size (u64), name offset (u32), source index
 * (u16), signature type (u8), zero (u8); all little-endian, unaligned.
 */
#define REC_EXTRA 16

static const unsigned kind_flags[DIGEST_KINDS] = { RQ_DIGEST_MD5, RQ_DIGEST_SHA1, RQ_DIGEST_SHA256 };
static const size_t kind_len[DIGEST_KINDS] = { 16, 20, 32 };

typedef struct digest_table {
	const uint8_t *recs;
	const uint32_t *dir;  /* dir[b]: first record whose top `bits` bits are >= b */
	unsigned bits;
	size_t count;
	const uint64_t *filter; /* 2^filter_bits bits; NULL when no record has a size */
	unsigned filter_bits;
} digest_table;

struct rq_hashidx {
	digest_table tables[DIGEST_KINDS];
	unsigned any_mask;      /* digests of RQ_SIZE_ANY entries */
	/* names: entry = varint prefix index, suffix, NUL */
	const char *names;
	size_t names_len;
	const uint32_t *prefix_off; /* prefix i at prefixes + prefix_off[i], NUL-terminated */
	size_t prefix_count;
	const char *prefixes;
	size_t prefixes_len;
	const char **sources;
	size_t source_count;
	size_t count;
	/* built in memory: what to free */
	uint8_t *own_recs[DIGEST_KINDS];
	uint32_t *own_dir[DIGEST_KINDS];
	uint64_t *own_filter[DIGEST_KINDS];
	char *own_names, *own_prefixes;
	uint32_t *own_prefix_off;
};

static int kind_slot(unsigned digest_type)
{
	switch (digest_type) {
	case RQ_DIGEST_MD5: return 0;
	case RQ_DIGEST_SHA1: return 1;
	case RQ_DIGEST_SHA256: return 2;
	default: return -1;
	}
}

static uint64_t load_be64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

static size_t bucket_of(const uint8_t *digest, unsigned bits)
{
	return bits ? (size_t)(load_be64(digest) >> (64 - bits)) : 0;
}

static size_t filter_bit(uint64_t size, unsigned bits)
{
	return (size_t)((size * UINT64_C(0x9E3779B97F4A7C15)) >> (64 - bits));
}

static unsigned dir_bits(size_t count)
{
	unsigned bits = 0;
	while (bits < MAX_DIR_BITS && ((size_t)2 << bits) <= count)
		bits++;
	return bits;
}

/* Where a name is cut: after its first '-', else after its last '.', else nowhere. */
static size_t prefix_len_of(const char *name)
{
	const char *dash = strchr(name, '-');
	if (dash)
		return (size_t)(dash - name) + 1;
	const char *dot = strrchr(name, '.');
	return dot ? (size_t)(dot - name) + 1 : 0;
}

/* --- building --- */

typedef struct sort_ctx {
	const rq_hashsig *sigs;
	size_t dlen;
} sort_ctx;

/* Order by digest, then size (RQ_SIZE_ANY last), then input position. */
static int cmp_refs(const void *pa, const void *pb, void *payload)
{
	const sort_ctx *c = payload;
	uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;
	const rq_hashsig *sa = &c->sigs[a], *sb = &c->sigs[b];
	int d = memcmp(sa->digest, sb->digest, c->dlen);
	if (d)
		return d;
	if (sa->size != sb->size)
		return sa->size < sb->size ? -1 : 1;
	return a < b ? -1 : a > b;
}

typedef struct builder {
	rq_hashidx *idx;
	const rq_hashsig *sigs;
	size_t count;
	char *names;
	size_t names_len, names_cap;
	char *prefixes;
	size_t prefixes_len, prefixes_cap;
	uint32_t *prefix_off;
	size_t prefix_cap;
	uint32_t *slots;     /* open addressing over prefixes: index + 1, 0 free */
	size_t slot_mask;
	const char **sources;
	size_t source_cap;
	size_t last_source;
} builder;

static int source_index(builder *b, const char *source, uint16_t *out)
{
	rq_hashidx *idx = b->idx;
	if (!source)
		source = "";
	if (b->last_source < idx->source_count &&
	    (idx->sources[b->last_source] == source || !strcmp(idx->sources[b->last_source], source))) {
		*out = (uint16_t)b->last_source;
		return 0;
	}
	for (size_t i = 0; i < idx->source_count; i++) {
		if (idx->sources[i] == source || !strcmp(idx->sources[i], source)) {
			*out = (uint16_t)(b->last_source = i);
			return 0;
		}
	}
	if (idx->source_count >= MAX_SOURCES)
		return rq_fail(RQ_ELIMIT, "hash index: more than %d signature sources", MAX_SOURCES);
	int rc = rq_grow((void **)&b->sources, &b->source_cap, idx->source_count + 1,
			 sizeof(*b->sources));
	if (rc)
		return rc;
	idx->sources = b->sources;
	idx->sources[idx->source_count] = source;
	*out = (uint16_t)(b->last_source = idx->source_count++);
	return 0;
}

static uint64_t hash_bytes(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ULL;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (uint8_t)s[i]) * 1099511628211ULL;
	return h;
}

static int grow_slots(builder *b)
{
	size_t cap = b->slot_mask ? 2 * (b->slot_mask + 1) : 1024;
	uint32_t *slots = calloc(cap, sizeof(*slots));
	if (!slots)
		return rq_fail(RQ_ENOMEM, "hash index: out of memory");
	for (size_t i = 0; i < b->idx->prefix_count; i++) {
		const char *p = b->prefixes + b->prefix_off[i];
		size_t h = (size_t)hash_bytes(p, strlen(p)) & (cap - 1);
		while (slots[h])
			h = (h + 1) & (cap - 1);
		slots[h] = (uint32_t)i + 1;
	}
	free(b->slots);
	b->slots = slots;
	b->slot_mask = cap - 1;
	return 0;
}

/* Index of the prefix name[0..n), added when new. */
static int prefix_index(builder *b, const char *name, size_t n, uint32_t *out)
{
	rq_hashidx *idx = b->idx;
	int rc;
	if (2 * (idx->prefix_count + 1) > b->slot_mask + 1 && (rc = grow_slots(b)))
		return rc;
	size_t h = (size_t)hash_bytes(name, n) & b->slot_mask;
	for (; b->slots[h]; h = (h + 1) & b->slot_mask) {
		const char *p = b->prefixes + b->prefix_off[b->slots[h] - 1];
		if (!strncmp(p, name, n) && p[n] == '\0') {
			*out = b->slots[h] - 1;
			return 0;
		}
	}
	if (idx->prefix_count >= MAX_PREFIXES)
		return rq_fail(RQ_ELIMIT, "hash index: more than %u name prefixes", MAX_PREFIXES);
	if ((rc = rq_grow((void **)&b->prefix_off, &b->prefix_cap, idx->prefix_count + 1,
			  sizeof(*b->prefix_off))) ||
	    (rc = rq_grow((void **)&b->prefixes, &b->prefixes_cap, b->prefixes_len + n + 1, 1)))
		return rc;
	memcpy(b->prefixes + b->prefixes_len, name, n);
	b->prefixes[b->prefixes_len + n] = '\0';
	b->prefix_off[idx->prefix_count] = (uint32_t)b->prefixes_len;
	b->prefixes_len += n + 1;
	b->slots[h] = (uint32_t)idx->prefix_count + 1;
	*out = (uint32_t)idx->prefix_count++;
	return 0;
}

static int add_name(builder *b, const char *name, uint32_t *off)
{
	if (!name)
		name = "";
	size_t n = strlen(name), cut = prefix_len_of(name);
	uint32_t pi = 0;
	int rc = 0;
	if (cut && (rc = prefix_index(b, name, cut, &pi)))
		return rc;
	if (!cut && (rc = prefix_index(b, "", 0, &pi)))
		return rc;
	uint8_t var[3];
	size_t vn = 0;
	do {
		var[vn++] = (uint8_t)((pi & 0x7f) | (pi > 0x7f ? 0x80 : 0));
		pi >>= 7;
	} while (pi);
	size_t need = vn + (n - cut) + 1;
	if (b->names_len + need > UINT32_MAX)
		return rq_fail(RQ_ELIMIT, "hash index: names take more than 4 GiB");
	if ((rc = rq_grow((void **)&b->names, &b->names_cap, b->names_len + need, 1)))
		return rc;
	memcpy(b->names + b->names_len, var, vn);
	memcpy(b->names + b->names_len + vn, name + cut, n - cut + 1);
	*off = (uint32_t)b->names_len;
	b->names_len += need;
	return 0;
}

static void put_rec(uint8_t *r, size_t dlen, const rq_hashsig *s, uint32_t name, uint16_t src)
{
	memcpy(r, s->digest, dlen);
	for (int i = 0; i < 8; i++)
		r[dlen + i] = (uint8_t)(s->size >> (8 * i));
	for (int i = 0; i < 4; i++)
		r[dlen + 8 + i] = (uint8_t)(name >> (8 * i));
	r[dlen + 12] = (uint8_t)src;
	r[dlen + 13] = (uint8_t)(src >> 8);
	r[dlen + 14] = s->sig_type;
	r[dlen + 15] = 0;
}

static int build_dir(digest_table *t, uint32_t **own, size_t rlen)
{
	size_t buckets = (size_t)1 << t->bits, pos = 0;
	uint32_t *dir = malloc((buckets + 1) * sizeof(*dir));
	if (!dir)
		return rq_fail(RQ_ENOMEM, "hash index: out of memory");
	for (size_t bk = 0; bk < buckets; bk++) {
		while (pos < t->count && bucket_of(t->recs + pos * rlen, t->bits) < bk)
			pos++;
		dir[bk] = (uint32_t)pos;
	}
	dir[buckets] = (uint32_t)t->count;
	*own = dir;
	t->dir = dir;
	return 0;
}

/* The size filter of table `k`; RQ_SIZE_ANY records go to any_mask instead. */
static int build_filter(rq_hashidx *idx, int k)
{
	digest_table *t = &idx->tables[k];
	size_t dlen = kind_len[k], rlen = dlen + REC_EXTRA, sized = 0;
	for (size_t i = 0; i < t->count; i++) {
		if (rq_le64(t->recs + i * rlen + dlen) == RQ_SIZE_ANY)
			idx->any_mask |= kind_flags[k];
		else
			sized++;
	}
	if (!sized)
		return 0;
	unsigned bits = FILTER_MIN_BITS;
	while (bits < FILTER_MAX_BITS && ((uint64_t)1 << bits) < 8 * (uint64_t)sized)
		bits++;
	uint64_t *f = calloc(((size_t)1 << bits) / 64, sizeof(*f));
	if (!f)
		return rq_fail(RQ_ENOMEM, "hash index: out of memory");
	for (size_t i = 0; i < t->count; i++) {
		uint64_t size = rq_le64(t->recs + i * rlen + dlen);
		if (size != RQ_SIZE_ANY) {
			size_t bit = filter_bit(size, bits);
			f[bit / 64] |= UINT64_C(1) << (bit % 64);
		}
	}
	idx->own_filter[k] = f;
	t->filter = f;
	t->filter_bits = bits;
	return 0;
}

/* Build the table of digest kind `k`. */
static int build_table(builder *b, int k)
{
	int rc = 0;
	rq_hashidx *idx = b->idx;
	digest_table *t = &idx->tables[k];
	size_t dlen = kind_len[k], rlen = dlen + REC_EXTRA, n = 0, kept = 0;
	uint32_t *refs = NULL;
	for (size_t i = 0; i < b->count; i++)
		n += b->sigs[i].digest_type == kind_flags[k];
	if (!n)
		return 0;
	if (!(refs = malloc(n * sizeof(*refs)))) {
		rc = rq_fail(RQ_ENOMEM, "hash index: out of memory");
		goto done;
	}
	n = 0;
	for (size_t i = 0; i < b->count; i++)
		if (b->sigs[i].digest_type == kind_flags[k])
			refs[n++] = (uint32_t)i;
	sort_ctx sc = { b->sigs, dlen };
	qsort_r(refs, n, sizeof(*refs), cmp_refs, &sc);
	for (size_t i = 0; i < n; i++) {
		const rq_hashsig *s = &b->sigs[refs[i]], *p = kept ? &b->sigs[refs[kept - 1]] : NULL;
		if (!p || p->size != s->size || memcmp(p->digest, s->digest, dlen))
			refs[kept++] = refs[i];
	}
	uint8_t *recs = malloc(kept * rlen);
	if (!recs) {
		rc = rq_fail(RQ_ENOMEM, "hash index: out of memory");
		goto done;
	}
	idx->own_recs[k] = recs;
	t->recs = recs;
	t->count = kept;
	t->bits = dir_bits(kept);
	for (size_t i = 0; i < kept && !rc; i++) {
		const rq_hashsig *s = &b->sigs[refs[i]];
		uint32_t name = 0;
		uint16_t src = 0;
		if (!(rc = add_name(b, s->name, &name)) && !(rc = source_index(b, s->source, &src)))
			put_rec(recs + i * rlen, dlen, s, name, src);
	}
	if (!rc)
		rc = build_dir(t, &idx->own_dir[k], rlen);
	if (!rc)
		rc = build_filter(idx, k);
done:
	free(refs);
	return rc;
}

int rq_hashidx_build(rq_hashidx **out, const rq_hashsig *sigs, size_t count)
{
	int rc = 0;
	*out = NULL;
	builder b = { 0 };
	if (count > UINT32_MAX)
		return rq_fail(RQ_ELIMIT, "hash index: %zu entries, at most %u", count, UINT32_MAX);
	for (size_t i = 0; i < count; i++)
		if (kind_slot(sigs[i].digest_type) < 0)
			return rq_fail(RQ_EINVAL, "hash index: entry %zu has digest type %u", i,
				       sigs[i].digest_type);
	if (!(b.idx = calloc(1, sizeof(*b.idx))))
		return rq_fail(RQ_ENOMEM, "hash index: out of memory");
	b.sigs = sigs;
	b.count = count;
	b.last_source = SIZE_MAX;
	for (int k = 0; k < DIGEST_KINDS && !rc; k++) {
		rc = build_table(&b, k);
		b.idx->count += b.idx->tables[k].count;
	}
	free(b.slots);
	rq_hashidx *idx = b.idx;
	idx->own_names = b.names;
	idx->names = b.names ? b.names : "";
	idx->names_len = b.names_len;
	idx->own_prefixes = b.prefixes;
	idx->prefixes = b.prefixes ? b.prefixes : "";
	idx->prefixes_len = b.prefixes_len;
	idx->own_prefix_off = b.prefix_off;
	idx->prefix_off = b.prefix_off;
	if (rc) {
		rq_hashidx_free(idx);
		return rc;
	}
	*out = idx;
	return 0;
}

void rq_hashidx_free(rq_hashidx *idx)
{
	if (!idx)
		return;
	for (int k = 0; k < DIGEST_KINDS; k++) {
		free(idx->own_recs[k]);
		free(idx->own_dir[k]);
		free(idx->own_filter[k]);
	}
	free(idx->own_names);
	free(idx->own_prefixes);
	free(idx->own_prefix_off);
	free(idx->sources);
	free(idx);
}

size_t rq_hashidx_count(const rq_hashidx *idx)
{
	return idx ? idx->count : 0;
}

/* --- look-ups --- */

unsigned rq_hashidx_needs(const rq_hashidx *idx, uint64_t size)
{
	if (!idx)
		return 0;
	unsigned mask = idx->any_mask;
	for (int k = 0; k < DIGEST_KINDS; k++) {
		const digest_table *t = &idx->tables[k];
		if (!t->filter)
			continue;
		size_t bit = filter_bit(size, t->filter_bits);
		if ((t->filter[bit / 64] >> (bit % 64)) & 1)
			mask |= kind_flags[k];
	}
	return mask;
}

/* Rebuild the name at names[off] into hit->buf: prefix then suffix, cut to fit. */
static void fill_name(const rq_hashidx *idx, uint32_t off, rq_hashhit *hit)
{
	hit->name = hit->buf;
	hit->buf[0] = '\0';
	if (off >= idx->names_len)
		return;
	const uint8_t *p = (const uint8_t *)idx->names + off, *end = (const uint8_t *)idx->names + idx->names_len;
	uint32_t pi = 0;
	for (unsigned shift = 0; p < end && shift < 21; shift += 7) {
		pi |= (uint32_t)(*p & 0x7f) << shift;
		if (!(*p++ & 0x80))
			break;
	}
	const char *prefix = pi < idx->prefix_count && idx->prefix_off[pi] < idx->prefixes_len
				     ? idx->prefixes + idx->prefix_off[pi] : "";
	/* both blobs end with a NUL (checked when viewed), so these reads stop inside them */
	snprintf(hit->buf, sizeof(hit->buf), "%s%s", prefix, p < end ? (const char *)p : "");
}

static void fill_hit(const rq_hashidx *idx, const uint8_t *r, size_t dlen, rq_hashhit *hit)
{
	unsigned src = (unsigned)(r[dlen + 12] | r[dlen + 13] << 8);
	fill_name(idx, rq_le32(r + dlen + 8), hit);
	hit->source = src < idx->source_count ? idx->sources[src] : "?";
	hit->sig_type = r[dlen + 14];
}

int rq_hashidx_find(const rq_hashidx *idx, unsigned digest_type, const uint8_t *digest,
		    uint64_t size, rq_hashhit *hit)
{
	int k = kind_slot(digest_type);
	if (!idx || k < 0 || !digest || !idx->tables[k].count)
		return 0;
	const digest_table *t = &idx->tables[k];
	size_t dlen = kind_len[k], rlen = dlen + REC_EXTRA;
	size_t b = bucket_of(digest, t->bits);
	size_t lo = t->dir[b], hi = t->dir[b + 1];
	if (hi > t->count)
		hi = t->count;
	for (size_t i = lo; i < hi; i++) {
		const uint8_t *r = t->recs + i * rlen;
		int c = memcmp(r, digest, dlen);
		if (c > 0)
			break;
		if (c)
			continue;
		/* Same digest: exact sizes sort before RQ_SIZE_ANY, so the exact entry wins. */
		uint64_t sz = rq_le64(r + dlen);
		if (sz == size || sz == RQ_SIZE_ANY) {
			if (hit)
				fill_hit(idx, r, dlen, hit);
			return 1;
		}
	}
	return 0;
}

int rq_hashidx_entry(const rq_hashidx *idx, size_t i, rq_hashsig *sig, rq_hashhit *names)
{
	for (int k = 0; idx && k < DIGEST_KINDS; k++) {
		const digest_table *t = &idx->tables[k];
		if (i >= t->count) {
			i -= t->count;
			continue;
		}
		size_t dlen = kind_len[k];
		const uint8_t *r = t->recs + i * (dlen + REC_EXTRA);
		fill_hit(idx, r, dlen, names);
		memset(sig, 0, sizeof(*sig));
		memcpy(sig->digest, r, dlen);
		sig->digest_type = (uint8_t)kind_flags[k];
		sig->sig_type = names->sig_type;
		sig->size = rq_le64(r + dlen);
		sig->name = names->name;
		sig->source = names->source;
		return 1;
	}
	return 0;
}

/* --- saved form ---
 * u32 magic, u32 any_mask, u64 names length, u64 prefix count, u64 prefixes
 * length, u32 source count, u32 zero; per kind: u64 count, u32 directory
 * bits, u32 filter bits (0: no filter);
 * then, each 8-aligned: per kind the records, the directory (u32), the
 * filter (u64 words); the names; the prefix offsets (u32); the prefixes;
 * the sources (u32 length with the NUL, the bytes).
 */

int rq_hashidx_save(const rq_hashidx *idx, rq_binbuf *out)
{
	rq_bin_u32(out, SAVED_MAGIC);
	rq_bin_u32(out, idx->any_mask);
	rq_bin_u64(out, idx->names_len);
	rq_bin_u64(out, idx->prefix_count);
	rq_bin_u64(out, idx->prefixes_len);
	rq_bin_u32(out, (uint32_t)idx->source_count);
	rq_bin_u32(out, 0);
	for (int k = 0; k < DIGEST_KINDS; k++) {
		rq_bin_u64(out, idx->tables[k].count);
		rq_bin_u32(out, idx->tables[k].bits);
		rq_bin_u32(out, idx->tables[k].filter ? idx->tables[k].filter_bits : 0);
	}
	for (int k = 0; k < DIGEST_KINDS; k++) {
		const digest_table *t = &idx->tables[k];
		if (!t->count)
			continue;
		rq_bin_put(out, t->recs, t->count * (kind_len[k] + REC_EXTRA));
		rq_bin_align(out, 8);
		for (size_t i = 0; i <= ((size_t)1 << t->bits); i++)
			rq_bin_u32(out, t->dir[i]);
		rq_bin_align(out, 8);
		for (size_t i = 0; t->filter && i < ((size_t)1 << t->filter_bits) / 64; i++)
			rq_bin_u64(out, t->filter[i]);
	}
	rq_bin_put(out, idx->names, idx->names_len);
	rq_bin_align(out, 8);
	for (size_t i = 0; i < idx->prefix_count; i++)
		rq_bin_u32(out, idx->prefix_off[i]);
	rq_bin_align(out, 8);
	rq_bin_put(out, idx->prefixes, idx->prefixes_len);
	rq_bin_align(out, 8);
	for (size_t i = 0; i < idx->source_count; i++) {
		size_t n = strlen(idx->sources[i]) + 1;
		rq_bin_u32(out, (uint32_t)n);
		rq_bin_put(out, idx->sources[i], n);
	}
	rq_bin_align(out, 8);
	return out->no_mem ? rq_fail(RQ_ENOMEM, "hash index: out of memory") : 0;
}

int rq_hashidx_view(rq_hashidx **out, const uint8_t *data, size_t len)
{
	*out = NULL;
	if ((uintptr_t)data % 8)
		return rq_fail(RQ_EINVAL, "hash index: section not 8-byte aligned");
	rq_binreader r = rq_binreader_init(data, len);
	rq_hashidx *idx = calloc(1, sizeof(*idx));
	if (!idx)
		return rq_fail(RQ_ENOMEM, "hash index: out of memory");
	uint32_t magic = rq_bin_get_u32(&r);
	idx->any_mask = rq_bin_get_u32(&r) & 7;
	uint64_t names_len = rq_bin_get_u64(&r), nprefix = rq_bin_get_u64(&r),
		 prefixes_len = rq_bin_get_u64(&r);
	uint32_t nsrc = rq_bin_get_u32(&r);
	rq_bin_get_u32(&r);
	int bad = magic != SAVED_MAGIC || nsrc > MAX_SOURCES || names_len > len ||
		  nprefix > MAX_PREFIXES || prefixes_len > len;
	for (int k = 0; k < DIGEST_KINDS; k++) {
		digest_table *t = &idx->tables[k];
		t->count = (size_t)rq_bin_get_u64(&r);
		t->bits = rq_bin_get_u32(&r);
		t->filter_bits = rq_bin_get_u32(&r);
		bad |= t->bits > MAX_DIR_BITS || t->count > UINT32_MAX ||
		       (t->filter_bits && (t->filter_bits < FILTER_MIN_BITS || t->filter_bits > FILTER_MAX_BITS));
	}
	for (int k = 0; k < DIGEST_KINDS && !bad; k++) {
		digest_table *t = &idx->tables[k];
		if (!t->count) {
			bad |= t->filter_bits != 0;
			continue;
		}
		t->recs = rq_bin_take_array(&r, t->count, kind_len[k] + REC_EXTRA);
		rq_bin_skip_align(&r, 8);
		t->dir = (const uint32_t *)rq_bin_take_array(&r, ((size_t)1 << t->bits) + 1, 4);
		rq_bin_skip_align(&r, 8);
		if (t->filter_bits)
			t->filter = (const uint64_t *)rq_bin_take_array(&r, ((size_t)1 << t->filter_bits) / 64, 8);
		idx->count += t->count;
	}
	if (!bad) {
		idx->names = (const char *)rq_bin_take(&r, (size_t)names_len);
		idx->names_len = (size_t)names_len;
		rq_bin_skip_align(&r, 8);
		idx->prefix_off = (const uint32_t *)rq_bin_take_array(&r, (size_t)nprefix, 4);
		idx->prefix_count = (size_t)nprefix;
		rq_bin_skip_align(&r, 8);
		idx->prefixes = (const char *)rq_bin_take(&r, (size_t)prefixes_len);
		idx->prefixes_len = (size_t)prefixes_len;
		rq_bin_skip_align(&r, 8);
	}
	/* every offset below a blob's length then reads a NUL-terminated string */
	if (bad || r.bad || (names_len && idx->names[names_len - 1] != '\0') ||
	    (prefixes_len && idx->prefixes[prefixes_len - 1] != '\0')) {
		free(idx);
		return rq_fail(RQ_EPARSE, "hash index: malformed section");
	}
	if (!names_len)
		idx->names = "";
	if (!prefixes_len)
		idx->prefixes = "";
	if (nsrc && !(idx->sources = calloc(nsrc, sizeof(*idx->sources)))) {
		free(idx);
		return rq_fail(RQ_ENOMEM, "hash index: out of memory");
	}
	for (uint32_t i = 0; i < nsrc; i++) {
		uint32_t n = rq_bin_get_u32(&r);
		const char *str = (const char *)rq_bin_take(&r, n);
		if (!str || !n || str[n - 1] != '\0' || memchr(str, 0, n - 1)) {
			rq_hashidx_free(idx);
			return rq_fail(RQ_EPARSE, "hash index: malformed source table");
		}
		idx->sources[idx->source_count++] = str;
	}
	*out = idx;
	return 0;
}
