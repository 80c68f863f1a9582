/*
 * Tests of the server's authentication primitives (server/auth/): argon2id
 * hashes verify only the right password and resist tampering; tokens are
 * random, well-formed, hashed for storage and compared in constant time;
 * CSRF tokens are bound to their session and key; the login throttle waits
 * after repeated failures per account and per address; and the whole
 * authorisation table as a matrix of every role x action x scope.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "auth/authz.h"
#include "auth/password.h"
#include "auth/throttle.h"
#include "auth/token.h"

static void test_password(void **state)
{
	char h1[RQ_PASSWORD_HASH_MAX], h2[RQ_PASSWORD_HASH_MAX];
	const char *pw = "Mật khẩu 2023!"; /* UTF-8 bytes, as typed in the dashboard */
	assert_int_equal(rq_password_hash(pw, strlen(pw), h1), 0);
	assert_int_equal(rq_password_hash(pw, strlen(pw), h2), 0);
	assert_string_not_equal(h1, h2); /* fresh salt each time */
	assert_true(!strncmp(h1, "$argon2id$v=19$m=19456,t=2,p=1$", 31));
	assert_true(rq_password_verify(h1, pw, strlen(pw)));
	assert_false(rq_password_verify(h1, pw, strlen(pw) - 1));
	assert_false(rq_password_verify(h1, "mật khẩu 2023!", strlen(pw) - 1));
	assert_false(rq_password_needs_rehash(h1));
	/* any changed character of the stored hash: no match */
	for (size_t i = 0; h1[i]; i++) {
		char t[RQ_PASSWORD_HASH_MAX];
		strcpy(t, h1);
		t[i] = t[i] == 'A' ? 'B' : 'A';
		assert_false(rq_password_verify(t, pw, strlen(pw)));
	}
	assert_false(rq_password_verify("$argon2i$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaA", pw, strlen(pw)));
	assert_false(rq_password_verify(NULL, pw, strlen(pw)));
	assert_true(rq_password_needs_rehash("$argon2id$v=19$m=4096,t=3,p=1$c2FsdHNhbHQ$aGFzaA"));
	assert_int_equal(rq_password_check_new("short", 5), RQ_EINVAL);
	assert_int_equal(rq_password_check_new("long enough", 11), 0);
	assert_int_equal(rq_password_check_new("with\0nul inside", 15), RQ_EINVAL);
}

