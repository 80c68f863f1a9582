/*
 * The coverage summary of a unit subtree (see coverage.h) as one
 * aggregate over the endpoints of the subtree: conditional sums compared
 * against cut-off times computed here (the same sums on both backends,
 * around a join on SQLite and a LATERAL subquery on PostgreSQL). It
 * reads only the index endpoints_unit (every column it needs is in it);
 * "infected" is the endpoint's active_detections count kept by ingestion.
 * The period figures of rq_store_coverage_period are two more aggregates,
 * over the scans finished and the detections first seen in the period
 * (covering indexes of schema version 3).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "store/coverage.h"
#include "store/units.h"

/*
 * SQLite period figures: the endpoint ids are marked in bitmaps spanning
 * [lowest id, highest id] of the endpoints table; more ids than this (a
 * store whose ids are that sparse) falls back to the SQL aggregates. 2^26
 * ids are four bitmaps of 8 MiB.
 */
#define COVERAGE_MAX_ID_SPAN (1LL << 26)

/*
 * The counts, in the order of rq_coverage, the same SQL on both backends:
 * per unit of the subtree, each figure is a COUNT over a range of one
 * index -- endpoints_unit (unit_id, last_seen, realtime, ...),
 * endpoints_unit_build (unit_id, db_newest_build) and
 * endpoints_unit_infected (unit_id, active_detections), the last two from
 * schema version 3 -- summed over the units. A range count touches no row
 * and evaluates no expression per endpoint: SQLite's conditional sums over
 * the same endpoints cost about 0.6 us each (60 ms for 100,000), these
 * counts a few ns per index entry. `sub` is the subtree's units.
 */
#define PER_UNIT(cond) " SUM((SELECT COUNT(*) FROM endpoints e WHERE e.unit_id = sub.id" cond "))"
#define COVERAGE_COUNTS                                                                                \
	"SELECT" PER_UNIT("") "," PER_UNIT(" AND e.last_seen >= $3") ","                               \
	PER_UNIT(" AND e.last_seen >= $3 AND e.realtime = 1") "," PER_UNIT(" AND e.db_newest_build >= $4") \
	"," PER_UNIT(" AND e.db_newest_build >= $5") "," PER_UNIT(" AND e.db_newest_build >= $6") ","   \
	PER_UNIT(" AND e.db_newest_build >= $7") "," PER_UNIT(" AND e.db_newest_build < $7") ","        \
	PER_UNIT(" AND e.db_newest_build IS NULL") "," PER_UNIT(" AND e.active_detections > 0") " FROM sub"

/* A unit's subtree, or every unit for the whole province (unit 0; $2 is
 * then unused but named, so that both take the same parameters). */
static const char coverage_sub[] = RQ_STORE_SUBTREE_CTE " " COVERAGE_COUNTS;
static const char coverage_all[] = "WITH sub(id) AS (SELECT id FROM units WHERE CAST($1 AS BIGINT) = 0"
				   " AND CAST($2 AS BIGINT) >= 0) " COVERAGE_COUNTS;

/*
 * PostgreSQL plans those per-unit counts as bitmap heap scans (it visits
 * the table for every count: 240 ms for the province, measured), so there
 * the figures are conditional sums over the endpoints, in the order of
 * rq_coverage.
 */
#define COVERAGE_SUMS                                                                                  \
	"COUNT(*) AS n,"                                                                               \
	" SUM(CASE WHEN e.last_seen >= $3 THEN 1 ELSE 0 END) AS reporting,"                            \
	" SUM(CASE WHEN e.last_seen >= $3 AND e.realtime = 1 THEN 1 ELSE 0 END) AS realtime_on,"       \
	" SUM(CASE WHEN e.db_newest_build >= $4 THEN 1 ELSE 0 END) AS fresh_1d,"                       \
	" SUM(CASE WHEN e.db_newest_build >= $5 THEN 1 ELSE 0 END) AS fresh_3d,"                       \
	" SUM(CASE WHEN e.db_newest_build >= $6 THEN 1 ELSE 0 END) AS fresh_7d,"                       \
	" SUM(CASE WHEN e.db_newest_build >= $7 THEN 1 ELSE 0 END) AS fresh_15d,"                      \
	" SUM(CASE WHEN e.db_newest_build < $7 THEN 1 ELSE 0 END) AS older_15d,"                       \
	" SUM(CASE WHEN e.db_newest_build IS NULL THEN 1 ELSE 0 END) AS sig_unknown,"                  \
	" SUM(CASE WHEN e.active_detections > 0 THEN 1 ELSE 0 END) AS infected"

