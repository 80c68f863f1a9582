/*
 * Tests of the coverage summary on both backends against numbers computed
 * by hand for a small province: four units, eight endpoints on both sides
 * of every boundary (reporting window, 1/3/7/15-day signature age),
 * active and cleaned detections; then the period figures (scans and
 * detections on both edges of [from, to)). With RQ_COVERAGE_BENCH=1 it
 * also times the summaries on 100,000 endpoints and 1,000,000 detections.
 * Machines declared as protected by other products count by the rules of
 * coverage.h, until an agent of the same unit has their hostname.
 */
#include "store_fixture.h"
#include "store/coverage.h"
#include "store/declared.h"
#include "store/endpoints.h"
#include "store/events.h"
#include "store/units.h"

#include <time.h>

#define NOW (100 * (int64_t)RQ_DAY_SECONDS)
#define WINDOW 3600
#define DAY RQ_DAY_SECONDS

static int64_t endpoint(fx *f, int64_t unit, const char *host, int64_t last_seen, int realtime, int64_t built)
{
	int64_t id;
	rq_endpoint_status st = {.hostname = host, .realtime = realtime, .firewall = -1, .db_newest_build = built};
	FX_OK(rq_store_endpoint_create(f->s, &id, unit, &st, last_seen));
	return id;
}

/* One event of `kind` on a file, occurring at `at`, ingested alone. */
static void file_event_kind(fx *f, int64_t ep, rq_event_kind kind, const char *uuid, const char *path,
			    const char *state, int64_t at)
{
	rq_store_event ev;
	size_t added;
	memset(&ev, 0, sizeof(ev));
	ev.uuid = uuid;
	ev.kind = kind;
	ev.occurred_at = at;
	ev.file.path = path;
	ev.file.name = "Eicar";
	ev.file.state = state;
	FX_OK(rq_store_ingest_events(f->s, ep, &ev, 1, NOW, &added));
	assert_int_equal(added, 1);
}

static void detection(fx *f, int64_t ep, const char *uuid, const char *path, const char *state)
{
	file_event_kind(f, ep, RQ_EVENT_DETECTION, uuid, path, state, NOW - 50);
}

static void expect(fx *f, int64_t unit, const int64_t want[10])
{
	rq_coverage c;
	FX_OK(rq_store_coverage(f->s, unit, NOW, WINDOW, &c));
	const int64_t got[10] = {c.endpoints, c.reporting, c.realtime_on, c.fresh_1d, c.fresh_3d,
				 c.fresh_7d,  c.fresh_15d, c.older_15d,   c.sig_unknown, c.infected};
	for (int i = 0; i < 10; i++)
		if (got[i] != want[i])
			fail_msg("unit %lld, field %d: got %lld, want %lld", (long long)unit, i, (long long)got[i],
				 (long long)want[i]);
}

