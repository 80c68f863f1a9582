/*
 * Tests of tasks on both backends: queueing for one endpoint and for a
 * unit subtree, delivery (pending becomes sent, unacknowledged tasks come
 * again, expired ones never), results confined to the endpoint's own open
 * tasks, and text fields round-tripping SQL metacharacters.
 */
#include "store_fixture.h"
#include "store/endpoints.h"
#include "store/tasks.h"
#include "store/units.h"

typedef struct got {
	int count;
	int64_t ids[16];
	char params[16][256];
	int64_t sent_at[16];
} got;

static int collect(const rq_task *t, void *payload)
{
	got *g = payload;
	if (g->count < 16) {
		g->ids[g->count] = t->id;
		snprintf(g->params[g->count], sizeof(g->params[0]), "%s", t->params_json);
		g->sent_at[g->count] = t->sent_at;
		assert_string_equal(t->state, "sent");
	}
	g->count++;
	return 0;
}

static int collect_any(const rq_task *t, void *payload)
{
	(void)t;
	(*(int64_t *)payload)++;
	return 0;
}

static int64_t endpoint(fx *f, int64_t unit, const char *host)
{
	int64_t id;
	rq_endpoint_status st = {.hostname = host, .realtime = -1, .firewall = -1};
	FX_OK(rq_store_endpoint_create(f->s, &id, unit, &st, 1));
	return id;
}

static void test_queue_deliver_report(void **state)
{
	fx *f = *state;
	int64_t unit, e1, e2, t1, t2, t3;
	got g;
	FX_OK(rq_store_unit_create(f->s, &unit, 0, "U", "u", "", 1));
	e1 = endpoint(f, unit, "e1");
	e2 = endpoint(f, unit, "e2");
	FX_OK(rq_store_task_create(f->s, &t1, e1, "scan_path", fx_nasty, 0, 100, 0));
	FX_OK(rq_store_task_create(f->s, &t2, e1, "update", NULL, 0, 100, 150));
	FX_OK(rq_store_task_create(f->s, &t3, e2, "scan_full", NULL, 0, 100, 0));
	assert_int_equal(rq_store_task_create(f->s, &t3, e2, "format_disk", NULL, 0, 100, 0), RQ_STORE_ECONSTRAINT);
	assert_int_equal(rq_store_task_create(f->s, &t3, 999, "update", NULL, 0, 100, 0), RQ_STORE_ECONSTRAINT);

	memset(&g, 0, sizeof(g));
	FX_OK(rq_store_tasks_deliver(f->s, e1, 110, collect, &g));
	assert_int_equal(g.count, 2);
	assert_true((g.ids[0] == t1 && strcmp(g.params[0], fx_nasty) == 0) ||
		    (g.ids[1] == t1 && strcmp(g.params[1], fx_nasty) == 0));
	assert_true(g.sent_at[0] == 110 && g.sent_at[1] == 110);
	/* not acknowledged: given again, sent_at kept; after its expiry t2 is not */
	memset(&g, 0, sizeof(g));
	FX_OK(rq_store_tasks_deliver(f->s, e1, 160, collect, &g));
	assert_int_equal(g.count, 1);
	assert_true(g.ids[0] == t1 && g.sent_at[0] == 110);

	/* results: only the endpoint's own open tasks */
	assert_int_equal(rq_store_task_report(f->s, e2, t1, "done", "{}", 170), RQ_ENOTFOUND);
	assert_int_equal(rq_store_task_report(f->s, e1, t1, "cancelled", "{}", 170), RQ_EINVAL);
	FX_OK(rq_store_task_report(f->s, e1, t1, "running", "", 170));
	memset(&g, 0, sizeof(g));
	FX_OK(rq_store_tasks_deliver(f->s, e1, 175, collect, &g));
	assert_int_equal(g.count, 0); /* running: the agent has it */
	FX_OK(rq_store_task_report(f->s, e1, t1, "done", fx_nasty, 180));
	assert_int_equal(rq_store_task_report(f->s, e1, t1, "failed", "{}", 190), RQ_ENOTFOUND); /* final */
	assert_int_equal(fx_int_text(f->s, "SELECT finished_at FROM tasks WHERE result = $1", fx_nasty), 180);

	int64_t expired = -1;
	FX_OK(rq_store_tasks_expire(f->s, 200, &expired));
	assert_int_equal(expired, 1);
	assert_int_equal(fx_int(f->s, "SELECT COUNT(*) FROM tasks WHERE state = 'expired'"), 1);
	assert_int_equal(fx_int(f->s, "SELECT COUNT(*) FROM tasks WHERE state = 'pending'"), 1); /* e2's */
}

