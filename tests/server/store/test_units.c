/*
 * Tests of units on both backends: CRUD with SQL metacharacters in every
 * text field, duplicate codes, moving without cycles, delete refused while
 * in use, and subtree queries on a tree as deep as the limit allows.
 */
#include "store_fixture.h"
#include "store/units.h"

typedef struct walk {
	int count, max_depth;
	int64_t ids[128];
	int depths[128];
} walk;

static int collect(const rq_unit *u, void *payload)
{
	walk *w = payload;
	if (w->count < 128) {
		w->ids[w->count] = u->id;
		w->depths[w->count] = u->depth;
	}
	w->count++;
	if (u->depth > w->max_depth)
		w->max_depth = u->depth;
	return 0;
}

static int stop_at_two(const rq_unit *u, void *payload)
{
	int *n = payload;
	(void)u;
	return ++*n == 2;
}

static void test_crud_roundtrip(void **state)
{
	fx *f = *state;
	int64_t p, c;
	rq_unit u;
	FX_OK(rq_store_unit_create(f->s, &p, 0, fx_nasty, "prov", fx_nasty, 100));
	FX_OK(rq_store_unit_create(f->s, &c, p, "Child", fx_nasty, "", 101));
	FX_OK(rq_store_unit_get(f->s, c, &u));
	assert_true(u.parent_id == p);
	assert_string_equal(u.name, "Child");
	assert_string_equal(u.code, fx_nasty);
	assert_string_equal(u.contact, "");
	assert_true(u.created_at == 101);
	rq_store_unit_clear(&u);
	FX_OK(rq_store_unit_get(f->s, p, &u));
	assert_true(u.parent_id == 0);
	assert_string_equal(u.name, fx_nasty);
	assert_string_equal(u.contact, fx_nasty);
	rq_store_unit_clear(&u);

	/* duplicate code, unknown parent */
	int64_t x;
	assert_int_equal(rq_store_unit_create(f->s, &x, 0, "again", "prov", "", 1), RQ_STORE_ECONSTRAINT);
	assert_int_equal(rq_store_unit_create(f->s, &x, 9999, "orphan", "o", "", 1), RQ_STORE_ECONSTRAINT);

	FX_OK(rq_store_unit_update(f->s, c, p, fx_nasty, "c2", fx_nasty, 200));
	FX_OK(rq_store_unit_get(f->s, c, &u));
	assert_string_equal(u.name, fx_nasty);
	assert_string_equal(u.code, "c2");
	assert_true(u.updated_at == 200);
	assert_true(u.created_at == 101);
	rq_store_unit_clear(&u);
	assert_int_equal(rq_store_unit_update(f->s, 9999, 0, "n", "c", "", 1), RQ_ENOTFOUND);
	assert_int_equal(rq_store_unit_update(f->s, c, 0, "n", "prov", "", 1), RQ_STORE_ECONSTRAINT);

	/* the parent is in use by its child */
	assert_int_equal(rq_store_unit_delete(f->s, p), RQ_STORE_ECONSTRAINT);
	FX_OK(rq_store_unit_delete(f->s, c));
	assert_int_equal(rq_store_unit_get(f->s, c, &u), RQ_ENOTFOUND);
	assert_int_equal(rq_store_unit_delete(f->s, c), RQ_ENOTFOUND);
	FX_OK(rq_store_unit_delete(f->s, p));
	assert_int_equal(fx_int(f->s, "SELECT COUNT(*) FROM units"), 0);
}

