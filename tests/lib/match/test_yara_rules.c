/*
 * Tests of YARA through libyara at the module level: rq_load_yara keeps the
 * files, rq_yaradb_build compiles them (bad files reported and skipped),
 * rq_yarascan runs them with the external variables set per file.
 */
#include "testutil.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "match/yara_rules.h"
#include "sigs/sigset.h"

/* --- helpers --- */

typedef struct warnings {
	char text[4096];
	unsigned count;
} warnings;

static int on_warning(const char *file, unsigned line, const char *message, void *payload)
{
	warnings *w = payload;
	char one[1024];
	snprintf(one, sizeof(one), "%s:%u: %s\n", rq_basename(file), line, message);
	strncat(w->text, one, sizeof(w->text) - strlen(w->text) - 1);
	w->count++;
	return 0;
}

typedef struct fixture {
	rq_sigset set;
	warnings warn;
	rq_yaradb *db;
	rq_yarascan *scan;
} fixture;

static void fx_init(fixture *fx, int strict)
{
	memset(fx, 0, sizeof(*fx));
	rq_engine_options opts = { .strict = strict, .on_warning = on_warning,
				   .warning_payload = &fx->warn };
	rq_sigset_init(&fx->set, &opts);
}

static void fx_add(fixture *fx, const char *name, const char *text)
{
	int rc = rq_load_yara(&fx->set, name, (const uint8_t *)text, strlen(text), 0);
	if (rc)
		fail_msg("load %s: %s", name, rq_error_last());
}

static void fx_add_bytes(fixture *fx, const char *name, const uint8_t *data, size_t len,
			 int compiled)
{
	int rc = rq_load_yara(&fx->set, name, data, len, compiled);
	if (rc)
		fail_msg("load %s: %s", name, rq_error_last());
}

static void fx_build(fixture *fx)
{
	int rc = rq_yaradb_build(&fx->db, &fx->set);
	if (rc)
		fail_msg("build: %s", rq_error_last());
	assert_non_null(fx->db);
	rc = rq_yarascan_new(&fx->scan, fx->db);
	if (rc)
		fail_msg("scanner: %s", rq_error_last());
	assert_non_null(fx->scan);
}

static void fx_free(fixture *fx)
{
	rq_yarascan_free(fx->scan);
	rq_yaradb_free(fx->db);
	rq_sigset_free(&fx->set);
}

typedef struct hits {
	char text[2048];
	unsigned count;
	unsigned stop_after; /* 0: never stop */
} hits;

static int collect(const char *rule, const char *source, void *payload)
{
	hits *h = payload;
	char one[512];
	snprintf(one, sizeof(one), "%s%s@%s", h->text[0] ? "," : "", rule, rq_basename(source));
	strncat(h->text, one, sizeof(h->text) - strlen(h->text) - 1);
	h->count++;
	return h->stop_after && h->count >= h->stop_after;
}

/* Scan a buffer as `path` of `type`; returns the "rule@source,..." list (static). */
static const char *scan_as(fixture *fx, const void *data, size_t len, const char *path,
			   const char *type)
{
	static hits h;
	memset(&h, 0, sizeof(h));
	rq_yara_file file = { .path = path, .filetype = type, .owner = "" };
	int rc = rq_yarascan_buffer(fx->scan, data, len, &file, collect, &h);
	if (rc)
		fail_msg("scan %s: %s", path, rq_error_last());
	return h.text;
}

static const char *scan_str(fixture *fx, const char *text)
{
	return scan_as(fx, text, strlen(text), "/tmp/sample.bin", "DATA");
}

static int have_yarac(void)
{
	return system("command -v yarac >/dev/null 2>&1") == 0;
}

