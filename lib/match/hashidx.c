/*
 * The hash-signature index (see hashidx.h): an open-addressing table from
 * file size to the mask of digests worth computing, and per digest kind a
 * sorted array of digest prefixes with a radix directory on their top bits,
 * so both questions cost O(1) memory probes even with millions of entries.
 * Overview of the scan flow: docs/architecture.md.
 */
#include "match/hashidx.h"

#include <stdlib.h>
#include <string.h>

#include "core/error.h"

#define DIGEST_KINDS 3
/* Directory bits at most: 2^26 buckets (256 MiB of directory) is far past any database. */
#define MAX_DIR_BITS 26

/*
 * One digest kind's entries, sorted by digest then size. keys[i] is the
 * first 8 bytes of entry i's digest read big-endian, so key order is digest
 * order; refs[i] is its position in the borrowed array. dir[b] is the first
 * entry whose key's top `bits` bits are >= b (2^bits + 1 slots).
 */
typedef struct digest_table {
	uint64_t *keys;
	uint32_t *refs;
	uint32_t *dir;
	unsigned bits;
	size_t count;
} digest_table;

struct rq_hashidx {
	const rq_hashsig *sigs;
	digest_table tables[DIGEST_KINDS];
	/* size -> mask, linear probing; RQ_SIZE_ANY marks a free slot (such
	 * entries are folded into any_mask instead). */
	uint64_t *size_keys;
	uint8_t *size_masks;
	unsigned size_bits;
	unsigned any_mask;
	size_t count;
};

/* Slot of the table for each RQ_DIGEST_* flag, or -1. */
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

static size_t bucket_of(uint64_t key, unsigned bits)
{
	return bits ? (size_t)(key >> (64 - bits)) : 0;
}

static size_t size_slot(uint64_t size, unsigned bits)
{
	return (size_t)((size * UINT64_C(0x9E3779B97F4A7C15)) >> (64 - bits));
}

typedef struct sort_entry {
	uint64_t key;
	uint32_t ref;
} sort_entry;

/* Order by whole digest, then size, then input position (so the first one loaded is kept). */
static int cmp_entries(const void *pa, const void *pb, void *payload)
{
	const sort_entry *a = pa, *b = pb;
	const rq_hashsig *sigs = payload;
	if (a->key != b->key)
		return a->key < b->key ? -1 : 1;
	const rq_hashsig *sa = &sigs[a->ref], *sb = &sigs[b->ref];
	int c = memcmp(sa->digest + 8, sb->digest + 8, rq_digest_len(sa->digest_type) - 8);
	if (c)
		return c;
	if (sa->size != sb->size)
		return sa->size < sb->size ? -1 : 1;
	return a->ref < b->ref ? -1 : a->ref > b->ref;
}

static int same_entry(const rq_hashsig *a, const rq_hashsig *b)
{
	return a->size == b->size && !memcmp(a->digest, b->digest, rq_digest_len(a->digest_type));
}

/* Build the table of one digest kind from the `n` entries of that kind. */
static int build_table(digest_table *t, const rq_hashsig *sigs, size_t count,
		       unsigned digest_type, size_t n)
{
	int rc = 0;
	sort_entry *tmp = NULL;
	if (!n)
		goto done;
	tmp = malloc(n * sizeof(*tmp));
	if (!tmp) {
		rc = rq_fail(RQ_ENOMEM, "hash index: out of memory");
		goto done;
	}
	size_t m = 0;
	for (size_t i = 0; i < count; i++)
		if (sigs[i].digest_type == digest_type)
			tmp[m++] = (sort_entry){ load_be64(sigs[i].digest), (uint32_t)i };
	qsort_r(tmp, n, sizeof(*tmp), cmp_entries, (void *)sigs);

	size_t kept = 0;
	for (size_t i = 0; i < n; i++)
		if (!kept || !same_entry(&sigs[tmp[kept - 1].ref], &sigs[tmp[i].ref]))
			tmp[kept++] = tmp[i];

	unsigned bits = 0;
	while (bits < MAX_DIR_BITS && ((size_t)2 << bits) <= kept)
		bits++;
	size_t buckets = (size_t)1 << bits;
	t->keys = malloc(kept * sizeof(*t->keys));
	t->refs = malloc(kept * sizeof(*t->refs));
	t->dir = malloc((buckets + 1) * sizeof(*t->dir));
	if (!t->keys || !t->refs || !t->dir) {
		rc = rq_fail(RQ_ENOMEM, "hash index: out of memory");
		goto done;
	}
	size_t pos = 0;
	for (size_t b = 0; b < buckets; b++) {
		while (pos < kept && bucket_of(tmp[pos].key, bits) < b)
			pos++;
		t->dir[b] = (uint32_t)pos;
	}
	t->dir[buckets] = (uint32_t)kept;
	for (size_t i = 0; i < kept; i++) {
		t->keys[i] = tmp[i].key;
		t->refs[i] = tmp[i].ref;
	}
	t->bits = bits;
	t->count = kept;
done:
	free(tmp);
	return rc;
}

