/*
 * The admin API's coverage route: GET /api/v1/coverage, the figures of the
 * provincial report (machines known, reporting, real-time on, signature
 * age, infected, scanned and cleaned in a period) for a unit subtree, and
 * with by=children the same for each direct child unit; and GET
 * /api/v1/coverage/history, the daily snapshots the recorder kept
 * (server/coverage_recorder.c). Reference:
 * docs/api-admin/fleet.md.
 */
#ifndef RQ_SERVER_API_COVERAGE_H
#define RQ_SERVER_API_COVERAGE_H

#include <jansson.h>

#include "api/ctx.h"
#include "http/router.h"

/* Defaults: an endpoint counts as reporting when seen in the last week (a
 * machine off over a long weekend is still protected), and the period is
 * the last thirty days. */
#define RQ_COVERAGE_DEFAULT_WINDOW_DAYS 7
#define RQ_COVERAGE_DEFAULT_PERIOD_DAYS 30
/* The history's default length: a quarter, the trend chart's span. */
#define RQ_COVERAGE_HISTORY_DEFAULT_DAYS 90

int rq_api_coverage_routes(rq_http_router *router, const rq_api_ctx *ctx);

/* The snapshot figures of `v` (those the history keeps and a downstream
 * server reports upward) as a JSON object; NULL when out of memory. */
struct rq_coverage;
json_t *rq_api_coverage_snapshot_json(const struct rq_coverage *v);

#endif
