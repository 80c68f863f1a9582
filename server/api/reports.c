/*
 * Admin API handlers of the official reports (reports.h): the figures are
 * counted when a report is made (report/figures.c) and kept with it; a
 * file is rendered from the kept figures on every download
 * (report/render.h). Who may: a unit report is the unit's (officers make
 * them for their subtree, viewers read them), a provincial report is
 * everyone's (administrators make them, province-wide viewers read them):
 * both through the one rule of auth/authz.c.
 */
#include "api/reports.h"

#include <stdio.h>
#include <string.h>

#include "api/admin.h"
#include "api/attachment.h"
#include "api/endpoints.h"
#include "http/json.h"
#include "report/figures.h"
#include "report/render.h"
#include "store/reports.h"
#include "store/units.h"

static const rq_json_field create_spec[] = {
	{.name = "kind", .type = RQ_JSON_STRING, .required = 1, .max = 16},
	{.name = "unit", .type = RQ_JSON_INT, .nullable = 1, .min = 1, .max = 9007199254740992LL},
	{.name = "from", .type = RQ_JSON_INT, .required = 1, .min = 0, .max = 253402300799LL},
	{.name = "to", .type = RQ_JSON_INT, .required = 1, .min = 0, .max = 253402300799LL},
	{.name = "lang", .type = RQ_JSON_STRING, .max = 8},
	{.name = NULL},
};

/* The report as listed (no figures). */
static json_t *report_json(const rq_report_rec *r)
{
	return json_pack("{s:I, s:s, s:o, s:I, s:I, s:s, s:I, s:o, s:s}", "id", (json_int_t)r->id, "kind", r->kind,
			 "unit",
			 r->unit_id > 0 && r->unit_name ? rq_fleet_json_unit(r->unit_id, r->unit_name, r->unit_code)
							: json_null(),
			 "from", (json_int_t)r->from, "to", (json_int_t)r->to, "lang", r->lang, "created_at",
			 (json_int_t)r->created_at, "created_by",
			 r->created_by > 0 ? json_integer((json_int_t)r->created_by) : json_null(), "source",
			 r->source);
}

/* May the caller do `action` to report r? -1 with resp filled if not. */
static int allow_report(const rq_caller *c, rq_http_resp *resp, rq_action action, const char *kind,
			int64_t unit_id)
{
	if (!strcmp(kind, "unit") && unit_id > 0)
		return rq_admin_allow(c, resp, action, unit_id);
	/* a provincial report, or a unit report whose unit is gone */
	return rq_admin_allow_province(c, resp, action);
}

typedef struct add_args {
	const rq_caller *c;
	const rq_report_rec *rec;
	int64_t campaign_id, id;
} add_args;

static int add_tx(rq_store *s, void *payload)
{
	add_args *a = payload;
	int rc = rq_store_report_add(s, a->rec, &a->id);
	json_t *details = json_pack("{s:s, s:I, s:I}", "kind", a->rec->kind, "from", (json_int_t)a->rec->from, "to",
				    (json_int_t)a->rec->to);
	if (details && a->campaign_id > 0)
		json_object_set_new(details, "campaign", json_integer((json_int_t)a->campaign_id));
	if (rc == 0)
		rc = rq_admin_audit(s, a->c, "report.create", "report", a->id, a->rec->unit_id, details);
	else
		json_decref(details);
	return rc;
}

int rq_api_report_keep(const rq_caller *c, const rq_report_rec *rec, int64_t campaign_id, int64_t *out_id)
{
	add_args a = {.c = c, .rec = rec, .campaign_id = campaign_id};
	int rc = rq_store_transact(c->store, add_tx, &a);
	*out_id = a.id;
	return rc;
}

