/*
 * The admin API of the reports to the national monitoring centre
 * (docs/api-admin/ncsc.md): the submissions log, one submission and the
 * signed document as sent, and making one now.
 *   GET  /api/v1/ncsc/submissions             paged list (admin, province-wide viewers)
 *   POST /api/v1/ncsc/submissions             make and queue a report now (admin)
 *   GET  /api/v1/ncsc/submissions/{id}        one submission
 *   GET  /api/v1/ncsc/submissions/{id}/document   the signed XML
 */
#ifndef RQ_SERVER_API_NCSC_H
#define RQ_SERVER_API_NCSC_H

#include "api/ctx.h"
#include "http/router.h"

int rq_api_ncsc_routes(rq_http_router *router, const rq_api_ctx *ctx);

#endif
