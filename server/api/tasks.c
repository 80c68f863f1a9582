/*
 * Admin API handlers of tasks (tasks.h): every body is checked against its
 * field spec and then per kind (which parameters, absolute canonical
 * paths, a restore naming this endpoint's quarantined detection or a vault
 * item id); the task and its audit record commit together. The agent
 * receives tasks in its heartbeat answer (api/agent.c).
 */
#include "api/tasks.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/admin.h"
#include "api/endpoints.h"
#include "http/json.h"
#include "raquet/vault.h"
#include "store/fleet.h"
#include "store/units.h"

static const char *const kind_names[] = {"scan_quick", "scan_full", "scan_path", "update",
					 "quarantine", "restore",   "delete",	 NULL};
static const char *const state_names[] = {"pending", "sent",	  "running", "done",
					  "failed",  "cancelled", "expired", NULL};

static const rq_json_field params_spec[] = {
	{ .name = "path", .type = RQ_JSON_STRING, .max = RQ_TASK_PATH_MAX },
	{ .name = "detection_id", .type = RQ_JSON_INT, .min = 1, .max = 1LL << 53 },
	{ .name = "vault_item", .type = RQ_JSON_STRING, .max = 64 },
	{ .name = NULL },
};

static const rq_json_field create_spec[] = {
	{ .name = "kind", .type = RQ_JSON_STRING, .required = 1, .max = 16 },
	{ .name = "params", .type = RQ_JSON_OBJECT, .fields = params_spec },
	{ .name = "expires_in_hours", .type = RQ_JSON_INT, .min = 1, .max = RQ_TASK_MAX_EXPIRY_HOURS },
	{ .name = NULL },
};

json_t *rq_fleet_task_json(const rq_task_row *r)
{
	json_t *result = r->result_json[0] ? rq_fleet_json_doc(r->result_json, "null") : json_null();
	json_t *by = r->created_by > 0 ? json_pack("{s:I, s:s}", "id", (json_int_t)r->created_by, "login",
						   r->created_by_login)
				       : json_null();
	return json_pack("{s:I, s:{s:I, s:s}, s:I, s:s, s:o, s:s, s:o, s:I, s:o, s:o, s:o, s:o}", "id",
			 (json_int_t)r->t.id, "endpoint", "id", (json_int_t)r->t.endpoint_id, "hostname", r->hostname,
			 "unit_id", (json_int_t)r->unit_id, "kind", r->t.kind, "params",
			 rq_fleet_json_doc(r->t.params_json, "{}"), "state", r->t.state, "result", result,
			 "created_at", (json_int_t)r->t.created_at, "sent_at", rq_fleet_json_time(r->t.sent_at),
			 "finished_at", rq_fleet_json_time(r->finished_at), "expires_at",
			 rq_fleet_json_time(r->t.expires_at), "created_by", by);
}

/* --- checking a task's parameters --- */

const char *rq_task_path_problem(const char *p, size_t len)
{
	if (strlen(p) != len)
		return "NUL characters are not allowed";
	if (p[0] != '/')
		return "expected an absolute path";
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)p[i] < 0x20 || p[i] == 0x7f)
			return "control characters are not allowed";
	for (const char *c = p; c; c = strchr(c + 1, '/')) {
		const char *next = c + 1;
		size_t n = strcspn(next, "/");
		if ((n == 1 && next[0] == '.') || (n == 2 && next[0] == '.' && next[1] == '.'))
			return "'.' and '..' components are not allowed";
		if (n == 0 && next[0] == '/')
			return "empty components ('//') are not allowed";
	}
	return NULL;
}

typedef struct detection_check {
	int64_t endpoint_id;
	char state[16];
	char *path, *sha256;
} detection_check;

static int keep_detection(const rq_detection_row *r, void *payload)
{
	detection_check *d = payload;
	d->endpoint_id = r->endpoint_id;
	snprintf(d->state, sizeof(d->state), "%s", r->state);
	d->path = strdup(r->path);
	d->sha256 = strdup(r->sha256);
	return d->path && d->sha256 ? 0 : -1;
}

/*
 * The parameters to store for `kind` (index into kind_names) from the
 * body's `params` (may be NULL), for endpoint `endpoint_id` (0: a unit
 * subtree). 0 with *out (free()) set, or -1 with resp filled.
 */
