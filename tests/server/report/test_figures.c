/*
 * Tests of the official reports' figures on both backends against numbers
 * worked out by hand for a small province (five units, machines on both
 * sides of every boundary: enrolled after the period, the reporting and
 * update windows, scans and detections on the period's edges); the
 * document's round trip; the files rendered twice to the same bytes; the
 * CSV's quoting; the label tables complete; dates in Vietnam time; the
 * scheduled report made once.
 */
#include "../store/store_fixture.h"
#include "report/figures.h"
#include "report/labels.h"
#include "report/render.h"
#include "report/schedule.h"
#include "store/campaigns.h"
#include "store/declared.h"
#include "store/endpoints.h"
#include "store/systems.h"
#include "store/events.h"
#include "store/units.h"

#define DAY 86400LL
#define TO (1000 * DAY)
#define FROM (TO - 10 * DAY)
#define MADE (TO + DAY)

static int64_t endpoint(fx *f, int64_t unit, const char *host, const char *kind, int64_t seen, int64_t built)
{
	int64_t id;
	rq_endpoint_status st = {.hostname = host, .kind = kind, .realtime = 1, .firewall = -1, .db_newest_build = built};
	FX_OK(rq_store_endpoint_create(f->s, &id, unit, &st, seen));
	return id;
}

static void scan(fx *f, int64_t ep, const char *uuid, const char *kind, int64_t finished)
{
	rq_store_event ev;
	size_t added;
	memset(&ev, 0, sizeof(ev));
	ev.uuid = uuid;
	ev.kind = RQ_EVENT_SCAN;
	ev.occurred_at = finished;
	ev.scan.kind = kind;
	ev.scan.started_at = finished - 600;
	ev.scan.finished_at = finished;
	FX_OK(rq_store_ingest_events(f->s, ep, &ev, 1, MADE, &added));
	assert_int_equal(added, 1);
}

static void detection(fx *f, int64_t ep, const char *uuid, const char *path, const char *name, const char *sha,
		      const char *state, int64_t at)
{
	rq_store_event ev;
	size_t added;
	memset(&ev, 0, sizeof(ev));
	ev.uuid = uuid;
	ev.kind = RQ_EVENT_DETECTION;
	ev.occurred_at = at;
	ev.file.path = path;
	ev.file.name = name;
	ev.file.sha256 = sha;
	ev.file.state = state;
	FX_OK(rq_store_ingest_events(f->s, ep, &ev, 1, MADE, &added));
	assert_int_equal(added, 1);
}

static const char S1[] = "1111111111111111111111111111111111111111111111111111111111111111";
static const char S2[] = "2222222222222222222222222222222222222222222222222222222222222222";

/* P > A ("Sở A") > A1; P > B ("Huyện B"); P > C (no machine, no sub-unit) */
static void province(fx *f, int64_t *a_out)
{
	int64_t p, a, a1, b, c;
	FX_OK(rq_store_unit_create(f->s, &p, 0, "Tỉnh", "P", "", 1));
	FX_OK(rq_store_unit_create(f->s, &a, p, "Sở A, \"Kế hoạch\"", "A", "", 1));
	FX_OK(rq_store_unit_create(f->s, &a1, a, "Phòng A1", "A1", "", 1));
	FX_OK(rq_store_unit_create(f->s, &b, p, "Huyện B", "B", "", 1));
	FX_OK(rq_store_unit_create(f->s, &c, p, "Ủy ban C", "C", "", 1));
	int64_t e1 = endpoint(f, a, "a1", "server", TO - DAY, TO - 2 * DAY);          /* protected, updated */
	int64_t e2 = endpoint(f, a, "a2", "workstation", TO - 8 * DAY, TO - 8 * DAY); /* neither */
	int64_t e3 = endpoint(f, a1, "a3", "other", TO - 7 * DAY, TO - 7 * DAY);      /* both, on the edge */
	endpoint(f, a1, "a4", "workstation", TO + 10, TO);                           /* enrolled after the end */
	int64_t e5 = endpoint(f, b, "b1", "workstation", TO - 1, 0);                  /* no signatures */
	scan(f, e1, "s1", "full", FROM);            /* on the start edge: in */
	scan(f, e1, "s2", "quick", FROM + DAY);     /* the same machine: once */
	scan(f, e3, "s3", "quick", TO);             /* on the end edge: out */
	scan(f, e5, "s4", "full", FROM - 1);        /* before: out */
	detection(f, e1, "d1", "/x", "Win.X", S1, "active", FROM + DAY);
	detection(f, e1, "d2", "/y", "Win.X", S2, "quarantined", FROM + DAY);
	detection(f, e2, "d3", "/x", "Win.X", S1, "removed", FROM + 2 * DAY);
	detection(f, e5, "d4", "/z", "Unix.Y", "", "active", TO - 1);
	detection(f, e3, "d5", "/o", "Old", S2, "active", FROM - 1); /* before: out */
	*a_out = a;
}