static void test_subtree(void **state)
{
	fx *f = *state;
	int64_t p, a, b, count;
	FX_OK(rq_store_unit_create(f->s, &p, 0, "P", "p", "", 1));
	FX_OK(rq_store_unit_create(f->s, &a, p, "A", "a", "", 1));
	FX_OK(rq_store_unit_create(f->s, &b, p, "B", "b", "", 1));
	endpoint(f, p, "p1");
	endpoint(f, a, "a1");
	endpoint(f, a, "a2");
	endpoint(f, b, "b1");
	FX_OK(rq_store_task_create_subtree(f->s, &count, a, "scan_quick", NULL, 0, 10, 0));
	assert_int_equal(count, 2);
	FX_OK(rq_store_task_create_subtree(f->s, &count, p, "update", fx_nasty, 0, 10, 0));
	assert_int_equal(count, 4);
	assert_int_equal(fx_int_text(f->s, "SELECT COUNT(*) FROM tasks WHERE params = $1", fx_nasty), 4);
	FX_OK(rq_store_task_create_subtree(f->s, &count, 4242, "update", NULL, 0, 10, 0));
	assert_int_equal(count, 0);
}

typedef struct rows {
	int count;
	int64_t ids[16], unit[16];
	char state[16][16], host[16][32], login[16][32], result[16][64];
} rows;

static int see_task(const rq_task_row *r, void *payload)
{
	rows *g = payload;
	if (g->count < 16) {
		g->ids[g->count] = r->t.id;
		g->unit[g->count] = r->unit_id;
		snprintf(g->state[g->count], sizeof(g->state[0]), "%s", r->t.state);
		snprintf(g->host[g->count], sizeof(g->host[0]), "%s", r->hostname);
		snprintf(g->login[g->count], sizeof(g->login[0]), "%s", r->created_by_login);
		snprintf(g->result[g->count], sizeof(g->result[0]), "%s", r->result_json);
	}
	g->count++;
	return 0;
}

static rows tlist(fx *f, rq_task_filter flt, int64_t want_total)
{
	rows g;
	int64_t total = -1;
	memset(&g, 0, sizeof(g));
	if (!flt.limit)
		flt.limit = 50;
	FX_OK(rq_store_tasks_list(f->s, &flt, &total, see_task, &g));
	if (total != want_total)
		fail_msg("total %lld, want %lld", (long long)total, (long long)want_total);
	return g;
}

