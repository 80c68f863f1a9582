/*
 * Admin API handler of the coverage summary (coverage.h): one
 * rq_store_coverage_period for the caller's subtree (or the unit asked,
 * within it) and, with by=children, one per direct child unit -- the rows
 * of the dashboard's unit table; and the daily history of those figures.
 * Times are Unix seconds; days are local "YYYY-MM-DD".
 */
#include "api/coverage.h"

#include <string.h>

#include "api/admin.h"
#include "api/endpoints.h"
#include "api/tier.h"
#include "store/coverage.h"
#include "store/coverage_history.h"
#include "store/fleet.h"
#include "store/units.h"

json_t *rq_api_coverage_snapshot_json(const rq_coverage *v)
{
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "endpoints", (json_int_t)v->endpoints,
			 "reporting", (json_int_t)v->reporting, "realtime_on", (json_int_t)v->realtime_on, "fresh_1d",
			 (json_int_t)v->fresh_1d, "fresh_3d", (json_int_t)v->fresh_3d, "fresh_7d",
			 (json_int_t)v->fresh_7d, "fresh_15d", (json_int_t)v->fresh_15d, "older_15d",
			 (json_int_t)v->older_15d, "sig_unknown", (json_int_t)v->sig_unknown, "infected",
			 (json_int_t)v->infected);
}

static json_t *figures_json(const rq_coverage *v)
{
	json_t *o = json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
			 "endpoints", (json_int_t)v->endpoints, "reporting", (json_int_t)v->reporting, "realtime_on",
			 (json_int_t)v->realtime_on, "fresh_1d", (json_int_t)v->fresh_1d, "fresh_3d",
			 (json_int_t)v->fresh_3d, "fresh_7d", (json_int_t)v->fresh_7d, "fresh_15d",
			 (json_int_t)v->fresh_15d, "older_15d", (json_int_t)v->older_15d, "sig_unknown",
			 (json_int_t)v->sig_unknown, "infected", (json_int_t)v->infected, "scanned",
			 (json_int_t)v->scanned, "full_scanned", (json_int_t)v->full_scanned, "infected_period",
			 (json_int_t)v->infected_period, "files_found", (json_int_t)v->files_found, "files_cleaned",
			 (json_int_t)v->files_cleaned, "files_active", (json_int_t)v->files_active);
	if (o && (json_object_set_new(o, "declared", json_integer(v->declared)) < 0 ||
		  json_object_set_new(o, "declared_protected", json_integer(v->declared_protected)) < 0)) {
		json_decref(o);
		o = NULL;
	}
	return o;
}

typedef struct period {
	int64_t now, window_s, from, to;
} period;

typedef struct child_args {
	rq_store *s;
	const period *p;
	json_t *rows;
	int rc;
} child_args;

static int add_child(int64_t id, const char *name, const char *code, void *payload)
{
	child_args *a = payload;
	rq_coverage v;
	json_t *reported = NULL;
	a->rc = rq_store_coverage_period(a->s, id, a->p->now, a->p->window_s, a->p->from, a->p->to, &v);
	if (a->rc == 0)
		a->rc = rq_api_tier_coverage(a->s, id, &v, &reported);
	if (a->rc < 0)
		return -1;
	json_t *row = json_pack("{s:o, s:o, s:o}", "unit", rq_fleet_json_unit(id, name, code), "figures",
				figures_json(&v), "reported_by", reported ? reported : json_null());
	if (!row || json_array_append_new(a->rows, row) < 0) {
		a->rc = RQ_ENOMEM;
		return -1;
	}
	return 0;
}

/* The unit `root` (nothing for 0, the province) into *unit: 0, or -1 with
 * `resp` filled (404 for a unit that is gone). */
static int read_unit(const rq_caller *c, rq_http_resp *resp, int64_t root, rq_unit *unit)
{
	int rc = root > 0 ? rq_store_unit_get(c->store, root, unit) : 0;
	if (rc == RQ_ENOTFOUND)
		rq_http_resp_error(resp, 404, "not_found", "no unit %lld", (long long)root);
	else if (rc < 0)
		rq_api_store_error(resp, rc, "reading the unit");
	return rc < 0 ? -1 : 0;
}