static void test_coverage_numbers(void **state)
{
	fx *f = *state;
	int64_t p, a, a1, b;
	FX_OK(rq_store_unit_create(f->s, &p, 0, "Province", "p", "", 1));
	FX_OK(rq_store_unit_create(f->s, &a, p, "Dept A", "a", "", 1));
	FX_OK(rq_store_unit_create(f->s, &a1, a, "Sub A1", "a1", "", 1));
	FX_OK(rq_store_unit_create(f->s, &b, p, "District B", "b", "", 1));

	/* unit A */
	endpoint(f, a, "e1", NOW - 10, 1, NOW - DAY / 2);         /* reporting, rt, fresh 1d */
	endpoint(f, a, "e2", NOW - 7200, 1, NOW - 2 * DAY);       /* silent, fresh 3d */
	endpoint(f, a, "e3", NOW - 100, 0, NOW - DAY);            /* reporting, rt off, exactly 1 day */
	/* unit A1 */
	int64_t e4 = endpoint(f, a1, "e4", NOW - 1, 1, NOW - 5 * DAY);      /* fresh 7d, infected */
	int64_t e5 = endpoint(f, a1, "e5", NOW - WINDOW, 1, NOW - 15 * DAY); /* window edge, exactly 15 days */
	/* unit B */
	int64_t e6 = endpoint(f, b, "e6", NOW - 20 * DAY, 1, NOW - 16 * DAY); /* silent, old, infected */
	endpoint(f, b, "e7", NOW - 30 * DAY, 0, 0);                           /* no database reported */
	int64_t e8 = endpoint(f, b, "e8", NOW - 5, 1, NOW - 15 * DAY - 1);    /* one second too old, infected twice */

	detection(f, e4, "d1", "/a", "active");
	detection(f, e5, "d2", "/b", "quarantined");
	detection(f, e5, "d3", "/c", "removed");
	detection(f, e6, "d4", "/d", "active");
	detection(f, e8, "d5", "/e", "active");
	detection(f, e8, "d6", "/f", "active");

	/*                          known rep  rt  1d  3d  7d 15d old unk inf */
	const int64_t want_p[10] = {8, 5, 4, 2, 3, 4, 5, 2, 1, 3};
	const int64_t want_a[10] = {5, 4, 3, 2, 3, 4, 5, 0, 0, 1};
	const int64_t want_a1[10] = {2, 2, 2, 0, 0, 1, 2, 0, 0, 1};
	const int64_t want_b[10] = {3, 1, 1, 0, 0, 0, 0, 2, 1, 2};
	const int64_t want_none[10] = {0};
	expect(f, p, want_p);
	expect(f, a, want_a);
	expect(f, a1, want_a1);
	expect(f, b, want_b);
	expect(f, 4242, want_none);

	/* a heartbeat brings e2 back and refreshes its signatures */
	rq_endpoint_status hb = {.realtime = -1, .firewall = -1, .db_newest_build = NOW - 60};
	int64_t e2 = fx_int(f->s, "SELECT id FROM endpoints WHERE hostname = 'e2'");
	FX_OK(rq_store_endpoint_heartbeat(f->s, e2, &hb, NOW - 30));
	const int64_t want_a2[10] = {5, 5, 4, 3, 3, 4, 5, 0, 0, 1};
	expect(f, a, want_a2);
	/* cleaning e4's file clears A1's infection */
	file_event_kind(f, e4, RQ_EVENT_ACTION, "d1-quarantine", "/a", "quarantined", NOW - 40);
	const int64_t want_a1b[10] = {2, 2, 2, 0, 0, 1, 2, 0, 0, 0};
	expect(f, a1, want_a1b);

	/* the only top unit is counted as the whole store; with a second one it is not */
	rq_coverage c;
	FX_OK(rq_store_coverage_period(f->s, p, NOW, WINDOW, NOW - 30 * DAY, NOW, &c));
	assert_int_equal(c.endpoints, 8);
	assert_int_equal(c.files_found, 6);
	int64_t o;
	FX_OK(rq_store_unit_create(f->s, &o, 0, "Other", "o", "", 1));
	int64_t e9 = endpoint(f, o, "e9", NOW - 10, 1, NOW - DAY / 2);
	detection(f, e9, "d7", "/g", "active");
	FX_OK(rq_store_coverage_period(f->s, p, NOW, WINDOW, NOW - 30 * DAY, NOW, &c));
	assert_int_equal(c.endpoints, 8);
	assert_int_equal(c.files_found, 6);
	FX_OK(rq_store_coverage(f->s, p, NOW, WINDOW, &c));
	assert_int_equal(c.endpoints, 8);
	FX_OK(rq_store_coverage_period(f->s, 0, NOW, WINDOW, NOW - 30 * DAY, NOW, &c));
	assert_int_equal(c.endpoints, 9);
	assert_int_equal(c.files_found, 7);
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
	FX_OK(rq_store_ingest_events(f->s, ep, &ev, 1, NOW, &added));
	assert_int_equal(added, 1);
}

static void file_event(fx *f, int64_t ep, const char *uuid, const char *path, const char *state, int64_t at)
{
	file_event_kind(f, ep, RQ_EVENT_DETECTION, uuid, path, state, at);
}

/*
 * scanned, full_scanned, infected_period, files_found, files_cleaned,
 * files_active: as rq_store_coverage_period answers (from
 * endpoint_coverage when it can) and as counted from the period's rows.
 */
static void expect_period(fx *f, int64_t unit, int64_t from, int64_t to, const int64_t want[6])
{
	for (int rows = 0; rows < 2; rows++) {
		rq_coverage c;
		FX_OK(rows ? rq_store_coverage_period_from_rows(f->s, unit, NOW, WINDOW, from, to, &c)
			   : rq_store_coverage_period(f->s, unit, NOW, WINDOW, from, to, &c));
		const int64_t got[6] = {c.scanned,     c.full_scanned,  c.infected_period,
					c.files_found, c.files_cleaned, c.files_active};
		for (int i = 0; i < 6; i++)
			if (got[i] != want[i])
				fail_msg("unit %lld, [%lld, %lld) %s, period field %d: got %lld, want %lld",
					 (long long)unit, (long long)from, (long long)to, rows ? "from the rows" : "",
					 i, (long long)got[i], (long long)want[i]);
	}
}

