/*
 * The TAXII pull routes of the admin API (docs/api-admin/intel.md): the
 * configured [taxii-pull NAME] sources with their state (read: no unit,
 * like the indicators), and asking for a pull now (a system action,
 * administrators, audited).
 */
#ifndef RQ_SERVER_API_TAXII_PULLS_H
#define RQ_SERVER_API_TAXII_PULLS_H

#include "api/ctx.h"
#include "http/router.h"

int rq_api_taxii_pull_routes(rq_http_router *router, const rq_api_ctx *ctx);

#endif