/* The whole province: one pass over every endpoint. */
static const char coverage_all_pg[] =
	"SELECT " COVERAGE_SUMS " FROM endpoints e WHERE CAST($1 AS BIGINT) = 0 AND CAST($2 AS BIGINT) >= 0";

/*
 * A subtree. PostgreSQL cannot estimate how many units the recursive CTE
 * yields and guesses "many": with a plain join it hashes the whole
 * endpoints table even for one small unit. Summing per-unit aggregates of
 * a LATERAL subquery makes it walk the index once per unit instead (2 ms
 * for one unit of 500 endpoints).
 */
static const char coverage_sub_pg[] =
	RQ_STORE_SUBTREE_CTE
	" SELECT SUM(c.n), SUM(c.reporting), SUM(c.realtime_on), SUM(c.fresh_1d), SUM(c.fresh_3d),"
	" SUM(c.fresh_7d), SUM(c.fresh_15d), SUM(c.older_15d), SUM(c.sig_unknown), SUM(c.infected)"
	" FROM sub, LATERAL (SELECT " COVERAGE_SUMS " FROM endpoints e WHERE e.unit_id = sub.id) c";

/* The snapshot query of the dialect, for a subtree or (unit 0) all. */
static const char *snapshot_sql(rq_store *s, int all)
{
	if (rq_store_dialect_of(s) == RQ_STORE_POSTGRES)
		return all ? coverage_all_pg : coverage_sub_pg;
	return all ? coverage_all : coverage_sub;
}

/*
 * The period figures. Province-wide they are plain range scans of the
 * covering indexes scan_summaries_finished and detections_first_seen; for
 * a subtree each row in the period is kept when its endpoint's unit is in
 * the subtree (a lookup by primary key and a probe of the few subtree
 * units), so the cost follows the rows of the period, not the size of the
 * subtree. $3, $4: [from, to).
 */
#define SCANS_SUMS                                                                                    \
	"SELECT COUNT(*), SUM(g.full_scan) FROM (SELECT x.endpoint_id,"                               \
	" MAX(CASE WHEN x.kind IN ('full', 'scheduled') THEN 1 ELSE 0 END) AS full_scan"
#define FILES_SUMS                                                                                    \
	"SELECT COUNT(*), SUM(g.n), SUM(g.cleaned), SUM(g.active) FROM (SELECT x.endpoint_id, COUNT(*) AS n," \
	" SUM(CASE WHEN x.state IN ('quarantined', 'removed') THEN 1 ELSE 0 END) AS cleaned,"         \
	" SUM(CASE WHEN x.state = 'active' THEN 1 ELSE 0 END) AS active"
#define IN_SUBTREE " AND e.unit_id IN (SELECT id FROM sub)"
/* distinct endpoints as groups: PostgreSQL hashes them, where its
 * COUNT(DISTINCT) would sort */
#define BY_ENDPOINT " GROUP BY x.endpoint_id) g"

static const char scans_all[] = SCANS_SUMS " FROM scan_summaries x WHERE CAST($1 AS BIGINT) = 0"
				" AND CAST($2 AS BIGINT) >= 0 AND x.finished_at >= $3 AND x.finished_at < $4" BY_ENDPOINT;
static const char scans_sub[] = RQ_STORE_SUBTREE_CTE " " SCANS_SUMS
				" FROM scan_summaries x JOIN endpoints e ON e.id = x.endpoint_id"
				" WHERE x.finished_at >= $3 AND x.finished_at < $4" IN_SUBTREE BY_ENDPOINT;
static const char files_all[] = FILES_SUMS " FROM detections x WHERE CAST($1 AS BIGINT) = 0"
				" AND CAST($2 AS BIGINT) >= 0 AND x.first_seen >= $3 AND x.first_seen < $4" BY_ENDPOINT;