/* Compile `source` with yarac (extra arguments in `args`) and return the bytes. */
static uint8_t *yarac(const char *dir, const char *source, const char *args, size_t *len)
{
	char *src = rq_test_write(dir, "in.yar", source, strlen(source));
	char *out = NULL, *cmd = NULL;
	uint8_t *data = NULL;
	assert_true(asprintf(&out, "%s/out.yarc", dir) > 0);
	assert_true(asprintf(&cmd, "yarac %s '%s' '%s' 2>&1", args, src, out) > 0);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(rq_read_file(out, 1 << 24, &data, len), 0);
	unlink(src);
	unlink(out);
	free(src);
	free(out);
	free(cmd);
	return data;
}

/* --- rule kinds --- */

static const char kinds_rules[] =
	"rule text_rule { strings: $a = \"evil-marker\" condition: $a }\n"
	"rule wide_nocase { strings: $a = \"Secret\" wide nocase condition: $a }\n"
	"rule hex_rule { strings: $h = { 4D 5A ?? 00 [2-4] DE AD } condition: $h }\n"
	"rule hex_alt { strings: $h = { 13 37 ( AA | BB ) ?C } condition: $h at 0 }\n"
	"rule regex_rule { strings: $r = /pass(word)?=[0-9]{4,}/ condition: $r }\n"
	"private rule helper { strings: $p = \"helper-string\" condition: $p }\n"
	"rule uses_private { condition: helper and filesize < 100 }\n"
	"rule counted { strings: $x = \"xy\" condition: #x == 3 }\n";

static void test_rule_kinds(void **state)
{
	fixture fx;
	fx_init(&fx, 0);
	fx_add(&fx, "/sigs/kinds.yar", kinds_rules);
	fx_build(&fx);
	assert_int_equal(rq_yaradb_rule_count(fx.db), 7); /* the private helper not counted */

	assert_string_equal(scan_str(&fx, "xx evil-marker xx"), "text_rule@kinds.yar");
	assert_string_equal(scan_str(&fx, "no marker here"), "");
	assert_string_equal(scan_as(&fx, "s\0E\0c\0R\0e\0T\0", 12, "/a", "DATA"),
			    "wide_nocase@kinds.yar");

	static const uint8_t hex_ok[] = { 0, 'M', 'Z', 9, 0, 1, 2, 3, 0xDE, 0xAD };
	static const uint8_t hex_short_jump[] = { 'M', 'Z', 9, 0, 1, 0xDE, 0xAD };
	static const uint8_t hex_long_jump[] = { 'M', 'Z', 9, 0, 1, 2, 3, 4, 5, 0xDE, 0xAD };
	assert_string_equal(scan_as(&fx, hex_ok, sizeof(hex_ok), "/a", "DATA"), "hex_rule@kinds.yar");
	assert_string_equal(scan_as(&fx, hex_short_jump, sizeof(hex_short_jump), "/a", "DATA"), "");
	assert_string_equal(scan_as(&fx, hex_long_jump, sizeof(hex_long_jump), "/a", "DATA"), "");

	static const uint8_t alt_ok[] = { 0x13, 0x37, 0xBB, 0x4C, 0 };
	static const uint8_t alt_bad[] = { 0x13, 0x37, 0xCC, 0x4C, 0 };
	static const uint8_t alt_late[] = { 0, 0x13, 0x37, 0xAA, 0x0C };
	assert_string_equal(scan_as(&fx, alt_ok, sizeof(alt_ok), "/a", "DATA"), "hex_alt@kinds.yar");
	assert_string_equal(scan_as(&fx, alt_bad, sizeof(alt_bad), "/a", "DATA"), "");
	assert_string_equal(scan_as(&fx, alt_late, sizeof(alt_late), "/a", "DATA"), "");

	assert_string_equal(scan_str(&fx, "user password=12345;"), "regex_rule@kinds.yar");
	assert_string_equal(scan_str(&fx, "user pass=9999"), "regex_rule@kinds.yar");
	assert_string_equal(scan_str(&fx, "user pass=999"), "");

	assert_string_equal(scan_str(&fx, "a helper-string b"), "uses_private@kinds.yar");
	assert_string_equal(scan_str(&fx, "xy xy xy"), "counted@kinds.yar");
	assert_string_equal(scan_str(&fx, "xy xy xy xy"), "");
	assert_string_equal(scan_str(&fx, ""), "");
	fx_free(&fx);
}