/* machines raquet other_products servers workstations others protected auto scanned infected detections
 * cleaned remaining */
static void expect_counts(const rq_report_counts *n, const int64_t want[RQ_REPORT_COLUMNS], const char *what)
{
	for (size_t c = 0; c < RQ_REPORT_COLUMNS; c++)
		if (rq_report_count(n, c) != want[c])
			fail_msg("%s, %s: got %lld, want %lld", what, rq_report_columns[c].key,
				 (long long)rq_report_count(n, c), (long long)want[c]);
}

static void test_province_figures(void **state)
{
	fx *f = *state;
	int64_t a;
	json_t *doc_json = NULL;
	rq_report_doc doc;
	province(f, &a);
	FX_OK(rq_report_figures_make(f->s, RQ_REPORT_PROVINCE, 0, FROM, TO, MADE, "Sở TT&TT", &doc_json));
	char *text = json_dumps(doc_json, JSON_COMPACT);
	assert_non_null(text);
	FX_OK(rq_report_doc_parse(text, &doc));
	assert_int_equal(doc.kind, RQ_REPORT_PROVINCE);
	assert_string_equal(doc.agency, "Sở TT&TT");
	assert_int_equal(doc.from, FROM);
	assert_int_equal(doc.made_at, MADE);
	/* tree order: P, then its sub-units by name (byte order), A's below A */
	static const char *const order[] = {"P", "B", "A", "A1", "C"};
	static const int depth[] = {0, 1, 1, 2, 1};
	assert_int_equal(doc.data.unit_count, 5);
	for (size_t i = 0; i < 5; i++) {
		assert_string_equal(doc.data.units[i].code, order[i]);
		assert_int_equal(doc.data.units[i].depth, depth[i]);
	}
	const int64_t want_p[] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
	const int64_t want_b[] = {1, 1, 0, 0, 1, 0, 1, 0, 0, 1, 1, 0, 1};
	const int64_t want_a[] = {2, 2, 0, 1, 1, 0, 1, 1, 1, 2, 3, 2, 1};
	const int64_t want_a1[] = {1, 1, 0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0};
	const int64_t want_total[] = {4, 4, 0, 1, 2, 1, 3, 2, 1, 3, 4, 2, 2};
	expect_counts(&doc.data.units[0].n, want_p, "P");
	expect_counts(&doc.data.units[1].n, want_b, "B");
	expect_counts(&doc.data.units[2].n, want_a, "A");
	expect_counts(&doc.data.units[3].n, want_a1, "A1");
	expect_counts(&doc.data.units[4].n, want_p, "C");
	expect_counts(&doc.totals, want_total, "totals");
	/* not reported: B and A1 scanned nothing, C has no machine; P only groups */
	assert_int_equal(doc.missing_count, 3);
	assert_string_equal(doc.missing[0].code, "B");
	assert_int_equal(doc.missing[0].reason, RQ_REASON_NO_SCAN);
	assert_string_equal(doc.missing[1].code, "A1");
	assert_int_equal(doc.missing[1].reason, RQ_REASON_NO_SCAN);
	assert_string_equal(doc.missing[2].code, "C");
	assert_int_equal(doc.missing[2].reason, RQ_REASON_NO_MACHINES);
	/* notable malware: by machines */
	assert_int_equal(doc.data.malware_count, 2);
	assert_string_equal(doc.data.malware[0].name, "Win.X");
	assert_int_equal(doc.data.malware[0].machines, 2);
	assert_int_equal(doc.data.malware[0].sha256s, 2);
	assert_int_equal(doc.data.malware[0].detections, 3);
	assert_string_equal(doc.data.malware[1].name, "Unix.Y");
	assert_int_equal(doc.data.malware[1].sha256s, 0);

	/* the CSV: quoting, CRLF, the total row */
	rq_strbuf csv = rq_strbuf_init(RQ_REPORT_MAX_FILE);
	FX_OK(rq_report_render(&doc, RQ_LANG_VI, RQ_FMT_CSV, &csv));
	assert_memory_equal(csv.p, "\xEF\xBB\xBFMã đơn vị,Tên đơn vị,", 3 + 26);
	assert_non_null(strstr(csv.p, "\r\nA,\"Sở A, \"\"Kế hoạch\"\"\",2,2,0,1,1,0,1,1,1,2,3,2,1,\r\n"));
	assert_non_null(strstr(csv.p, "\r\n,Tổng cộng,4,4,0,1,2,1,3,2,1,3,4,2,2,\r\n"));
	rq_strbuf_free(&csv);
	/* XLSX and PDF: the same document renders to the same bytes */
	for (int fmt = RQ_FMT_XLSX; fmt <= RQ_FMT_PDF; fmt++) {
		rq_strbuf one = rq_strbuf_init(RQ_REPORT_MAX_FILE), two = rq_strbuf_init(RQ_REPORT_MAX_FILE);
		FX_OK(rq_report_render(&doc, RQ_LANG_EN, (rq_report_format)fmt, &one));
		FX_OK(rq_report_render(&doc, RQ_LANG_EN, (rq_report_format)fmt, &two));
		assert_true(one.len > 1000);
		assert_int_equal(one.len, two.len);
		assert_memory_equal(one.p, two.p, one.len);
		assert_memory_equal(one.p, fmt == RQ_FMT_XLSX ? "PK" : "%PDF", fmt == RQ_FMT_XLSX ? 2 : 4);
		rq_strbuf_free(&one);
		rq_strbuf_free(&two);
	}
	rq_report_doc_free(&doc);
	free(text);
	json_decref(doc_json);

	/* a unit report: A and A1 only */
	FX_OK(rq_report_figures_make(f->s, RQ_REPORT_UNIT, a, FROM, TO, MADE, "x", &doc_json));
	text = json_dumps(doc_json, JSON_COMPACT);
	FX_OK(rq_report_doc_parse(text, &doc));
	assert_int_equal(doc.data.unit_count, 2);
	assert_string_equal(doc.scope_code, "A");
	assert_int_equal(doc.totals.machines, 3);
	assert_int_equal(doc.totals.detections, 3);
	assert_int_equal(doc.data.malware_count, 1);
	rq_report_doc_free(&doc);
	free(text);
	json_decref(doc_json);
	assert_int_equal(rq_report_figures_make(f->s, RQ_REPORT_UNIT, 4242, FROM, TO, MADE, "x", &doc_json),
			 RQ_ENOTFOUND);
}

