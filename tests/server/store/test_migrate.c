/*
 * Tests of the schema migrations on both backends: a fresh database gets
 * every table, running again changes nothing, and a database written by a
 * newer program is refused.
 */
#include "store_fixture.h"

static void test_fresh_and_rerun(void **state)
{
	fx *f = *state;
	int64_t v = -1;
	static const char *const tables[] = {"units", "users", "endpoints", "agent_credentials", "enrollment_tokens",
					     "api_tokens", "sessions", "events", "scan_summaries", "detections",
					     "connections", "tasks", "audit_log", "ncsc_submissions"};
	char sql[128];
	FX_OK(rq_store_migrate(f->s));
	FX_OK(rq_store_schema_version(f->s, &v));
	assert_true(v == rq_store_schema_latest());
	assert_true(v >= 1);
	for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
		snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM %s", tables[i]);
		assert_int_equal(fx_int(f->s, sql), 0);
	}
	/* versions need not be contiguous (branches take numbers in parallel) */
	int64_t applied = fx_int(f->s, "SELECT COUNT(*) FROM schema_migrations");
	assert_true(applied >= 1 && applied <= rq_store_schema_latest());
	assert_int_equal(fx_int(f->s, "SELECT MAX(version) FROM schema_migrations"), rq_store_schema_latest());
	/* again, and from a second connection: a no-op */
	FX_OK(rq_store_migrate(f->s));
	rq_store *other = NULL;
	FX_OK(fx_open(f, &other));
	FX_OK(rq_store_migrate(other));
	rq_store_close(other);
	assert_int_equal(fx_int(f->s, "SELECT COUNT(*) FROM schema_migrations"), applied);
	/* ids count from 1 and booleans default to 0 on both backends */
	FX_OK(rq_store_exec(f->s, "INSERT INTO units (name, code, created_at, updated_at) VALUES ('P', 'p', 1, 1)"));
	assert_int_equal(fx_int(f->s, "SELECT id FROM units WHERE code = 'p'"), 1);
	/* foreign keys are enforced (SQLite needs them switched on) */
	assert_int_equal(rq_store_exec(f->s, "INSERT INTO units (parent_id, name, code, created_at, updated_at)"
					     " VALUES (99, 'x', 'x', 1, 1)"),
			 RQ_STORE_ECONSTRAINT);
	assert_int_equal(rq_store_exec(f->s, "INSERT INTO endpoints (unit_id, hostname, kind, created_at)"
					     " VALUES (1, 'h', 'toaster', 1)"),
			 RQ_STORE_ECONSTRAINT);
}

static void test_newer_refused(void **state)
{
	fx *f = *state;
	char sql[160];
	FX_OK(rq_store_migrate(f->s));
	int64_t applied = fx_int(f->s, "SELECT COUNT(*) FROM schema_migrations");
	snprintf(sql, sizeof(sql), "INSERT INTO schema_migrations VALUES (%lld, 'from the future', 0)",
		 (long long)rq_store_schema_latest() + 1);
	FX_OK(rq_store_exec(f->s, sql));
	assert_int_equal(rq_store_migrate(f->s), RQ_EUNSUPPORTED);
	assert_non_null(strstr(rq_error_last(), "newer than this program"));
	/* a fresh connection is refused the same way, and nothing changed */
	rq_store *other = NULL;
	FX_OK(fx_open(f, &other));
	assert_int_equal(rq_store_migrate(other), RQ_EUNSUPPORTED);
	rq_store_close(other);
	assert_int_equal(fx_int(f->s, "SELECT COUNT(*) FROM schema_migrations"), applied + 1);
}

static void test_empty_version(void **state)
{
	fx *f = *state;
	int64_t v = -1;
	/* no bookkeeping table yet: reading the version fails, migrate creates it */
	assert_true(rq_store_schema_version(f->s, &v) < 0);
	FX_OK(rq_store_migrate(f->s));
	FX_OK(rq_store_schema_version(f->s, &v));
	assert_true(v == rq_store_schema_latest());
}

int main(void)
{
	struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fresh_and_rerun),
		cmocka_unit_test(test_newer_refused),
		cmocka_unit_test(test_empty_version),
	};
	return RUN_BOTH("migrate", tests, 1);
}
