/*
 * Tests of the size-indexed hash index (lib/match/hashidx.c): many random
 * entries checked against a brute-force reference (lookups and digest
 * masks), RQ_SIZE_ANY, duplicates, shared digest prefixes and emptiness --
 * each on the index as built and on its saved form used in place (as from
 * a mapped .rqdb), plus damaged saved forms.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "match/hashidx.h"

static uint64_t rng_state = 0x12345678abcdefULL;

static uint64_t rng(void)
{
	/* xorshift64*: deterministic, fast, good enough for test data. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1DULL;
}

/* The index under test: built (mode 0) or built, saved and viewed (mode 1). */
typedef struct subject {
	rq_hashidx *built, *idx;
	rq_binbuf saved;
} subject;

static rq_hashidx *make(subject *t, const rq_hashsig *sigs, size_t n, int mode)
{
	memset(t, 0, sizeof(*t));
	assert_int_equal(rq_hashidx_build(&t->built, sigs, n), 0);
	t->idx = t->built;
	if (mode) {
		assert_int_equal(rq_hashidx_save(t->built, &t->saved), 0);
		assert_int_equal(rq_hashidx_view(&t->idx, t->saved.p, t->saved.len), 0);
		/* the view must not depend on the built index */
		rq_hashidx_free(t->built);
		t->built = NULL;
	}
	return t->idx;
}

static void drop(subject *t)
{
	if (t->idx != t->built)
		rq_hashidx_free(t->idx);
	rq_hashidx_free(t->built);
	rq_bin_free(&t->saved);
}

/* Name of the entry found (valid until the next call), or NULL. */
static const char *found(const rq_hashidx *idx, unsigned type, const uint8_t *d, uint64_t size)
{
	static rq_hashhit hit;
	return rq_hashidx_find(idx, type, d, size, &hit) ? hit.name : NULL;
}

static const unsigned kinds[3] = { RQ_DIGEST_MD5, RQ_DIGEST_SHA1, RQ_DIGEST_SHA256 };

static void random_digest(uint8_t d[32])
{
	for (int i = 0; i < 32; i += 8) {
		uint64_t v = rng();
		memcpy(d + i, &v, 8);
	}
}

/* The entry the index should return: first loaded with the exact size, else first with ANY. */
static const rq_hashsig *reference_find(const rq_hashsig *sigs, size_t n, unsigned type,
					const uint8_t *digest, uint64_t size)
{
	const rq_hashsig *any = NULL;
	for (size_t i = 0; i < n; i++) {
		const rq_hashsig *s = &sigs[i];
		if (s->digest_type != type || memcmp(s->digest, digest, rq_digest_len(type)))
			continue;
		if (s->size == size)
			return s;
		if (s->size == RQ_SIZE_ANY && !any)
			any = s;
	}
	return any;
}

static unsigned reference_needs(const rq_hashsig *sigs, size_t n, uint64_t size)
{
	unsigned mask = 0;
	for (size_t i = 0; i < n; i++)
		if (sigs[i].size == size || sigs[i].size == RQ_SIZE_ANY)
			mask |= sigs[i].digest_type;
	return mask;
}

static int cmp_entry(const void *pa, const void *pb)
{
	const rq_hashsig *a = pa, *b = pb;
	if (a->digest_type != b->digest_type)
		return a->digest_type < b->digest_type ? -1 : 1;
	if (a->size != b->size)
		return a->size < b->size ? -1 : 1;
	return memcmp(a->digest, b->digest, 32);
}

