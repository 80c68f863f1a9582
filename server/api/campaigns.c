/*
 * Admin API handlers of the campaigns (campaigns.h). Every route asks the
 * one rule (auth/authz.c): writing a campaign is RQ_ACT_UNITS at its unit
 * (administrators), recording a unit's items RQ_ACT_OPERATE at that unit
 * (its officers, administrators), reading RQ_ACT_READ at the caller's part
 * of the campaign. Changes are audited in the transaction that makes them.
 */
#include "api/campaigns.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/endpoints.h"
#include "api/units.h"
#include "campaign/deadline.h"
#include "campaign/obligations.h"
#include "http/json.h"
#include "report/figures.h"
#include "report/labels.h"
#include "api/evidence.h"
#include "api/reports.h"
#include "store/coverage.h"
#include "store/evidence.h"
#include "store/reports.h"
#include "store/systems.h"
#include "store/units.h"

#define ID_MAX 9007199254740992LL
#define TIME_MAX 253402300799LL

static const rq_json_field create_spec[] = {
	{.name = "name", .type = RQ_JSON_STRING, .required = 1, .max = RQ_CAMPAIGN_NAME_MAX},
	{.name = "unit", .type = RQ_JSON_INT, .nullable = 1, .min = 1, .max = ID_MAX},
	{.name = "from", .type = RQ_JSON_INT, .required = 1, .min = 0, .max = TIME_MAX},
	{.name = "to", .type = RQ_JSON_INT, .required = 1, .min = 0, .max = TIME_MAX},
	{.name = "unit_deadline", .type = RQ_JSON_STRING, .required = 1, .max = 10},
	{.name = "dept_deadline", .type = RQ_JSON_STRING, .required = 1, .max = 10},
	{.name = "status", .type = RQ_JSON_STRING, .max = 8},
	{.name = NULL},
};

static const rq_json_field patch_spec[] = {
	{.name = "name", .type = RQ_JSON_STRING, .max = RQ_CAMPAIGN_NAME_MAX},
	{.name = "unit", .type = RQ_JSON_INT, .nullable = 1, .min = 1, .max = ID_MAX},
	{.name = "from", .type = RQ_JSON_INT, .min = 0, .max = TIME_MAX},
	{.name = "to", .type = RQ_JSON_INT, .min = 0, .max = TIME_MAX},
	{.name = "unit_deadline", .type = RQ_JSON_STRING, .max = 10},
	{.name = "dept_deadline", .type = RQ_JSON_STRING, .max = 10},
	{.name = "status", .type = RQ_JSON_STRING, .max = 8},
	{.name = NULL},
};

static const rq_json_field item_spec[] = {
	{.name = "status", .type = RQ_JSON_STRING, .required = 1, .max = 8},
	{.name = "done_on", .type = RQ_JSON_STRING, .nullable = 1, .max = 10},
	{.name = "number", .type = RQ_JSON_STRING, .max = RQ_CAMPAIGN_TEXT_MAX},
	{.name = "topic", .type = RQ_JSON_STRING, .max = RQ_CAMPAIGN_TEXT_MAX},
	{.name = "attendees", .type = RQ_JSON_INT, .min = 0, .max = 1000000},
	{.name = "scenarios", .type = RQ_JSON_STRING, .max = 2000},
	{.name = NULL},
};

int rq_api_date_field(rq_http_resp *resp, json_t *body, const char *field, int required, char out[16])
{
	const char *v = json_string_value(json_object_get(body, field));
	int64_t day;
	out[0] = '\0';
	if (!v || !*v) {
		if (!required)
			return 0;
		rq_http_resp_error(resp, 400, "missing_field", "%s: a date YYYY-MM-DD is required", field);
		return -1;
	}
	if (rq_date_parse(v, &day) < 0) {
		rq_http_resp_error(resp, 400, "out_of_range", "%s: %s", field, rq_error_last());
		return -1;
	}
	rq_date_format(day, out);
	return 0;
}

static int copy_campaign(const rq_campaign *c, void *payload)
{
	rq_campaign_copy *o = payload;
	o->id = c->id;
	o->unit_id = c->unit_id;
	o->from = c->from;
	o->to = c->to;
	o->unit_due_at = c->unit_due_at;
	o->dept_due_at = c->dept_due_at;
	o->created_at = c->created_at;
	o->created_by = c->created_by;
	o->updated_at = c->updated_at;
	snprintf(o->name, sizeof(o->name), "%s", c->name);
	snprintf(o->unit_name, sizeof(o->unit_name), "%s", c->unit_name ? c->unit_name : "");
	snprintf(o->unit_deadline, sizeof(o->unit_deadline), "%s", c->unit_deadline);
	snprintf(o->dept_deadline, sizeof(o->dept_deadline), "%s", c->dept_deadline);
	snprintf(o->status, sizeof(o->status), "%s", c->status);
	return 0;
}

static int64_t days_left(const char *date, int64_t now)
{
	int64_t day = 0;
	return rq_date_parse(date, &day) == 0 ? rq_date_days_left(day, now) : 0;
}

