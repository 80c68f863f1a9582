/*
 * API tokens of the admin API, for scripts: GET/POST /api/v1/api-tokens and
 * DELETE /api/v1/api-tokens/{id}. A caller lists, creates and revokes its
 * own tokens; administrators list and revoke anyone's. The token is shown
 * once, in the answer that creates it. Reference: docs/api-admin/auth.md.
 */
#ifndef RQ_SERVER_API_APITOKENS_H
#define RQ_SERVER_API_APITOKENS_H

#include "api/ctx.h"
#include "http/router.h"

/* Longest validity of an API token, in days (a year: scripts get rotated). */
#define RQ_APITOKEN_MAX_DAYS 366
/* Longest name of an API token. */
#define RQ_APITOKEN_NAME_MAX 128

int rq_api_apitokens_routes(rq_http_router *router, const rq_api_ctx *ctx);

#endif
