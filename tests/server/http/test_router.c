/*
 * Tests of raquet-server's router: literal and {param} segments, literal
 * precedence, 404 versus 405 with the Allow list, HEAD on GET routes,
 * malformed patterns and duplicates, bounded parameters.
 */
#include "testutil.h"

#include <string.h>

#include "http/router.h"

static int h_list(const rq_http_req *req, rq_http_resp *resp, void *ctx) { return 1; }
static int h_get(const rq_http_req *req, rq_http_resp *resp, void *ctx) { return 2; }
static int h_put(const rq_http_req *req, rq_http_resp *resp, void *ctx) { return 3; }
static int h_tree(const rq_http_req *req, rq_http_resp *resp, void *ctx) { return 4; }
static int h_det(const rq_http_req *req, rq_http_resp *resp, void *ctx) { return 5; }
static int h_root(const rq_http_req *req, rq_http_resp *resp, void *ctx) { return 6; }

static rq_http_router *make(void)
{
	rq_http_router *r = NULL;
	assert_int_equal(rq_http_router_new(&r), 0);
	assert_int_equal(rq_http_router_add(r, "GET", "/api/v1/units", h_list, NULL), 0);
	assert_int_equal(rq_http_router_add(r, "GET", "/api/v1/units/{id}", h_get, (void *)"c"), 0);
	assert_int_equal(rq_http_router_add(r, "PUT", "/api/v1/units/{id}", h_put, NULL), 0);
	assert_int_equal(rq_http_router_add(r, "GET", "/api/v1/units/tree", h_tree, NULL), 0);
	assert_int_equal(rq_http_router_add(r, "DELETE",
					    "/api/v1/endpoints/{eid}/detections/{did}", h_det,
					    NULL), 0);
	assert_int_equal(rq_http_router_add(r, "GET", "/", h_root, NULL), 0);
	return r;
}

static int call(const rq_http_match *m) { return m->handler(NULL, NULL, m->ctx); }

static void test_match_params(void **state)
{
	rq_http_router *r = make();
	rq_http_match m;
	assert_int_equal(rq_http_router_match(r, "GET", "/api/v1/units/u-42", &m), 0);
	assert_int_equal(call(&m), 2);
	assert_string_equal((const char *)m.ctx, "c");
	assert_string_equal(m.pattern, "/api/v1/units/{id}");
	assert_int_equal(m.param_count, 1);
	assert_string_equal(m.param_names[0], "id");
	assert_string_equal(m.param_values[0], "u-42");

	assert_int_equal(rq_http_router_match(r, "DELETE", "/api/v1/endpoints/7/detections/99", &m),
			 0);
	assert_int_equal(call(&m), 5);
	assert_int_equal(m.param_count, 2);
	assert_string_equal(m.param_names[0], "eid");
	assert_string_equal(m.param_values[0], "7");
	assert_string_equal(m.param_names[1], "did");
	assert_string_equal(m.param_values[1], "99");

	/* the parameters are usable through rq_http_param */
	rq_http_req req = { .param_count = m.param_count };
	memcpy(req.param_names, m.param_names, sizeof(req.param_names));
	memcpy(req.param_values, m.param_values, sizeof(req.param_values));
	assert_string_equal(rq_http_param(&req, "did"), "99");
	assert_null(rq_http_param(&req, "id"));

	assert_int_equal(rq_http_router_match(r, "GET", "/", &m), 0);
	assert_int_equal(call(&m), 6);
	assert_int_equal(rq_http_router_match(r, "GET", "/api/v1/units", &m), 0);
	assert_int_equal(call(&m), 1);
	rq_http_router_free(r);
}

static void test_literal_wins(void **state)
{
	rq_http_router *r = make();
	rq_http_match m;
	assert_int_equal(rq_http_router_match(r, "GET", "/api/v1/units/tree", &m), 0);
	assert_int_equal(call(&m), 4);
	assert_int_equal(m.param_count, 0);
	/* PUT has only the parameter route: "tree" is an id there */
	assert_int_equal(rq_http_router_match(r, "PUT", "/api/v1/units/tree", &m), 0);
	assert_int_equal(call(&m), 3);
	assert_string_equal(m.param_values[0], "tree");
	rq_http_router_free(r);
}

static void test_not_found(void **state)
{
	rq_http_router *r = make();
	rq_http_match m;
	const char *paths[] = { "/api/v1/unit", "/api/v1/units/", "/api/v1/units/1/x",
				"/api/v1//units", "//", "", "api/v1/units", "/api/v1/units//",
				"/api/v1/endpoints/7/detections" };
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		if (rq_http_router_match(r, "GET", paths[i], &m) != RQ_ENOTFOUND)
			fail_msg("'%s' matched", paths[i]);
	/* deeper than any pattern can be */
	char deep[256] = "";
	for (int i = 0; i < 40; i++)
		strcat(deep, "/a");
	assert_int_equal(rq_http_router_match(r, "GET", deep, &m), RQ_ENOTFOUND);
	/* a parameter over the bound does not match */
	static char longp[RQ_HTTP_MAX_VALUE + 64];
	strcpy(longp, "/api/v1/units/");
	memset(longp + strlen(longp), 'x', RQ_HTTP_MAX_VALUE + 1);
	assert_int_equal(rq_http_router_match(r, "GET", longp, &m), RQ_ENOTFOUND);
	longp[strlen("/api/v1/units/") + RQ_HTTP_MAX_VALUE] = '\0';
	assert_int_equal(rq_http_router_match(r, "GET", longp, &m), 0);
	assert_int_equal(strlen(m.param_values[0]), RQ_HTTP_MAX_VALUE);
	rq_http_router_free(r);
}

