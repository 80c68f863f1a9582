/*
 * The sharing downloads (sharing.h): read the period, check the caller may
 * read the whole province, make the bundle or the event and send it as an
 * attachment named after the period.
 */
#include "api/sharing.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/endpoints.h"
#include "config/config.h"
#include "sharing/misp.h"
#include "sharing/stix.h"

int rq_api_sharing_allow(const rq_caller *c, rq_http_resp *resp)
{
	if (c->unit_id == 0 && rq_authz_allows(c->role, RQ_ACT_READ, RQ_SCOPE_OWN))
		return 0;
	rq_http_resp_error(resp, 403, "forbidden",
			   "shared data covers the whole province: only administrators and province-wide viewers "
			   "may read it");
	return -1;
}

/* `from` and `to` (Unix times): 0, or -1 with resp filled. */
static int period(const rq_http_req *req, rq_http_resp *resp, int64_t *from, int64_t *to)
{
	int64_t now = rq_api_now();
	if (rq_fleet_query_time(req, resp, "to", now, to) < 0 ||
	    rq_fleet_query_time(req, resp, "from", *to > RQ_SHARING_DEFAULT_PERIOD ? *to - RQ_SHARING_DEFAULT_PERIOD : 0,
				from) < 0)
		return -1;
	if (*from >= *to || *to - *from > RQ_SHARING_MAX_PERIOD) {
		rq_http_resp_error(resp, 400, "bad_request", "from, to: from must be before to, at most %lld days",
				   RQ_SHARING_MAX_PERIOD / 86400);
		return -1;
	}
	return 0;
}

/* Send `doc` (stolen) as a JSON attachment "raquet-KIND-FROM-TO.json". */
static int send_download(rq_http_resp *resp, json_t *doc, const char *kind, int64_t from, int64_t to)
{
	char disposition[128];
	char *text = json_dumps(doc, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
	json_decref(doc);
	if (!text)
		return rq_http_resp_error(resp, 500, "internal", "out of memory");
	snprintf(disposition, sizeof(disposition), "attachment; filename=\"raquet-%s-%lld-%lld.json\"", kind,
		 (long long)from, (long long)to);
	int rc = rq_http_resp_bytes(resp, 200, "application/json", text, strlen(text));
	free(text);
	if (rc == 0)
		rc = rq_http_resp_header(resp, "Content-Disposition", disposition);
	return rc;
}

static int get_stix(const rq_http_req *req, rq_http_resp *resp, void *arg)
{
	const rq_api_ctx *ctx = arg;
	rq_caller c;
	int64_t from = 0, to = 0;
	json_t *objects = NULL, *bundle = NULL;
	if (rq_admin_begin(ctx, req, resp, &c) || rq_api_sharing_allow(&c, resp) || period(req, resp, &from, &to))
		return 0;
	rq_stix_options o = { .province = ctx->report_agency ? ctx->report_agency : "",
			      .per_unit = ctx->config ? ctx->config->sharing_unit_identities : 0,
			      .from = from,
			      .to = to };
	int rc = rq_stix_objects(c.store, &o, &objects);
	if (rc == 0)
		rc = rq_stix_bundle(&o, objects, &bundle);
	if (rc < 0)
		return rq_api_store_error(resp, rc, "making the STIX bundle");
	return send_download(resp, bundle, "stix", from, to);
}

static int get_misp(const rq_http_req *req, rq_http_resp *resp, void *arg)
{
	const rq_api_ctx *ctx = arg;
	rq_caller c;
	int64_t from = 0, to = 0;
	json_t *event = NULL;
	if (rq_admin_begin(ctx, req, resp, &c) || rq_api_sharing_allow(&c, resp) || period(req, resp, &from, &to))
		return 0;
	rq_misp_options o = { .province = ctx->report_agency ? ctx->report_agency : "",
			      .file_names = ctx->config ? ctx->config->sharing_file_names : 0,
			      .from = from,
			      .to = to,
			      .now = rq_api_now() };
	int rc = rq_misp_event(c.store, &o, &event);
	if (rc < 0)
		return rq_api_store_error(resp, rc, "making the MISP event");
	return send_download(resp, event, "misp", from, to);
}

int rq_api_sharing_routes(rq_http_router *router, const rq_api_ctx *ctx)
{
	void *c = (void *)ctx;
	int rc;
	if ((rc = rq_http_router_add(router, "GET", "/api/v1/sharing/stix", get_stix, c)) ||
	    (rc = rq_http_router_add(router, "GET", "/api/v1/sharing/misp", get_misp, c)))
		return rc;
	return 0;
}