/* --- external variables --- */

static const char ext_rules[] =
	"rule by_name { condition: filename == \"invoice.pdf.EXE\" }\n"
	"rule by_ext { condition: extension == \".exe\" }\n"
	"rule no_ext { condition: extension == \"\" }\n"
	"rule by_path { condition: filepath contains \"/Downloads/\" }\n"
	"rule by_type_exe { condition: filetype == \"EXE\" }\n"
	"rule by_type_elf { condition: filetype == \"ELF\" }\n"
	"rule by_type_unknown { condition: filetype == \"UNKNOWN\" }\n"
	"rule by_owner { condition: owner == \"mallory\" }\n";

static void test_externals(void **state)
{
	fixture fx;
	fx_init(&fx, 0);
	fx_add(&fx, "ext.yar", ext_rules);
	fx_build(&fx);

	assert_string_equal(scan_as(&fx, "x", 1, "/home/u/Downloads/invoice.pdf.EXE", "PE"),
			    "by_name@ext.yar,by_ext@ext.yar,by_path@ext.yar,by_type_exe@ext.yar");
	assert_string_equal(scan_as(&fx, "x", 1, "invoice.pdf.EXE", "pe"),
			    "by_name@ext.yar,by_ext@ext.yar,by_type_exe@ext.yar");
	assert_string_equal(scan_as(&fx, "x", 1, "/usr/bin/ls", "ELF"),
			    "no_ext@ext.yar,by_type_elf@ext.yar");
	assert_string_equal(scan_as(&fx, "x", 1, "/home/u/.bashrc", "TEXT"), "no_ext@ext.yar");
	assert_string_equal(scan_as(&fx, "x", 1, "/a/b.c/noext", "DATA"),
			    "no_ext@ext.yar,by_type_unknown@ext.yar");
	assert_string_equal(scan_as(&fx, "x", 1, "/a/x.EXE/y.tar.gz", "GZIP"), "");

	/* owner, and a NULL file: every external "" (filetype UNKNOWN) */
	hits h = { 0 };
	rq_yara_file file = { .path = "/srv/a.txt", .filetype = "TEXT", .owner = "mallory" };
	assert_int_equal(rq_yarascan_buffer(fx.scan, (const uint8_t *)"x", 1, &file, collect, &h), 0);
	assert_string_equal(h.text, "by_owner@ext.yar");
	memset(&h, 0, sizeof(h));
	assert_int_equal(rq_yarascan_buffer(fx.scan, (const uint8_t *)"x", 1, NULL, collect, &h), 0);
	assert_string_equal(h.text, "no_ext@ext.yar,by_type_unknown@ext.yar");
	fx_free(&fx);
}

/* --- bad files among good ones --- */

static void test_bad_files_skipped(void **state)
{
	fixture fx;
	fx_init(&fx, 0);
	fx_add(&fx, "/r/a_good.yar",
	       "rule dup { strings: $a = \"alpha\" condition: $a }\n"
	       "rule only_a { strings: $a = \"alpha\" condition: $a }\n");
	fx_add(&fx, "/r/b_bad.yar",
	       "rule fine_before { condition: false }\n"
	       "rule broken {\n"
	       "  strings: $a = \"x\" condition: $a and and\n"
	       "}\n");
	/* same rule name as a_good.yar: its own namespace makes this legal */
	fx_add(&fx, "/r/c_good.yar", "rule dup { strings: $a = \"alpha\" condition: $a }\n");
	fx_add(&fx, "/r/d_undefined.yar",
	       "\n\nrule u { condition: md5_of_file == \"x\" }\n");
	fx_add(&fx, "/r/e_include.yar", "include \"other.yar\"\nrule i { condition: true }\n");
	fx_add(&fx, "/r/f_good.yar", "rule f { strings: $a = \"alpha\" condition: $a }\n");
	fx_add(&fx, "/other/a_good.yar", "rule g { strings: $a = \"alpha\" condition: $a }\n");
	fx_build(&fx);

	assert_int_equal(fx.warn.count, 3);
	assert_non_null(strstr(fx.warn.text, "b_bad.yar:3: "));
	assert_non_null(strstr(fx.warn.text, "d_undefined.yar:3: "));
	assert_non_null(strstr(fx.warn.text, "undefined identifier"));
	assert_non_null(strstr(fx.warn.text, "e_include.yar:1: "));
	assert_int_equal(fx.set.stats.malformed, 3);
	assert_int_equal(rq_yaradb_rule_count(fx.db), 5);

	assert_string_equal(scan_str(&fx, "alpha"),
			    "dup@a_good.yar,only_a@a_good.yar,dup@c_good.yar,f@f_good.yar,"
			    "g@a_good.yar");
	fx_free(&fx);
}

