/*
 * What every admin API handler starts with (admin.h): authenticating the
 * caller from the session cookie (plus its CSRF token on unsafe methods)
 * or an API token, the scope and permission checks over auth/authz.c, the
 * audit record of a change, and the shared paging and list answer.
 */
#include "api/admin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/auth.h"
#include "auth/token.h"
#include "http/log.h"
#include "store/audit.h"
#include "store/units.h"
#include "store/users.h"

/* Largest id accepted in a path or query: 2^53, what JSON numbers keep exact. */
#define ID_MAX (1LL << 53)

static const char *const action_names[RQ_ACT_COUNT] = { "read", "operate", "manage users", "manage units",
							"change system settings", "report as a downstream server" };

static void fill_caller(rq_caller *out, const rq_user *u, rq_store *s, const rq_http_req *req, int by_token)
{
	memset(out, 0, sizeof(*out));
	out->user_id = u->id;
	out->role = u->role;
	out->unit_id = u->unit_id;
	snprintf(out->login, sizeof(out->login), "%s", u->login);
	out->by_token = by_token;
	out->store = s;
	out->req = req;
}

static int unauthenticated(rq_http_resp *resp)
{
	return rq_http_resp_error(resp, 401, "unauthenticated", "log in, or send a valid API token");
}

/* An API token "rqt_..." (tok); 0, or -1 with resp filled. */
static int by_token(const char *tok, const rq_http_req *req, rq_http_resp *resp, rq_store *s, rq_caller *out)
{
	rq_user u;
	char hash[RQ_TOKEN_HASH_LEN];
	int64_t token_id = 0;
	int rc = -1;
	memset(&u, 0, sizeof(u));
	if (!rq_token_well_formed(RQ_APITOKEN_PREFIX, tok, strlen(tok))) {
		unauthenticated(resp);
		goto done;
	}
	int src = rq_token_hash(tok, strlen(tok), hash);
	if (!src)
		src = rq_store_apitoken_lookup(s, hash, rq_api_now(), &u, &token_id);
	if (src == RQ_ENOTFOUND) {
		unauthenticated(resp);
	} else if (src) {
		rq_api_store_error(resp, src, "checking the API token");
	} else {
		fill_caller(out, &u, s, req, 1);
		rc = 0;
	}
done:
	rq_store_user_clear(&u);
	return rc;
}

int rq_admin_begin(const rq_api_ctx *ctx, const rq_http_req *req, rq_http_resp *resp, rq_caller *out)
{
	const char *auth = rq_http_header_get(req, "Authorization");
	char hash[RQ_TOKEN_HASH_LEN];
	rq_session se;
	rq_store *s = NULL;
	int rc = -1;
	memset(out, 0, sizeof(*out));
	memset(&se, 0, sizeof(se));
	if ((auth && strncmp(auth, "Bearer ", 7)) || (!auth && rq_api_session_hash(req, hash))) {
		unauthenticated(resp);
		goto done;
	}
	if (!(s = rq_api_store(ctx))) {
		rq_api_store_down(resp);
		goto done;
	}
	if (auth) {
		rc = by_token(auth + 7, req, resp, s, out);
		goto done;
	}
	int src = rq_store_session_lookup(s, hash, rq_api_now(), ctx->session_idle_s, &se);
	if (src == RQ_ENOTFOUND) {
		unauthenticated(resp);
		goto done;
	}
	if (src) {
		rq_api_store_error(resp, src, "checking the session");
		goto done;
	}
	int safe = !strcmp(req->method, "GET") || !strcmp(req->method, "HEAD");
	const char *csrf = rq_http_header_get(req, RQ_CSRF_HEADER);
	if (!safe && (!csrf || !rq_token_equal(csrf, strlen(csrf), se.csrf_token, strlen(se.csrf_token)))) {
		rq_http_resp_error(resp, 403, "csrf", "the " RQ_CSRF_HEADER " header is missing or wrong");
		goto done;
	}
	fill_caller(out, &se.user, s, req, 0);
	rc = 0;
done:
	rq_store_session_clear(&se);
	return rc;
}

int rq_admin_begin_token(const rq_api_ctx *ctx, const rq_http_req *req, rq_http_resp *resp, const char *token,
			 rq_caller *out)
{
	rq_store *s = rq_api_store(ctx);
	memset(out, 0, sizeof(*out));
	if (!s) {
		rq_api_store_down(resp);
		return -1;
	}
	return by_token(token, req, resp, s, out);
}

int rq_admin_scope(const rq_caller *c, int64_t unit_id, rq_scope *out)
{
	int yes = 0, rc = 0;
	if (unit_id <= 0)
		*out = RQ_SCOPE_GLOBAL;
	else if (c->unit_id <= 0 || c->unit_id == unit_id)
		*out = RQ_SCOPE_OWN;
	else {
		*out = RQ_SCOPE_OTHER;
		rc = rq_store_unit_within(c->store, unit_id, c->unit_id, &yes);
		if (rc == 0 && yes)
			*out = RQ_SCOPE_OWN;
	}
	return rc;
}