static void test_method_not_allowed(void **state)
{
	rq_http_router *r = make();
	rq_http_match m;
	assert_int_equal(rq_http_router_match(r, "POST", "/api/v1/units/5", &m), RQ_EUNSUPPORTED);
	assert_string_equal(m.allow, "GET, HEAD, PUT");
	assert_int_equal(rq_http_router_match(r, "DELETE", "/api/v1/units", &m), RQ_EUNSUPPORTED);
	assert_string_equal(m.allow, "GET, HEAD");
	assert_int_equal(rq_http_router_match(r, "GET", "/api/v1/endpoints/1/detections/2", &m),
			 RQ_EUNSUPPORTED);
	assert_string_equal(m.allow, "DELETE");
	/* HEAD answered by the GET route */
	assert_int_equal(rq_http_router_match(r, "HEAD", "/api/v1/units/5", &m), 0);
	assert_int_equal(call(&m), 2);
	rq_http_router_free(r);
}

static void test_bad_patterns(void **state)
{
	rq_http_router *r = NULL;
	assert_int_equal(rq_http_router_new(&r), 0);
	const char *bad[] = { "", "api", "/a//b", "/a//", "//", "/{}", "/{id", "/id}", "/a{id}",
			      "/{a{b}}", "/a/{x}/{y}/{z}/{w}/{v}/{u}/{t}/{s}/{r}" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (rq_http_router_add(r, "GET", bad[i], h_get, NULL) != RQ_EINVAL)
			fail_msg("pattern '%s' accepted", bad[i]);
	assert_int_equal(rq_http_router_add(r, "get", "/a", h_get, NULL), RQ_EINVAL);
	assert_int_equal(rq_http_router_add(r, "GET", "/a", NULL, NULL), RQ_EINVAL);
	assert_int_equal(rq_http_router_add(r, "GET", "/a/{id}", h_get, NULL), 0);
	assert_int_equal(rq_http_router_add(r, "GET", "/a/{other}", h_get, NULL), RQ_EINVAL);
	assert_non_null(strstr(rq_error_last(), "duplicates GET /a/{id}"));
	assert_int_equal(rq_http_router_add(r, "POST", "/a/{other}", h_get, NULL), 0);
	assert_int_equal(rq_http_router_count(r), 2);
	const char *method, *pattern;
	rq_http_router_route(r, 1, &method, &pattern);
	assert_string_equal(method, "POST");
	assert_string_equal(pattern, "/a/{other}");
	rq_http_router_free(r);
	rq_http_router_free(NULL);
}

/* TAXII's URLs end with '/': such a pattern matches only such a path */
static void test_trailing_slash(void **state)
{
	rq_http_router *r = NULL;
	rq_http_match m;
	(void)state;
	assert_int_equal(rq_http_router_new(&r), 0);
	assert_int_equal(rq_http_router_add(r, "GET", "/taxii2/", h_get, NULL), 0);
	assert_int_equal(rq_http_router_add(r, "GET", "/t/{root}/collections/{id}/", h_get, NULL), 0);
	assert_int_equal(rq_http_router_add(r, "GET", "/t/{root}/collections/{id}", h_get, NULL), 0);
	assert_int_equal(rq_http_router_add(r, "GET", "/taxii2/", h_get, NULL), RQ_EINVAL);
	assert_int_equal(rq_http_router_match(r, "GET", "/taxii2/", &m), 0);
	assert_int_equal(rq_http_router_match(r, "GET", "/taxii2", &m), RQ_ENOTFOUND);
	assert_int_equal(rq_http_router_match(r, "GET", "/taxii2//", &m), RQ_ENOTFOUND);
	assert_int_equal(rq_http_router_match(r, "GET", "/t/api/collections/c1/", &m), 0);
	assert_string_equal(m.pattern, "/t/{root}/collections/{id}/");
	assert_string_equal(m.param_values[1], "c1");
	assert_int_equal(rq_http_router_match(r, "GET", "/t/api/collections/c1", &m), 0);
	assert_string_equal(m.pattern, "/t/{root}/collections/{id}");
	assert_int_equal(rq_http_router_match(r, "POST", "/taxii2/", &m), RQ_EUNSUPPORTED);
	rq_http_router_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_match_params),
		cmocka_unit_test(test_literal_wins),
		cmocka_unit_test(test_not_found),
		cmocka_unit_test(test_method_not_allowed),
		cmocka_unit_test(test_bad_patterns),
		cmocka_unit_test(test_trailing_slash),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
