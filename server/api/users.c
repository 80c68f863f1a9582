/*
 * Users of the admin API (users.h). Who may touch a user is asked of
 * rq_admin_allow (RQ_ACT_USERS on the user's unit) and rq_authz_may_grant
 * (never a role above the caller's, never a user above it); the last
 * enabled administrator and the caller's own account are protected here,
 * inside the transaction that makes the change.
 */
#include "api/users.h"

#include <string.h>

#include <openssl/crypto.h>

#include "api/admin.h"
#include "auth/password.h"
#include "http/json.h"
#include "http/log.h"
#include "mail/address.h"
#include "store/units.h"

/* Longest display name (a person's full name and title). */
#define DISPLAY_MAX 200

static const rq_json_field create_spec[] = {
	{ .name = "login", .type = RQ_JSON_STRING, .required = 1, .max = RQ_LOGIN_MAX },
	{ .name = "display_name", .type = RQ_JSON_STRING, .max = DISPLAY_MAX },
	{ .name = "role", .type = RQ_JSON_STRING, .required = 1, .max = 16 },
	{ .name = "unit_id", .type = RQ_JSON_INT, .nullable = 1, .min = 1, .max = 1LL << 53 },
	{ .name = "password", .type = RQ_JSON_STRING, .required = 1, .max = RQ_PASSWORD_MAX },
	{ .name = "email", .type = RQ_JSON_STRING, .max = RQ_MAIL_ADDRESS_MAX },
	{ .name = NULL },
};

static const rq_json_field update_spec[] = {
	{ .name = "display_name", .type = RQ_JSON_STRING, .max = DISPLAY_MAX },
	{ .name = "role", .type = RQ_JSON_STRING, .max = 16 },
	{ .name = "unit_id", .type = RQ_JSON_INT, .nullable = 1, .min = 1, .max = 1LL << 53 },
	{ .name = "disabled", .type = RQ_JSON_BOOL },
	{ .name = "password", .type = RQ_JSON_STRING, .max = RQ_PASSWORD_MAX },
	{ .name = "email", .type = RQ_JSON_STRING, .max = RQ_MAIL_ADDRESS_MAX },
	{ .name = NULL },
};

json_t *rq_api_user_json(const rq_user *u)
{
	json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:s, s:b, s:I, s:I}", "id", (json_int_t)u->id, "login", u->login,
			      "display_name", u->display_name ? u->display_name : "", "email", u->email ? u->email : "",
			      "role", rq_role_name(u->role),
			      "disabled", u->disabled, "created_at", (json_int_t)u->created_at, "updated_at",
			      (json_int_t)u->updated_at);
	if (o && (json_object_set_new(o, "unit_id", u->unit_id > 0 ? json_integer(u->unit_id) : json_null()) ||
		  json_object_set_new(o, "last_login", u->last_login > 0 ? json_integer(u->last_login) : json_null()))) {
		json_decref(o);
		o = NULL;
	}
	return o;
}

/* A login: no control characters, no leading or trailing space. */
static int login_ok(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || s[0] == ' ' || s[n - 1] == ' ')
		return 0;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 0;
	return 1;
}

/* An "email" field: "" (none) or a usable address. 0, or -1 with a 400. */
static int email_ok(rq_http_resp *resp, const char *email)
{
	if (!email || !*email || rq_mail_address_check(email) == 0)
		return 0;
	rq_http_resp_error(resp, 400, "out_of_range", "email: %s", rq_error_last());
	return -1;
}

/* The caller may manage `target` at all: USERS on its unit, and not a
 * user of a higher role. 0, or -1 with resp filled. */
static int may_manage(const rq_caller *c, rq_http_resp *resp, const rq_user *target)
{
	if (rq_admin_allow(c, resp, RQ_ACT_USERS, target->unit_id))
		return -1;
	if (!rq_authz_may_grant(c->role, target->role)) {
		rq_http_resp_error(resp, 403, "forbidden", "a user of role %s is managed by administrators only",
				   rq_role_name(target->role));
		return -1;
	}
	return 0;
}

