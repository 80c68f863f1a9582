/*
 * The sweep figures of every unit at once (store/sweep.c) and the
 * campaign obligations built on them (campaign/obligations.c), on SQLite
 * and PostgreSQL: on varied data -- a tree of units, endpoints infected or
 * not, scans spread over two months, periods ending after every scan, a
 * little before (a few later endpoints probed) and long before (counted
 * from the rows) -- each unit's subtree sums equal what the per-unit
 * coverage query answers (rq_store_coverage_period, the path the progress
 * view took before, and its from-the-rows variant), and the obligations
 * worked out for all units equal those worked out unit by unit. With
 * RQ_SWEEP_BENCH=1 it times the progress view's store work for 331 units,
 * 100,000 endpoints and 1,000,000 detections, old path and new.
 */
#include <string.h>

#include "store_fixture.h"
#include "campaign/obligations.h"
#include "store/campaigns.h"
#include "store/coverage.h"
#include "store/sweep.h"
#include "store/systems.h"
#include "store/units.h"

#define DAY 86400LL
#define T0 1780000000LL /* the data's first day */
#define NOW (T0 + 61 * DAY)
#define WINDOW (7 * DAY)
#define ENDPOINTS 3000
#define SCANS 6000

typedef struct tree {
	int64_t ids[8];
	size_t n;
} tree;

static int64_t unit(fx *f, tree *t, const char *code, int64_t parent)
{
	int64_t id = 0;
	FX_OK(rq_store_unit_create(f->s, &id, parent, code, code, "", 1000));
	t->ids[t->n++] = id;
	return id;
}

/* P > A > A1 > A1a, A > A2, P > B, P > C, P > D (D: no endpoints). The
 * endpoints are dealt to the first seven units in turn (P has its own). */
static void build(fx *f, tree *t)
{
	memset(t, 0, sizeof(*t));
	int64_t p = unit(f, t, "P", 0), a = unit(f, t, "A", p), a1 = unit(f, t, "A1", a);
	unit(f, t, "A1a", a1);
	unit(f, t, "A2", a);
	unit(f, t, "B", p);
	unit(f, t, "C", p);
	unit(f, t, "D", p);
	FX_OK(rq_store_begin(f->s));
	int64_t e[] = {ENDPOINTS, p};
	FX_OK(rq_store_run(f->s, NULL,
			   "INSERT INTO endpoints (unit_id, hostname, created_at, last_seen, active_detections)"
			   " WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $1)"
			   " SELECT $2 + i % 7, 'h', 0, 0, CASE WHEN i % 11 = 0 THEN 2 ELSE 0 END FROM n",
			   e, 2));
	int64_t first = fx_int(f->s, "SELECT MIN(id) FROM endpoints");
	/* scans over 60 days; an endpoint of every 5 never scanned */
	int64_t sc[] = {SCANS, ENDPOINTS, first, T0, DAY};
	FX_OK(rq_store_run(f->s, NULL,
			   "INSERT INTO scan_summaries (endpoint_id, event_uuid, kind, started_at, finished_at)"
			   " WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $1)"
			   " SELECT $3 + (i * 37) % $2, CAST(i AS TEXT), CASE WHEN i % 3 = 0 THEN 'full' ELSE 'quick' END,"
			   " $4 + (i * 7919) % (60 * $5) - 60, $4 + (i * 7919) % (60 * $5) FROM n"
			   " WHERE (i * 37) % $2 % 5 <> 4",
			   sc, 5));
	/* a scan that never finished counts for no period */
	int64_t u[] = {first, T0 + 30 * DAY};
	FX_OK(rq_store_run(f->s, NULL,
			   "INSERT INTO scan_summaries (endpoint_id, event_uuid, kind, started_at) VALUES ($1, 'x', 'full', $2)",
			   u, 2));
	FX_OK(rq_store_coverage_backfill(f->s));
	FX_OK(rq_store_commit(f->s));
}

/* The subtree of `root` in `t` (by walking parents in the store). */
static int64_t subtree_sum(fx *f, const rq_unit_sweep *v, size_t n, int64_t root, int field)
{
	int64_t sum = 0;
	for (size_t i = 0; i < n; i++) {
		int yes = 0;
		FX_OK(rq_store_unit_within(f->s, v[i].unit_id, root, &yes));
		if (yes)
			sum += field == 0 ? v[i].endpoints : field == 1 ? v[i].scanned : v[i].infected;
	}
	return sum;
}

static void compare(fx *f, const tree *t, int64_t from, int64_t to)
{
	rq_unit_sweep *v = NULL;
	size_t n = 0;
	FX_OK(rq_store_sweep_units(f->s, from, to, &v, &n));
	for (size_t i = 0; i < t->n; i++) {
		rq_coverage c, r;
		FX_OK(rq_store_coverage_period(f->s, t->ids[i], NOW, WINDOW, from, to, &c));
		FX_OK(rq_store_coverage_period_from_rows(f->s, t->ids[i], NOW, WINDOW, from, to, &r));
		assert_int_equal(c.scanned, r.scanned);
		assert_int_equal(subtree_sum(f, v, n, t->ids[i], 0), c.endpoints);
		assert_int_equal(subtree_sum(f, v, n, t->ids[i], 1), c.scanned);
		assert_int_equal(subtree_sum(f, v, n, t->ids[i], 2), c.infected);
	}
	free(v);
}