static void test_all_bad_and_empty(void **state)
{
	fixture fx;
	fx_init(&fx, 0);
	rq_yaradb *db = (rq_yaradb *)&fx; /* must be reset */
	assert_int_equal(rq_yaradb_build(&db, &fx.set), 0);
	assert_null(db); /* no YARA inputs */
	fx_add(&fx, "x.yar", "rule {");
	fx_add(&fx, "y.yara", "rule y { condition: nope }");
	assert_int_equal(rq_yaradb_build(&db, &fx.set), 0);
	assert_null(db); /* nothing usable */
	assert_int_equal(fx.warn.count, 2);
	/* NULL database: a NULL scanner that finds nothing */
	rq_yarascan *scan = (rq_yarascan *)&fx;
	assert_int_equal(rq_yarascan_new(&scan, NULL), 0);
	assert_null(scan);
	assert_int_equal(rq_yarascan_buffer(NULL, (const uint8_t *)"a", 1, NULL, collect, NULL), 0);
	rq_yaradb_free(NULL);
	rq_yarascan_free(NULL);
	fx_free(&fx);
}

static void test_strict_mode(void **state)
{
	fixture fx;
	fx_init(&fx, 1);
	fx_add(&fx, "good.yar", "rule g { condition: true }");
	fx_add(&fx, "bad.yar", "rule b { condition: }");
	rq_yaradb *db = NULL;
	assert_int_equal(rq_yaradb_build(&db, &fx.set), RQ_EPARSE);
	assert_null(db);
	assert_non_null(strstr(rq_error_last(), "bad.yar:1: "));
	fx_free(&fx);
}

static void test_source_checks(void **state)
{
	fixture fx;
	fx_init(&fx, 0);
	/* UTF-8 byte-order mark: dropped */
	fx_add(&fx, "bom.yar", "\xEF\xBB\xBFrule bom { strings: $a = \"bom-ok\" condition: $a }");
	/* NUL byte (UTF-16 file): reported with its line, skipped */
	static const uint8_t utf16[] = { 'r', 0, 'u', 0 };
	static const uint8_t nul_line2[] = "rule a { condition: true }\n\0rule b";
	fx_add_bytes(&fx, "utf16.yar", utf16, sizeof(utf16), 0);
	fx_add_bytes(&fx, "nul.yar", nul_line2, sizeof(nul_line2) - 1, 0);
	assert_int_equal(fx.set.yara_count, 1);
	assert_int_equal(fx.warn.count, 2);
	assert_non_null(strstr(fx.warn.text, "utf16.yar:1: "));
	assert_non_null(strstr(fx.warn.text, "nul.yar:2: "));
	/* kept sources are NUL-terminated */
	assert_int_equal(fx.set.yara[0].data[fx.set.yara[0].len], 0);
	/* a .yarc without the magic */
	fx_add_bytes(&fx, "fake.yarc", (const uint8_t *)"rule x", 6, 1);
	fx_add_bytes(&fx, "tiny.yarc", (const uint8_t *)"YA", 2, 1);
	assert_int_equal(fx.set.yara_count, 1);
	assert_non_null(strstr(fx.warn.text, "fake.yarc:0: not a compiled YARA file"));
	fx_build(&fx);
	assert_string_equal(scan_str(&fx, "..bom-ok.."), "bom@bom.yar");
	fx_free(&fx);
}

