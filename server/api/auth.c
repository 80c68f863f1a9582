/*
 * Login, logout, "who am I" and the own password change of the admin API
 * (auth.h). A login answers the same for an unknown login, a wrong
 * password and a disabled account, and spends the same argon2id work on
 * each; failures are throttled per login and per client address.
 */
#include "api/auth.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "api/admin.h"
#include "api/users.h"
#include "auth/password.h"
#include "auth/throttle.h"
#include "config/config.h"
#include "http/json.h"
#include "http/log.h"
#include "store/users.h"

/* The Set-Cookie header: name, token, attributes; room for all of them. */
#define COOKIE_MAX 256

static const rq_json_field login_spec[] = {
	{ .name = "login", .type = RQ_JSON_STRING, .required = 1, .max = RQ_LOGIN_MAX },
	{ .name = "password", .type = RQ_JSON_STRING, .required = 1, .max = RQ_PASSWORD_MAX },
	{ .name = NULL },
};

static const rq_json_field password_spec[] = {
	{ .name = "old_password", .type = RQ_JSON_STRING, .required = 1, .max = RQ_PASSWORD_MAX },
	{ .name = "new_password", .type = RQ_JSON_STRING, .required = 1, .max = RQ_PASSWORD_MAX },
	{ .name = NULL },
};

/* A hash of no one's password, verified for unknown logins so that they
 * cost the same time as known ones. */
static char dummy_hash[RQ_PASSWORD_HASH_MAX];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

static void make_dummy(void)
{
	if (rq_password_hash("raquet: no such user here", 25, dummy_hash))
		dummy_hash[0] = '\0';
}

int rq_api_session_hash(const rq_http_req *req, char out[RQ_TOKEN_HASH_LEN])
{
	const char *cookie = rq_http_cookie(req, RQ_SESSION_COOKIE);
	out[0] = '\0';
	if (!cookie || !rq_token_well_formed(RQ_SESSION_PREFIX, cookie, strlen(cookie)))
		return RQ_ENOTFOUND;
	return rq_token_hash(cookie, strlen(cookie), out);
}

/* Set-Cookie for `token` kept `max_age` seconds (a NULL token clears it). */
static int set_cookie(const rq_api_ctx *ctx, rq_http_resp *resp, const char *token, int64_t max_age)
{
	char cookie[COOKIE_MAX];
	snprintf(cookie, sizeof(cookie), "%s=%s; HttpOnly; SameSite=Strict; Path=/; Max-Age=%lld%s",
		 RQ_SESSION_COOKIE, token ? token : "", (long long)(token ? max_age : 0),
		 ctx->secure_cookies ? "; Secure" : "");
	int rc = rq_http_resp_header(resp, "Set-Cookie", cookie);
	OPENSSL_cleanse(cookie, sizeof(cookie));
	return rc;
}

/* 1 (429 with Retry-After in resp) while `login` from `addr` must wait. */
static int throttled(const rq_api_ctx *ctx, rq_http_resp *resp, const char *login, const char *addr, int64_t now)
{
	int64_t wait = ctx->throttle ? rq_throttle_wait(ctx->throttle, login, addr, now) : 0;
	if (wait <= 0)
		return 0;
	char secs[32];
	snprintf(secs, sizeof(secs), "%lld", (long long)wait);
	rq_http_resp_header(resp, "Retry-After", secs);
	rq_http_resp_error(resp, 429, "throttled", "too many failed attempts: retry in %lld s", (long long)wait);
	return 1;
}

/* The audit record of a login attempt: made by the account tried, when it exists. */
static void audit_attempt(rq_store *s, const rq_http_req *req, const rq_user *u, const char *action,
			  const char *why)
{
	rq_caller c;
	memset(&c, 0, sizeof(c));
	c.store = s;
	c.req = req;
	if (u && u->login) {
		c.user_id = u->id;
		snprintf(c.login, sizeof(c.login), "%s", u->login);
	}
	if (rq_admin_audit(s, &c, action, "user", u ? u->id : 0, u ? u->unit_id : 0,
			   why ? json_pack("{s:s}", "reason", why) : NULL))
		rq_log(RQ_LOG_WARNING, "audit of %s: %s", action, rq_error_last());
}

