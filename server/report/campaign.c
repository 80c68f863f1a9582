/*
 * The campaign report's obligations (campaign.h): worked out by
 * campaign/obligations.c for the campaign's units, written into the
 * report document in the report's unit order, and read back checked.
 */
#include "report/campaign.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"

static const char *const mark_names[RQ_MARK_COUNT] = {"done", "pending", "overdue"};

const char *rq_report_mark_name(rq_report_mark m)
{
	return (unsigned)m < RQ_MARK_COUNT ? mark_names[m] : "";
}

static rq_report_mark mark_of(rq_item_state s)
{
	return s == RQ_ITEM_DONE ? RQ_MARK_DONE : s == RQ_ITEM_OVERDUE ? RQ_MARK_OVERDUE : RQ_MARK_PENDING;
}

/* The topic of a training's details JSON ("" when none). */
static json_t *topic_of(const rq_obl_record *r)
{
	json_error_t err;
	json_t *d = r->details ? json_loads(r->details, 0, &err) : NULL;
	json_t *t = json_string(json_string_value(json_object_get(d, "topic")) ? json_string_value(json_object_get(d, "topic")) : "");
	json_decref(d);
	return t;
}

static json_int_t attendees_of(const rq_obl_record *r)
{
	json_error_t err;
	json_t *d = r->details ? json_loads(r->details, 0, &err) : NULL;
	json_int_t n = json_integer_value(json_object_get(d, "attendees"));
	json_decref(d);
	return n;
}

/* A recorded item's date only once it is done. */
static const char *done_on(const rq_obl_unit *u, rq_obligation k, const rq_obl_record *r)
{
	return u->done[k] ? r->done_on : "";
}

static json_t *unit_json(const rq_obl_unit *u, const rq_report_unit *row)
{
	const char *m[RQ_OBL_COUNT];
	for (int k = 0; k < RQ_OBL_COUNT; k++)
		m[k] = rq_report_mark_name(mark_of(u->state[k]));
	return json_pack(
		"{s:I, s:s, s:s, s:i, s:i,"
		" s:{s:s, s:s, s:I, s:o},"
		" s:{s:s, s:I, s:I, s:I, s:I, s:I, s:[I, I, I, I, I]},"
		" s:{s:s, s:I, s:I},"
		" s:{s:s, s:s, s:s},"
		" s:{s:s, s:I, s:I, s:I},"
		" s:{s:s, s:s}}",
		"id", (json_int_t)row->id, "code", row->code, "name", row->name, "depth", row->depth, "done",
		u->done_count,
		"training", "state", m[RQ_OBL_TRAINING], "done_on", done_on(u, RQ_OBL_TRAINING, &u->training),
		"attendees", u->done[RQ_OBL_TRAINING] ? attendees_of(&u->training) : (json_int_t)0, "topic",
		u->done[RQ_OBL_TRAINING] ? topic_of(&u->training) : json_string(""),
		"systems", "state", m[RQ_OBL_SYSTEMS], "total", (json_int_t)u->systems, "draft",
		(json_int_t)u->by_state[RQ_DOSSIER_DRAFT], "submitted", (json_int_t)u->by_state[RQ_DOSSIER_SUBMITTED],
		"appraised", (json_int_t)u->by_state[RQ_DOSSIER_APPRAISED], "approved",
		(json_int_t)u->by_state[RQ_DOSSIER_APPROVED], "levels", (json_int_t)u->by_level[0],
		(json_int_t)u->by_level[1], (json_int_t)u->by_level[2], (json_int_t)u->by_level[3],
		(json_int_t)u->by_level[4],
		"regulation", "state", m[RQ_OBL_REGULATION], "total", (json_int_t)u->systems, "issued",
		(json_int_t)u->regulated,
		"response_plan", "state", m[RQ_OBL_RESPONSE_PLAN], "number",
		u->done[RQ_OBL_RESPONSE_PLAN] ? u->response_plan.number : "", "done_on",
		done_on(u, RQ_OBL_RESPONSE_PLAN, &u->response_plan),
		"malware_sweep", "state", m[RQ_OBL_SWEEP], "endpoints", (json_int_t)u->endpoints, "scanned",
		(json_int_t)u->scanned, "infected", (json_int_t)u->infected,
		"report", "state", m[RQ_OBL_REPORT], "done_on", done_on(u, RQ_OBL_REPORT, &u->report));
}

