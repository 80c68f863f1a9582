/*
 * The dashboard's page and assets (GET /, GET /assets/...), served from the
 * files embedded in the binary (web_assets.h). Public routes: the page
 * carries no data, every data call it makes is authenticated.
 * Overview: docs/dashboard.md.
 */
#ifndef RQ_SERVER_HTTP_STATIC_H
#define RQ_SERVER_HTTP_STATIC_H

#include "http/router.h"

/* Register GET /, GET /assets/{file} and GET /assets/{dir}/{file}. */
int rq_http_static_routes(rq_http_router *router);

#endif