static void test_coverage_period(void **state)
{
	fx *f = *state;
	int64_t p, a, b, q;
	const int64_t from = NOW - 30 * DAY, to = NOW - DAY;
	FX_OK(rq_store_unit_create(f->s, &p, 0, "Province", "p", "", 1));
	FX_OK(rq_store_unit_create(f->s, &a, p, "Dept A", "a", "", 1));
	FX_OK(rq_store_unit_create(f->s, &b, p, "District B", "b", "", 1));
	FX_OK(rq_store_unit_create(f->s, &q, 0, "Second top unit", "q", "", 1));
	int64_t e1 = endpoint(f, a, "e1", NOW - 10, 1, NOW - DAY / 2);
	int64_t e2 = endpoint(f, a, "e2", NOW - 10, 0, NOW - 2 * DAY);
	int64_t e3 = endpoint(f, b, "e3", NOW - 9 * DAY, 1, NOW - 20 * DAY);
	int64_t e4 = endpoint(f, q, "e4", NOW - 10, 1, 0);

	scan(f, e1, "s1", "full", from + DAY);       /* full, in */
	scan(f, e1, "s2", "quick", from + 2 * DAY);  /* second scan of e1: counted once */
	scan(f, e2, "s3", "quick", from);            /* on the start edge: in */
	scan(f, e3, "s4", "full", from - 1);         /* one second before: out */
	scan(f, e3, "s5", "scheduled", to);          /* on the end edge: out */
	scan(f, e4, "s6", "scheduled", to - 1);      /* scheduled counts as full, other top unit */

	file_event(f, e1, "d1", "/a", "active", from + 5);
	file_event(f, e1, "d2", "/b", "quarantined", from + 6);
	file_event(f, e2, "d3", "/c", "removed", from);
	file_event(f, e3, "d4", "/d", "active", from - 1);
	file_event(f, e3, "d5", "/e", "ignored", to - 1);
	file_event(f, e4, "d6", "/f", "active", to);
	/* seen again inside the period: first_seen stays before it */
	file_event(f, e3, "d4-again", "/d", "active", from + DAY);

	/*                       scanned full inf found cleaned active */
	const int64_t want_all[6] = {3, 2, 3, 4, 2, 1};
	const int64_t want_p[6] = {2, 1, 3, 4, 2, 1};
	const int64_t want_a[6] = {2, 1, 2, 3, 2, 1};
	const int64_t want_b[6] = {0, 0, 1, 1, 0, 0};
	const int64_t want_none[6] = {0};
	expect_period(f, 0, from, to, want_all);
	expect_period(f, p, from, to, want_p);
	expect_period(f, a, from, to, want_a);
	expect_period(f, b, from, to, want_b);
	expect_period(f, 4242, from, to, want_none);
	expect_period(f, 0, from, from, want_none); /* empty period */

	/* the snapshot figures come along: province = both top units */
	rq_coverage c, cp, cq;
	FX_OK(rq_store_coverage_period(f->s, 0, NOW, WINDOW, from, to, &c));
	FX_OK(rq_store_coverage(f->s, p, NOW, WINDOW, &cp));
	FX_OK(rq_store_coverage(f->s, q, NOW, WINDOW, &cq));
	assert_int_equal(c.endpoints, 4);
	assert_int_equal(c.endpoints, cp.endpoints + cq.endpoints);
	assert_int_equal(c.reporting, cp.reporting + cq.reporting);
	assert_int_equal(c.realtime_on, 2);
	assert_int_equal(c.fresh_1d, 1);
	assert_int_equal(c.fresh_3d, 2);
	assert_int_equal(c.older_15d, 1);
	assert_int_equal(c.sig_unknown, 1);
	assert_int_equal(c.infected, 3); /* e1, e3, e4 have an active detection */
	FX_OK(rq_store_coverage_period(f->s, a, NOW, WINDOW, from, to, &c));
	assert_int_equal(c.endpoints, 2);
	assert_int_equal(c.infected, 1);

	/* cleaning d1 moves it from active to cleaned, still found in the period */
	file_event_kind(f, e1, RQ_EVENT_ACTION, "d1-removed", "/a", "removed", NOW - 10);
	const int64_t want_a2[6] = {2, 1, 2, 3, 3, 0};
	expect_period(f, a, from, to, want_a2);

	/* bad arguments */
	assert_int_equal(rq_store_coverage_period(f->s, -1, NOW, WINDOW, from, to, &c), RQ_EINVAL);
	assert_int_equal(rq_store_coverage_period(f->s, 0, NOW, WINDOW, to, from, &c), RQ_EINVAL);
}