static int check_params(rq_store *s, int kind, const json_t *params, int64_t endpoint_id, rq_http_resp *resp,
			char **out)
{
	const char *name = kind_names[kind];
	json_t *path = json_object_get(params, "path"), *det = json_object_get(params, "detection_id");
	json_t *vault = json_object_get(params, "vault_item"), *stored = NULL;
	int wants_path = !strcmp(name, "scan_path") || !strcmp(name, "quarantine") || !strcmp(name, "delete");
	int restore = !strcmp(name, "restore");
	detection_check d = {0};
	int rc = -1;
	*out = NULL;
	if (path && !wants_path) {
		rq_http_resp_error(resp, 400, "bad_request", "params.path: not a parameter of %s", name);
		goto done;
	}
	if ((det || vault) && !restore) {
		rq_http_resp_error(resp, 400, "bad_request", "params.%s: not a parameter of %s",
				   det ? "detection_id" : "vault_item", name);
		goto done;
	}
	if (wants_path) {
		const char *why = !path ? "required" : rq_task_path_problem(json_string_value(path), json_string_length(path));
		if (why) {
			rq_http_resp_error(resp, 400, "bad_request", "params.path: %s", why);
			goto done;
		}
		stored = json_pack("{s:O}", "path", path);
	} else if (restore) {
		if (!endpoint_id) {
			rq_http_resp_error(resp, 400, "bad_request",
					   "kind: restore names one machine's file: queue it on the endpoint");
			goto done;
		}
		if (!det == !vault) {
			rq_http_resp_error(resp, 400, "bad_request",
					   "params: restore needs exactly one of detection_id and vault_item");
			goto done;
		}
		if (vault) {
			const char *v = json_string_value(vault);
			if (strlen(v) != RQ_VAULT_ID_LEN || strspn(v, "0123456789abcdef") != RQ_VAULT_ID_LEN) {
				rq_http_resp_error(resp, 400, "bad_request",
						   "params.vault_item: expected %d lower-case hex digits", RQ_VAULT_ID_LEN);
				goto done;
			}
			stored = json_pack("{s:O}", "vault_item", vault);
		} else {
			int64_t id = (int64_t)json_integer_value(det);
			int src = rq_store_fleet_detection(s, id, keep_detection, &d);
			if (src < 0 && src != RQ_ENOTFOUND) {
				rq_api_store_error(resp, src, "reading the detection");
				goto done;
			}
			if (src == RQ_ENOTFOUND || d.endpoint_id != endpoint_id) {
				rq_http_resp_error(resp, 400, "bad_request",
						   "params.detection_id: no detection %lld on endpoint %lld",
						   (long long)id, (long long)endpoint_id);
				goto done;
			}
			if (strcmp(d.state, "quarantined")) {
				rq_http_resp_error(resp, 400, "bad_request",
						   "params.detection_id: detection %lld is %s, not quarantined",
						   (long long)id, d.state);
				goto done;
			}
			stored = json_pack("{s:I, s:s, s:s}", "detection_id", (json_int_t)id, "path", d.path, "sha256",
					   d.sha256);
		}
	} else {
		stored = json_object();
	}
	if (!stored || !(*out = json_dumps(stored, JSON_COMPACT))) {
		rq_api_store_error(resp, RQ_ENOMEM, "queueing the task");
		goto done;
	}
	rc = 0;
done:
	free(d.path);
	free(d.sha256);
	json_decref(stored);
	return rc;
}

/* The body of a task creation: kind index, stored params, expiry time. */
static int read_body(rq_store *s, const rq_http_req *req, rq_http_resp *resp, int64_t endpoint_id, int64_t now,
		     int *kind, char **params, int64_t *expires_at)
{
	json_t *body = NULL;
	int rc = rq_http_json_body(req, resp, create_spec, &body);
	if (rc)
		return -1;
	const char *k = json_string_value(json_object_get(body, "kind"));
	json_t *hours = json_object_get(body, "expires_in_hours");
	rc = -1;
	for (*kind = 0; kind_names[*kind] && strcmp(kind_names[*kind], k); (*kind)++)
		;
	if (!kind_names[*kind]) {
		rq_http_resp_error(resp, 400, "out_of_range",
				   "kind: expected scan_quick, scan_full, scan_path, update, quarantine, restore or delete");
		goto done;
	}
	if (check_params(s, *kind, json_object_get(body, "params"), endpoint_id, resp, params))
		goto done;
	*expires_at = now + (hours ? (int64_t)json_integer_value(hours) : RQ_TASK_DEFAULT_EXPIRY_HOURS) * 3600;
	rc = 0;
done:
	json_decref(body);
	return rc;
}

/* --- POST /api/v1/endpoints/{id}/tasks, POST /api/v1/units/{id}/tasks --- */

typedef struct create_txn {
	const rq_caller *c;
	int64_t endpoint_id, unit_id; /* endpoint 0: the unit's subtree */
	const char *kind, *params;
	int64_t now, expires_at;
	int64_t id, count;
} create_txn;

