/*
 * Tests of the audit log on both backends: entries round-trip SQL
 * metacharacters, commit or roll back with the change they record, and
 * outlive the user they name; listing by unit subtree, actor, action
 * prefix and time range, newest first, paged.
 */
#include "store_fixture.h"
#include "store/audit.h"
#include "store/units.h"

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

typedef struct got {
	int count;
	int64_t at[16], ids[16];
	char actions[16][32];
} got;

static int collect(const rq_audit_entry *e, void *payload)
{
	got *g = payload;
	if (g->count < 16) {
		g->at[g->count] = e->at;
		g->ids[g->count] = e->id;
		snprintf(g->actions[g->count], sizeof(g->actions[0]), "%s", e->action);
	}
	g->count++;
	return 0;
}

static int64_t list(rq_store *s, const rq_audit_filter *flt, got *g)
{
	int64_t total = -1;
	memset(g, 0, sizeof(*g));
	FX_OK(rq_store_audit_list(s, flt, &total, collect, g));
	return total;
}

static void test_list(void **state)
{
	fx *f = *state;
	int64_t p, a, a1, b;
	got g;
	FX_OK(rq_store_unit_create(f->s, &p, 0, "P", "p", "", 1));
	FX_OK(rq_store_unit_create(f->s, &a, p, "A", "a", "", 1));
	FX_OK(rq_store_unit_create(f->s, &a1, a, "A1", "a1", "", 1));
	FX_OK(rq_store_unit_create(f->s, &b, p, "B", "b", "", 1));
	struct {
		int64_t at, unit;
		const char *actor, *action;
	} rows[] = {
		{ 100, p, "root", "unit.create" }, { 110, a, "root", "unit.create" },
		{ 120, a1, "ann", "token.create" }, { 130, b, "bob", "token.create" },
		{ 140, 0, "root", "user.create" }, { 150, a1, "ann", "policy.update" },
		{ 150, a, fx_nasty, "unit.update" },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		rq_audit_entry e = { .at = rows[i].at, .unit_id = rows[i].unit, .actor = rows[i].actor,
				     .action = rows[i].action, .object_type = "unit" };
		FX_OK(rq_store_audit_add(f->s, &e));
	}
	rq_audit_filter all = { 0 };
	assert_int_equal(list(f->s, &all, &g), 7);
	assert_int_equal(g.count, 7);
	/* newest first; equal times by number, newest first */
	assert_true(g.at[0] == 150 && g.at[1] == 150 && g.ids[0] > g.ids[1] && g.at[6] == 100);
	assert_string_equal(g.actions[0], "unit.update");

	rq_audit_filter sub_a = { .unit_id = a };
	assert_int_equal(list(f->s, &sub_a, &g), 4); /* a, a1, a1, a: never b, p or none */
	rq_audit_filter sub_p = { .unit_id = p };
	assert_int_equal(list(f->s, &sub_p, &g), 6); /* everything but the entry about no unit */
	rq_audit_filter by_actor = { .actor = "ann" };
	assert_int_equal(list(f->s, &by_actor, &g), 2);
	rq_audit_filter nasty = { .actor = fx_nasty };
	assert_int_equal(list(f->s, &nasty, &g), 1);
	rq_audit_filter inject = { .actor = "' OR '1'='1" };
	assert_int_equal(list(f->s, &inject, &g), 0);
	rq_audit_filter by_prefix = { .action_prefix = "token." };
	assert_int_equal(list(f->s, &by_prefix, &g), 2);
	rq_audit_filter like_chars = { .action_prefix = "%" };
	assert_int_equal(list(f->s, &like_chars, &g), 0);
	rq_audit_filter unit_prefix = { .unit_id = a, .action_prefix = "unit" };
	assert_int_equal(list(f->s, &unit_prefix, &g), 2);
	rq_audit_filter range = { .since = 110, .until = 140 };
	assert_int_equal(list(f->s, &range, &g), 3);
	assert_true(g.at[0] == 130 && g.at[2] == 110);
	rq_audit_filter page = { .limit = 2, .offset = 5 };
	assert_int_equal(list(f->s, &page, &g), 7);
	assert_true(g.count == 2 && g.at[0] == 110 && g.at[1] == 100);
	rq_audit_filter bad = { .unit_id = -1 };
	int64_t total;
	assert_int_equal(rq_store_audit_list(f->s, &bad, &total, collect, &g), RQ_EINVAL);
}

int main(void)
{
	struct CMUnitTest tests[] = {
		cmocka_unit_test(test_audit),
		cmocka_unit_test(test_list),
	};
	return RUN_BOTH("audit", tests, 0);
}