static const char files_sub[] = RQ_STORE_SUBTREE_CTE " " FILES_SUMS
				" FROM detections x JOIN endpoints e ON e.id = x.endpoint_id"
				" WHERE x.first_seen >= $3 AND x.first_seen < $4" IN_SUBTREE BY_ENDPOINT;

/* Run `sql` with ($1 unit, $2 depth, then extra[]) and read its one row into fields. */
static int one_row(rq_store *s, const char *sql, int64_t unit_id, const int64_t *extra, int nextra,
		   int64_t *const *fields, int nfields)
{
	rq_stmt *st = NULL;
	int rc = rq_store_prepare(s, &st, sql);
	if (rc < 0)
		goto done;
	if ((rc = rq_stmt_bind_int64(st, 1, unit_id)) < 0 ||
	    (rc = rq_stmt_bind_int64(st, 2, RQ_STORE_MAX_UNIT_DEPTH - 1)) < 0)
		goto done;
	for (int i = 0; i < nextra; i++)
		if ((rc = rq_stmt_bind_int64(st, 3 + i, extra[i])) < 0)
			goto done;
	rc = rq_stmt_step(st);
	if (rc != RQ_STORE_ROW) {
		if (rc == RQ_STORE_DONE)
			rc = rq_fail(RQ_ERROR, "store: coverage query returned no row");
		goto done;
	}
	for (int i = 0; i < nfields; i++)
		*fields[i] = rq_stmt_column_int64(st, i);
	rc = 0;
done:
	rq_stmt_finalize(st);
	return rc;
}

static int coverage_of(rq_store *s, const char *sql, int64_t unit_id, int64_t now, int64_t window_s,
		       rq_coverage *out)
{
	int64_t *const fields[] = {&out->endpoints, &out->reporting, &out->realtime_on, &out->fresh_1d,
				   &out->fresh_3d,  &out->fresh_7d,  &out->fresh_15d,  &out->older_15d,
				   &out->sig_unknown, &out->infected};
	const int64_t cut[] = {now - window_s, now - 1 * RQ_DAY_SECONDS, now - 3 * RQ_DAY_SECONDS,
			       now - 7 * RQ_DAY_SECONDS, now - 15 * RQ_DAY_SECONDS};
	return one_row(s, sql, unit_id, cut, 5, fields, 10);
}

/*
 * The period figures on SQLite. Its COUNT(DISTINCT) costs about 0.8 us per
 * row (190 ms for a month of a province's scans and detections); reading
 * the same covering indexes row by row and counting distinct endpoints
 * with bitmaps here costs a third of that. For a subtree, its endpoints'
 * ids are marked first and the period's rows kept when marked.
 */
typedef struct idset {
	int64_t base, span;
	uint8_t *bits;
} idset;

static int idset_init(idset *b, int64_t lo, int64_t span)
{
	b->base = lo;
	b->span = span;
	b->bits = calloc((size_t)(span + 7) / 8, 1);
	return b->bits ? 0 : rq_fail(RQ_ENOMEM, "store: out of memory counting coverage");
}

/* 1 when id was not in the set yet (ids outside the span are never added). */
static int idset_add(idset *b, int64_t id)
{
	uint64_t i = (uint64_t)(id - b->base);
	if (id < b->base || i >= (uint64_t)b->span || (b->bits[i >> 3] >> (i & 7) & 1))
		return 0;
	b->bits[i >> 3] |= (uint8_t)(1u << (i & 7));
	return 1;
}

static int idset_has(const idset *b, int64_t id)
{
	uint64_t i = (uint64_t)(id - b->base);
	return id >= b->base && i < (uint64_t)b->span && (b->bits[i >> 3] >> (i & 7) & 1);
}

typedef struct period_ctx {
	int all; /* the whole province: every endpoint is a member */
	idset member, seen, full, infected;
} period_ctx;

static int member(const period_ctx *x, int64_t id)
{
	return x->all || idset_has(&x->member, id);
}

/* endpoint_id, kind */
static void scan_row(period_ctx *x, rq_stmt *st, rq_coverage *out)
{
	int64_t id = rq_stmt_column_int64(st, 0);
	const char *kind = rq_stmt_column_text(st, 1);
	if (!member(x, id))
		return;
	out->scanned += idset_add(&x->seen, id);
	if (kind && (!strcmp(kind, "full") || !strcmp(kind, "scheduled")))
		out->full_scanned += idset_add(&x->full, id);
}