rq_report_campaign_query rq_report_campaign_query_of(const rq_campaign *c)
{
	rq_report_campaign_query q = {.id = c->id,
				      .unit_id = c->unit_id,
				      .name = c->name,
				      .unit_deadline = c->unit_deadline,
				      .dept_deadline = c->dept_deadline,
				      .from = c->from,
				      .to = c->to};
	return q;
}

int rq_report_campaign_make(rq_store *s, const rq_report_campaign_query *q, int64_t now, const rq_report_data *rows,
			    json_t **out)
{
	rq_obligations o;
	rq_obl_query oq = {.campaign_id = q->id,
			   .root = q->unit_id,
			   .from = q->from,
			   .to = q->to,
			   .unit_deadline = q->unit_deadline,
			   .now = now,
			   .risk_days = 0};
	json_t *units = json_array(), *overdue = json_array(), *totals = json_object();
	int64_t done_units[RQ_OBL_COUNT] = {0}, complete = 0;
	int rc = rq_obligations_compute(s, &oq, &o);
	*out = NULL;
	if (rc == 0 && (!units || !overdue || !totals))
		rc = rq_fail(RQ_ENOMEM, "report: out of memory");
	for (size_t i = 0; rc == 0 && i < rows->unit_count; i++) {
		const rq_report_unit *row = &rows->units[i];
		const rq_obl_unit *u = rq_obligations_find(&o, row->id);
		json_t *late = json_array();
		if (!u || !late) { /* a unit made after the figures were counted: not in both */
			json_decref(late);
			continue;
		}
		for (int k = 0; k < RQ_OBL_COUNT; k++) {
			done_units[k] += u->done[k];
			if (u->state[k] == RQ_ITEM_OVERDUE)
				json_array_append_new(late, json_string(rq_obligation_name((rq_obligation)k)));
		}
		complete += u->done_count == RQ_OBL_COUNT;
		if (json_array_append_new(units, unit_json(u, row)) < 0)
			rc = rq_fail(RQ_ENOMEM, "report: out of memory");
		if (json_array_size(late))
			json_array_append_new(overdue, json_pack("{s:I, s:s, s:s, s:O}", "id", (json_int_t)row->id, "code",
								 row->code, "name", row->name, "items", late));
		json_decref(late);
	}
	for (int k = 0; rc == 0 && k < RQ_OBL_COUNT; k++)
		json_object_set_new(totals, rq_obligation_name((rq_obligation)k), json_integer((json_int_t)done_units[k]));
	if (rc == 0) {
		json_object_set_new(totals, "units", json_integer((json_int_t)json_array_size(units)));
		json_object_set_new(totals, "complete", json_integer((json_int_t)complete));
		json_object_set_new(totals, "overdue_units", json_integer((json_int_t)json_array_size(overdue)));
		*out = json_pack("{s:I, s:s, s:s, s:s, s:O, s:O, s:O}", "id", (json_int_t)q->id, "name", q->name,
				 "unit_deadline", q->unit_deadline, "dept_deadline", q->dept_deadline, "units", units,
				 "totals", totals, "overdue", overdue);
		if (!*out)
			rc = rq_fail(RQ_ENOMEM, "report: out of memory making the obligations");
	}
	json_decref(units);
	json_decref(overdue);
	json_decref(totals);
	rq_obligations_free(&o);
	return rc;
}

/* --- reading back --- */

static char *dup_str(json_t *v)
{
	const char *s = json_string_value(v);
	return strdup(s ? s : "");
}

static void copy_date(json_t *v, char out[RQ_DATE_LEN])
{
	const char *s = json_string_value(v);
	snprintf(out, RQ_DATE_LEN, "%s", s && strlen(s) < RQ_DATE_LEN ? s : "");
}

static int read_mark(json_t *item, rq_report_mark *out)
{
	const char *s = json_string_value(json_object_get(item, "state"));
	for (int m = 0; s && m < RQ_MARK_COUNT; m++)
		if (!strcmp(s, mark_names[m])) {
			*out = (rq_report_mark)m;
			return 0;
		}
	return -1;
}

static int64_t num(json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}

