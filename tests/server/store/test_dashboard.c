/*
 * Tests of the dashboard's store pieces on both backends: the coverage
 * history (days accumulate, the last snapshot of a day wins, figures equal
 * rq_store_coverage's, old days pruned), samples (detections grouped by
 * file, counted within a subtree, filters, sorts, paging, per-unit
 * spread) and signature standing (endpoint_dbs kept by the triggers from
 * db_versions on enrollment and heartbeats; current / behind / unknown
 * per subtree; the endpoint list's outdated filter). With
 * RQ_DASHBOARD_BENCH=1 it times samples and standing on 100,000 endpoints
 * and 1,000,000 detections instead.
 */
#include "store_fixture.h"
#include "store/coverage_history.h"
#include "store/endpoints.h"
#include "store/events.h"
#include "store/fleet.h"
#include "store/samples.h"
#include "store/signatures.h"
#include "store/units.h"

#define DAY RQ_DAY_SECONDS
/* noon on a day of 2026, local time whatever TZ says, is never near a
 * date change */
static int64_t noon(void)
{
	struct tm tm = {.tm_year = 126, .tm_mon = 11, .tm_mday = 1, .tm_hour = 12, .tm_isdst = -1};
	return (int64_t)mktime(&tm);
}

typedef struct tree {
	int64_t p, a, a1, b;
} tree;

static void make_tree(fx *f, tree *t)
{
	FX_OK(rq_store_unit_create(f->s, &t->p, 0, "Province", "p", "", 1));
	FX_OK(rq_store_unit_create(f->s, &t->a, t->p, "Dept A", "a", "", 1));
	FX_OK(rq_store_unit_create(f->s, &t->a1, t->a, "Sub A1", "a1", "", 1));
	FX_OK(rq_store_unit_create(f->s, &t->b, t->p, "District B", "b", "", 1));
}

static int64_t endpoint(fx *f, int64_t unit, const char *host, const char *dbs, int64_t now)
{
	int64_t id;
	rq_endpoint_status st = {.hostname = host, .realtime = 1, .firewall = -1, .db_versions_json = dbs};
	FX_OK(rq_store_endpoint_create(f->s, &id, unit, &st, now));
	return id;
}

/* --- coverage history --- */

typedef struct days {
	int n;
	char day[8][RQ_DAY_TEXT];
	rq_coverage c[8];
} days;

static int keep_day(const char *day, const rq_coverage *c, void *payload)
{
	days *d = payload;
	if (d->n == 8)
		return 1;
	snprintf(d->day[d->n], RQ_DAY_TEXT, "%s", day);
	d->c[d->n++] = *c;
	return 0;
}

static void read_days(fx *f, int64_t unit, const char *from, days *d)
{
	memset(d, 0, sizeof(*d));
	FX_OK(rq_store_coverage_days(f->s, unit, from, keep_day, d));
}

static void same_snapshot(const rq_coverage *got, const rq_coverage *want)
{
	const int64_t g[10] = {got->endpoints, got->reporting, got->realtime_on, got->fresh_1d, got->fresh_3d,
			       got->fresh_7d,  got->fresh_15d, got->older_15d,	 got->sig_unknown, got->infected};
	const int64_t w[10] = {want->endpoints, want->reporting, want->realtime_on, want->fresh_1d, want->fresh_3d,
			       want->fresh_7d,	want->fresh_15d, want->older_15d,   want->sig_unknown, want->infected};
	for (int i = 0; i < 10; i++)
		if (g[i] != w[i])
			fail_msg("field %d: got %lld, want %lld", i, (long long)g[i], (long long)w[i]);
}

static int yes(void *p)
{
	(void)p;
	return 1;
}

