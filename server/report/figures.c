/*
 * The report document (figures.h): made from the store's per-unit counts
 * (store/reports.c) with the totals and the units not reported worked out
 * here, and read back, checked, for the renderers. The layout of the
 * document is in docs/reports.md.
 */
#include "report/figures.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/error.h"
#include "report/labels.h"

#define COL(key, label, field) {key, label, offsetof(rq_report_counts, field)}
const rq_report_column rq_report_columns[RQ_REPORT_COLUMNS] = {
	COL("machines", L_MACHINES, machines),
	COL("raquet", L_RAQUET, raquet),
	COL("other_products", L_OTHER_PRODUCTS, other_products),
	COL("servers", L_SERVERS, servers),
	COL("workstations", L_WORKSTATIONS, workstations),
	COL("others", L_OTHERS, others),
	COL("protected", L_PROTECTED, protected_n),
	COL("auto_update", L_AUTO_UPDATE, auto_update),
	COL("scanned", L_SCANNED, scanned),
	COL("infected", L_INFECTED, infected),
	COL("detections", L_DETECTIONS, detections),
	COL("cleaned", L_CLEANED, cleaned),
	COL("remaining", L_REMAINING, remaining),
};

static const char *const kind_names[] = {"unit", "province"};
static const char *const reason_names[RQ_REASON_COUNT] = {"no_machines", "none_protected", "no_scan"};

const char *rq_report_kind_name(rq_report_kind kind)
{
	return kind == RQ_REPORT_PROVINCE ? kind_names[1] : kind_names[0];
}

int rq_report_kind_parse(const char *name)
{
	for (int i = 0; i < 2; i++)
		if (name && !strcmp(name, kind_names[i]))
			return i;
	return -1;
}

static int64_t *count_at(rq_report_counts *n, size_t col)
{
	return (int64_t *)(void *)((char *)n + rq_report_columns[col].offset);
}

static json_t *counts_json(const rq_report_counts *n)
{
	json_t *o = json_object();
	for (size_t i = 0; o && i < RQ_REPORT_COLUMNS; i++)
		if (json_object_set_new(o, rq_report_columns[i].key, json_integer(rq_report_count(n, i))) < 0) {
			json_decref(o);
			o = NULL;
		}
	return o;
}

/* The products protecting a unit's declared machines. */
static json_t *products_json(const rq_report_unit *u)
{
	json_t *a = json_array();
	for (size_t i = 0; a && i < u->product_count; i++)
		if (json_array_append_new(a, json_pack("{s:s, s:I}", "name", u->products[i].name, "machines",
						       (json_int_t)u->products[i].machines)) < 0) {
			json_decref(a);
			a = NULL;
		}
	return a;
}

/* Not reported, and why; -1 when it did report (or only groups sub-units). */
static int missing_reason(const rq_report_unit *u)
{
	if (u->n.machines == 0)
		return u->has_children ? -1 : RQ_REASON_NO_MACHINES;
	if (u->n.protected_n == 0)
		return RQ_REASON_NONE_PROTECTED;
	if (u->n.scanned == 0)
		return RQ_REASON_NO_SCAN;
	return -1;
}

