/*
 * The admin API's official reports: POST /api/v1/reports (make and keep a
 * unit or provincial report), GET /api/v1/reports (the kept ones within
 * the caller's scope), GET /api/v1/reports/{id} (with its figures) and GET
 * /api/v1/reports/{id}/file?format=xlsx|pdf|csv. Reference:
 * docs/api-admin/reports.md and docs/reports.md.
 */
#ifndef RQ_SERVER_API_REPORTS_H
#define RQ_SERVER_API_REPORTS_H

#include "api/ctx.h"
#include "http/router.h"

int rq_api_reports_routes(rq_http_router *router, const rq_api_ctx *ctx);

#endif