static int create_report(const rq_http_req *req, rq_http_resp *resp, void *arg)
{
	const rq_api_ctx *ctx = arg;
	rq_caller c;
	rq_unit unit;
	json_t *body = NULL, *figures = NULL;
	char *text = NULL;
	int kind, lang = RQ_LANG_VI, rc;
	memset(&unit, 0, sizeof(unit));
	if (rq_admin_begin(ctx, req, resp, &c))
		goto done;
	if ((rc = rq_http_json_body(req, resp, create_spec, &body)))
		goto done;
	const char *lang_name = json_string_value(json_object_get(body, "lang"));
	int64_t unit_id = json_integer_value(json_object_get(body, "unit"));
	int64_t from = json_integer_value(json_object_get(body, "from"));
	int64_t to = json_integer_value(json_object_get(body, "to"));
	kind = rq_report_kind_parse(json_string_value(json_object_get(body, "kind")));
	if (kind < 0) {
		rq_http_resp_error(resp, 400, "bad_request", "kind: expected \"unit\" or \"province\"");
		goto done;
	}
	if (lang_name && (lang = rq_lang_parse(lang_name)) < 0) {
		rq_http_resp_error(resp, 400, "bad_request", "lang: expected \"vi\" or \"en\"");
		goto done;
	}
	if (from >= to || to - from > RQ_REPORT_MAX_PERIOD) {
		rq_http_resp_error(resp, 400, "bad_request", "from, to: from must be before to, at most %lld days",
				   RQ_REPORT_MAX_PERIOD / 86400);
		goto done;
	}
	if (kind == RQ_REPORT_UNIT && unit_id <= 0) {
		rq_http_resp_error(resp, 400, "bad_request", "unit: a unit report needs a unit");
		goto done;
	}
	if (kind == RQ_REPORT_PROVINCE && unit_id > 0) {
		rq_http_resp_error(resp, 400, "bad_request", "unit: a provincial report is of every unit");
		goto done;
	}
	if (allow_report(&c, resp, RQ_ACT_OPERATE, kind == RQ_REPORT_UNIT ? "unit" : "province", unit_id))
		goto done;
	if (kind == RQ_REPORT_UNIT && (rc = rq_store_unit_get(c.store, unit_id, &unit)) < 0) {
		if (rc == RQ_ENOTFOUND)
			rq_http_resp_error(resp, 404, "not_found", "no unit %lld", (long long)unit_id);
		else
			rq_api_store_error(resp, rc, "reading the unit");
		goto done;
	}
	int64_t now = rq_api_now();
	rc = rq_report_figures_make(c.store, (rq_report_kind)kind, unit_id, from, to, now, ctx->report_agency,
				    &figures);
	if (rc < 0) {
		rq_api_store_error(resp, rc, "counting the report's figures");
		goto done;
	}
	text = json_dumps(figures, JSON_COMPACT);
	rq_report_rec rec = {.kind = rq_report_kind_name((rq_report_kind)kind),
			      .unit_id = kind == RQ_REPORT_UNIT ? unit_id : 0,
			      .unit_name = unit.name,
			      .unit_code = unit.code,
			      .from = from,
			      .to = to,
			      .lang = rq_lang_name((rq_lang)lang),
			      .created_at = now,
			      .created_by = c.user_id,
			      .source = "manual",
			      .figures = text};
	if (!text) {
		rq_http_resp_error(resp, 500, "internal", "out of memory");
		goto done;
	}
	if ((rc = rq_api_report_keep(&c, &rec, 0, &rec.id)) < 0) {
		rq_api_store_error(resp, rc, "keeping the report");
		goto done;
	}
	rq_http_resp_json(resp, 201, report_json(&rec));
done:
	free(text);
	json_decref(figures);
	json_decref(body);
	rq_store_unit_clear(&unit);
	return 0;
}

static int add_item(const rq_report_rec *r, void *payload)
{
	return json_array_append_new(payload, report_json(r)) < 0;
}

static int list_reports(const rq_http_req *req, rq_http_resp *resp, void *arg)
{
	static const char *const kinds[] = {"unit", "province", NULL};
	rq_caller c;
	rq_report_filter f;
	int64_t total = 0;
	int kind = -1, rc;
	memset(&f, 0, sizeof(f));
	if (rq_admin_begin(arg, req, resp, &c) || rq_admin_list_root(&c, resp, &f.root) ||
	    rq_fleet_query_choice(req, resp, "kind", kinds, -1, &kind) ||
	    rq_admin_paging(req, resp, &f.limit, &f.offset))
		return 0;
	/* provincial reports: only a province-wide caller allowed to read them,
	 * and only when no unit narrows the list */
	f.with_province = f.root == 0 && c.unit_id == 0 && rq_authz_allows(c.role, RQ_ACT_READ, RQ_SCOPE_OWN);
	f.kind = kind >= 0 ? kinds[kind] : NULL;
	json_t *items = json_array();
	if (!items)
		return RQ_ENOMEM;
	rc = rq_store_report_list(c.store, &f, &total, add_item, items);
	if (rc < 0) {
		json_decref(items);
		return rq_api_store_error(resp, rc, "listing reports");
	}
	return rq_admin_list_reply(resp, items, total, f.limit, f.offset);
}