/*
 * The rows of endpoint_coverage the period figures read (last_scan,
 * last_scan_full, last_detection), as ingestion keeps them: a detection
 * seen again keeps its first_seen, one whose older event arrives late
 * moves back, times ahead of the period (a clock ahead) are probed.
 */
static void test_coverage_period_columns(void **state)
{
	fx *f = *state;
	int64_t p, a, b, q;
	const int64_t from = NOW - 30 * DAY, past = from - 30 * DAY;
	FX_OK(rq_store_unit_create(f->s, &p, 0, "Province", "p", "", 1));
	FX_OK(rq_store_unit_create(f->s, &a, p, "Dept A", "a", "", 1));
	FX_OK(rq_store_unit_create(f->s, &b, p, "District B", "b", "", 1));
	FX_OK(rq_store_unit_create(f->s, &q, 0, "Second top unit", "q", "", 1));
	int64_t e1 = endpoint(f, a, "e1", NOW - 10, 1, NOW - DAY);
	int64_t e2 = endpoint(f, a, "e2", NOW - 10, 1, NOW - DAY);
	int64_t e3 = endpoint(f, b, "e3", NOW - 10, 1, NOW - DAY);
	int64_t e4 = endpoint(f, b, "e4", NOW - 10, 1, NOW - DAY);
	int64_t e5 = endpoint(f, q, "e5", NOW - 10, 1, NOW - DAY);
	int64_t e6 = endpoint(f, a, "e6", NOW - 10, 1, NOW - DAY);

	scan(f, e1, "s1", "full", from + DAY);
	scan(f, e1, "s2", "quick", from + 2 * DAY);
	file_event(f, e1, "d1", "/a", "active", from + 5);
	file_event(f, e1, "d1b", "/a2", "quarantined", from + 6);
	/* a quick scan in the period, a full one from a clock ten days ahead */
	scan(f, e2, "s3", "quick", from + 3 * DAY);
	scan(f, e2, "s4", "full", NOW + 10 * DAY);
	file_event(f, e2, "d2", "/b", "active", NOW + 5 * DAY);
	/* before the period only; the file seen again (and removed) in it */
	scan(f, e3, "s5", "scheduled", from - 1);
	file_event(f, e3, "d3", "/c", "quarantined", from - 10);
	file_event_kind(f, e3, RQ_EVENT_ACTION, "d3-removed", "/c", "removed", from + 3 * DAY);
	/* first reported in the period, then its older event arrives */
	file_event(f, e4, "d4-late", "/d", "active", from + 5 * DAY);
	file_event(f, e4, "d4-early", "/d", "active", from - 5 * DAY);
	/* a scheduled scan and a detection on the last second, a quick scan ahead */
	scan(f, e5, "s6", "scheduled", NOW - 1);
	scan(f, e5, "s7", "quick", NOW + DAY);
	file_event(f, e5, "d5", "/e", "ignored", NOW - 1);
	/* a scan ahead only */
	scan(f, e6, "s8", "full", NOW + 2 * DAY);

	/* the columns: the newest time of each, first_seen moving back */
	char sql[128];
	const int64_t want_cols[][4] = {
		{e1, from + 2 * DAY, from + DAY, from + 6}, {e2, NOW + 10 * DAY, NOW + 10 * DAY, NOW + 5 * DAY},
		{e3, from - 1, from - 1, from - 10},	    {e4, 0, 0, from - 5 * DAY},
		{e5, NOW + DAY, NOW - 1, NOW - 1},	    {e6, NOW + 2 * DAY, NOW + 2 * DAY, 0},
	};
	for (size_t i = 0; i < sizeof(want_cols) / sizeof(want_cols[0]); i++) {
		const char *col[] = {"last_scan", "last_scan_full", "last_detection"};
		for (int k = 0; k < 3; k++) {
			snprintf(sql, sizeof(sql),
				 "SELECT COALESCE(MAX(%s), 0) FROM endpoint_coverage WHERE endpoint_id = %lld", col[k],
				 (long long)want_cols[i][0]);
			if (fx_int(f->s, sql) != want_cols[i][k + 1])
				fail_msg("endpoint %zu, %s: got %lld, want %lld", i + 1, col[k],
					 (long long)fx_int(f->s, sql), (long long)want_cols[i][k + 1]);
		}
	}

	/*                          scanned full inf found cleaned active */
	const int64_t now_all[6] = {3, 2, 2, 3, 1, 1};
	const int64_t now_p[6] = {2, 1, 1, 2, 1, 1};
	const int64_t now_q[6] = {1, 1, 1, 1, 0, 0};
	const int64_t past_b[6] = {1, 1, 2, 2, 1, 1};
	const int64_t none[6] = {0};
	for (int backfilled = 0; backfilled < 2; backfilled++) {
		expect_period(f, 0, from, NOW, now_all);
		expect_period(f, p, from, NOW, now_p);
		expect_period(f, a, from, NOW, now_p);
		expect_period(f, b, from, NOW, none);
		expect_period(f, q, from, NOW, now_q);
		expect_period(f, 0, past, from, past_b);
		expect_period(f, p, past, from, past_b);
		expect_period(f, a, past, from, none);
		expect_period(f, b, past, from, past_b);
		expect_period(f, q, past, from, none);
		/* an installation upgraded to schema 5: the columns from the rows */
		FX_OK(rq_store_exec(f->s, "DELETE FROM endpoint_coverage"));
		FX_OK(rq_store_coverage_backfill(f->s));
	}
}

