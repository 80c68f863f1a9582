/*
 * The admin API's detection routes: GET /api/v1/detections (filters,
 * sorting, paging), GET /api/v1/detections/{id} with how far the same file
 * spread in the caller's scope, and GET /api/v1/connections (connections
 * to malicious addresses). Reference: docs/api-admin/fleet.md.
 */
#ifndef RQ_SERVER_API_DETECTIONS_H
#define RQ_SERVER_API_DETECTIONS_H

#include <jansson.h>

#include "api/ctx.h"
#include "http/router.h"
#include "store/fleet.h"

int rq_api_detections_routes(rq_http_router *router, const rq_api_ctx *ctx);

/* A detection / connection row as the API shows it (new reference, NULL
 * on out-of-memory). */
json_t *rq_fleet_detection_json(const rq_detection_row *r);
json_t *rq_fleet_connection_json(const rq_connection_row *r);
/* Row callbacks of the store: append the row's JSON to the array `payload`. */
int rq_fleet_append_detection(const rq_detection_row *r, void *payload);
int rq_fleet_append_connection(const rq_connection_row *r, void *payload);

/* Hex digits of a SHA-256. */
#define RQ_SHA256_HEX 64

/* `v` as a SHA-256 (64 hex digits, either case) lower-cased into out: 0,
 * or -1 when it is not one. */
int rq_fleet_sha256(const char *v, char out[RQ_SHA256_HEX + 1]);

#endif
