/*
 * Shared by the store's tests: each test gets a fresh, migrated store,
 * once on SQLite (a temp file) and once more on PostgreSQL when
 * RQ_TEST_PG_URL is set (a fresh schema per test, dropped afterwards, so
 * runs never collide). run_both() runs a test list on every backend.
 */
#ifndef RQ_TEST_STORE_FIXTURE_H
#define RQ_TEST_STORE_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "store/coverage.h"
#include "store/store.h"
#include "store/units.h"
#include "testutil.h"

typedef struct fx {
	rq_store *s;
	int pg;
	char *dir;          /* SQLite: the temp folder */
	char url[1024];     /* of this test's database */
	char schema[64];    /* PostgreSQL: this test's schema */
} fx;

/* Text with SQL metacharacters and more, for round-trip checks. */
static const char fx_nasty[] = "O'Brien \"x\"; DROP TABLE units; -- /* $1 ?1 :a @b \\ % _ \t\r\n"
			       "\xc3\xbc\xc3\xb1\xc3\xae \xe6\x97\xa5\xe6\x9c\xac ' OR '1'='1";

static inline int fx_open(const fx *f, rq_store **out)
{
	int rc = rq_store_open(out, f->url);
	if (rc < 0)
		fprintf(stderr, "fx_open: %s\n", rq_error_last());
	return rc;
}

static inline int fx_pg_admin(const char *sql_fmt, const char *schema)
{
	rq_store *admin = NULL;
	char sql[256];
	int rc = rq_store_open(&admin, getenv("RQ_TEST_PG_URL"));
	if (rc == 0) {
		snprintf(sql, sizeof(sql), sql_fmt, schema);
		rc = rq_store_exec(admin, sql);
	}
	if (rc < 0)
		fprintf(stderr, "fx_pg_admin: %s\n", rq_error_last());
	rq_store_close(admin);
	return rc;
}

/* Prepare a fresh empty database; migrate it unless `bare`. */
static inline int fx_setup_common(void **state, int pg, int bare)
{
	static unsigned counter;
	fx *f = calloc(1, sizeof(*f));
	if (!f)
		return -1;
	f->pg = pg;
	if (pg) {
		const char *base = getenv("RQ_TEST_PG_URL");
		snprintf(f->schema, sizeof(f->schema), "rqt_%ld_%u_%ld", (long)getpid(), counter++, (long)time(NULL));
		if (fx_pg_admin("CREATE SCHEMA %s", f->schema) < 0)
			goto fail;
		snprintf(f->url, sizeof(f->url), "%s%coptions=-csearch_path%%3D%s", base,
			 strchr(base, '?') ? '&' : '?', f->schema);
	} else {
		f->dir = rq_test_tmpdir();
		snprintf(f->url, sizeof(f->url), "sqlite:%s/store.db", f->dir);
	}
	if (fx_open(f, &f->s) < 0)
		goto fail;
	if (!bare && rq_store_migrate(f->s) < 0) {
		fprintf(stderr, "migrate: %s\n", rq_error_last());
		goto fail;
	}
	*state = f;
	return 0;
fail:
	rq_store_close(f->s);
	free(f);
	return -1;
}

static inline int fx_setup_sqlite(void **state)
{
	return fx_setup_common(state, 0, 0);
}

static inline int fx_setup_pg(void **state)
{
	return fx_setup_common(state, 1, 0);
}

static inline int fx_setup_sqlite_bare(void **state)
{
	return fx_setup_common(state, 0, 1);
}

static inline int fx_setup_pg_bare(void **state)
{
	return fx_setup_common(state, 1, 1);
}

static inline int fx_teardown(void **state)
{
	fx *f = *state;
	if (!f)
		return 0;
	rq_store_close(f->s);
	if (f->pg)
		fx_pg_admin("DROP SCHEMA %s CASCADE", f->schema);
	if (f->dir) {
		rq_test_rmtree(f->dir);
		free(f->dir);
	}
	free(f);
	return 0;
}

/* The single integer a query returns (fails the test on error). */
static inline int64_t fx_int(rq_store *s, const char *sql)
{
	rq_stmt *st = NULL;
	int64_t v;
	int rc = rq_store_prepare(s, &st, sql);
	if (rc < 0)
		fail_msg("%s", rq_error_last());
	rc = rq_stmt_step(st);
	if (rc != RQ_STORE_ROW)
		fail_msg("no row from %s: %s", sql, rq_error_last());
	v = rq_stmt_column_int64(st, 0);
	rq_stmt_finalize(st);
	return v;
}

/* The single integer a query with one text parameter returns. */
static inline int64_t fx_int_text(rq_store *s, const char *sql, const char *text)
{
	rq_stmt *st = NULL;
	int64_t v = 0;
	if (rq_store_prepare(s, &st, sql) < 0 || rq_stmt_bind_text(st, 1, text) < 0 ||
	    rq_stmt_step_int64(st, &v) < 0)
		fail_msg("%s: %s", sql, rq_error_last());
	rq_stmt_finalize(st);
	return v;
}