static int create_in_txn(rq_store *s, void *payload)
{
	create_txn *t = payload;
	json_t *details;
	int rc;
	if (t->endpoint_id) {
		rc = rq_store_task_create(s, &t->id, t->endpoint_id, t->kind, t->params, t->c->user_id, t->now,
					  t->expires_at);
		t->count = 1;
	} else {
		rc = rq_store_task_create_subtree(s, &t->count, t->unit_id, t->kind, t->params, t->c->user_id, t->now,
						  t->expires_at);
	}
	if (rc < 0)
		return rc;
	details = json_pack("{s:s, s:o, s:I, s:I}", "kind", t->kind, "params", rq_fleet_json_doc(t->params, "{}"),
			    "endpoints", (json_int_t)t->count, "expires_at", (json_int_t)t->expires_at);
	if (t->endpoint_id)
		json_object_set_new(details, "endpoint_id", json_integer((json_int_t)t->endpoint_id));
	return rq_admin_audit(s, t->c, "task.create", t->endpoint_id ? "task" : "unit",
			      t->endpoint_id ? t->id : t->unit_id, t->unit_id, details);
}

static int keep_task(const rq_task_row *r, void *payload)
{
	json_t **out = payload;
	*out = rq_fleet_task_json(r);
	return *out ? 0 : -1;
}

static int create_task(const rq_http_req *req, rq_http_resp *resp, const rq_api_ctx *ctx, int for_unit)
{
	rq_caller c;
	create_txn t;
	rq_unit unit;
	char *params = NULL;
	int kind = 0, rc;
	json_t *task = NULL;
	int64_t id = 0;
	memset(&t, 0, sizeof(t));
	memset(&unit, 0, sizeof(unit));
	if (rq_admin_begin(ctx, req, resp, &c) || rq_admin_id_param(req, resp, "id", &id))
		return 0;
	rc = for_unit ? rq_store_unit_get(c.store, id, &unit) : rq_store_fleet_endpoint_unit(c.store, id, &t.unit_id);
	if (rc == RQ_ENOTFOUND) {
		rq_http_resp_error(resp, 404, "not_found", "no %s %lld", for_unit ? "unit" : "endpoint", (long long)id);
		goto done;
	}
	if (rc < 0) {
		rq_api_store_error(resp, rc, "queueing the task");
		goto done;
	}
	if (for_unit)
		t.unit_id = id;
	else
		t.endpoint_id = id;
	t.c = &c;
	t.now = rq_api_now();
	if (rq_admin_allow(&c, resp, RQ_ACT_OPERATE, t.unit_id) ||
	    read_body(c.store, req, resp, t.endpoint_id, t.now, &kind, &params, &t.expires_at))
		goto done;
	t.kind = kind_names[kind];
	t.params = params;
	rc = rq_store_transact(c.store, create_in_txn, &t);
	if (rc == RQ_STORE_ECONSTRAINT) { /* the endpoint was retired meanwhile */
		rq_http_resp_error(resp, 409, "conflict", "the task could not be queued: %s", rq_error_last());
		goto done;
	}
	if (rc == 0 && !for_unit)
		rc = rq_store_task_get(c.store, t.id, keep_task, &task);
	if (rc < 0) {
		rq_api_store_error(resp, rc, "queueing the task");
		goto done;
	}
	if (for_unit)
		rq_http_resp_json(resp, 201, json_pack("{s:I, s:s, s:I, s:I}", "unit_id", (json_int_t)t.unit_id, "kind",
						       t.kind, "count", (json_int_t)t.count, "expires_at",
						       (json_int_t)t.expires_at));
	else
		rq_http_resp_json(resp, 201, json_incref(task));
done:
	json_decref(task);
	rq_store_unit_clear(&unit);
	free(params);
	return 0;
}

static int create_endpoint_task(const rq_http_req *req, rq_http_resp *resp, void *arg)
{
	return create_task(req, resp, arg, 0);
}

static int create_unit_task(const rq_http_req *req, rq_http_resp *resp, void *arg)
{
	return create_task(req, resp, arg, 1);
}

/* --- GET /api/v1/tasks, GET /api/v1/tasks/{id} --- */

int rq_fleet_append_task(const rq_task_row *r, void *payload)
{
	return rq_fleet_append(payload, rq_fleet_task_json(r));
}

