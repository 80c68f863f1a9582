/*
 * What every handler of the admin API (/api/v1, everything but the agent
 * routes) uses: who is calling (a browser session or an API token), may
 * they do this to that unit, the audit record of a change, and the shared
 * shapes of lists (paging). Implemented in api/admin.c; the rule itself is
 * auth/authz.c. Reference: docs/api-admin.md and docs/openapi.json.
 */
#ifndef RQ_SERVER_API_ADMIN_H
#define RQ_SERVER_API_ADMIN_H

#include <stdint.h>

#include <jansson.h>

#include "api/ctx.h"
#include "auth/authz.h"

/* Longest login name (users.login). */
#define RQ_LOGIN_MAX 64
/* The session cookie's name. */
#define RQ_SESSION_COOKIE "rq_session"
/* The header an unsafe method from a session must carry, equal to the
 * session's CSRF token (given by login and by GET /api/v1/auth/me). */
#define RQ_CSRF_HEADER "X-CSRF-Token"
/* Page sizes of every list: `limit` in [1, RQ_PAGE_MAX], default
 * RQ_PAGE_DEFAULT; `offset` up to RQ_OFFSET_MAX (deep pages of a
 * 1,000,000-row table are a filter's job, not paging's). */
#define RQ_PAGE_DEFAULT 50
#define RQ_PAGE_MAX 500
#define RQ_OFFSET_MAX 10000000

/* The authenticated caller of one request. */
typedef struct rq_caller {
	int64_t user_id;
	rq_role role;
	int64_t unit_id;   /* the caller's unit; 0: the whole province (an
			    * administrator, or a province-wide viewer) */
	char login[RQ_LOGIN_MAX + 1];
	int by_token;      /* authenticated by an API token (no cookie, no CSRF) */
	rq_store *store;   /* the calling thread's store connection */
	const rq_http_req *req;
} rq_caller;

/*
 * Authenticate a request: the session cookie RQ_SESSION_COOKIE (not
 * expired, user not disabled; for any method but GET/HEAD the header
 * RQ_CSRF_HEADER must equal the session's CSRF token) or
 * "Authorization: Bearer rqt_..." (an API token: not revoked, not expired).
 * 0 with `out` filled; otherwise -1 with `resp` filled: 401
 * "unauthenticated" (same reason whatever failed), 403 "csrf" for a missing
 * or wrong CSRF token, 503 when the store is down.
 */
int rq_admin_begin(const rq_api_ctx *ctx, const rq_http_req *req, rq_http_resp *resp, rq_caller *out);

/*
 * The same for an API token given otherwise (TAXII's HTTP Basic password):
 * 0 with `out` filled, or -1 with `resp` filled (401, 503).
 */
int rq_admin_begin_token(const rq_api_ctx *ctx, const rq_http_req *req, rq_http_resp *resp, const char *token,
			 rq_caller *out);

/*
 * Where unit `unit_id` lies for the caller: RQ_SCOPE_GLOBAL for 0 (no
 * unit), RQ_SCOPE_OWN when it is the caller's unit or below it (every unit
 * for a caller with unit_id 0), RQ_SCOPE_OTHER otherwise.
 */
int rq_admin_scope(const rq_caller *c, int64_t unit_id, rq_scope *out);

/*
 * 0 when the caller may do `action` to something of unit `unit_id` (0: no
 * unit); otherwise -1 with `resp` filled: 403 "forbidden" naming the action
 * (or 503/500 if the store failed while looking).
 */
int rq_admin_allow(const rq_caller *c, rq_http_resp *resp, rq_action action, int64_t unit_id);

/*
 * The same for something about every unit at once (the provincial
 * report): it lies in the caller's subtree only when the caller is
 * province-wide (unit 0), outside it otherwise -- so officers and unit
 * viewers are refused, province-wide viewers may read.
 */
int rq_admin_allow_province(const rq_caller *c, rq_http_resp *resp, rq_action action);

/*
 * The unit lists are restricted to for this caller and an optional `unit`
 * query parameter: the parameter's unit when given (403 if outside the
 * caller's scope, 400 if malformed), else the caller's unit, else 0 (the
 * whole province). -1 with `resp` filled on refusal.
 */
int rq_admin_list_root(const rq_caller *c, rq_http_resp *resp, int64_t *out_unit);

/*
 * Record a change in the audit log on `s`, the connection of the
 * transaction making the change (inside an rq_store_transact callback: the
 * callback's own `s`, which on SQLite is the group-commit writer's, not
 * c->store), so the record and the change commit together: who (login,
 * user id), from where (client address), `action` ("unit.create"...), the
 * object, the unit it concerns (0: none) and `details` (stolen, may be
 * NULL; never a secret).
 */
int rq_admin_audit(rq_store *s, const rq_caller *c, const char *action, const char *object_type,
		   int64_t object_id, int64_t unit_id, json_t *details);

/*
 * `limit` and `offset` query parameters (see RQ_PAGE_*). -1 with `resp`
 * filled (400 naming the parameter) when malformed.
 */
int rq_admin_paging(const rq_http_req *req, rq_http_resp *resp, int64_t *limit, int64_t *offset);

/*
 * The answer of every list: {"items": items, "total": total, "limit": ..,
 * "offset": ..} with status 200 (`items` stolen).
 */
int rq_admin_list_reply(rq_http_resp *resp, json_t *items, int64_t total, int64_t limit, int64_t offset);

/*
 * A path parameter that is an id (1..2^53): 0 with *out set, or -1 with
 * `resp` filled (404: an id that cannot exist is a path that does not).
 */
int rq_admin_id_param(const rq_http_req *req, rq_http_resp *resp, const char *name, int64_t *out);

#endif