static void declare(fx *f, int64_t unit, const char *host, const char *kind, const char *product, int64_t sig,
		    int64_t scan_at, int64_t found, int64_t cleaned, int64_t created)
{
	int64_t id;
	int is_new;
	rq_declared x = {.unit_id = unit, .hostname = host, .kind = kind, .product = product, .sig_updated = sig,
			 .last_scan = scan_at, .infections_found = found, .infections_cleaned = cleaned,
			 .updated_at = created};
	FX_OK(rq_store_declared_put(f->s, &x, &id, &is_new));
	assert_int_equal(is_new, 1);
}

/* Machines declared as protected by other products: in B's row by the
 * rules of docs/reports.md, their products listed, one superseded by B's
 * enrolled machine of the same name, one declared after the period; and a
 * document kept before the columns existed still reads. */
static void test_declared_machines(void **state)
{
	fx *f = *state;
	int64_t a, b = 0;
	json_t *doc_json = NULL;
	rq_report_doc doc;
	province(f, &a);
	FX_OK(rq_store_unit_by_code(f->s, "B", &b));
	declare(f, b, "ketoan-01", "workstation", "Kaspersky 11", TO - 2 * DAY, FROM + DAY, 3, 2, FROM);
	declare(f, b, "srv-mail", "server", "BKAV Pro", 0, 0, 0, 0, FROM);          /* nothing known */
	declare(f, b, "vanthu", "workstation", "Kaspersky 11", TO - 9 * DAY, FROM - 1, 5, 5, FROM);
	declare(f, b, "b1", "server", "Old AV", TO - DAY, FROM + DAY, 1, 0, FROM);  /* b1 runs raquet */
	declare(f, b, "late", "other", "BKAV Pro", TO - DAY, TO - DAY, 1, 0, TO);  /* declared after the end */
	FX_OK(rq_report_figures_make(f->s, RQ_REPORT_PROVINCE, 0, FROM, TO, MADE, "x", &doc_json));
	char *text = json_dumps(doc_json, JSON_COMPACT);
	FX_OK(rq_report_doc_parse(text, &doc));
	assert_string_equal(doc.data.units[1].code, "B");
	if (getenv("RQ_DEBUG_DOC"))
		fprintf(stderr, "%s\n", text);
	const int64_t want_b[] = {4, 1, 3, 1, 3, 0, 2, 1, 1, 2, 4, 2, 2};
	const int64_t want_total[] = {7, 4, 3, 2, 4, 1, 4, 3, 2, 4, 7, 4, 3};
	expect_counts(&doc.data.units[1].n, want_b, "B");
	expect_counts(&doc.totals, want_total, "totals");
	assert_int_equal(doc.data.units[1].product_count, 2);
	assert_string_equal(doc.data.units[1].products[0].name, "BKAV Pro");
	assert_int_equal(doc.data.units[1].products[0].machines, 1);
	assert_string_equal(doc.data.units[1].products[1].name, "Kaspersky 11");
	assert_int_equal(doc.data.units[1].products[1].machines, 2);
	assert_int_equal(doc.data.units[2].product_count, 0);
	rq_strbuf csv = rq_strbuf_init(RQ_REPORT_MAX_FILE);
	FX_OK(rq_report_render(&doc, RQ_LANG_EN, RQ_FMT_CSV, &csv));
	assert_non_null(strstr(csv.p, ",Protected by raquet,Protected by other products,"));
	assert_non_null(strstr(csv.p, "\r\nB,Huyện B,4,1,3,1,3,0,2,1,1,2,4,2,2,BKAV Pro (1); Kaspersky 11 (2)\r\n"));
	rq_strbuf_free(&csv);
	rq_report_doc_free(&doc);
	free(text);

	/* a document kept before machines could be declared */
	json_t *units = json_object_get(doc_json, "units"), *u;
	size_t i;
	json_array_foreach(units, i, u) {
		json_object_del(json_object_get(u, "figures"), "raquet");
		json_object_del(json_object_get(u, "figures"), "other_products");
		json_object_del(u, "products");
		json_object_set_new(json_object_get(u, "figures"), "machines", json_integer(i + 1));
	}
	text = json_dumps(doc_json, JSON_COMPACT);
	FX_OK(rq_report_doc_parse(text, &doc));
	assert_int_equal(doc.data.units[1].n.raquet, 2);
	assert_int_equal(doc.data.units[1].n.other_products, 0);
	assert_int_equal(doc.data.units[1].product_count, 0);
	rq_report_doc_free(&doc);
	free(text);
	json_decref(doc_json);
}

