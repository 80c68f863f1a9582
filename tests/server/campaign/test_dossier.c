/*
 * The dossier rule (server/campaign/dossier.c) as a matrix: every role x
 * level 1-5 x (from, to) pair of states against the table written out
 * here from refs/security-levels.md, plus out-of-range values denied.
 */
#include <stdio.h>
#include <string.h>

#include "testutil.h"
#include "campaign/dossier.h"

#define D RQ_DOSSIER_DRAFT
#define S RQ_DOSSIER_SUBMITTED
enum { O = 1 << RQ_ROLE_OFFICER, M = 1 << RQ_ROLE_ADMIN }; /* who may, as a bit set */

/* want[level-1][from][to]: the roles allowed, 0 for nobody. */
static const int want[5][4][4] = {
	/* level 1 and 2: the unit appraises and approves */
	{{0, O, 0, 0}, {O, 0, O, 0}, {O, 0, 0, O}, {0, 0, 0, 0}},
	{{0, O, 0, 0}, {O, 0, O, 0}, {O, 0, 0, O}, {0, 0, 0, 0}},
	/* level 3: the unit appraises, the owner (recorded by the department) approves */
	{{0, O, 0, 0}, {O, 0, O, 0}, {M, 0, 0, M}, {0, 0, 0, 0}},
	/* level 4: the national authority appraises, the owner approves */
	{{0, O, 0, 0}, {M, 0, M, 0}, {M, 0, 0, M}, {0, 0, 0, 0}},
	/* level 5: the national authority appraises, the Government approves */
	{{0, O, 0, 0}, {M, 0, M, 0}, {M, 0, 0, M}, {0, 0, 0, 0}},
};

static void test_matrix(void **state)
{
	(void)state;
	int checked = 0;
	for (int role = 0; role < RQ_ROLE_COUNT; role++)
		for (int level = 1; level <= 5; level++)
			for (int from = 0; from < 4; from++)
				for (int to = 0; to < 4; to++) {
					int expect = (want[level - 1][from][to] >> role) & 1;
					int got = rq_dossier_allows((rq_role)role, level, (rq_dossier_state)from,
								    (rq_dossier_state)to);
					if (got != expect)
						fail_msg("role %s level %d %s -> %s: got %d, want %d",
							 rq_role_name((rq_role)role), level,
							 rq_dossier_state_name((rq_dossier_state)from),
							 rq_dossier_state_name((rq_dossier_state)to), got, expect);
					checked++;
				}
	assert_int_equal(checked, RQ_ROLE_COUNT * 5 * 16);
	/* a downstream server (the national tier) is no dossier authority */
	for (int level = 1; level <= 5; level++)
		assert_false(rq_dossier_allows(RQ_ROLE_DOWNSTREAM, level, D, S));
	/* viewers never, whatever the step */
	for (int level = 1; level <= 5; level++)
		assert_false(rq_dossier_allows(RQ_ROLE_VIEWER, level, D, S));
}

static void test_out_of_range(void **state)
{
	(void)state;
	assert_false(rq_dossier_allows(RQ_ROLE_OFFICER, 0, D, S));
	assert_false(rq_dossier_allows(RQ_ROLE_OFFICER, 6, D, S));
	assert_false(rq_dossier_allows(RQ_ROLE_OFFICER, -1, D, S));
	assert_false(rq_dossier_allows((rq_role)RQ_ROLE_COUNT, 1, D, S));
	assert_false(rq_dossier_allows((rq_role)-1, 1, D, S));
	assert_false(rq_dossier_allows(RQ_ROLE_OFFICER, 1, (rq_dossier_state)4, D));
	assert_false(rq_dossier_allows(RQ_ROLE_OFFICER, 1, D, (rq_dossier_state)-1));
	assert_int_equal(rq_dossier_appraiser(0), -1);
	assert_int_equal(rq_dossier_approver(6), -1);
	assert_int_equal(rq_authority_role((rq_authority)RQ_AUTH_COUNT), -1);
}

static void test_authorities(void **state)
{
	(void)state;
	/* the reference's table, by name */
	const char *appraise[5] = {"owner_security", "owner_security", "owner_security", "national", "national"};
	const char *approve[5] = {"owner_security", "owner_security", "owner", "owner", "government"};
	for (int level = 1; level <= 5; level++) {
		assert_string_equal(rq_authority_name((rq_authority)rq_dossier_appraiser(level)), appraise[level - 1]);
		assert_string_equal(rq_authority_name((rq_authority)rq_dossier_approver(level)), approve[level - 1]);
	}
	for (int s = 0; s < RQ_DOSSIER_STATE_COUNT; s++)
		assert_int_equal(rq_dossier_state_parse(rq_dossier_state_name((rq_dossier_state)s)), s);
	assert_int_equal(rq_dossier_state_parse("Approved"), -1);
	assert_int_equal(rq_dossier_state_parse(NULL), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_matrix),
		cmocka_unit_test(test_out_of_range),
		cmocka_unit_test(test_authorities),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