static void declare(fx *f, int64_t unit, const char *host, int64_t sig, int64_t scan_at, int64_t found,
		    int64_t cleaned)
{
	int64_t id;
	int created;
	rq_declared x = {.unit_id = unit, .hostname = host, .kind = "workstation", .product = "Other AV",
			 .sig_updated = sig, .last_scan = scan_at, .infections_found = found,
			 .infections_cleaned = cleaned, .updated_at = NOW};
	FX_OK(rq_store_declared_put(f->s, &x, &id, &created));
}

/* The figures of `unit` over [from, to), both ways (they must agree). */
static void both_ways(fx *f, int64_t unit, int64_t from, int64_t to, rq_coverage *out)
{
	rq_coverage rows;
	FX_OK(rq_store_coverage_period(f->s, unit, NOW, WINDOW, from, to, out));
	FX_OK(rq_store_coverage_period_from_rows(f->s, unit, NOW, WINDOW, from, to, &rows));
	assert_memory_equal(out, &rows, sizeof(rows));
}

static void test_coverage_declared(void **state)
{
	fx *f = *state;
	int64_t p, a, b;
	rq_coverage c;
	FX_OK(rq_store_unit_create(f->s, &p, 0, "Province", "p", "", 1));
	FX_OK(rq_store_unit_create(f->s, &a, p, "Dept A", "a", "", 1));
	FX_OK(rq_store_unit_create(f->s, &b, p, "District B", "b", "", 1));
	int64_t web = endpoint(f, a, "web01", NOW - 10, 1, NOW - DAY / 2); /* reporting, rt, fresh 1d */
	scan(f, web, "s-web", "quick", NOW - DAY);
	declare(f, a, "web01", NOW - 10, NOW - DAY, 9, 0);     /* web01 runs raquet: not counted */
	declare(f, a, "kt-01", NOW - 10, NOW - 2 * DAY, 0, 0); /* protected, fresh 1d, scanned */
	declare(f, a, "kt-02", NOW - 5 * DAY, 0, 0, 0);        /* fresh 7d, not protected, never scanned */
	declare(f, a, "kt-03", 0, NOW - 40 * DAY, 3, 3);       /* signatures unknown; scanned before the period */
	declare(f, b, "srv", NOW - 20 * DAY, NOW - DAY, 2, 1); /* old signatures, infected, scanned */

	both_ways(f, p, NOW - 30 * DAY, NOW, &c);
	/*                        known rep rt 1d 3d 7d 15d old unk inf */
	const int64_t snap[10] = {5, 2, 1, 2, 2, 3, 3, 1, 1, 1};
	const int64_t got[10] = {c.endpoints, c.reporting, c.realtime_on, c.fresh_1d, c.fresh_3d,
				 c.fresh_7d,  c.fresh_15d, c.older_15d,   c.sig_unknown, c.infected};
	for (int i = 0; i < 10; i++)
		if (got[i] != snap[i])
			fail_msg("field %d: got %lld, want %lld", i, (long long)got[i], (long long)snap[i]);
	assert_int_equal(c.declared, 4);
	assert_int_equal(c.declared_protected, 1);
	assert_int_equal(c.scanned, 3);          /* web01's agent, kt-01, srv */
	assert_int_equal(c.full_scanned, 0);     /* declarations never say */
	assert_int_equal(c.infected_period, 1);  /* srv */
	assert_int_equal(c.files_found, 2);
	assert_int_equal(c.files_cleaned, 1);
	assert_int_equal(c.files_active, 1);
	both_ways(f, b, NOW - 30 * DAY, NOW, &c);
	assert_int_equal(c.endpoints, 1);
	assert_int_equal(c.older_15d, 1);
	/* the snapshot alone counts no period */
	FX_OK(rq_store_coverage(f->s, a, NOW, WINDOW, &c));
	assert_int_equal(c.endpoints, 4);
	assert_int_equal(c.scanned, 0);
	assert_int_equal(c.files_found, 0);

	/* kt-01 enrolls an agent in B: another unit's machine, still declared in A */
	endpoint(f, b, "kt-01", NOW - 10, 1, NOW - 60);
	both_ways(f, a, NOW - 30 * DAY, NOW, &c);
	assert_int_equal(c.endpoints, 4);
	assert_int_equal(c.declared, 3);
	/* its agent in A, hostname as the system gives it: the agent supersedes */
	endpoint(f, a, "KT-01", NOW - 10, 1, NOW - 60);
	both_ways(f, a, NOW - 30 * DAY, NOW, &c);
	assert_int_equal(c.endpoints, 4);  /* web01, KT-01, kt-02, kt-03 */
	assert_int_equal(c.declared, 2);
	assert_int_equal(c.declared_protected, 0);
	assert_int_equal(c.reporting, 2);
	assert_int_equal(c.scanned, 1);    /* web01's agent */
	assert_int_equal(rq_store_declared_count(f->s, a, &c.endpoints), 0);
	assert_int_equal(c.endpoints, 4);  /* the declaration is kept, only not counted */
}