/* What a successful login writes, in one transaction. */
typedef struct login_txn {
	const rq_user *user;
	const char *session_hash, *csrf, *new_hash;
	const rq_http_req *req;
	int64_t now, expires_at;
} login_txn;

static int login_in_txn(rq_store *s, void *payload)
{
	login_txn *t = payload;
	rq_caller c;
	int rc = rq_store_session_create(s, t->session_hash, t->user->id, t->csrf, t->now, t->expires_at,
					 rq_http_client_addr(t->req), rq_http_header_get(t->req, "User-Agent"));
	if (!rc)
		rc = rq_store_user_set_last_login(s, t->user->id, t->now);
	if (!rc && t->new_hash) {
		rq_user_change ch = RQ_USER_KEEP;
		ch.password_hash = t->new_hash;
		rc = rq_store_user_update(s, t->user->id, &ch, t->now);
	}
	if (!rc) {
		memset(&c, 0, sizeof(c));
		c.user_id = t->user->id;
		snprintf(c.login, sizeof(c.login), "%s", t->user->login);
		c.store = s;
		c.req = t->req;
		rc = rq_admin_audit(s, &c, "auth.login", "user", t->user->id, t->user->unit_id,
				    t->new_hash ? json_pack("{s:b}", "rehashed", 1) : NULL);
	}
	return rc;
}

static int login(const rq_http_req *req, rq_http_resp *resp, void *arg)
{
	const rq_api_ctx *ctx = arg;
	json_t *body = NULL;
	rq_user u;
	char session[RQ_TOKEN_MAX] = "", csrf[RQ_TOKEN_MAX] = "", hash[RQ_TOKEN_HASH_LEN];
	char new_hash[RQ_PASSWORD_HASH_MAX] = "";
	memset(&u, 0, sizeof(u));
	int rc = rq_http_json_body(req, resp, login_spec, &body);
	if (rc)
		return rc;
	const char *name = json_string_value(json_object_get(body, "login"));
	json_t *pwj = json_object_get(body, "password");
	const char *pw = json_string_value(pwj);
	size_t pwlen = json_string_length(pwj);
	const char *addr = rq_http_client_addr(req);
	int64_t now = rq_api_now();
	if (throttled(ctx, resp, name, addr, now))
		goto done;
	rq_store *s = rq_api_store(ctx);
	if (!s) {
		rq_api_store_down(resp);
		goto done;
	}
	rc = rq_store_user_by_login(s, name, &u);
	if (rc && rc != RQ_ENOTFOUND) {
		rq_api_store_error(resp, rc, "logging in");
		goto done;
	}
	int found = rc == 0;
	pthread_once(&dummy_once, make_dummy);
	int ok = rq_password_verify(found ? u.password_hash : dummy_hash, pw, pwlen);
	if (!found || !ok || u.disabled) {
		if (ctx->throttle)
			rq_throttle_failed(ctx->throttle, name, addr, now);
		audit_attempt(s, req, found ? &u : NULL, "auth.login_failed",
			      !found ? "unknown login" : !ok ? "wrong password" : "account disabled");
		rq_http_resp_error(resp, 401, "bad_credentials", "wrong login or password");
		goto done;
	}
	if (ctx->throttle)
		rq_throttle_succeeded(ctx->throttle, name, addr);
	/* a hash made with weaker parameters is replaced now that the password is known */
	if (rq_password_needs_rehash(u.password_hash) && rq_password_hash(pw, pwlen, new_hash)) {
		rq_log(RQ_LOG_WARNING, "login: cannot rehash the password of user %lld: %s", (long long)u.id,
		       rq_error_last());
		new_hash[0] = '\0';
	}
	if ((rc = rq_token_new(RQ_SESSION_PREFIX, session)) || (rc = rq_token_new(RQ_CSRF_PREFIX, csrf)) ||
	    (rc = rq_token_hash(session, strlen(session), hash))) {
		rq_api_store_error(resp, rc, "logging in");
		goto done;
	}
	login_txn t = { &u, hash, csrf, new_hash[0] ? new_hash : NULL, req, now, now + ctx->session_max_s };
	if ((rc = rq_store_transact(s, login_in_txn, &t))) {
		rq_api_store_error(resp, rc, "logging in");
		goto done;
	}
	u.last_login = now;
	json_t *uj = rq_api_user_json(&u), *answer = uj ? json_pack("{s:o, s:s}", "user", uj, "csrf_token", csrf)
						       : NULL;
	if (!answer || set_cookie(ctx, resp, session, ctx->session_max_s)) {
		json_decref(answer);
		rq_http_resp_reset(resp);
		rq_http_resp_error(resp, 500, "internal", "out of memory");
		goto done;
	}
	rq_log(RQ_LOG_INFO, "user %lld logged in from %s", (long long)u.id, addr);
	rq_http_resp_json(resp, 200, answer);
done:
	OPENSSL_cleanse(session, sizeof(session));
	OPENSSL_cleanse(new_hash, sizeof(new_hash));
	if (pwj && pw)
		OPENSSL_cleanse((char *)pw, pwlen);
	rq_store_user_clear(&u);
	json_decref(body);
	return 0;
}

