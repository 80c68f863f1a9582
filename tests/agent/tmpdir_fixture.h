/*
 * The fixture the agent's unit tests share: a fresh scratch folder `tmp`
 * per test (setup), removed afterwards (teardown).
 */
#ifndef RQ_TEST_AGENT_TMPDIR_FIXTURE_H
#define RQ_TEST_AGENT_TMPDIR_FIXTURE_H

#include <stdlib.h>

#include "testutil.h"

static char *tmp;

static int setup(void **state)
{
	tmp = rq_test_tmpdir();
	return 0;
}

static int teardown(void **state)
{
	rq_test_rmtree(tmp);
	free(tmp);
	return 0;
}

#endif
