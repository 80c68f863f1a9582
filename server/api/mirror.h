/*
 * The signature mirror served by raquet-server: GET /mirror/FILE sends a
 * file of the configured mirror folder (index.json, index.json.sig,
 * NAME-VERSION.rqdb, as `raquet mirror publish` writes them) with ETag and
 * Last-Modified, answering 304 to a matching If-None-Match or
 * If-Modified-Since. The files are signed, so they are served without
 * authentication, like any web server would. Layout: docs/mirror.md.
 */
#ifndef RQ_SERVER_API_MIRROR_H
#define RQ_SERVER_API_MIRROR_H

#include "http/router.h"

/* Register the route; `dir` (borrowed) is the mirror folder. */
int rq_api_mirror_routes(rq_http_router *router, const char *dir);

#endif