static void test_scheduled_once(void **state)
{
	fx *f = *state;
	int64_t a, id = 0, again = 0;
	province(f, &a);
	/* 15/03/2026 10:00 Vietnam time: the report of February */
	int64_t now, from, to;
	FX_OK(rq_report_parse_date("15/03/2026", 0, &now));
	FX_OK(rq_report_schedule_run(f->s, "monthly", "x", now + 36000, &id));
	assert_true(id > 0);
	assert_int_equal(rq_report_schedule_run(f->s, "monthly", "x", now + 36001, &again), 1);
	FX_OK(rq_report_parse_date("01/02/2026", 0, &from));
	FX_OK(rq_report_parse_date("28/02/2026", 1, &to));
	assert_int_equal(fx_int(f->s, "SELECT COUNT(*) FROM reports WHERE source = 'scheduled'"), 1);
	char sql[160];
	snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM reports WHERE period_from = %lld AND period_to = %lld",
		 (long long)from, (long long)to);
	assert_int_equal(fx_int(f->s, sql), 1);
	/* a manual report of the same period is another report */
	rq_report_rec rec = {.kind = "province", .from = from, .to = to, .lang = "en", .created_at = now,
			     .source = "manual", .figures = "{}"};
	FX_OK(rq_store_report_add(f->s, &rec, &again));
	assert_true(again > id);
}

