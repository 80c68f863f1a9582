/*
 * Tests of mirror indexes (lib/db/mirror.c): parse/dump round trips and the
 * refusal of every malformed field, duplicate names, unknown formats and
 * oversized lists; a signed index refused after any single flipped byte.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "core/limits.h"
#include "db/mirror.h"

#define SHA_A "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static const char good[] =
	"{\"format\":1,\"generated\":1700000000,\"databases\":["
	"{\"name\":\"main\",\"version\":7,\"size\":1000,\"sha256\":\"" SHA_A "\","
	"\"built\":1699999999,\"file\":\"main-7.rqdb\"},"
	"{\"name\":\"daily\",\"version\":42,\"size\":200,\"sha256\":\"" SHA_A "\","
	"\"built\":1699999000,\"file\":\"daily-42.rqdb\",\"future\":true}]}";

static int parse(const char *text, rq_mirror_index *idx)
{
	return rq_mirror_index_parse(idx, (const uint8_t *)text, strlen(text));
}

static void test_round_trip(void **state)
{
	rq_mirror_index idx, again;
	assert_int_equal(parse(good, &idx), 0);
	assert_int_equal(idx.count, 2);
	assert_int_equal(idx.generated, 1700000000);
	/* sorted by name */
	assert_string_equal(idx.dbs[0].name, "daily");
	assert_string_equal(idx.dbs[1].name, "main");
	const rq_mirror_db *m = rq_mirror_index_find(&idx, "main");
	assert_non_null(m);
	assert_int_equal(m->version, 7);
	assert_int_equal(m->size, 1000);
	assert_int_equal(m->built, 1699999999);
	assert_string_equal(m->sha256, SHA_A);
	assert_string_equal(m->file, "main-7.rqdb");
	assert_null(rq_mirror_index_find(&idx, "other"));
	char *text = NULL;
	size_t len = 0;
	assert_int_equal(rq_mirror_index_dump(&idx, &text, &len), 0);
	assert_int_equal(strlen(text), len);
	assert_int_equal(text[len - 1], '\n');
	assert_int_equal(rq_mirror_index_parse(&again, (uint8_t *)text, len), 0);
	assert_int_equal(again.count, 2);
	assert_memory_equal(again.dbs, idx.dbs, 2 * sizeof *idx.dbs);
	free(text);
	rq_mirror_index_clear(&again);
	rq_mirror_index_clear(&idx);
	/* an empty mirror */
	assert_int_equal(parse("{\"format\":1,\"generated\":5,\"databases\":[]}", &idx), 0);
	assert_int_equal(idx.count, 0);
	rq_mirror_index_clear(&idx);
}

/* `good` with the first occurrence of `from` replaced by `to` must be refused. */
static void refused(const char *from, const char *to, int want)
{
	char text[4096];
	const char *p = strstr(good, from);
	assert_non_null(p);
	snprintf(text, sizeof text, "%.*s%s%s", (int)(p - good), good, to, p + strlen(from));
	rq_mirror_index idx;
	int rc = parse(text, &idx);
	if (rc != want)
		fail_msg("'%s' -> '%s': rc %d, want %d (%s)", from, to, rc, want, rq_error_last());
	assert_int_equal(idx.count, 0);
	assert_null(idx.dbs);
}

