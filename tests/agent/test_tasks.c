/*
 * Tests of the agent's task queue (agent/tasks.c): tasks of a heartbeat
 * answer are kept across a reopen, a resent id is not queued twice, and an
 * answer with a malformed task stores none of it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "tmpdir_fixture.h"
#include "tasks.h"

static rq_taskq *open_q(void)
{
	char path[4200];
	snprintf(path, sizeof(path), "%s/tasks.db", tmp);
	rq_taskq *q = NULL;
	if (rq_taskq_open(&q, path))
		fail_msg("open: %s", rq_error_last());
	return q;
}

static void test_add_and_reopen(void **state)
{
	rq_taskq *q = open_q();
	json_t *tasks = json_loads("[{\"id\": 5, \"kind\": \"scan\", \"params\": {\"scan_kind\": \"quick\"}, "
				   "\"expires_at\": 1764100000}, {\"id\": 6, \"kind\": \"update\"}]", 0, NULL);
	size_t added = 0;
	uint64_t n = 0;
	assert_int_equal(rq_taskq_add(q, tasks, 1764000000, &added), 0);
	assert_int_equal(added, 2);
	assert_int_equal(rq_taskq_add(q, tasks, 1764000001, &added), 0); /* resent: nothing new */
	assert_int_equal(added, 0);
	json_t *none = json_array();
	assert_int_equal(rq_taskq_add(q, none, 1, &added), 0);
	json_decref(none);
	rq_taskq_close(q);
	q = open_q();
	assert_int_equal(rq_taskq_count(q, "pending", &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(rq_taskq_count(q, "done", &n), 0);
	assert_int_equal(n, 0);
	/* a malformed element: the whole answer is refused */
	json_t *bad = json_loads("[{\"id\": 7, \"kind\": \"scan\"}, {\"kind\": \"delete\"}]", 0, NULL);
	assert_int_equal(rq_taskq_add(q, bad, 1, &added), RQ_EPARSE);
	assert_int_equal(added, 0);
	assert_int_equal(rq_taskq_count(q, NULL, &n), 0);
	assert_int_equal(n, 2);
	rq_taskq_close(q);
	json_decref(tasks);
	json_decref(bad);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_add_and_reopen, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