static void test_dates_and_labels(void **state)
{
	(void)state;
	int64_t t, from, to;
	char buf[11];
	FX_OK(rq_report_parse_date("01/06/2026", 0, &t));
	assert_int_equal(t, 1780246800); /* 2026-06-01 00:00 +07:00 */
	rq_report_date(t, buf);
	assert_string_equal(buf, "01/06/2026");
	FX_OK(rq_report_parse_date("25/06/2026", 1, &t));
	rq_report_last_day(t, buf);
	assert_string_equal(buf, "25/06/2026");
	assert_int_equal(rq_report_parse_date("31/02/2026", 0, &t), RQ_EINVAL);
	assert_int_equal(rq_report_parse_date("1/6/2026", 0, &t), RQ_EINVAL);
	/* Wednesday 07/01/2026: the week of Monday 29/12/2025 */
	FX_OK(rq_report_parse_date("07/01/2026", 0, &t));
	FX_OK(rq_report_previous_period("weekly", t + 3600, &from, &to));
	rq_report_date(from, buf);
	assert_string_equal(buf, "29/12/2025");
	rq_report_last_day(to, buf);
	assert_string_equal(buf, "04/01/2026");
	FX_OK(rq_report_previous_period("monthly", t, &from, &to));
	rq_report_date(from, buf);
	assert_string_equal(buf, "01/12/2025");
	assert_int_equal(rq_report_previous_period("daily", t, &from, &to), RQ_EINVAL);
	for (int lang = 0; lang < RQ_LANG_COUNT; lang++)
		for (int l = 0; l < L_COUNT; l++)
			if (!*rq_label_text((rq_lang)lang, (rq_label)l))
				fail_msg("label %d of %s is empty", l, rq_lang_name((rq_lang)lang));
	rq_report_doc doc;
	assert_int_equal(rq_report_doc_parse("{\"format\": 2}", &doc), RQ_EPARSE);
	rq_report_doc_free(&doc);
	assert_int_equal(rq_report_doc_parse("not json", &doc), RQ_EPARSE);
	rq_report_doc_free(&doc);
}


/*
 * A campaign's report over the same province: the obligations of each
 * unit as the store holds them (B's training, A1's approved system with
 * its regulation, C's response plan and confirmed report; the sweep from
 * the machines: A's subtree has 4, 1 scanned in the period, 2 infected
 * now), made after the units' deadline (everything not done overdue),
 * kept in the document, read back, rendered; a plain report has none.
 */
#define CAMPAIGN_MADE 946944000LL /* 04/01/2000 00:00 UTC, after the deadline 03/01/2000 */