static void test_sweep_matches_coverage(void **state)
{
	fx *f = *state;
	tree t;
	build(f, &t);
	/* ending after every scan: nothing later to probe */
	compare(f, &t, T0 + 10 * DAY, NOW);
	/* ending a day before the last scans: a few later endpoints, probed */
	int64_t late = fx_int(f->s, "SELECT COUNT(*) FROM endpoint_coverage WHERE last_scan >= 1785097600");
	assert_true(late > 0 && late <= 1000); /* T0 + 59 days */
	compare(f, &t, T0 + 10 * DAY, T0 + 59 * DAY);
	/* ending long before: most endpoints later, counted from the rows */
	assert_true(fx_int(f->s, "SELECT COUNT(*) FROM endpoint_coverage WHERE last_scan >= 1781728000") > 1000);
	compare(f, &t, T0 + 5 * DAY, T0 + 20 * DAY);
	/* an empty period: the endpoints, no scans */
	compare(f, &t, T0 + 5 * DAY, T0 + 5 * DAY);
	/* the figures are not all zero (the comparison could fail) */
	rq_unit_sweep *v = NULL;
	size_t n = 0;
	FX_OK(rq_store_sweep_units(f->s, T0 + 10 * DAY, NOW, &v, &n));
	assert_int_equal(n, 7);
	int64_t scanned = subtree_sum(f, v, n, t.ids[0], 1);
	assert_true(scanned > ENDPOINTS / 2 && scanned < ENDPOINTS);
	assert_int_equal(subtree_sum(f, v, n, t.ids[0], 2), ENDPOINTS / 11);
	assert_null(rq_sweep_find(v, n, t.ids[7]));
	free(v);
}

/* Every figure and state of two results for unit `id`. */
static void same_unit(const rq_obl_unit *a, const rq_obl_unit *b)
{
	assert_int_equal(a->id, b->id);
	assert_string_equal(a->code, b->code);
	assert_int_equal(a->endpoints, b->endpoints);
	assert_int_equal(a->scanned, b->scanned);
	assert_int_equal(a->infected, b->infected);
	assert_int_equal(a->systems, b->systems);
	assert_int_equal(a->regulated, b->regulated);
	assert_memory_equal(a->by_state, b->by_state, sizeof(a->by_state));
	assert_memory_equal(a->by_level, b->by_level, sizeof(a->by_level));
	assert_int_equal(a->training.present, b->training.present);
	assert_string_equal(a->training.status, b->training.status);
	assert_int_equal(a->done_count, b->done_count);
	for (int k = 0; k < RQ_OBL_COUNT; k++) {
		assert_int_equal(a->done[k], b->done[k]);
		assert_int_equal(a->state[k], b->state[k]);
	}
}

static void test_obligations_all_equal_one_by_one(void **state)
{
	fx *f = *state;
	tree t;
	build(f, &t);
	/* the campaign: items and systems for some units */
	rq_campaign c = {.name = "Rà quét 2026", .from = T0 + 10 * DAY, .to = T0 + 90 * DAY,
			 .unit_deadline = "2026-08-16", .unit_due_at = T0 + 80 * DAY, .dept_deadline = "2026-08-21",
			 .dept_due_at = T0 + 85 * DAY, .status = "active", .created_at = T0, .updated_at = T0};
	int64_t cid = 0, sid = 0;
	FX_OK(rq_store_campaign_create(f->s, &c, &cid));
	rq_campaign_item it = {.campaign_id = cid, .unit_id = t.ids[1], .kind = "training", .status = "done",
			       .done_on = "2026-06-01", .number = "", .details = "{\"topic\":\"x\",\"attendees\":9}",
			       .recorded_at = T0};
	FX_OK(rq_store_campaign_item_put(f->s, &it));
	it.unit_id = t.ids[5];
	it.kind = "response_plan";
	it.number = "5/PA";
	FX_OK(rq_store_campaign_item_put(f->s, &it));
	rq_info_system sys = {.unit_id = t.ids[1], .name = "S1", .level = 3, .regulation_number = "1/QC",
			      .regulation_on = "2026-05-01", .created_at = T0, .updated_at = T0};
	FX_OK(rq_store_system_create(f->s, &sys, &sid));
	sys.name = "S2";
	sys.regulation_number = "";
	sys.level = 1;
	FX_OK(rq_store_system_create(f->s, &sys, &sid));
	for (int64_t at = NOW; at <= T0 + 82 * DAY; at += 21 * DAY) { /* before and after the deadline */
		rq_obligations all;
		rq_obl_query q = {.campaign_id = cid, .from = c.from, .to = c.to, .unit_deadline = c.unit_deadline,
				  .now = at, .risk_days = 7};
		FX_OK(rq_obligations_compute(f->s, &q, &all));
		assert_int_equal(all.count, t.n);
		for (size_t i = 0; i < t.n; i++) {
			rq_obligations one;
			q.unit_id = t.ids[i];
			FX_OK(rq_obligations_compute(f->s, &q, &one));
			assert_int_equal(one.count, 1);
			same_unit(rq_obligations_find(&all, t.ids[i]), &one.units[0]);
			rq_obligations_free(&one);
		}
		q.unit_id = 0;
		/* a subtree (the campaign of A) gives the same rows for its units */
		rq_obligations sub;
		q.root = t.ids[1];
		FX_OK(rq_obligations_compute(f->s, &q, &sub));
		assert_int_equal(sub.count, 4);
		for (size_t i = 0; i < sub.count; i++)
			same_unit(rq_obligations_find(&all, sub.units[i].id), &sub.units[i]);
		const rq_obl_unit *a = rq_obligations_find(&all, t.ids[1]);
		assert_int_equal(a->systems, 2);
		assert_int_equal(a->regulated, 1);
		assert_int_equal(a->by_level[0] + a->by_level[2], 2);
		assert_true(a->done[RQ_OBL_TRAINING]);
		assert_int_equal(a->state[RQ_OBL_REPORT], at > T0 + 81 * DAY ? RQ_ITEM_OVERDUE : RQ_ITEM_PENDING);
		rq_obligations_free(&sub);
		rq_obligations_free(&all);
	}
}