/* The unit `unit_id` exists (0: province-wide, always). 0, or -1 with resp. */
static int unit_exists(const rq_caller *c, rq_http_resp *resp, int64_t unit_id)
{
	rq_unit u;
	if (unit_id <= 0)
		return 0;
	int rc = rq_store_unit_get(c->store, unit_id, &u);
	if (rc == RQ_ENOTFOUND) {
		rq_http_resp_error(resp, 400, "out_of_range", "unit_id: no such unit");
		return -1;
	}
	if (rc) {
		rq_api_store_error(resp, rc, "reading the unit");
		return -1;
	}
	rq_store_unit_clear(&u);
	return 0;
}

/* --- list --- */

typedef struct list_acc {
	json_t *items;
} list_acc;

static int add_user(const rq_user *u, void *payload)
{
	list_acc *a = payload;
	json_t *o = rq_api_user_json(u);
	return o && !json_array_append_new(a->items, o) ? 0 : -1;
}

static int list_users(const rq_http_req *req, rq_http_resp *resp, void *arg)
{
	const rq_api_ctx *ctx = arg;
	rq_caller c;
	int64_t root = 0, limit = 0, offset = 0, total = 0;
	list_acc a = { NULL };
	if (rq_admin_begin(ctx, req, resp, &c) || rq_admin_list_root(&c, resp, &root) ||
	    rq_admin_allow(&c, resp, RQ_ACT_USERS, root) || rq_admin_paging(req, resp, &limit, &offset))
		return 0;
	if (!(a.items = json_array()))
		return rq_fail(RQ_ENOMEM, "out of memory");
	int rc = rq_store_user_list(c.store, root, limit, offset, add_user, &a, &total);
	if (rc) {
		json_decref(a.items);
		rq_api_store_error(resp, rc == RQ_ESTOPPED ? RQ_ENOMEM : rc, "listing users");
		return 0;
	}
	rq_admin_list_reply(resp, a.items, total, limit, offset);
	return 0;
}

/* --- create --- */

typedef struct create_txn {
	const rq_caller *c;
	const char *login, *display, *hash, *email;
	rq_role role;
	int64_t unit, id;
} create_txn;

static int create_in_txn(rq_store *s, void *payload)
{
	create_txn *t = payload;
	rq_user_change email = RQ_USER_KEEP;
	int rc = rq_store_user_create(s, &t->id, t->login, t->display, t->role, t->unit, t->hash, rq_api_now());
	email.email = t->email;
	if (!rc && *t->email)
		rc = rq_store_user_update(s, t->id, &email, rq_api_now());
	if (!rc)
		rc = rq_admin_audit(s, t->c, "user.create", "user", t->id, t->unit,
				    json_pack("{s:s, s:s, s:s, s:s}", "login", t->login, "display_name", t->display, "role",
					      rq_role_name(t->role), "email", t->email));
	return rc;
}

static int create_user(const rq_http_req *req, rq_http_resp *resp, void *arg)
{
	const rq_api_ctx *ctx = arg;
	rq_caller c;
	json_t *body = NULL;
	rq_user u;
	char hash[RQ_PASSWORD_HASH_MAX] = "";
	memset(&u, 0, sizeof(u));
	if (rq_admin_begin(ctx, req, resp, &c))
		return 0;
	int rc = rq_http_json_body(req, resp, create_spec, &body);
	if (rc)
		return rc;
	const char *login = json_string_value(json_object_get(body, "login"));
	const char *display = json_string_value(json_object_get(body, "display_name"));
	const char *email = json_string_value(json_object_get(body, "email"));
	json_t *pw = json_object_get(body, "password");
	json_t *unit_j = json_object_get(body, "unit_id");
	int64_t unit = json_is_integer(unit_j) ? (int64_t)json_integer_value(unit_j) : 0;
	int role = rq_role_parse(json_string_value(json_object_get(body, "role")));
	if (!login_ok(login)) {
		rq_http_resp_error(resp, 400, "out_of_range", "login: empty, or with control characters or "
				   "spaces at an end");
		goto done;
	}
	if (role < 0) {
		rq_http_resp_error(resp, 400, "out_of_range", "role: expected \"admin\", \"officer\" or \"viewer\"");
		goto done;
	}
	if (email_ok(resp, email))
		goto done;
	if (rq_admin_allow(&c, resp, RQ_ACT_USERS, unit))
		goto done;
	if (!rq_authz_may_grant(c.role, (rq_role)role)) {
		rq_http_resp_error(resp, 403, "forbidden", "role: a%s %s may not give the role %s",
				   c.role == RQ_ROLE_VIEWER ? "" : "n", rq_role_name(c.role), rq_role_name((rq_role)role));
		goto done;
	}
	if (unit_exists(&c, resp, unit))
		goto done;
	if (rq_password_check_new(json_string_value(pw), json_string_length(pw))) {
		rq_http_resp_error(resp, 400, "out_of_range", "password: %s", rq_error_last());
		goto done;
	}
	if ((rc = rq_password_hash(json_string_value(pw), json_string_length(pw), hash))) {
		rq_api_store_error(resp, rc, "hashing the password");
		goto done;
	}
	create_txn t = { &c, login, display ? display : "", hash, email ? email : "", (rq_role)role, unit, 0 };
	rc = rq_store_transact(c.store, create_in_txn, &t);
	if (rc == RQ_STORE_ECONSTRAINT) {
		rq_http_resp_error(resp, 409, "conflict", "login: a user with this login exists already");
		goto done;
	}
	if (rc || (rc = rq_store_user_get(c.store, t.id, &u))) {
		rq_api_store_error(resp, rc, "creating the user");
		goto done;
	}
	json_t *o = rq_api_user_json(&u);
	if (!o) {
		rc = rq_fail(RQ_ENOMEM, "out of memory");
		goto done;
	}
	rq_http_resp_json(resp, 201, o);
done:
	OPENSSL_cleanse(hash, sizeof(hash));
	if (pw)
		OPENSSL_cleanse((char *)json_string_value(pw), json_string_length(pw));
	rq_store_user_clear(&u);
	json_decref(body);
	return rc < 0 && !resp->status ? rc : 0;
}