static int list_tasks(const rq_http_req *req, rq_http_resp *resp, void *arg)
{
	rq_caller c;
	rq_task_filter f;
	int state = -1, kind = -1;
	json_t *items;
	int rc;
	int64_t total = 0;
	memset(&f, 0, sizeof(f));
	if (rq_admin_begin(arg, req, resp, &c) || rq_admin_list_root(&c, resp, &f.unit_id) ||
	    rq_admin_paging(req, resp, &f.limit, &f.offset) ||
	    rq_fleet_query_id(req, resp, "endpoint", &f.endpoint_id) ||
	    rq_fleet_query_choice(req, resp, "state", state_names, -1, &state) ||
	    rq_fleet_query_choice(req, resp, "kind", kind_names, -1, &kind))
		goto done;
	f.state = state >= 0 ? state_names[state] : NULL;
	f.kind = kind >= 0 ? kind_names[kind] : NULL;
	items = json_array();
	rc = items ? rq_store_tasks_list(c.store, &f, &total, rq_fleet_append_task, items) : RQ_ENOMEM;
	rq_fleet_list_answer(resp, rc, items, total, f.limit, f.offset, "listing tasks");
done:
	return 0;
}

/* The task {id} as JSON, if the caller may do `action` to it: 0, or -1
 * with resp filled. */
static int task_target(const rq_api_ctx *ctx, const rq_http_req *req, rq_http_resp *resp, rq_action action,
		       rq_caller *c, int64_t *id, json_t **task)
{
	int rc;
	*task = NULL;
	if (rq_admin_begin(ctx, req, resp, c) || rq_admin_id_param(req, resp, "id", id))
		return -1;
	rc = rq_store_task_get(c->store, *id, keep_task, task);
	if (rc == RQ_ENOTFOUND) {
		rq_http_resp_error(resp, 404, "not_found", "no task %lld", (long long)*id);
		return -1;
	}
	if (rc < 0) {
		rq_api_store_error(resp, rc, "reading the task");
		return -1;
	}
	return rq_admin_allow(c, resp, action, (int64_t)json_integer_value(json_object_get(*task, "unit_id")));
}

static int get_task(const rq_http_req *req, rq_http_resp *resp, void *arg)
{
	rq_caller c;
	int64_t id = 0;
	json_t *task = NULL;
	if (!task_target(arg, req, resp, RQ_ACT_READ, &c, &id, &task))
		rq_http_resp_json(resp, 200, json_incref(task));
	json_decref(task);
	return 0;
}

/* --- POST /api/v1/tasks/{id}/cancel --- */

typedef struct cancel_txn {
	const rq_caller *c;
	int64_t id, unit_id;
	const char *kind;
	int cancelled;
} cancel_txn;

static int cancel_in_txn(rq_store *s, void *payload)
{
	cancel_txn *t = payload;
	int rc = rq_store_task_cancel(s, t->id, rq_api_now(), &t->cancelled);
	if (rc == 0 && t->cancelled)
		rc = rq_admin_audit(s, t->c, "task.cancel", "task", t->id, t->unit_id, json_pack("{s:s}", "kind", t->kind));
	return rc;
}

static int cancel_task(const rq_http_req *req, rq_http_resp *resp, void *arg)
{
	rq_caller c;
	cancel_txn t;
	json_t *task = NULL, *after = NULL;
	int rc;
	memset(&t, 0, sizeof(t));
	if (task_target(arg, req, resp, RQ_ACT_OPERATE, &c, &t.id, &task))
		goto done;
	t.c = &c;
	t.unit_id = (int64_t)json_integer_value(json_object_get(task, "unit_id"));
	t.kind = json_string_value(json_object_get(task, "kind"));
	rc = rq_store_transact(c.store, cancel_in_txn, &t);
	if (rc == 0)
		rc = rq_store_task_get(c.store, t.id, keep_task, &after);
	if (rc == RQ_ENOTFOUND)
		rq_http_resp_error(resp, 404, "not_found", "no task %lld", (long long)t.id);
	else if (rc < 0)
		rq_api_store_error(resp, rc, "cancelling the task");
	else if (!t.cancelled)
		rq_http_resp_error(resp, 409, "conflict", "task %lld is %s: only pending or sent tasks can be cancelled",
				   (long long)t.id, json_string_value(json_object_get(after, "state")));
	else
		rq_http_resp_json(resp, 200, json_incref(after));
done:
	json_decref(task);
	json_decref(after);
	return 0;
}

int rq_api_tasks_routes(rq_http_router *router, const rq_api_ctx *ctx)
{
	void *c = (void *)ctx;
	int rc;
	if ((rc = rq_http_router_add(router, "POST", "/api/v1/endpoints/{id}/tasks", create_endpoint_task, c)) ||
	    (rc = rq_http_router_add(router, "POST", "/api/v1/units/{id}/tasks", create_unit_task, c)) ||
	    (rc = rq_http_router_add(router, "GET", "/api/v1/tasks", list_tasks, c)) ||
	    (rc = rq_http_router_add(router, "GET", "/api/v1/tasks/{id}", get_task, c)) ||
	    (rc = rq_http_router_add(router, "POST", "/api/v1/tasks/{id}/cancel", cancel_task, c)))
		return rc;
	return 0;
}
