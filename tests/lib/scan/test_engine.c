/*
 * The engine's life cycle through the public API: loading files and
 * folders, statistics by signature type, ignore lists across formats,
 * strict mode and the warning callback, misuse errors, and one compiled
 * engine shared by several scanning threads.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

#define EICAR_MD5 "44d88612fea8a8f36de82e1278abb02f"

static void test_stats_by_type(void **state)
{
	rq_engine *e = rq_test_engine(
		1, "hdb", EICAR_MD5 ":68:Local.Md5\n" "0123456789abcdef0123456789abcdef:10:Other\n",
		"hsb", "3395856ce81f2b7382dee72602f798b642f14140:68:Local.Sha1\n",
		"ndb", "Local.Body:0:*:4142434445\n", "txt", "# iocs\n" EICAR_MD5 ";eicar\n",
		"fp", "0123456789abcdef0123456789abcdef:1:Allowed\n",
		"yar", "rule R { strings: $a = /ab+c/ condition: $a }\n", NULL);
	rq_engine_stats st;
	rq_engine_stats_get(e, &st);
	assert_int_equal(st.by_type[RQ_SIG_MD5], 2);
	assert_int_equal(st.by_type[RQ_SIG_SHA1], 1);
	assert_int_equal(st.by_type[RQ_SIG_BODY], 1);
	assert_int_equal(st.by_type[RQ_SIG_IOC], 1);
	assert_int_equal(st.by_type[RQ_SIG_YARA], 1);
	assert_int_equal(st.by_type[RQ_SIG_BUILTIN], 0);
	assert_int_equal(st.allow_hashes, 1);
	assert_int_equal(st.total, 6);
	rq_engine_free(e);
	e = rq_test_engine(0, NULL);
	rq_engine_stats_get(e, &st);
	assert_true(st.by_type[RQ_SIG_BUILTIN] > 0);
	rq_engine_free(e);
}

static void test_ignore_list_drops_every_kind(void **state)
{
	rq_engine *e = rq_test_engine(0, "hdb", EICAR_MD5 ":68:Dropped.Md5\n",
				      "ndb", "Dropped.Body:0:*:4142434445\nKept.Body:0:*:5a5a5a5a\n",
				      "ign2", "Dropped.Md5\nDropped.Body\nEicar-Test-Signature\n",
				      "yar", "rule Dropped_Yara { strings: $a = /yy+z/ condition: $a }\n",
				      "ign2", "Dropped_Yara\n", NULL);
	rq_engine_stats st;
	rq_engine_stats_get(e, &st);
	assert_true(st.ignored >= 3);
	char *names = rq_test_scan_buffer(e, rq_test_eicar, strlen(rq_test_eicar), 1);
	assert_string_equal(names, "");
	free(names);
	names = rq_test_scan_buffer(e, "ABCDE ZZZZ yyyz", 15, 1);
	assert_string_equal(names, "Kept.Body");
	free(names);
	rq_engine_free(e);
}

static void test_folder_loading(void **state)
{
	char *dir = rq_test_tmpdir();
	free(rq_test_write(dir, "b.ndb", "Second:0:*:5a5a5a5a\n", 20));
	free(rq_test_write(dir, "a.ndb", "First:0:*:5a5a5a5a\n", 19));
	free(rq_test_write(dir, "notes.doc", "not a signature file", 20));
	free(rq_test_write(dir, ".hidden.ndb", "Hidden:0:*:5a5a5a5a\n", 20));
	rq_engine *e = NULL;
	assert_int_equal(rq_engine_new(&e, NULL), 0);
	assert_int_equal(rq_engine_load_path(e, dir), 0);
	assert_int_equal(rq_engine_compile(e), 0);
	rq_engine_stats st;
	rq_engine_stats_get(e, &st);
	assert_int_equal(st.files, 2);
	assert_int_equal(st.by_type[RQ_SIG_BODY], 2);
	/* files load in name order, so the first match is named after a.ndb's signature */
	char *names = rq_test_scan_buffer(e, "..ZZZZ..", 8, 0);
	assert_string_equal(names, "First");
	free(names);
	rq_engine_free(e);
	rq_test_rmtree(dir);
	free(dir);
}

typedef struct warnings {
	int count;
	char last[256];
	int stop_at;
} warnings;