static json_t *document(const rq_report_data *d, rq_report_kind kind, const rq_report_unit *scope, int64_t from,
			int64_t to, int64_t now, const char *agency)
{
	json_t *units = json_array(), *missing = json_array(), *malware = json_array(), *doc = NULL, *totals;
	rq_report_counts sum;
	int ok = units && missing && malware;
	memset(&sum, 0, sizeof(sum));
	for (size_t i = 0; ok && i < d->unit_count; i++) {
		const rq_report_unit *u = &d->units[i];
		for (size_t c = 0; c < RQ_REPORT_COLUMNS; c++)
			*count_at(&sum, c) += rq_report_count(&u->n, c);
		ok = !json_array_append_new(units, json_pack("{s:I, s:s, s:s, s:i, s:o, s:o}", "id", (json_int_t)u->id,
							     "code", u->code, "name", u->name, "depth", u->depth,
							     "figures", counts_json(&u->n), "products", products_json(u)));
		int why = missing_reason(u);
		if (ok && why >= 0)
			ok = !json_array_append_new(missing, json_pack("{s:I, s:s, s:s, s:s}", "id", (json_int_t)u->id,
								       "code", u->code, "name", u->name, "reason",
								       reason_names[why]));
	}
	for (size_t i = 0; ok && i < d->malware_count; i++) {
		const rq_report_malware *m = &d->malware[i];
		ok = !json_array_append_new(malware, json_pack("{s:s, s:I, s:I, s:I}", "name", m->name, "machines",
							       (json_int_t)m->machines, "sha256",
							       (json_int_t)m->sha256s, "detections",
							       (json_int_t)m->detections));
	}
	totals = ok ? counts_json(&sum) : NULL;
	if (totals) {
		json_object_set_new(totals, "units", json_integer((json_int_t)d->unit_count));
		json_object_set_new(totals, "units_not_reported", json_integer((json_int_t)json_array_size(missing)));
	}
	if (ok && totals)
		doc = json_pack("{s:i, s:s, s:s, s:o, s:I, s:I, s:I, s:{s:i, s:i}, s:o, s:o, s:o, s:o}", "format",
				RQ_REPORT_FORMAT, "kind", rq_report_kind_name(kind), "agency", agency, "unit",
				scope ? json_pack("{s:I, s:s, s:s}", "id", (json_int_t)scope->id, "name", scope->name,
						  "code", scope->code)
				      : json_null(),
				"from", (json_int_t)from, "to", (json_int_t)to, "made_at", (json_int_t)now,
				"definitions", "window_days", RQ_REPORT_WINDOW_DAYS, "update_days",
				RQ_REPORT_UPDATE_DAYS, "units", units, "totals", totals, "not_reported", missing,
				"malware", malware);
	else {
		json_decref(units);
		json_decref(missing);
		json_decref(malware);
		json_decref(totals);
	}
	return doc;
}

static int make(rq_store *s, rq_report_kind kind, int64_t unit_id, int64_t from, int64_t to, int64_t now,
		const char *agency, const rq_report_campaign_query *camp, json_t **out)
{
	rq_report_data d;
	json_t *section = NULL;
	int64_t end = to < now ? to : now;
	rq_report_query q = {.unit_id = kind == RQ_REPORT_PROVINCE ? 0 : unit_id,
			     .from = from,
			     .to = to,
			     .protected_since = end - RQ_REPORT_WINDOW_DAYS * 86400LL,
			     .updated_since = end - RQ_REPORT_UPDATE_DAYS * 86400LL,
			     .malware_max = RQ_REPORT_MALWARE_MAX};
	int rc;
	*out = NULL;
	memset(&d, 0, sizeof(d));
	if (kind == RQ_REPORT_UNIT && unit_id <= 0) {
		rc = rq_fail(RQ_EINVAL, "report: a unit report needs a unit");
		goto done;
	}
	if ((rc = rq_store_report_figures(s, &q, &d)) < 0)
		goto done;
	if (camp && (rc = rq_report_campaign_make(s, camp, now, &d, &section)) < 0)
		goto done;
	*out = document(&d, kind, kind == RQ_REPORT_UNIT && d.unit_count ? &d.units[0] : NULL, from, to, now,
			agency ? agency : "");
	if (!*out)
		rc = rq_fail(RQ_ENOMEM, "report: out of memory making the figures");
	else if (section && json_object_set_new(*out, "campaign", section) < 0)
		rc = rq_fail(RQ_ENOMEM, "report: out of memory making the figures");
	section = NULL;
done:
	json_decref(section);
	rq_report_data_free(&d);
	return rc;
}

int rq_report_figures_make(rq_store *s, rq_report_kind kind, int64_t unit_id, int64_t from, int64_t to,
			   int64_t now, const char *agency, json_t **out)
{
	return make(s, kind, unit_id, from, to, now, agency, NULL, out);
}

int rq_report_figures_make_campaign(rq_store *s, const rq_report_campaign_query *q, int64_t now, const char *agency,
				    json_t **out)
{
	int64_t to = q->to < now ? q->to : now;
	*out = NULL;
	if (to <= q->from)
		return rq_fail(RQ_EINVAL, "report: the campaign has not started: nothing to report yet");
	return make(s, q->unit_id > 0 ? RQ_REPORT_UNIT : RQ_REPORT_PROVINCE, q->unit_id, q->from, to, now, agency, q,
		    out);
}

/* --- reading a document back --- */

static char *dup_str(json_t *v)
{
	const char *s = json_string_value(v);
	return strdup(s ? s : "");
}

