/*
 * Policies of the admin API: GET /api/v1/units/{id}/policy (what applies
 * to the unit, where each field comes from, the version agents see) and
 * PUT (change the fields set at the unit; null removes one, so it is
 * inherited again). Registered by rq_api_units_routes (units.h); the
 * fields, defaults and inheritance are store/policies.h.
 */
#ifndef RQ_SERVER_API_POLICIES_H
#define RQ_SERVER_API_POLICIES_H

#include "api/ctx.h"
#include "http/router.h"

int rq_api_policies_routes(rq_http_router *router, const rq_api_ctx *ctx);

#endif
