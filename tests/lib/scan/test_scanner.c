/*
 * The per-file scan through the public API: verdicts on buffers and files,
 * archives built in memory with libarchive's writer (members, nesting,
 * single compressed streams), every limit reported by its own name, and
 * encrypted and damaged archives.
 */
#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"

typedef struct blob {
	uint8_t *data;
	size_t len;
} blob;

typedef struct member_spec {
	const char *name;
	const void *data;
	size_t len;
} member_spec;

/* An archive in memory: format and filter as libarchive names them. */
static blob make_archive(const char *format, const char *filter, const char *options,
			 const member_spec *members, size_t count)
{
	struct archive *a = archive_write_new();
	assert_int_equal(archive_write_set_format_by_name(a, format), ARCHIVE_OK);
	if (filter)
		assert_int_equal(archive_write_add_filter_by_name(a, filter), ARCHIVE_OK);
	if (options) {
		assert_int_equal(archive_write_set_options(a, options), ARCHIVE_OK);
		assert_int_equal(archive_write_set_passphrase(a, "secret"), ARCHIVE_OK);
	}
	size_t cap = 1 << 20;
	for (size_t i = 0; i < count; i++)
		cap += members[i].len + 4096;
	blob b = { malloc(cap), 0 };
	assert_non_null(b.data);
	assert_int_equal(archive_write_open_memory(a, b.data, cap, &b.len), ARCHIVE_OK);
	for (size_t i = 0; i < count; i++) {
		struct archive_entry *e = archive_entry_new();
		archive_entry_set_pathname(e, members[i].name);
		archive_entry_set_size(e, (la_int64_t)members[i].len);
		archive_entry_set_filetype(e, AE_IFREG);
		archive_entry_set_perm(e, 0644);
		assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
		assert_int_equal(archive_write_data(a, members[i].data, members[i].len),
				 (la_ssize_t)members[i].len);
		archive_entry_free(e);
	}
	assert_int_equal(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
	return b;
}

typedef struct collected {
	int calls;
	int infected;
	int error;
	char text[8192]; /* "kind:name@member;" for each finding */
	char sha256[65];
	char type[16];
	int fd;
} collected;

static int collect(const rq_result *r, void *payload)
{
	collected *c = payload;
	c->calls++;
	c->infected = r->infected;
	c->error = r->error;
	c->fd = r->fd;
	snprintf(c->sha256, sizeof(c->sha256), "%s", r->sha256 ? r->sha256 : "");
	snprintf(c->type, sizeof(c->type), "%s", r->file_type);
	for (size_t i = 0; i < r->finding_count; i++) {
		const rq_finding *f = &r->findings[i];
		static const char *const kinds[] = { "found", "limit", "encrypted" };
		size_t used = strlen(c->text);
		snprintf(c->text + used, sizeof(c->text) - used, "%s:%s@%s;", kinds[f->kind], f->name,
			 f->member ? f->member : "");
	}
	return 0;
}

static collected scan_with(const rq_engine *e, const rq_scan_options *opts, const blob *b)
{
	rq_scanner *s = NULL;
	assert_int_equal(rq_scanner_new(&s, e, opts), 0);
	collected c;
	memset(&c, 0, sizeof(c));
	assert_int_equal(rq_scanner_scan_buffer(s, b->data, b->len, "t", collect, &c), 0);
	assert_int_equal(c.calls, 1);
	assert_int_equal(c.fd, -1);
	rq_scanner_free(s);
	return c;
}

static rq_engine *eicar_engine(void)
{
	return rq_test_engine(0, "ndb", "Test.Marker:0:*:4d41524b45522d3132333435\n", NULL);
}

static void test_plain_buffers(void **state)
{
	rq_engine *e = eicar_engine();
	blob clean = { (uint8_t *)"nothing to see here", 19 };
	blob eicar = { (uint8_t *)rq_test_eicar, strlen(rq_test_eicar) };
	blob marker = { (uint8_t *)"xxMARKER-12345yy", 16 };
	rq_scan_options opts;
	rq_scan_options_default(&opts);
	collected c = scan_with(e, &opts, &clean);
	assert_int_equal(c.infected, 0);
	assert_string_equal(c.text, "");
	c = scan_with(e, &opts, &eicar);
	assert_int_equal(c.infected, 1);
	assert_string_equal(c.text, "found:Eicar-Test-Signature@;");
	c = scan_with(e, &opts, &marker);
	assert_string_equal(c.text, "found:Test.Marker@;");
	opts.want_sha256 = 1;
	c = scan_with(e, &opts, &eicar);
	assert_string_equal(c.sha256, "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f");
	rq_engine_free(e);
}

static void test_members_and_nesting(void **state)
{
	rq_engine *e = eicar_engine();
	rq_scan_options opts;
	rq_scan_options_default(&opts);
	opts.all_matches = 1;
	member_spec inner[] = { { "readme.txt", "hello", 5 },
				{ "dir/eicar.com", rq_test_eicar, strlen(rq_test_eicar) } };
	blob tar = make_archive("ustar", NULL, NULL, inner, 2);
	member_spec outer[] = { { "a.tar", tar.data, tar.len }, { "m.bin", "MARKER-12345", 12 } };
	blob zip = make_archive("zip", NULL, NULL, outer, 2);
	collected c = scan_with(e, &opts, &zip);
	assert_int_equal(c.infected, 1);
	assert_string_equal(c.type, "zip");
	assert_non_null(strstr(c.text, "found:Eicar-Test-Signature@a.tar//dir/eicar.com;"));
	assert_non_null(strstr(c.text, "found:Test.Marker@m.bin;"));

	/* first-match mode stops at the first detection */
	opts.all_matches = 0;
	c = scan_with(e, &opts, &zip);
	assert_string_equal(c.text, "found:Eicar-Test-Signature@a.tar//dir/eicar.com;");

	/* the same tar compressed: gzip filter over tar, and a lone gzip stream */
	blob tgz = make_archive("ustar", "gzip", NULL, inner, 2);
	c = scan_with(e, &opts, &tgz);
	assert_string_equal(c.text, "found:Eicar-Test-Signature@dir/eicar.com;");
	free(tar.data);
	free(zip.data);
	free(tgz.data);
	rq_engine_free(e);
}

static void test_recursion_limit(void **state)
{
	rq_engine *e = eicar_engine();
	member_spec m = { "eicar.com", rq_test_eicar, strlen(rq_test_eicar) };
	blob level = make_archive("zip", NULL, NULL, &m, 1);
	char name[32];
	for (int depth = 2; depth <= 4; depth++) { /* eicar at depth 4 inside 4 zips */
		snprintf(name, sizeof(name), "l%d.zip", depth - 1);
		member_spec wrap = { name, level.data, level.len };
		blob next = make_archive("zip", NULL, NULL, &wrap, 1);
		free(level.data);
		level = next;
	}
	rq_scan_options opts;
	rq_scan_options_default(&opts);
	collected c = scan_with(e, &opts, &level);
	assert_string_equal(c.text, "found:Eicar-Test-Signature@l3.zip//l2.zip//l1.zip//eicar.com;");
	opts.limits.max_recursion = 2;
	c = scan_with(e, &opts, &level);
	assert_int_equal(c.infected, 0);
	assert_string_equal(c.text, "limit:Heuristics.Limits.Exceeded.MaxRecursion@l3.zip//l2.zip;");
	free(level.data);
	rq_engine_free(e);
}

static void test_size_and_count_limits(void **state)
{
	rq_engine *e = eicar_engine();
	static uint8_t big[300 * 1024];
	memset(big, 'a', sizeof(big));
	member_spec ms[] = { { "big.txt", big, sizeof(big) },
			     { "e1.com", rq_test_eicar, strlen(rq_test_eicar) },
			     { "e2.com", rq_test_eicar, strlen(rq_test_eicar) } };
	blob zip = make_archive("zip", NULL, NULL, ms, 3);
	rq_scan_options opts;
	rq_scan_options_default(&opts);
	opts.all_matches = 1;
	opts.limits.max_filesize = 200 * 1024;
	collected c = scan_with(e, &opts, &zip);
	assert_string_equal(c.text, "limit:Heuristics.Limits.Exceeded.MaxFileSize@big.txt;"
				    "found:Eicar-Test-Signature@e1.com;"
				    "found:Eicar-Test-Signature@e2.com;");
	rq_scan_options_default(&opts);
	opts.all_matches = 1;
	opts.limits.max_files = 2;
	c = scan_with(e, &opts, &zip);
	assert_string_equal(c.text, "found:Eicar-Test-Signature@e1.com;"
				    "limit:Heuristics.Limits.Exceeded.MaxFiles@;");
	rq_scan_options_default(&opts);
	opts.all_matches = 1;
	opts.limits.max_scansize = 100 * 1024 + zip.len; /* the archive itself, then too little */
	c = scan_with(e, &opts, &zip);
	assert_non_null(strstr(c.text, "limit:Heuristics.Limits.Exceeded.MaxScanSize@big.txt;"));
	free(zip.data);
	rq_engine_free(e);
}

static void test_bomb_ratio(void **state)
{
	rq_engine *e = eicar_engine();
	size_t n = 64u << 20; /* 64 MiB of zeros deflate to ~64 KiB: ratio ~1000 */
	uint8_t *zeros = calloc(1, n);
	member_spec ms[] = { { "zeros.bin", zeros, n },
			     { "after.com", rq_test_eicar, strlen(rq_test_eicar) } };
	blob zip = make_archive("zip", NULL, NULL, ms, 2);
	rq_scan_options opts;
	rq_scan_options_default(&opts);
	opts.limits.max_filesize = 0;
	opts.limits.max_scansize = 0;
	collected c = scan_with(e, &opts, &zip);
	assert_string_equal(c.text, "limit:Heuristics.Limits.Exceeded.CompressionRatio@zeros.bin;");
	opts.limits.max_ratio = 0; /* ratio check off: the zeros are scanned, then eicar found */
	c = scan_with(e, &opts, &zip);
	assert_string_equal(c.text, "found:Eicar-Test-Signature@after.com;");
	free(zeros);
	free(zip.data);
	rq_engine_free(e);
}

static void test_encrypted_and_damaged(void **state)
{
	rq_engine *e = eicar_engine();
	member_spec ms[] = { { "secret.com", rq_test_eicar, strlen(rq_test_eicar) } };
	blob enc = make_archive("zip", NULL, "zip:encryption=zipcrypt", ms, 1);
	rq_scan_options opts;
	rq_scan_options_default(&opts);
	collected c = scan_with(e, &opts, &enc);
	assert_int_equal(c.infected, 0);
	assert_string_equal(c.text, "encrypted:Heuristics.Encrypted.Zip@secret.com;");

	/* a tar cut in the middle of its second member: the first is still scanned */
	static uint8_t filler[8192];
	memset(filler, 'f', sizeof(filler));
	member_spec two[] = { { "e.com", rq_test_eicar, strlen(rq_test_eicar) },
			      { "f.bin", filler, sizeof(filler) } };
	blob tar = make_archive("ustar", NULL, NULL, two, 2);
	blob cut = { tar.data, 512 + 512 + 512 + 1000 };
	c = scan_with(e, &opts, &cut);
	assert_string_equal(c.text, "found:Eicar-Test-Signature@e.com;");
	/* every prefix of the archive scans without error */
	for (size_t len = 0; len < tar.len; len += 97) {
		blob part = { tar.data, len };
		c = scan_with(e, &opts, &part);
		assert_int_equal(c.error, 0);
	}
	free(enc.data);
	free(tar.data);
	rq_engine_free(e);
}

static void test_files_and_pipes(void **state)
{
	rq_engine *e = eicar_engine();
	char *dir = rq_test_tmpdir();
	member_spec m = { "x/eicar.com", rq_test_eicar, strlen(rq_test_eicar) };
	blob zip = make_archive("zip", NULL, NULL, &m, 1);
	char *path = rq_test_write(dir, "a.zip", zip.data, zip.len);
	rq_scanner *s = NULL;
	assert_int_equal(rq_scanner_new(&s, e, NULL), 0);
	int fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	collected c;
	memset(&c, 0, sizeof(c));
	assert_int_equal(rq_scanner_scan_fd(s, fd, path, collect, &c), 0);
	assert_string_equal(c.text, "found:Eicar-Test-Signature@x/eicar.com;");
	assert_int_equal(c.fd, fd); /* the callback sees the descriptor it may act on */
	close(fd);

	/* a pipe is read whole, then scanned like a buffer */
	int p[2];
	assert_int_equal(pipe(p), 0);
	assert_int_equal(write(p[1], zip.data, zip.len), (ssize_t)zip.len);
	close(p[1]);
	memset(&c, 0, sizeof(c));
	assert_int_equal(rq_scanner_scan_fd(s, p[0], "stdin", collect, &c), 0);
	assert_string_equal(c.text, "found:Eicar-Test-Signature@x/eicar.com;");
	close(p[0]);
	rq_scanner_free(s);
	free(path);
	free(zip.data);
	rq_test_rmtree(dir);
	free(dir);
	rq_engine_free(e);
}

static void test_file_over_max_filesize(void **state)
{
	rq_engine *e = eicar_engine();
	rq_scan_options opts;
	rq_scan_options_default(&opts);
	opts.limits.max_filesize = 10;
	blob eicar = { (uint8_t *)rq_test_eicar, strlen(rq_test_eicar) };
	collected c = scan_with(e, &opts, &eicar);
	assert_int_equal(c.infected, 0);
	assert_string_equal(c.text, "limit:Heuristics.Limits.Exceeded.MaxFileSize@;");
	rq_engine_free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_buffers),
		cmocka_unit_test(test_members_and_nesting),
		cmocka_unit_test(test_recursion_limit),
		cmocka_unit_test(test_size_and_count_limits),
		cmocka_unit_test(test_bomb_ratio),
		cmocka_unit_test(test_encrypted_and_damaged),
		cmocka_unit_test(test_files_and_pipes),
		cmocka_unit_test(test_file_over_max_filesize),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
