/*
 * Tests of the key files raquet-server hands to agents (lib/db/keyfiles.c):
 * which names an agent writes, and the digest of a set -- known vectors,
 * independent of the order the files are given in.
 */
#include <string.h>

#include "testutil.h"
#include "db/keyfiles.h"

static void test_names(void **state)
{
	static const char *const good[] = { "province.pub", "province-2026.pub", "a.pub", "Key_1.v2.pub" };
	static const char *const bad[] = { "../x.pub", "a/b.pub", ".hidden.pub", ".pub", "pub", "x.pem", "x.pub ",
					   "pro vince.pub", "x.pub/", "t\nx.pub", "\xc3\xa9.pub", "" };
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (!rq_keyfile_name_ok(good[i]))
			fail_msg("refused: %s", good[i]);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (rq_keyfile_name_ok(bad[i]))
			fail_msg("accepted: %s", bad[i]);
	char longest[RQ_KEYFILE_MAX_NAME + 2];
	memset(longest, 'k', sizeof(longest));
	memcpy(longest + RQ_KEYFILE_MAX_NAME - 4, ".pub", 5);
	assert_true(rq_keyfile_name_ok(longest));
	memset(longest, 'k', sizeof(longest));
	memcpy(longest + RQ_KEYFILE_MAX_NAME - 3, ".pub", 5);
	assert_false(rq_keyfile_name_ok(longest));
}

static void test_digest(void **state)
{
	char out[RQ_KEYFILES_DIGEST_HEX + 1];
	const char *names[] = { "b.pub", "a.pub" }, *texts[] = { "YY", "X" };
	size_t lens[] = { 2, 1 };
	/* nothing: SHA-256 of no bytes */
	assert_int_equal(rq_keyfiles_digest(out, NULL, NULL, NULL, 0), 0);
	assert_string_equal(out, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	/* SHA-256 of "a.pub", NUL, "X", NUL */
	assert_int_equal(rq_keyfiles_digest(out, names + 1, texts + 1, lens + 1, 1), 0);
	assert_string_equal(out, "f72bc9c2f8c3ce2cde4724987a8984b77ea534a4f5398707e19dc282209a7f26");
	/* then "b.pub", NUL, "YY", NUL: whatever order they come in */
	assert_int_equal(rq_keyfiles_digest(out, names, texts, lens, 2), 0);
	assert_string_equal(out, "2d952dafcd53cba52289c096c02ebd41c2151a73b3b63d77e8de68e34b569866");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_digest),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
