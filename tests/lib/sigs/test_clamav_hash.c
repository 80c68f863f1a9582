/*
 * Tests of the ClamAV hash-signature loader (lib/sigs/clamav_hash.c):
 * .hdb/.hsb detections, .fp/.sfp allow-lists, functionality levels, every
 * kind of malformed line with its line number, strict mode and garbage.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/limits.h"
#include "sigs/sigset.h"

#define MD5_A "44d88612fea8a8f36de82e1278abb02f"
#define SHA1_A "3395856ce81f2b7382dee72602f798b642f14140"
#define SHA256_A "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f"


static int load(rq_sigset *set, const char *ext, const char *text)
{
	char name[32];
	snprintf(name, sizeof(name), "t.%s", ext);
	return rq_load_clamav_hash(set, name, ext, (const uint8_t *)text, strlen(text));
}

static void assert_digest(const rq_hashsig *s, const char *hex)
{
	uint8_t want[32] = { 0 };
	size_t n = strlen(hex) / 2;
	assert_int_equal(rq_hex_decode(want, hex, n), 0);
	assert_int_equal(rq_digest_len(s->digest_type), n);
	assert_memory_equal(s->digest, want, n);
}

static void test_hdb_good(void **state)
{
	rq_sigset set;
	rq_test_warnings w;
	rq_test_sigset_init(&set, &w, 0);
	const char *text = "# a comment\n"
			   MD5_A ":68:Eicar.One\n"
			   "\n"
			   "44D88612FEA8A8F36DE82E1278ABB02F:0:Upper.Case\r\n"
			   "  " MD5_A ":18446744073709551614:Big.Size  \n"
			   MD5_A ":*:Any.Size:73\n"
			   MD5_A ":12:Old.Level:51:\n"
			   MD5_A ":13:Level.Range:100:300"; /* no final newline */
	assert_int_equal(load(&set, "hdb", text), 0);
	assert_int_equal(w.count, 0);
	assert_int_equal(set.hash_count, 6);
	assert_int_equal(set.allow_count, 0);
	assert_int_equal(set.stats.by_type[RQ_SIG_MD5], 6);
	assert_int_equal(set.stats.malformed, 0);

	const rq_hashsig *s = &set.hashes[0];
	assert_digest(s, MD5_A);
	assert_int_equal(s->digest_type, RQ_DIGEST_MD5);
	assert_int_equal(s->sig_type, RQ_SIG_MD5);
	assert_int_equal(s->size, 68);
	assert_string_equal(s->name, "Eicar.One");
	assert_string_equal(s->source, "t.hdb");
	assert_digest(&set.hashes[1], MD5_A);
	assert_int_equal(set.hashes[1].size, 0);
	assert_string_equal(set.hashes[1].name, "Upper.Case");
	assert_true(set.hashes[2].size == UINT64_MAX - 1);
	assert_true(set.hashes[3].size == RQ_SIZE_ANY);
	assert_string_equal(set.hashes[3].name, "Any.Size");
	assert_string_equal(set.hashes[5].name, "Level.Range");
	rq_sigset_free(&set);
}

static void test_hsb_kinds(void **state)
{
	rq_sigset set;
	rq_test_warnings w;
	rq_test_sigset_init(&set, &w, 0);
	const char *text = SHA1_A ":68:Sha1.Sig\n" SHA256_A ":68:Sha256.Sig\n"
			   MD5_A ":68:Md5.In.Hsb\n";
	assert_int_equal(load(&set, "hsb", text), 0);
	assert_int_equal(w.count, 0);
	assert_int_equal(set.hash_count, 3);
	assert_int_equal(set.hashes[0].digest_type, RQ_DIGEST_SHA1);
	assert_int_equal(set.hashes[0].sig_type, RQ_SIG_SHA1);
	assert_digest(&set.hashes[0], SHA1_A);
	assert_int_equal(set.hashes[1].digest_type, RQ_DIGEST_SHA256);
	assert_int_equal(set.hashes[1].sig_type, RQ_SIG_SHA256);
	assert_digest(&set.hashes[1], SHA256_A);
	assert_int_equal(set.hashes[2].sig_type, RQ_SIG_MD5);
	assert_int_equal(set.stats.by_type[RQ_SIG_SHA1], 1);
	assert_int_equal(set.stats.by_type[RQ_SIG_SHA256], 1);
	assert_int_equal(set.stats.by_type[RQ_SIG_MD5], 1);
	rq_sigset_free(&set);
}

