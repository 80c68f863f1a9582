/*
 * Admin API handlers of detections and malicious connections
 * (detections.h): lists restricted to the caller's subtree by
 * rq_admin_list_root, one detection checked with rq_admin_allow, and its
 * "shared" figures counted within the caller's own scope only.
 */
#include "api/detections.h"

#include <ctype.h>
#include <string.h>

#include "api/admin.h"
#include "api/endpoints.h"


json_t *rq_fleet_detection_json(const rq_detection_row *r)
{
	return json_pack("{s:I, s:{s:I, s:s}, s:o, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:I}", "id",
			 (json_int_t)r->id, "endpoint", "id", (json_int_t)r->endpoint_id, "hostname", r->hostname,
			 "unit", rq_fleet_json_unit(r->unit_id, r->unit_name, r->unit_code), "path", r->path,
			 "sha256", r->sha256, "md5", r->md5, "name", r->name, "type", r->type, "action", r->action,
			 "state", r->state, "first_seen", (json_int_t)r->first_seen, "last_seen",
			 (json_int_t)r->last_seen);
}

json_t *rq_fleet_connection_json(const rq_connection_row *r)
{
	return json_pack("{s:I, s:{s:I, s:s}, s:o, s:s, s:o, s:s, s:s, s:o, s:s, s:s, s:I}", "id",
			 (json_int_t)r->id, "endpoint", "id", (json_int_t)r->endpoint_id, "hostname", r->hostname,
			 "unit", rq_fleet_json_unit(r->unit_id, r->unit_name, r->unit_code), "remote_addr",
			 r->remote_addr, "remote_port",
			 r->remote_port > 0 ? json_integer((json_int_t)r->remote_port) : json_null(), "remote_host",
			 r->remote_host, "process_path", r->process_path, "pid",
			 r->pid > 0 ? json_integer((json_int_t)r->pid) : json_null(), "indicator", r->indicator,
			 "action", r->action, "seen_at", (json_int_t)r->seen_at);
}

int rq_fleet_append_detection(const rq_detection_row *r, void *payload)
{
	return rq_fleet_append(payload, rq_fleet_detection_json(r));
}

int rq_fleet_append_connection(const rq_connection_row *r, void *payload)
{
	return rq_fleet_append(payload, rq_fleet_connection_json(r));
}

static const char *const state_names[] = {"active", "quarantined", "removed", "restored", "ignored", NULL};
static const char *const sort_names[] = {"last_seen", "first_seen", "name", "hostname", "state", NULL};
static const char *const order_names[] = {"asc", "desc", NULL};

int rq_fleet_sha256(const char *v, char out[RQ_SHA256_HEX + 1])
{
	if (!v || strlen(v) != RQ_SHA256_HEX || strspn(v, "0123456789abcdefABCDEF") != RQ_SHA256_HEX)
		return -1;
	for (int i = 0; i <= RQ_SHA256_HEX; i++)
		out[i] = (char)tolower((unsigned char)v[i]);
	return 0;
}

/* sha256: 64 hex digits, lower-cased into buf; *out NULL when absent. */
static int query_sha256(const rq_http_req *req, rq_http_resp *resp, char buf[RQ_SHA256_HEX + 1], const char **out)
{
	const char *v = rq_http_query(req, "sha256");
	*out = NULL;
	if (!v)
		return 0;
	if (rq_fleet_sha256(v, buf) < 0) {
		rq_http_resp_error(resp, 400, "bad_request", "query parameter sha256: expected 64 hex digits");
		return -1;
	}
	*out = buf;
	return 0;
}