static void test_history_days(void **state)
{
	fx *f = *state;
	tree t;
	days d;
	rq_coverage now_a, now_all;
	char d0[RQ_DAY_TEXT], d2[RQ_DAY_TEXT];
	int64_t t0 = noon(), units = 0;
	make_tree(f, &t);
	FX_OK(rq_coverage_day_of(t0, 0, d0));
	FX_OK(rq_coverage_day_of(t0, 2, d2));
	assert_string_equal(d0, "2026-12-01");
	assert_string_equal(d2, "2026-11-29");

	/* day 1: one endpoint in A1 */
	endpoint(f, t.a1, "h1", NULL, t0 - 2 * DAY);
	FX_OK(rq_store_coverage_record(f->s, t0 - 2 * DAY, 7 * DAY, NULL, NULL, &units));
	assert_int_equal(units, 5); /* the province and four units */
	/* day 2: nothing recorded; day 3: a second endpoint in B, recorded twice */
	endpoint(f, t.b, "h2", "{\"main\":{\"version\":3,\"built\":5}}", t0 - DAY);
	FX_OK(rq_store_coverage_record(f->s, t0 - 3600, 7 * DAY, NULL, NULL, NULL));
	endpoint(f, t.a, "h3", NULL, t0);
	FX_OK(rq_store_coverage_record(f->s, t0, 7 * DAY, NULL, NULL, NULL));

	read_days(f, 0, d2, &d);
	assert_int_equal(d.n, 2);
	assert_string_equal(d.day[0], d2);
	assert_string_equal(d.day[1], d0);
	assert_int_equal(d.c[0].endpoints, 1);
	assert_int_equal(d.c[1].endpoints, 3); /* the day's last snapshot */
	FX_OK(rq_store_coverage(f->s, 0, t0, 7 * DAY, &now_all));
	same_snapshot(&d.c[1], &now_all);

	read_days(f, t.a, d2, &d);
	assert_int_equal(d.n, 2);
	assert_int_equal(d.c[0].endpoints, 1);
	FX_OK(rq_store_coverage(f->s, t.a, t0, 7 * DAY, &now_a));
	same_snapshot(&d.c[1], &now_a);
	assert_int_equal(now_a.endpoints, 2);
	read_days(f, t.b, d0, &d); /* from today only */
	assert_int_equal(d.n, 1);
	assert_int_equal(d.c[0].endpoints, 1);
	assert_int_equal(d.c[0].reporting, 1);

	/* three years later the old days are gone, the new one is there */
	FX_OK(rq_store_coverage_record(f->s, t0 + (RQ_COVERAGE_HISTORY_DAYS + 1) * DAY, 7 * DAY, NULL, NULL, NULL));
	read_days(f, 0, "0000-00-00", &d);
	assert_int_equal(d.n, 1);
	assert_int_equal(fx_int(f->s, "SELECT COUNT(*) FROM coverage_daily"), 5);

	/* a stop asked ends the round */
	assert_int_equal(rq_store_coverage_record(f->s, t0, 7 * DAY, yes, NULL, NULL), RQ_ESTOPPED);
	assert_int_equal(rq_store_coverage_day_put(f->s, 0, "2026-1", &now_a, t0), RQ_EINVAL);
}

/* --- samples --- */

#define SHA_X "aaaa000000000000000000000000000000000000000000000000000000000001"
#define SHA_Y "bbbb000000000000000000000000000000000000000000000000000000000002"
#define SHA_Z "cccc000000000000000000000000000000000000000000000000000000000003"

static void detection(fx *f, int64_t ep, const char *uuid, const char *path, const char *sha, const char *name,
		      const char *state, int64_t at)
{
	rq_store_event ev;
	size_t added;
	memset(&ev, 0, sizeof(ev));
	ev.uuid = uuid;
	ev.kind = RQ_EVENT_DETECTION;
	ev.occurred_at = at;
	ev.file.path = path;
	ev.file.sha256 = sha;
	ev.file.name = name;
	ev.file.type = "hash";
	ev.file.state = state;
	FX_OK(rq_store_ingest_events(f->s, ep, &ev, 1, at, &added));
	assert_int_equal(added, 1);
}

typedef struct samples {
	int n;
	rq_sample_row r[8];
	char sha[8][65], name[8][32], type[8][32];
} samples;

static int keep_sample(const rq_sample_row *r, void *payload)
{
	samples *s = payload;
	if (s->n == 8)
		return 1;
	s->r[s->n] = *r;
	snprintf(s->sha[s->n], 65, "%s", r->sha256);
	snprintf(s->name[s->n], 32, "%s", r->name);
	snprintf(s->type[s->n], 32, "%s", r->type);
	s->n++;
	return 0;
}

static int64_t list(fx *f, const rq_sample_filter *flt, samples *out)
{
	int64_t total = -1;
	memset(out, 0, sizeof(*out));
	FX_OK(rq_store_samples(f->s, flt, &total, keep_sample, out));
	return total;
}