static json_t *campaign_json(const rq_campaign_copy *c, int64_t now)
{
	return json_pack("{s:I, s:s, s:o, s:I, s:I, s:s, s:s, s:s, s:I, s:I, s:{s:I, s:I}}", "id", (json_int_t)c->id,
			 "name", c->name,
			 "unit", c->unit_id > 0 ? json_pack("{s:I, s:s}", "id", (json_int_t)c->unit_id, "name", c->unit_name)
						: json_null(),
			 "from", (json_int_t)c->from, "to", (json_int_t)c->to, "unit_deadline", c->unit_deadline,
			 "dept_deadline", c->dept_deadline, "status", c->status, "created_at", (json_int_t)c->created_at,
			 "updated_at", (json_int_t)c->updated_at, "days_left", "unit",
			 (json_int_t)days_left(c->unit_deadline, now), "department",
			 (json_int_t)days_left(c->dept_deadline, now));
}

/* Is `unit` in the campaign's subtree? */
static int in_campaign(const rq_caller *c, const rq_campaign_copy *camp, int64_t unit, int *yes)
{
	*yes = 1;
	if (camp->unit_id <= 0)
		return 0;
	return rq_store_unit_within(c->store, unit, camp->unit_id, yes);
}

/*
 * The unit standing for the caller's part of the campaign, which the rule
 * is asked about: the caller's own unit when it lies inside the campaign,
 * else the campaign's unit (0: province-wide). *root gets the top of the
 * units the caller sees in it (0: every unit).
 */
static int campaign_target(const rq_caller *c, const rq_campaign_copy *camp, int64_t *target, int64_t *root)
{
	int yes = 0, rc = 0;
	*target = *root = camp->unit_id;
	if (c->unit_id > 0 && (rc = in_campaign(c, camp, c->unit_id, &yes)) == 0 && yes)
		*target = *root = c->unit_id;
	return rc;
}

/* May the caller read the campaign? 1/0, or a negative store error. */
static int may_read(const rq_caller *c, const rq_campaign_copy *camp, int64_t *root)
{
	int64_t target;
	rq_scope scope;
	int rc = campaign_target(c, camp, &target, root);
	if (rc == 0)
		rc = rq_admin_scope(c, target, &scope);
	return rc < 0 ? rc : rq_authz_allows(c->role, RQ_ACT_READ, scope);
}

/* Load campaign `id` readable by the caller: 0, or -1 with resp filled. */
static int load_campaign(const rq_caller *c, rq_http_resp *resp, int64_t id, rq_campaign_copy *out, int64_t *root)
{
	int rc;
	memset(out, 0, sizeof(*out));
	rc = rq_store_campaign_get(c->store, id, copy_campaign, out);
	if (rc == RQ_ENOTFOUND) {
		rq_http_resp_error(resp, 404, "not_found", "no campaign %lld", (long long)id);
		return -1;
	}
	if (rc == 0 && (rc = may_read(c, out, root)) == 0) {
		rq_http_resp_error(resp, 403, "forbidden", "this campaign does not cover your unit");
		return -1;
	}
	if (rc < 0) {
		rq_api_store_error(resp, rc, "reading the campaign");
		return -1;
	}
	return 0;
}

int rq_api_campaign_unit(const rq_caller *c, rq_http_resp *resp, int64_t id, int64_t unit_id, rq_action action,
			 rq_campaign_copy *out)
{
	int64_t root;
	int yes = 0, rc;
	if (load_campaign(c, resp, id, out, &root))
		return -1;
	if ((rc = in_campaign(c, out, unit_id, &yes)) < 0) {
		rq_api_store_error(resp, rc, "reading the unit");
		return -1;
	}
	if (!yes) {
		rq_http_resp_error(resp, 404, "not_found", "unit %lld is not in campaign %lld", (long long)unit_id,
				   (long long)id);
		return -1;
	}
	return rq_admin_allow(c, resp, action, unit_id);
}

int rq_api_campaign_open(const rq_campaign_copy *camp, rq_http_resp *resp)
{
	if (!strcmp(camp->status, "active"))
		return 0;
	rq_http_resp_error(resp, 409, "campaign_not_active", "the campaign is %s: it takes no records", camp->status);
	return -1;
}

/* --- campaigns --- */

typedef struct write_args {
	const rq_caller *c;
	rq_campaign rec;
	int64_t id;
	const char *action;
} write_args;

static int create_tx(rq_store *s, void *payload)
{
	write_args *a = payload;
	int rc = rq_store_campaign_create(s, &a->rec, &a->id);
	if (rc == 0)
		rc = rq_admin_audit(s, a->c, "campaign.create", "campaign", a->id, a->rec.unit_id,
				    json_pack("{s:s, s:s, s:s}", "name", a->rec.name, "unit_deadline",
					      a->rec.unit_deadline, "dept_deadline", a->rec.dept_deadline));
	return rc;
}

static int update_tx(rq_store *s, void *payload)
{
	write_args *a = payload;
	int rc = rq_store_campaign_update(s, &a->rec);
	if (rc == 0)
		rc = rq_admin_audit(s, a->c, "campaign.update", "campaign", a->rec.id, a->rec.unit_id,
				    json_pack("{s:s, s:s, s:s, s:s}", "name", a->rec.name, "unit_deadline",
					      a->rec.unit_deadline, "dept_deadline", a->rec.dept_deadline, "status",
					      a->rec.status));
	return rc;
}