/* 0 when the rule allows `action` at `scope`; else 403 and -1. */
static int allow_at(const rq_caller *c, rq_http_resp *resp, rq_action action, rq_scope scope)
{
	if (!rq_authz_allows(c->role, action, scope)) {
		rq_http_resp_error(resp, 403, "forbidden", "a%s %s may not %s %s",
				   c->role == RQ_ROLE_ADMIN || c->role == RQ_ROLE_OFFICER ? "n" : "",
				   rq_role_name(c->role),
				   (unsigned)action < RQ_ACT_COUNT ? action_names[action] : "do this",
				   scope == RQ_SCOPE_OTHER ? "outside their unit" : "here");
		return -1;
	}
	return 0;
}

int rq_admin_allow(const rq_caller *c, rq_http_resp *resp, rq_action action, int64_t unit_id)
{
	rq_scope scope;
	int rc = rq_admin_scope(c, unit_id, &scope);
	if (rc) {
		rq_api_store_error(resp, rc, "checking permissions");
		return -1;
	}
	return allow_at(c, resp, action, scope);
}

int rq_admin_allow_province(const rq_caller *c, rq_http_resp *resp, rq_action action)
{
	return allow_at(c, resp, action, c->unit_id == 0 ? RQ_SCOPE_OWN : RQ_SCOPE_OTHER);
}

/* A decimal id in [1, ID_MAX]; 0 if `text` is not one. */
static int64_t parse_id(const char *text)
{
	int64_t v = 0;
	if (!text || !*text || strlen(text) > 16)
		return 0;
	for (const char *p = text; *p; p++) {
		if (*p < '0' || *p > '9')
			return 0;
		v = v * 10 + (*p - '0');
	}
	return v >= 1 && v <= ID_MAX ? v : 0;
}

int rq_admin_list_root(const rq_caller *c, rq_http_resp *resp, int64_t *out_unit)
{
	const char *q = rq_http_query(c->req, "unit");
	*out_unit = c->unit_id > 0 ? c->unit_id : 0;
	if (!q)
		return 0;
	int64_t unit = parse_id(q);
	if (!unit) {
		rq_http_resp_error(resp, 400, "bad_request", "unit: expected a unit id");
		return -1;
	}
	rq_scope scope;
	int rc = rq_admin_scope(c, unit, &scope);
	if (rc) {
		rq_api_store_error(resp, rc, "checking permissions");
		return -1;
	}
	if (scope != RQ_SCOPE_OWN) {
		rq_http_resp_error(resp, 403, "forbidden", "unit: outside your unit");
		return -1;
	}
	*out_unit = unit;
	return 0;
}

int rq_admin_audit(rq_store *s, const rq_caller *c, const char *action, const char *object_type,
		   int64_t object_id, int64_t unit_id, json_t *details)
{
	char id[32] = "";
	char *text = NULL;
	int rc = 0;
	if (object_id > 0)
		snprintf(id, sizeof(id), "%lld", (long long)object_id);
	if (details && !(text = json_dumps(details, JSON_COMPACT | JSON_SORT_KEYS))) {
		rc = rq_fail(RQ_ENOMEM, "audit: out of memory");
		goto done;
	}
	rq_audit_entry e = {
		.at = rq_api_now(),
		.user_id = c->user_id,
		.actor = c->login[0] ? c->login : "anonymous",
		.action = action,
		.object_type = object_type,
		.object_id = id,
		.unit_id = unit_id,
		.ip = c->req ? rq_http_client_addr(c->req) : "",
		.details_json = text,
	};
	rc = rq_store_audit_add(s, &e);
done:
	free(text);
	json_decref(details);
	return rc;
}

int rq_admin_paging(const rq_http_req *req, rq_http_resp *resp, int64_t *limit, int64_t *offset)
{
	unsigned long long l = 0, o = 0;
	if (rq_http_query_uint(req, resp, "limit", 1, RQ_PAGE_MAX, RQ_PAGE_DEFAULT, &l) < 0 ||
	    rq_http_query_uint(req, resp, "offset", 0, RQ_OFFSET_MAX, 0, &o) < 0)
		return -1;
	*limit = (int64_t)l;
	*offset = (int64_t)o;
	return 0;
}

int rq_admin_list_reply(rq_http_resp *resp, json_t *items, int64_t total, int64_t limit, int64_t offset)
{
	json_t *o = json_pack("{s:o, s:I, s:I, s:I}", "items", items ? items : json_array(), "total",
			      (json_int_t)total, "limit", (json_int_t)limit, "offset", (json_int_t)offset);
	if (!o)
		return rq_http_resp_error(resp, 500, "internal", "out of memory");
	return rq_http_resp_json(resp, 200, o);
}

int rq_admin_id_param(const rq_http_req *req, rq_http_resp *resp, const char *name, int64_t *out)
{
	*out = parse_id(rq_http_param(req, name));
	if (!*out) {
		rq_http_resp_error(resp, 404, "not_found", "%s: no such id", name);
		return -1;
	}
	return 0;
}