static void expect_row(const samples *s, int i, const char *sha, int64_t endpoints, int64_t units, int64_t dets,
		       int64_t active)
{
	assert_true(i < s->n);
	assert_string_equal(s->sha[i], sha);
	assert_int_equal(s->r[i].endpoints, endpoints);
	assert_int_equal(s->r[i].units, units);
	assert_int_equal(s->r[i].detections, dets);
	assert_int_equal(s->r[i].active, active);
}

typedef struct spread {
	int n;
	int64_t unit[4], endpoints[4], active[4];
} spread;

static int keep_unit(int64_t unit, const char *name, const char *code, int64_t endpoints, int64_t active,
		     void *payload)
{
	spread *s = payload;
	(void)name;
	(void)code;
	if (s->n == 4)
		return 1;
	s->unit[s->n] = unit;
	s->endpoints[s->n] = endpoints;
	s->active[s->n++] = active;
	return 0;
}

static void test_samples(void **state)
{
	fx *f = *state;
	tree t;
	samples s;
	spread sp;
	int64_t t0 = noon();
	make_tree(f, &t);
	int64_t e1 = endpoint(f, t.a, "e1", NULL, t0), e2 = endpoint(f, t.a1, "e2", NULL, t0);
	int64_t e3 = endpoint(f, t.b, "e3", NULL, t0), e4 = endpoint(f, t.b, "e4", NULL, t0);
	/* X: e1 (two paths), e2, e3 (cleaned); Y: e3, e4; Z: e2 only; plus one without a hash */
	detection(f, e1, "u1", "/x1", SHA_X, "Trojan.X", "active", t0 - 5 * DAY);
	detection(f, e1, "u2", "/x2", SHA_X, "Trojan.X", "active", t0 - 4 * DAY);
	detection(f, e2, "u3", "/x", SHA_X, "Trojan.X", "active", t0 - 3 * DAY);
	detection(f, e3, "u4", "/x", SHA_X, "Trojan.X", "quarantined", t0 - 2 * DAY);
	detection(f, e3, "u5", "/y", SHA_Y, "Worm.Y", "active", t0 - DAY);
	detection(f, e4, "u6", "/y", SHA_Y, "Worm.Y", "removed", t0 - DAY);
	detection(f, e2, "u7", "/z", SHA_Z, "Adware.Z", "active", t0 - 10);
	detection(f, e4, "u8", "/nohash", "", "Heur.Q", "active", t0);

	rq_sample_filter flt = {.limit = 50, .desc = 1};
	assert_int_equal(list(f, &flt, &s), 3);
	assert_int_equal(s.n, 3);
	expect_row(&s, 0, SHA_X, 3, 3, 4, 2);
	expect_row(&s, 1, SHA_Y, 2, 1, 2, 1);
	expect_row(&s, 2, SHA_Z, 1, 1, 1, 1);
	assert_string_equal(s.name[0], "Trojan.X");
	assert_string_equal(s.type[0], "hash");
	assert_int_equal(s.r[0].first_seen, t0 - 5 * DAY);
	assert_int_equal(s.r[0].last_seen, t0 - 2 * DAY);

	/* an officer of A sees A's subtree only */
	flt.unit_id = t.a;
	assert_int_equal(list(f, &flt, &s), 2);
	expect_row(&s, 0, SHA_X, 2, 2, 3, 2);
	expect_row(&s, 1, SHA_Z, 1, 1, 1, 1);
	flt.unit_id = t.b;
	assert_int_equal(list(f, &flt, &s), 2);
	expect_row(&s, 0, SHA_Y, 2, 1, 2, 1);
	expect_row(&s, 1, SHA_X, 1, 1, 1, 0);

	/* filters */
	flt.unit_id = 0;
	flt.state = "active";
	assert_int_equal(list(f, &flt, &s), 3);
	expect_row(&s, 0, SHA_X, 2, 2, 3, 2);
	flt.state = NULL;
	flt.name = "worm";
	assert_int_equal(list(f, &flt, &s), 1);
	expect_row(&s, 0, SHA_Y, 2, 1, 2, 1);
	flt.name = NULL;
	flt.since = t0 - DAY; /* last seen since */
	assert_int_equal(list(f, &flt, &s), 2);
	flt.since = 0;
	flt.until = t0 - 3 * DAY; /* first seen before */
	assert_int_equal(list(f, &flt, &s), 1);
	expect_row(&s, 0, SHA_X, 1, 1, 2, 1);
	flt.until = 0;

	/* sorts, both ways, and paging */
	flt.sort = RQ_SAMPLE_SORT_NAME;
	flt.desc = 0;
	list(f, &flt, &s);
	assert_string_equal(s.name[0], "Adware.Z");
	assert_string_equal(s.name[1], "Trojan.X");
	assert_string_equal(s.name[2], "Worm.Y");
	flt.sort = RQ_SAMPLE_SORT_LAST_SEEN;
	flt.desc = 1;
	list(f, &flt, &s);
	assert_string_equal(s.sha[0], SHA_Z);
	assert_string_equal(s.sha[1], SHA_Y);
	flt.sort = RQ_SAMPLE_SORT_UNITS;
	list(f, &flt, &s);
	assert_string_equal(s.sha[0], SHA_X);
	flt.sort = RQ_SAMPLE_SORT_DETECTIONS;
	flt.desc = 0;
	list(f, &flt, &s);
	assert_string_equal(s.sha[0], SHA_Z);
	flt.sort = RQ_SAMPLE_SORT_ENDPOINTS;
	flt.desc = 1;
	flt.limit = 1;
	flt.offset = 1;
	assert_int_equal(list(f, &flt, &s), 3);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.sha[0], SHA_Y);
	flt.offset = 10; /* past the end: no row, the total still counted */
	assert_int_equal(list(f, &flt, &s), 3);
	assert_int_equal(s.n, 0);
	flt.unit_id = t.p; /* the only top unit counts as the province */
	flt.offset = 0;
	flt.limit = 50;
	assert_int_equal(list(f, &flt, &s), 3);
	expect_row(&s, 0, SHA_X, 3, 3, 4, 2);
	flt.unit_id = 0;

	/* one file */
	memset(&s, 0, sizeof(s));
	FX_OK(rq_store_sample(f->s, SHA_X, 0, keep_sample, &s));
	expect_row(&s, 0, SHA_X, 3, 3, 4, 2);
	memset(&s, 0, sizeof(s));
	FX_OK(rq_store_sample(f->s, SHA_X, t.b, keep_sample, &s));
	expect_row(&s, 0, SHA_X, 1, 1, 1, 0);
	assert_int_equal(rq_store_sample(f->s, SHA_Y, t.a, keep_sample, &s), RQ_ENOTFOUND);
	memset(&sp, 0, sizeof(sp));
	FX_OK(rq_store_sample_units(f->s, SHA_X, 0, keep_unit, &sp));
	assert_int_equal(sp.n, 3);
	memset(&sp, 0, sizeof(sp));
	FX_OK(rq_store_sample_units(f->s, SHA_X, t.a, keep_unit, &sp));
	assert_int_equal(sp.n, 2);
	assert_true((sp.unit[0] == t.a && sp.unit[1] == t.a1) || (sp.unit[0] == t.a1 && sp.unit[1] == t.a));
	assert_int_equal(sp.endpoints[0] + sp.endpoints[1], 2);
	assert_int_equal(sp.active[0] + sp.active[1], 2);

	/* a hash as an agent may send it, not hex: listed, its name found */
	detection(f, e4, "u9", "/odd", "ab\"c\\\n'", "Odd.W", "active", t0);
	rq_sample_filter odd = {.name = "odd", .limit = 50, .desc = 1};
	assert_int_equal(list(f, &odd, &s), 1);
	assert_string_equal(s.sha[0], "ab\"c\\\n'");
	assert_string_equal(s.name[0], "Odd.W");
	assert_int_equal(s.r[0].units, 1);
}