/* Check the fields of a campaign about to be written; 0 or -1 with resp. */
static int check_campaign(const rq_caller *c, rq_http_resp *resp, rq_campaign_copy *v)
{
	int64_t ud, dd;
	if (rq_api_check_text(resp, "name", v->name, 0))
		return -1;
	if (v->from >= v->to || v->to - v->from > RQ_REPORT_MAX_PERIOD) {
		rq_http_resp_error(resp, 400, "out_of_range", "from, to: from must be before to, at most %lld days",
				   RQ_REPORT_MAX_PERIOD / 86400);
		return -1;
	}
	if (strcmp(v->status, "draft") && strcmp(v->status, "active") && strcmp(v->status, "closed")) {
		rq_http_resp_error(resp, 400, "out_of_range", "status: expected draft, active or closed");
		return -1;
	}
	if (rq_date_parse(v->unit_deadline, &ud) < 0 || rq_date_parse(v->dept_deadline, &dd) < 0) {
		rq_http_resp_error(resp, 400, "out_of_range", "unit_deadline, dept_deadline: %s", rq_error_last());
		return -1;
	}
	if (ud > dd) {
		rq_http_resp_error(resp, 400, "out_of_range",
				   "unit_deadline: the units' deadline must not be after the department's");
		return -1;
	}
	if (rq_date_end(ud) <= v->from) {
		rq_http_resp_error(resp, 400, "out_of_range", "unit_deadline: before the campaign starts");
		return -1;
	}
	v->unit_due_at = rq_date_end(ud);
	v->dept_due_at = rq_date_end(dd);
	return rq_admin_allow(c, resp, RQ_ACT_UNITS, v->unit_id);
}

/* Apply the fields present in `body` onto *v. */
static int apply_body(rq_http_resp *resp, json_t *body, rq_campaign_copy *v)
{
	json_t *x;
	char date[16];
	if ((x = json_object_get(body, "name")))
		snprintf(v->name, sizeof(v->name), "%s", json_string_value(x));
	if ((x = json_object_get(body, "unit")))
		v->unit_id = json_is_null(x) ? 0 : json_integer_value(x);
	if ((x = json_object_get(body, "from")))
		v->from = json_integer_value(x);
	if ((x = json_object_get(body, "to")))
		v->to = json_integer_value(x);
	if ((x = json_object_get(body, "status")))
		snprintf(v->status, sizeof(v->status), "%s", json_string_value(x));
	if (json_object_get(body, "unit_deadline")) {
		if (rq_api_date_field(resp, body, "unit_deadline", 1, date))
			return -1;
		snprintf(v->unit_deadline, sizeof(v->unit_deadline), "%s", date);
	}
	if (json_object_get(body, "dept_deadline")) {
		if (rq_api_date_field(resp, body, "dept_deadline", 1, date))
			return -1;
		snprintf(v->dept_deadline, sizeof(v->dept_deadline), "%s", date);
	}
	return 0;
}

static rq_campaign view_of(const rq_campaign_copy *v)
{
	rq_campaign r = {.id = v->id,
			 .name = v->name,
			 .unit_id = v->unit_id,
			 .from = v->from,
			 .to = v->to,
			 .unit_deadline = v->unit_deadline,
			 .dept_deadline = v->dept_deadline,
			 .unit_due_at = v->unit_due_at,
			 .dept_due_at = v->dept_due_at,
			 .status = v->status,
			 .created_at = v->created_at,
			 .created_by = v->created_by,
			 .updated_at = v->updated_at};
	return r;
}

/* Answer the campaign as now stored. */
static int answer_campaign(const rq_caller *c, rq_http_resp *resp, int64_t id, unsigned status)
{
	rq_campaign_copy v;
	memset(&v, 0, sizeof(v));
	int rc = rq_store_campaign_get(c->store, id, copy_campaign, &v);
	if (rc < 0)
		return rq_api_store_error(resp, rc, "reading the campaign");
	return rq_http_resp_json(resp, status, campaign_json(&v, rq_api_now()));
}

static int store_write_error(rq_http_resp *resp, int rc, const char *what)
{
	if (rc == RQ_STORE_ECONSTRAINT) {
		rq_http_resp_error(resp, 400, "out_of_range", "unit: no such unit");
		return 0;
	}
	if (rc == RQ_ENOTFOUND) {
		rq_http_resp_error(resp, 404, "not_found", "no such campaign");
		return 0;
	}
	return rq_api_store_error(resp, rc, what);
}

static int create_campaign(const rq_http_req *req, rq_http_resp *resp, void *arg)
{
	rq_caller c;
	rq_campaign_copy v;
	json_t *body = NULL;
	int rc = 0;
	memset(&v, 0, sizeof(v));
	if (rq_admin_begin(arg, req, resp, &c))
		goto done;
	if ((rc = rq_http_json_body(req, resp, create_spec, &body)))
		goto done;
	snprintf(v.status, sizeof(v.status), "active");
	if (apply_body(resp, body, &v) || check_campaign(&c, resp, &v))
		goto done;
	v.created_at = v.updated_at = rq_api_now();
	v.created_by = c.user_id;
	write_args a = {.c = &c, .rec = view_of(&v)};
	if ((rc = rq_store_transact(c.store, create_tx, &a)) < 0) {
		rc = store_write_error(resp, rc, "creating the campaign");
		goto done;
	}
	rc = answer_campaign(&c, resp, a.id, 201);
done:
	json_decref(body);
	return rc;
}

