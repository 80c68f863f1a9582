/*
 * The threat-intelligence routes of the admin API (docs/api-admin/intel.md):
 * importing indicator files, listing indicators and sources, the allow-
 * list of confirmed false positives, deleting, and the publish status.
 * Indicators are province-wide: reading them is a read of no unit, every
 * change is a system action (administrators), audited.
 */
#ifndef RQ_SERVER_API_INTEL_H
#define RQ_SERVER_API_INTEL_H

#include "api/ctx.h"
#include "http/router.h"

int rq_api_intel_routes(rq_http_router *router, const rq_api_ctx *ctx);

#endif