static int get_coverage(const rq_http_req *req, rq_http_resp *resp, void *arg)
{
	static const char *const by_names[] = {"children", NULL};
	rq_caller c;
	rq_coverage v;
	rq_unit unit;
	period p;
	unsigned long long window_days = 0;
	int64_t root = 0;
	int by = -1, rc;
	json_t *answer = NULL, *reported = NULL;
	memset(&unit, 0, sizeof(unit));
	p.now = rq_api_now();
	if (rq_admin_begin(arg, req, resp, &c) || rq_admin_list_root(&c, resp, &root) ||
	    rq_http_query_uint(req, resp, "window_days", 1, RQ_FLEET_DAYS_MAX, RQ_COVERAGE_DEFAULT_WINDOW_DAYS,
			       &window_days) < 0 ||
	    rq_fleet_query_time(req, resp, "to", p.now, &p.to) ||
	    rq_fleet_query_time(req, resp, "from", p.to - RQ_COVERAGE_DEFAULT_PERIOD_DAYS * 86400LL, &p.from) ||
	    rq_fleet_query_choice(req, resp, "by", by_names, -1, &by))
		goto done;
	if (p.from >= p.to) {
		rq_http_resp_error(resp, 400, "bad_request", "query parameter from: must be before to");
		goto done;
	}
	p.window_s = (int64_t)window_days * 86400;
	if (read_unit(&c, resp, root, &unit))
		goto done;
	rc = rq_store_coverage_period(c.store, root, p.now, p.window_s, p.from, p.to, &v);
	if (rc == 0)
		rc = rq_api_tier_coverage(c.store, root, &v, &reported);
	if (rc < 0) {
		rq_api_store_error(resp, rc, "computing coverage");
		goto done;
	}
	answer = json_pack("{s:o, s:I, s:I, s:I, s:I, s:o, s:o}", "unit",
			   root > 0 ? rq_fleet_json_unit(root, unit.name, unit.code) : json_null(), "now",
			   (json_int_t)p.now, "window_days", (json_int_t)window_days, "from", (json_int_t)p.from, "to",
			   (json_int_t)p.to, "figures", figures_json(&v), "reported_by", reported ? reported : json_null());
	reported = NULL;
	if (answer && by == 0) {
		child_args a = {c.store, &p, json_array(), 0};
		rc = rq_store_fleet_child_units(c.store, root, add_child, &a);
		if (rc == RQ_ESTOPPED)
			rc = a.rc;
		if (rc < 0) {
			json_decref(a.rows);
			rq_api_store_error(resp, rc, "computing coverage");
			goto done;
		}
		json_object_set_new(answer, "children", a.rows);
	}
	rq_http_resp_json(resp, 200, answer);
	answer = NULL;
done:
	json_decref(reported);
	json_decref(answer);
	rq_store_unit_clear(&unit);
	return 0;
}

static int add_day(const char *day, const rq_coverage *v, void *payload)
{
	return rq_fleet_append(payload, json_pack("{s:s, s:o}", "day", day, "figures", rq_api_coverage_snapshot_json(v)));
}

/* GET /api/v1/coverage/history?unit=&days=: the daily snapshots of the
 * last `days` local days (today included), oldest first. */
static int get_history(const rq_http_req *req, rq_http_resp *resp, void *arg)
{
	rq_caller c;
	rq_unit unit;
	unsigned long long days = 0;
	int64_t root = 0;
	char from[RQ_DAY_TEXT];
	json_t *items = NULL;
	int rc;
	memset(&unit, 0, sizeof(unit));
	if (rq_admin_begin(arg, req, resp, &c) || rq_admin_list_root(&c, resp, &root) ||
	    rq_http_query_uint(req, resp, "days", 1, RQ_COVERAGE_HISTORY_DAYS, RQ_COVERAGE_HISTORY_DEFAULT_DAYS,
			       &days) < 0)
		goto done;
	if (read_unit(&c, resp, root, &unit))
		goto done;
	if (rq_coverage_day_of(rq_api_now(), (int)days - 1, from) < 0) {
		rq_api_store_error(resp, RQ_ERROR, "reading the calendar");
		goto done;
	}
	items = json_array();
	rc = items ? rq_store_coverage_days(c.store, root, from, add_day, items) : RQ_ENOMEM;
	if (rc < 0) {
		rq_api_store_error(resp, rc, "reading the coverage history");
		goto done;
	}
	rq_http_resp_json(resp, 200,
			  json_pack("{s:o, s:o}", "unit",
				    root > 0 ? rq_fleet_json_unit(root, unit.name, unit.code) : json_null(), "days", items));
	items = NULL;
done:
	json_decref(items);
	rq_store_unit_clear(&unit);
	return 0;
}

int rq_api_coverage_routes(rq_http_router *router, const rq_api_ctx *ctx)
{
	int rc = rq_http_router_add(router, "GET", "/api/v1/coverage", get_coverage, (void *)ctx);
	if (rc == 0)
		rc = rq_http_router_add(router, "GET", "/api/v1/coverage/history", get_history, (void *)ctx);
	return rc;
}