static int patch_campaign(const rq_http_req *req, rq_http_resp *resp, void *arg)
{
	rq_caller c;
	rq_campaign_copy v;
	json_t *body = NULL;
	int64_t id, root;
	int rc = 0;
	if (rq_admin_begin(arg, req, resp, &c) || rq_admin_id_param(req, resp, "id", &id))
		goto done;
	if ((rc = rq_http_json_body(req, resp, patch_spec, &body)))
		goto done;
	if (load_campaign(&c, resp, id, &v, &root) || rq_admin_allow(&c, resp, RQ_ACT_UNITS, v.unit_id))
		goto done;
	if (apply_body(resp, body, &v) || check_campaign(&c, resp, &v))
		goto done;
	v.updated_at = rq_api_now();
	write_args a = {.c = &c, .rec = view_of(&v)};
	if ((rc = rq_store_transact(c.store, update_tx, &a)) < 0) {
		rc = store_write_error(resp, rc, "changing the campaign");
		goto done;
	}
	rc = answer_campaign(&c, resp, id, 200);
done:
	json_decref(body);
	return rc;
}

typedef struct delete_args {
	const rq_caller *c;
	const rq_campaign_copy *v;
} delete_args;

static int delete_tx(rq_store *s, void *payload)
{
	delete_args *a = payload;
	int rc = rq_store_campaign_delete(s, a->v->id);
	if (rc == 0)
		rc = rq_admin_audit(s, a->c, "campaign.delete", "campaign", a->v->id, a->v->unit_id,
				    json_pack("{s:s}", "name", a->v->name));
	return rc;
}

static int delete_campaign(const rq_http_req *req, rq_http_resp *resp, void *arg)
{
	rq_caller c;
	rq_campaign_copy v;
	int64_t id, root;
	int rc;
	if (rq_admin_begin(arg, req, resp, &c) || rq_admin_id_param(req, resp, "id", &id) ||
	    load_campaign(&c, resp, id, &v, &root) || rq_admin_allow(&c, resp, RQ_ACT_UNITS, v.unit_id))
		return 0;
	delete_args a = {.c = &c, .v = &v};
	if ((rc = rq_store_transact(c.store, delete_tx, &a)) < 0)
		return store_write_error(resp, rc, "deleting the campaign");
	return rq_http_resp_bytes(resp, 204, "application/json", "", 0);
}

/* Every campaign copied out (statements never nest on one connection):
 * *out (free()) with *n entries. */
typedef struct all_args {
	rq_campaign_copy *v;
	size_t n, cap;
} all_args;

static int collect_one(const rq_campaign *r, void *payload)
{
	all_args *a = payload;
	if (a->n == a->cap) {
		size_t ncap = a->cap ? a->cap * 2 : 16;
		rq_campaign_copy *nv = realloc(a->v, ncap * sizeof(*nv));
		if (!nv)
			return 1;
		a->v = nv;
		a->cap = ncap;
	}
	return copy_campaign(r, &a->v[a->n++]);
}

static int list_campaigns(const rq_http_req *req, rq_http_resp *resp, void *arg)
{
	static const char *const statuses[] = {"draft", "active", "closed", NULL};
	rq_caller c;
	all_args all = {0};
	json_t *items = NULL;
	int64_t now = rq_api_now(), root;
	int status = -1, rc = 0;
	if (rq_admin_begin(arg, req, resp, &c) || rq_fleet_query_choice(req, resp, "status", statuses, -1, &status))
		goto done;
	if ((rc = rq_store_campaign_list(c.store, collect_one, &all)) < 0) {
		rc = rq_api_store_error(resp, rc == RQ_ESTOPPED ? RQ_ENOMEM : rc, "listing campaigns");
		goto done;
	}
	items = json_array();
	for (size_t i = 0; items && i < all.n; i++) {
		if (status >= 0 && strcmp(all.v[i].status, statuses[status]))
			continue;
		int yes = may_read(&c, &all.v[i], &root);
		if (yes < 0) {
			rc = rq_api_store_error(resp, yes, "listing campaigns");
			goto done;
		}
		if (yes && json_array_append_new(items, campaign_json(&all.v[i], now)) < 0)
			break;
	}
	if (!items) {
		rc = RQ_ENOMEM;
		goto done;
	}
	size_t total = json_array_size(items);
	rc = rq_admin_list_reply(resp, items, (int64_t)total, (int64_t)total, 0);
	items = NULL;
done:
	json_decref(items);
	free(all.v);
	return rc;
}

static int get_campaign(const rq_http_req *req, rq_http_resp *resp, void *arg)
{
	rq_caller c;
	rq_campaign_copy v;
	int64_t id, root;
	if (rq_admin_begin(arg, req, resp, &c) || rq_admin_id_param(req, resp, "id", &id) ||
	    load_campaign(&c, resp, id, &v, &root))
		return 0;
	return rq_http_resp_json(resp, 200, campaign_json(&v, rq_api_now()));
}

/* --- the units' obligations --- */

static json_t *recorded_json(const rq_obl_record *it)
{
	json_error_t err;
	json_t *details = json_loads(it->details ? it->details : "{}", 0, &err);
	return json_pack("{s:s, s:s, s:s, s:o, s:o, s:o, s:I}", "status", it->status, "done_on", it->done_on, "number",
			 it->number, "details", details ? details : json_object(), "report",
			 it->report_id > 0 ? json_integer((json_int_t)it->report_id) : json_null(), "recorded_by",
			 it->login[0] ? json_string(it->login) : json_null(), "recorded_at", (json_int_t)it->recorded_at);
}