static int logout(const rq_http_req *req, rq_http_resp *resp, void *arg)
{
	const rq_api_ctx *ctx = arg;
	rq_caller c;
	char hash[RQ_TOKEN_HASH_LEN];
	if (rq_admin_begin(ctx, req, resp, &c))
		return 0;
	if (!c.by_token && rq_api_session_hash(req, hash) == 0) {
		int rc = rq_store_session_delete(c.store, hash);
		if (rc && rc != RQ_ENOTFOUND) {
			rq_api_store_error(resp, rc, "logging out");
			return 0;
		}
	}
	set_cookie(ctx, resp, NULL, 0);
	rq_http_resp_bytes(resp, 204, "application/json", "", 0);
	return 0;
}

static int me(const rq_http_req *req, rq_http_resp *resp, void *arg)
{
	const rq_api_ctx *ctx = arg;
	rq_caller c;
	rq_user u;
	rq_session se;
	char hash[RQ_TOKEN_HASH_LEN];
	memset(&se, 0, sizeof(se));
	memset(&u, 0, sizeof(u));
	if (rq_admin_begin(ctx, req, resp, &c))
		return 0;
	int rc;
	if (c.by_token)
		rc = rq_store_user_get(c.store, c.user_id, &u);
	else if (!(rc = rq_api_session_hash(req, hash)))
		rc = rq_store_session_lookup(c.store, hash, rq_api_now(), ctx->session_idle_s, &se);
	if (rc == RQ_ENOTFOUND) {
		rq_http_resp_error(resp, 401, "unauthenticated", "log in, or send a valid API token");
		goto done;
	}
	if (rc) {
		rq_api_store_error(resp, rc, "reading the user");
		goto done;
	}
	json_t *uj = rq_api_user_json(c.by_token ? &u : &se.user);
	json_t *answer = uj ? json_pack("{s:o, s:s?, s:s}", "user", uj, "csrf_token", se.csrf_token, "auth",
					c.by_token ? "token" : "session")
			    : NULL;
	if (!answer)
		rq_http_resp_error(resp, 500, "internal", "out of memory");
	else
		rq_http_resp_json(resp, 200, answer);
done:
	rq_store_user_clear(&u);
	rq_store_session_clear(&se);
	return 0;
}