static void test_list_get_cancel(void **state)
{
	fx *f = *state;
	int64_t p, a, b, pa, a1, b1, t1, t2, t3, t4, user, count;
	int cancelled = -1;
	rows g;
	FX_OK(rq_store_unit_create(f->s, &p, 0, "P", "p", "", 1));
	FX_OK(rq_store_unit_create(f->s, &a, p, "A", "a", "", 1));
	FX_OK(rq_store_unit_create(f->s, &b, p, "B", "b", "", 1));
	pa = endpoint(f, p, "p1");
	a1 = endpoint(f, a, "a1");
	b1 = endpoint(f, b, "b1");
	FX_OK(rq_store_run(f->s, NULL,
			   "INSERT INTO users (login, role, password_hash, created_at, updated_at)"
			   " VALUES ('boss', 'admin', 'x', 1, 1)",
			   NULL, 0));
	user = fx_int(f->s, "SELECT id FROM users WHERE login = 'boss'");
	FX_OK(rq_store_task_create(f->s, &t1, a1, "scan_full", NULL, user, 10, 0));
	FX_OK(rq_store_task_create(f->s, &t2, b1, "scan_path", "{\"path\":\"/tmp\"}", 0, 11, 500));
	FX_OK(rq_store_task_create(f->s, &t3, a1, "update", NULL, user, 12, 0));
	FX_OK(rq_store_task_create_subtree(f->s, &count, p, "scan_quick", NULL, user, 13, 0));
	assert_int_equal(count, 3);
	(void)pa;

	rq_task_filter flt = {0};
	g = tlist(f, flt, 6);
	assert_int_equal(g.ids[3], t3); /* newest first */
	assert_int_equal(g.ids[5], t1);
	assert_string_equal(g.login[5], "boss");
	assert_string_equal(g.login[4], ""); /* t2: no user */
	assert_string_equal(g.host[5], "a1");
	assert_int_equal(g.unit[5], a);

	flt.unit_id = a;
	tlist(f, flt, 3);
	flt.kind = "update";
	g = tlist(f, flt, 1);
	assert_int_equal(g.ids[0], t3);
	memset(&flt, 0, sizeof(flt));
	flt.endpoint_id = b1;
	tlist(f, flt, 2);
	flt.state = "pending";
	tlist(f, flt, 2);
	flt.state = "' OR 1=1 --";
	tlist(f, flt, 0);
	memset(&flt, 0, sizeof(flt));
	flt.limit = 2;
	flt.offset = 5;
	g = tlist(f, flt, 6);
	assert_int_equal(g.count, 1);

	/* get: one row with its result once reported */
	FX_OK(rq_store_task_report(f->s, a1, t1, "done", "{\"ok\":true}", 20));
	memset(&g, 0, sizeof(g));
	FX_OK(rq_store_task_get(f->s, t1, see_task, &g));
	assert_int_equal(g.count, 1);
	assert_string_equal(g.state[0], "done");
	assert_string_equal(g.result[0], "{\"ok\":true}");
	assert_int_equal(rq_store_task_get(f->s, 9999, see_task, &g), RQ_ENOTFOUND);

	/* cancel: pending and sent only */
	FX_OK(rq_store_task_cancel(f->s, t3, 30, &cancelled));
	assert_int_equal(cancelled, 1);
	FX_OK(rq_store_task_cancel(f->s, t3, 31, &cancelled));
	assert_int_equal(cancelled, 0); /* already cancelled */
	FX_OK(rq_store_task_cancel(f->s, t1, 31, &cancelled));
	assert_int_equal(cancelled, 0); /* done */
	t4 = 0;
	memset(&g, 0, sizeof(g));
	FX_OK(rq_store_tasks_deliver(f->s, b1, 40, collect_any, &t4));
	FX_OK(rq_store_task_cancel(f->s, t2, 41, &cancelled));
	assert_int_equal(cancelled, 1); /* sent: the agent's result is refused from now on */
	assert_int_equal(rq_store_task_report(f->s, b1, t2, "done", "{}", 42), RQ_ENOTFOUND);
	assert_int_equal(rq_store_task_cancel(f->s, 9999, 41, &cancelled), RQ_ENOTFOUND);
	assert_int_equal(fx_int(f->s, "SELECT COUNT(*) FROM tasks WHERE state = 'cancelled' AND finished_at IS NOT NULL"),
			 2);
	/* a cancelled task is never delivered again */
	t4 = 0;
	FX_OK(rq_store_tasks_deliver(f->s, b1, 50, collect_any, &t4));
	assert_int_equal(t4, 1); /* only the subtree's scan_quick */
}

int main(void)
{
	struct CMUnitTest tests[] = {
		cmocka_unit_test(test_queue_deliver_report),
		cmocka_unit_test(test_subtree),
		cmocka_unit_test(test_list_get_cancel),
	};
	return RUN_BOTH("tasks", tests, 0);
}