static void test_bad_fields(void **state)
{
	refused("\"format\":1", "\"format\":2", RQ_EUNSUPPORTED);
	refused("\"format\":1", "\"format\":0", RQ_EPARSE);
	refused("\"format\":1,", "", RQ_EPARSE);
	refused("\"generated\":1700000000", "\"generated\":-1", RQ_EPARSE);
	refused("\"name\":\"main\"", "\"name\":\"../main\"", RQ_EPARSE);
	refused("\"name\":\"main\"", "\"name\":\"\"", RQ_EPARSE);
	refused("\"name\":\"main\"", "\"name\":\"daily\"", RQ_EPARSE); /* twice */
	refused("\"name\":\"main\"", "\"name\":\"ma\\u0000in\"", RQ_EPARSE);
	refused("\"version\":7", "\"version\":0", RQ_EPARSE);
	refused("\"version\":7", "\"version\":-7", RQ_EPARSE);
	refused("\"version\":7", "\"version\":\"7\"", RQ_EPARSE);
	refused("\"size\":1000", "\"size\":10", RQ_EPARSE); /* smaller than a trailer */
	refused("\"size\":1000", "\"size\":99999999999999", RQ_EPARSE);
	refused("\"sha256\":\"0123", "\"sha256\":\"0123a", RQ_EPARSE);
	refused("\"sha256\":\"0123", "\"sha256\":\"X123", RQ_EPARSE);
	refused("\"sha256\":\"0123", "\"sha256\":\"A123", RQ_EPARSE);
	refused("\"file\":\"main-7.rqdb\"", "\"file\":\"../main-7.rqdb\"", RQ_EPARSE);
	refused("\"file\":\"main-7.rqdb\"", "\"file\":\"/etc/passwd\"", RQ_EPARSE);
	refused("\"file\":\"main-7.rqdb\"", "\"file\":\".main-7.rqdb\"", RQ_EPARSE);
	refused("\"file\":\"main-7.rqdb\"", "\"file\":\"main-7.txt\"", RQ_EPARSE);
	refused("\"file\":\"main-7.rqdb\"", "\"file\":\"a b.rqdb\"", RQ_EPARSE);
	refused("\"built\":1699999999", "\"built\":\"yesterday\"", RQ_EPARSE);
	refused("\"databases\":[", "\"databases\":{\"x\":[", RQ_EPARSE);
	refused("{\"format\":1,", "{\"format\":1,\"format\":1,", RQ_EPARSE); /* duplicate key */
	refused("]}", "]", RQ_EPARSE);
	rq_mirror_index idx;
	assert_int_equal(parse("", &idx), RQ_EPARSE);
	assert_int_equal(parse("[]", &idx), RQ_EPARSE);
}

static void test_limits(void **state)
{
	/* more databases than allowed */
	size_t cap = (RQ_MAX_MIRROR_DATABASES + 1) * 200 + 100, len = 0;
	char *text = malloc(cap);
	assert_non_null(text);
	len += (size_t)snprintf(text, cap, "{\"format\":1,\"generated\":1,\"databases\":[");
	for (int i = 0; i <= RQ_MAX_MIRROR_DATABASES; i++)
		len += (size_t)snprintf(text + len, cap - len,
					"%s{\"name\":\"d%d\",\"version\":1,\"size\":100,\"sha256\":\"" SHA_A
					"\",\"built\":1,\"file\":\"d%d-1.rqdb\"}",
					i ? "," : "", i, i);
	len += (size_t)snprintf(text + len, cap - len, "]}");
	rq_mirror_index idx;
	assert_int_equal(rq_mirror_index_parse(&idx, (uint8_t *)text, len), RQ_ELIMIT);
	/* larger than the index limit */
	assert_int_equal(rq_mirror_index_parse(&idx, (uint8_t *)text, RQ_MAX_MIRROR_INDEX + 1),
			 RQ_ELIMIT);
	free(text);
}

static void test_file_names(void **state)
{
	assert_true(rq_mirror_file_name_ok("main-7.rqdb"));
	assert_true(rq_mirror_file_name_ok("x.rqdb"));
	assert_false(rq_mirror_file_name_ok(".rqdb"));
	assert_false(rq_mirror_file_name_ok("a/b.rqdb"));
	assert_false(rq_mirror_file_name_ok("-x.rqdb"));
	assert_false(rq_mirror_file_name_ok("x.rqdb.part"));
	assert_false(rq_mirror_file_name_ok(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_bad_fields),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_file_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
