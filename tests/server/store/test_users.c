/*
 * Tests of users, sessions and API tokens in the store on both backends:
 * round trips with SQL metacharacters, subtree listing with paging,
 * partial updates, session expiry (absolute, idle, disabled user) and the
 * throttled last_seen refresh, API token expiry and revocation.
 */
#include "store_fixture.h"
#include "store/units.h"
#include "store/users.h"

typedef struct seen {
	int n;
	char logins[16][80];
} seen;

static int collect(const rq_user *u, void *payload)
{
	seen *s = payload;
	if (s->n < 16)
		snprintf(s->logins[s->n++], sizeof(s->logins[0]), "%s", u->login);
	return 0;
}

static void test_user_crud(void **state)
{
	fx *f = *state;
	int64_t unit, id, id2, dup, n;
	rq_user u;
	FX_OK(rq_store_unit_create(f->s, &unit, 0, "U", "u", "", 1));
	FX_OK(rq_store_user_create(f->s, &id, fx_nasty, fx_nasty, RQ_ROLE_OFFICER, unit, "$argon2id$x", 10));
	FX_OK(rq_store_user_create(f->s, &id2, "root", "", RQ_ROLE_ADMIN, 0, "$argon2id$y", 11));
	assert_int_equal(rq_store_user_create(f->s, &dup, fx_nasty, "", RQ_ROLE_VIEWER, 0, "h", 12),
			 RQ_STORE_ECONSTRAINT);
	assert_int_equal(rq_store_user_create(f->s, &dup, "ghost", "", RQ_ROLE_VIEWER, 999, "h", 12),
			 RQ_STORE_ECONSTRAINT);
	assert_int_equal(rq_store_user_create(f->s, &dup, "", "", RQ_ROLE_VIEWER, 0, "h", 12), RQ_EINVAL);

	FX_OK(rq_store_user_by_login(f->s, fx_nasty, &u));
	assert_true(u.id == id && u.role == RQ_ROLE_OFFICER && u.unit_id == unit && !u.disabled);
	assert_string_equal(u.display_name, fx_nasty);
	assert_string_equal(u.password_hash, "$argon2id$x");
	assert_true(u.created_at == 10 && u.last_login == 0);
	rq_store_user_clear(&u);
	assert_int_equal(rq_store_user_by_login(f->s, "' OR '1'='1", &u), RQ_ENOTFOUND);
	assert_int_equal(rq_store_user_get(f->s, 4242, &u), RQ_ENOTFOUND);

	/* partial update: only what is set changes */
	rq_user_change c = RQ_USER_KEEP;
	c.display_name = "New Name";
	c.disabled = 1;
	FX_OK(rq_store_user_update(f->s, id, &c, 20));
	FX_OK(rq_store_user_get(f->s, id, &u));
	assert_string_equal(u.display_name, "New Name");
	assert_true(u.disabled && u.role == RQ_ROLE_OFFICER && u.unit_id == unit && u.updated_at == 20);
	assert_string_equal(u.password_hash, "$argon2id$x");
	rq_store_user_clear(&u);
	rq_user_change c2 = RQ_USER_KEEP;
	c2.role = RQ_ROLE_VIEWER;
	c2.set_unit = 1;
	c2.unit_id = 0;
	c2.password_hash = "$argon2id$z";
	c2.disabled = 0;
	FX_OK(rq_store_user_update(f->s, id, &c2, 21));
	FX_OK(rq_store_user_set_last_login(f->s, id, 22));
	FX_OK(rq_store_user_get(f->s, id, &u));
	assert_true(u.role == RQ_ROLE_VIEWER && u.unit_id == 0 && !u.disabled && u.last_login == 22);
	assert_string_equal(u.display_name, "New Name");
	assert_string_equal(u.password_hash, "$argon2id$z");
	rq_store_user_clear(&u);
	c2.set_unit = 1;
	c2.unit_id = 31337;
	assert_int_equal(rq_store_user_update(f->s, id, &c2, 23), RQ_STORE_ECONSTRAINT);
	assert_int_equal(rq_store_user_update(f->s, 4242, &c, 23), RQ_ENOTFOUND);

	FX_OK(rq_store_user_count(f->s, &n));
	assert_int_equal(n, 2);
	FX_OK(rq_store_user_count_enabled_admins(f->s, &n));
	assert_int_equal(n, 1);
	rq_user_change off = RQ_USER_KEEP;
	off.disabled = 1;
	FX_OK(rq_store_user_update(f->s, id2, &off, 24));
	FX_OK(rq_store_user_count_enabled_admins(f->s, &n));
	assert_int_equal(n, 0);

	/* deleting takes the sessions and tokens with it */
	int64_t tok;
	FX_OK(rq_store_session_create(f->s, "sess", id, "csrf", 30, 100, "::1", "curl"));
	FX_OK(rq_store_apitoken_create(f->s, &tok, id, "t", "tokhash", 30, 0));
	FX_OK(rq_store_user_delete(f->s, id));
	assert_int_equal(rq_store_user_delete(f->s, id), RQ_ENOTFOUND);
	assert_int_equal(fx_int(f->s, "SELECT COUNT(*) FROM sessions"), 0);
	assert_int_equal(fx_int(f->s, "SELECT COUNT(*) FROM api_tokens"), 0);
	FX_OK(rq_store_user_count(f->s, &n));
	assert_int_equal(n, 1);
}