/* --- compiled rules --- */

static void test_yarc(void **state)
{
	if (!have_yarac()) {
		skip();
		return;
	}
	char *dir = rq_test_tmpdir();
	size_t plain_len = 0, ext_len = 0;
	uint8_t *plain = yarac(dir, "rule compiled_text { strings: $a = \"alpha\" condition: $a }\n"
				    "rule compiled_hex { strings: $h = { 61 6C ?? 68 61 } condition: $h }\n",
			       "", &plain_len);
	/* declares only `filename` (and `extension` as an integer): the others are not set */
	uint8_t *ext = yarac(dir, "rule compiled_name { condition: filename == \"target.bin\" }\n",
			     "-d filename=x -d extension=3", &ext_len);

	fixture fx;
	fx_init(&fx, 0);
	fx_add(&fx, "/s/src.yar", "rule from_source { strings: $a = \"alpha\" condition: $a }");
	fx_add_bytes(&fx, "/s/plain.yarc", plain, plain_len, 1);
	fx_add_bytes(&fx, "/s/ext.yarc", ext, ext_len, 1);
	/* truncated: right magic, cut body -> reported at build, others still load */
	fx_add_bytes(&fx, "/s/cut.yarc", plain, plain_len / 2, 1);
	fx_build(&fx);
	assert_int_equal(fx.warn.count, 1);
	assert_non_null(strstr(fx.warn.text, "cut.yarc:0: "));
	assert_int_equal(rq_yaradb_rule_count(fx.db), 4);

	assert_string_equal(scan_as(&fx, "alpha", 5, "/d/target.bin", "DATA"),
			    "from_source@src.yar,compiled_text@plain.yarc,compiled_hex@plain.yarc,"
			    "compiled_name@ext.yarc");
	assert_string_equal(scan_as(&fx, "beta", 4, "/d/other.bin", "DATA"), "");

	/* the callback's stop is honoured across rule sets */
	hits h = { .stop_after = 2 };
	rq_yara_file file = { .path = "/d/target.bin", .filetype = "DATA", .owner = "" };
	assert_int_equal(rq_yarascan_buffer(fx.scan, (const uint8_t *)"alpha", 5, &file, collect, &h), 0);
	assert_string_equal(h.text, "from_source@src.yar,compiled_text@plain.yarc");

	fx_free(&fx);
	free(plain);
	free(ext);
	rq_test_rmtree(dir);
	free(dir);
}

/* --- by descriptor --- */

static void test_scan_fd(void **state)
{
	char *dir = rq_test_tmpdir();
	static const uint8_t body[] = { 'M', 'Z', 0x90, 0, 7, 7, 0xDE, 0xAD, 'e', 'n', 'd' };
	char *path = rq_test_write(dir, "Sample.EXE", body, sizeof(body));
	char *empty = rq_test_write(dir, "empty.dat", "", 0);

	fixture fx;
	fx_init(&fx, 0);
	fx_add(&fx, "k.yar", kinds_rules);
	fx_add(&fx, "e.yar", ext_rules);
	fx_build(&fx);

	int fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	hits h = { 0 };
	rq_yara_file file = { .path = path, .filetype = "PE", .owner = "" };
	assert_int_equal(rq_yarascan_fd(fx.scan, fd, &file, collect, &h), 0);
	assert_string_equal(h.text, "hex_rule@k.yar,by_ext@e.yar,by_type_exe@e.yar");
	/* the same descriptor again: libyara maps from offset 0 whatever the position */
	memset(&h, 0, sizeof(h));
	assert_int_equal(lseek(fd, 5, SEEK_SET), 5);
	assert_int_equal(rq_yarascan_fd(fx.scan, fd, &file, collect, &h), 0);
	assert_string_equal(h.text, "hex_rule@k.yar,by_ext@e.yar,by_type_exe@e.yar");
	close(fd);

	fd = open(empty, O_RDONLY);
	assert_true(fd >= 0);
	memset(&h, 0, sizeof(h));
	file = (rq_yara_file){ .path = empty, .filetype = "DATA", .owner = "" };
	assert_int_equal(rq_yarascan_fd(fx.scan, fd, &file, collect, &h), 0);
	assert_string_equal(h.text, "by_type_unknown@e.yar");
	close(fd);

	assert_int_equal(rq_yarascan_fd(fx.scan, -1, &file, collect, &h), RQ_EINVAL);
	fx_free(&fx);
	unlink(path);
	unlink(empty);
	free(path);
	free(empty);
	rq_test_rmtree(dir);
	free(dir);
}

