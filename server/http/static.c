/*
 * GET / and GET /assets/... (static.h): the dashboard's files looked up in
 * the table embedded at build time (web_assets.h), never on disk, so an
 * unknown name is simply 404. Each answer carries the file's strong ETag
 * (304 on If-None-Match), the page's Content-Security-Policy and the other
 * security headers; index.html is revalidated on every load (no-cache) so
 * a new server version takes effect at once. X-Content-Type-Options is
 * added by the HTTP layer to every response.
 */
#include "http/static.h"

#include <stdio.h>
#include <string.h>

#include "http/http.h"
#include "http/web_assets.h"

#define CSP "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; " \
	    "frame-ancestors 'none'"

static const rq_web_asset *find(const char *path)
{
	for (size_t i = 0; i < rq_web_asset_count; i++)
		if (!strcmp(rq_web_assets[i].path, path))
			return &rq_web_assets[i];
	return NULL;
}

/* If-None-Match names this ETag (a list, possibly weak-prefixed, or "*"). */
static int not_modified(const rq_http_req *req, const char *etag)
{
	const char *inm = rq_http_header_get(req, "If-None-Match");
	return inm && (strstr(inm, etag) || !strcmp(inm, "*"));
}

static int send(const rq_http_req *req, rq_http_resp *resp, const rq_web_asset *a)
{
	int rc;
	if ((rc = rq_http_resp_header(resp, "ETag", a->etag)) < 0 ||
	    (rc = rq_http_resp_header(resp, "Cache-Control", "no-cache")) < 0 ||
	    (rc = rq_http_resp_header(resp, "Content-Security-Policy", CSP)) < 0 ||
	    (rc = rq_http_resp_header(resp, "Referrer-Policy", "no-referrer")) < 0 ||
	    (rc = rq_http_resp_header(resp, "X-Frame-Options", "DENY")) < 0)
		return rc;
	resp->cacheable = 1;
	if (not_modified(req, a->etag))
		return rq_http_resp_bytes(resp, 304, "", "", 0);
	return rq_http_resp_bytes(resp, 200, a->content_type, a->data, a->size);
}

static int index_page(const rq_http_req *req, rq_http_resp *resp, void *ctx)
{
	(void)ctx;
	const rq_web_asset *a = find("index.html");
	if (!a)
		return rq_http_resp_error(resp, 404, "not_found", "this server has no dashboard");
	return send(req, resp, a);
}

static int asset(const rq_http_req *req, rq_http_resp *resp, void *ctx)
{
	(void)ctx;
	const char *dir = rq_http_param(req, "dir"), *file = rq_http_param(req, "file");
	char path[512];
	int n = dir ? snprintf(path, sizeof(path), "assets/%s/%s", dir, file)
		    : snprintf(path, sizeof(path), "assets/%s", file);
	const rq_web_asset *a = n > 0 && (size_t)n < sizeof(path) ? find(path) : NULL;
	if (!a)
		return rq_http_resp_error(resp, 404, "not_found", "no such dashboard file");
	return send(req, resp, a);
}

int rq_http_static_routes(rq_http_router *router)
{
	int rc;
	if ((rc = rq_http_router_add(router, "GET", "/", index_page, NULL)) < 0 ||
	    (rc = rq_http_router_add(router, "GET", "/assets/{file}", asset, NULL)) < 0)
		return rc;
	return rq_http_router_add(router, "GET", "/assets/{dir}/{file}", asset, NULL);
}
