/*
 * The mirror index cache (server/api/mirror_latest.c): the newest
 * databases read from a real index.json, a republished index seen at once,
 * and a missing or corrupt index giving an empty object, never an error.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/mirror_latest.h"
#include "db/mirror.h"
#include "testutil.h"

static void write_index(const char *dir, const char *name, uint64_t version, int64_t built)
{
	rq_mirror_db db = { .version = version, .size = 4096, .built = built };
	rq_mirror_index idx = { .generated = built, .dbs = &db, .count = 1 };
	char *text = NULL;
	size_t len = 0;
	snprintf(db.name, sizeof(db.name), "%s", name);
	snprintf(db.file, sizeof(db.file), "%s-%llu.rqdb", name, (unsigned long long)version);
	memset(db.sha256, 'a', 64);
	assert_int_equal(rq_mirror_index_dump(&idx, &text, &len), 0);
	/* a new file renamed over the old, as `raquet mirror publish` does */
	free(rq_test_write(dir, "index.json.new", text, len));
	char from[4096], to[4096];
	snprintf(from, sizeof(from), "%s/index.json.new", dir);
	snprintf(to, sizeof(to), "%s/index.json", dir);
	assert_int_equal(rename(from, to), 0);
	free(text);
}

static void test_latest(void **state)
{
	(void)state;
	char *dir = rq_test_tmpdir();
	json_t *j = rq_mirror_latest(dir);
	assert_non_null(j);
	assert_int_equal(json_object_size(j), 0); /* no index yet */
	json_decref(j);

	write_index(dir, "main", 3, 1764000000);
	j = rq_mirror_latest(dir);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "main"), "version")), 3);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "main"), "built")), 1764000000);
	assert_string_equal(json_string_value(json_object_get(json_object_get(j, "main"), "file")), "main-3.rqdb");
	json_decref(j);

	write_index(dir, "main", 4, 1764100000);
	j = rq_mirror_latest(dir);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "main"), "version")), 4);
	json_decref(j);

	free(rq_test_write(dir, "index.json", "{not json", 9));
	j = rq_mirror_latest(dir);
	assert_non_null(j);
	assert_int_equal(json_object_size(j), 0);
	json_decref(j);

	j = rq_mirror_latest("");
	assert_int_equal(json_object_size(j), 0);
	json_decref(j);
	j = rq_mirror_latest(NULL);
	assert_int_equal(json_object_size(j), 0);
	json_decref(j);
	rq_test_rmtree(dir);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_latest),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