/* --- one user --- */

/* The user of the {id} path parameter into *u; -1 with resp filled. */
static int load_target(const rq_caller *c, const rq_http_req *req, rq_http_resp *resp, rq_user *u)
{
	int64_t id = 0;
	memset(u, 0, sizeof(*u));
	if (rq_admin_id_param(req, resp, "id", &id))
		return -1;
	int rc = rq_store_user_get(c->store, id, u);
	if (rc == RQ_ENOTFOUND) {
		rq_http_resp_error(resp, 404, "not_found", "no user %lld", (long long)id);
		return -1;
	}
	if (rc) {
		rq_api_store_error(resp, rc, "reading the user");
		return -1;
	}
	return 0;
}

static int get_user(const rq_http_req *req, rq_http_resp *resp, void *arg)
{
	const rq_api_ctx *ctx = arg;
	rq_caller c;
	rq_user u;
	if (rq_admin_begin(ctx, req, resp, &c) || load_target(&c, req, resp, &u))
		return 0;
	/* everyone sees themselves; others need the right to manage users there */
	if (u.id == c.user_id || !rq_admin_allow(&c, resp, RQ_ACT_USERS, u.unit_id)) {
		json_t *o = rq_api_user_json(&u);
		if (o)
			rq_http_resp_json(resp, 200, o);
		else
			rq_http_resp_error(resp, 500, "internal", "out of memory");
	}
	rq_store_user_clear(&u);
	return 0;
}

/* Would this change leave no enabled administrator? (checked in the transaction) */
static int last_admin_check(rq_store *s, const rq_user *before, int stays_enabled_admin)
{
	int64_t n = 0;
	if (before->role != RQ_ROLE_ADMIN || before->disabled || stays_enabled_admin)
		return 0;
	int rc = rq_store_user_count_enabled_admins(s, &n);
	if (!rc && n <= 1)
		rc = rq_fail(RQ_EINVAL, "the last enabled administrator cannot be disabled, demoted or deleted");
	return rc;
}

typedef struct update_txn {
	const rq_caller *c;
	const rq_user *before;
	rq_user_change ch;
	json_t *details; /* owned until handed to the audit */
	int last_admin;  /* set when the change was refused for that */
} update_txn;

