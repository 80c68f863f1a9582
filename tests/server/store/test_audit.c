/*
 * Tests of the audit log on both backends: entries round-trip SQL
 * metacharacters, commit or roll back with the change they record, and
 * outlive the user they name.
 */
#include "store_fixture.h"
#include "store/audit.h"

static void test_audit(void **state)
{
	fx *f = *state;
	rq_audit_entry e = {.at = 100, .actor = fx_nasty, .action = "unit.create", .object_type = "unit",
			    .object_id = fx_nasty, .ip = fx_nasty, .details_json = fx_nasty};
	FX_OK(rq_store_audit_add(f->s, &e));
	rq_stmt *st = NULL;
	FX_OK(rq_store_prepare(f->s, &st, "SELECT actor, object_id, ip, details, user_id, unit_id, at FROM audit_log"));
	assert_int_equal(rq_stmt_step(st), RQ_STORE_ROW);
	for (int i = 0; i < 4; i++)
		assert_string_equal(rq_stmt_column_text(st, i), fx_nasty);
	assert_true(rq_stmt_column_is_null(st, 4) && rq_stmt_column_is_null(st, 5));
	assert_int_equal(rq_stmt_column_int64(st, 6), 100);
	rq_stmt_finalize(st);

	/* rolled back with its transaction */
	FX_OK(rq_store_begin(f->s));
	FX_OK(rq_store_audit_add(f->s, &e));
	FX_OK(rq_store_rollback(f->s));
	assert_int_equal(fx_int(f->s, "SELECT COUNT(*) FROM audit_log"), 1);

	/* the user goes, the entry stays with the login as text */
	FX_OK(rq_store_exec(f->s, "INSERT INTO users (login, role, password_hash, created_at, updated_at)"
				  " VALUES ('ann', 'admin', 'x', 1, 1)"));
	rq_audit_entry by_user = {.at = 200, .user_id = fx_int(f->s, "SELECT id FROM users"), .actor = "ann",
				  .action = "user.delete"};
	FX_OK(rq_store_audit_add(f->s, &by_user));
	FX_OK(rq_store_exec(f->s, "DELETE FROM users"));
	assert_int_equal(fx_int(f->s, "SELECT COUNT(*) FROM audit_log WHERE actor = 'ann' AND user_id IS NULL"), 1);
	rq_audit_entry bad = {.at = 1, .actor = "x"};
	assert_int_equal(rq_store_audit_add(f->s, &bad), RQ_EINVAL);
}

int main(void)
{
	struct CMUnitTest tests[] = {
		cmocka_unit_test(test_audit),
	};
	return RUN_BOTH("audit", tests, 0);
}