/* endpoint_id, state */
static void file_row(period_ctx *x, rq_stmt *st, rq_coverage *out)
{
	int64_t id = rq_stmt_column_int64(st, 0);
	const char *state = rq_stmt_column_text(st, 1);
	if (!member(x, id))
		return;
	out->infected_period += idset_add(&x->infected, id);
	out->files_found++;
	if (state && (!strcmp(state, "quarantined") || !strcmp(state, "removed")))
		out->files_cleaned++;
	else if (state && !strcmp(state, "active"))
		out->files_active++;
}

/* Prepare `sql`, bind params, call row() for every row. */
static int each_row(rq_store *s, const char *sql, const int64_t *params, int n,
		    void (*row)(period_ctx *, rq_stmt *, rq_coverage *), period_ctx *x, rq_coverage *out)
{
	rq_stmt *st = NULL;
	int rc = rq_store_prepare(s, &st, sql);
	for (int i = 0; rc == 0 && i < n; i++)
		rc = rq_stmt_bind_int64(st, i + 1, params[i]);
	while (rc == 0 && (rc = rq_stmt_step(st)) == RQ_STORE_ROW) {
		row(x, st, out);
		rc = 0;
	}
	rq_stmt_finalize(st);
	return rc < 0 ? rc : 0;
}

static void member_row(period_ctx *x, rq_stmt *st, rq_coverage *out)
{
	(void)out;
	idset_add(&x->member, rq_stmt_column_int64(st, 0));
}

/*
 * The period figures of `unit_id` (0: all) into out, counted here; 1 when
 * the endpoint ids are too sparse for the bitmaps (nothing done: use SQL).
 */
static int sqlite_period(rq_store *s, int64_t unit_id, int64_t from, int64_t to, rq_coverage *out)
{
	period_ctx x = {.all = unit_id == 0};
	rq_stmt *st = NULL;
	int64_t lo = 0, hi = 0;
	int rc = rq_store_prepare(s, &st, "SELECT MIN(id), MAX(id) FROM endpoints");
	if (rc == 0 && (rc = rq_stmt_step(st)) == RQ_STORE_ROW) {
		lo = rq_stmt_column_int64(st, 0);
		hi = rq_stmt_column_int64(st, 1);
		rc = 0;
	}
	rq_stmt_finalize(st);
	if (rc < 0)
		goto done;
	if (hi - lo + 1 > COVERAGE_MAX_ID_SPAN) {
		rc = 1;
		goto done;
	}
	idset *sets[] = {&x.member, &x.seen, &x.full, &x.infected};
	for (size_t i = 0; i < 4 && rc == 0; i++)
		rc = idset_init(sets[i], lo, hi - lo + 1);
	const int64_t sub[] = {unit_id, RQ_STORE_MAX_UNIT_DEPTH - 1}, period[] = {from, to};
	if (rc == 0 && !x.all)
		rc = each_row(s, RQ_STORE_SUBTREE_CTE " SELECT e.id FROM sub JOIN endpoints e ON e.unit_id = sub.id",
			      sub, 2, member_row, &x, out);
	if (rc == 0)
		rc = each_row(s, "SELECT endpoint_id, kind FROM scan_summaries WHERE finished_at >= $1 AND finished_at < $2",
			      period, 2, scan_row, &x, out);
	if (rc == 0)
		rc = each_row(s, "SELECT endpoint_id, state FROM detections WHERE first_seen >= $1 AND first_seen < $2",
			      period, 2, file_row, &x, out);
done:
	for (size_t i = 0; i < 4; i++)
		free((&x.member)[i].bits);
	return rc;
}

/*
 * A read transaction for one summary unless the caller has one (see
 * coverage.h). On PostgreSQL without JIT: these queries cost enough to
 * cross its JIT threshold, and compiling them took longer than running
 * them (measured: 0.9 s instead of 60 ms for the province). SET LOCAL ends
 * with the transaction (the caller's, if it has one).
 */
