/*
 * Tests of enrollment tokens and enrollment on both backends: expiry,
 * revocation and use counts, enrollment writing endpoint and credential
 * together, and the last uses of a token raced by two threads on two
 * connections (exactly max_uses succeed).
 */
#include <pthread.h>

#include "store_fixture.h"
#include "store/endpoints.h"
#include "store/tokens.h"
#include "store/units.h"

static void test_consume_rules(void **state)
{
	fx *f = *state;
	int64_t unit, t1, t2, t3, tx, got_unit, got_tok;
	FX_OK(rq_store_unit_create(f->s, &unit, 0, "U", "u", "", 1));
	FX_OK(rq_store_token_create(f->s, &t1, unit, "hash-1", fx_nasty, 1000, 2, 0, 10));
	FX_OK(rq_store_token_create(f->s, &t2, unit, "hash-2", "", 1000, 5, 0, 10));
	FX_OK(rq_store_token_create(f->s, &t3, unit, fx_nasty, "", 500, 1, 0, 10));
	assert_int_equal(rq_store_token_create(f->s, &tx, unit, "hash-1", "", 1000, 1, 0, 10), RQ_STORE_ECONSTRAINT);
	assert_int_equal(rq_store_token_create(f->s, &tx, unit, "hash-x", "", 1000, 0, 0, 10), RQ_EINVAL);
	assert_int_equal(rq_store_token_create(f->s, &tx, 777, "hash-y", "", 1000, 1, 0, 10), RQ_STORE_ECONSTRAINT);

	assert_int_equal(fx_int_text(f->s, "SELECT id FROM enrollment_tokens WHERE label = $1", fx_nasty), t1);
	assert_int_equal(fx_int_text(f->s, "SELECT id FROM enrollment_tokens WHERE token_hash = $1", fx_nasty), t3);
	FX_OK(rq_store_token_consume(f->s, "hash-1", 999, &got_unit, &got_tok));
	assert_true(got_unit == unit && got_tok == t1);
	FX_OK(rq_store_token_consume(f->s, "hash-1", 999, &got_unit, NULL));
	/* used up */
	assert_int_equal(rq_store_token_consume(f->s, "hash-1", 999, &got_unit, NULL), RQ_ENOTFOUND);
	assert_true(got_unit == 0);
	/* expired: valid strictly before expires_at */
	assert_int_equal(rq_store_token_consume(f->s, "hash-2", 1000, &got_unit, NULL), RQ_ENOTFOUND);
	/* unknown, and a hash full of metacharacters matching only itself */
	assert_int_equal(rq_store_token_consume(f->s, "' OR '1'='1", 1, &got_unit, NULL), RQ_ENOTFOUND);
	FX_OK(rq_store_token_consume(f->s, fx_nasty, 499, &got_unit, NULL));
	/* revoked */
	FX_OK(rq_store_token_revoke(f->s, t2));
	assert_int_equal(rq_store_token_consume(f->s, "hash-2", 20, &got_unit, NULL), RQ_ENOTFOUND);
	assert_int_equal(rq_store_token_revoke(f->s, 4242), RQ_ENOTFOUND);
	assert_int_equal(fx_int(f->s, "SELECT uses FROM enrollment_tokens WHERE token_hash = 'hash-2'"), 0);
	assert_int_equal(fx_int(f->s, "SELECT uses FROM enrollment_tokens WHERE token_hash = 'hash-1'"), 2);
}

static void test_enroll(void **state)
{
	fx *f = *state;
	int64_t unit, tok, ep1, ep2, got_unit;
	char hash[128];
	rq_endpoint_status st = {.hostname = "pc-01", .machine_id = "same-clone-id", .realtime = -1, .firewall = -1};
	FX_OK(rq_store_unit_create(f->s, &unit, 0, "U", "u", "", 1));
	FX_OK(rq_store_token_create(f->s, &tok, unit, "enroll", "", 1000, 2, 0, 10));
	FX_OK(rq_store_enroll(f->s, "enroll", &st, "secret-hash-1", 50, &ep1, &got_unit));
	assert_true(got_unit == unit);
	/* a clone with the same hostname and machine id: a second endpoint */
	FX_OK(rq_store_enroll(f->s, "enroll", &st, "secret-hash-2", 60, &ep2, NULL));
	assert_true(ep1 != ep2);
	FX_OK(rq_store_credential_current(f->s, ep1, hash, sizeof(hash)));
	assert_string_equal(hash, "secret-hash-1");
	FX_OK(rq_store_credential_current(f->s, ep2, hash, sizeof(hash)));
	assert_string_equal(hash, "secret-hash-2");
	assert_int_equal(rq_store_credential_current(f->s, ep2, hash, 4), RQ_ELIMIT);
	/* the token is used up: nothing at all is written */
	int64_t before = fx_int(f->s, "SELECT COUNT(*) FROM endpoints");
	int64_t ep3;
	assert_int_equal(rq_store_enroll(f->s, "enroll", &st, "secret-hash-3", 70, &ep3, NULL), RQ_ENOTFOUND);
	assert_true(ep3 == 0);
	assert_int_equal(fx_int(f->s, "SELECT COUNT(*) FROM endpoints"), before);
	assert_int_equal(fx_int(f->s, "SELECT COUNT(*) FROM agent_credentials"), 2);
	/* an endpoint without a hostname fails after the token was counted: rolled back */
	FX_OK(rq_store_token_create(f->s, &tok, unit, "enroll-2", "", 1000, 1, 0, 10));
	rq_endpoint_status nameless = {.realtime = -1, .firewall = -1};
	assert_int_equal(rq_store_enroll(f->s, "enroll-2", &nameless, "s", 70, &ep3, NULL), RQ_EINVAL);
	assert_int_equal(fx_int(f->s, "SELECT uses FROM enrollment_tokens WHERE token_hash = 'enroll-2'"), 0);
}