/* --- timing on a province-sized store (RQ_COVERAGE_BENCH=1) --- */

#define BENCH_SUBUNITS 200
#define BENCH_ENDPOINTS 100000
#define BENCH_DETECTIONS 1000000
#define BENCH_SCANS 300000
#define BENCH_DECLARED 2000

/* Best of five runs of one summary, in ms: the snapshot only (from ==
 * to; an empty period for unit 0), or with the figures of [from, to). */
static double best_ms(fx *f, int64_t unit, int64_t from, int64_t to)
{
	double best = 1e9;
	rq_coverage c;
	for (int i = 0; i < 5; i++) {
		double t0 = fx_ms_now();
		if (from < to || unit == 0)
			FX_OK(rq_store_coverage_period(f->s, unit, NOW, WINDOW, from, to, &c));
		else
			FX_OK(rq_store_coverage(f->s, unit, NOW, WINDOW, &c));
		double t = fx_ms_now() - t0;
		best = t < best ? t : best;
	}
	return best;
}

/* The timings of the province, its top unit, a department and one unit:
 * snapshot, then the last 30 days. */
static void bench_print(fx *f, int64_t root, int64_t dept, int64_t one)
{
	const int64_t from = NOW - 30 * DAY;
	fprintf(stderr, "# province (unit 0): snapshot %.1f ms, with a 30-day period %.1f ms\n",
		best_ms(f, 0, NOW, NOW), best_ms(f, 0, from, NOW));
	fprintf(stderr, "# province root unit: snapshot %.1f ms, with a 30-day period %.1f ms\n",
		best_ms(f, root, NOW, NOW), best_ms(f, root, from, NOW));
	fprintf(stderr, "# a department (10 units, 5,000 endpoints): snapshot %.1f ms, with a 30-day period %.1f ms\n",
		best_ms(f, dept, NOW, NOW), best_ms(f, dept, from, NOW));
	fprintf(stderr, "# one unit (500 endpoints): snapshot %.1f ms, with a 30-day period %.1f ms\n",
		best_ms(f, one, NOW, NOW), best_ms(f, one, from, NOW));
}

#define BENCH_AHEAD 500

