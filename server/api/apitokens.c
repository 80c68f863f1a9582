/*
 * API tokens of the admin API (apitokens.h). A token acts as its user, so
 * anyone may make their own; only its SHA-256 is stored and the value is
 * in the creating answer alone. Administrators see and revoke every
 * user's tokens; everyone else only their own.
 */
#include "api/apitokens.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "api/admin.h"
#include "api/auth.h"
#include "http/json.h"
#include "store/users.h"

static const rq_json_field create_spec[] = {
	{ .name = "name", .type = RQ_JSON_STRING, .required = 1, .max = RQ_APITOKEN_NAME_MAX },
	{ .name = "expires_days", .type = RQ_JSON_INT, .nullable = 1, .min = 1, .max = RQ_APITOKEN_MAX_DAYS },
	{ .name = NULL },
};

static json_t *token_json(const rq_apitoken *t)
{
	json_t *o = json_pack("{s:I, s:I, s:s, s:s, s:I, s:b}", "id", (json_int_t)t->id, "user_id",
			      (json_int_t)t->user_id, "login", t->login, "name", t->name, "created_at",
			      (json_int_t)t->created_at, "revoked", t->revoked);
	if (o && (json_object_set_new(o, "expires_at", t->expires_at > 0 ? json_integer(t->expires_at) : json_null()) ||
		  json_object_set_new(o, "last_used", t->last_used > 0 ? json_integer(t->last_used) : json_null()))) {
		json_decref(o);
		o = NULL;
	}
	return o;
}

static int add_token(const rq_apitoken *t, void *payload)
{
	json_t *o = token_json(t);
	return o && !json_array_append_new(payload, o) ? 0 : -1;
}

/* GET /api/v1/api-tokens[?user=ID|all]: one's own; an administrator may ask for anyone's. */
static int list_tokens(const rq_http_req *req, rq_http_resp *resp, void *arg)
{
	const rq_api_ctx *ctx = arg;
	rq_caller c;
	int64_t limit = 0, offset = 0, total = 0, user = 0;
	if (rq_admin_begin(ctx, req, resp, &c) || rq_admin_paging(req, resp, &limit, &offset))
		return 0;
	const char *q = rq_http_query(req, "user");
	user = c.user_id;
	if (q) {
		char *end = NULL;
		long long v = strcmp(q, "all") ? strtoll(q, &end, 10) : 0;
		if (strcmp(q, "all") && (!end || *end || v < 1)) {
			rq_http_resp_error(resp, 400, "bad_request", "user: expected a user id or \"all\"");
			return 0;
		}
		if (v != c.user_id && c.role != RQ_ROLE_ADMIN) {
			rq_http_resp_error(resp, 403, "forbidden", "user: only administrators see others' tokens");
			return 0;
		}
		user = v;
	}
	json_t *items = json_array();
	if (!items)
		return rq_fail(RQ_ENOMEM, "out of memory");
	int rc = rq_store_apitoken_list(c.store, user, limit, offset, add_token, items, &total);
	if (rc) {
		json_decref(items);
		rq_api_store_error(resp, rc == RQ_ESTOPPED ? RQ_ENOMEM : rc, "listing API tokens");
		return 0;
	}
	rq_admin_list_reply(resp, items, total, limit, offset);
	return 0;
}

typedef struct create_txn {
	const rq_caller *c;
	const char *name, *hash;
	int64_t now, expires_at, id;
} create_txn;

static int create_in_txn(rq_store *s, void *payload)
{
	create_txn *t = payload;
	int rc = rq_store_apitoken_create(s, &t->id, t->c->user_id, t->name, t->hash, t->now, t->expires_at);
	if (!rc)
		rc = rq_admin_audit(s, t->c, "apitoken.create", "api_token", t->id, t->c->unit_id,
				    json_pack("{s:s, s:o}", "name", t->name, "expires_at",
					      t->expires_at ? json_integer(t->expires_at) : json_null()));
	return rc;
}