#define RACE_TRIES 30
#define RACE_USES 20

typedef struct racer {
	const fx *f;
	int ok, errors;
	char why[256];
} racer;

static void *race(void *arg)
{
	racer *r = arg;
	rq_store *s = NULL;
	int64_t unit;
	if (rq_store_open(&s, r->f->url) < 0) {
		r->errors++;
		snprintf(r->why, sizeof(r->why), "%s", rq_error_last());
		return NULL;
	}
	for (int i = 0; i < RACE_TRIES; i++) {
		int rc = rq_store_token_consume(s, "shared", 100, &unit, NULL);
		if (rc == 0)
			r->ok++;
		else if (rc != RQ_ENOTFOUND) {
			r->errors++;
			snprintf(r->why, sizeof(r->why), "%s", rq_error_last());
		}
	}
	rq_store_close(s);
	return NULL;
}

static void test_race_for_last_uses(void **state)
{
	fx *f = *state;
	int64_t unit, tok;
	pthread_t th[2];
	racer r[2] = {{.f = f}, {.f = f}};
	FX_OK(rq_store_unit_create(f->s, &unit, 0, "U", "u", "", 1));
	FX_OK(rq_store_token_create(f->s, &tok, unit, "shared", "", 1000, RACE_USES, 0, 10));
	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&th[i], NULL, race, &r[i]), 0);
	for (int i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	for (int i = 0; i < 2; i++)
		if (r[i].errors)
			fail_msg("racer %d: %d errors, last: %s", i, r[i].errors, r[i].why);
	assert_int_equal(r[0].ok + r[1].ok, RACE_USES);
	assert_int_equal(fx_int(f->s, "SELECT uses FROM enrollment_tokens WHERE token_hash = 'shared'"), RACE_USES);
}

typedef struct seen {
	int count;
	int64_t ids[8], uses[8];
	int revoked[8];
	char labels[8][64];
} seen;

static int collect_tokens(const rq_enroll_token *t, void *payload)
{
	seen *s = payload;
	if (s->count < 8) {
		s->ids[s->count] = t->id;
		s->uses[s->count] = t->uses;
		s->revoked[s->count] = t->revoked;
		snprintf(s->labels[s->count], sizeof(s->labels[0]), "%s", t->label);
	}
	s->count++;
	return 0;
}

static void test_get_and_list(void **state)
{
	fx *f = *state;
	int64_t u1, u2, t1, t2, t3, got_unit, total;
	rq_enroll_token t;
	seen s;
	FX_OK(rq_store_unit_create(f->s, &u1, 0, "U1", "u1", "", 1));
	FX_OK(rq_store_unit_create(f->s, &u2, 0, "U2", "u2", "", 1));
	FX_OK(rq_store_exec(f->s, "INSERT INTO users (login, role, password_hash, created_at, updated_at)"
				  " VALUES ('ann', 'admin', 'x', 1, 1)"));
	int64_t ann = fx_int(f->s, "SELECT id FROM users");
	FX_OK(rq_store_token_create(f->s, &t1, u1, "h1", "Máy kế toán", 1000, 3, ann, 10));
	FX_OK(rq_store_token_create(f->s, &t2, u1, "h2", fx_nasty, 2000, 1, 0, 20));
	FX_OK(rq_store_token_create(f->s, &t3, u2, "h3", "", 2000, 1, 0, 30));
	FX_OK(rq_store_token_consume(f->s, "h1", 50, &got_unit, NULL));
	FX_OK(rq_store_token_revoke(f->s, t2));

	FX_OK(rq_store_token_get(f->s, t1, &t));
	assert_true(t.id == t1 && t.unit_id == u1 && t.created_by == ann && t.created_at == 10);
	assert_true(t.expires_at == 1000 && t.max_uses == 3 && t.uses == 1 && !t.revoked);
	assert_string_equal(t.label, "Máy kế toán");
	rq_store_token_clear(&t);
	FX_OK(rq_store_token_get(f->s, t2, &t));
	assert_true(t.revoked && t.created_by == 0);
	assert_string_equal(t.label, fx_nasty);
	rq_store_token_clear(&t);
	assert_int_equal(rq_store_token_get(f->s, 999, &t), RQ_ENOTFOUND);

	/* one unit's tokens only, newest first, paged */
	memset(&s, 0, sizeof(s));
	FX_OK(rq_store_token_list(f->s, u1, 10, 0, &total, collect_tokens, &s));
	assert_int_equal(total, 2);
	assert_true(s.count == 2 && s.ids[0] == t2 && s.ids[1] == t1 && s.revoked[0] && s.uses[1] == 1);
	memset(&s, 0, sizeof(s));
	FX_OK(rq_store_token_list(f->s, u1, 1, 1, &total, collect_tokens, &s));
	assert_true(total == 2 && s.count == 1 && s.ids[0] == t1);
	memset(&s, 0, sizeof(s));
	FX_OK(rq_store_token_list(f->s, u2, 10, 0, &total, collect_tokens, &s));
	assert_true(total == 1 && s.count == 1 && s.ids[0] == t3);
	/* the creator's account goes, the token stays */
	FX_OK(rq_store_exec(f->s, "DELETE FROM users"));
	FX_OK(rq_store_token_get(f->s, t1, &t));
	assert_true(t.created_by == 0);
	rq_store_token_clear(&t);
}

int main(void)
{
	struct CMUnitTest tests[] = {
		cmocka_unit_test(test_consume_rules),
		cmocka_unit_test(test_get_and_list),
		cmocka_unit_test(test_enroll),
		cmocka_unit_test(test_race_for_last_uses),
	};
	return RUN_BOTH("tokens", tests, 0);
}
