/*
 * Tests of units on both backends: CRUD with SQL metacharacters in every
 * text field, duplicate codes, moving without cycles, delete refused while
 * in use, subtree queries on a tree as deep as the limit allows, the
 * paged flat list with endpoint counts, and what stops a deletion.
 */
#include "store_fixture.h"
#include "store/endpoints.h"
#include "store/tokens.h"
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

typedef struct listed {
	int count;
	int64_t ids[16], parents[16], endpoints[16];
	int depths[16];
} listed;

static int collect_list(const rq_unit *u, void *payload)
{
	listed *l = payload;
	if (l->count < 16) {
		l->ids[l->count] = u->id;
		l->parents[l->count] = u->parent_id;
		l->endpoints[l->count] = u->endpoint_count;
		l->depths[l->count] = u->depth;
	}
	l->count++;
	return 0;
}

static void test_list_and_usage(void **state)
{
	fx *f = *state;
	int64_t p, a, b, a1, q, tok, ep, total;
	listed l;
	rq_unit_usage use;
	FX_OK(rq_store_unit_create(f->s, &p, 0, "P", "p", "", 1));
	FX_OK(rq_store_unit_create(f->s, &a, p, "A", "a", "", 1));
	FX_OK(rq_store_unit_create(f->s, &b, p, "B", "b", "", 1));
	FX_OK(rq_store_unit_create(f->s, &a1, a, "A1", "a1", "", 1));
	FX_OK(rq_store_unit_create(f->s, &q, 0, "Q", "q", "", 1));
	FX_OK(rq_store_token_create(f->s, &tok, a, "h", "", 1000, 5, 0, 1));
	rq_endpoint_status st = {.hostname = "pc", .realtime = -1, .firewall = -1};
	FX_OK(rq_store_enroll(f->s, "h", &st, "s1", 2, &ep, NULL));
	FX_OK(rq_store_enroll(f->s, "h", &st, "s2", 2, &ep, NULL));

	/* the whole province: both top-level units at depth 0 */
	memset(&l, 0, sizeof(l));
	FX_OK(rq_store_unit_list(f->s, 0, 100, 0, &total, collect_list, &l));
	assert_int_equal(total, 5);
	assert_int_equal(l.count, 5);
	assert_true(l.ids[0] == p && l.ids[1] == q && l.depths[0] == 0 && l.depths[1] == 0);
	assert_true(l.ids[2] == a && l.endpoints[2] == 2 && l.parents[2] == p && l.depths[2] == 1);
	assert_true(l.ids[3] == b && l.endpoints[3] == 0);
	assert_true(l.ids[4] == a1 && l.depths[4] == 2);
	/* one subtree, depth from its root, paged */
	memset(&l, 0, sizeof(l));
	FX_OK(rq_store_unit_list(f->s, a, 100, 0, &total, collect_list, &l));
	assert_int_equal(total, 2);
	assert_true(l.count == 2 && l.ids[0] == a && l.depths[0] == 0 && l.ids[1] == a1 && l.depths[1] == 1);
	memset(&l, 0, sizeof(l));
	FX_OK(rq_store_unit_list(f->s, 0, 2, 2, &total, collect_list, &l));
	assert_int_equal(total, 5);
	assert_true(l.count == 2 && l.ids[0] == a && l.ids[1] == b);
	memset(&l, 0, sizeof(l));
	FX_OK(rq_store_unit_list(f->s, 0, 10, 50, &total, collect_list, &l));
	assert_true(total == 5 && l.count == 0);
	assert_int_equal(rq_store_unit_list(f->s, 4242, 10, 0, &total, collect_list, &l), RQ_ENOTFOUND);
	int n = 0;
	assert_int_equal(rq_store_unit_list(f->s, 0, 10, 0, &total, stop_at_two, &n),
			 RQ_ESTOPPED);

	FX_OK(rq_store_unit_usage(f->s, a, &use));
	assert_true(use.subunits == 1 && use.endpoints == 2 && use.users == 0);
	FX_OK(rq_store_exec(f->s, "INSERT INTO users (login, role, unit_id, password_hash, created_at, updated_at)"
				  " SELECT 'ann', 'officer', id, 'x', 1, 1 FROM units WHERE code = 'b'"));
	FX_OK(rq_store_unit_usage(f->s, b, &use));
	assert_true(use.subunits == 0 && use.endpoints == 0 && use.users == 1);
	assert_int_equal(rq_store_unit_delete(f->s, b), RQ_STORE_ECONSTRAINT);
	FX_OK(rq_store_unit_usage(f->s, p, &use));
	assert_true(use.subunits == 2 && use.endpoints == 0 && use.users == 0);
	int64_t depth = -1;
	FX_OK(rq_store_unit_depth(f->s, a1, &depth));
	assert_int_equal(depth, 2);
	FX_OK(rq_store_unit_depth(f->s, q, &depth));
	assert_int_equal(depth, 0);
	/* a unit's tokens go with it */
	FX_OK(rq_store_token_create(f->s, &tok, q, "hq", "", 1000, 5, 0, 1));
	FX_OK(rq_store_unit_delete(f->s, q));
	assert_int_equal(fx_int(f->s, "SELECT COUNT(*) FROM enrollment_tokens WHERE token_hash = 'hq'"), 0);
}

int main(void)
{
	struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crud_roundtrip),
		cmocka_unit_test(test_deep_tree),
		cmocka_unit_test(test_list_and_usage),
	};
	return RUN_BOTH("units", tests, 0);
}