static void test_coverage_bench(void **state)
{
	fx *f = *state;
	int64_t root = 0, first_dept, first_sub = 0, first_ep;
	double t0 = fx_ms_now();
	fx_bench_units(f, BENCH_SUBUNITS, &root, &first_sub);
	first_dept = fx_int(f->s, "SELECT parent_id FROM units WHERE code = 's0'");
	fx_bench_fleet(f, BENCH_SUBUNITS, BENCH_ENDPOINTS, BENCH_DETECTIONS, BENCH_SCANS, NOW, &first_ep);
	/* 2,000 declared machines, 10 per unit; in 199 units one of them has
	 * the hostname of the unit's agents (superseded): the probes' cost */
	int64_t dm[] = {BENCH_DECLARED, BENCH_SUBUNITS, NOW, DAY};
	FX_OK(rq_store_run(f->s, NULL,
			   "INSERT INTO declared_machines (unit_id, hostname, kind, product, sig_updated, last_scan,"
			   " infections_found, infections_cleaned, created_at, updated_at)"
			   " WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $1)"
			   " SELECT (SELECT MIN(id) FROM units WHERE code = 's0') + i % $2,"
			   " CASE WHEN i < $2 THEN 'h' ELSE 'd' || CAST(i AS TEXT) END, 'workstation', 'Other AV',"
			   " $3 - (i * 13) % (20 * $4), $3 - (i * 7) % (40 * $4), i % 3, i % 2, 0, 0 FROM n",
			   dm, 4));
	FX_OK(rq_store_exec(f->s, f->pg ? "VACUUM ANALYZE" : "ANALYZE"));
	fprintf(stderr, "# coverage bench (%s): %d endpoints, %d detections, %d scans, %d declared machines"
		" built in %.1f s\n", f->pg ? "postgresql" : "sqlite", BENCH_ENDPOINTS, BENCH_DETECTIONS, BENCH_SCANS,
		BENCH_DECLARED, (fx_ms_now() - t0) / 1e3);
	bench_print(f, root, first_dept, first_sub);
	fprintf(stderr, "# province, a 30-day period ending 30 days ago (from the rows): %.1f ms\n",
		best_ms(f, 0, NOW - 60 * DAY, NOW - 30 * DAY));
	/* endpoints whose clock is a day ahead report a scan and a detection
	 * after `now` (through ingestion): the period figures then probe them */
	for (int i = 0; i < BENCH_AHEAD; i++) {
		char uuid[2][40], path[32];
		rq_store_event ev[2];
		size_t added;
		snprintf(uuid[0], sizeof(uuid[0]), "ahead-scan-%d", i);
		snprintf(uuid[1], sizeof(uuid[1]), "ahead-det-%d", i);
		snprintf(path, sizeof(path), "/ahead/%d", i);
		memset(ev, 0, sizeof(ev));
		ev[0] = (rq_store_event){.uuid = uuid[0], .kind = RQ_EVENT_SCAN, .occurred_at = NOW + DAY,
					 .scan = {.kind = "full", .started_at = NOW + DAY - 600, .finished_at = NOW + DAY}};
		ev[1] = (rq_store_event){.uuid = uuid[1], .kind = RQ_EVENT_DETECTION, .occurred_at = NOW + DAY,
					 .file = {.path = path, .name = "X", .state = "active"}};
		/* spread over the units: ids are dealt to the 200 units in turn */
		FX_OK(rq_store_ingest_events(f->s, first_ep + i * (BENCH_ENDPOINTS / BENCH_AHEAD - 1), ev, 2, NOW,
					     &added));
	}
	FX_OK(rq_store_exec(f->s, f->pg ? "VACUUM ANALYZE" : "ANALYZE"));
	fprintf(stderr, "# with %d endpoints whose clock is a day ahead:\n", BENCH_AHEAD);
	bench_print(f, root, first_dept, first_sub);
}

int main(void)
{
	struct CMUnitTest tests[] = {
		cmocka_unit_test(test_coverage_numbers),
		cmocka_unit_test(test_coverage_period),
		cmocka_unit_test(test_coverage_period_columns),
		cmocka_unit_test(test_coverage_declared),
	};
	struct CMUnitTest bench[] = {
		cmocka_unit_test(test_coverage_bench),
	};
	if (getenv("RQ_COVERAGE_BENCH"))
		return RUN_BOTH("coverage bench", bench, 0);
	return RUN_BOTH("coverage", tests, 0);
}