static int read_unit(json_t *v, rq_report_obl *u)
{
	json_t *item[RQ_OBL_COUNT], *levels;
	for (int k = 0; k < RQ_OBL_COUNT; k++)
		if (!json_is_object(item[k] = json_object_get(v, rq_obligation_name((rq_obligation)k))) ||
		    read_mark(item[k], &u->mark[k]) < 0)
			return -1;
	u->id = num(v, "id");
	u->depth = (int)num(v, "depth");
	u->done = (int)num(v, "done");
	u->code = dup_str(json_object_get(v, "code"));
	u->name = dup_str(json_object_get(v, "name"));
	u->topic = dup_str(json_object_get(item[RQ_OBL_TRAINING], "topic"));
	u->plan_number = dup_str(json_object_get(item[RQ_OBL_RESPONSE_PLAN], "number"));
	copy_date(json_object_get(item[RQ_OBL_TRAINING], "done_on"), u->training_on);
	copy_date(json_object_get(item[RQ_OBL_RESPONSE_PLAN], "done_on"), u->plan_on);
	copy_date(json_object_get(item[RQ_OBL_REPORT], "done_on"), u->report_on);
	u->attendees = num(item[RQ_OBL_TRAINING], "attendees");
	u->systems = num(item[RQ_OBL_SYSTEMS], "total");
	u->by_state[RQ_DOSSIER_DRAFT] = num(item[RQ_OBL_SYSTEMS], "draft");
	u->by_state[RQ_DOSSIER_SUBMITTED] = num(item[RQ_OBL_SYSTEMS], "submitted");
	u->by_state[RQ_DOSSIER_APPRAISED] = num(item[RQ_OBL_SYSTEMS], "appraised");
	u->by_state[RQ_DOSSIER_APPROVED] = num(item[RQ_OBL_SYSTEMS], "approved");
	levels = json_object_get(item[RQ_OBL_SYSTEMS], "levels");
	if (json_array_size(levels) != RQ_LEVEL_MAX)
		return -1;
	for (int l = 0; l < RQ_LEVEL_MAX; l++)
		u->by_level[l] = json_integer_value(json_array_get(levels, (size_t)l));
	u->regulated = num(item[RQ_OBL_REGULATION], "issued");
	u->endpoints = num(item[RQ_OBL_SWEEP], "endpoints");
	u->scanned = num(item[RQ_OBL_SWEEP], "scanned");
	u->infected = num(item[RQ_OBL_SWEEP], "infected");
	return u->code && u->name && u->topic && u->plan_number && u->depth >= 0 && u->depth < 64 ? 0 : -1;
}

int rq_report_campaign_parse(json_t *section, rq_report_campaign **out)
{
	rq_report_campaign *c;
	json_t *units, *totals, *v;
	size_t i;
	*out = NULL;
	if (!section || json_is_null(section))
		return 0;
	units = json_object_get(section, "units");
	totals = json_object_get(section, "totals");
	if (!json_is_object(section) || !json_is_array(units) || !json_is_object(totals))
		return rq_fail(RQ_EPARSE, "report: the kept obligations are incomplete");
	if (!(c = calloc(1, sizeof(*c))) || !(c->units = calloc(json_array_size(units) + 1, sizeof(*c->units)))) {
		free(c);
		return rq_fail(RQ_ENOMEM, "report: out of memory reading the obligations");
	}
	*out = c;
	c->id = num(section, "id");
	c->name = dup_str(json_object_get(section, "name"));
	copy_date(json_object_get(section, "unit_deadline"), c->unit_deadline);
	copy_date(json_object_get(section, "dept_deadline"), c->dept_deadline);
	json_array_foreach(units, i, v) {
		if (read_unit(v, &c->units[c->unit_count++]) < 0)
			return rq_fail(RQ_EPARSE, "report: the kept obligations are incomplete");
	}
	for (int k = 0; k < RQ_OBL_COUNT; k++)
		c->done_units[k] = num(totals, rq_obligation_name((rq_obligation)k));
	c->complete = num(totals, "complete");
	c->overdue_units = num(totals, "overdue_units");
	return c->name ? 0 : rq_fail(RQ_EPARSE, "report: the kept obligations are incomplete");
}

void rq_report_campaign_free(rq_report_campaign *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->unit_count; i++) {
		free(c->units[i].code);
		free(c->units[i].name);
		free(c->units[i].topic);
		free(c->units[i].plan_number);
	}
	free(c->units);
	free(c->name);
	free(c);
}
