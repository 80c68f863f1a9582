/*
 * The admin API's official reports: POST /api/v1/reports (make and keep a
 * unit or provincial report), GET /api/v1/reports (the kept ones within
 * the caller's scope), GET /api/v1/reports/{id} (with its figures) and GET
 * /api/v1/reports/{id}/file?format=xlsx|pdf|csv. Reference:
 * docs/api-admin/reports.md and docs/reports.md.
 */
#ifndef RQ_SERVER_API_REPORTS_H
#define RQ_SERVER_API_REPORTS_H

#include "api/admin.h"
#include "api/ctx.h"
#include "http/router.h"
#include "store/reports.h"

/* Keep `rec` (made for campaign `campaign_id`; 0: none) with its audit
 * entry "report.create" in one transaction; its id into *out_id. */
int rq_api_report_keep(const rq_caller *c, const rq_report_rec *rec, int64_t campaign_id, int64_t *out_id);

int rq_api_reports_routes(rq_http_router *router, const rq_api_ctx *ctx);

#endif