static void test_allow_lists(void **state)
{
	rq_sigset set;
	rq_test_warnings w;
	rq_test_sigset_init(&set, &w, 0);
	assert_int_equal(load(&set, "fp", MD5_A ":68:Clean.File\n"), 0);
	assert_int_equal(load(&set, "sfp", SHA256_A ":*:Clean.Any:73\nzz:1:Bad\n"), 0);
	assert_int_equal(set.hash_count, 0);
	assert_int_equal(set.allow_count, 2);
	assert_int_equal(set.stats.allow_hashes, 2);
	assert_int_equal(set.stats.by_type[RQ_SIG_MD5], 0);
	assert_string_equal(set.allow[0].source, "t.fp");
	assert_string_equal(set.allow[1].source, "t.sfp");
	assert_true(set.allow[1].size == RQ_SIZE_ANY);
	assert_int_equal(w.count, 1);
	assert_int_equal(w.lines[0], 2);
	assert_int_equal(set.stats.malformed, 1);
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
	char ok_name[RQ_MAX_SIG_NAME + 1];
	memset(ok_name, 'M', sizeof(ok_name) - 1);
	ok_name[sizeof(ok_name) - 1] = '\0';

	char *text = NULL;
	int n = asprintf(&text,
			 MD5_A ":68:Good.One\n"                      /* 1 */
			 MD5_A ":68\n"                               /* 2 missing name */
			 MD5_A "\n"                                  /* 3 one field */
			 "44d88612fea8a8f36de82e1278abb02:68:Short\n" /* 4 31 digits */
			 "44d88612fea8a8f36de82e1278abb02g:68:NonHex\n" /* 5 */
			 MD5_A ":6x8:BadSize\n"                      /* 6 */
			 MD5_A ":99999999999999999999:Overflow\n"    /* 7 */
			 MD5_A ":18446744073709551615:Max\n"         /* 8 == RQ_SIZE_ANY */
			 MD5_A "::EmptySize\n"                       /* 9 */
			 MD5_A ":68:\n"                              /* 10 empty name */
			 MD5_A ":68:%s\n"                            /* 11 name too long */
			 MD5_A ":68:a:1:2:3\n"                       /* 12 too many fields */
			 MD5_A ":*:NoLevel\n"                        /* 13 '*' without MinFL */
			 MD5_A ":*:LowLevel:72\n"                    /* 14 */
			 MD5_A ":68:BadLevel:x\n"                    /* 15 */
			 MD5_A ":68:BadMax:1:y\n"                    /* 16 */
			 MD5_A ":-1:Negative\n"                      /* 17 */
			 MD5_A ": 68:Space\n"                        /* 18 */
			 MD5_A ":68:%s\n",                           /* 19 max length: fine */
			 long_name, ok_name);
	assert_true(n > 0);
	assert_int_equal(load(&set, "hdb", text), 0);
	assert_int_equal(set.hash_count, 2);
	assert_string_equal(set.hashes[0].name, "Good.One");
	assert_int_equal(strlen(set.hashes[1].name), RQ_MAX_SIG_NAME);
	assert_int_equal(w.count, 17);
	assert_int_equal(set.stats.malformed, 17);
	assert_int_equal(set.stats.unsupported, 0);
	for (unsigned i = 0; i < 17; i++)
		assert_int_equal(w.lines[i], i + 2);
	/* Messages name the file, the line and quote the bad token. */
	assert_non_null(strstr(w.msgs[3], "t.hdb:5: bad hash '44d88612fea8a8f36de82e1278abb02g'"));
	assert_non_null(strstr(w.msgs[4], "bad file size '6x8'"));
	assert_non_null(strstr(w.msgs[8], "empty signature name"));
	assert_non_null(strstr(w.msgs[9], "longer than 512"));
	assert_non_null(strstr(w.msgs[11], "functionality level"));
	free(text);
	rq_sigset_free(&set);
}