/* --- signature standing --- */

static void heartbeat_dbs(fx *f, int64_t ep, const char *dbs, int64_t now)
{
	rq_endpoint_status st = {.realtime = -1, .firewall = -1, .db_versions_json = dbs};
	FX_OK(rq_store_endpoint_heartbeat(f->s, ep, &st, now));
}

static void expect_standing(fx *f, int64_t unit, const char *db, int64_t version, int64_t cur, int64_t behind,
			    int64_t unknown)
{
	rq_fleet_db d = {db, version};
	rq_db_standing st;
	int64_t n = 0;
	FX_OK(rq_store_signature_endpoints(f->s, unit, &n));
	FX_OK(rq_store_signature_standing(f->s, unit, &d, n, &st));
	if (st.current != cur || st.behind != behind || st.unknown != unknown)
		fail_msg("unit %lld %s >= %lld: %lld/%lld/%lld, want %lld/%lld/%lld", (long long)unit, db,
			 (long long)version, (long long)st.current, (long long)st.behind, (long long)st.unknown,
			 (long long)cur, (long long)behind, (long long)unknown);
}

static int count_endpoints(const rq_endpoint_row *r, void *payload)
{
	(void)r;
	(*(int *)payload)++;
	return 0;
}

static int64_t outdated(fx *f, int64_t unit, int mode, const rq_fleet_db *dbs, size_t n)
{
	rq_endpoint_filter flt = {.unit_id = unit, .infected = -1, .realtime = -1, .outdated = mode,
				  .outdated_dbs = dbs, .outdated_count = n, .limit = 50};
	int64_t total = -1;
	int rows = 0;
	FX_OK(rq_store_fleet_endpoints(f->s, &flt, &total, count_endpoints, &rows));
	assert_int_equal(rows, total);
	return total;
}

