/*
 * GET /api/v1/health: the liveness answer of raquet-server,
 * {"status":"ok","version":"X.Y.Z"}, for load balancers and monitoring.
 */
#ifndef RQ_SERVER_HTTP_HEALTH_H
#define RQ_SERVER_HTTP_HEALTH_H

#include "http/http.h"

/* The handler; ctx is unused. */
int rq_http_health(const rq_http_req *req, rq_http_resp *resp, void *ctx);

#endif
