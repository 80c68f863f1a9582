/*
 * Admin API of the units' information systems (docs/api-admin/campaigns.md):
 * the inventory with the proposed level, the security regulation, and the
 * level dossier's workflow, whose steps follow campaign/dossier.c's one
 * rule after auth/authz.c has placed the system in the caller's scope.
 * Implemented in systems.c.
 */
#ifndef RQ_SERVER_API_SYSTEMS_H
#define RQ_SERVER_API_SYSTEMS_H

#include "api/ctx.h"
#include "http/router.h"

int rq_api_systems_routes(rq_http_router *router, const rq_api_ctx *ctx);

#endif