static void test_levels_unsupported(void **state)
{
	rq_sigset set;
	rq_test_warnings w;
	rq_test_sigset_init(&set, &w, 0);
	/* RQ_CLAMAV_FLEVEL is 216 */
	const char *text = MD5_A ":68:Future:217\n"
			   MD5_A ":68:Now:216\n"
			   MD5_A ":68:Retired:1:215\n"
			   MD5_A ":68:StillOk:1:216\n"
			   MD5_A ":*:FutureAny:999\n";
	assert_int_equal(load(&set, "hdb", text), 0);
	assert_int_equal(set.hash_count, 2);
	assert_string_equal(set.hashes[0].name, "Now");
	assert_string_equal(set.hashes[1].name, "StillOk");
	assert_int_equal(set.stats.unsupported, 3);
	assert_int_equal(set.stats.malformed, 0);
	assert_int_equal(w.count, 3);
	assert_int_equal(w.lines[0], 1);
	assert_int_equal(w.lines[1], 3);
	assert_int_equal(w.lines[2], 5);
	rq_sigset_free(&set);
}

static void test_strict(void **state)
{
	rq_sigset set;
	rq_test_warnings w;
	rq_test_sigset_init(&set, &w, 1);
	int rc = load(&set, "hdb", MD5_A ":68:Ok\n" MD5_A ":zz:Bad\n" MD5_A ":68:Never\n");
	assert_int_equal(rc, RQ_EPARSE);
	assert_non_null(strstr(rq_error_last(), "t.hdb:2: bad file size 'zz'"));
	assert_int_equal(set.hash_count, 1);
	rq_sigset_free(&set);

	rq_test_sigset_init(&set, &w, 1);
	rc = load(&set, "hsb", SHA256_A ":68:Future:999\n");
	assert_int_equal(rc, RQ_EUNSUPPORTED);
	assert_non_null(strstr(rq_error_last(), "t.hsb:1:"));
	rq_sigset_free(&set);
}

static void test_callback_stops(void **state)
{
	rq_sigset set;
	rq_test_warnings w;
	rq_test_sigset_init(&set, &w, 0);
	w.stop_after = 2;
	int rc = load(&set, "hdb", "bad\nbad\nbad\n" MD5_A ":1:Late\n");
	assert_int_equal(rc, RQ_ESTOPPED);
	assert_int_equal(w.count, 2);
	assert_int_equal(set.hash_count, 0);
	rq_sigset_free(&set);
}

static void test_wrong_ext(void **state)
{
	rq_sigset set;
	rq_test_warnings w;
	rq_test_sigset_init(&set, &w, 0);
	assert_int_equal(load(&set, "ndb", MD5_A ":1:X\n"), RQ_EINVAL);
	rq_sigset_free(&set);
}

