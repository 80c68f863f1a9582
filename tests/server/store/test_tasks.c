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

int main(void)
{
	struct CMUnitTest tests[] = {
		cmocka_unit_test(test_queue_deliver_report),
		cmocka_unit_test(test_subtree),
	};
	return RUN_BOTH("tasks", tests, 0);
}
