/*
 * Tests of the ClamAV container loader (lib/sigs/clamav_cvd.c): containers
 * are built here with libarchive's writer (tar, gzip or not) behind a
 * hand-made 512-byte header whose MD5 is computed with OpenSSL, then loaded
 * through the public API or straight into a signature set.
 */
#include "testutil.h"

#include <archive.h>
#include <archive_entry.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/limits.h"
#include "sigs/sigset.h"

typedef struct member {
	const char *name;
	const char *text;
} member;

typedef struct blob {
	uint8_t *data;
	size_t len;
} blob;

#define TAR_ROOM (1024 * 1024)

/* A tar of `n` members, gzip-compressed if `gzip`. */
static blob make_tar(const member *m, size_t n, int gzip)
{
	blob b = { malloc(TAR_ROOM), 0 };
	assert_non_null(b.data);
	struct archive *a = archive_write_new();
	assert_non_null(a);
	assert_int_equal(archive_write_set_format_ustar(a), ARCHIVE_OK);
	if (gzip)
		assert_int_equal(archive_write_add_filter_gzip(a), ARCHIVE_OK);
	else
		assert_int_equal(archive_write_add_filter_none(a), ARCHIVE_OK);
	assert_int_equal(archive_write_open_memory(a, b.data, TAR_ROOM, &b.len), ARCHIVE_OK);
	for (size_t i = 0; i < n; i++) {
		struct archive_entry *e = archive_entry_new();
		archive_entry_set_pathname(e, m[i].name);
		archive_entry_set_filetype(e, AE_IFREG);
		archive_entry_set_perm(e, 0644);
		archive_entry_set_size(e, (la_int64_t)strlen(m[i].text));
		assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
		assert_int_equal(archive_write_data(a, m[i].text, strlen(m[i].text)),
				 (la_ssize_t)strlen(m[i].text));
		archive_entry_free(e);
	}
	assert_int_equal(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
	return b;
}

static void md5_hex(char out[33], const void *data, size_t len)
{
	uint8_t md[EVP_MAX_MD_SIZE];
	unsigned md_len = 0;
	assert_true(EVP_Digest(data, len, md, &md_len, EVP_md5(), NULL));
	assert_int_equal(md_len, 16);
	for (unsigned i = 0; i < 16; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

/*
 * Header text (a printf format whose one %s receives the body's MD5) padded
 * to 512 bytes with spaces, followed by `body`. Frees `body`.
 */
static blob make_container_fmt(const char *fmt, blob body)
{
	char md5[33];
	md5_hex(md5, body.data, body.len);
	blob c = { malloc(512 + body.len), 512 + body.len };
	assert_non_null(c.data);
	char text[600];
	int n = snprintf(text, sizeof(text), fmt, md5);
	assert_true(n > 0 && n <= 512);
	memset(c.data, ' ', 512);
	memcpy(c.data, text, (size_t)n);
	memcpy(c.data + 512, body.data, body.len);
	free(body.data);
	return c;
}

#define GOOD_HEADER "ClamAV-VDB:25 Nov 2026 10-00 +0000:27100:6:216:%s:c2lnbmF0dXJl:tester:1764064800"

static blob make_container(const member *m, size_t n, int gzip)
{
	return make_container_fmt(GOOD_HEADER, make_tar(m, n, gzip));
}

static int load(rq_sigset *set, const char *name, blob c)
{
	return rq_load_clamav_cvd(set, name, rq_extension(name), c.data, c.len);
}

/* ---- a full container through the public API ---- */

static const char body_marker[] = "xx cvd-body-marker xx";
static const char ignored_marker[] = "xx ignored-marker xx";
static const char hash_sample[] = "cvd hash sample\n";

typedef struct collected {
	char msgs[16][512];
	size_t count;
} collected;

static int collect(const char *file, unsigned line, const char *message, void *payload)
{
	collected *c = payload;
	if (c->count < 16)
		snprintf(c->msgs[c->count], sizeof(c->msgs[0]), "%s:%u: %s", file, line, message);
	c->count++;
	return 0;
}

static void test_cvd_through_engine(void **state)
{
	(void)state;
	char md5[33], hdb[128];
	md5_hex(md5, hash_sample, strlen(hash_sample));
	snprintf(hdb, sizeof(hdb), "%s:%zu:Test.Cvd.Hash\n", md5, strlen(hash_sample));
	const member m[] = {
		{ "COPYING", "" },
		{ "main.hdb", hdb },
		{ "main.ndb", "Test.Cvd.Body:0:*:6376642d626f64792d6d61726b6572\n"
			      "Test.Cvd.Ignored:0:*:69676e6f7265642d6d61726b6572\n" },
		{ "main.ldb", "# logical signatures\n"
			      "Sig.One;Target:0;0;414243\n"
			      "Sig.Two;Target:0;0;444546\n"
			      "\n"
			      "Sig.Three;Target:0;0;474849\n" },
		{ "daily.ign2", "Test.Cvd.Ignored\n" },
	};
	blob c = make_container(m, sizeof(m) / sizeof(m[0]), 1);

	collected warn = { .count = 0 };
	rq_engine_options opts = { .no_builtin = 1, .on_warning = collect, .warning_payload = &warn };
	rq_engine *engine = NULL;
	assert_int_equal(rq_engine_new(&engine, &opts), 0);
	assert_int_equal(rq_engine_load_buffer(engine, "cvd", "x.cvd", c.data, c.len), 0);
	assert_int_equal(rq_engine_compile(engine), 0);

	assert_int_equal(warn.count, 1);
	assert_string_equal(warn.msgs[0], "x.cvd:0: unsupported member main.ldb (3 lines)");
	rq_engine_stats st;
	rq_engine_stats_get(engine, &st);
	assert_int_equal(st.unsupported, 3);
	assert_int_equal(st.malformed, 0);
	assert_int_equal(st.ignored, 1);
	assert_int_equal(st.total, 2);
	assert_int_equal(st.files, 1);

	char *names = rq_test_scan_buffer(engine, body_marker, strlen(body_marker), 0);
	assert_string_equal(names, "Test.Cvd.Body");
	free(names);
	names = rq_test_scan_buffer(engine, hash_sample, strlen(hash_sample), 0);
	assert_string_equal(names, "Test.Cvd.Hash");
	free(names);
	names = rq_test_scan_buffer(engine, ignored_marker, strlen(ignored_marker), 0);
	assert_string_equal(names, "");
	free(names);

	rq_engine_free(engine);
	free(c.data);
}

/* ---- straight into a signature set ---- */

static const member one_hdb[] = {
	{ "daily.hdb", "44d88612fea8a8f36de82e1278abb02f:68:Test.Cvd.Eicar\n" },
};

static void test_cld_plain_and_compressed(void **state)
{
	(void)state;
	for (int gzip = 0; gzip <= 1; gzip++) {
		rq_sigset set;
		rq_test_warnings w;
		rq_test_sigset_init(&set, &w, 0);
		blob c = make_container(one_hdb, 1, gzip);
		/* a .cld's header MD5 is that of the .cvd it came from: not checked */
		memcpy(c.data + strlen("ClamAV-VDB:25 Nov 2026 10-00 +0000:27100:6:216:"), "00000000", 8);
		assert_int_equal(load(&set, "daily.cld", c), 0);
		assert_int_equal(w.count, 0);
		assert_int_equal(set.hash_count, 1);
		assert_string_equal(set.hashes[0].name, "Test.Cvd.Eicar");
		assert_string_equal(set.hashes[0].source, "daily.cld/daily.hdb");
		/* the same bytes as a .cvd fail the MD5 check */
		assert_int_equal(load(&set, "daily.cvd", c), RQ_EPARSE);
		assert_non_null(strstr(rq_error_last(), "daily.cvd: corrupted"));
		rq_sigset_free(&set);
		free(c.data);
	}
}

static void test_bad_magic(void **state)
{
	(void)state;
	rq_sigset set;
	rq_test_warnings w;
	rq_test_sigset_init(&set, &w, 0);
	blob c = make_container_fmt("ClamAV-VDX:25 Nov 2026:1:1:1:%s:s:b:1", make_tar(one_hdb, 1, 1));
	assert_int_equal(load(&set, "x.cvd", c), RQ_EPARSE);
	assert_non_null(strstr(rq_error_last(), "x.cvd: not a ClamAV database"));
	/* a plain .hdb renamed .cvd */
	const char *text = "44d88612fea8a8f36de82e1278abb02f:68:Test.Cvd.Eicar\n";
	assert_int_equal(rq_load_clamav_cvd(&set, "y.cvd", "cvd", (const uint8_t *)text, strlen(text)),
			 RQ_EPARSE);
	assert_non_null(strstr(rq_error_last(), "y.cvd: truncated"));
	assert_int_equal(set.hash_count, 0);
	rq_sigset_free(&set);
	free(c.data);
}

static void test_md5_mismatch(void **state)
{
	(void)state;
	blob c = make_container(one_hdb, 1, 1);
	/* every single byte of the body, flipped in turn, is caught */
	for (size_t i = 512; i < c.len; i++) {
		rq_sigset set;
		rq_test_warnings w;
		rq_test_sigset_init(&set, &w, 0);
		c.data[i] ^= 0x01;
		assert_int_equal(load(&set, "x.cvd", c), RQ_EPARSE);
		assert_non_null(strstr(rq_error_last(), "x.cvd: corrupted"));
		assert_int_equal(set.hash_count, 0);
		c.data[i] ^= 0x01;
		rq_sigset_free(&set);
	}
	/* and the untouched container loads */
	rq_sigset set;
	rq_test_warnings w;
	rq_test_sigset_init(&set, &w, 0);
	assert_int_equal(load(&set, "x.cvd", c), 0);
	assert_int_equal(set.hash_count, 1);
	rq_sigset_free(&set);
	free(c.data);
}

static void test_truncated(void **state)
{
	(void)state;
	const member two[] = {
		{ "a.hdb", "44d88612fea8a8f36de82e1278abb02f:68:Test.A\n" },
		{ "b.hdb", "44d88612fea8a8f36de82e1278abb02e:68:Test.B\n" },
	};
	blob cvd = make_container(two, 2, 1);
	blob cld = make_container(two, 2, 0);
	size_t cuts[] = { 0, 100, 511, 512, 600 };
	for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
		rq_sigset set;
		rq_test_warnings w;
		rq_test_sigset_init(&set, &w, 0);
		assert_int_equal(rq_load_clamav_cvd(&set, "x.cvd", "cvd", cvd.data, cuts[i]), RQ_EPARSE);
		assert_int_equal(rq_load_clamav_cvd(&set, "x.cld", "cld", cld.data, cuts[i]), RQ_EPARSE);
		assert_int_equal(set.hash_count, 0);
		rq_sigset_free(&set);
	}
	/* a .cld cut inside its second member: nothing of the first one loads either */
	rq_sigset set;
	rq_test_warnings w;
	rq_test_sigset_init(&set, &w, 0);
	assert_int_equal(rq_load_clamav_cvd(&set, "x.cld", "cld", cld.data, 512 + 512 + 512 + 100),
			 RQ_EPARSE);
	assert_non_null(strstr(rq_error_last(), "x.cld"));
	assert_int_equal(set.hash_count, 0);
	assert_int_equal(rq_load_clamav_cvd(&set, "x.cld", "cld", cld.data, cld.len), 0);
	assert_int_equal(set.hash_count, 2);
	rq_sigset_free(&set);
	free(cvd.data);
	free(cld.data);
}

static void test_bad_header_fields(void **state)
{
	(void)state;
	static const struct {
		const char *fmt;
		const char *error;
	} cases[] = {
		{ "ClamAV-VDB:t:12a:6:216:%s:s:b:1", "bad version '12a'" },
		{ "ClamAV-VDB:t:1:-6:216:%s:s:b:1", "bad signature count '-6'" },
		{ "ClamAV-VDB:t:1:6::%s:s:b:1", "bad functionality level ''" },
		{ "ClamAV-VDB:t:1:6:216:%s:s:b:x1", "bad build time in seconds 'x1'" },
		{ "ClamAV-VDB:t:1:6:216:%.30s:s:b:1", "bad MD5" },
		{ "ClamAV-VDB::1:6:216:%s:s:b:1", "empty build time" },
		{ "ClamAV-VDB:t:1:6:216:%s:s", "7 ':'-separated fields" },
		{ "ClamAV-VDB:t:1:6:216:%s:s:b:1:extra", "more than 9" },
		{ "ClamAV-VDB:t:1:6:216:%s:s:b:1\t", "not printable ASCII" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		rq_sigset set;
		rq_test_warnings w;
		rq_test_sigset_init(&set, &w, 0);
		blob c = make_container_fmt(cases[i].fmt, make_tar(one_hdb, 1, 1));
		assert_int_equal(load(&set, "x.cvd", c), RQ_EPARSE);
		if (!strstr(rq_error_last(), cases[i].error))
			fail_msg("case %zu: '%s' lacks '%s'", i, rq_error_last(), cases[i].error);
		assert_int_equal(set.hash_count, 0);
		rq_sigset_free(&set);
		free(c.data);
	}
	/* 8 fields (no build time in seconds, as in old containers) are accepted */
	rq_sigset set;
	rq_test_warnings w;
	rq_test_sigset_init(&set, &w, 0);
	blob c = make_container_fmt("ClamAV-VDB:t:1:6:216:%s:s:b", make_tar(one_hdb, 1, 1));
	assert_int_equal(load(&set, "x.cvd", c), 0);
	assert_int_equal(set.hash_count, 1);
	rq_sigset_free(&set);
	free(c.data);
}

static void test_malformed_member_lines(void **state)
{
	(void)state;
	rq_sigset set;
	rq_test_warnings w;
	rq_test_sigset_init(&set, &w, 0);
	const member m[] = {
		{ "main.ndb", "Good.One:0:*:41424344\n"
			      "Bad.Hex:0:*:4142zz\n"
			      "Good.Two:0:*:45464748\n" },
		{ "main.hdb", "nothex:12:Bad.Hash\n" },
	};
	blob c = make_container(m, 2, 1);
	assert_int_equal(load(&set, "x.cvd", c), 0);
	assert_int_equal(w.count, 2);
	assert_int_equal(strncmp(w.msgs[0], "x.cvd/main.ndb:2: ", 18), 0);
	assert_int_equal(strncmp(w.msgs[1], "x.cvd/main.hdb:1: ", 18), 0);
	assert_int_equal(set.body_count, 2);
	assert_int_equal(set.stats.malformed, 2);
	rq_sigset_free(&set);
	free(c.data);
}

static void test_empty_tar(void **state)
{
	(void)state;
	rq_sigset set;
	rq_test_warnings w;
	rq_test_sigset_init(&set, &w, 0);
	blob c = make_container(NULL, 0, 1);
	assert_int_equal(load(&set, "x.cvd", c), 0);
	assert_int_equal(w.count, 0);
	assert_int_equal(set.hash_count + set.body_count, 0);
	rq_sigset_free(&set);
	free(c.data);
}

static void test_strict_unsupported(void **state)
{
	(void)state;
	const member m[] = {
		{ "main.hdb", "44d88612fea8a8f36de82e1278abb02f:68:Test.A\n" },
		{ "main.mdb", "1024:44d88612fea8a8f36de82e1278abb02f:Test.Pe\n" },
		{ "main.info", "" }, /* no lines: nothing lost, no warning */
	};
	blob c = make_container(m, 3, 1);
	rq_sigset set;
	rq_test_warnings w;
	rq_test_sigset_init(&set, &w, 1);
	assert_int_equal(load(&set, "x.cvd", c), RQ_EUNSUPPORTED);
	assert_string_equal(rq_error_last(), "x.cvd:0: unsupported member main.mdb (1 lines)");
	rq_sigset_free(&set);
	rq_test_sigset_init(&set, &w, 0);
	assert_int_equal(load(&set, "x.cvd", c), 0);
	assert_int_equal(w.count, 1);
	assert_int_equal(set.stats.unsupported, 1);
	rq_sigset_free(&set);
	free(c.data);
}

/* Set the size field of the first ustar header of an uncompressed body. */
static void patch_tar_size(uint8_t *hdr, unsigned long long size)
{
	char field[13];
	snprintf(field, sizeof(field), "%011llo", size);
	memcpy(hdr + 124, field, 12); /* 11 octal digits and a NUL */
	memset(hdr + 148, ' ', 8);
	unsigned sum = 0;
	for (int i = 0; i < 512; i++)
		sum += hdr[i];
	snprintf(field, sizeof(field), "%06o", sum);
	memcpy(hdr + 148, field, 7); /* six digits and a NUL, then the space */
}

static void test_member_size_lies(void **state)
{
	(void)state;
	blob c = make_container(one_hdb, 1, 0);
	rq_sigset set;
	rq_test_warnings w;
	rq_test_sigset_init(&set, &w, 0);
	patch_tar_size(c.data + 512, RQ_MAX_CVD_MEMBER + 1);
	assert_int_equal(load(&set, "x.cld", c), RQ_ELIMIT);
	assert_non_null(strstr(rq_error_last(), "x.cld: member daily.hdb is"));
	patch_tar_size(c.data + 512, 1024 * 1024);
	assert_int_equal(load(&set, "x.cld", c), RQ_EPARSE);
	assert_non_null(strstr(rq_error_last(), "x.cld"));
	patch_tar_size(c.data + 512, strlen(one_hdb[0].text));
	assert_int_equal(load(&set, "x.cld", c), 0);
	assert_int_equal(set.hash_count, 1);
	rq_sigset_free(&set);
	free(c.data);
}

static void test_wrong_extension(void **state)
{
	(void)state;
	rq_sigset set;
	rq_test_warnings w;
	rq_test_sigset_init(&set, &w, 0);
	blob c = make_container(one_hdb, 1, 1);
	assert_int_equal(rq_load_clamav_cvd(&set, "x.cvd", "hdb", c.data, c.len), RQ_EINVAL);
	rq_sigset_free(&set);
	free(c.data);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cvd_through_engine),
		cmocka_unit_test(test_cld_plain_and_compressed),
		cmocka_unit_test(test_bad_magic),
		cmocka_unit_test(test_md5_mismatch),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_bad_header_fields),
		cmocka_unit_test(test_malformed_member_lines),
		cmocka_unit_test(test_empty_tar),
		cmocka_unit_test(test_strict_unsupported),
		cmocka_unit_test(test_member_size_lies),
		cmocka_unit_test(test_wrong_extension),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