/* The obligations of one unit as the API shows them: {"unit", "days_left",
 * "done", "total", "items": {kind: {"state", ...}}}. */
static json_t *unit_json(const rq_obl_unit *u, int64_t due_day, int64_t now)
{
	json_t *items = json_object();
	for (int k = 0; items && k < RQ_OBL_COUNT; k++) {
		json_t *it = NULL;
		const rq_obl_record *rec = k == RQ_OBL_TRAINING	     ? &u->training
					   : k == RQ_OBL_RESPONSE_PLAN ? &u->response_plan
					   : k == RQ_OBL_REPORT	     ? &u->report
								     : NULL;
		if (k == RQ_OBL_SYSTEMS)
			it = json_pack("{s:I, s:I}", "total", (json_int_t)u->systems, "approved",
				       (json_int_t)u->by_state[RQ_DOSSIER_APPROVED]);
		else if (k == RQ_OBL_REGULATION)
			it = json_pack("{s:I, s:I}", "total", (json_int_t)u->systems, "issued", (json_int_t)u->regulated);
		else if (k == RQ_OBL_SWEEP)
			it = json_pack("{s:I, s:I, s:I}", "endpoints", (json_int_t)u->endpoints, "scanned",
				       (json_int_t)u->scanned, "infected", (json_int_t)u->infected);
		else
			it = rec->present ? recorded_json(rec) : json_pack("{s:s}", "status", "pending");
		if (it)
			json_object_set_new(it, "state", json_string(rq_item_state_name(u->state[k])));
		json_object_set_new(items, rq_obligation_name((rq_obligation)k), it ? it : json_null());
	}
	return json_pack("{s:o, s:I, s:i, s:i, s:o}", "unit", rq_fleet_json_unit(u->id, u->name, u->code), "days_left",
			 (json_int_t)rq_date_days_left(due_day, now), "done", u->done_count, "total", RQ_OBL_COUNT,
			 "items", items ? items : json_object());
}

static rq_obl_query obl_query(const rq_campaign_copy *camp, int64_t root, int64_t unit, int64_t now, int64_t risk)
{
	rq_obl_query q = {.campaign_id = camp->id,
			  .root = root,
			  .unit_id = unit,
			  .from = camp->from,
			  .to = camp->to,
			  .unit_deadline = camp->unit_deadline,
			  .now = now,
			  .risk_days = risk};
	return q;
}

static int progress(const rq_http_req *req, rq_http_resp *resp, void *arg)
{
	rq_caller c;
	rq_campaign_copy camp;
	rq_obligations o;
	unsigned long long risk = RQ_RISK_DAYS_DEFAULT;
	int64_t id, root, now = rq_api_now();
	json_t *rows = NULL;
	int rc = 0, complete = 0, overdue = 0, at_risk = 0;
	memset(&o, 0, sizeof(o));
	if (rq_admin_begin(arg, req, resp, &c) || rq_admin_id_param(req, resp, "id", &id) ||
	    rq_http_query_uint(req, resp, "risk_days", 0, RQ_RISK_DAYS_MAX, RQ_RISK_DAYS_DEFAULT, &risk) ||
	    load_campaign(&c, resp, id, &camp, &root))
		goto done;
	rq_obl_query q = obl_query(&camp, root, 0, now, (int64_t)risk);
	if ((rc = rq_obligations_compute(c.store, &q, &o)) < 0) {
		rc = rq_api_store_error(resp, rc, "computing the progress");
		goto done;
	}
	rows = json_array();
	for (size_t i = 0; rows && i < o.count; i++) {
		const rq_obl_unit *u = &o.units[i];
		json_t *row = unit_json(u, o.due_day, now);
		if (!row || json_array_append_new(rows, row) < 0) {
			json_decref(rows);
			rows = NULL;
			break;
		}
		json_object_set_new(row, "depth", json_integer(u->depth));
		complete += u->done_count == RQ_OBL_COUNT;
		for (int k = 0; k < RQ_OBL_COUNT; k++) {
			overdue += u->state[k] == RQ_ITEM_OVERDUE;
			at_risk += u->state[k] == RQ_ITEM_AT_RISK;
		}
	}
	if (!rows) {
		rc = RQ_ENOMEM;
		goto done;
	}
	rc = rq_http_resp_json(resp, 200,
			       json_pack("{s:o, s:I, s:o, s:{s:I, s:i, s:i, s:i}}", "campaign", campaign_json(&camp, now),
					 "risk_days", (json_int_t)risk, "units", rows, "summary", "units",
					 (json_int_t)o.count, "complete", complete, "overdue_items", overdue,
					 "at_risk_items", at_risk));
	rows = NULL;
done:
	json_decref(rows);
	rq_obligations_free(&o);
	return rc;
}

/* The unit {unit} of campaign {id} for the caller with `action`. */
static int unit_params(const rq_http_req *req, rq_http_resp *resp, void *arg, rq_caller *c, rq_action action,
		       rq_campaign_copy *camp, rq_unit *unit)
{
	int64_t id, unit_id;
	int rc;
	memset(unit, 0, sizeof(*unit));
	if (rq_admin_begin(arg, req, resp, c) || rq_admin_id_param(req, resp, "id", &id) ||
	    rq_admin_id_param(req, resp, "unit", &unit_id))
		return -1;
	if ((rc = rq_store_unit_get(c->store, unit_id, unit)) < 0) {
		if (rc == RQ_ENOTFOUND)
			rq_http_resp_error(resp, 404, "not_found", "no unit %lld", (long long)unit_id);
		else
			rq_api_store_error(resp, rc, "reading the unit");
		return -1;
	}
	return rq_api_campaign_unit(c, resp, id, unit_id, action, camp);
}