/* One report, checked readable by the caller; the callback's copy. */
typedef struct one_args {
	json_t *obj;      /* report_json + figures */
	char *figures;    /* the kept JSON text */
	char kind[16], lang[4];
	int64_t unit_id;
} one_args;

static int take_one(const rq_report_rec *r, void *payload)
{
	one_args *a = payload;
	a->obj = report_json(r);
	a->figures = strdup(r->figures ? r->figures : "");
	snprintf(a->kind, sizeof(a->kind), "%s", r->kind);
	snprintf(a->lang, sizeof(a->lang), "%s", r->lang);
	a->unit_id = r->unit_id;
	return !a->obj || !a->figures;
}

/* Read report {id} for the caller: 0, or -1 with resp filled. */
static int read_one(const rq_http_req *req, rq_http_resp *resp, void *arg, rq_caller *c, one_args *a)
{
	int64_t id;
	int rc;
	memset(a, 0, sizeof(*a));
	if (rq_admin_begin(arg, req, resp, c) || rq_admin_id_param(req, resp, "id", &id))
		return -1;
	rc = rq_store_report_get(c->store, id, take_one, a);
	if (rc == RQ_ENOTFOUND) {
		rq_http_resp_error(resp, 404, "not_found", "no report %lld", (long long)id);
		return -1;
	}
	if (rc < 0) {
		rq_api_store_error(resp, rc, "reading the report");
		return -1;
	}
	return allow_report(c, resp, RQ_ACT_READ, a->kind, a->unit_id);
}

static void one_free(one_args *a)
{
	json_decref(a->obj);
	free(a->figures);
}

static int get_report(const rq_http_req *req, rq_http_resp *resp, void *arg)
{
	rq_caller c;
	one_args a;
	json_error_t err;
	if (read_one(req, resp, arg, &c, &a) == 0) {
		json_t *figures = json_loads(a.figures, 0, &err);
		if (!figures)
			rq_http_resp_error(resp, 500, "internal", "the kept figures are not JSON");
		else {
			json_object_set_new(a.obj, "figures", figures);
			rq_http_resp_json(resp, 200, a.obj);
			a.obj = NULL;
		}
	}
	one_free(&a);
	return 0;
}

static int get_report_file(const rq_http_req *req, rq_http_resp *resp, void *arg)
{
	static const char *const formats[] = {"xlsx", "pdf", "csv", NULL};
	rq_caller c;
	one_args a;
	rq_report_doc doc;
	rq_strbuf out = rq_strbuf_init(RQ_REPORT_MAX_FILE);
	char ascii[256], utf8[512];
	int format = -1, rc;
	memset(&doc, 0, sizeof(doc));
	if (read_one(req, resp, arg, &c, &a) < 0 || rq_fleet_query_choice(req, resp, "format", formats, -1, &format))
		goto done;
	if (format < 0) {
		rq_http_resp_error(resp, 400, "bad_request", "query parameter format: expected xlsx, pdf or csv");
		goto done;
	}
	int lang = rq_lang_parse(a.lang);
	if ((rc = rq_report_doc_parse(a.figures, &doc)) < 0 ||
	    (rc = rq_report_render(&doc, lang < 0 ? RQ_LANG_VI : (rq_lang)lang, (rq_report_format)format, &out)) < 0) {
		rq_http_resp_reset(resp);
		goto done_rc;
	}
	rq_report_file_name(&doc, lang < 0 ? RQ_LANG_VI : (rq_lang)lang, (rq_report_format)format, ascii,
			    sizeof(ascii), utf8, sizeof(utf8));
	if ((rc = rq_http_resp_bytes(resp, 200, rq_report_format_type((rq_report_format)format), out.p ? out.p : "",
				     out.len)) < 0 ||
	    (rc = rq_api_attachment(resp, ascii, utf8)) < 0)
		goto done_rc;
done:
	rc = 0;
done_rc:
	rq_strbuf_free(&out);
	rq_report_doc_free(&doc);
	one_free(&a);
	return rc;
}

int rq_api_reports_routes(rq_http_router *router, const rq_api_ctx *ctx)
{
	int rc;
	void *arg = (void *)ctx;
	if ((rc = rq_http_router_add(router, "POST", "/api/v1/reports", create_report, arg)) < 0 ||
	    (rc = rq_http_router_add(router, "GET", "/api/v1/reports", list_reports, arg)) < 0 ||
	    (rc = rq_http_router_add(router, "GET", "/api/v1/reports/{id}", get_report, arg)) < 0)
		return rc;
	return rq_http_router_add(router, "GET", "/api/v1/reports/{id}/file", get_report_file, arg);
}
