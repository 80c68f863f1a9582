/*
 * Every unit's sweep figures in a few grouped queries (sweep.h). The
 * endpoints and those infected now: on SQLite two range counts per unit
 * of endpoints_unit_infected (unit_id, active_detections), which touch no
 * row; on PostgreSQL, where such per-unit counts become bitmap heap scans,
 * one pass over the endpoints grouped by unit (coverage.c measured both).
 * The scanned endpoints as coverage.c counts a subtree's: from
 * endpoint_coverage, those whose newest scan is at or after `from` less
 * those at or after `to`, plus those later ones with a scan in the period
 * (probed each); when more than SWEEP_MAX_LATE are later (a period ending
 * in the past), from the period's scans grouped by endpoint instead.
 */
#include "store/sweep.h"

#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "store/coverage.h"

/* Later endpoints probed one by one at most (coverage.c's COVERAGE_MAX_LATE). */
#define SWEEP_MAX_LATE 1000

#define PER_UNIT(table, cond) " (SELECT COUNT(*) FROM " table " WHERE t.unit_id = u.id" cond ")"

/* [PostgreSQL]: unit, endpoints, infected now; by unit id */
static const char *const endpoints_sql[2] = {
	"SELECT u.id," PER_UNIT("endpoints t", "") "," PER_UNIT("endpoints t", " AND t.active_detections > 0")
	" FROM units u ORDER BY u.id",
	"SELECT unit_id, COUNT(*), COUNT(*) FILTER (WHERE active_detections > 0) FROM endpoints"
	" GROUP BY unit_id ORDER BY unit_id",
};

/* [PostgreSQL]: unit, newest scan at or after $1, at or after $2 */
static const char *const newest_sql[2] = {
	"SELECT u.id," PER_UNIT("endpoint_coverage t", " AND t.last_scan >= $1") ","
	PER_UNIT("endpoint_coverage t", " AND t.last_scan >= $2") " FROM units u",
	"SELECT unit_id, COUNT(*) FILTER (WHERE last_scan >= $1), COUNT(*) FILTER (WHERE last_scan >= $2)"
	" FROM endpoint_coverage GROUP BY unit_id",
};

/* unit, later endpoints with a scan in [$1, $2) (few: a probe each) */
static const char late_sql[] =
	"SELECT u.id," PER_UNIT("endpoint_coverage t", " AND t.last_scan >= $2 AND EXISTS (SELECT 1 FROM scan_summaries x"
	" WHERE x.endpoint_id = t.endpoint_id AND x.finished_at >= $1 AND x.finished_at < $2)") ", 0 FROM units u";

/* unit, endpoints with a scan in [$1, $2), from the period's rows */
static const char rows_sql[] =
	"SELECT e.unit_id, COUNT(*), 0 FROM (SELECT DISTINCT endpoint_id FROM scan_summaries"
	" WHERE finished_at >= $1 AND finished_at < $2) x JOIN endpoints e ON e.id = x.endpoint_id GROUP BY e.unit_id";

static int by_unit(const void *a, const void *b)
{
	int64_t x = ((const rq_unit_sweep *)a)->unit_id, y = ((const rq_unit_sweep *)b)->unit_id;
	return x < y ? -1 : x > y;
}

const rq_unit_sweep *rq_sweep_find(const rq_unit_sweep *v, size_t count, int64_t unit_id)
{
	rq_unit_sweep key = {.unit_id = unit_id};
	return v && count ? bsearch(&key, v, count, sizeof(*v), by_unit) : NULL;
}

typedef struct sweep_acc {
	rq_unit_sweep *v;
	size_t n, cap;
} sweep_acc;

/*
 * Run `sql` ($1, $2 the period when nparams is 2): rows of (unit, a, b).
 * mode 0 appends (unit, endpoints, infected); mode 1 adds a - b to the
 * unit's scanned and b to *late; mode 2 adds a to scanned.
 */
static int each_unit(rq_store *s, const char *sql, const int64_t *params, int nparams, int mode, sweep_acc *acc,
		     int64_t *late)
{
	rq_stmt *st = NULL;
	int rc = rq_store_prepare(s, &st, sql);
	for (int i = 0; rc == 0 && i < nparams; i++)
		rc = rq_stmt_bind_int64(st, i + 1, params[i]);
	while (rc == 0 && (rc = rq_stmt_step(st)) == RQ_STORE_ROW) {
		int64_t unit = rq_stmt_column_int64(st, 0), a = rq_stmt_column_int64(st, 1),
			b = rq_stmt_column_int64(st, 2);
		rc = 0;
		if (mode == 0) {
			if (a == 0)
				continue;
			if (acc->n == acc->cap) {
				size_t ncap = acc->cap ? acc->cap * 2 : 256;
				rq_unit_sweep *nv = realloc(acc->v, ncap * sizeof(*nv));
				if (!nv) {
					rc = rq_fail(RQ_ENOMEM, "store: out of memory counting the sweep");
					break;
				}
				acc->v = nv;
				acc->cap = ncap;
			}
			acc->v[acc->n++] = (rq_unit_sweep){.unit_id = unit, .endpoints = a, .infected = b};
			continue;
		}
		rq_unit_sweep *u = (rq_unit_sweep *)rq_sweep_find(acc->v, acc->n, unit);
		if (!u)
			continue; /* scans of an endpoint since moved or deleted: no unit to count them in */
		u->scanned += mode == 1 ? a - b : a;
		if (late)
			*late += b;
	}
	rq_stmt_finalize(st);
	return rc < 0 ? rc : 0;
}

int rq_store_sweep_units(rq_store *s, int64_t from, int64_t to, rq_unit_sweep **out, size_t *count)
{
	sweep_acc acc = {0};
	int64_t period[2] = {from, to}, late = 0;
	int pg = rq_store_dialect_of(s) == RQ_STORE_POSTGRES, began = 0;
	int rc = rq_store_analytic_begin(s, 0, &began);
	*out = NULL;
	*count = 0;
	if (rc == 0)
		rc = each_unit(s, endpoints_sql[pg], NULL, 0, 0, &acc, NULL);
	if (rc < 0 || from >= to || acc.n == 0)
		goto done;
	if ((rc = each_unit(s, newest_sql[pg], period, 2, 1, &acc, &late)) < 0)
		goto done;
	if (late > SWEEP_MAX_LATE) { /* count from the period's rows instead */
		for (size_t i = 0; i < acc.n; i++)
			acc.v[i].scanned = 0;
		rc = each_unit(s, rows_sql, period, 2, 2, &acc, NULL);
	} else if (late > 0) {
		rc = each_unit(s, late_sql, period, 2, 2, &acc, NULL);
	}
done:
	rq_store_analytic_end(s, began);
	if (rc < 0) {
		free(acc.v);
		return rc;
	}
	*out = acc.v;
	*count = acc.n;
	return 0;
}