static int checklist(const rq_http_req *req, rq_http_resp *resp, void *arg)
{
	rq_caller c;
	rq_campaign_copy camp;
	rq_unit unit;
	rq_obligations o;
	unsigned long long risk = RQ_RISK_DAYS_DEFAULT;
	json_t *row = NULL, *files = NULL;
	int64_t now = rq_api_now();
	int rc = 0;
	memset(&o, 0, sizeof(o));
	if (unit_params(req, resp, arg, &c, RQ_ACT_READ, &camp, &unit) ||
	    rq_http_query_uint(req, resp, "risk_days", 0, RQ_RISK_DAYS_MAX, RQ_RISK_DAYS_DEFAULT, &risk))
		goto done;
	rq_obl_query q = obl_query(&camp, 0, unit.id, now, (int64_t)risk);
	if ((rc = rq_obligations_compute(c.store, &q, &o)) == 0 && o.count == 1 &&
	    (row = unit_json(&o.units[0], o.due_day, now)) && (files = json_array()))
		rc = rq_store_evidence_list(c.store, camp.id, unit.id, 0, rq_api_evidence_list_add, files);
	if (rc < 0 || !row || !files) {
		rc = rq_api_store_error(resp, rc == RQ_ESTOPPED || rc == 0 ? RQ_ENOMEM : rc, "reading the checklist");
		goto done;
	}
	/* each recorded item gets its files */
	size_t i;
	json_t *file;
	json_array_foreach(files, i, file) {
		json_t *it = json_object_get(json_object_get(row, "items"), json_string_value(json_object_get(file, "subject")));
		if (!it)
			continue;
		if (!json_object_get(it, "evidence"))
			json_object_set_new(it, "evidence", json_array());
		json_array_append(json_object_get(it, "evidence"), file);
	}
	json_object_set_new(row, "campaign", campaign_json(&camp, now));
	json_object_set_new(row, "may_record", json_boolean(rq_admin_allow(&c, resp, RQ_ACT_OPERATE, unit.id) == 0));
	rq_http_resp_reset(resp);
	rc = rq_http_resp_json(resp, 200, row);
	row = NULL;
done:
	json_decref(row);
	json_decref(files);
	rq_obligations_free(&o);
	rq_store_unit_clear(&unit);
	return rc;
}

typedef struct item_args {
	const rq_caller *c;
	rq_campaign_item it;
	const char *action;
	json_t *details; /* audited, borrowed */
} item_args;

static int item_tx(rq_store *s, void *payload)
{
	item_args *a = payload;
	int rc = rq_store_campaign_item_put(s, &a->it);
	if (rc == 0)
		rc = rq_admin_audit(s, a->c, a->action, "campaign", a->it.campaign_id, a->it.unit_id,
				    json_pack("{s:s, s:s, s:s, s:s}", "kind", a->it.kind, "status", a->it.status,
					      "done_on", a->it.done_on ? a->it.done_on : "", "number",
					      a->it.number ? a->it.number : ""));
	return rc;
}

/* Write the item and answer the unit's checklist row for it. */
static int save_item(rq_caller *c, rq_http_resp *resp, item_args *a)
{
	a->c = c;
	a->it.recorded_by = c->user_id;
	a->it.recorded_at = rq_api_now();
	int rc = rq_store_transact(c->store, item_tx, a);
	if (rc < 0)
		return store_write_error(resp, rc, "recording the item");
	return rq_http_resp_json(resp, 200,
				 json_pack("{s:I, s:I, s:s, s:s}", "campaign", (json_int_t)a->it.campaign_id, "unit",
					   (json_int_t)a->it.unit_id, "kind", a->it.kind, "status", a->it.status));
}

