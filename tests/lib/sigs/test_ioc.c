/*
 * Tests of the IOC hash-list loader (lib/sigs/ioc.c): separators, header
 * rows, comments turned into detection names, the default names, bad
 * lines with their numbers, strict mode and garbage.
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


static int load(rq_sigset *set, const char *text)
{
	return rq_load_ioc(set, "iocs.csv", (const uint8_t *)text, strlen(text));
}

static void test_plain_and_names(void **state)
{
	rq_sigset set;
	rq_test_warnings w;
	rq_test_sigset_init(&set, &w, 0);
	const char *text = "# threat feed, 2024\n"
			   "\n"
			   MD5_A "\n"
			   "  " SHA1_A "  \r\n"
			   SHA256_A ";Emotet dropper (stage 2)\n"
			   MD5_A ",Mã độc APT32\n"
			   "\"" SHA256_A "\",\"Cobalt Strike, beacon\"\n"
			   SHA256_A "  evil.exe\n"
			   SHA256_A " ; ;;;\n"
			   "44D88612FEA8A8F36DE82E1278ABB02F;Upper\n";
	assert_int_equal(load(&set, text), 0);
	assert_int_equal(w.count, 0);
	assert_int_equal(set.hash_count, 8);
	assert_int_equal(set.stats.by_type[RQ_SIG_IOC], 8);

	static const char *const names[] = {
		"IOC.md5.44d88612fea8a8f3",
		"IOC.sha1.3395856ce81f2b73",
		"IOC.Emotet_dropper_stage_2",
		"IOC.M_c_APT32",
		"IOC.Cobalt_Strike_beacon",
		"IOC.evil.exe",
		"IOC.sha256.275a021bbfb6489e",
		"IOC.Upper",
	};
	static const unsigned kinds[] = { RQ_DIGEST_MD5, RQ_DIGEST_SHA1, RQ_DIGEST_SHA256,
					  RQ_DIGEST_MD5, RQ_DIGEST_SHA256, RQ_DIGEST_SHA256,
					  RQ_DIGEST_SHA256, RQ_DIGEST_MD5 };
	for (size_t i = 0; i < 8; i++) {
		const rq_hashsig *s = &set.hashes[i];
		assert_string_equal(s->name, names[i]);
		assert_int_equal(s->digest_type, kinds[i]);
		assert_int_equal(s->sig_type, RQ_SIG_IOC);
		assert_true(s->size == RQ_SIZE_ANY);
		assert_string_equal(s->source, "iocs.csv");
	}
	uint8_t want[32];
	assert_int_equal(rq_hex_decode(want, SHA256_A, 32), 0);
	assert_memory_equal(set.hashes[2].digest, want, 32);
	assert_memory_equal(set.hashes[0].digest, set.hashes[7].digest, 16);
	rq_sigset_free(&set);
}

static void test_headers(void **state)
{
	static const char *const headers[] = {
		"sha256,comment\n", "hash;description\n", "md5\n", "\"SHA-1\",\"Name\"\n",
		"\xef\xbb\xbfsha256;note\n", "# comment first\nIndicator Value,Type\n",
	};
	for (size_t i = 0; i < sizeof(headers) / sizeof(headers[0]); i++) {
		rq_sigset set;
		rq_test_warnings w;
		rq_test_sigset_init(&set, &w, 1); /* strict: a header must not be a warning */
		char *text = NULL;
		assert_true(asprintf(&text, "%s" SHA256_A ",x\n", headers[i]) > 0);
		assert_int_equal(load(&set, text), 0);
		assert_int_equal(set.hash_count, 1);
		assert_string_equal(set.hashes[0].name, "IOC.x");
		free(text);
		rq_sigset_free(&set);
	}

	/* Only the first data line may be a header; hex-looking words are never one. */
	rq_sigset set;
	rq_test_warnings w;
	rq_test_sigset_init(&set, &w, 0);
	assert_int_equal(load(&set, SHA256_A "\nsha256,comment\n"), 0);
	assert_int_equal(w.count, 1);
	assert_int_equal(w.lines[0], 2);
	rq_sigset_free(&set);
	rq_test_sigset_init(&set, &w, 0);
	assert_int_equal(load(&set, "deadbeef,comment\n"), 0);
	assert_int_equal(w.count, 1);
	assert_int_equal(w.lines[0], 1);
	rq_sigset_free(&set);
}

static void test_bad_lines(void **state)
{
	rq_sigset set;
	rq_test_warnings w;
	rq_test_sigset_init(&set, &w, 0);
	const char *text = SHA256_A ",ok\n"                            /* 1 */
			   "44d88612fea8a8f36de82e1278abb02\n"         /* 2: 31 digits */
			   "44d88612fea8a8f36de82e1278abb02fa\n"       /* 3: 33 digits */
			   "44d88612fea8a8f36de82e1278abb0zz;x\n"      /* 4: not hex */
			   ";only a comment\n"                         /* 5 */
			   "sha256:" SHA256_A "\n"                     /* 6: prefixed */
			   MD5_A "\n";                                 /* 7 */
	assert_int_equal(load(&set, text), 0);
	assert_int_equal(set.hash_count, 2);
	assert_int_equal(w.count, 5);
	assert_int_equal(set.stats.malformed, 5);
	for (unsigned i = 0; i < 5; i++)
		assert_int_equal(w.lines[i], i + 2);
	assert_non_null(strstr(w.msgs[0], "iocs.csv:2: bad indicator '44d88612fea8a8f36de82e1278abb02'"));
	assert_non_null(strstr(w.msgs[4], "..."));
	rq_sigset_free(&set);

	rq_test_sigset_init(&set, &w, 1);
	assert_int_equal(load(&set, MD5_A "\nxyz\n"), RQ_EPARSE);
	assert_non_null(strstr(rq_error_last(), "iocs.csv:2: bad indicator 'xyz'"));
	rq_sigset_free(&set);
}

