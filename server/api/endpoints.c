/*
 * Admin API handlers of endpoints (endpoints.h): the filtered, sorted,
 * paged list of the caller's subtree, one machine's whole picture (status,
 * databases, recent scans, detections, connections, tasks) and retiring a
 * machine; plus the query parameter readers the fleet's routes share.
 * Permissions come from rq_admin_allow / rq_admin_list_root only.
 */
#include "api/endpoints.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/admin.h"
#include "api/coverage.h"
#include "api/detections.h"
#include "api/samples.h"
#include "api/signatures.h"
#include "api/tasks.h"
#include "store/fleet.h"
#include "store/tasks.h"

/* What the detail of one endpoint carries of each history: the newest
 * few, enough for the machine's page; the full lists are filtered
 * list routes (?endpoint=ID). */
#define DETAIL_SCANS 10
#define DETAIL_DETECTIONS 100
#define DETAIL_CONNECTIONS 20
#define DETAIL_TASKS 20

/* --- query parameters --- */

int rq_fleet_query_choice(const rq_http_req *req, rq_http_resp *resp, const char *name,
			  const char *const *choices, int def, int *out)
{
	const char *v = rq_http_query(req, name);
	char list[256] = "";
	*out = def;
	if (!v)
		return 0;
	for (int i = 0; choices[i]; i++) {
		if (!strcmp(v, choices[i])) {
			*out = i;
			return 0;
		}
		size_t n = strlen(list);
		snprintf(list + n, sizeof(list) - n, "%s%s", i ? ", " : "", choices[i]);
	}
	rq_http_resp_error(resp, 400, "bad_request", "query parameter %s: expected one of %s", name, list);
	return -1;
}

int rq_fleet_query_id(const rq_http_req *req, rq_http_resp *resp, const char *name, int64_t *out)
{
	unsigned long long v = 0;
	*out = 0;
	if (rq_http_query_uint(req, resp, name, 1, 1ULL << 53, 0, &v) < 0)
		return -1;
	*out = (int64_t)v;
	return 0;
}

int rq_fleet_query_time(const rq_http_req *req, rq_http_resp *resp, const char *name, int64_t def,
			int64_t *out)
{
	unsigned long long v = 0;
	*out = def;
	if (rq_http_query_uint(req, resp, name, 0, RQ_FLEET_TIME_MAX, (unsigned long long)def, &v) < 0)
		return -1;
	*out = (int64_t)v;
	return 0;
}

int rq_fleet_query_text(const rq_http_req *req, rq_http_resp *resp, const char *name, size_t max,
			const char **out)
{
	const char *v = rq_http_query(req, name);
	*out = NULL;
	if (!v)
		return 0;
	size_t n = strlen(v);
	if (n == 0 || n > max) {
		rq_http_resp_error(resp, 400, "bad_request", "query parameter %s: expected 1 to %zu bytes", name,
				   max);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		if ((unsigned char)v[i] < 0x20 || v[i] == 0x7f) {
			rq_http_resp_error(resp, 400, "bad_request",
					   "query parameter %s: control characters are not allowed", name);
			return -1;
		}
	}
	*out = v;
	return 0;
}

/* --- JSON --- */

json_t *rq_fleet_json_time(int64_t t)
{
	return t > 0 ? json_integer((json_int_t)t) : json_null();
}

json_t *rq_fleet_json_doc(const char *text, const char *fallback)
{
	json_t *v = text && *text ? json_loads(text, JSON_DECODE_ANY, NULL) : NULL;
	return v ? v : json_loads(fallback, JSON_DECODE_ANY, NULL);
}

int rq_fleet_append(json_t *array, json_t *o)
{
	return o && json_array_append_new(array, o) == 0 ? 0 : -1;
}

void rq_fleet_list_answer(rq_http_resp *resp, int rc, json_t *items, int64_t total, int64_t limit, int64_t offset,
			  const char *what)
{
	if (rc < 0) {
		json_decref(items);
		rq_api_store_error(resp, rc, what);
	} else {
		rq_admin_list_reply(resp, items, total, limit, offset);
	}
}

json_t *rq_fleet_json_unit(int64_t id, const char *name, const char *code)
{
	return json_pack("{s:I, s:s, s:s}", "id", (json_int_t)id, "name", name, "code", code);
}

/* A vault size, null when the agent never reported it. */
static json_t *vault_bytes(const rq_endpoint_row *r, int64_t v)
{
	return r->vault_known ? json_integer((json_int_t)v) : json_null();
}