static void test_garbage(void **state)
{
	rq_sigset set;
	rq_test_warnings w;
	rq_test_sigset_init(&set, &w, 0);

	/* Embedded NULs: in the name, the hash and the size. */
	static const char nul_text[] = MD5_A ":68:Na\0me\n" MD5_A ":6\0" "8:X\n"
				       "44d88612fea8a8f3\0de82e1278abb02f:68:Y\n";
	assert_int_equal(rq_load_clamav_hash(&set, "n.hdb", "hdb", (const uint8_t *)nul_text,
					     sizeof(nul_text) - 1), 0);
	assert_int_equal(set.hash_count, 0);
	assert_int_equal(w.count, 3);
	assert_non_null(strstr(w.msgs[0], "\\x00"));

	/* A line longer than the limit, then a good one. */
	size_t big = RQ_MAX_SIG_LINE + 100;
	char *line = malloc(big + 64);
	assert_non_null(line);
	memset(line, ':', big);
	memcpy(line, MD5_A ":1:", 35);
	int tail = snprintf(line + big, 64, "\n" MD5_A ":1:After\n");
	assert_int_equal(rq_load_clamav_hash(&set, "l.hdb", "hdb", (const uint8_t *)line,
					     big + (size_t)tail), 0);
	assert_int_equal(set.hash_count, 1);
	assert_string_equal(set.hashes[0].name, "After");
	assert_int_equal(w.lines[3], 1);
	free(line);

	/* Random bytes biased towards the format's own characters. */
	static const char alphabet[] = "0123456789abcdefABCDEF:*\n\r\t #\0\xff.";
	uint8_t buf[4096];
	srand(12345);
	for (int round = 0; round < 200; round++) {
		size_t len = (size_t)(rand() % (int)sizeof(buf));
		for (size_t i = 0; i < len; i++)
			buf[i] = round % 2 ? (uint8_t)rand()
					   : (uint8_t)alphabet[rand() % (int)(sizeof(alphabet) - 1)];
		assert_int_equal(rq_load_clamav_hash(&set, "r.hsb", "hsb", buf, len), 0);
	}
	assert_int_equal(rq_load_clamav_hash(&set, "e.hdb", "hdb", NULL, 0), 0);
	rq_sigset_free(&set);
}

/* Through the public engine: detection, size mismatch, allow-list, ignore list, EICAR. */
static void test_engine_end_to_end(void **state)
{
	static const char hello[] = "hello world\n"; /* 12 bytes */
	rq_engine *engine = rq_test_engine(0, "hdb", "6f5902ac237024bdd0c176cb93063dc4:12:Test.Md5\n",
					   "hsb", "22596363b3de40b06f981fb85d82312e8c0ed511:*:Test.Any:73\n",
					   NULL);
	char *found = rq_test_scan_buffer(engine, hello, 12, 1);
	assert_non_null(strstr(found, "Test.Md5"));
	assert_non_null(strstr(found, "Test.Any"));
	free(found);
	found = rq_test_scan_buffer(engine, rq_test_eicar, 68, 0);
	assert_string_equal(found, "Eicar-Test-Signature");
	free(found);
	rq_engine_free(engine);

	engine = rq_test_engine(1, "hdb", "6f5902ac237024bdd0c176cb93063dc4:13:Wrong.Size\n", NULL);
	found = rq_test_scan_buffer(engine, hello, 12, 1);
	assert_string_equal(found, "");
	free(found);
	found = rq_test_scan_buffer(engine, rq_test_eicar, 68, 0);
	assert_string_equal(found, "");
	free(found);
	rq_engine_free(engine);

	engine = rq_test_engine(1, "hdb", "6f5902ac237024bdd0c176cb93063dc4:12:Test.Md5\n",
				"sfp", "a948904f2f0f479b8f8197694b30184b0d2ed1c1cd2a1ec0fb85d299a192a447:12:Ok\n",
				NULL);
	found = rq_test_scan_buffer(engine, hello, 12, 1);
	assert_string_equal(found, "");
	free(found);
	rq_engine_free(engine);

	engine = rq_test_engine(1, "hdb", "6f5902ac237024bdd0c176cb93063dc4:12:Test.Md5\n",
				"ign2", "Test.Md5\n", NULL);
	found = rq_test_scan_buffer(engine, hello, 12, 1);
	assert_string_equal(found, "");
	free(found);
	rq_engine_free(engine);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hdb_good),
		cmocka_unit_test(test_hsb_kinds),
		cmocka_unit_test(test_allow_lists),
		cmocka_unit_test(test_bad_lines),
		cmocka_unit_test(test_levels_unsupported),
		cmocka_unit_test(test_strict),
		cmocka_unit_test(test_callback_stops),
		cmocka_unit_test(test_wrong_ext),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_engine_end_to_end),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
