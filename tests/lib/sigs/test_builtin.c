/*
 * Tests of the built-in EICAR signature (lib/sigs/builtin.c): the
 * hard-coded digests are recomputed here from the EICAR string with
 * OpenSSL, and the entries are found through a hash index.
 */
#include "testutil.h"

#include <openssl/evp.h>
#include <string.h>

#include "match/hashidx.h"
#include "sigs/sigset.h"

static void digest_of(const EVP_MD *md, const char *data, size_t len, uint8_t out[32])
{
	unsigned int n = 0;
	assert_int_equal(EVP_Digest(data, len, out, &n, md, NULL), 1);
}

static void test_eicar_entries(void **state)
{
	rq_sigset set;
	rq_sigset_init(&set, NULL);
	assert_int_equal(rq_load_builtin(&set), 0);
	assert_int_equal(set.hash_count, 6);
	assert_int_equal(set.stats.by_type[RQ_SIG_BUILTIN], 6);
	assert_int_equal(strlen(rq_test_eicar), 68);

	rq_hashidx *idx = NULL;
	assert_int_equal(rq_hashidx_build(&idx, set.hashes, set.hash_count), 0);
	assert_int_equal(rq_hashidx_count(idx), 6);

	static const char *const tails[] = { "", "\n", "\r\n" };
	for (int t = 0; t < 3; t++) {
		char buf[80];
		size_t len = (size_t)snprintf(buf, sizeof(buf), "%s%s", rq_test_eicar, tails[t]);
		assert_int_equal(len, 68 + (size_t)t);
		assert_int_equal(rq_hashidx_needs(idx, len), RQ_DIGEST_MD5 | RQ_DIGEST_SHA256);

		uint8_t md5[32] = { 0 }, sha256[32] = { 0 };
		digest_of(EVP_md5(), buf, len, md5);
		digest_of(EVP_sha256(), buf, len, sha256);
		rq_hashhit a, b;
		assert_true(rq_hashidx_find(idx, RQ_DIGEST_MD5, md5, len, &a));
		assert_true(rq_hashidx_find(idx, RQ_DIGEST_SHA256, sha256, len, &b));
		assert_string_equal(a.name, "Eicar-Test-Signature");
		assert_string_equal(b.name, "Eicar-Test-Signature");
		assert_string_equal(a.source, "builtin");
		assert_int_equal(a.sig_type, RQ_SIG_BUILTIN);
		assert_int_equal(b.sig_type, RQ_SIG_BUILTIN);
		/* Only the exact size matches. */
		assert_false(rq_hashidx_find(idx, RQ_DIGEST_MD5, md5, len + 1, NULL));
	}
	assert_int_equal(rq_hashidx_needs(idx, 71), 0);
	rq_hashidx_free(idx);
	rq_sigset_free(&set);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_eicar_entries),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