static json_t *endpoint_json(const rq_endpoint_row *r, int detail)
{
	json_t *o = json_pack("{s:I, s:o, s:s, s:s, s:{s:s, s:s}, s:o, s:s, s:s, s:b, s:b, s:o, s:o, s:o, s:o,"
			      " s:I, s:b, s:o, s:o}",
			      "id", (json_int_t)r->id, "unit",
			      rq_fleet_json_unit(r->unit_id, r->unit_name, r->unit_code), "hostname", r->hostname,
			      "kind", r->kind, "os", "name", r->os_name, "version", r->os_version, "ips",
			      rq_fleet_json_doc(r->ips_json, "[]"), "agent_version", r->agent_version, "status",
			      r->status, "realtime", r->realtime, "firewall", r->firewall, "db_newest_build",
			      rq_fleet_json_time(r->db_newest_build), "last_seen", rq_fleet_json_time(r->last_seen),
			      "last_full_scan", rq_fleet_json_time(r->last_full_scan), "last_update",
			      rq_fleet_json_time(r->last_update), "active_detections",
			      (json_int_t)r->active_detections, "infected", r->active_detections > 0,
			      "vault_free_bytes", vault_bytes(r, r->vault_free), "vault_total_bytes",
			      vault_bytes(r, r->vault_total));
	if (o && detail &&
	    json_object_update_new(o, json_pack("{s:s, s:o, s:o, s:o}", "machine_id", r->machine_id, "macs",
						rq_fleet_json_doc(r->macs_json, "[]"), "databases",
						rq_fleet_json_doc(r->db_versions_json, "{}"), "created_at",
						rq_fleet_json_time(r->created_at))) < 0) {
		json_decref(o);
		o = NULL;
	}
	return o;
}

static int append_endpoint(const rq_endpoint_row *r, void *payload)
{
	return rq_fleet_append(payload, endpoint_json(r, 0));
}

/* --- GET /api/v1/endpoints --- */

static const char *const sort_names[] = {"hostname", "last_seen", "unit", "os", "active_detections",
					 "db_newest_build", NULL};
static const char *const order_names[] = {"asc", "desc", NULL};
static const char *const kind_names[] = {"server", "workstation", "other", NULL};
static const char *const bool_names[] = {"false", "true", NULL};
static const char *const onoff_names[] = {"off", "on", NULL};

/* stale_days / sig_older_days: the cut-off time, 0 when absent. */
static int days_ago(const rq_http_req *req, rq_http_resp *resp, const char *name, int64_t now, int64_t *out)
{
	unsigned long long days = 0;
	*out = 0;
	if (rq_http_query_uint(req, resp, name, 1, RQ_FLEET_DAYS_MAX, 0, &days) < 0)
		return -1;
	if (days)
		*out = now - (int64_t)days * 86400;
	return 0;
}

/*
 * outdated=true|false and outdated_db=NAME: behind (or not) the mirror's
 * newest version of any database it publishes, or of NAME only (400 when
 * the mirror does not publish NAME). outdated_db alone means
 * outdated=true. The names stay borrowed from *latest.
 */
static int outdated_filter(const rq_api_ctx *ctx, rq_http_resp *resp, int outdated, const char *only,
			   json_t **latest, rq_fleet_db dbs[RQ_FLEET_OUTDATED_MAX], rq_endpoint_filter *f)
{
	size_t count = 0, kept = 0;
	int rc;
	if (outdated < 0 && !only)
		return 0;
	if ((rc = rq_api_mirror_dbs(ctx, latest, dbs, &count)) < 0) {
		rq_api_store_error(resp, rc, "reading the mirror's databases");
		return -1;
	}
	for (size_t i = 0; i < count; i++)
		if (!only || !strcmp(dbs[i].name, only))
			dbs[kept++] = dbs[i];
	if (only && kept == 0) {
		rq_http_resp_error(resp, 400, "bad_request", "query parameter outdated_db: the mirror publishes no such database");
		return -1;
	}
	f->outdated = outdated == 0 ? 2 : 1;
	f->outdated_dbs = dbs;
	f->outdated_count = kept;
	return 0;
}

