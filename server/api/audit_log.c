/*
 * The handler of GET /api/v1/audit (audit_log.h): the filters come from
 * the query string, the unit restriction from rq_admin_list_root (an
 * officer's own subtree unless a unit inside it is asked for), and each
 * entry's details are given back as the JSON they were written as.
 */
#include "api/audit_log.h"

#include <string.h>

#include "api/admin.h"
#include "api/units.h"
#include "store/audit.h"

/* Times in filters: Unix seconds up to 2^40 (year 36812). */
#define TIME_MAX (1ULL << 40)

typedef struct list_acc {
	json_t *items;
} list_acc;

static json_t *null_or_int(int64_t v)
{
	return v > 0 ? json_integer((json_int_t)v) : json_null();
}

static int add_entry(const rq_audit_entry *e, void *payload)
{
	list_acc *acc = payload;
	json_t *details = json_loads(e->details_json ? e->details_json : "{}", 0, NULL);
	json_t *o = json_pack("{s:I, s:I, s:o, s:s, s:s, s:s, s:s, s:o, s:s, s:o}", "id", (json_int_t)e->id, "at",
			      (json_int_t)e->at, "user_id", null_or_int(e->user_id), "actor", e->actor ? e->actor : "",
			      "action", e->action ? e->action : "", "object_type", e->object_type ? e->object_type : "",
			      "object_id", e->object_id ? e->object_id : "", "unit_id", null_or_int(e->unit_id), "ip",
			      e->ip ? e->ip : "", "details", details ? details : json_object());
	return o && !json_array_append_new(acc->items, o) ? 0 : -1;
}

/* A text filter: absent, or a value without control characters. */
static int text_filter(const rq_http_req *req, rq_http_resp *resp, const char *name, size_t max, const char **out)
{
	*out = rq_http_query(req, name);
	if (!*out)
		return 0;
	if (strlen(*out) > max) {
		rq_http_resp_error(resp, 400, "bad_request", "%s: longer than %zu bytes", name, max);
		return -1;
	}
	return rq_api_check_text(resp, name, *out, 1);
}

static int list_audit(const rq_http_req *req, rq_http_resp *resp, void *arg)
{
	rq_caller c;
	rq_audit_filter f;
	unsigned long long since = 0, until = 0;
	int64_t total = 0;
	memset(&f, 0, sizeof(f));
	if (rq_admin_begin(arg, req, resp, &c) || rq_admin_list_root(&c, resp, &f.unit_id) ||
	    rq_admin_allow(&c, resp, RQ_ACT_READ, f.unit_id) || rq_admin_paging(req, resp, &f.limit, &f.offset) ||
	    text_filter(req, resp, "user", RQ_LOGIN_MAX, &f.actor) ||
	    text_filter(req, resp, "action", RQ_AUDIT_ACTION_FILTER_MAX, &f.action_prefix) ||
	    rq_http_query_uint(req, resp, "since", 0, TIME_MAX, 0, &since) ||
	    rq_http_query_uint(req, resp, "until", 1, TIME_MAX, 0, &until))
		return 0;
	f.since = (int64_t)since;
	f.until = (int64_t)until;
	list_acc acc = { json_array() };
	if (!acc.items)
		return rq_fail(RQ_ENOMEM, "audit: out of memory");
	int rc = rq_store_audit_list(c.store, &f, &total, add_entry, &acc);
	if (rc)
		rq_api_store_error(resp, rc, "reading the audit log");
	else
		rq_admin_list_reply(resp, json_incref(acc.items), total, f.limit, f.offset);
	json_decref(acc.items);
	return 0;
}

int rq_api_audit_log_routes(rq_http_router *router, const rq_api_ctx *ctx)
{
	return rq_http_router_add(router, "GET", "/api/v1/audit", list_audit, (void *)ctx);
}