/* Addresses, networks, domains and URLs, defanged or not, become network indicators. */
static void test_network(void **state)
{
	rq_sigset set;
	rq_test_warnings w;
	rq_test_sigset_init(&set, &w, 0);
	const char *text = "indicator,description\n"                 /* header */
			   "203.0.113.7,C2 server\n"                    /* 2 */
			   "198.51.100.0/24;Botnet range\n"             /* 3 */
			   "2001:db8::1\n"                              /* 4 */
			   "evil[.]example[.]com,Phishing kit\n"        /* 5 */
			   "hxxps://user@Malware.Example.NET:8443/x?y\n" /* 6 */
			   "http://[2001:db8::2]:80/path\n"             /* 7 */
			   "198.51.100.9/33\n"                          /* 8: bad prefix */
			   "not_a-domain\n"                             /* 9 */
			   "-bad-.example.com\n"                        /* 10 */
			   MD5_A "\n";                                  /* 11 */
	assert_int_equal(load(&set, text), 0);
	assert_int_equal(set.hash_count, 1);
	assert_int_equal(set.netioc_count, 6);
	assert_int_equal(w.count, 3);
	assert_int_equal(w.lines[0], 8);
	assert_int_equal(w.lines[1], 9);
	assert_int_equal(w.lines[2], 10);
	const rq_netioc *n = set.netiocs;
	assert_int_equal(n[0].kind, RQ_NETIOC_IP);
	assert_int_equal(n[0].prefix, 128);
	assert_int_equal(n[0].addr[10], 0xff);
	assert_int_equal(n[0].addr[15], 7);
	assert_string_equal(n[0].name, "IOC.C2_server");
	assert_int_equal(n[1].prefix, 96 + 24);
	assert_int_equal(n[1].addr[15], 0);
	assert_string_equal(n[1].name, "IOC.Botnet_range");
	assert_int_equal(n[2].prefix, 128);
	assert_int_equal(n[2].addr[0], 0x20);
	assert_string_equal(n[2].name, "IOC.ip.2001_db8_1");
	assert_int_equal(n[3].kind, RQ_NETIOC_DOMAIN);
	assert_string_equal(n[3].domain, "evil.example.com");
	assert_string_equal(n[3].name, "IOC.Phishing_kit");
	assert_string_equal(n[4].domain, "malware.example.net");
	assert_string_equal(n[4].name, "IOC.domain.https_user_malware.example.net_8443_x_y");
	assert_int_equal(n[5].kind, RQ_NETIOC_IP);
	assert_int_equal(n[5].addr[15], 2);
	rq_sigset_free(&set);
}

static void test_long_comment(void **state)
{
	rq_sigset set;
	rq_test_warnings w;
	rq_test_sigset_init(&set, &w, 0);
	size_t n = 3 * RQ_MAX_SIG_NAME;
	char *text = malloc(n + 80);
	assert_non_null(text);
	int head = snprintf(text, 80, "%s;", MD5_A);
	memset(text + head, 'c', n);
	text[(size_t)head + n] = '\0';
	assert_int_equal(load(&set, text), 0);
	assert_int_equal(set.hash_count, 1);
	assert_int_equal(strlen(set.hashes[0].name), RQ_MAX_SIG_NAME);
	assert_memory_equal(set.hashes[0].name, "IOC.ccc", 7);
	free(text);

	/* A comment with nothing usable falls back to the default name. */
	assert_int_equal(load(&set, MD5_A ";  ***  \xe2\x80\x94 \n"), 0);
	assert_string_equal(set.hashes[1].name, "IOC.md5.44d88612fea8a8f3");
	rq_sigset_free(&set);
}

static void test_garbage(void **state)
{
	rq_sigset set;
	rq_test_warnings w;
	rq_test_sigset_init(&set, &w, 0);
	static const char nul[] = MD5_A ";na\0me\n44d88612fea8a8f3\0de82e1278abb02f\n";
	assert_int_equal(rq_load_ioc(&set, "n.txt", (const uint8_t *)nul, sizeof(nul) - 1), 0);
	assert_int_equal(set.hash_count, 1);
	assert_string_equal(set.hashes[0].name, "IOC.na_me");
	assert_int_equal(w.count, 1);
	assert_int_equal(w.lines[0], 2);

	uint8_t buf[4096];
	srand(4242);
	static const char alphabet[] = "0123456789abcdef;,\n \"#\0\xc3";
	for (int round = 0; round < 200; round++) {
		size_t len = (size_t)(rand() % (int)sizeof(buf));
		for (size_t i = 0; i < len; i++)
			buf[i] = round % 2 ? (uint8_t)rand()
					   : (uint8_t)alphabet[rand() % (int)(sizeof(alphabet) - 1)];
		assert_int_equal(rq_load_ioc(&set, "r.txt", buf, len), 0);
	}
	for (size_t i = 0; i < set.hash_count; i++) {
		const char *name = set.hashes[i].name;
		assert_true(strlen(name) <= RQ_MAX_SIG_NAME);
		assert_int_equal(strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
					      "0123456789._-"),
				 strlen(name));
	}
	assert_int_equal(rq_load_ioc(&set, "e.txt", NULL, 0), 0);
	rq_sigset_free(&set);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_and_names),
		cmocka_unit_test(test_headers),
		cmocka_unit_test(test_bad_lines),
		cmocka_unit_test(test_network),
		cmocka_unit_test(test_long_comment),
		cmocka_unit_test(test_garbage),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