static void test_user_list(void **state)
{
	fx *f = *state;
	int64_t top, mid, leaf, other, id, total;
	FX_OK(rq_store_unit_create(f->s, &top, 0, "Top", "top", "", 1));
	FX_OK(rq_store_unit_create(f->s, &mid, top, "Mid", "mid", "", 1));
	FX_OK(rq_store_unit_create(f->s, &leaf, mid, "Leaf", "leaf", "", 1));
	FX_OK(rq_store_unit_create(f->s, &other, 0, "Other", "other", "", 1));
	FX_OK(rq_store_user_create(f->s, &id, "a-province", "", RQ_ROLE_ADMIN, 0, "h", 1));
	FX_OK(rq_store_user_create(f->s, &id, "b-top", "", RQ_ROLE_OFFICER, top, "h", 1));
	FX_OK(rq_store_user_create(f->s, &id, "c-mid", "", RQ_ROLE_OFFICER, mid, "h", 1));
	FX_OK(rq_store_user_create(f->s, &id, "d-leaf", "", RQ_ROLE_VIEWER, leaf, "h", 1));
	FX_OK(rq_store_user_create(f->s, &id, "e-other", "", RQ_ROLE_VIEWER, other, "h", 1));

	seen s = { 0 };
	FX_OK(rq_store_user_list(f->s, 0, 0, 0, collect, &s, &total));
	assert_int_equal(s.n, 5);
	assert_int_equal(total, 5);
	assert_string_equal(s.logins[0], "a-province");

	memset(&s, 0, sizeof(s));
	FX_OK(rq_store_user_list(f->s, mid, 0, 0, collect, &s, &total));
	assert_int_equal(s.n, 2);
	assert_int_equal(total, 2);
	assert_string_equal(s.logins[0], "c-mid");
	assert_string_equal(s.logins[1], "d-leaf");

	/* paging: the total counts every match, the page only its slice */
	memset(&s, 0, sizeof(s));
	FX_OK(rq_store_user_list(f->s, top, 2, 1, collect, &s, &total));
	assert_int_equal(total, 3);
	assert_int_equal(s.n, 2);
	assert_string_equal(s.logins[0], "c-mid");
	assert_string_equal(s.logins[1], "d-leaf");
	memset(&s, 0, sizeof(s));
	FX_OK(rq_store_user_list(f->s, top, 10, 5, collect, &s, NULL));
	assert_int_equal(s.n, 0);
	assert_int_equal(rq_store_user_list(f->s, top, -1, 0, collect, &s, NULL), RQ_EINVAL);
}