static int on_warning(const char *file, unsigned line, const char *message, void *payload)
{
	warnings *w = payload;
	w->count++;
	snprintf(w->last, sizeof(w->last), "%s:%u: %s", file, line, message);
	return w->stop_at && w->count >= w->stop_at;
}

static void test_warnings_and_strict(void **state)
{
	static const char text[] = "Good:0:*:41424344\nBad:0:*:4142zz\nAlso.Good:0:*:45464748\n";
	warnings w = { 0, "", 0 };
	rq_engine_options opts = { .on_warning = on_warning, .warning_payload = &w };
	rq_engine *e = NULL;
	assert_int_equal(rq_engine_new(&e, &opts), 0);
	assert_int_equal(rq_engine_load_buffer(e, "ndb", "x.ndb", text, strlen(text)), 0);
	assert_int_equal(w.count, 1);
	assert_true(strncmp(w.last, "x.ndb:2: ", 9) == 0);
	assert_int_equal(rq_engine_compile(e), 0);
	rq_engine_stats st;
	rq_engine_stats_get(e, &st);
	assert_int_equal(st.malformed, 1);
	assert_int_equal(st.by_type[RQ_SIG_BODY], 2);
	rq_engine_free(e);

	opts.strict = 1;
	assert_int_equal(rq_engine_new(&e, &opts), 0);
	assert_int_equal(rq_engine_load_buffer(e, "ndb", "x.ndb", text, strlen(text)), RQ_EPARSE);
	assert_true(strncmp(rq_error_last(), "x.ndb:2: ", 9) == 0);
	rq_engine_free(e);

	opts.strict = 0;
	w.stop_at = 1;
	assert_int_equal(rq_engine_new(&e, &opts), 0);
	assert_int_equal(rq_engine_load_buffer(e, "ndb", "x.ndb", text, strlen(text)), RQ_ESTOPPED);
	rq_engine_free(e);
}

static void test_misuse(void **state)
{
	rq_engine_free(NULL);
	rq_scanner_free(NULL);
	rq_engine *e = NULL;
	rq_scanner *s = NULL;
	assert_int_equal(rq_engine_new(&e, NULL), 0);
	assert_int_equal(rq_scanner_new(&s, e, NULL), RQ_EINVAL);
	assert_null(s);
	assert_int_equal(rq_engine_load_path(e, "/nonexistent/sigs.ndb"), RQ_EIO);
	assert_non_null(strstr(rq_error_last(), "/nonexistent/sigs.ndb"));
	assert_int_equal(rq_engine_load_buffer(e, "exe", "x.exe", "", 0), RQ_EUNSUPPORTED);
	assert_int_equal(rq_engine_compile(e), 0);
	assert_int_equal(rq_engine_load_buffer(e, "ndb", "late.ndb", "A:0:*:41424344\n", 15), RQ_EINVAL);
	assert_int_equal(rq_engine_compile(e), RQ_EINVAL);
	rq_engine_free(e);
	assert_string_equal(rq_error_name(RQ_ELIMIT), "limit exceeded");
	assert_string_equal(rq_sig_type_name(RQ_SIG_SHA256), "sha256");
}

typedef struct job {
	const rq_engine *engine;
	int errors;
} job;

static void *scan_many(void *arg)
{
	job *j = arg;
	char buf[256];
	for (int i = 0; i < 400; i++) {
		int infected = i % 3 == 0;
		snprintf(buf, sizeof(buf), "%d padding %s padding %d", i, infected ? "MARKER-T" : "none", i);
		char *names = rq_test_scan_buffer(j->engine, buf, strlen(buf), 0);
		if (strcmp(names, infected ? "Thread.Marker" : "") != 0)
			j->errors++;
		free(names);
	}
	return NULL;
}

static void test_shared_by_threads(void **state)
{
	rq_engine *e = rq_test_engine(0, "ndb", "Thread.Marker:0:*:4d41524b45522d54\n", NULL);
	pthread_t t[4];
	job jobs[4];
	for (int i = 0; i < 4; i++) {
		jobs[i] = (job){ e, 0 };
		assert_int_equal(pthread_create(&t[i], NULL, scan_many, &jobs[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(jobs[i].errors, 0);
	}
	rq_engine_free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stats_by_type),
		cmocka_unit_test(test_ignore_list_drops_every_kind),
		cmocka_unit_test(test_folder_loading),
		cmocka_unit_test(test_warnings_and_strict),
		cmocka_unit_test(test_misuse),
		cmocka_unit_test(test_shared_by_threads),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