/* The size -> mask table over the kept entries of every kind. */
static int build_sizes(rq_hashidx *idx)
{
	size_t sized = 0;
	for (int k = 0; k < DIGEST_KINDS; k++)
		for (size_t i = 0; i < idx->tables[k].count; i++)
			if (idx->sigs[idx->tables[k].refs[i]].size != RQ_SIZE_ANY)
				sized++;
	/* At most half full, so a probe ends after ~1.5 slots on average. */
	unsigned bits = 4;
	while (((size_t)1 << bits) < 2 * sized) {
		if (bits >= 8 * sizeof(size_t) - 2)
			return rq_fail(RQ_ELIMIT, "hash index: too many entries");
		bits++;
	}
	size_t cap = (size_t)1 << bits;
	idx->size_keys = malloc(cap * sizeof(*idx->size_keys));
	idx->size_masks = calloc(cap, 1);
	if (!idx->size_keys || !idx->size_masks)
		return rq_fail(RQ_ENOMEM, "hash index: out of memory");
	memset(idx->size_keys, 0xff, cap * sizeof(*idx->size_keys)); /* all RQ_SIZE_ANY: free */
	idx->size_bits = bits;
	for (int k = 0; k < DIGEST_KINDS; k++) {
		const digest_table *t = &idx->tables[k];
		for (size_t i = 0; i < t->count; i++) {
			const rq_hashsig *s = &idx->sigs[t->refs[i]];
			if (s->size == RQ_SIZE_ANY) {
				idx->any_mask |= s->digest_type;
				continue;
			}
			size_t slot = size_slot(s->size, bits);
			while (idx->size_keys[slot] != RQ_SIZE_ANY && idx->size_keys[slot] != s->size)
				slot = (slot + 1) & (cap - 1);
			idx->size_keys[slot] = s->size;
			idx->size_masks[slot] |= s->digest_type;
		}
	}
	return 0;
}

int rq_hashidx_build(rq_hashidx **out, const rq_hashsig *sigs, size_t count)
{
	int rc = 0;
	size_t per_kind[DIGEST_KINDS] = { 0 };
	rq_hashidx *idx = NULL;
	*out = NULL;
	if (count > UINT32_MAX) {
		rc = rq_fail(RQ_ELIMIT, "hash index: %zu entries, at most %u", count, UINT32_MAX);
		goto done;
	}
	for (size_t i = 0; i < count; i++) {
		int k = kind_slot(sigs[i].digest_type);
		if (k < 0) {
			rc = rq_fail(RQ_EINVAL, "hash index: entry %zu has digest type %u", i,
				     sigs[i].digest_type);
			goto done;
		}
		per_kind[k]++;
	}
	idx = calloc(1, sizeof(*idx));
	if (!idx) {
		rc = rq_fail(RQ_ENOMEM, "hash index: out of memory");
		goto done;
	}
	idx->sigs = sigs;
	static const unsigned kinds[DIGEST_KINDS] = { RQ_DIGEST_MD5, RQ_DIGEST_SHA1, RQ_DIGEST_SHA256 };
	for (int k = 0; k < DIGEST_KINDS; k++) {
		rc = build_table(&idx->tables[k], sigs, count, kinds[k], per_kind[k]);
		if (rc)
			goto done;
		idx->count += idx->tables[k].count;
	}
	rc = build_sizes(idx);
	if (rc)
		goto done;
	*out = idx;
	idx = NULL;
done:
	rq_hashidx_free(idx);
	return rc;
}

void rq_hashidx_free(rq_hashidx *idx)
{
	if (!idx)
		return;
	for (int k = 0; k < DIGEST_KINDS; k++) {
		free(idx->tables[k].keys);
		free(idx->tables[k].refs);
		free(idx->tables[k].dir);
	}
	free(idx->size_keys);
	free(idx->size_masks);
	free(idx);
}

size_t rq_hashidx_count(const rq_hashidx *idx)
{
	return idx ? idx->count : 0;
}

unsigned rq_hashidx_needs(const rq_hashidx *idx, uint64_t size)
{
	if (!idx || !idx->size_keys)
		return 0;
	unsigned mask = idx->any_mask;
	size_t cap_mask = ((size_t)1 << idx->size_bits) - 1;
	size_t slot = size_slot(size, idx->size_bits);
	while (idx->size_keys[slot] != RQ_SIZE_ANY) {
		if (idx->size_keys[slot] == size) {
			mask |= idx->size_masks[slot];
			break;
		}
		slot = (slot + 1) & cap_mask;
	}
	return mask;
}

const rq_hashsig *rq_hashidx_find(const rq_hashidx *idx, unsigned digest_type,
				  const uint8_t *digest, uint64_t size)
{
	int k = kind_slot(digest_type);
	if (!idx || k < 0 || !digest || !idx->tables[k].count)
		return NULL;
	const digest_table *t = &idx->tables[k];
	size_t tail = rq_digest_len(digest_type) - 8;
	uint64_t key = load_be64(digest);
	size_t b = bucket_of(key, t->bits);
	for (size_t i = t->dir[b]; i < t->dir[b + 1] && t->keys[i] <= key; i++) {
		if (t->keys[i] != key)
			continue;
		const rq_hashsig *s = &idx->sigs[t->refs[i]];
		/* Same digest: exact sizes sort before RQ_SIZE_ANY, so the exact entry wins. */
		if ((s->size == size || s->size == RQ_SIZE_ANY) &&
		    !memcmp(s->digest + 8, digest + 8, tail))
			return s;
	}
	return NULL;
}
