/*
 * The admin API's sample routes: GET /api/v1/detections/samples, the
 * detections grouped by file (SHA-256) within the caller's scope -- the
 * same file on many machines as one row -- and GET
 * /api/v1/detections/samples/{sha256}, one file with its spread per unit.
 * Reference: docs/api-admin/dashboard.md.
 */
#ifndef RQ_SERVER_API_SAMPLES_H
#define RQ_SERVER_API_SAMPLES_H

#include "api/ctx.h"
#include "http/router.h"

int rq_api_samples_routes(rq_http_router *router, const rq_api_ctx *ctx);

#endif