static void random_vs_reference(int mode)
{
	enum { N = 20000, POOL = 4000, MAX_SIZE = 500 };
	static char names[N][12];
	rq_hashsig *sigs = calloc(N, sizeof(*sigs));
	uint8_t (*pool)[32] = malloc(POOL * sizeof(*pool));
	assert_non_null(sigs);
	assert_non_null(pool);
	for (size_t i = 0; i < POOL; i++)
		random_digest(pool[i]);
	for (size_t i = 0; i < N; i++) {
		rq_hashsig *s = &sigs[i];
		/* A small pool of digests gives duplicates and one digest under several sizes. */
		memcpy(s->digest, pool[rng() % POOL], 32);
		s->digest_type = (uint8_t)kinds[rng() % 3];
		/* Only sizes in the lower half; kind SHA-1 only on even sizes. */
		s->size = rng() % 50 == 0 ? RQ_SIZE_ANY : rng() % (MAX_SIZE / 2);
		if (s->digest_type == RQ_DIGEST_SHA1 && s->size != RQ_SIZE_ANY)
			s->size &= ~1ULL;
		if (s->digest_type == RQ_DIGEST_SHA1 && s->size == RQ_SIZE_ANY)
			s->digest_type = RQ_DIGEST_MD5;
		s->sig_type = RQ_SIG_MD5;
		snprintf(names[i], sizeof(names[i]), "n%zu", i);
		s->name = names[i];
		s->source = i % 2 ? "s1" : "s2";
	}
	subject t;
	rq_hashidx *idx = make(&t, sigs, N, mode);
	assert_non_null(idx);

	/* count: distinct (kind, digest, size). */
	rq_hashsig *sorted = malloc(N * sizeof(*sorted));
	assert_non_null(sorted);
	memcpy(sorted, sigs, N * sizeof(*sorted));
	qsort(sorted, N, sizeof(*sorted), cmp_entry);
	size_t distinct = 0;
	for (size_t i = 0; i < N; i++)
		distinct += !i || cmp_entry(&sorted[i - 1], &sorted[i]) != 0;
	free(sorted);
	assert_int_equal(rq_hashidx_count(idx), distinct);
	assert_true(distinct < N);

	/* the size filter never misses a needed digest and rarely adds one */
	unsigned extra = 0;
	for (uint64_t size = 0; size < MAX_SIZE; size++) {
		unsigned want = reference_needs(sigs, N, size), got = rq_hashidx_needs(idx, size);
		assert_int_equal(got & want, want);
		extra += (got & ~want) != 0;
		if (size >= MAX_SIZE / 2)
			assert_int_equal(want, RQ_DIGEST_MD5 | RQ_DIGEST_SHA256); /* from ANY only */
	}
	assert_true(extra < MAX_SIZE / 5);
	assert_int_equal(rq_hashidx_needs(idx, 1ULL << 40), RQ_DIGEST_MD5 | RQ_DIGEST_SHA256);

	for (int q = 0; q < 4000; q++) {
		unsigned type = kinds[rng() % 3];
		uint8_t digest[32];
		if (q % 4 == 3)
			random_digest(digest); /* almost surely absent */
		else
			memcpy(digest, pool[rng() % POOL], 32);
		uint64_t size = q % 2 ? rng() % MAX_SIZE : sigs[rng() % N].size;
		if (q % 8 == 0) { /* an entry as loaded */
			const rq_hashsig *e = &sigs[rng() % N];
			type = e->digest_type;
			memcpy(digest, e->digest, 32);
			size = e->size == RQ_SIZE_ANY ? rng() % MAX_SIZE : e->size;
		}
		const rq_hashsig *want = reference_find(sigs, N, type, digest, size);
		rq_hashhit hit;
		int got = rq_hashidx_find(idx, type, digest, size, &hit);
		assert_int_equal(got, want != NULL);
		if (want) {
			assert_string_equal(hit.name, want->name);
			assert_string_equal(hit.source, want->source);
		}
		if (q % 8 == 0)
			assert_true(got);
	}
	drop(&t);
	free(pool);
	free(sigs);
}

static void test_random_vs_reference(void **state)
{
	random_vs_reference(0);
	random_vs_reference(1);
}