static int update_in_txn(rq_store *s, void *payload)
{
	update_txn *t = payload;
	int64_t now = rq_api_now();
	int role = t->ch.role >= 0 ? t->ch.role : (int)t->before->role;
	int disabled = t->ch.disabled >= 0 ? t->ch.disabled : t->before->disabled;
	int rc = last_admin_check(s, t->before, role == RQ_ROLE_ADMIN && !disabled);
	t->last_admin = rc == RQ_EINVAL;
	if (!rc)
		rc = rq_store_user_update(s, t->before->id, &t->ch, now);
	/* disabled, or a password set by someone else: the account's ways in end */
	if (!rc && ((t->ch.disabled == 1 && !t->before->disabled) || t->ch.password_hash))
		rc = rq_store_session_delete_user(s, t->before->id, NULL, NULL);
	if (!rc && t->ch.disabled == 1 && !t->before->disabled)
		rc = rq_store_apitoken_revoke_user(s, t->before->id, NULL);
	if (!rc) {
		json_t *d = json_deep_copy(t->details);
		rc = rq_admin_audit(s, t->c, "user.update", "user", t->before->id,
				    t->ch.set_unit ? t->ch.unit_id : t->before->unit_id, d);
	}
	return rc;
}

static int update_user(const rq_http_req *req, rq_http_resp *resp, void *arg)
{
	const rq_api_ctx *ctx = arg;
	rq_caller c;
	rq_user u, after;
	json_t *body = NULL;
	char hash[RQ_PASSWORD_HASH_MAX] = "";
	update_txn t = { .ch = RQ_USER_KEEP };
	memset(&after, 0, sizeof(after));
	if (rq_admin_begin(ctx, req, resp, &c) || load_target(&c, req, resp, &u))
		return 0;
	int rc = rq_http_json_body(req, resp, update_spec, &body);
	if (rc)
		goto done;
	rc = 0;
	json_t *display = json_object_get(body, "display_name"), *role_j = json_object_get(body, "role");
	json_t *unit_j = json_object_get(body, "unit_id"), *dis = json_object_get(body, "disabled");
	json_t *pw = json_object_get(body, "password"), *email = json_object_get(body, "email");
	int self = u.id == c.user_id;
	/* one's own display name and address are one's own business; anything else is managing users */
	int only_display = !role_j && !unit_j && !dis && !pw;
	if (self && pw) {
		rq_http_resp_error(resp, 400, "bad_request", "password: change your own password with "
				   "POST /api/v1/auth/password (it needs the old one)");
		goto done;
	}
	if (!(self && only_display) && may_manage(&c, resp, &u))
		goto done;
	if (!(t.details = json_object())) {
		rc = rq_fail(RQ_ENOMEM, "out of memory");
		goto done;
	}
	if (display) {
		t.ch.display_name = json_string_value(display);
		json_object_set(t.details, "display_name", display);
	}
	if (email) {
		if (email_ok(resp, json_string_value(email)))
			goto done;
		t.ch.email = json_string_value(email);
		json_object_set(t.details, "email", email);
	}
	if (role_j) {
		t.ch.role = rq_role_parse(json_string_value(role_j));
		if (t.ch.role < 0) {
			rq_http_resp_error(resp, 400, "out_of_range", "role: expected \"admin\", \"officer\" or \"viewer\"");
			goto done;
		}
		if (self && t.ch.role != (int)u.role) {
			rq_http_resp_error(resp, 403, "forbidden", "role: nobody may change their own role");
			goto done;
		}
		if (!rq_authz_may_grant(c.role, (rq_role)t.ch.role)) {
			rq_http_resp_error(resp, 403, "forbidden", "role: a%s %s may not give the role %s",
					   c.role == RQ_ROLE_VIEWER ? "" : "n", rq_role_name(c.role),
					   rq_role_name((rq_role)t.ch.role));
			goto done;
		}
		json_object_set(t.details, "role", role_j);
	}
	if (unit_j) {
		t.ch.set_unit = 1;
		t.ch.unit_id = json_is_integer(unit_j) ? (int64_t)json_integer_value(unit_j) : 0;
		if (self && t.ch.unit_id != u.unit_id) {
			rq_http_resp_error(resp, 403, "forbidden", "unit_id: nobody may move themselves");
			goto done;
		}
		if (rq_admin_allow(&c, resp, RQ_ACT_USERS, t.ch.unit_id) || unit_exists(&c, resp, t.ch.unit_id))
			goto done;
		json_object_set(t.details, "unit_id", unit_j);
	}
	if (dis) {
		t.ch.disabled = json_is_true(dis);
		if (self && t.ch.disabled) {
			rq_http_resp_error(resp, 403, "forbidden", "disabled: nobody may disable themselves");
			goto done;
		}
		json_object_set(t.details, "disabled", dis);
	}
	if (pw) {
		if (rq_password_check_new(json_string_value(pw), json_string_length(pw))) {
			rq_http_resp_error(resp, 400, "out_of_range", "password: %s", rq_error_last());
			goto done;
		}
		if ((rc = rq_password_hash(json_string_value(pw), json_string_length(pw), hash))) {
			rq_api_store_error(resp, rc, "hashing the password");
			rc = 0;
			goto done;
		}
		t.ch.password_hash = hash;
		json_object_set_new(t.details, "password", json_string("reset"));
	}
	t.c = &c;
	t.before = &u;
	rc = rq_store_transact(c.store, update_in_txn, &t);
	if (rc && t.last_admin) {
		rq_http_resp_error(resp, 409, "last_admin", "the last enabled administrator cannot be disabled or "
				   "demoted");
	} else if (rc) {
		rq_api_store_error(resp, rc, "changing the user");
	} else if ((rc = rq_store_user_get(c.store, u.id, &after))) {
		rq_api_store_error(resp, rc, "reading the user");
	} else {
		json_t *o = rq_api_user_json(&after);
		if (o)
			rq_http_resp_json(resp, 200, o);
		else
			rq_http_resp_error(resp, 500, "internal", "out of memory");
	}
	rc = 0;
done:
	OPENSSL_cleanse(hash, sizeof(hash));
	json_t *pwj = json_object_get(body, "password");
	if (json_is_string(pwj))
		OPENSSL_cleanse((char *)json_string_value(pwj), json_string_length(pwj));
	json_decref(t.details);
	rq_store_user_clear(&after);
	rq_store_user_clear(&u);
	json_decref(body);
	return rc;
}

