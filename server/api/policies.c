/*
 * Handlers of unit policies (policies.h). A PUT body is checked twice:
 * its shape by the field spec (unknown fields, wrong types), then each
 * value by rq_policy_check_field (times, days, bounds); the merge with the
 * fields already set, the write and its audit record share a transaction.
 */
#include "api/policies.h"

#include <string.h>

#include "api/admin.h"
#include "api/policy_cache.h"
#include "api/units.h"
#include "http/json.h"
#include "store/policies.h"

static const rq_json_field schedule_fields[] = {
	{ .name = "every", .type = RQ_JSON_STRING, .required = 1, .max = 8 },
	{ .name = "day", .type = RQ_JSON_ANY },
	{ .name = "time", .type = RQ_JSON_STRING, .required = 1, .max = 8 },
	{ .name = NULL },
};

static const rq_json_field scan_schedule_fields[] = {
	{ .name = "quick", .type = RQ_JSON_OBJECT, .fields = schedule_fields },
	{ .name = "full", .type = RQ_JSON_OBJECT, .fields = schedule_fields },
	{ .name = NULL },
};

static const rq_json_field glob_elem[] = {
	{ .name = "", .type = RQ_JSON_STRING, .max = RQ_POLICY_MAX_GLOB },
	{ .name = NULL },
};

/* Every field nullable: null removes the field from the unit. */
static const rq_json_field put_spec[] = {
	{ .name = "scan_schedule", .type = RQ_JSON_OBJECT, .nullable = 1, .fields = scan_schedule_fields },
	{ .name = "action_on_detection", .type = RQ_JSON_STRING, .nullable = 1, .max = 16 },
	{ .name = "exclusions", .type = RQ_JSON_ARRAY, .nullable = 1, .max = RQ_POLICY_MAX_EXCLUSIONS,
	  .elem = glob_elem },
	{ .name = "realtime", .type = RQ_JSON_BOOL, .nullable = 1 },
	{ .name = "update_interval_minutes", .type = RQ_JSON_INT, .nullable = 1, .min = RQ_POLICY_MIN_UPDATE_MINUTES,
	  .max = RQ_POLICY_MAX_UPDATE_MINUTES },
	{ .name = "heartbeat_interval_seconds", .type = RQ_JSON_INT, .nullable = 1,
	  .min = RQ_POLICY_MIN_HEARTBEAT_SECONDS, .max = RQ_POLICY_MAX_HEARTBEAT_SECONDS },
	{ .name = NULL },
};

/* Answer `status` with the unit's policy view. */
static int reply_view(rq_http_resp *resp, rq_store *s, int64_t unit, unsigned status)
{
	rq_policy_view v;
	int rc = rq_store_policy_view(s, unit, &v);
	if (rc == RQ_ENOTFOUND)
		return rq_http_resp_error(resp, 404, "not_found", "no such unit");
	if (rc)
		return rq_api_store_error(resp, rc, "reading the policy");
	json_t *o = json_pack("{s:I, s:O, s:O, s:O, s:I, s:I}", "unit_id", (json_int_t)unit, "effective", v.effective,
			      "own", v.own, "inherited_from", v.inherited_from, "version", (json_int_t)v.version,
			      "own_version", (json_int_t)v.own_version);
	rq_policy_view_clear(&v);
	if (!o)
		return rq_api_store_error(resp, RQ_ENOMEM, "answering");
	return rq_http_resp_json(resp, status, o);
}

static int get_policy(const rq_http_req *req, rq_http_resp *resp, void *arg)
{
	rq_caller c;
	int64_t unit;
	if (rq_admin_id_param(req, resp, "id", &unit) || rq_admin_begin(arg, req, resp, &c) ||
	    rq_admin_allow(&c, resp, RQ_ACT_READ, unit))
		return 0;
	return reply_view(resp, c.store, unit, 200);
}

typedef struct put_txn {
	const rq_caller *c;
	int64_t unit;
	const json_t *patch;
} put_txn;

static int put_in_txn(rq_store *s, void *payload)
{
	put_txn *t = payload;
	rq_policy_view v;
	json_t *own = NULL, *removed = NULL, *set = NULL;
	const char *key;
	json_t *val;
	int rc = rq_store_policy_view(s, t->unit, &v);
	if (rc)
		return rc;
	own = json_deep_copy(v.own);
	removed = json_array();
	set = json_object();
	if (!own || !removed || !set) {
		rc = rq_fail(RQ_ENOMEM, "policy: out of memory");
		goto done;
	}
	json_object_foreach((json_t *)t->patch, key, val) {
		if (json_is_null(val)) {
			if (json_object_get(own, key) && json_array_append_new(removed, json_string(key)))
				rc = RQ_ENOMEM;
			json_object_del(own, key);
		} else if (json_object_set(own, key, val) || json_object_set(set, key, val)) {
			rc = RQ_ENOMEM;
		}
	}
	if (rc) {
		rc = rq_fail(rc, "policy: out of memory");
		goto done;
	}
	if ((rc = rq_store_policy_set(s, t->unit, own, t->c->user_id, rq_api_now(), NULL)))
		goto done;
	rc = rq_admin_audit(s, t->c, "policy.update", "unit", t->unit, t->unit,
			    json_pack("{s:O, s:O}", "set", set, "removed", removed));
done:
	json_decref(own);
	json_decref(removed);
	json_decref(set);
	rq_policy_view_clear(&v);
	return rc;
}

static int put_policy(const rq_http_req *req, rq_http_resp *resp, void *arg)
{
	rq_caller c;
	int64_t unit;
	json_t *body = NULL;
	const char *key;
	json_t *val;
	char why[256];
	if (rq_admin_id_param(req, resp, "id", &unit) || rq_admin_begin(arg, req, resp, &c))
		return 0;
	int rc = rq_http_json_body(req, resp, put_spec, &body);
	if (rc)
		return rc;
	json_object_foreach(body, key, val) {
		if (!json_is_null(val) && rq_policy_check_field(key, val, why, sizeof(why))) {
			rq_http_resp_error(resp, 400, "out_of_range", "%s", why);
			goto done;
		}
	}
	if (rq_admin_allow(&c, resp, RQ_ACT_UNITS, unit))
		goto done;
	put_txn t = { &c, unit, body };
	rc = rq_store_transact(c.store, put_in_txn, &t);
	if (rc == 0)
		rq_policy_cache_bump(); /* heartbeats answer the new policy at once */
	if (rc == RQ_ENOTFOUND || rc == RQ_STORE_ECONSTRAINT)
		rq_http_resp_error(resp, 404, "not_found", "no such unit");
	else if (rc)
		rq_api_store_error(resp, rc, "changing the policy");
	else
		reply_view(resp, c.store, unit, 200);
done:
	json_decref(body);
	return 0;
}

int rq_api_policies_routes(rq_http_router *router, const rq_api_ctx *ctx)
{
	void *x = (void *)ctx;
	int rc;
	if ((rc = rq_http_router_add(router, "GET", "/api/v1/units/{id}/policy", get_policy, x)) ||
	    (rc = rq_http_router_add(router, "PUT", "/api/v1/units/{id}/policy", put_policy, x)))
		return rc;
	return 0;
}