typedef struct password_txn {
	const rq_caller *c;
	const char *new_hash, *keep_session;
	int64_t now, ended;
} password_txn;

static int password_in_txn(rq_store *s, void *payload)
{
	password_txn *t = payload;
	rq_user_change ch = RQ_USER_KEEP;
	ch.password_hash = t->new_hash;
	int rc = rq_store_user_update(s, t->c->user_id, &ch, t->now);
	if (!rc)
		rc = rq_store_session_delete_user(s, t->c->user_id, t->keep_session, &t->ended);
	if (!rc)
		rc = rq_admin_audit(s, t->c, "auth.password", "user", t->c->user_id, t->c->unit_id,
				    json_pack("{s:I}", "sessions_ended", (json_int_t)t->ended));
	return rc;
}

static int change_password(const rq_http_req *req, rq_http_resp *resp, void *arg)
{
	const rq_api_ctx *ctx = arg;
	rq_caller c;
	rq_user u;
	json_t *body = NULL;
	char new_hash[RQ_PASSWORD_HASH_MAX] = "", session[RQ_TOKEN_HASH_LEN] = "";
	memset(&u, 0, sizeof(u));
	if (rq_admin_begin(ctx, req, resp, &c))
		return 0;
	int rc = rq_http_json_body(req, resp, password_spec, &body);
	if (rc)
		return rc;
	json_t *oj = json_object_get(body, "old_password"), *nj = json_object_get(body, "new_password");
	const char *addr = rq_http_client_addr(req);
	int64_t now = rq_api_now();
	if (throttled(ctx, resp, c.login, addr, now))
		goto done;
	if ((rc = rq_store_user_get(c.store, c.user_id, &u))) {
		rq_api_store_error(resp, rc, "reading the user");
		goto done;
	}
	if (!rq_password_verify(u.password_hash, json_string_value(oj), json_string_length(oj))) {
		if (ctx->throttle)
			rq_throttle_failed(ctx->throttle, c.login, addr, now);
		rq_http_resp_error(resp, 403, "bad_credentials", "old_password: wrong password");
		goto done;
	}
	if (rq_password_check_new(json_string_value(nj), json_string_length(nj))) {
		rq_http_resp_error(resp, 400, "out_of_range", "new_password: %s", rq_error_last());
		goto done;
	}
	if ((rc = rq_password_hash(json_string_value(nj), json_string_length(nj), new_hash))) {
		rq_api_store_error(resp, rc, "hashing the password");
		goto done;
	}
	if (!c.by_token)
		rq_api_session_hash(req, session);
	password_txn t = { &c, new_hash, session[0] ? session : NULL, now, 0 };
	if ((rc = rq_store_transact(c.store, password_in_txn, &t))) {
		rq_api_store_error(resp, rc, "changing the password");
		goto done;
	}
	rq_http_resp_json(resp, 200, json_pack("{s:I}", "sessions_ended", (json_int_t)t.ended));
done:
	OPENSSL_cleanse(new_hash, sizeof(new_hash));
	if (oj)
		OPENSSL_cleanse((char *)json_string_value(oj), json_string_length(oj));
	if (nj)
		OPENSSL_cleanse((char *)json_string_value(nj), json_string_length(nj));
	rq_store_user_clear(&u);
	json_decref(body);
	return 0;
}

int rq_api_auth_routes(rq_http_router *router, const rq_api_ctx *ctx)
{
	void *arg = (void *)ctx;
	int rc = rq_http_router_add(router, "POST", "/api/v1/auth/login", login, arg);
	if (rc >= 0)
		rc = rq_http_router_add(router, "POST", "/api/v1/auth/logout", logout, arg);
	if (rc >= 0)
		rc = rq_http_router_add(router, "GET", "/api/v1/auth/me", me, arg);
	if (rc >= 0)
		rc = rq_http_router_add(router, "POST", "/api/v1/auth/password", change_password, arg);
	return rc;
}