/* --- timing (RQ_SWEEP_BENCH=1): the progress view's store work --- */

#define BENCH_SUBUNITS 300 /* with the root and 30 departments: 331 units */
#define BENCH_ENDPOINTS 100000
#define BENCH_DETECTIONS 1000000
#define BENCH_SCANS 300000

typedef struct ids {
	int64_t *v;
	size_t n;
} ids;

static int take_id(const rq_unit *u, void *payload)
{
	ids *l = payload;
	l->v[l->n++] = u->id;
	return 0;
}

static void test_sweep_bench(void **state)
{
	fx *f = *state;
	int64_t root = 0, first_sub = 0, first_ep, total = 0, cid = 0;
	double t0 = fx_ms_now();
	fx_bench_units(f, BENCH_SUBUNITS, &root, &first_sub);
	fx_bench_fleet(f, BENCH_SUBUNITS, BENCH_ENDPOINTS, BENCH_DETECTIONS, BENCH_SCANS, NOW, &first_ep);
	rq_campaign c = {.name = "bench", .from = NOW - 30 * DAY, .to = NOW + 30 * DAY, .unit_deadline = "2026-07-20",
			 .unit_due_at = NOW, .dept_deadline = "2026-07-25", .dept_due_at = NOW, .status = "active",
			 .created_at = NOW, .updated_at = NOW};
	FX_OK(rq_store_campaign_create(f->s, &c, &cid));
	ids units = {calloc(400, sizeof(int64_t)), 0};
	assert_non_null(units.v);
	FX_OK(rq_store_unit_list(f->s, 0, 1000000, 0, &total, take_id, &units));
	assert_int_equal(units.n, 331);
	fprintf(stderr, "# sweep bench (%s): %zu units, %d endpoints, %d detections, %d scans built in %.1f s\n",
		f->pg ? "postgresql" : "sqlite", units.n, BENCH_ENDPOINTS, BENCH_DETECTIONS, BENCH_SCANS,
		(fx_ms_now() - t0) / 1e3);
	double old_best = 1e9, new_best = 1e9;
	for (int run = 0; run < 3; run++) {
		/* before: one coverage query per unit (what the progress view ran) */
		double t = fx_ms_now();
		int64_t old_scanned = 0;
		for (size_t i = 0; i < units.n; i++) {
			rq_coverage cov;
			FX_OK(rq_store_coverage_period(f->s, units.v[i], NOW, WINDOW, c.from, NOW, &cov));
			old_scanned += units.v[i] == root ? cov.scanned : 0;
		}
		t = fx_ms_now() - t;
		old_best = t < old_best ? t : old_best;
		/* now: the whole obligations of every unit, the sweep grouped */
		rq_obligations o;
		rq_obl_query q = {.campaign_id = cid, .from = c.from, .to = c.to, .unit_deadline = c.unit_deadline,
				  .now = NOW, .risk_days = 7};
		t = fx_ms_now();
		FX_OK(rq_obligations_compute(f->s, &q, &o));
		t = fx_ms_now() - t;
		new_best = t < new_best ? t : new_best;
		assert_int_equal(o.count, 331);
		assert_int_equal(rq_obligations_find(&o, root)->scanned, old_scanned);
		rq_obligations_free(&o);
	}
	fprintf(stderr, "# progress of 331 units, best of 3: one coverage query per unit %.1f ms;"
			" grouped (the obligations of all units) %.1f ms\n",
		old_best, new_best);
	free(units.v);
}

int main(void)
{
	struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sweep_matches_coverage),
		cmocka_unit_test(test_obligations_all_equal_one_by_one),
	};
	struct CMUnitTest bench[] = {
		cmocka_unit_test(test_sweep_bench),
	};
	if (getenv("RQ_SWEEP_BENCH"))
		return RUN_BOTH("sweep bench", bench, 0);
	return RUN_BOTH("sweep", tests, 0);
}