static int put_item(const rq_http_req *req, rq_http_resp *resp, void *arg)
{
	rq_caller c;
	rq_campaign_copy camp;
	rq_unit unit;
	json_t *body = NULL, *details = NULL;
	char done_on[16];
	char *details_text = NULL;
	int rc = 0;
	const char *kind = rq_http_param(req, "kind");
	if (unit_params(req, resp, arg, &c, RQ_ACT_OPERATE, &camp, &unit))
		goto done;
	if (!kind || (strcmp(kind, "training") && strcmp(kind, "response_plan"))) {
		rq_http_resp_error(resp, 404, "not_found",
				   "items recorded by hand: training, response_plan (the others are computed or made)");
		goto done;
	}
	if (rq_api_campaign_open(&camp, resp))
		goto done;
	if ((rc = rq_http_json_body(req, resp, item_spec, &body)))
		goto done;
	const char *status = json_string_value(json_object_get(body, "status"));
	int is_done = !strcmp(status, "done");
	if (!is_done && strcmp(status, "pending")) {
		rq_http_resp_error(resp, 400, "out_of_range", "status: expected pending or done");
		goto done;
	}
	if (rq_api_date_field(resp, body, "done_on", is_done, done_on))
		goto done;
	const char *number = json_string_value(json_object_get(body, "number"));
	const char *topic = json_string_value(json_object_get(body, "topic"));
	const char *scenarios = json_string_value(json_object_get(body, "scenarios"));
	if ((number && rq_api_check_text(resp, "number", number, 1)) ||
	    (topic && rq_api_check_text(resp, "topic", topic, 1)))
		goto done;
	int training = !strcmp(kind, "training");
	if (is_done && training && (!topic || !json_object_get(body, "attendees"))) {
		rq_http_resp_error(resp, 400, "missing_field", "topic, attendees: a training held needs both");
		goto done;
	}
	if (is_done && !training && (!number || !*number)) {
		rq_http_resp_error(resp, 400, "missing_field", "number: an issued plan needs its number");
		goto done;
	}
	details = training ? json_pack("{s:s, s:I}", "topic", topic ? topic : "", "attendees",
				       json_integer_value(json_object_get(body, "attendees")))
			   : json_pack("{s:s}", "scenarios", scenarios ? scenarios : "");
	details_text = details ? json_dumps(details, JSON_COMPACT) : NULL;
	if (!details_text) {
		rc = RQ_ENOMEM;
		goto done;
	}
	item_args a = {.action = "campaign.item",
		       .it = {.campaign_id = camp.id,
			      .unit_id = unit.id,
			      .kind = kind,
			      .status = status,
			      .done_on = done_on,
			      .number = number ? number : "",
			      .details = details_text}};
	rc = save_item(&c, resp, &a);
done:
	free(details_text);
	json_decref(details);
	json_decref(body);
	rq_store_unit_clear(&unit);
	return rc;
}

typedef struct report_args {
	const rq_caller *c;
	rq_report_rec rec;
	item_args item;
} report_args;

static int report_tx(rq_store *s, void *payload)
{
	report_args *a = payload;
	int rc = rq_store_report_add(s, &a->rec, &a->item.it.report_id);
	return rc == 0 ? item_tx(s, &a->item) : rc;
}

/* POST .../report: the unit report of the campaign's period so far, kept,
 * and the item "generated" until the officer confirms it. */
static int make_report(const rq_http_req *req, rq_http_resp *resp, void *arg)
{
	const rq_api_ctx *ctx = arg;
	rq_caller c;
	rq_campaign_copy camp;
	rq_unit unit;
	json_t *figures = NULL;
	char *text = NULL;
	int rc = 0;
	if (unit_params(req, resp, arg, &c, RQ_ACT_OPERATE, &camp, &unit) || rq_api_campaign_open(&camp, resp))
		goto done;
	int64_t now = rq_api_now(), to = camp.to < now ? camp.to : now;
	if (to <= camp.from) {
		rq_http_resp_error(resp, 409, "not_started", "the campaign has not started: nothing to report yet");
		goto done;
	}
	if ((rc = rq_report_figures_make(c.store, RQ_REPORT_UNIT, unit.id, camp.from, to, now, ctx->report_agency,
					 &figures)) < 0 ||
	    !(text = json_dumps(figures, JSON_COMPACT))) {
		rc = rq_api_store_error(resp, rc < 0 ? rc : RQ_ENOMEM, "making the report");
		goto done;
	}
	report_args a = {.c = &c,
			 .rec = {.kind = "unit",
				 .unit_id = unit.id,
				 .from = camp.from,
				 .to = to,
				 .lang = "vi",
				 .created_at = now,
				 .created_by = c.user_id,
				 .source = "manual",
				 .figures = text},
			 .item = {.c = &c,
				  .action = "campaign.report",
				  .it = {.campaign_id = camp.id,
					 .unit_id = unit.id,
					 .kind = "report",
					 .status = "generated",
					 .recorded_by = c.user_id,
					 .recorded_at = now}}};
	if ((rc = rq_store_transact(c.store, report_tx, &a)) < 0) {
		rc = store_write_error(resp, rc, "keeping the report");
		goto done;
	}
	rc = rq_http_resp_json(resp, 201,
			       json_pack("{s:s, s:I, s:I, s:I}", "status", "generated", "report",
					 (json_int_t)a.item.it.report_id, "from", (json_int_t)camp.from, "to", (json_int_t)to));
done:
	free(text);
	json_decref(figures);
	rq_store_unit_clear(&unit);
	return rc;
}

/* The unit's report item: its status and report. */
typedef struct report_item {
	char status[16];
	int64_t report_id;
} report_item;

static int take_report_item(const rq_campaign_item *it, void *payload)
{
	report_item *r = payload;
	if (!strcmp(it->kind, "report")) {
		snprintf(r->status, sizeof(r->status), "%s", it->status);
		r->report_id = it->report_id;
	}
	return 0;
}