static void test_deep_tree(void **state)
{
	fx *f = *state;
	int64_t chain[RQ_STORE_MAX_UNIT_DEPTH], side[RQ_STORE_MAX_UNIT_DEPTH], extra;
	char code[32];
	walk w;
	int yes;
	/* a chain as deep as allowed, each level with one leaf beside it */
	for (int i = 0; i < RQ_STORE_MAX_UNIT_DEPTH; i++) {
		snprintf(code, sizeof(code), "c%d", i);
		FX_OK(rq_store_unit_create(f->s, &chain[i], i ? chain[i - 1] : 0, "level", code, "", 1));
		if (i > 0) {
			snprintf(code, sizeof(code), "s%d", i);
			FX_OK(rq_store_unit_create(f->s, &side[i], chain[i - 1], "leaf", code, "", 1));
		}
	}
	assert_int_equal(rq_store_unit_create(f->s, &extra, chain[RQ_STORE_MAX_UNIT_DEPTH - 1], "too deep", "deep", "", 1),
			 RQ_ELIMIT);

	memset(&w, 0, sizeof(w));
	FX_OK(rq_store_unit_subtree(f->s, chain[0], collect, &w));
	assert_int_equal(w.count, 2 * RQ_STORE_MAX_UNIT_DEPTH - 1);
	assert_int_equal(w.max_depth, RQ_STORE_MAX_UNIT_DEPTH - 1);
	assert_true(w.ids[0] == chain[0] && w.depths[0] == 0);
	for (int i = 1; i < w.count && i < 128; i++)
		assert_true(w.depths[i] >= w.depths[i - 1]); /* by depth */

	/* from the middle: levels 40..63 and their leaves 41..63 */
	memset(&w, 0, sizeof(w));
	FX_OK(rq_store_unit_subtree(f->s, chain[40], collect, &w));
	assert_int_equal(w.count, (RQ_STORE_MAX_UNIT_DEPTH - 40) + (RQ_STORE_MAX_UNIT_DEPTH - 41));
	assert_int_equal(w.max_depth, RQ_STORE_MAX_UNIT_DEPTH - 1 - 40);

	/* a leaf is its own subtree */
	memset(&w, 0, sizeof(w));
	FX_OK(rq_store_unit_subtree(f->s, side[5], collect, &w));
	assert_int_equal(w.count, 1);
	assert_int_equal(rq_store_unit_subtree(f->s, 123456, collect, &w), RQ_ENOTFOUND);
	int n = 0;
	assert_int_equal(rq_store_unit_subtree(f->s, chain[0], stop_at_two, &n), RQ_ESTOPPED);

	FX_OK(rq_store_unit_within(f->s, chain[63], chain[0], &yes));
	assert_true(yes);
	FX_OK(rq_store_unit_within(f->s, side[10], chain[9], &yes));
	assert_true(yes);
	FX_OK(rq_store_unit_within(f->s, side[10], chain[10], &yes));
	assert_false(yes);
	FX_OK(rq_store_unit_within(f->s, chain[3], chain[3], &yes));
	assert_true(yes);
	FX_OK(rq_store_unit_within(f->s, chain[2], chain[3], &yes));
	assert_false(yes);

	/* moves: never under itself or a descendant, never beyond the depth */
	assert_int_equal(rq_store_unit_update(f->s, chain[10], chain[30], "level", "c10", "", 2), RQ_EINVAL);
	assert_int_equal(rq_store_unit_update(f->s, chain[10], chain[10], "level", "c10", "", 2), RQ_EINVAL);
	assert_int_equal(rq_store_unit_update(f->s, chain[10], side[20], "level", "c10", "", 2), RQ_EINVAL);
	/* side[10] is outside, at depth 10: 10 + 1 + 53 levels below chain[10] is one too many */
	assert_int_equal(rq_store_unit_update(f->s, chain[10], side[10], "level", "c10", "", 2), RQ_ELIMIT);
	FX_OK(rq_store_unit_update(f->s, chain[10], side[9], "level", "c10", "", 2));
	FX_OK(rq_store_unit_update(f->s, chain[10], chain[9], "level", "c10", "", 2));
	/* a leaf moves anywhere within the depth; the top of the chain moves to the top level */
	FX_OK(rq_store_unit_update(f->s, side[5], side[7], "leaf", "s5", "", 2));
	FX_OK(rq_store_unit_within(f->s, side[5], chain[6], &yes));
	assert_true(yes);
	FX_OK(rq_store_unit_update(f->s, chain[50], 0, "level", "c50", "", 2));
	memset(&w, 0, sizeof(w));
	FX_OK(rq_store_unit_subtree(f->s, chain[0], collect, &w));
	assert_int_equal(w.count, 2 * RQ_STORE_MAX_UNIT_DEPTH - 1 - (14 + 13));
}

int main(void)
{
	struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crud_roundtrip),
		cmocka_unit_test(test_deep_tree),
	};
	return RUN_BOTH("units", tests, 0);
}
