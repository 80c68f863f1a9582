/*
 * Handlers of the reminders (reminders.h). GET /api/v1/reminders asks the
 * one rule (RQ_ACT_READ) about the caller's part of each active campaign
 * -- the caller's unit when it lies in the campaign, else the campaign's
 * unit when it lies in the caller's subtree -- so an officer sees only
 * their subtree's units. The mail log is a system matter (RQ_ACT_SYSTEM:
 * administrators): it names people and their addresses; so is queueing a
 * failed mail again (audited).
 */
#include "api/reminders.h"

#include <stdlib.h>
#include <string.h>

#include "api/admin.h"
#include "api/endpoints.h"
#include "campaign/deadline.h"
#include "campaign/obligations.h"
#include "campaign/remind.h"
#include "store/reminders.h"
#include "store/units.h"

/* --- what the caller should be reminded of --- */

typedef struct collect {
	const rq_remind_campaign *camp;
	int64_t now, risk_days, unit_day;
	json_t *items;
	size_t lagging, units;
} collect;

/* The unit's reminder, if it has obligations pending and its deadline is near or past. */
static int take_unit(collect *c, const rq_obl_unit *u)
{
	c->units++;
	if (u->done_count == RQ_OBL_COUNT)
		return 0;
	c->lagging++;
	rq_item_state state = rq_item_state_at(0, c->unit_day, c->now, c->risk_days);
	if (state != RQ_ITEM_OVERDUE && state != RQ_ITEM_AT_RISK)
		return 0;
	json_t *pending = json_array();
	for (int k = 0; pending && k < RQ_OBL_COUNT; k++)
		if (!u->done[k])
			json_array_append_new(pending, json_string(rq_obligation_name((rq_obligation)k)));
	json_t *o = json_pack("{s:{s:I, s:s}, s:o, s:s, s:s, s:I, s:s, s:o}", "campaign", "id", (json_int_t)c->camp->id,
			      "name", c->camp->name, "unit", rq_fleet_json_unit(u->id, u->name, u->code), "deadline",
			      "unit", "due", c->camp->unit_deadline, "days_left",
			      (json_int_t)rq_date_days_left(c->unit_day, c->now), "state", rq_item_state_name(state),
			      "pending", pending ? pending : json_array());
	return rq_fleet_append(c->items, o) ? RQ_ENOMEM : 0;
}

/*
 * The unit of `camp` the caller sees from (0: every unit of a
 * province-wide campaign), or -1 when the campaign is none of the
 * caller's business.
 */
static int caller_root(const rq_caller *c, const rq_remind_campaign *camp, int64_t *root)
{
	int yes = 0, rc = 0;
	rq_scope scope;
	*root = camp->unit_id;
	if (c->unit_id > 0) {
		if (camp->unit_id <= 0 || ((rc = rq_store_unit_within(c->store, c->unit_id, camp->unit_id, &yes)) == 0 && yes))
			*root = c->unit_id; /* the caller's unit lies in the campaign */
		else if (rc == 0 && (rc = rq_store_unit_within(c->store, camp->unit_id, c->unit_id, &yes)) == 0 && !yes)
			return -1;
	}
	if (rc == 0)
		rc = rq_admin_scope(c, *root, &scope);
	if (rc < 0)
		return rc;
	return rq_authz_allows(c->role, RQ_ACT_READ, scope) ? 0 : -1;
}

static int sort_items(const void *a, const void *b)
{
	json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	json_int_t dx = json_integer_value(json_object_get(x, "days_left"));
	json_int_t dy = json_integer_value(json_object_get(y, "days_left"));
	return dx < dy ? -1 : dx > dy;
}