static void test_any_size_and_duplicates(void **state)
{
	rq_hashsig sigs[6];
	memset(sigs, 0, sizeof(sigs));
	for (int i = 0; i < 6; i++) {
		memset(sigs[i].digest, 0xab, 32);
		sigs[i].digest_type = RQ_DIGEST_SHA256;
	}
	sigs[0].size = 100; sigs[0].name = "first-100";
	sigs[1].size = 100; sigs[1].name = "dup-100";
	sigs[2].size = RQ_SIZE_ANY; sigs[2].name = "first-any";
	sigs[3].size = RQ_SIZE_ANY; sigs[3].name = "dup-any";
	sigs[4].size = 7; sigs[4].name = "seven";
	/* Same bytes as MD5: another kind, another entry. */
	sigs[5].digest_type = RQ_DIGEST_MD5; sigs[5].size = 100; sigs[5].name = "md5";

	for (int mode = 0; mode < 2; mode++) {
		subject t;
		rq_hashidx *idx = make(&t, sigs, 6, mode);
		assert_int_equal(rq_hashidx_count(idx), 4);
		uint8_t d[32];
		memset(d, 0xab, 32);
		assert_string_equal(found(idx, RQ_DIGEST_SHA256, d, 100), "first-100");
		assert_string_equal(found(idx, RQ_DIGEST_SHA256, d, 7), "seven");
		assert_string_equal(found(idx, RQ_DIGEST_SHA256, d, 0), "first-any");
		assert_string_equal(found(idx, RQ_DIGEST_SHA256, d, 1ULL << 50), "first-any");
		assert_string_equal(found(idx, RQ_DIGEST_MD5, d, 100), "md5");
		assert_null(found(idx, RQ_DIGEST_MD5, d, 101));
		assert_null(found(idx, RQ_DIGEST_SHA1, d, 100));
		assert_null(found(idx, 8, d, 100));
		assert_int_equal(rq_hashidx_needs(idx, 100), RQ_DIGEST_SHA256 | RQ_DIGEST_MD5);
		assert_int_equal(rq_hashidx_needs(idx, 5), RQ_DIGEST_SHA256);
		d[31] ^= 1;
		assert_null(found(idx, RQ_DIGEST_SHA256, d, 100));
		/* entries listed in index order: MD5 first */
		rq_hashsig e;
		rq_hashhit names;
		assert_true(rq_hashidx_entry(idx, 0, &e, &names));
		assert_string_equal(e.name, "md5");
		assert_int_equal(e.digest_type, RQ_DIGEST_MD5);
		assert_true(rq_hashidx_entry(idx, 3, &e, &names));
		assert_string_equal(e.name, "first-any");
		assert_false(rq_hashidx_entry(idx, 4, &e, &names));
		drop(&t);
	}
}

/* Digests equal in their first 8 bytes (the index key) must still be told apart. */
static void test_shared_prefix(void **state)
{
	enum { N = 64 };
	rq_hashsig sigs[N];
	char names[N][8];
	memset(sigs, 0, sizeof(sigs));
	for (int i = 0; i < N; i++) {
		memset(sigs[i].digest, 0x5a, 8);
		sigs[i].digest[19] = (uint8_t)i;
		sigs[i].digest_type = RQ_DIGEST_SHA1;
		sigs[i].size = (uint64_t)i;
		snprintf(names[i], sizeof(names[i]), "p%d", i);
		sigs[i].name = names[i];
	}
	for (int mode = 0; mode < 2; mode++) {
		subject t;
		rq_hashidx *idx = make(&t, sigs, N, mode);
		assert_int_equal(rq_hashidx_count(idx), N);
		for (int i = 0; i < N; i++) {
			assert_string_equal(found(idx, RQ_DIGEST_SHA1, sigs[i].digest, (uint64_t)i),
					    names[i]);
			assert_null(found(idx, RQ_DIGEST_SHA1, sigs[i].digest, (uint64_t)i + 1));
			assert_int_equal(rq_hashidx_needs(idx, (uint64_t)i), RQ_DIGEST_SHA1);
		}
		assert_int_equal(rq_hashidx_needs(idx, N), 0);
		drop(&t);
	}
}

static void test_empty_and_invalid(void **state)
{
	rq_hashidx *idx = NULL;
	uint8_t d[32] = { 0 };
	assert_int_equal(rq_hashidx_build(&idx, NULL, 0), 0);
	assert_non_null(idx);
	assert_int_equal(rq_hashidx_count(idx), 0);
	assert_int_equal(rq_hashidx_needs(idx, 0), 0);
	assert_int_equal(rq_hashidx_needs(idx, 68), 0);
	assert_false(rq_hashidx_find(idx, RQ_DIGEST_MD5, d, 0, NULL));
	rq_hashidx_free(idx);
	rq_hashidx_free(NULL);
	subject t;
	idx = make(&t, NULL, 0, 1);
	assert_int_equal(rq_hashidx_count(idx), 0);
	assert_int_equal(rq_hashidx_needs(idx, 68), 0);
	assert_false(rq_hashidx_find(idx, RQ_DIGEST_MD5, d, 0, NULL));
	drop(&t);

	rq_hashsig bad;
	memset(&bad, 0, sizeof(bad));
	bad.digest_type = 3; /* two flags at once */
	idx = (rq_hashidx *)&bad;
	assert_int_equal(rq_hashidx_build(&idx, &bad, 1), RQ_EINVAL);
	assert_null(idx);
}

