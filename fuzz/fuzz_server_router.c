/*
 * libFuzzer harness for raquet-server's request routing (server/http/router.c):
 * arbitrary method and path bytes (split at the first NUL) matched against
 * a table shaped like the server's own. A match must name a real route
 * whose literal segments and parameter count agree with the path; a 405
 * must list the methods of a pattern that fits.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/router.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int handler(const rq_http_req *req, rq_http_resp *resp, void *ctx)
{
	(void)req;
	(void)resp;
	(void)ctx;
	return 0;
}

static const char *const routes[][2] = {
	{ "GET", "/api/v1/health" },
	{ "POST", "/api/v1/agent/enroll" },
	{ "POST", "/api/v1/agent/tasks/{id}/result" },
	{ "GET", "/api/v1/units" },
	{ "POST", "/api/v1/units" },
	{ "GET", "/api/v1/units/{id}" },
	{ "PATCH", "/api/v1/units/{id}" },
	{ "DELETE", "/api/v1/units/{id}" },
	{ "GET", "/api/v1/units/{id}/policy" },
	{ "POST", "/api/v1/units/{unit}/tasks" },
	{ "GET", "/api/v1/endpoints/{id}" },
	{ "POST", "/api/v1/tasks/{id}/cancel" },
	{ "GET", "/mirror/{file}" },
	{ "GET", "/" },
};

static rq_http_router *router;

static void build(void)
{
	if (rq_http_router_new(&router) < 0)
		abort();
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++)
		if (rq_http_router_add(router, routes[i][0], routes[i][1], handler, (void *)routes[i][1]) < 0)
			abort();
}

/* Segments of `s` ("/a/b" -> 2), or -1 for an empty segment. */
static long count_segments(const char *s)
{
	long n = 0;
	if (!strcmp(s, "/"))
		return 0;
	for (const char *p = s; *p == '/'; n++) {
		const char *end = strchr(p + 1, '/');
		if (!end)
			end = p + strlen(p);
		if (end == p + 1)
			return -1;
		p = end;
	}
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!router)
		build();
	char *buf = malloc(size + 2);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = buf[size + 1] = '\0';
	const char *method = buf;
	const char *path = buf + strlen(buf) + 1;
	if ((size_t)(path - buf) > size)
		path = "/";
	rq_http_match m;
	int rc = rq_http_router_match(router, method, path, &m);
	if (rc == 0) {
		if (!m.handler || !m.pattern || strcmp(m.ctx, m.pattern))
			abort();
		if (count_segments(m.pattern) != count_segments(path) || m.param_count > RQ_HTTP_MAX_PARAMS)
			abort();
		for (size_t i = 0; i < m.param_count; i++)
			if (!m.param_values[i] || !*m.param_values[i] || strchr(m.param_values[i], '/'))
				abort();
	} else if (rc == RQ_EUNSUPPORTED) {
		if (!m.allow[0])
			abort();
	} else if (rc != RQ_ENOTFOUND) {
		abort();
	}
	free(buf);
	return 0;
}
