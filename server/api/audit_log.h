/*
 * The audit log of the admin API: GET /api/v1/audit, newest first, paged,
 * filtered by unit subtree, user, action prefix and time. A caller sees
 * only the entries about units of its own subtree (all entries for the
 * province-wide). Registered by rq_api_units_routes (units.h).
 */
#ifndef RQ_SERVER_API_AUDIT_LOG_H
#define RQ_SERVER_API_AUDIT_LOG_H

#include "api/ctx.h"
#include "http/router.h"

/* Longest `action` prefix filter ("unit.", "token.create"). */
#define RQ_AUDIT_ACTION_FILTER_MAX 64

int rq_api_audit_log_routes(rq_http_router *router, const rq_api_ctx *ctx);

#endif
