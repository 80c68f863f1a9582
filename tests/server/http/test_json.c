/*
 * Tests of the JSON body helpers of raquet-server: malformed JSON, wrong
 * types, unknown, missing and duplicate fields, bounds, nested specs with
 * the field path in the reason, oversize bodies, and the responses built
 * from them.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/json.h"

static const rq_json_field detection[] = {
	{ "path", RQ_JSON_STRING, .required = 1 },
	{ "sha256", RQ_JSON_STRING, .required = 1, .max = 64 },
	{ "size", RQ_JSON_INT, .min = 0, .max = 1LL << 40 },
	{ .name = NULL },
};
static const rq_json_field detection_elem = { "", RQ_JSON_OBJECT, .fields = detection };
static const rq_json_field host[] = {
	{ "name", RQ_JSON_STRING, .required = 1 },
	{ "ips", RQ_JSON_ARRAY, .max = 4, .elem = &(rq_json_field){ "", RQ_JSON_STRING, .required = 0 } },
	{ .name = NULL },
};
static const rq_json_field spec[] = {
	{ "id", RQ_JSON_STRING, .required = 1, .max = 36 },
	{ "seq", RQ_JSON_INT, .min = 1, .max = 1000 },
	{ "load", RQ_JSON_NUMBER, .required = 0 },
	{ "realtime", RQ_JSON_BOOL, .required = 0 },
	{ "note", RQ_JSON_STRING, .nullable = 1 },
	{ "extra", RQ_JSON_ANY, .required = 0 },
	{ "host", RQ_JSON_OBJECT, .fields = host },
	{ "detections", RQ_JSON_ARRAY, .elem = &detection_elem },
	{ .name = NULL },
};

static int parse(const char *text, json_t **out, rq_json_error *err)
{
	return rq_json_parse_object(text, strlen(text), 4096, spec, out, err);
}

static void test_valid(void **state)
{
	json_t *obj = NULL;
	rq_json_error err;
	int rc = parse("{\"id\":\"a\",\"seq\":5,\"load\":0.5,\"realtime\":true,\"note\":null,"
		       "\"extra\":[1,{}],\"host\":{\"name\":\"pc\",\"ips\":[\"10.0.0.1\"]},"
		       "\"detections\":[{\"path\":\"C:\\\\x.exe\",\"sha256\":\"ab\",\"size\":3}]}",
		       &obj, &err);
	assert_int_equal(rc, 0);
	assert_non_null(obj);
	assert_int_equal(json_integer_value(json_object_get(obj, "seq")), 5);
	json_decref(obj);
	/* "load" takes integers too; spec NULL accepts any object */
	assert_int_equal(parse("{\"id\":\"a\",\"load\":3}", &obj, &err), 0);
	json_decref(obj);
	assert_int_equal(rq_json_parse_object("{\"z\":1}", 7, 100, NULL, &obj, &err), 0);
	json_decref(obj);
}