static void test_signatures(void **state)
{
	fx *f = *state;
	tree t;
	int64_t t0 = noon();
	make_tree(f, &t);
	int64_t e1 = endpoint(f, t.a, "e1", "{\"main\":{\"version\":7,\"built\":70},\"daily\":{\"version\":20}}", t0);
	endpoint(f, t.a1, "e2", "{\"main\":{\"version\":6,\"built\":60},\"daily\":{\"version\":21}}", t0);
	int64_t e3 = endpoint(f, t.b, "e3", "{\"main\":{\"version\":8}}", t0);
	endpoint(f, t.b, "e4", NULL, t0);
	/* not counted: a version that is not an integer, a database that is not an object, bad JSON */
	endpoint(f, t.b, "e5", "{\"main\":{\"version\":\"7\"},\"daily\":5}", t0);
	endpoint(f, t.b, "e6", "{not json", t0);
	assert_int_equal(fx_int(f->s, "SELECT COUNT(*) FROM endpoint_dbs"), 5);
	assert_int_equal(fx_int(f->s, "SELECT built FROM endpoint_dbs WHERE name = 'main' AND version = 6"), 60);

	expect_standing(f, 0, "main", 7, 2, 1, 3);
	expect_standing(f, 0, "daily", 21, 1, 1, 4);
	expect_standing(f, t.p, "main", 7, 2, 1, 3);
	expect_standing(f, t.a, "main", 7, 1, 1, 0);
	expect_standing(f, t.a1, "main", 7, 0, 1, 0);
	expect_standing(f, t.b, "main", 7, 1, 0, 3);
	expect_standing(f, t.b, "local", 1, 0, 0, 4);

	const rq_fleet_db both[] = {{"daily", 21}, {"main", 7}}, main_only[] = {{"main", 7}};
	assert_int_equal(outdated(f, 0, 1, both, 2), 2);      /* e1 (daily), e2 (main) */
	assert_int_equal(outdated(f, 0, 1, main_only, 1), 1); /* e2 */
	assert_int_equal(outdated(f, t.b, 1, both, 2), 0);
	assert_int_equal(outdated(f, 0, 2, both, 2), 4);
	assert_int_equal(outdated(f, 0, 1, both, 0), 0);

	/* a heartbeat with new versions moves e1 to current; one repeating
	 * them changes nothing; retiring an endpoint removes its rows */
	heartbeat_dbs(f, e1, "{\"main\":{\"version\":7,\"built\":70},\"daily\":{\"version\":21}}", t0 + 60);
	heartbeat_dbs(f, e1, "{\"main\":{\"version\":7,\"built\":70},\"daily\":{\"version\":21}}", t0 + 120);
	expect_standing(f, 0, "daily", 21, 2, 0, 4);
	assert_int_equal(outdated(f, 0, 1, both, 2), 1);
	heartbeat_dbs(f, e3, "{\"daily\":{\"version\":1}}", t0 + 60);
	expect_standing(f, t.b, "main", 7, 0, 0, 4);
	expect_standing(f, t.b, "daily", 21, 0, 1, 3);
	int64_t unit;
	FX_OK(rq_store_fleet_endpoint_retire(f->s, e3, t0 + 200, &unit));
	expect_standing(f, t.b, "daily", 21, 0, 0, 3);
	assert_int_equal(fx_int(f->s, "SELECT COUNT(*) FROM endpoint_dbs"), 4);
}