static void test_sessions(void **state)
{
	fx *f = *state;
	int64_t id, other, n;
	rq_session se;
	FX_OK(rq_store_user_create(f->s, &id, "alice", "Alice", RQ_ROLE_ADMIN, 0, "h", 1));
	FX_OK(rq_store_user_create(f->s, &other, "bob", "", RQ_ROLE_VIEWER, 0, "h", 1));
	FX_OK(rq_store_session_create(f->s, fx_nasty, id, "csrf-1", 1000, 2000, "127.0.0.1", fx_nasty));
	assert_int_equal(rq_store_session_create(f->s, fx_nasty, id, "csrf-x", 1000, 2000, NULL, NULL),
			 RQ_STORE_ECONSTRAINT);

	FX_OK(rq_store_session_lookup(f->s, fx_nasty, 1010, 300, &se));
	assert_true(se.user.id == id && se.user.role == RQ_ROLE_ADMIN && se.expires_at == 2000);
	assert_string_equal(se.user.login, "alice");
	assert_string_equal(se.csrf_token, "csrf-1");
	/* within RQ_SESSION_TOUCH_S and idle/8: not written */
	assert_int_equal(se.last_seen, 1000);
	rq_store_session_clear(&se);
	assert_int_equal(fx_int(f->s, "SELECT last_seen FROM sessions"), 1000);
	/* idle/8 = 37 s passed: refreshed */
	FX_OK(rq_store_session_lookup(f->s, fx_nasty, 1040, 300, &se));
	assert_int_equal(se.last_seen, 1040);
	rq_store_session_clear(&se);
	assert_int_equal(fx_int(f->s, "SELECT last_seen FROM sessions"), 1040);
	/* idle: unused for idle_s seconds */
	assert_int_equal(rq_store_session_lookup(f->s, fx_nasty, 1340, 300, &se), RQ_ENOTFOUND);
	assert_null(se.csrf_token);
	FX_OK(rq_store_session_lookup(f->s, fx_nasty, 1339, 300, &se));
	rq_store_session_clear(&se);
	/* no idle limit, but the absolute expiry stays */
	FX_OK(rq_store_session_lookup(f->s, fx_nasty, 1999, 0, &se));
	rq_store_session_clear(&se);
	assert_int_equal(rq_store_session_lookup(f->s, fx_nasty, 2000, 0, &se), RQ_ENOTFOUND);
	assert_int_equal(rq_store_session_lookup(f->s, "unknown", 1500, 0, &se), RQ_ENOTFOUND);

	/* a disabled user's session is dead */
	rq_user_change c = RQ_USER_KEEP;
	c.disabled = 1;
	FX_OK(rq_store_user_update(f->s, id, &c, 1500));
	assert_int_equal(rq_store_session_lookup(f->s, fx_nasty, 1500, 0, &se), RQ_ENOTFOUND);
	c.disabled = 0;
	FX_OK(rq_store_user_update(f->s, id, &c, 1500));
	FX_OK(rq_store_session_lookup(f->s, fx_nasty, 1500, 0, &se));
	rq_store_session_clear(&se);

	/* creating purges expired sessions of anyone */
	FX_OK(rq_store_session_create(f->s, "s2", id, "c2", 1500, 3000, NULL, NULL));
	FX_OK(rq_store_session_create(f->s, "s3", id, "c3", 1500, 3000, NULL, NULL));
	FX_OK(rq_store_session_create(f->s, "s4", other, "c4", 1500, 3000, NULL, NULL));
	FX_OK(rq_store_session_create(f->s, "s5", other, "c5", 2100, 3000, NULL, NULL));
	assert_int_equal(fx_int_text(f->s, "SELECT COUNT(*) FROM sessions WHERE token_hash = $1", fx_nasty), 0);

	/* ending all but one, then one */
	FX_OK(rq_store_session_delete_user(f->s, id, "s3", &n));
	assert_int_equal(n, 1);
	assert_int_equal(rq_store_session_lookup(f->s, "s2", 2200, 0, &se), RQ_ENOTFOUND);
	FX_OK(rq_store_session_lookup(f->s, "s3", 2200, 0, &se));
	rq_store_session_clear(&se);
	FX_OK(rq_store_session_delete(f->s, "s3"));
	assert_int_equal(rq_store_session_delete(f->s, "s3"), RQ_ENOTFOUND);
	FX_OK(rq_store_session_delete_user(f->s, other, NULL, &n));
	assert_int_equal(n, 2);
	assert_int_equal(fx_int(f->s, "SELECT COUNT(*) FROM sessions"), 0);
}

typedef struct tokens_seen {
	int n;
	int64_t ids[8];
	int revoked[8];
} tokens_seen;

static int collect_token(const rq_apitoken *t, void *payload)
{
	tokens_seen *s = payload;
	if (s->n < 8) {
		s->ids[s->n] = t->id;
		s->revoked[s->n++] = t->revoked;
	}
	return 0;
}