static int read_counts(json_t *o, rq_report_counts *n)
{
	memset(n, 0, sizeof(*n));
	if (!json_is_object(o))
		return -1;
	for (size_t c = 0; c < RQ_REPORT_COLUMNS; c++) {
		json_t *v = json_object_get(o, rq_report_columns[c].key);
		if (!v && (!strcmp(rq_report_columns[c].key, "raquet") || !strcmp(rq_report_columns[c].key, "other_products")))
			continue; /* kept before machines could be declared: set below */
		if (!json_is_integer(v))
			return -1;
		*count_at(n, c) = json_integer_value(v);
	}
	if (!json_object_get(o, "raquet")) /* then every machine was raquet's */
		n->raquet = n->machines - n->other_products;
	return 0;
}

/* A unit's products (absent in documents kept before they existed). */
static int read_products(json_t *arr, rq_report_unit *u)
{
	size_t i;
	json_t *v;
	if (!arr)
		return 0;
	if (!json_is_array(arr) || !(u->products = calloc(json_array_size(arr) + 1, sizeof(*u->products))))
		return -1;
	json_array_foreach(arr, i, v) {
		rq_report_product *p = &u->products[u->product_count++];
		p->name = dup_str(json_object_get(v, "name"));
		p->machines = json_integer_value(json_object_get(v, "machines"));
		if (!p->name)
			return -1;
	}
	return 0;
}

static int read_units(json_t *arr, rq_report_data *d)
{
	size_t i;
	json_t *v;
	if (!json_is_array(arr))
		return -1;
	d->units = calloc(json_array_size(arr) + 1, sizeof(*d->units));
	if (!d->units)
		return -1;
	json_array_foreach(arr, i, v) {
		rq_report_unit *u = &d->units[d->unit_count++];
		u->id = json_integer_value(json_object_get(v, "id"));
		u->depth = (int)json_integer_value(json_object_get(v, "depth"));
		u->name = dup_str(json_object_get(v, "name"));
		u->code = dup_str(json_object_get(v, "code"));
		if (!u->name || !u->code || u->depth < 0 || u->depth >= 64 ||
		    read_counts(json_object_get(v, "figures"), &u->n) < 0 ||
		    read_products(json_object_get(v, "products"), u) < 0)
			return -1;
	}
	return 0;
}

static int read_malware(json_t *arr, rq_report_data *d)
{
	size_t i;
	json_t *v;
	if (!json_is_array(arr))
		return -1;
	d->malware = calloc(json_array_size(arr) + 1, sizeof(*d->malware));
	if (!d->malware)
		return -1;
	json_array_foreach(arr, i, v) {
		rq_report_malware *m = &d->malware[d->malware_count++];
		m->name = dup_str(json_object_get(v, "name"));
		m->machines = json_integer_value(json_object_get(v, "machines"));
		m->sha256s = json_integer_value(json_object_get(v, "sha256"));
		m->detections = json_integer_value(json_object_get(v, "detections"));
		if (!m->name)
			return -1;
	}
	return 0;
}

static int read_missing(json_t *arr, rq_report_doc *doc)
{
	size_t i;
	json_t *v;
	if (!json_is_array(arr))
		return -1;
	doc->missing = calloc(json_array_size(arr) + 1, sizeof(*doc->missing));
	if (!doc->missing)
		return -1;
	json_array_foreach(arr, i, v) {
		rq_report_missing *m = &doc->missing[doc->missing_count++];
		const char *why = json_string_value(json_object_get(v, "reason"));
		m->id = json_integer_value(json_object_get(v, "id"));
		m->name = dup_str(json_object_get(v, "name"));
		m->code = dup_str(json_object_get(v, "code"));
		m->reason = RQ_REASON_COUNT;
		for (int r = 0; why && r < RQ_REASON_COUNT; r++)
			if (!strcmp(why, reason_names[r]))
				m->reason = (rq_report_reason)r;
		if (!m->name || !m->code || m->reason == RQ_REASON_COUNT)
			return -1;
	}
	return 0;
}

