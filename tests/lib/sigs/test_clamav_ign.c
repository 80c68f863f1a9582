/*
 * Tests of the ClamAV ignore-list loader (lib/sigs/clamav_ign.c): .ign2
 * names with and without their MD5, old .ign three-field lines, malformed
 * lines with their numbers, strict mode and garbage.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/limits.h"
#include "sigs/sigset.h"


static int load(rq_sigset *set, const char *ext, const char *text)
{
	char name[32];
	snprintf(name, sizeof(name), "t.%s", ext);
	return rq_load_clamav_ign(set, name, ext, (const uint8_t *)text, strlen(text));
}

static void test_ign2(void **state)
{
	rq_sigset set;
	rq_test_warnings w;
	rq_test_sigset_init(&set, &w, 0);
	const char *text = "Win.Trojan.Agent-1\n"
			   "# comment\n"
			   "\n"
			   "  Spaced.Name \r\n"
			   "With.Md5:44d88612fea8a8f36de82e1278abb02f\n"
			   "main.ndb:1234:Old.Style";
	assert_int_equal(load(&set, "ign2", text), 0);
	assert_int_equal(w.count, 0);
	assert_int_equal(set.ignored_count, 4);
	assert_string_equal(set.ignored[0], "Win.Trojan.Agent-1");
	assert_string_equal(set.ignored[1], "Spaced.Name");
	assert_string_equal(set.ignored[2], "With.Md5");
	assert_string_equal(set.ignored[3], "Old.Style");
	assert_int_equal(set.stats.malformed, 0);
	rq_sigset_sort_ignored(&set);
	assert_true(rq_sigset_is_ignored(&set, "With.Md5"));
	assert_true(rq_sigset_is_ignored(&set, "Spaced.Name"));
	assert_false(rq_sigset_is_ignored(&set, "Unknown"));
	rq_sigset_free(&set);
}

static void test_ign_old(void **state)
{
	rq_sigset set;
	rq_test_warnings w;
	rq_test_sigset_init(&set, &w, 0);
	const char *text = "daily.ndb:1042:Html.Exploit.X\n"
			   "main.hdb:7:Win.Worm.Y\n"
			   "Plain.Name\n";
	assert_int_equal(load(&set, "ign", text), 0);
	assert_int_equal(w.count, 0);
	assert_int_equal(set.ignored_count, 3);
	assert_string_equal(set.ignored[0], "Html.Exploit.X");
	assert_string_equal(set.ignored[1], "Win.Worm.Y");
	assert_string_equal(set.ignored[2], "Plain.Name");
	rq_sigset_free(&set);
}

static void test_bad_lines(void **state)
{
	rq_sigset set;
	rq_test_warnings w;
	rq_test_sigset_init(&set, &w, 0);
	char long_name[RQ_MAX_SIG_NAME + 2];
	memset(long_name, 'N', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	char *text = NULL;
	int n = asprintf(&text,
			 "Good\n"                      /* 1 */
			 "Name:nothex\n"               /* 2 bad md5 */
			 "Name:\n"                     /* 3 empty md5 */
			 "db:x12:Name\n"               /* 4 bad line number */
			 "db:12:\n"                    /* 5 empty name */
			 "a:1:b:c\n"                   /* 6 too many fields */
			 ":44d88612fea8a8f36de82e1278abb02f\n" /* 7 empty name */
			 "%s\n"                        /* 8 too long */
			 "Ctl\x01Name\n"               /* 9 control byte */
			 "Good.Too\n",                 /* 10 */
			 long_name);
	assert_true(n > 0);
	assert_int_equal(load(&set, "ign2", text), 0);
	assert_int_equal(set.ignored_count, 2);
	assert_string_equal(set.ignored[1], "Good.Too");
	assert_int_equal(w.count, 8);
	assert_int_equal(set.stats.malformed, 8);
	for (unsigned i = 0; i < 8; i++)
		assert_int_equal(w.lines[i], i + 2);
	assert_non_null(strstr(w.msgs[0], "t.ign2:2: bad signature MD5 'nothex'"));
	assert_non_null(strstr(w.msgs[2], "bad line number 'x12'"));
	assert_non_null(strstr(w.msgs[7], "Ctl\\x01Name"));
	free(text);

	/* NUL bytes inside a name. */
	static const char nul[] = "Na\0me\nOk\n";
	assert_int_equal(rq_load_clamav_ign(&set, "n.ign2", "ign2", (const uint8_t *)nul,
					    sizeof(nul) - 1), 0);
	assert_int_equal(set.ignored_count, 3);
	assert_string_equal(set.ignored[2], "Ok");
	assert_int_equal(w.lines[8], 1);
	rq_sigset_free(&set);
}

static void test_strict_and_ext(void **state)
{
	rq_sigset set;
	rq_test_warnings w;
	rq_test_sigset_init(&set, &w, 1);
	assert_int_equal(load(&set, "ign2", "A\nB:zz\nC\n"), RQ_EPARSE);
	assert_non_null(strstr(rq_error_last(), "t.ign2:2:"));
	assert_int_equal(set.ignored_count, 1);
	assert_int_equal(load(&set, "hdb", "A\n"), RQ_EINVAL);
	rq_sigset_free(&set);
}

static void test_garbage(void **state)
{
	rq_sigset set;
	rq_test_warnings w;
	rq_test_sigset_init(&set, &w, 0);
	uint8_t buf[2048];
	srand(777);
	for (int round = 0; round < 200; round++) {
		size_t len = (size_t)(rand() % (int)sizeof(buf));
		for (size_t i = 0; i < len; i++)
			buf[i] = round % 2 ? (uint8_t)rand() : (uint8_t)":a1\n\0#"[rand() % 6];
		assert_int_equal(rq_load_clamav_ign(&set, "r.ign", "ign", buf, len), 0);
	}
	for (size_t i = 0; i < set.ignored_count; i++) {
		size_t len = strlen(set.ignored[i]);
		assert_true(len >= 1 && len <= RQ_MAX_SIG_NAME);
		assert_null(strchr(set.ignored[i], ':'));
	}
	assert_int_equal(rq_load_clamav_ign(&set, "e.ign", "ign", NULL, 0), 0);
	rq_sigset_free(&set);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ign2),
		cmocka_unit_test(test_ign_old),
		cmocka_unit_test(test_bad_lines),
		cmocka_unit_test(test_strict_and_ext),
		cmocka_unit_test(test_garbage),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