/* Endpoints reporting before schema 6 get their rows when it is applied:
 * version 6 is undone by hand, then migrated again. */
static void test_backfill(void **state)
{
	fx *f = *state;
	tree t;
	make_tree(f, &t);
	endpoint(f, t.a, "e1", "{\"main\":{\"version\":7,\"built\":70},\"daily\":{\"version\":20}}", 1);
	endpoint(f, t.b, "e2", "{\"main\":{\"version\":6}}", 1);
	endpoint(f, t.b, "e3", "{bad", 1);
	FX_OK(rq_store_exec(f->s, f->pg ? "DROP FUNCTION endpoint_dbs_sync CASCADE; DROP FUNCTION endpoint_dbs_json"
					: "DROP TRIGGER endpoint_dbs_insert; DROP TRIGGER endpoint_dbs_update"));
	FX_OK(rq_store_exec(f->s, "DROP TABLE endpoint_dbs; DROP TABLE coverage_daily; DROP INDEX detections_sample;"
				  " CREATE INDEX detections_sha256 ON detections(sha256);"
				  " DELETE FROM schema_migrations WHERE version = 6"));
	FX_OK(rq_store_migrate(f->s));
	assert_int_equal(fx_int(f->s, "SELECT COUNT(*) FROM endpoint_dbs"), 3);
	expect_standing(f, 0, "main", 7, 1, 1, 1);
	expect_standing(f, t.a, "daily", 20, 1, 0, 0);
}

/* --- timing on a province-sized store (RQ_DASHBOARD_BENCH=1) --- */

#define BENCH_SUBUNITS 200
#define BENCH_ENDPOINTS 100000
#define BENCH_DETECTIONS 1000000
#define BENCH_FILES 20000

static int ignore_sample(const rq_sample_row *r, void *payload)
{
	(void)r;
	(void)payload;
	return 0;
}

static double samples_ms(fx *f, int64_t unit, rq_sample_sort sort)
{
	double best = 1e9;
	for (int i = 0; i < 3; i++) {
		rq_sample_filter flt = {.unit_id = unit, .sort = sort, .desc = 1, .limit = 50};
		int64_t total;
		double t0 = fx_ms_now();
		FX_OK(rq_store_samples(f->s, &flt, &total, ignore_sample, NULL));
		double t = fx_ms_now() - t0;
		best = t < best ? t : best;
	}
	return best;
}

static double standing_ms(fx *f, int64_t unit)
{
	double best = 1e9;
	for (int i = 0; i < 3; i++) {
		rq_fleet_db dbs[] = {{"main", 60}, {"daily", 1500}};
		rq_db_standing st;
		int64_t n;
		double t0 = fx_ms_now();
		FX_OK(rq_store_signature_endpoints(f->s, unit, &n));
		for (int k = 0; k < 2; k++)
			FX_OK(rq_store_signature_standing(f->s, unit, &dbs[k], n, &st));
		double t = fx_ms_now() - t0;
		best = t < best ? t : best;
	}
	return best;
}

/* ms per heartbeat over `n` heartbeats of the first endpoints, reporting
 * new database versions each time (`change`) or the ones they have. */
static double heartbeat_ms(fx *f, int64_t first_ep, int n, int change)
{
	char dbs[128];
	double t0 = fx_ms_now();
	for (int i = 0; i < n; i++) {
		snprintf(dbs, sizeof(dbs), "{\"main\":{\"version\":%d,\"built\":1},\"daily\":{\"version\":%d}}",
			 change ? 100 + i : 50 + (i + 1) % 20, change ? 2000 + i : 1400 + (i + 1) % 200);
		rq_endpoint_status st = {.realtime = -1, .firewall = -1, .db_versions_json = dbs};
		FX_OK(rq_store_endpoint_heartbeat(f->s, first_ep + i, &st, 1000 + i));
	}
	return (fx_ms_now() - t0) / n;
}