static int create_token(const rq_http_req *req, rq_http_resp *resp, void *arg)
{
	const rq_api_ctx *ctx = arg;
	rq_caller c;
	json_t *body = NULL;
	char token[RQ_TOKEN_MAX] = "", hash[RQ_TOKEN_HASH_LEN];
	if (rq_admin_begin(ctx, req, resp, &c))
		return 0;
	int rc = rq_http_json_body(req, resp, create_spec, &body);
	if (rc)
		return rc;
	json_t *days = json_object_get(body, "expires_days");
	int64_t now = rq_api_now();
	create_txn t = { &c, json_string_value(json_object_get(body, "name")), hash, now,
			 json_is_integer(days) ? now + (int64_t)json_integer_value(days) * 86400 : 0, 0 };
	if ((rc = rq_token_new(RQ_APITOKEN_PREFIX, token)) || (rc = rq_token_hash(token, strlen(token), hash)) ||
	    (rc = rq_store_transact(c.store, create_in_txn, &t))) {
		rq_api_store_error(resp, rc, "creating the API token");
		goto done;
	}
	json_t *o = json_pack("{s:I, s:s, s:s, s:I, s:o}", "id", (json_int_t)t.id, "token", token, "name", t.name,
			      "created_at", (json_int_t)now, "expires_at",
			      t.expires_at ? json_integer(t.expires_at) : json_null());
	if (!o) {
		rq_http_resp_error(resp, 500, "internal", "out of memory");
		goto done;
	}
	rq_http_resp_json(resp, 201, o);
done:
	OPENSSL_cleanse(token, sizeof(token));
	json_decref(body);
	return 0;
}

typedef struct revoke_txn {
	const rq_caller *c;
	const rq_apitoken *t;
} revoke_txn;

static int revoke_in_txn(rq_store *s, void *payload)
{
	revoke_txn *r = payload;
	int rc = rq_store_apitoken_revoke(s, r->t->id);
	if (!rc)
		rc = rq_admin_audit(s, r->c, "apitoken.revoke", "api_token", r->t->id, 0,
				    json_pack("{s:s, s:s}", "name", r->t->name, "owner", r->t->login));
	return rc;
}

static int revoke_token(const rq_http_req *req, rq_http_resp *resp, void *arg)
{
	const rq_api_ctx *ctx = arg;
	rq_caller c;
	rq_apitoken t;
	int64_t id = 0;
	memset(&t, 0, sizeof(t));
	if (rq_admin_begin(ctx, req, resp, &c) || rq_admin_id_param(req, resp, "id", &id))
		return 0;
	int rc = rq_store_apitoken_get(c.store, id, &t);
	/* someone else's token is "not found" unless one may revoke it: ids tell nothing */
	if (rc == RQ_ENOTFOUND || (!rc && t.user_id != c.user_id && c.role != RQ_ROLE_ADMIN)) {
		rq_http_resp_error(resp, 404, "not_found", "no API token %lld", (long long)id);
		goto done;
	}
	if (rc) {
		rq_api_store_error(resp, rc, "reading the API token");
		goto done;
	}
	revoke_txn r = { &c, &t };
	rc = t.revoked ? 0 : rq_store_transact(c.store, revoke_in_txn, &r);
	if (rc && rc != RQ_ENOTFOUND) /* revoked meanwhile: done all the same */
		rq_api_store_error(resp, rc, "revoking the API token");
	else
		rq_http_resp_bytes(resp, 204, "application/json", "", 0);
done:
	rq_store_apitoken_clear(&t);
	return 0;
}

int rq_api_apitokens_routes(rq_http_router *router, const rq_api_ctx *ctx)
{
	void *arg = (void *)ctx;
	int rc = rq_http_router_add(router, "GET", "/api/v1/api-tokens", list_tokens, arg);
	if (rc >= 0)
		rc = rq_http_router_add(router, "POST", "/api/v1/api-tokens", create_token, arg);
	if (rc >= 0)
		rc = rq_http_router_add(router, "DELETE", "/api/v1/api-tokens/{id}", revoke_token, arg);
	return rc;
}