/* Many entries: checks the directory at larger sizes and that building stays fast. */
static void test_large(void **state)
{
	enum { N = 300000 };
	rq_hashsig *sigs = calloc(N, sizeof(*sigs));
	assert_non_null(sigs);
	for (size_t i = 0; i < N; i++) {
		random_digest(sigs[i].digest);
		sigs[i].digest_type = i % 2 ? RQ_DIGEST_MD5 : RQ_DIGEST_SHA256;
		sigs[i].size = 1000 + rng() % 100000;
	}
	for (size_t i = 0; i < N; i++)
		sigs[i].name = i % 3 ? "odd" : "third";
	for (int mode = 0; mode < 2; mode++) {
		subject t;
		rq_hashidx *idx = make(&t, sigs, N, mode);
		assert_int_equal(rq_hashidx_count(idx), N);
		for (size_t i = 0; i < N; i += 7) {
			assert_string_equal(found(idx, sigs[i].digest_type, sigs[i].digest, sigs[i].size),
					    sigs[i].name);
			assert_true(rq_hashidx_needs(idx, sigs[i].size) & sigs[i].digest_type);
		}
		assert_int_equal(rq_hashidx_needs(idx, 999), 0);
		uint8_t d[32];
		for (int i = 0; i < 1000; i++) {
			random_digest(d);
			assert_null(found(idx, RQ_DIGEST_MD5, d, 5000));
		}
		drop(&t);
	}
	free(sigs);
}

/* A saved index cut short, or with a lying header, is refused, never read past its end. */
static void test_damaged_saved(void **state)
{
	rq_hashsig sigs[40];
	memset(sigs, 0, sizeof(sigs));
	for (int i = 0; i < 40; i++) {
		random_digest(sigs[i].digest);
		sigs[i].digest_type = (uint8_t)kinds[i % 3];
		sigs[i].size = (uint64_t)i * 10;
		sigs[i].name = "x";
		sigs[i].source = "src";
	}
	subject t;
	make(&t, sigs, 40, 1);
	for (size_t cut = 0; cut < t.saved.len; cut += 8) {
		uint8_t *copy = malloc(cut ? cut : 8);
		assert_non_null(copy);
		memcpy(copy, t.saved.p, cut);
		rq_hashidx *v = NULL;
		assert_int_equal(rq_hashidx_view(&v, copy, cut), RQ_EPARSE);
		assert_null(v);
		free(copy);
	}
	/* counts in the header far beyond the data */
	for (size_t off = 8; off < 80; off += 8) {
		uint8_t *copy = malloc(t.saved.len);
		assert_non_null(copy);
		memcpy(copy, t.saved.p, t.saved.len);
		copy[off + 5] ^= 0x40;
		rq_hashidx *v = NULL;
		int rc = rq_hashidx_view(&v, copy, t.saved.len);
		if (rc == 0) { /* a changed field that still fits: look-ups stay in bounds */
			uint8_t d[32] = { 0 };
			for (uint64_t sz = 0; sz < 400; sz += 10)
				(void)rq_hashidx_find(v, RQ_DIGEST_MD5, d, sz, NULL);
			rq_hashidx_free(v);
		} else {
			assert_int_equal(rc, RQ_EPARSE);
		}
		free(copy);
	}
	drop(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_vs_reference),
		cmocka_unit_test(test_any_size_and_duplicates),
		cmocka_unit_test(test_shared_prefix),
		cmocka_unit_test(test_empty_and_invalid),
		cmocka_unit_test(test_damaged_saved),
		cmocka_unit_test(test_large),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