static void test_dashboard_bench(void **state)
{
	fx *f = *state;
	int64_t root = 0, first_sub = 0, first_ep;
	double t0 = fx_ms_now();
	fx_bench_units(f, BENCH_SUBUNITS, &root, &first_sub);
	FX_OK(rq_store_begin(f->s));
	/* main versions 50..69, daily 1400..1599: the triggers fill endpoint_dbs */
	int64_t p[] = {BENCH_ENDPOINTS, BENCH_SUBUNITS};
	FX_OK(rq_store_run(f->s, NULL,
			   "INSERT INTO endpoints (unit_id, hostname, created_at, last_seen, db_versions)"
			   " WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $1)"
			   " SELECT (SELECT MIN(id) FROM units WHERE code = 's0') + i % $2, 'h', 0, 0,"
			   " '{\"main\":{\"version\":' || CAST(50 + i % 20 AS TEXT) || ',\"built\":1},"
			   "\"daily\":{\"version\":' || CAST(1400 + i % 200 AS TEXT) || '}}' FROM n",
			   p, 2));
	first_ep = fx_int(f->s, "SELECT MIN(id) FROM endpoints");
	/* 1,000,000 detections of 20,000 files; a file on ~50 endpoints */
	int64_t d[] = {BENCH_DETECTIONS, BENCH_ENDPOINTS, first_ep, BENCH_FILES};
	FX_OK(rq_store_run(f->s, NULL,
			   "INSERT INTO detections (endpoint_id, path, sha256, name, state, first_seen, last_seen)"
			   " WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $1)"
			   " SELECT $3 + (CAST(i AS BIGINT) * 7919) % $2, CAST(i AS TEXT),"
			   " 'ffff' || CAST(1000000 + i % $4 AS TEXT) || '0000000000000000000000000000000000000000000000000000',"
			   " 'X', CASE WHEN i % 10 < 3 THEN 'active' ELSE 'quarantined' END, i, i + 10 FROM n",
			   d, 4));
	FX_OK(rq_store_commit(f->s));
	FX_OK(rq_store_exec(f->s, f->pg ? "VACUUM ANALYZE" : "ANALYZE"));
	fprintf(stderr, "# dashboard bench (%s): %d endpoints, %d detections of %d files built in %.1f s\n",
		f->pg ? "postgresql" : "sqlite", BENCH_ENDPOINTS, BENCH_DETECTIONS, BENCH_FILES,
		(fx_ms_now() - t0) / 1e3);
	fprintf(stderr, "# samples, province: by endpoints %.1f ms, by units %.1f ms, by name %.1f ms\n",
		samples_ms(f, 0, RQ_SAMPLE_SORT_ENDPOINTS), samples_ms(f, 0, RQ_SAMPLE_SORT_UNITS),
		samples_ms(f, 0, RQ_SAMPLE_SORT_NAME));
	fprintf(stderr, "# samples, one unit (500 endpoints): by endpoints %.1f ms\n",
		samples_ms(f, first_sub, RQ_SAMPLE_SORT_ENDPOINTS));
	fprintf(stderr, "# signatures (2 databases): province %.1f ms, root unit %.1f ms, one unit %.1f ms\n",
		standing_ms(f, 0), standing_ms(f, root), standing_ms(f, first_sub));
	/* what endpoint_dbs' triggers cost a heartbeat (autocommit, one at a time) */
	double same = heartbeat_ms(f, first_ep, 2000, 0), changed = heartbeat_ms(f, first_ep + 2000, 2000, 1);
	FX_OK(rq_store_exec(f->s, f->pg ? "DROP FUNCTION endpoint_dbs_sync CASCADE"
					: "DROP TRIGGER endpoint_dbs_insert; DROP TRIGGER endpoint_dbs_update"));
	fprintf(stderr, "# heartbeat: versions unchanged %.3f ms, changed %.3f ms; without the triggers %.3f / %.3f ms\n",
		same, changed, heartbeat_ms(f, first_ep + 4000, 2000, 0), heartbeat_ms(f, first_ep + 6000, 2000, 1));
}

int main(void)
{
	struct CMUnitTest tests[] = {
		cmocka_unit_test(test_history_days),
		cmocka_unit_test(test_samples),
		cmocka_unit_test(test_signatures),
		cmocka_unit_test(test_backfill),
	};
	struct CMUnitTest bench[] = {
		cmocka_unit_test(test_dashboard_bench),
	};
	if (getenv("RQ_DASHBOARD_BENCH"))
		return RUN_BOTH("dashboard bench", bench, 0);
	return RUN_BOTH("dashboard", tests, 0);
}
