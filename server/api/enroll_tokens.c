/*
 * Handlers of enrollment tokens (enroll_tokens.h). A token's value exists
 * only in the answer that creates it: the store keeps its SHA-256, lists
 * and the audit log never show either. The answer also gives the exact
 * command that enrolls a machine, with the server's address as the client
 * reached it (the Host header).
 */
#include "api/enroll_tokens.h"

#include <stdio.h>
#include <string.h>

#include "api/admin.h"
#include "api/units.h"
#include "auth/token.h"
#include "http/json.h"
#include "store/tier.h"
#include "store/tokens.h"
#include "store/units.h"

/* The agent API's enrollment tokens start with this (api/agent.c). */
#define ENROLL_PREFIX "rqe"
/* Longest Host header used in the command (a DNS name and a port). */
#define HOST_MAX 261

static const rq_json_field create_spec[] = {
	{ .name = "label", .type = RQ_JSON_STRING, .max = RQ_ENROLL_LABEL_MAX },
	{ .name = "expires_in_days", .type = RQ_JSON_INT, .min = 1, .max = RQ_ENROLL_MAX_DAYS },
	{ .name = "max_uses", .type = RQ_JSON_INT, .min = 1, .max = RQ_ENROLL_MAX_USES },
	{ .name = NULL },
};

static const char *token_state(const rq_enroll_token *t, int64_t now)
{
	if (t->revoked)
		return "revoked";
	if (t->uses >= t->max_uses)
		return "used_up";
	if (t->expires_at <= now)
		return "expired";
	return "active";
}

static json_t *token_json(const rq_enroll_token *t, int64_t now)
{
	json_t *o = json_pack("{s:I, s:I, s:s, s:I, s:I, s:I, s:I, s:b, s:s}", "id", (json_int_t)t->id, "unit_id",
			      (json_int_t)t->unit_id, "label", t->label ? t->label : "", "created_at",
			      (json_int_t)t->created_at, "expires_at", (json_int_t)t->expires_at, "max_uses",
			      (json_int_t)t->max_uses, "uses", (json_int_t)t->uses, "revoked", t->revoked, "state",
			      token_state(t, now));
	if (o && json_object_set_new(o, "created_by", t->created_by > 0 ? json_integer(t->created_by) : json_null())) {
		json_decref(o);
		o = NULL;
	}
	return o;
}

/* The unit must exist (404 otherwise): asked after the permission check. */
static int unit_exists(rq_caller *c, rq_http_resp *resp, int64_t unit)
{
	int64_t depth;
	int rc = rq_store_unit_depth(c->store, unit, &depth);
	if (rc == RQ_ENOTFOUND)
		rq_http_resp_error(resp, 404, "not_found", "no such unit");
	else if (rc)
		rq_api_store_error(resp, rc, "reading the unit");
	return rc ? -1 : 0;
}

/* Machines enroll only into this server's own units: one mirrored from a
 * downstream server is that server's to enroll into (409 otherwise). */
static int own_unit(rq_caller *c, rq_http_resp *resp, int64_t unit)
{
	int64_t bound = 0;
	int rc = rq_store_tier_mirrored(c->store, unit, &bound);
	if (rc)
		rq_api_store_error(resp, rc, "reading the unit");
	else if (bound)
		rq_http_resp_error(resp, 409, "read_only",
				   "unit %lld is reported by a downstream server: its machines enroll there",
				   (long long)unit);
	return rc || bound ? -1 : 0;
}

/* --- GET /api/v1/units/{id}/enrollment-tokens --- */

typedef struct list_acc {
	json_t *items;
	int64_t now;
} list_acc;

static int add_token(const rq_enroll_token *t, void *payload)
{
	list_acc *acc = payload;
	json_t *o = token_json(t, acc->now);
	return o && !json_array_append_new(acc->items, o) ? 0 : -1;
}