static void test_campaign_figures(void **state)
{
	fx *f = *state;
	int64_t a, cid = 0, sid = 0, b, c, a1;
	json_t *doc_json = NULL;
	rq_report_doc doc;
	province(f, &a);
	FX_OK(rq_store_unit_by_code(f->s, "B", &b));
	FX_OK(rq_store_unit_by_code(f->s, "C", &c));
	FX_OK(rq_store_unit_by_code(f->s, "A1", &a1));
	rq_campaign camp = {.name = "Rà quét, bóc gỡ mã độc \"2000\"", .from = FROM, .to = TO,
			    .unit_deadline = "2000-01-03", .unit_due_at = CAMPAIGN_MADE - 7 * 3600,
			    .dept_deadline = "2000-01-10", .dept_due_at = CAMPAIGN_MADE, .status = "active",
			    .created_at = FROM, .updated_at = FROM};
	FX_OK(rq_store_campaign_create(f->s, &camp, &cid));
	camp.id = cid;
	rq_campaign_item it = {.campaign_id = cid, .unit_id = b, .kind = "training", .status = "done",
			       .done_on = "1999-12-20", .number = "", .details = "{\"topic\":\"Thư giả mạo\",\"attendees\":25}",
			       .recorded_at = FROM};
	FX_OK(rq_store_campaign_item_put(f->s, &it));
	it = (rq_campaign_item){.campaign_id = cid, .unit_id = c, .kind = "response_plan", .status = "done",
				.done_on = "1999-12-21", .number = "9/PA", .details = "{}", .recorded_at = FROM};
	FX_OK(rq_store_campaign_item_put(f->s, &it));
	it.kind = "report";
	it.done_on = "2000-01-02";
	it.number = "";
	FX_OK(rq_store_campaign_item_put(f->s, &it));
	it = (rq_campaign_item){.campaign_id = cid, .unit_id = a, .kind = "response_plan", .status = "pending",
				.done_on = "", .number = "", .details = "{}", .recorded_at = FROM};
	FX_OK(rq_store_campaign_item_put(f->s, &it));
	rq_info_system sys = {.unit_id = a1, .name = "Cổng", .level = 2, .regulation_number = "1/QC",
			      .regulation_on = "1999-11-01", .created_at = FROM, .updated_at = FROM, .state = "approved",
			      .decision_number = "3/QĐ", .decision_on = "1999-11-02", .appraised_on = "1999-11-01"};
	FX_OK(rq_store_system_create(f->s, &sys, &sid));
	sys.id = sid;
	FX_OK(rq_store_system_set_state(f->s, &sys, "draft"));
	sys.name = "Thư điện tử";
	sys.level = 4;
	sys.regulation_number = "";
	FX_OK(rq_store_system_create(f->s, &sys, &sid)); /* A1's second, a new one in draft */
	rq_report_campaign_query q = rq_report_campaign_query_of(&camp);
	FX_OK(rq_report_figures_make_campaign(f->s, &q, CAMPAIGN_MADE, "Sở TT&TT", &doc_json));
	char *text = json_dumps(doc_json, JSON_COMPACT);
	assert_non_null(text);
	FX_OK(rq_report_doc_parse(text, &doc));
	assert_int_equal(doc.kind, RQ_REPORT_PROVINCE);
	assert_int_equal(doc.to, TO);
	const rq_report_campaign *k = doc.campaign;
	assert_non_null(k);
	assert_int_equal(k->id, cid);
	assert_string_equal(k->name, "Rà quét, bóc gỡ mã độc \"2000\"");
	assert_string_equal(k->unit_deadline, "2000-01-03");
	/* the report's unit order: P, B, A, A1, C */
	static const char *const order[] = {"P", "B", "A", "A1", "C"};
	/* endpoints, scanned, infected now (the subtree's) */
	static const int64_t sweep[][3] = {{5, 1, 3}, {1, 0, 1}, {4, 1, 2}, {2, 0, 1}, {0, 0, 0}};
	assert_int_equal(k->unit_count, 5);
	for (size_t i = 0; i < 5; i++) {
		const rq_report_obl *u = &k->units[i];
		assert_string_equal(u->code, order[i]);
		assert_int_equal(u->endpoints, sweep[i][0]);
		assert_int_equal(u->scanned, sweep[i][1]);
		assert_int_equal(u->infected, sweep[i][2]);
		assert_int_equal(u->mark[RQ_OBL_SWEEP], RQ_MARK_OVERDUE);
	}
	const rq_report_obl *ub = &k->units[1], *ua1 = &k->units[3], *uc = &k->units[4], *ua = &k->units[2];
	assert_int_equal(ub->mark[RQ_OBL_TRAINING], RQ_MARK_DONE);
	assert_string_equal(ub->training_on, "1999-12-20");
	assert_int_equal(ub->attendees, 25);
	assert_string_equal(ub->topic, "Thư giả mạo");
	assert_int_equal(ua->mark[RQ_OBL_TRAINING], RQ_MARK_OVERDUE);
	assert_int_equal(ua->mark[RQ_OBL_RESPONSE_PLAN], RQ_MARK_OVERDUE); /* recorded pending */
	assert_int_equal(ua1->systems, 2);
	assert_int_equal(ua1->by_state[RQ_DOSSIER_APPROVED], 1);
	assert_int_equal(ua1->by_state[RQ_DOSSIER_DRAFT], 1);
	assert_int_equal(ua1->by_level[1], 1);
	assert_int_equal(ua1->by_level[3], 1);
	assert_int_equal(ua1->regulated, 1);
	assert_int_equal(ua1->mark[RQ_OBL_SYSTEMS], RQ_MARK_OVERDUE);
	assert_int_equal(ua->systems, 0); /* A1's systems are A1's, not A's */
	assert_int_equal(uc->mark[RQ_OBL_RESPONSE_PLAN], RQ_MARK_DONE);
	assert_string_equal(uc->plan_number, "9/PA");
	assert_string_equal(uc->plan_on, "1999-12-21");
	assert_int_equal(uc->mark[RQ_OBL_REPORT], RQ_MARK_DONE);
	assert_string_equal(uc->report_on, "2000-01-02");
	assert_int_equal(uc->done, 2);
	static const int64_t done_units[RQ_OBL_COUNT] = {1, 0, 0, 1, 0, 1};
	assert_memory_equal(k->done_units, done_units, sizeof(done_units));
	assert_int_equal(k->complete, 0);
	assert_int_equal(k->overdue_units, 5);
	/* the files: the CSV's obligations columns; XLSX and PDF the same bytes twice */
	rq_strbuf csv = rq_strbuf_init(RQ_REPORT_MAX_FILE);
	FX_OK(rq_report_render(&doc, RQ_LANG_VI, RQ_FMT_CSV, &csv));
	assert_non_null(strstr(csv.p, "Tập huấn nâng cao nhận thức: Trạng thái"));
	assert_non_null(strstr(csv.p, "\r\nB,Huyện B,1,1,0,0,1,0,1,0,0,1,1,0,1,Đã hoàn thành,20/12/1999,25,Quá hạn,"));
	assert_non_null(strstr(csv.p, ",Tổng cộng,"));
	rq_strbuf_free(&csv);
	for (int fmt = RQ_FMT_XLSX; fmt <= RQ_FMT_PDF; fmt++) {
		rq_strbuf one = rq_strbuf_init(RQ_REPORT_MAX_FILE), two = rq_strbuf_init(RQ_REPORT_MAX_FILE);
		FX_OK(rq_report_render(&doc, RQ_LANG_VI, (rq_report_format)fmt, &one));
		FX_OK(rq_report_render(&doc, RQ_LANG_VI, (rq_report_format)fmt, &two));
		assert_true(one.len > 1000 && one.len == two.len);
		assert_memory_equal(one.p, two.p, one.len);
		rq_strbuf_free(&one);
		rq_strbuf_free(&two);
	}
	rq_report_doc_free(&doc);
	/* a broken obligations section is refused */
	json_object_set_new(json_object_get(doc_json, "campaign"), "units", json_string("x"));
	free(text);
	text = json_dumps(doc_json, JSON_COMPACT);
	assert_int_equal(rq_report_doc_parse(text, &doc), RQ_EPARSE);
	rq_report_doc_free(&doc);
	free(text);
	json_decref(doc_json);
	/* a plain provincial report has no obligations; before the campaign starts, no report */
	FX_OK(rq_report_figures_make(f->s, RQ_REPORT_PROVINCE, 0, FROM, TO, MADE, "x", &doc_json));
	text = json_dumps(doc_json, JSON_COMPACT);
	FX_OK(rq_report_doc_parse(text, &doc));
	assert_null(doc.campaign);
	rq_report_doc_free(&doc);
	free(text);
	json_decref(doc_json);
	assert_int_equal(rq_report_figures_make_campaign(f->s, &q, FROM, "x", &doc_json), RQ_EINVAL);
	assert_null(doc_json);
}