/* Each bad body, the error code and the reason it must give. */
static const struct {
	const char *body;
	const char *error;
	const char *reason;
} bad[] = {
	{ "", "bad_json", "body: empty, expected a JSON object" },
	{ "{", "bad_json", "body:1:1: " },
	{ "{\"id\":\"a\",}", "bad_json", "body:1:" },
	{ "{\"id\":\"a\"} x", "bad_json", "body:1:" },
	{ "{\"id\":\"a\\u0000b\"}", "bad_json", "body:1:" },
	{ "{\"id\":\"\xff\xfe\"}", "bad_json", "body:1:" },
	{ "{\"id\":\"a\",\"id\":\"b\"}", "bad_json", "body:1:" },
	{ "[]", "wrong_type", "body: expected a JSON object" },
	{ "\"id\"", "bad_json", "body:1:" },
	{ "{\"id\":1}", "wrong_type", "id: expected a string" },
	{ "{\"id\":null}", "wrong_type", "id: expected a string" },
	{ "{\"id\":\"a\",\"seq\":\"5\"}", "wrong_type", "seq: expected an integer" },
	{ "{\"id\":\"a\",\"seq\":5.0}", "wrong_type", "seq: expected an integer" },
	{ "{\"id\":\"a\",\"load\":\"1\"}", "wrong_type", "load: expected a number" },
	{ "{\"id\":\"a\",\"realtime\":1}", "wrong_type", "realtime: expected true or false" },
	{ "{\"id\":\"a\",\"host\":[]}", "wrong_type", "host: expected an object" },
	{ "{\"id\":\"a\",\"detections\":{}}", "wrong_type", "detections: expected an array" },
	{ "{\"id\":\"a\",\"role\":\"admin\"}", "unknown_field", "role: unknown field" },
	{ "{\"id\":\"a\",\"host\":{\"name\":\"x\",\"os\":1}}", "unknown_field",
	  "host.os: unknown field" },
	{ "{\"id\":\"a\",\"detections\":[{\"path\":\"p\",\"sha256\":\"s\"},{\"path\":\"p\","
	  "\"sha256\":\"s\",\"md5\":\"m\"}]}", "unknown_field", "detections[1].md5: unknown field" },
	{ "{\"id\":\"a\",\"detections\":[{\"path\":\"p\",\"sha256\":7}]}", "wrong_type",
	  "detections[0].sha256: expected a string" },
	{ "{\"id\":\"a\",\"detections\":[5]}", "wrong_type", "detections[0]: expected an object" },
	{ "{\"seq\":1}", "missing_field", "id: required field missing" },
	{ "{\"id\":\"a\",\"host\":{}}", "missing_field", "host.name: required field missing" },
	{ "{\"id\":\"a\",\"detections\":[{\"path\":\"p\"}]}", "missing_field",
	  "detections[0].sha256: required field missing" },
	{ "{\"id\":\"0123456789012345678901234567890123456\"}", "out_of_range",
	  "id: string longer than 36 bytes" },
	{ "{\"id\":\"a\",\"seq\":0}", "out_of_range", "seq: outside 1..1000" },
	{ "{\"id\":\"a\",\"seq\":1001}", "out_of_range", "seq: outside 1..1000" },
	{ "{\"id\":\"a\",\"seq\":99999999999999999999}", "bad_json", "body:1:" },
	{ "{\"id\":\"a\",\"host\":{\"name\":\"x\",\"ips\":[\"1\",\"2\",\"3\",\"4\",\"5\"]}}",
	  "out_of_range", "host.ips: more than 4 elements" },
	{ "{\"id\":\"a\",\"host\":{\"name\":\"x\",\"ips\":[\"1\",2]}}", "wrong_type",
	  "host.ips[1]: expected a string" },
	{ "{\"id\":\"a\",\"\":1}", "unknown_field", ": unknown field" },
};

static void test_refusals(void **state)
{
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		json_t *obj = (json_t *)1;
		rq_json_error err;
		int rc = parse(bad[i].body, &obj, &err);
		if (rc != RQ_EPARSE || obj != NULL || err.status != 400 ||
		    strcmp(err.error, bad[i].error) != 0 ||
		    strncmp(err.reason, bad[i].reason, strlen(bad[i].reason)) != 0)
			fail_msg("case %zu (%s): rc %d status %u %s '%s', want %s '%s'", i,
				 bad[i].body, rc, err.status, err.error ? err.error : "-",
				 err.reason, bad[i].error, bad[i].reason);
	}
}

static void test_oversize(void **state)
{
	json_t *obj = NULL;
	rq_json_error err;
	const char *body = "{\"id\":\"abcdef\"}";
	size_t n = strlen(body);
	assert_int_equal(rq_json_parse_object(body, n, n, spec, &obj, &err), 0);
	json_decref(obj);
	assert_int_equal(rq_json_parse_object(body, n, n - 1, spec, &obj, &err), RQ_ELIMIT);
	assert_null(obj);
	assert_int_equal(err.status, 413);
	assert_string_equal(err.error, "too_large");
	assert_string_equal(err.reason, "body: larger than 14 bytes");
}