static int list_tokens(const rq_http_req *req, rq_http_resp *resp, void *arg)
{
	rq_caller c;
	int64_t unit, limit, offset, total = 0;
	if (rq_admin_id_param(req, resp, "id", &unit) || rq_admin_begin(arg, req, resp, &c) ||
	    rq_admin_allow(&c, resp, RQ_ACT_READ, unit) || unit_exists(&c, resp, unit) ||
	    rq_admin_paging(req, resp, &limit, &offset))
		return 0;
	list_acc acc = { json_array(), rq_api_now() };
	if (!acc.items)
		return rq_fail(RQ_ENOMEM, "tokens: out of memory");
	int rc = rq_store_token_list(c.store, unit, limit, offset, &total, add_token, &acc);
	if (rc)
		rq_api_store_error(resp, rc, "listing enrollment tokens");
	else
		rq_admin_list_reply(resp, json_incref(acc.items), total, limit, offset);
	json_decref(acc.items);
	return 0;
}

/* --- POST /api/v1/units/{id}/enrollment-tokens --- */

/*
 * The server's URL as this client reached it: scheme from how the server
 * serves (HTTPS unless plain HTTP), host from the Host header when it is a
 * plain host[:port] (nothing that could break out of a shell command).
 * Without one, a placeholder the person replaces.
 */
