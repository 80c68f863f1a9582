/*
 * The TAXII pull sources over the API (taxii_pulls.h): what each
 * [taxii-pull NAME] section is -- never its token or password -- with its
 * state in the store (where the next pull starts, the last run, its
 * error), and asking for a pull now, which the server's worker starts
 * within a second (intel/taxii_pull.h).
 */
#include "api/taxii_pulls.h"

#include <stdio.h>
#include <string.h>

#include "api/admin.h"
#include "config/config.h"
#include "intel/taxii_pull.h"
#include "store/taxii_pull.h"

static json_t *time_or_null(int64_t t)
{
	return t > 0 ? json_integer((json_int_t)t) : json_null();
}

static json_t *source_json(const rq_taxii_pull_cfg *p, const rq_taxii_pull_state *st, int64_t now)
{
	int running = st->running && st->alive_at >= now - (int64_t)p->timeout - RQ_TAXII_PULL_LEASE_SLACK;
	json_t *state = json_pack(
		"{s:s, s:o, s:o, s:o, s:o, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:b, s:b}", "added_after",
		st->added_after, "requested_at", time_or_null(st->requested_at), "started_at", time_or_null(st->started_at),
		"finished_at", time_or_null(st->finished_at), "last_success", time_or_null(st->last_success),
		"last_error", st->last_error, "last_http_status", (json_int_t)st->last_http_status, "failures",
		(json_int_t)st->failures, "run_pages", (json_int_t)st->run_pages, "run_objects",
		(json_int_t)st->run_objects, "run_indicators", (json_int_t)st->run_indicators, "total_objects",
		(json_int_t)st->total_objects, "total_indicators", (json_int_t)st->total_indicators, "running", running,
		"pending", st->requested_at > st->started_at);
	return json_pack("{s:s, s:s, s:s, s:s, s:b, s:I, s:I, s:I, s:o, s:o, s:b, s:o}", "name", p->name, "url", p->url,
			 "collection", p->collection, "auth", *p->token ? "token" : *p->user ? "basic" : "none",
			 "enabled", p->enabled, "interval", (json_int_t)p->interval, "timeout", (json_int_t)p->timeout,
			 "page_size", (json_int_t)p->page_size,
			 "confidence", p->confidence >= 0 ? json_integer(p->confidence) : json_null(), "max_age",
			 p->max_age >= 0 ? json_integer((json_int_t)p->max_age) : json_null(), "ca_file", *p->ca_file != 0,
			 "state", state);
}

static int list_pulls(const rq_http_req *req, rq_http_resp *resp, void *arg)
{
	const rq_api_ctx *ctx = arg;
	rq_caller c;
	json_t *items = NULL;
	if (rq_admin_begin(ctx, req, resp, &c) || rq_admin_allow(&c, resp, RQ_ACT_READ, 0))
		goto done;
	items = json_array();
	for (size_t i = 0; items && ctx->config && i < ctx->config->taxii_pull_count; i++) {
		const rq_taxii_pull_cfg *p = &ctx->config->taxii_pulls[i];
		rq_taxii_pull_state st;
		int rc = rq_store_taxii_pull_get(c.store, p->name, &st);
		if (rc < 0) {
			rq_api_store_error(resp, rc, "reading the TAXII pull state");
			goto done;
		}
		json_array_append_new(items, source_json(p, &st, rq_api_now()));
	}
	rq_http_resp_json(resp, 200, json_pack("{s:O}", "items", items ? items : json_array()));
done:
	json_decref(items);
	return 0;
}

typedef struct request_tx {
	const rq_caller *c;
	const char *name;
	int64_t now;
} request_tx;

static int request_in_tx(rq_store *s, void *payload)
{
	request_tx *t = payload;
	int rc = rq_store_taxii_pull_request(s, t->name, t->now);
	if (rc == 0)
		rc = rq_admin_audit(s, t->c, "intel.taxii_pull.request", "taxii_pull", 0, 0,
				    json_pack("{s:s}", "source", t->name));
	return rc;
}

static int request_pull(const rq_http_req *req, rq_http_resp *resp, void *arg)
{
	const rq_api_ctx *ctx = arg;
	rq_caller c;
	const char *name = rq_http_param(req, "name");
	if (rq_admin_begin(ctx, req, resp, &c) || rq_admin_allow(&c, resp, RQ_ACT_SYSTEM, 0))
		return 0;
	const rq_taxii_pull_cfg *p = ctx->config ? rq_srv_config_taxii_pull(ctx->config, name) : NULL;
	if (!p) {
		rq_http_resp_error(resp, 404, "not_found", "no [taxii-pull %.64s] section in the server's configuration",
				   name ? name : "");
		return 0;
	}
	if (!p->enabled) {
		rq_http_resp_error(resp, 409, "disabled", "[taxii-pull %s] is disabled (enabled = no)", p->name);
		return 0;
	}
	request_tx t = { &c, p->name, rq_api_now() };
	int rc = rq_store_transact(c.store, request_in_tx, &t);
	if (rc < 0) {
		rq_api_store_error(resp, rc, "asking for the pull");
		return 0;
	}
	rq_http_resp_json(resp, 202, json_pack("{s:s, s:I}", "name", p->name, "requested_at", (json_int_t)t.now));
	return 0;
}

int rq_api_taxii_pull_routes(rq_http_router *router, const rq_api_ctx *ctx)
{
	void *c = (void *)ctx;
	int rc;
	if ((rc = rq_http_router_add(router, "GET", "/api/v1/intel/taxii-pulls", list_pulls, c)) ||
	    (rc = rq_http_router_add(router, "POST", "/api/v1/intel/taxii-pulls/{name}/pull", request_pull, c)))
		return rc;
	return 0;
}
