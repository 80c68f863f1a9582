/*
 * Logging in and out of the admin API: POST /api/v1/auth/login (password
 * -> session cookie + CSRF token, throttled), POST /api/v1/auth/logout,
 * GET /api/v1/auth/me and POST /api/v1/auth/password (own password).
 * Reference: docs/api-admin/auth.md.
 */
#ifndef RQ_SERVER_API_AUTH_H
#define RQ_SERVER_API_AUTH_H

#include "api/ctx.h"
#include "auth/token.h"
#include "http/router.h"

/* Prefixes of the secrets handed out (auth/token.h): session cookie, CSRF
 * token, API token. */
#define RQ_SESSION_PREFIX "rqs"
#define RQ_CSRF_PREFIX "rqc"
#define RQ_APITOKEN_PREFIX "rqt"

/* Register the routes above; `ctx` must outlive the router. */
int rq_api_auth_routes(rq_http_router *router, const rq_api_ctx *ctx);

/* The stored hash of the request's session cookie: 0, or RQ_ENOTFOUND
 * when there is no well-formed cookie. */
int rq_api_session_hash(const rq_http_req *req, char out[RQ_TOKEN_HASH_LEN]);

#endif