static void server_url(const rq_api_ctx *ctx, const rq_http_req *req, char *out, size_t size)
{
	const char *host = rq_http_header_get(req, "Host");
	size_t n = host ? strlen(host) : 0;
	if (n == 0 || n > HOST_MAX ||
	    strspn(host, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:[]") != n) {
		snprintf(out, size, "https://SERVER");
		return;
	}
	snprintf(out, size, "%s://%s", ctx->secure_cookies ? "https" : "http", host);
}

typedef struct create_txn {
	const rq_caller *c;
	int64_t unit, expires_at, max_uses, id;
	const char *label, *hash;
} create_txn;

static int create_in_txn(rq_store *s, void *payload)
{
	create_txn *t = payload;
	int64_t now = rq_api_now();
	int rc = rq_store_token_create(s, &t->id, t->unit, t->hash, t->label, t->expires_at, t->max_uses,
				       t->c->user_id, now);
	if (rc)
		return rc;
	json_t *details = json_pack("{s:s, s:I, s:I}", "label", t->label, "expires_at", (json_int_t)t->expires_at,
				    "max_uses", (json_int_t)t->max_uses);
	return rq_admin_audit(s, t->c, "token.create", "enrollment_token", t->id, t->unit, details);
}

static int create_token(const rq_http_req *req, rq_http_resp *resp, void *arg)
{
	const rq_api_ctx *ctx = arg;
	rq_caller c;
	int64_t unit;
	json_t *body = NULL;
	char token[RQ_TOKEN_MAX] = "", hash[RQ_TOKEN_HASH_LEN], url[HOST_MAX + 16], command[512];
	if (rq_admin_id_param(req, resp, "id", &unit) || rq_admin_begin(arg, req, resp, &c))
		return 0;
	int rc = rq_http_json_body(req, resp, create_spec, &body);
	if (rc)
		return rc;
	json_t *days = json_object_get(body, "expires_in_days"), *uses = json_object_get(body, "max_uses");
	create_txn t = { .c = &c, .unit = unit };
	t.label = json_object_get(body, "label") ? json_string_value(json_object_get(body, "label")) : "";
	t.max_uses = uses ? json_integer_value(uses) : 1;
	t.expires_at = rq_api_now() + (days ? json_integer_value(days) : RQ_ENROLL_DEFAULT_DAYS) * 86400;
	if (rq_api_check_text(resp, "label", t.label, 1) || rq_admin_allow(&c, resp, RQ_ACT_OPERATE, unit) ||
	    unit_exists(&c, resp, unit) || own_unit(&c, resp, unit))
		goto done;
	if (rq_token_new(ENROLL_PREFIX, token) || rq_token_hash(token, strlen(token), hash)) {
		rq_api_store_error(resp, RQ_ERROR, "making the token");
		goto done;
	}
	t.hash = hash;
	if ((rc = rq_store_transact(c.store, create_in_txn, &t))) {
		rq_api_store_error(resp, rc, "creating the enrollment token");
		goto done;
	}
	rq_enroll_token made = { .id = t.id, .unit_id = unit, .label = t.label, .created_by = c.user_id,
				 .created_at = rq_api_now(), .expires_at = t.expires_at, .max_uses = t.max_uses };
	server_url(ctx, req, url, sizeof(url));
	snprintf(command, sizeof(command), "raquet agent enroll --server %s --token %s", url, token);
	json_t *o = token_json(&made, rq_api_now());
	if (!o || json_object_set_new(o, "token", json_string(token)) ||
	    json_object_set_new(o, "server_url", json_string(url)) ||
	    json_object_set_new(o, "command", json_string(command))) {
		json_decref(o);
		rq_api_store_error(resp, RQ_ENOMEM, "answering");
		goto done;
	}
	rq_http_resp_json(resp, 201, o);
done:
	memset(token, 0, sizeof(token));
	memset(command, 0, sizeof(command));
	json_decref(body);
	return 0;
}

/* --- DELETE /api/v1/enrollment-tokens/{id} --- */

typedef struct revoke_txn {
	const rq_caller *c;
	const rq_enroll_token *tok;
} revoke_txn;

static int revoke_in_txn(rq_store *s, void *payload)
{
	revoke_txn *t = payload;
	int rc = rq_store_token_revoke(s, t->tok->id);
	if (rc)
		return rc;
	json_t *details = json_pack("{s:s, s:I}", "label", t->tok->label, "uses", (json_int_t)t->tok->uses);
	return rq_admin_audit(s, t->c, "token.revoke", "enrollment_token", t->tok->id, t->tok->unit_id, details);
}

static int revoke_token(const rq_http_req *req, rq_http_resp *resp, void *arg)
{
	rq_caller c;
	rq_enroll_token tok;
	int64_t id;
	memset(&tok, 0, sizeof(tok));
	if (rq_admin_id_param(req, resp, "id", &id) || rq_admin_begin(arg, req, resp, &c))
		return 0;
	int rc = rq_store_token_get(c.store, id, &tok);
	if (rc == RQ_ENOTFOUND) {
		rq_http_resp_error(resp, 404, "not_found", "no such enrollment token");
		goto done;
	}
	if (rc) {
		rq_api_store_error(resp, rc, "reading the enrollment token");
		goto done;
	}
	if (rq_admin_allow(&c, resp, RQ_ACT_OPERATE, tok.unit_id))
		goto done;
	revoke_txn t = { &c, &tok };
	if ((rc = rq_store_transact(c.store, revoke_in_txn, &t))) {
		if (rc == RQ_ENOTFOUND)
			rq_http_resp_error(resp, 404, "not_found", "no such enrollment token");
		else
			rq_api_store_error(resp, rc, "revoking the enrollment token");
		goto done;
	}
	tok.revoked = 1;
	rq_http_resp_json(resp, 200, token_json(&tok, rq_api_now()));
done:
	rq_store_token_clear(&tok);
	return 0;
}

int rq_api_enroll_tokens_routes(rq_http_router *router, const rq_api_ctx *ctx)
{
	void *x = (void *)ctx;
	int rc;
	if ((rc = rq_http_router_add(router, "GET", "/api/v1/units/{id}/enrollment-tokens", list_tokens, x)) ||
	    (rc = rq_http_router_add(router, "POST", "/api/v1/units/{id}/enrollment-tokens", create_token, x)) ||
	    (rc = rq_http_router_add(router, "DELETE", "/api/v1/enrollment-tokens/{id}", revoke_token, x)))
		return rc;
	return 0;
}