static int list_endpoints(const rq_http_req *req, rq_http_resp *resp, void *arg)
{
	rq_caller c;
	rq_endpoint_filter f;
	int kind = -1, sort = 0, desc = 0, outdated = -1;
	int64_t total = 0, now = rq_api_now();
	const char *outdated_db = NULL;
	rq_fleet_db dbs[RQ_FLEET_OUTDATED_MAX];
	json_t *items, *latest = NULL;
	int rc;
	memset(&f, 0, sizeof(f));
	f.infected = f.realtime = -1;
	if (rq_admin_begin(arg, req, resp, &c) || rq_admin_list_root(&c, resp, &f.unit_id) ||
	    rq_admin_paging(req, resp, &f.limit, &f.offset) ||
	    rq_fleet_query_choice(req, resp, "kind", kind_names, -1, &kind) ||
	    rq_fleet_query_text(req, resp, "status", 32, &f.status) ||
	    days_ago(req, resp, "stale_days", now, &f.seen_before) ||
	    days_ago(req, resp, "sig_older_days", now, &f.sig_before) ||
	    rq_fleet_query_choice(req, resp, "infected", bool_names, -1, &f.infected) ||
	    rq_fleet_query_choice(req, resp, "realtime", onoff_names, -1, &f.realtime) ||
	    rq_fleet_query_text(req, resp, "q", RQ_FLEET_NEEDLE_MAX, &f.q) ||
	    rq_fleet_query_choice(req, resp, "outdated", bool_names, -1, &outdated) ||
	    rq_fleet_query_text(req, resp, "outdated_db", RQ_FLEET_NEEDLE_MAX, &outdated_db) ||
	    rq_fleet_query_choice(req, resp, "sort", sort_names, 0, &sort) ||
	    rq_fleet_query_choice(req, resp, "order", order_names, 0, &desc) ||
	    outdated_filter(arg, resp, outdated, outdated_db, &latest, dbs, &f))
		goto done;
	f.kind = kind >= 0 ? kind_names[kind] : NULL;
	f.sort = (rq_endpoint_sort)sort;
	f.desc = desc;
	items = json_array();
	rc = items ? rq_store_fleet_endpoints(c.store, &f, &total, append_endpoint, items) : RQ_ENOMEM;
	rq_fleet_list_answer(resp, rc, items, total, f.limit, f.offset, "listing endpoints");
done:
	json_decref(latest);
	return 0;
}

/* --- GET /api/v1/endpoints/{id} --- */

static int keep_endpoint(const rq_endpoint_row *r, void *payload)
{
	json_t **out = payload;
	*out = endpoint_json(r, 1);
	return *out ? 0 : -1;
}

static int append_scan(const rq_scan_row *r, void *payload)
{
	return rq_fleet_append(payload, json_pack("{s:I, s:s, s:o, s:o, s:I, s:I, s:I, s:s}", "id", (json_int_t)r->id,
						   "kind", r->kind, "started_at", rq_fleet_json_time(r->started_at),
						   "finished_at", rq_fleet_json_time(r->finished_at), "files_scanned",
						   (json_int_t)r->files_scanned, "detections", (json_int_t)r->detections,
						   "errors", (json_int_t)r->errors, "result", r->result));
}

/* {"items": [...], "total": n} under `key` of `o` (items stolen). */
static int put_list(json_t *o, const char *key, json_t *items, int64_t total)
{
	return json_object_set_new(o, key, json_pack("{s:o, s:I}", "items", items, "total", (json_int_t)total));
}

/* The endpoint's histories into `o`. */
static int endpoint_histories(rq_store *s, int64_t id, json_t *o)
{
	json_t *scans = json_array(), *dets = json_array(), *conns = json_array(), *tasks = json_array();
	rq_detection_filter df = {.endpoint_id = id, .limit = DETAIL_DETECTIONS, .desc = 1};
	rq_connection_filter cf = {.endpoint_id = id, .limit = DETAIL_CONNECTIONS};
	rq_task_filter tf = {.endpoint_id = id, .limit = DETAIL_TASKS};
	int64_t dtotal = 0, ctotal = 0, ttotal = 0;
	int rc = !scans || !dets || !conns || !tasks ? RQ_ENOMEM : 0;
	if (rc == 0)
		rc = rq_store_fleet_scans(s, id, DETAIL_SCANS, append_scan, scans);
	if (rc == 0)
		rc = rq_store_fleet_detections(s, &df, &dtotal, rq_fleet_append_detection, dets);
	if (rc == 0)
		rc = rq_store_fleet_connections(s, &cf, &ctotal, rq_fleet_append_connection, conns);
	if (rc == 0)
		rc = rq_store_tasks_list(s, &tf, &ttotal, rq_fleet_append_task, tasks);
	if (rc == 0) {
		json_object_set(o, "scans", scans);
		put_list(o, "detections", json_incref(dets), dtotal);
		put_list(o, "connections", json_incref(conns), ctotal);
		put_list(o, "tasks", json_incref(tasks), ttotal);
	}
	json_decref(scans);
	json_decref(dets);
	json_decref(conns);
	json_decref(tasks);
	return rc;
}

/* The caller, the {id} and its unit, and whether `action` is allowed on it:
 * 0, or -1 with resp filled (401/403/404/5xx). */