static int confirm_report(const rq_http_req *req, rq_http_resp *resp, void *arg)
{
	rq_caller c;
	rq_campaign_copy camp;
	rq_unit unit;
	report_item rec = {{0}, 0};
	int rc = 0;
	if (unit_params(req, resp, arg, &c, RQ_ACT_OPERATE, &camp, &unit) || rq_api_campaign_open(&camp, resp))
		goto done;
	if ((rc = rq_store_campaign_items(c.store, camp.id, unit.id, take_report_item, &rec)) < 0) {
		rc = rq_api_store_error(resp, rc, "reading the items");
		goto done;
	}
	if (!rec.report_id || strcmp(rec.status, "generated")) {
		rq_http_resp_error(resp, 409, "no_report", "make the unit report first, then confirm it");
		goto done;
	}
	char today[RQ_DATE_LEN];
	rq_date_format(rq_date_today(rq_api_now()), today);
	item_args a = {.action = "campaign.report_confirm",
		       .it = {.campaign_id = camp.id,
			      .unit_id = unit.id,
			      .kind = "report",
			      .status = "done",
			      .done_on = today,
			      .report_id = rec.report_id}};
	rc = save_item(&c, resp, &a);
done:
	rq_store_unit_clear(&unit);
	return rc;
}

/* --- the campaign report --- */

static const rq_json_field campaign_report_spec[] = {
	{.name = "lang", .type = RQ_JSON_STRING, .max = 8},
	{.name = NULL},
};

/*
 * POST /campaigns/{id}/report: the campaign's report -- provincial, or of
 * the campaign's unit subtree -- over its period so far, with the units'
 * obligations (report/campaign.h), kept like any report. Who may: as for
 * a report of that scope (the province's: administrators; a subtree's:
 * its officers too).
 */
static int make_campaign_report(const rq_http_req *req, rq_http_resp *resp, void *arg)
{
	const rq_api_ctx *ctx = arg;
	rq_caller c;
	rq_campaign_copy camp;
	json_t *body = NULL, *figures = NULL;
	char *text = NULL;
	int64_t id, root, now = rq_api_now();
	int lang = RQ_LANG_VI, rc = 0;
	if (rq_admin_begin(arg, req, resp, &c) || rq_admin_id_param(req, resp, "id", &id))
		goto done;
	if ((rc = rq_http_json_body(req, resp, campaign_report_spec, &body)))
		goto done;
	const char *lang_name = json_string_value(json_object_get(body, "lang"));
	if (lang_name && (lang = rq_lang_parse(lang_name)) < 0) {
		rq_http_resp_error(resp, 400, "bad_request", "lang: expected \"vi\" or \"en\"");
		goto done;
	}
	if (load_campaign(&c, resp, id, &camp, &root))
		goto done;
	if (camp.unit_id > 0 ? rq_admin_allow(&c, resp, RQ_ACT_OPERATE, camp.unit_id)
			     : rq_admin_allow_province(&c, resp, RQ_ACT_OPERATE))
		goto done;
	int64_t to = camp.to < now ? camp.to : now;
	if (to <= camp.from) {
		rq_http_resp_error(resp, 409, "not_started", "the campaign has not started: nothing to report yet");
		goto done;
	}
	rq_campaign view = view_of(&camp);
	rq_report_campaign_query q = rq_report_campaign_query_of(&view);
	if ((rc = rq_report_figures_make_campaign(c.store, &q, now, ctx->report_agency, &figures)) < 0 ||
	    !(text = json_dumps(figures, JSON_COMPACT))) {
		rc = rq_api_store_error(resp, rc < 0 ? rc : RQ_ENOMEM, "making the campaign report");
		goto done;
	}
	rq_report_rec rec = {.kind = camp.unit_id > 0 ? "unit" : "province",
			     .unit_id = camp.unit_id,
			     .from = camp.from,
			     .to = to,
			     .lang = rq_lang_name((rq_lang)lang),
			     .created_at = now,
			     .created_by = c.user_id,
			     .source = "manual",
			     .figures = text};
	if ((rc = rq_api_report_keep(&c, &rec, camp.id, &rec.id)) < 0) {
		rc = store_write_error(resp, rc, "keeping the report");
		goto done;
	}
	rc = rq_http_resp_json(resp, 201,
			       json_pack("{s:I, s:I, s:s, s:I, s:I, s:s}", "report", (json_int_t)rec.id, "campaign",
					 (json_int_t)camp.id, "kind", rec.kind, "from", (json_int_t)camp.from, "to",
					 (json_int_t)to, "lang", rec.lang));
done:
	free(text);
	json_decref(figures);
	json_decref(body);
	return rc;
}

int rq_api_campaigns_routes(rq_http_router *router, const rq_api_ctx *ctx)
{
	static const struct {
		const char *method, *pattern;
		rq_http_handler fn;
	} routes[] = {
		{"GET", "/api/v1/campaigns", list_campaigns},
		{"POST", "/api/v1/campaigns", create_campaign},
		{"GET", "/api/v1/campaigns/{id}", get_campaign},
		{"PATCH", "/api/v1/campaigns/{id}", patch_campaign},
		{"DELETE", "/api/v1/campaigns/{id}", delete_campaign},
		{"GET", "/api/v1/campaigns/{id}/progress", progress},
		{"POST", "/api/v1/campaigns/{id}/report", make_campaign_report},
		{"GET", "/api/v1/campaigns/{id}/units/{unit}", checklist},
		{"PUT", "/api/v1/campaigns/{id}/units/{unit}/items/{kind}", put_item},
		{"POST", "/api/v1/campaigns/{id}/units/{unit}/report", make_report},
		{"POST", "/api/v1/campaigns/{id}/units/{unit}/report/confirm", confirm_report},
	};
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < sizeof(routes) / sizeof(routes[0]); i++)
		rc = rq_http_router_add(router, routes[i].method, routes[i].pattern, routes[i].fn, (void *)ctx);
	return rc < 0 ? rc : 0;
}
