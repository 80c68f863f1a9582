/*
 * Admin API handlers of samples (samples.h): the grouped list restricted
 * to the caller's subtree by rq_admin_list_root (so an officer's counts
 * are those of their subtree), and one file's detail within the same
 * scope: 404 when no detection of it is in scope, which says nothing of
 * other subtrees.
 */
#include "api/samples.h"

#include <string.h>

#include "api/admin.h"
#include "api/detections.h"
#include "api/endpoints.h"
#include "store/samples.h"

static const char *const state_names[] = {"active", "quarantined", "removed", "restored", "ignored", NULL};
static const char *const sort_names[] = {"endpoints", "units", "detections", "last_seen", "name", NULL};
static const char *const order_names[] = {"asc", "desc", NULL};

static json_t *sample_json(const rq_sample_row *r)
{
	return json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:I}", "sha256", r->sha256, "name", r->name,
			 "type", r->type, "endpoints", (json_int_t)r->endpoints, "units", (json_int_t)r->units,
			 "detections", (json_int_t)r->detections, "active", (json_int_t)r->active, "first_seen",
			 (json_int_t)r->first_seen, "last_seen", (json_int_t)r->last_seen);
}

static int append_sample(const rq_sample_row *r, void *payload)
{
	return rq_fleet_append(payload, sample_json(r));
}

static int list_samples(const rq_http_req *req, rq_http_resp *resp, void *arg)
{
	rq_caller c;
	rq_sample_filter f;
	int state = -1, sort = 0, desc = 1;
	int64_t total = 0;
	memset(&f, 0, sizeof(f));
	if (rq_admin_begin(arg, req, resp, &c) || rq_admin_list_root(&c, resp, &f.unit_id) ||
	    rq_admin_paging(req, resp, &f.limit, &f.offset) ||
	    rq_fleet_query_choice(req, resp, "state", state_names, -1, &state) ||
	    rq_fleet_query_text(req, resp, "name", RQ_FLEET_NEEDLE_MAX, &f.name) ||
	    rq_fleet_query_time(req, resp, "since", 0, &f.since) || rq_fleet_query_time(req, resp, "until", 0, &f.until) ||
	    rq_fleet_query_choice(req, resp, "sort", sort_names, 0, &sort) ||
	    rq_fleet_query_choice(req, resp, "order", order_names, 1, &desc))
		return 0;
	if (f.since && f.until && f.since >= f.until) {
		rq_http_resp_error(resp, 400, "bad_request", "query parameter until: must be after since");
		return 0;
	}
	f.state = state >= 0 ? state_names[state] : NULL;
	f.sort = (rq_sample_sort)sort;
	f.desc = desc;
	json_t *items = json_array();
	int rc = items ? rq_store_samples(c.store, &f, &total, append_sample, items) : RQ_ENOMEM;
	rq_fleet_list_answer(resp, rc, items, total, f.limit, f.offset, "listing samples");
	return 0;
}

static int keep_sample(const rq_sample_row *r, void *payload)
{
	json_t **out = payload;
	*out = sample_json(r);
	return *out ? 0 : -1;
}

static int append_unit(int64_t unit, const char *name, const char *code, int64_t endpoints, int64_t active,
		       void *payload)
{
	return rq_fleet_append(payload, json_pack("{s:o, s:I, s:I}", "unit", rq_fleet_json_unit(unit, name, code),
						  "endpoints", (json_int_t)endpoints, "active", (json_int_t)active));
}

static int get_sample(const rq_http_req *req, rq_http_resp *resp, void *arg)
{
	rq_caller c;
	char sha[RQ_SHA256_HEX + 1];
	int64_t root = 0;
	json_t *o = NULL, *units = NULL;
	int rc;
	if (rq_admin_begin(arg, req, resp, &c) || rq_admin_list_root(&c, resp, &root))
		return 0;
	if (rq_fleet_sha256(rq_http_param(req, "sha256"), sha) < 0) {
		rq_http_resp_error(resp, 400, "bad_request", "sha256: expected 64 hex digits");
		return 0;
	}
	rc = rq_store_sample(c.store, sha, root, keep_sample, &o);
	if (rc == RQ_ENOTFOUND) {
		rq_http_resp_error(resp, 404, "not_found", "no detection of file %s", sha);
		goto done;
	}
	if (rc == 0)
		rc = (units = json_array()) ? rq_store_sample_units(c.store, sha, root, append_unit, units) : RQ_ENOMEM;
	if (rc < 0) {
		rq_api_store_error(resp, rc, "reading the sample");
		goto done;
	}
	json_object_set_new(o, "by_unit", units);
	units = NULL;
	rq_http_resp_json(resp, 200, o);
	o = NULL;
done:
	json_decref(units);
	json_decref(o);
	return 0;
}

int rq_api_samples_routes(rq_http_router *router, const rq_api_ctx *ctx)
{
	void *c = (void *)ctx;
	int rc = rq_http_router_add(router, "GET", "/api/v1/detections/samples", list_samples, c);
	if (rc == 0)
		rc = rq_http_router_add(router, "GET", "/api/v1/detections/samples/{sha256}", get_sample, c);
	return rc;
}