static int endpoint_target(const rq_api_ctx *ctx, const rq_http_req *req, rq_http_resp *resp, rq_action action,
			   rq_caller *c, int64_t *id, int64_t *unit)
{
	int rc;
	if (rq_admin_begin(ctx, req, resp, c) || rq_admin_id_param(req, resp, "id", id))
		return -1;
	rc = rq_store_fleet_endpoint_unit(c->store, *id, unit);
	if (rc == RQ_ENOTFOUND) {
		rq_http_resp_error(resp, 404, "not_found", "no endpoint %lld", (long long)*id);
		return -1;
	}
	if (rc < 0) {
		rq_api_store_error(resp, rc, "reading the endpoint");
		return -1;
	}
	return rq_admin_allow(c, resp, action, *unit);
}

static int get_endpoint(const rq_http_req *req, rq_http_resp *resp, void *arg)
{
	rq_caller c;
	int64_t id = 0, unit = 0;
	json_t *o = NULL;
	int rc;
	if (endpoint_target(arg, req, resp, RQ_ACT_READ, &c, &id, &unit))
		return 0;
	rc = rq_store_fleet_endpoint(c.store, id, keep_endpoint, &o);
	if (rc == 0)
		rc = endpoint_histories(c.store, id, o);
	if (rc == RQ_ENOTFOUND)
		rq_http_resp_error(resp, 404, "not_found", "no endpoint %lld", (long long)id);
	else if (rc < 0)
		rq_api_store_error(resp, rc, "reading the endpoint");
	else
		rq_http_resp_json(resp, 200, json_incref(o));
	json_decref(o);
	return 0;
}

/* --- DELETE /api/v1/endpoints/{id} --- */

typedef struct retire_txn {
	const rq_caller *c;
	int64_t id, unit;
	char hostname[256];
} retire_txn;

static int keep_hostname(const rq_endpoint_row *r, void *payload)
{
	retire_txn *t = payload;
	snprintf(t->hostname, sizeof(t->hostname), "%s", r->hostname);
	return 0;
}

static int retire_in_txn(rq_store *s, void *payload)
{
	retire_txn *t = payload;
	int rc = rq_store_fleet_endpoint(s, t->id, keep_hostname, t);
	if (rc == 0)
		rc = rq_store_fleet_endpoint_retire(s, t->id, rq_api_now(), &t->unit);
	if (rc == 0)
		rc = rq_admin_audit(s, t->c, "endpoint.retire", "endpoint", t->id, t->unit,
				    json_pack("{s:s}", "hostname", t->hostname));
	return rc;
}

static int retire_endpoint(const rq_http_req *req, rq_http_resp *resp, void *arg)
{
	rq_caller c;
	retire_txn t;
	int rc;
	memset(&t, 0, sizeof(t));
	if (endpoint_target(arg, req, resp, RQ_ACT_OPERATE, &c, &t.id, &t.unit))
		return 0;
	t.c = &c;
	rc = rq_store_transact(c.store, retire_in_txn, &t);
	if (rc == RQ_ENOTFOUND)
		rq_http_resp_error(resp, 404, "not_found", "no endpoint %lld", (long long)t.id);
	else if (rc < 0)
		rq_api_store_error(resp, rc, "retiring the endpoint");
	else
		rq_http_resp_json(resp, 200, json_pack("{s:I, s:s, s:b}", "id", (json_int_t)t.id, "hostname",
						       t.hostname, "retired", 1));
	return 0;
}

int rq_api_endpoints_routes(rq_http_router *router, const rq_api_ctx *ctx)
{
	void *c = (void *)ctx;
	int rc;
	if ((rc = rq_http_router_add(router, "GET", "/api/v1/endpoints", list_endpoints, c)) ||
	    (rc = rq_http_router_add(router, "GET", "/api/v1/endpoints/{id}", get_endpoint, c)) ||
	    (rc = rq_http_router_add(router, "DELETE", "/api/v1/endpoints/{id}", retire_endpoint, c)))
		return rc;
	return 0;
}

int rq_api_fleet_routes(rq_http_router *router, const rq_api_ctx *ctx)
{
	int rc;
	if ((rc = rq_api_endpoints_routes(router, ctx)) || (rc = rq_api_detections_routes(router, ctx)) ||
	    (rc = rq_api_tasks_routes(router, ctx)) || (rc = rq_api_coverage_routes(router, ctx)) ||
	    (rc = rq_api_samples_routes(router, ctx)) || (rc = rq_api_signatures_routes(router, ctx)))
		return rc;
	return 0;
}
