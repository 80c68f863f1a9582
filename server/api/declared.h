/*
 * Admin API of the machines protected by other products
 * (docs/api-admin/declared.md): declared one by one or from a CSV
 * inventory, edited, removed, listed -- written with RQ_ACT_OPERATE at the
 * machine's unit (its officers, administrators), read with RQ_ACT_READ.
 * Implemented in declared.c.
 */
#ifndef RQ_SERVER_API_DECLARED_H
#define RQ_SERVER_API_DECLARED_H

#include "api/ctx.h"
#include "http/router.h"

int rq_api_declared_routes(rq_http_router *router, const rq_api_ctx *ctx);

#endif