int rq_store_analytic_begin(rq_store *s, int work_mem_mb, int *began)
{
	int pg = rq_store_dialect_of(s) == RQ_STORE_POSTGRES, rc = 0;
	char sql[64];
	*began = 0;
	if (!rq_store_in_transaction(s)) {
		if ((rc = rq_store_exec(s, pg ? "BEGIN" : "BEGIN DEFERRED")) < 0)
			return rc;
		*began = 1;
	}
	if (pg && work_mem_mb > 0) {
		snprintf(sql, sizeof(sql), "SET LOCAL work_mem = '%dMB'", work_mem_mb);
		rc = rq_store_exec(s, sql);
	}
	if (pg && rc == 0)
		rc = rq_store_exec(s, "SET LOCAL jit = off");
	if (rc < 0 && *began) {
		rq_store_exec(s, "ROLLBACK");
		*began = 0;
	}
	return rc;
}

void rq_store_analytic_end(rq_store *s, int began)
{
	if (began)
		rq_store_exec(s, "COMMIT");
}

/*
 * The unit whose subtree is the whole province -- the only top unit --
 * is counted as the whole province (unit 0): plain range counts instead of
 * a walk of the unit tree and a join per row (on 100,000 endpoints the
 * root's summary took 84 ms on PostgreSQL, the province's 18 ms).
 */
int rq_store_province_scope(rq_store *s, int64_t unit_id, int64_t *out)
{
	rq_stmt *st = NULL;
	*out = unit_id;
	if (unit_id == 0)
		return 0;
	int rc = rq_store_prepare(s, &st, "SELECT COUNT(*) = 1 AND MAX(CASE WHEN id = $1 THEN 1 ELSE 0 END) = 1"
					  " FROM units WHERE parent_id IS NULL");
	if (rc == 0 && (rc = rq_stmt_bind_int64(st, 1, unit_id)) == 0 && (rc = rq_stmt_step(st)) == RQ_STORE_ROW) {
		if (rq_stmt_column_int64(st, 0))
			*out = 0;
		rc = 0;
	}
	rq_stmt_finalize(st);
	return rc < 0 ? rc : 0;
}

int rq_store_coverage_period(rq_store *s, int64_t unit_id, int64_t now, int64_t window_s, int64_t from,
			     int64_t to, rq_coverage *out)
{
	int64_t *const scans[] = {&out->scanned, &out->full_scanned};
	int64_t *const files[] = {&out->infected_period, &out->files_found, &out->files_cleaned,
				  &out->files_active};
	const int64_t period[] = {from, to};
	int all = unit_id == 0, rc, began = 0;
	memset(out, 0, sizeof(*out));
	if (unit_id < 0 || from > to) {
		rc = rq_fail(RQ_EINVAL, "store: coverage of unit %lld over [%lld, %lld): bad unit or period",
			     (long long)unit_id, (long long)from, (long long)to);
		goto done;
	}
	/* one read transaction: the snapshot and the period agree */
	if ((rc = rq_store_analytic_begin(s, 0, &began)) < 0 || (rc = rq_store_province_scope(s, unit_id, &unit_id)) < 0)
		goto done;
	all = unit_id == 0;
	rc = coverage_of(s, snapshot_sql(s, all), unit_id, now, window_s, out);
	if (rc < 0 || from == to)
		goto done;
	if (rq_store_dialect_of(s) == RQ_STORE_SQLITE && (rc = sqlite_period(s, unit_id, from, to, out)) <= 0)
		goto done;
	rc = one_row(s, all ? scans_all : scans_sub, unit_id, period, 2, scans, 2);
	if (rc == 0)
		rc = one_row(s, all ? files_all : files_sub, unit_id, period, 2, files, 4);
done:
	rq_store_analytic_end(s, began);
	if (rc < 0)
		memset(out, 0, sizeof(*out));
	return rc;
}

int rq_store_coverage(rq_store *s, int64_t unit_id, int64_t now, int64_t window_s, rq_coverage *out)
{
	int began = 0, rc;
	memset(out, 0, sizeof(*out));
	rc = rq_store_analytic_begin(s, 0, &began);
	if (rc == 0)
		rc = rq_store_province_scope(s, unit_id, &unit_id);
	if (rc == 0)
		rc = coverage_of(s, snapshot_sql(s, unit_id == 0), unit_id, now, window_s, out);
	rq_store_analytic_end(s, began);
	if (rc < 0)
		memset(out, 0, sizeof(*out));
	return rc;
}