/* `sql` once per i in [0, n) with $1 = i, in one transaction. */
static void insert_each(fx *f, const char *sql, int64_t n)
{
	FX_OK(rq_store_begin(f->s));
	for (int64_t i = 0; i < n; i++)
		FX_OK(rq_store_run(f->s, NULL, sql, &i, 1));
	FX_OK(rq_store_commit(f->s));
}

/*
 * RQ_REPORT_BENCH=1: the provincial figures of 200 units (10 departments of
 * 19 sub-units), 20,000 machines, a month of 20,000 scans and 5,000
 * detections, timed (best of 3).
 */
static void test_report_bench(void **state)
{
	fx *f = *state;
	insert_each(f, "INSERT INTO units (parent_id, name, code, created_at, updated_at) VALUES"
		       " (NULL, 'Province', 'p' || CAST($1 AS TEXT), 0, 0)", 1);
	insert_each(f, "INSERT INTO units (parent_id, name, code, created_at, updated_at) VALUES"
		       " (CASE WHEN $1 < 10 THEN 1 ELSE 2 + ($1 % 10) END, 'Unit ' || CAST($1 AS TEXT),"
		       " 'u' || CAST($1 AS TEXT), 0, 0)", 199);
	insert_each(f, "INSERT INTO endpoints (unit_id, hostname, kind, created_at, last_seen, db_newest_build)"
		       " VALUES (2 + ($1 % 199), 'h' || CAST($1 AS TEXT), CASE WHEN $1 % 10 = 0 THEN 'server' ELSE"
		       " 'workstation' END, 0, 1000 * 86400 - ($1 % 14) * 86400, 1000 * 86400 - ($1 % 9) * 86400)", 20000);
	insert_each(f, "INSERT INTO scan_summaries (endpoint_id, event_uuid, kind, started_at, finished_at)"
		       " VALUES (1 + ($1 % 20000), 's' || CAST($1 AS TEXT), 'quick', 0, 970 * 86400 + $1 * 100)", 20000);
	insert_each(f, "INSERT INTO detections (endpoint_id, path, sha256, name, state, first_seen, last_seen)"
		       " VALUES (1 + ($1 * 7 % 20000), '/p' || CAST($1 AS TEXT), 'x', 'Name.' || CAST($1 % 50 AS TEXT),"
		       " CASE WHEN $1 % 3 = 0 THEN 'active' ELSE 'quarantined' END, 970 * 86400 + $1 * 300, 0)", 5000);
	double best = 1e9;
	for (int run = 0; run < 3; run++) {
		json_t *doc = NULL;
		struct timespec t0, t1;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		FX_OK(rq_report_figures_make(f->s, RQ_REPORT_PROVINCE, 0, 970 * DAY, TO, MADE, "x", &doc));
		clock_gettime(CLOCK_MONOTONIC, &t1);
		double ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
		best = ms < best ? ms : best;
		assert_int_equal(json_integer_value(json_object_get(json_object_get(doc, "totals"), "machines")), 20000);
		json_decref(doc);
	}
	fprintf(stderr, "# %s: provincial figures of 200 units, 20,000 machines: %.1f ms\n",
		f->pg ? "PostgreSQL" : "SQLite", best);
}

int main(void)
{
	struct CMUnitTest tests[] = {
		cmocka_unit_test(test_province_figures),
		cmocka_unit_test(test_campaign_figures),
		cmocka_unit_test(test_scheduled_once),
		cmocka_unit_test(test_declared_machines),
		cmocka_unit_test(test_dates_and_labels),
	};
	struct CMUnitTest bench[] = {
		cmocka_unit_test(test_report_bench),
	};
	int rc = getenv("RQ_REPORT_BENCH") ? RUN_BOTH("report bench", bench, 0) : RUN_BOTH("report figures", tests, 0);
	rq_report_render_cleanup();
	return rc;
}