static void test_tokens(void **state)
{
	char a[RQ_TOKEN_MAX], b[RQ_TOKEN_MAX];
	assert_int_equal(rq_token_new("rqa", a), 0);
	assert_int_equal(rq_token_new("rqa", b), 0);
	assert_int_equal(strlen(a), 4 + 43);
	assert_string_not_equal(a, b);
	assert_true(rq_token_well_formed("rqa", a, strlen(a)));
	assert_false(rq_token_well_formed("rqt", a, strlen(a)));
	assert_false(rq_token_well_formed("rqa", a, strlen(a) - 1));
	char bad[RQ_TOKEN_MAX];
	strcpy(bad, a);
	bad[10] = '\'';
	assert_false(rq_token_well_formed("rqa", bad, strlen(bad)));
	assert_int_equal(rq_token_new("RQ", a), RQ_EINVAL);
	assert_int_equal(rq_token_new("", a), RQ_EINVAL);
	char h[RQ_TOKEN_HASH_LEN], h2[RQ_TOKEN_HASH_LEN];
	assert_int_equal(rq_token_hash("abc", 3, h), 0);
	assert_string_equal(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	assert_int_equal(rq_token_hash(b, strlen(b), h2), 0);
	assert_string_not_equal(h, h2);
	assert_true(rq_token_equal("abc", 3, "abc", 3));
	assert_false(rq_token_equal("abc", 3, "abd", 3));
	assert_false(rq_token_equal("abc", 3, "abcd", 4));
	/* CSRF: same session and key, same token; either changed, another */
	uint8_t k1[32], k2[32];
	memset(k1, 1, sizeof(k1));
	memset(k2, 2, sizeof(k2));
	char c1[RQ_TOKEN_MAX], c2[RQ_TOKEN_MAX], c3[RQ_TOKEN_MAX], c4[RQ_TOKEN_MAX];
	assert_int_equal(rq_csrf_token(k1, "rqs_session1", 12, c1), 0);
	assert_int_equal(rq_csrf_token(k1, "rqs_session1", 12, c2), 0);
	assert_int_equal(rq_csrf_token(k1, "rqs_session2", 12, c3), 0);
	assert_int_equal(rq_csrf_token(k2, "rqs_session1", 12, c4), 0);
	assert_string_equal(c1, c2);
	assert_string_not_equal(c1, c3);
	assert_string_not_equal(c1, c4);
	assert_int_equal(strlen(c1), 43);
}

static void test_throttle(void **state)
{
	rq_throttle *t = NULL;
	assert_int_equal(rq_throttle_new(&t), 0);
	int64_t now = 1700000000;
	for (int i = 0; i < RQ_THROTTLE_FREE; i++) {
		assert_int_equal(rq_throttle_wait(t, "officer.hanoi", "10.0.0.5", now), 0);
		rq_throttle_failed(t, "officer.hanoi", "10.0.0.5", now);
	}
	/* over the free failures: the account must wait, from any address */
	assert_int_equal(rq_throttle_wait(t, "officer.hanoi", "10.0.0.5", now), RQ_THROTTLE_FIRST_WAIT);
	assert_int_equal(rq_throttle_wait(t, "officer.hanoi", "10.9.9.9", now), RQ_THROTTLE_FIRST_WAIT);
	/* and the address, for any account */
	assert_int_equal(rq_throttle_wait(t, "someone.else", "10.0.0.5", now), RQ_THROTTLE_FIRST_WAIT);
	assert_int_equal(rq_throttle_wait(t, "officer.hanoi", "10.0.0.5", now + RQ_THROTTLE_FIRST_WAIT), 0);
	/* the wait doubles, up to the ceiling */
	for (int i = 0; i < 20; i++)
		rq_throttle_failed(t, "officer.hanoi", "10.0.0.5", now);
	assert_int_equal(rq_throttle_wait(t, "officer.hanoi", "10.0.0.6", now), RQ_THROTTLE_MAX_WAIT);
	/* a success clears the account, not the address */
	rq_throttle_succeeded(t, "officer.hanoi", "10.0.0.5");
	assert_int_equal(rq_throttle_wait(t, "officer.hanoi", "10.0.0.7", now), 0);
	assert_int_equal(rq_throttle_wait(t, "x", "10.0.0.5", now), RQ_THROTTLE_MAX_WAIT);
	/* many other keys: memory stays bounded, recent entries survive */
	for (int i = 0; i < 3 * RQ_THROTTLE_SLOTS; i++) {
		char login[32];
		snprintf(login, sizeof(login), "spray%d", i);
		rq_throttle_failed(t, login, "192.168.1.1", now + 1 + i);
	}
	assert_true(rq_throttle_wait(t, "y", "192.168.1.1", now + 2 + 3 * RQ_THROTTLE_SLOTS) > 0);
	rq_throttle_free(t);
}

/* The expected table, written out independently of authz.c. */
static int expected(rq_role r, rq_action a, rq_scope s)
{
	if (r == RQ_ROLE_ADMIN)
		return 1;
	if (r == RQ_ROLE_DOWNSTREAM)
		return a == RQ_ACT_REPORT && s == RQ_SCOPE_OWN;
	if (a == RQ_ACT_READ)
		return s != RQ_SCOPE_OTHER;
	if (r == RQ_ROLE_OFFICER && (a == RQ_ACT_OPERATE || a == RQ_ACT_USERS))
		return s == RQ_SCOPE_OWN;
	return 0;
}

static void test_authz_matrix(void **state)
{
	int allowed = 0;
	for (int r = 0; r < RQ_ROLE_COUNT; r++)
		for (int a = 0; a < RQ_ACT_COUNT; a++)
			for (int s = 0; s < RQ_SCOPE_COUNT; s++) {
				int got = rq_authz_allows((rq_role)r, (rq_action)a, (rq_scope)s);
				if (got != expected((rq_role)r, (rq_action)a, (rq_scope)s))
					fail_msg("role %s action %d scope %d: got %d", rq_role_name((rq_role)r), a, s, got);
				allowed += got;
			}
	assert_int_equal(allowed, 18 + 4 + 2 + 1);
	/* out of range: denied */
	assert_false(rq_authz_allows(RQ_ROLE_COUNT, RQ_ACT_READ, RQ_SCOPE_OWN));
	assert_false(rq_authz_allows(RQ_ROLE_ADMIN, RQ_ACT_COUNT, RQ_SCOPE_OWN));
	assert_false(rq_authz_allows(RQ_ROLE_ADMIN, RQ_ACT_READ, (rq_scope)-1));
	/* granting: never above one's own role */
	assert_true(rq_authz_may_grant(RQ_ROLE_ADMIN, RQ_ROLE_ADMIN));
	assert_false(rq_authz_may_grant(RQ_ROLE_OFFICER, RQ_ROLE_ADMIN));
	assert_true(rq_authz_may_grant(RQ_ROLE_OFFICER, RQ_ROLE_OFFICER));
	assert_true(rq_authz_may_grant(RQ_ROLE_OFFICER, RQ_ROLE_VIEWER));
	assert_false(rq_authz_may_grant(RQ_ROLE_VIEWER, RQ_ROLE_VIEWER));
	assert_false(rq_authz_may_grant(RQ_ROLE_ADMIN, RQ_ROLE_DOWNSTREAM));
	assert_false(rq_authz_may_grant(RQ_ROLE_DOWNSTREAM, RQ_ROLE_VIEWER));
	assert_int_equal(rq_role_parse("officer"), RQ_ROLE_OFFICER);
	assert_int_equal(rq_role_parse("root"), -1);
	/* a downstream server is not a role a user can be given */
	assert_int_equal(rq_role_parse("downstream"), -1);
	assert_string_equal(rq_role_name(RQ_ROLE_DOWNSTREAM), "downstream");
	assert_string_equal(rq_role_name(RQ_ROLE_VIEWER), "viewer");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_password),
		cmocka_unit_test(test_tokens),
		cmocka_unit_test(test_throttle),
		cmocka_unit_test(test_authz_matrix),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