static int list_detections(const rq_http_req *req, rq_http_resp *resp, void *arg)
{
	rq_caller c;
	rq_detection_filter f;
	char sha[RQ_SHA256_HEX + 1];
	json_t *items;
	int rc;
	int state = -1, sort = 0, desc = 1;
	int64_t total = 0;
	memset(&f, 0, sizeof(f));
	if (rq_admin_begin(arg, req, resp, &c) || rq_admin_list_root(&c, resp, &f.unit_id) ||
	    rq_admin_paging(req, resp, &f.limit, &f.offset) ||
	    rq_fleet_query_id(req, resp, "endpoint", &f.endpoint_id) ||
	    rq_fleet_query_choice(req, resp, "state", state_names, -1, &state) ||
	    rq_fleet_query_text(req, resp, "name", RQ_FLEET_NEEDLE_MAX, &f.name) ||
	    query_sha256(req, resp, sha, &f.sha256) || rq_fleet_query_time(req, resp, "since", 0, &f.since) ||
	    rq_fleet_query_time(req, resp, "until", 0, &f.until) ||
	    rq_fleet_query_choice(req, resp, "sort", sort_names, 0, &sort) ||
	    rq_fleet_query_choice(req, resp, "order", order_names, 1, &desc))
		goto done;
	if (f.since && f.until && f.since >= f.until) {
		rq_http_resp_error(resp, 400, "bad_request", "query parameter until: must be after since");
		goto done;
	}
	f.state = state >= 0 ? state_names[state] : NULL;
	f.sort = (rq_detection_sort)sort;
	f.desc = desc;
	items = json_array();
	rc = items ? rq_store_fleet_detections(c.store, &f, &total, rq_fleet_append_detection, items) : RQ_ENOMEM;
	rq_fleet_list_answer(resp, rc, items, total, f.limit, f.offset, "listing detections");
done:
	return 0;
}

static int keep_detection(const rq_detection_row *r, void *payload)
{
	json_t **out = payload;
	*out = rq_fleet_detection_json(r);
	return *out ? 0 : -1;
}

static int get_detection(const rq_http_req *req, rq_http_resp *resp, void *arg)
{
	rq_caller c;
	int64_t id = 0, endpoints = 0, units = 0;
	json_t *o = NULL;
	int rc;
	if (rq_admin_begin(arg, req, resp, &c) || rq_admin_id_param(req, resp, "id", &id))
		return 0;
	rc = rq_store_fleet_detection(c.store, id, keep_detection, &o);
	if (rc == RQ_ENOTFOUND) {
		rq_http_resp_error(resp, 404, "not_found", "no detection %lld", (long long)id);
		goto done;
	}
	if (rc < 0) {
		rq_api_store_error(resp, rc, "reading the detection");
		goto done;
	}
	json_int_t unit = json_integer_value(json_object_get(json_object_get(o, "unit"), "id"));
	if (rq_admin_allow(&c, resp, RQ_ACT_READ, (int64_t)unit))
		goto done;
	const char *sha = json_string_value(json_object_get(o, "sha256"));
	if (sha && *sha) {
		/* counted in the caller's own scope: never how far it spread elsewhere */
		rc = rq_store_fleet_sha256_spread(c.store, sha, c.unit_id, &endpoints, &units);
		if (rc < 0) {
			rq_api_store_error(resp, rc, "counting where the file was found");
			goto done;
		}
		json_object_set_new(o, "shared", json_pack("{s:I, s:I}", "endpoints", (json_int_t)endpoints, "units",
							   (json_int_t)units));
	} else {
		json_object_set_new(o, "shared", json_null());
	}
	rq_http_resp_json(resp, 200, json_incref(o));
done:
	json_decref(o);
	return 0;
}

static int list_connections(const rq_http_req *req, rq_http_resp *resp, void *arg)
{
	rq_caller c;
	rq_connection_filter f;
	int64_t total = 0;
	memset(&f, 0, sizeof(f));
	if (rq_admin_begin(arg, req, resp, &c) || rq_admin_list_root(&c, resp, &f.unit_id) ||
	    rq_admin_paging(req, resp, &f.limit, &f.offset) ||
	    rq_fleet_query_id(req, resp, "endpoint", &f.endpoint_id) ||
	    rq_fleet_query_time(req, resp, "since", 0, &f.since))
		return 0;
	json_t *items = json_array();
	int rc = items ? rq_store_fleet_connections(c.store, &f, &total, rq_fleet_append_connection, items) : RQ_ENOMEM;
	rq_fleet_list_answer(resp, rc, items, total, f.limit, f.offset, "listing connections");
	return 0;
}

int rq_api_detections_routes(rq_http_router *router, const rq_api_ctx *ctx)
{
	void *c = (void *)ctx;
	int rc;
	if ((rc = rq_http_router_add(router, "GET", "/api/v1/detections", list_detections, c)) ||
	    (rc = rq_http_router_add(router, "GET", "/api/v1/detections/{id}", get_detection, c)) ||
	    (rc = rq_http_router_add(router, "GET", "/api/v1/connections", list_connections, c)))
		return rc;
	return 0;
}