int rq_report_doc_parse(const char *json_text, rq_report_doc *out)
{
	json_error_t err;
	json_t *root = json_loads(json_text ? json_text : "", 0, &err), *unit;
	json_int_t format = 0, window = 0, update = 0, from = 0, to = 0, made = 0;
	const char *kind = NULL, *agency = NULL;
	int rc = 0;
	memset(out, 0, sizeof(*out));
	if (!root || json_unpack(root, "{s:I, s:s, s:s, s:o, s:I, s:I, s:I, s:{s:I, s:I}}", "format", &format, "kind",
				 &kind, "agency", &agency, "unit", &unit, "from", &from, "to", &to, "made_at", &made,
				 "definitions", "window_days", &window, "update_days", &update) < 0 ||
	    format != RQ_REPORT_FORMAT || rq_report_kind_parse(kind) < 0) {
		rc = rq_fail(RQ_EPARSE, "report: the kept figures are not a report document of format %d",
			     RQ_REPORT_FORMAT);
		goto done;
	}
	out->kind = (rq_report_kind)rq_report_kind_parse(kind);
	out->agency = strdup(agency);
	out->from = from;
	out->to = to;
	out->made_at = made;
	out->window_days = window;
	out->update_days = update;
	out->scope_id = json_integer_value(json_object_get(unit, "id"));
	out->scope_name = dup_str(json_object_get(unit, "name"));
	out->scope_code = dup_str(json_object_get(unit, "code"));
	if (!out->agency || !out->scope_name || !out->scope_code || read_units(json_object_get(root, "units"), &out->data) ||
	    read_malware(json_object_get(root, "malware"), &out->data) ||
	    read_missing(json_object_get(root, "not_reported"), out) ||
	    read_counts(json_object_get(root, "totals"), &out->totals) < 0)
		rc = rq_fail(RQ_EPARSE, "report: the kept figures are incomplete");
	else
		rc = rq_report_campaign_parse(json_object_get(root, "campaign"), &out->campaign);
done:
	json_decref(root);
	return rc;
}

void rq_report_doc_free(rq_report_doc *d)
{
	if (!d)
		return;
	free(d->agency);
	free(d->scope_name);
	free(d->scope_code);
	rq_report_data_free(&d->data);
	for (size_t i = 0; i < d->missing_count; i++) {
		free(d->missing[i].name);
		free(d->missing[i].code);
	}
	free(d->missing);
	rq_report_campaign_free(d->campaign);
	memset(d, 0, sizeof(*d));
}

/* --- dates, in Vietnam time --- */

void rq_report_date(int64_t t, char buf[11])
{
	time_t local = (time_t)(t + RQ_REPORT_TZ_OFFSET);
	struct tm tm;
	gmtime_r(&local, &tm);
	unsigned day = (unsigned)tm.tm_mday % 100u, mon = (unsigned)(tm.tm_mon + 1) % 100u,
		 year = (unsigned)(tm.tm_year + 1900) % 10000u;
	snprintf(buf, 11, "%02u/%02u/%04u", day, mon, year);
}

void rq_report_last_day(int64_t to, char buf[11])
{
	rq_report_date(to - 1, buf);
}

/* The start of day `mday` of month `mon` (0-11) of `year`, Vietnam time
 * (timegm normalises an mday or month past the end). */
static int64_t day_start(int year, int mon, int mday)
{
	struct tm tm = {.tm_year = year - 1900, .tm_mon = mon, .tm_mday = mday};
	return (int64_t)timegm(&tm) - RQ_REPORT_TZ_OFFSET;
}

int rq_report_parse_date(const char *text, int next_day, int64_t *out)
{
	int d = 0, m = 0, y = 0, n = 0;
	char back[11];
	if (!text || strlen(text) != 10 || sscanf(text, "%2d/%2d/%4d%n", &d, &m, &y, &n) != 3 || n != 10 ||
	    y < 1970 || y > 9999 || m < 1 || m > 12 || d < 1 || d > 31)
		return rq_fail(RQ_EINVAL, "'%s': expected a date dd/mm/yyyy", text ? text : "");
	*out = day_start(y, m - 1, d);
	rq_report_date(*out, back);
	if (strcmp(back, text)) /* 31/02/2026 */
		return rq_fail(RQ_EINVAL, "'%s': no such day", text);
	if (next_day)
		*out = day_start(y, m - 1, d + 1);
	return 0;
}

int rq_report_previous_period(const char *schedule, int64_t now, int64_t *from, int64_t *to)
{
	time_t local = (time_t)(now + RQ_REPORT_TZ_OFFSET);
	struct tm tm;
	gmtime_r(&local, &tm);
	if (schedule && !strcmp(schedule, "monthly")) {
		*to = day_start(tm.tm_year + 1900, tm.tm_mon, 1);
		*from = day_start(tm.tm_year + 1900, tm.tm_mon - 1, 1);
		return 0;
	}
	if (schedule && !strcmp(schedule, "weekly")) {
		int since_monday = (tm.tm_wday + 6) % 7;
		*to = day_start(tm.tm_year + 1900, tm.tm_mon, tm.tm_mday - since_monday);
		*from = *to - 7 * 86400LL;
		return 0;
	}
	return rq_fail(RQ_EINVAL, "report: unknown schedule '%s'", schedule ? schedule : "");
}