static void test_default_string_bound_and_depth(void **state)
{
	static const rq_json_field any_string[] = { { "s", RQ_JSON_STRING, .required = 0 }, { .name = NULL } };
	size_t n = RQ_JSON_DEFAULT_MAX_STRING + 1;
	char *body = malloc(n + 16);
	json_t *obj = NULL;
	rq_json_error err;
	assert_non_null(body);
	strcpy(body, "{\"s\":\"");
	memset(body + 6, 'x', n);
	strcpy(body + 6 + n, "\"}");
	assert_int_equal(rq_json_parse_object(body, strlen(body), 1 << 20, any_string, &obj, &err),
			 RQ_EPARSE);
	assert_string_equal(err.error, "out_of_range");
	free(body);

	/* a spec nested deeper than RQ_JSON_MAX_DEPTH is refused, not recursed */
	static rq_json_field chain[RQ_JSON_MAX_DEPTH + 3][2];
	for (int i = 0; i < RQ_JSON_MAX_DEPTH + 3; i++) {
		chain[i][0] = (rq_json_field){ "a", RQ_JSON_OBJECT,
					       .fields = i + 1 < RQ_JSON_MAX_DEPTH + 3 ? chain[i + 1]
										 : NULL };
		chain[i][1] = (rq_json_field){ .name = NULL };
	}
	char deep[512] = "";
	for (int i = 0; i < RQ_JSON_MAX_DEPTH + 2; i++)
		strcat(deep, "{\"a\":");
	strcat(deep, "{}");
	for (int i = 0; i < RQ_JSON_MAX_DEPTH + 2; i++)
		strcat(deep, "}");
	assert_int_equal(rq_json_parse_object(deep, strlen(deep), 4096, chain[0], &obj, &err),
			 RQ_EPARSE);
	assert_non_null(strstr(err.reason, "nested too deeply"));
}

static void test_responses(void **state)
{
	rq_http_resp resp = { 0 };
	rq_http_req req = { .method = "POST", .path = "/x", .body = "{\"id\":5}", .body_len = 8 };
	json_t *obj = NULL;

	assert_int_equal(rq_http_json_body(&req, &resp, spec, &obj), RQ_EPARSE);
	assert_null(obj);
	assert_int_equal(resp.status, 400);
	assert_string_equal(resp.content_type, "application/json");
	assert_string_equal(resp.body, "{\"error\":\"wrong_type\",\"reason\":\"id: expected a string\"}");
	rq_http_resp_reset(&resp);
	assert_int_equal(resp.status, 0);

	assert_int_equal(rq_http_resp_error(&resp, 404, "not_found", "unit %d", 7), 0);
	assert_string_equal(resp.body, "{\"error\":\"not_found\",\"reason\":\"unit 7\"}");
	/* a reason quoting hostile bytes that are not UTF-8 still gives valid JSON */
	assert_int_equal(rq_http_resp_error(&resp, 400, "bad_request", "name %s", "\xff"), 0);
	assert_string_equal(resp.body, "{\"error\":\"bad_request\",\"reason\":\"(reason not UTF-8)\"}");

	assert_int_equal(rq_http_resp_header(&resp, "ETag", "\"v1\""), 0);
	assert_int_equal(rq_http_resp_header(&resp, "X-Bad", "a\r\nSet-Cookie: x"), RQ_EINVAL);
	assert_int_equal(rq_http_resp_header(&resp, "Bad Name", "v"), RQ_EINVAL);
	for (int i = 1; i < RQ_HTTP_MAX_RESP_HEADERS; i++)
		assert_int_equal(rq_http_resp_header(&resp, "X-N", "v"), 0);
	assert_int_equal(rq_http_resp_header(&resp, "X-N", "v"), RQ_ELIMIT);
	assert_int_equal(resp.header_count, RQ_HTTP_MAX_RESP_HEADERS);

	assert_int_equal(rq_http_resp_bytes(&resp, 200, "text/plain", "abc", 3), 0);
	assert_int_equal(resp.body_len, 3);
	assert_memory_equal(resp.body, "abc", 3);
	assert_string_equal(resp.headers[0].name, "ETag"); /* headers kept */
	rq_http_resp_reset(&resp);

	assert_int_equal(rq_http_resp_json(&resp, 201, json_pack("{s:i}", "n", 1)), 0);
	assert_string_equal(resp.body, "{\"n\":1}");
	assert_int_equal(resp.status, 201);
	rq_http_resp_reset(&resp);

	/* no connection (unit test): header, cookie and query lookups find nothing */
	assert_null(rq_http_header_get(&req, "Host"));
	assert_null(rq_http_cookie(&req, "s"));
	unsigned long long v = 0;
	assert_int_equal(rq_http_query_uint(&req, &resp, "limit", 1, 100, 50, &v), 0);
	assert_int_equal(v, 50);
	assert_string_equal(rq_http_client_addr(&req), "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_oversize),
		cmocka_unit_test(test_default_string_bound_and_depth),
		cmocka_unit_test(test_responses),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