static int list_reminders(const rq_http_req *req, rq_http_resp *resp, void *arg)
{
	rq_caller c;
	rq_remind_campaign *camps = NULL;
	size_t n = 0;
	unsigned long long risk = RQ_RISK_DAYS_DEFAULT;
	int64_t only = 0, now = rq_api_now();
	json_t *items = NULL;
	int rc = 0;
	if (rq_admin_begin(arg, req, resp, &c) ||
	    rq_http_query_uint(req, resp, "risk_days", 0, RQ_RISK_DAYS_MAX, RQ_RISK_DAYS_DEFAULT, &risk) ||
	    rq_fleet_query_id(req, resp, "campaign", &only))
		goto done;
	if ((rc = rq_remind_active_campaigns(c.store, &camps, &n)) < 0 || !(items = json_array())) {
		rc = rq_api_store_error(resp, rc < 0 ? rc : RQ_ENOMEM, "listing the campaigns");
		goto done;
	}
	for (size_t i = 0; i < n; i++) {
		int64_t root = 0, dept_day = 0;
		collect col = {.camp = &camps[i], .now = now, .risk_days = (int64_t)risk, .items = items};
		if (only && camps[i].id != only)
			continue;
		if ((rc = caller_root(&c, &camps[i], &root)) == -1) {
			rc = 0;
			continue;
		}
		rq_obl_query q = {.campaign_id = camps[i].id,
				  .root = root,
				  .from = camps[i].from,
				  .to = camps[i].to,
				  .unit_deadline = camps[i].unit_deadline,
				  .now = now,
				  .risk_days = (int64_t)risk};
		rq_obligations obl;
		memset(&obl, 0, sizeof(obl));
		if (rc == 0 && (rq_date_parse(camps[i].unit_deadline, &col.unit_day) < 0 ||
				rq_date_parse(camps[i].dept_deadline, &dept_day) < 0))
			continue; /* the store holds checked dates: not reached */
		if (rc == 0)
			rc = rq_obligations_compute(c.store, &q, &obl);
		for (size_t u = 0; rc == 0 && u < obl.count; u++)
			rc = take_unit(&col, &obl.units[u]);
		rq_obligations_free(&obl);
		if (rc < 0) {
			rc = rq_api_store_error(resp, rc, "computing the reminders");
			goto done;
		}
		/* the department's own deadline, for those answering for the whole campaign */
		rq_item_state dept = rq_item_state_at(col.lagging == 0, dept_day, now, (int64_t)risk);
		if (root == camps[i].unit_id && c.role == RQ_ROLE_ADMIN &&
		    (dept == RQ_ITEM_OVERDUE || dept == RQ_ITEM_AT_RISK) &&
		    rq_fleet_append(items, json_pack("{s:{s:I, s:s}, s:n, s:s, s:s, s:I, s:s, s:I, s:I}", "campaign", "id",
						     (json_int_t)camps[i].id, "name", camps[i].name, "unit", "deadline",
						     "department", "due", camps[i].dept_deadline, "days_left",
						     (json_int_t)rq_date_days_left(dept_day, now), "state",
						     rq_item_state_name(dept), "lagging_units", (json_int_t)col.lagging,
						     "units", (json_int_t)col.units))) {
			rc = rq_api_store_error(resp, RQ_ENOMEM, "computing the reminders");
			goto done;
		}
	}
	/* the most overdue first */
	size_t total = json_array_size(items);
	json_t **v = total ? malloc(total * sizeof(*v)) : NULL;
	json_t *sorted = json_array();
	if ((total && !v) || !sorted) {
		free(v);
		json_decref(sorted);
		rc = rq_api_store_error(resp, RQ_ENOMEM, "computing the reminders");
		goto done;
	}
	for (size_t i = 0; i < total; i++)
		v[i] = json_array_get(items, i);
	if (total > 1)
		qsort(v, total, sizeof(*v), sort_items);
	for (size_t i = 0; i < total; i++)
		json_array_append(sorted, v[i]);
	free(v);
	rc = rq_http_resp_json(resp, 200,
			       json_pack("{s:o, s:I, s:I}", "items", sorted, "total", (json_int_t)total, "risk_days",
					 (json_int_t)risk));
done:
	json_decref(items);
	free(camps);
	return rc;
}

/* --- the mail log (administrators) --- */

static json_t *time_or_null(int64_t t)
{
	return t > 0 ? json_integer((json_int_t)t) : json_null();
}

static json_t *mail_json(const rq_reminder_mail *m)
{
	char slot[RQ_DATE_LEN];
	rq_date_format(m->slot_day, slot);
	json_t *o = json_pack(
		"{s:I, s:{s:I, s:s}, s:s, s:o, s:s, s:I, s:{s:I, s:s}, s:s, s:s, s:s, s:I, s:I, s:o, s:o, s:o, s:o, s:s}", "id",
		(json_int_t)m->id, "campaign", "id", (json_int_t)m->campaign_id, "name", m->campaign_name, "deadline",
		m->deadline, "unit",
		m->unit_id > 0 ? json_pack("{s:I, s:s}", "id", (json_int_t)m->unit_id, "name", m->unit_name) : json_null(),
		"reminder_day", slot, "days_left", (json_int_t)m->days_left, "user", "id", (json_int_t)m->user_id, "login",
		m->login, "recipient", m->recipient, "subject", m->subject, "state", m->state, "created_at",
		(json_int_t)m->created_at, "attempts", (json_int_t)m->attempts, "next_attempt_at",
		time_or_null(m->next_attempt_at), "last_attempt_at", time_or_null(m->last_attempt_at), "sent_at",
		time_or_null(m->sent_at), "smtp_status",
		m->smtp_status ? json_integer((json_int_t)m->smtp_status) : json_null(), "last_error", m->last_error);
	if (o && m->body)
		json_object_set_new(o, "body", json_string(m->body));
	return o;
}