static void test_api_tokens(void **state)
{
	fx *f = *state;
	int64_t alice, bob, t1, t2, t3, tid, total, n;
	rq_user u;
	rq_apitoken t;
	FX_OK(rq_store_user_create(f->s, &alice, "alice", "", RQ_ROLE_OFFICER, 0, "h", 1));
	FX_OK(rq_store_user_create(f->s, &bob, "bob", "", RQ_ROLE_VIEWER, 0, "h", 1));
	FX_OK(rq_store_apitoken_create(f->s, &t1, alice, fx_nasty, "hash-1", 100, 0));
	FX_OK(rq_store_apitoken_create(f->s, &t2, alice, "expiring", "hash-2", 100, 500));
	FX_OK(rq_store_apitoken_create(f->s, &t3, bob, "bob's", fx_nasty, 100, 0));
	assert_int_equal(rq_store_apitoken_create(f->s, &tid, bob, "", "hash-1", 100, 0), RQ_STORE_ECONSTRAINT);
	assert_int_equal(rq_store_apitoken_create(f->s, &tid, 999, "", "hash-9", 100, 0), RQ_STORE_ECONSTRAINT);

	FX_OK(rq_store_apitoken_lookup(f->s, "hash-1", 200, &u, &tid));
	assert_true(u.id == alice && tid == t1 && u.role == RQ_ROLE_OFFICER);
	rq_store_user_clear(&u);
	assert_int_equal(fx_int(f->s, "SELECT last_used FROM api_tokens WHERE token_hash = 'hash-1'"), 200);
	FX_OK(rq_store_apitoken_lookup(f->s, "hash-1", 230, &u, &tid));
	rq_store_user_clear(&u);
	assert_int_equal(fx_int(f->s, "SELECT last_used FROM api_tokens WHERE token_hash = 'hash-1'"), 200);
	FX_OK(rq_store_apitoken_lookup(f->s, fx_nasty, 200, &u, &tid));
	assert_true(u.id == bob && tid == t3);
	rq_store_user_clear(&u);
	assert_int_equal(rq_store_apitoken_lookup(f->s, "' OR '1'='1", 200, &u, &tid), RQ_ENOTFOUND);
	/* expiry */
	FX_OK(rq_store_apitoken_lookup(f->s, "hash-2", 499, &u, &tid));
	rq_store_user_clear(&u);
	assert_int_equal(rq_store_apitoken_lookup(f->s, "hash-2", 500, &u, &tid), RQ_ENOTFOUND);
	assert_true(tid == 0 && u.login == NULL);

	FX_OK(rq_store_apitoken_get(f->s, t1, &t));
	assert_true(t.user_id == alice && t.created_at == 100 && t.expires_at == 0 && t.last_used == 200);
	assert_string_equal(t.name, fx_nasty);
	assert_string_equal(t.login, "alice");
	rq_store_apitoken_clear(&t);
	assert_int_equal(rq_store_apitoken_get(f->s, 777, &t), RQ_ENOTFOUND);

	/* revocation */
	FX_OK(rq_store_apitoken_revoke(f->s, t1));
	assert_int_equal(rq_store_apitoken_revoke(f->s, t1), RQ_ENOTFOUND);
	assert_int_equal(rq_store_apitoken_lookup(f->s, "hash-1", 300, &u, &tid), RQ_ENOTFOUND);

	tokens_seen s = { 0 };
	FX_OK(rq_store_apitoken_list(f->s, alice, 0, 0, collect_token, &s, &total));
	assert_int_equal(total, 2);
	assert_int_equal(s.n, 2);
	assert_true(s.ids[0] == t2 && s.ids[1] == t1 && !s.revoked[0] && s.revoked[1]);
	memset(&s, 0, sizeof(s));
	FX_OK(rq_store_apitoken_list(f->s, 0, 1, 1, collect_token, &s, &total));
	assert_int_equal(total, 3);
	assert_true(s.n == 1 && s.ids[0] == t2);

	/* a disabled user's tokens stop working; revoking all of a user's */
	rq_user_change c = RQ_USER_KEEP;
	c.disabled = 1;
	FX_OK(rq_store_user_update(f->s, bob, &c, 300));
	assert_int_equal(rq_store_apitoken_lookup(f->s, fx_nasty, 300, &u, &tid), RQ_ENOTFOUND);
	FX_OK(rq_store_apitoken_revoke_user(f->s, alice, &n));
	assert_int_equal(n, 1);
	FX_OK(rq_store_apitoken_revoke_user(f->s, alice, &n));
	assert_int_equal(n, 0);
}

int main(void)
{
	struct CMUnitTest tests[] = {
		cmocka_unit_test(test_user_crud),
		cmocka_unit_test(test_user_list),
		cmocka_unit_test(test_sessions),
		cmocka_unit_test(test_api_tokens),
	};
	return RUN_BOTH("store users", tests, 0);
}