#define FX_OK(expr)                                                                                    \
	do {                                                                                           \
		int fx_rc_ = (expr);                                                                   \
		if (fx_rc_ < 0)                                                                        \
			fail_msg("%s = %d: %s", #expr, fx_rc_, rq_error_last());                      \
	} while (0)

/* Milliseconds of the monotonic clock, for the timing runs. */
static inline double fx_ms_now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

/* The timing runs' province: a root unit over `subunits` units (codes
 * s0, s1...) in departments of ten; the first of them into *first_sub. */
static inline void fx_bench_units(fx *f, int subunits, int64_t *root, int64_t *first_sub)
{
	int64_t dept = 0, unit;
	char code[32];
	FX_OK(rq_store_unit_create(f->s, root, 0, "Province", "root", "", 1));
	for (int i = 0; i < subunits; i++) {
		if (i % 10 == 0) {
			snprintf(code, sizeof(code), "d%d", i);
			FX_OK(rq_store_unit_create(f->s, &dept, *root, code, code, "", 1));
		}
		snprintf(code, sizeof(code), "s%d", i);
		FX_OK(rq_store_unit_create(f->s, &unit, dept, code, code, "", 1));
		if (i == 0)
			*first_sub = unit;
	}
}

/*
 * The timing runs' fleet, in one transaction, dealt to the `subunits`
 * units from s0 on in turn: `endpoints` endpoints (seen within 3 days of
 * `now`, signatures up to 20 days old, one in 7 infected now),
 * `detections` detections over the year before `now` (3 in 10 active) and
 * `scans` scans over the 90 days before it; then endpoint_coverage as
 * ingestion keeps it, and the statistics (on PostgreSQL also the
 * visibility map, without which an index-only scan still visits the
 * table; autovacuum does it in service). *first_ep gets the first
 * endpoint's id.
 */
static inline void fx_bench_fleet(fx *f, int subunits, int64_t endpoints, int64_t detections, int64_t scans,
				  int64_t now, int64_t *first_ep)
{
	const int64_t day = 86400;
	FX_OK(rq_store_begin(f->s));
	int64_t p[] = {endpoints, subunits, now, day};
	FX_OK(rq_store_run(f->s, NULL,
			   "INSERT INTO endpoints (unit_id, hostname, created_at, last_seen, realtime, db_newest_build,"
			   " active_detections)"
			   " WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $1)"
			   " SELECT (SELECT MIN(id) FROM units WHERE code = 's0') + i % $2, 'h', 0,"
			   " $3 - (i * 7) % (3 * $4), i % 5 / 4, $3 - (i * 13) % (20 * $4), i % 7 / 6 FROM n",
			   p, 4));
	*first_ep = fx_int(f->s, "SELECT MIN(id) FROM endpoints");
	int64_t d[] = {detections, endpoints, *first_ep, now, day};
	FX_OK(rq_store_run(f->s, NULL,
			   "INSERT INTO detections (endpoint_id, path, sha256, name, state, first_seen, last_seen)"
			   " WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $1)"
			   " SELECT $3 + i % $2, CAST(i AS TEXT), '', 'X',"
			   " CASE WHEN i % 10 < 3 THEN 'active' WHEN i % 10 < 6 THEN 'quarantined'"
			   " WHEN i % 10 < 8 THEN 'removed' ELSE 'ignored' END,"
			   " $4 - (i * 31) % (365 * $5), $4 FROM n",
			   d, 5));
	int64_t sc[] = {scans, endpoints, *first_ep, now, day};
	FX_OK(rq_store_run(f->s, NULL,
			   "INSERT INTO scan_summaries (endpoint_id, event_uuid, kind, started_at, finished_at)"
			   " WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $1)"
			   " SELECT $3 + i % $2, CAST(i AS TEXT),"
			   " CASE WHEN i % 4 = 0 THEN 'full' WHEN i % 4 = 1 THEN 'scheduled' ELSE 'quick' END,"
			   " $4 - (i * 17) % (90 * $5) - 600, $4 - (i * 17) % (90 * $5) FROM n",
			   sc, 5));
	FX_OK(rq_store_coverage_backfill(f->s));
	FX_OK(rq_store_commit(f->s));
	FX_OK(rq_store_exec(f->s, f->pg ? "VACUUM ANALYZE" : "ANALYZE"));
}

/*
 * Run `tests` on SQLite, then on PostgreSQL when RQ_TEST_PG_URL is set,
 * each test with a fresh store (migrated unless `bare`).
 */
static inline int run_both(const char *name, struct CMUnitTest *tests, size_t count, int bare)
{
	char group[128];
	int failed;
	for (size_t i = 0; i < count; i++) {
		tests[i].setup_func = bare ? fx_setup_sqlite_bare : fx_setup_sqlite;
		tests[i].teardown_func = fx_teardown;
	}
	snprintf(group, sizeof(group), "%s (sqlite)", name);
	failed = _cmocka_run_group_tests(group, tests, count, NULL, NULL);
	if (getenv("RQ_TEST_PG_URL") && *getenv("RQ_TEST_PG_URL")) {
		for (size_t i = 0; i < count; i++)
			tests[i].setup_func = bare ? fx_setup_pg_bare : fx_setup_pg;
		snprintf(group, sizeof(group), "%s (postgresql)", name);
		failed += _cmocka_run_group_tests(group, tests, count, NULL, NULL);
	} else {
		printf("%s: RQ_TEST_PG_URL not set, PostgreSQL skipped\n", name);
	}
	return failed;
}

#define RUN_BOTH(name, tests, bare) run_both(name, tests, sizeof(tests) / sizeof(tests[0]), bare)

#endif