static int add_mail(const rq_reminder_mail *m, void *payload)
{
	return rq_fleet_append(payload, mail_json(m)) ? 1 : 0;
}

static int list_mail(const rq_http_req *req, rq_http_resp *resp, void *arg)
{
	static const char *const states[] = {"queued", "sent", "failed", NULL};
	rq_caller c;
	int64_t limit = 0, offset = 0, total = 0, campaign = 0;
	int state = -1;
	json_t *items = NULL;
	if (rq_admin_begin(arg, req, resp, &c) || rq_admin_allow(&c, resp, RQ_ACT_SYSTEM, 0) ||
	    rq_admin_paging(req, resp, &limit, &offset) || rq_fleet_query_choice(req, resp, "state", states, -1, &state) ||
	    rq_fleet_query_id(req, resp, "campaign", &campaign))
		return 0;
	if (!(items = json_array()))
		return RQ_ENOMEM;
	int rc = rq_store_reminder_list(c.store, state >= 0 ? states[state] : "", campaign, limit, offset, &total,
					add_mail, items);
	rq_fleet_list_answer(resp, rc == RQ_ESTOPPED ? RQ_ENOMEM : rc, items, total, limit, offset,
			     "listing the reminder mails");
	return 0;
}

static int get_mail(const rq_http_req *req, rq_http_resp *resp, void *arg)
{
	rq_caller c;
	int64_t id = 0;
	json_t *one = NULL;
	if (rq_admin_begin(arg, req, resp, &c) || rq_admin_allow(&c, resp, RQ_ACT_SYSTEM, 0) ||
	    rq_admin_id_param(req, resp, "id", &id))
		return 0;
	if (!(one = json_array()))
		return RQ_ENOMEM;
	int rc = rq_store_reminder_get(c.store, id, add_mail, one);
	if (rc == RQ_ENOTFOUND)
		rq_http_resp_error(resp, 404, "not_found", "no reminder mail %lld", (long long)id);
	else if (rc < 0)
		rq_api_store_error(resp, rc == RQ_ESTOPPED ? RQ_ENOMEM : rc, "reading the reminder mail");
	else
		rq_http_resp_json(resp, 200, json_incref(json_array_get(one, 0)));
	json_decref(one);
	return 0;
}

typedef struct retry_txn {
	const rq_caller *c;
	int64_t id;
} retry_txn;

static int retry_in_txn(rq_store *s, void *payload)
{
	retry_txn *t = payload;
	int rc = rq_store_reminder_requeue(s, t->id, rq_api_now());
	if (rc == 0)
		rc = rq_admin_audit(s, t->c, "reminder.retry", "reminder_mail", t->id, 0, NULL);
	return rc;
}

/* POST .../mail/{id}/retry: a failed mail queued again (administrators). */
static int retry_mail(const rq_http_req *req, rq_http_resp *resp, void *arg)
{
	rq_caller c;
	retry_txn t = {&c, 0};
	json_t *one = NULL;
	if (rq_admin_begin(arg, req, resp, &c) || rq_admin_allow(&c, resp, RQ_ACT_SYSTEM, 0) ||
	    rq_admin_id_param(req, resp, "id", &t.id))
		return 0;
	int rc = rq_store_transact(c.store, retry_in_txn, &t);
	if (rc == RQ_ENOTFOUND)
		rq_http_resp_error(resp, 404, "not_found", "no reminder mail %lld", (long long)t.id);
	else if (rc == RQ_EINVAL)
		rq_http_resp_error(resp, 409, "not_failed", "only a failed mail is queued again");
	else if (rc < 0)
		rq_api_store_error(resp, rc, "queueing the mail again");
	else if (!(one = json_array()) || (rc = rq_store_reminder_get(c.store, t.id, add_mail, one)) < 0)
		rq_api_store_error(resp, one ? rc : RQ_ENOMEM, "reading the reminder mail");
	else
		rq_http_resp_json(resp, 200, json_incref(json_array_get(one, 0)));
	json_decref(one);
	return 0;
}

int rq_api_reminders_routes(rq_http_router *router, const rq_api_ctx *ctx)
{
	void *arg = (void *)ctx;
	int rc = rq_http_router_add(router, "GET", "/api/v1/reminders", list_reminders, arg);
	if (rc >= 0)
		rc = rq_http_router_add(router, "GET", "/api/v1/reminders/mail", list_mail, arg);
	if (rc >= 0)
		rc = rq_http_router_add(router, "GET", "/api/v1/reminders/mail/{id}", get_mail, arg);
	if (rc >= 0)
		rc = rq_http_router_add(router, "POST", "/api/v1/reminders/mail/{id}/retry", retry_mail, arg);
	return rc < 0 ? rc : 0;
}