typedef struct delete_txn {
	const rq_caller *c;
	const rq_user *target;
	int last_admin;
} delete_txn;

static int delete_in_txn(rq_store *s, void *payload)
{
	delete_txn *t = payload;
	int rc = last_admin_check(s, t->target, 0);
	t->last_admin = rc == RQ_EINVAL;
	if (!rc)
		rc = rq_store_user_delete(s, t->target->id);
	if (!rc)
		rc = rq_admin_audit(s, t->c, "user.delete", "user", t->target->id, t->target->unit_id,
				    json_pack("{s:s, s:s}", "login", t->target->login, "role",
					      rq_role_name(t->target->role)));
	return rc;
}

static int delete_user(const rq_http_req *req, rq_http_resp *resp, void *arg)
{
	const rq_api_ctx *ctx = arg;
	rq_caller c;
	rq_user u;
	if (rq_admin_begin(ctx, req, resp, &c) || load_target(&c, req, resp, &u))
		return 0;
	if (u.id == c.user_id) {
		rq_http_resp_error(resp, 403, "forbidden", "nobody may delete themselves");
		goto done;
	}
	if (may_manage(&c, resp, &u))
		goto done;
	delete_txn t = { &c, &u, 0 };
	int rc = rq_store_transact(c.store, delete_in_txn, &t);
	if (rc && t.last_admin)
		rq_http_resp_error(resp, 409, "last_admin", "the last enabled administrator cannot be deleted");
	else if (rc == RQ_STORE_ECONSTRAINT)
		rq_http_resp_error(resp, 409, "conflict", "the user is still referenced; disable it instead");
	else if (rc)
		rq_api_store_error(resp, rc, "deleting the user");
	else
		rq_http_resp_bytes(resp, 204, "application/json", "", 0);
done:
	rq_store_user_clear(&u);
	return 0;
}

int rq_api_users_routes(rq_http_router *router, const rq_api_ctx *ctx)
{
	void *arg = (void *)ctx;
	int rc = rq_http_router_add(router, "GET", "/api/v1/users", list_users, arg);
	if (rc >= 0)
		rc = rq_http_router_add(router, "POST", "/api/v1/users", create_user, arg);
	if (rc >= 0)
		rc = rq_http_router_add(router, "GET", "/api/v1/users/{id}", get_user, arg);
	if (rc >= 0)
		rc = rq_http_router_add(router, "PATCH", "/api/v1/users/{id}", update_user, arg);
	if (rc >= 0)
		rc = rq_http_router_add(router, "DELETE", "/api/v1/users/{id}", delete_user, arg);
	return rc;
}
