/*
 * The admin API's endpoints routes: GET /api/v1/endpoints (filters,
 * sorting, paging), GET and DELETE /api/v1/endpoints/{id}; and the query
 * parameter readers the fleet's other read routes (detections.c, tasks.c,
 * coverage.c) share. Reference: docs/api-admin/fleet.md.
 */
#ifndef RQ_SERVER_API_ENDPOINTS_H
#define RQ_SERVER_API_ENDPOINTS_H

#include <stdint.h>

#include <jansson.h>

#include "api/ctx.h"
#include "http/router.h"

/* Latest time accepted in a query (Unix seconds; year 36812): past any
 * real date, small enough that adding days cannot overflow. */
#define RQ_FLEET_TIME_MAX (1LL << 40)
/* Days of stale_days, sig_older_days, window_days: ten years. */
#define RQ_FLEET_DAYS_MAX 3650

int rq_api_endpoints_routes(rq_http_router *router, const rq_api_ctx *ctx);
/* All the fleet's routes: endpoints, detections and connections, tasks,
 * coverage (the one call of server/main.c). */
int rq_api_fleet_routes(rq_http_router *router, const rq_api_ctx *ctx);

/*
 * Query parameter readers: absent leaves the default, a bad value fills
 * `resp` with 400 "bad_request" naming the parameter and returns -1.
 */
/* One of `choices` (NULL-terminated) into *out as its index; `def` if absent. */
int rq_fleet_query_choice(const rq_http_req *req, rq_http_resp *resp, const char *name,
			  const char *const *choices, int def, int *out);
/* An id (1..2^53) or 0 when absent. */
int rq_fleet_query_id(const rq_http_req *req, rq_http_resp *resp, const char *name, int64_t *out);
/* A Unix time (0..RQ_FLEET_TIME_MAX), `def` when absent. */
int rq_fleet_query_time(const rq_http_req *req, rq_http_resp *resp, const char *name, int64_t def,
			int64_t *out);
/* Text of at most `max` bytes with no control character; NULL when absent. */
int rq_fleet_query_text(const rq_http_req *req, rq_http_resp *resp, const char *name, size_t max,
			const char **out);

/* JSON helpers: a Unix time or null (0); a stored JSON text parsed, or
 * `fallback` ("[]", "{}") when it is not valid JSON. New references. */
json_t *rq_fleet_json_time(int64_t t);
json_t *rq_fleet_json_doc(const char *text, const char *fallback);
/* Append `o` (stolen; NULL is an out-of-memory) to `array`: 0 or -1. */
int rq_fleet_append(json_t *array, json_t *o);
/* Answer a list: a store error `rc` (what failed: `what`), else the page
 * {"items", "total", "limit", "offset"}. `items` stolen. */
void rq_fleet_list_answer(rq_http_resp *resp, int rc, json_t *items, int64_t total, int64_t limit, int64_t offset,
			  const char *what);
/* {"id", "name", "code"} of a unit. */
json_t *rq_fleet_json_unit(int64_t id, const char *name, const char *code);

#endif