/* --- a string matching too often does not stop the decision --- */

static void test_too_many_matches(void **state)
{
	fixture fx;
	fx_init(&fx, 0);
	fx_add(&fx, "many.yar",
	       "rule many { strings: $a = { 41 41 } condition: #a > 100 }\n"
	       "rule other { strings: $b = \"tail-marker\" condition: $b }\n");
	fx_build(&fx);
	size_t len = 1100000 + 11;
	uint8_t *data = malloc(len);
	assert_non_null(data);
	memset(data, 'A', len - 11);
	memcpy(data + len - 11, "tail-marker", 11);
	assert_string_equal(scan_as(&fx, data, len, "/big", "DATA"), "many@many.yar,other@many.yar");
	free(data);
	fx_free(&fx);
}

/* --- threads: one scanner each, shared rules --- */

typedef struct worker {
	const rq_yaradb *db;
	const char *data;
	const char *path;
	const char *expect;
	int failures;
} worker;

static void *work(void *arg)
{
	worker *w = arg;
	rq_yarascan *scan = NULL;
	if (rq_yarascan_new(&scan, w->db)) {
		w->failures = -1;
		return NULL;
	}
	for (int i = 0; i < 300; i++) {
		hits h = { 0 };
		rq_yara_file file = { .path = w->path, .filetype = "DATA", .owner = "" };
		if (rq_yarascan_buffer(scan, (const uint8_t *)w->data, strlen(w->data), &file,
				       collect, &h) ||
		    strcmp(h.text, w->expect))
			w->failures++;
	}
	rq_yarascan_free(scan);
	return NULL;
}

static void test_threads(void **state)
{
	fixture fx;
	fx_init(&fx, 0);
	fx_add(&fx, "k.yar", kinds_rules);
	fx_add(&fx, "e.yar", ext_rules);
	fx_build(&fx);
	worker w[2] = {
		{ fx.db, "xx evil-marker xx", "/t/a.exe", "text_rule@k.yar,by_ext@e.yar,by_type_unknown@e.yar", 0 },
		{ fx.db, "password=55555 xy", "/Downloads/b", "regex_rule@k.yar,no_ext@e.yar,by_path@e.yar,by_type_unknown@e.yar", 0 },
	};
	pthread_t t[2];
	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&t[i], NULL, work, &w[i]), 0);
	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_join(t[i], NULL), 0);
	assert_int_equal(w[0].failures, 0);
	assert_int_equal(w[1].failures, 0);
	fx_free(&fx);
}

int main(void)
{
	/* These tests are about libyara: keep simple rules away from the native
	 * matcher (tests/lib/sigs/test_yara_native.c covers that path). */
	setenv("RAQUET_YARA_NATIVE", "0", 1);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rule_kinds),
		cmocka_unit_test(test_externals),
		cmocka_unit_test(test_bad_files_skipped),
		cmocka_unit_test(test_all_bad_and_empty),
		cmocka_unit_test(test_strict_mode),
		cmocka_unit_test(test_source_checks),
		cmocka_unit_test(test_yarc),
		cmocka_unit_test(test_scan_fd),
		cmocka_unit_test(test_too_many_matches),
		cmocka_unit_test(test_threads),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
