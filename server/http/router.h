/*
 * The router of raquet-server: routes are METHOD + a path pattern whose
 * segments are literals or `{name}` parameters ("/api/v1/units/{id}");
 * matching a request yields the handler and the parameters, or tells a
 * 404 (no pattern matches the path) from a 405 (wrong method, with Allow).
 */
#ifndef RQ_SERVER_HTTP_ROUTER_H
#define RQ_SERVER_HTTP_ROUTER_H

#include <stddef.h>

#include "http/http.h"

typedef struct rq_http_router rq_http_router;

/* A new empty router; free with rq_http_router_free. */
int rq_http_router_new(rq_http_router **out);
/* NULL is a no-op. */
void rq_http_router_free(rq_http_router *router);

/*
 * Add a route. `method` is an upper-case token; `pattern` starts with '/',
 * has at most RQ_HTTP_MAX_SEGMENTS segments and RQ_HTTP_MAX_PARAMS
 * `{name}` segments; both are copied. `ctx` is passed to the handler as is.
 * RQ_EINVAL for a malformed pattern or a duplicate (method, pattern) --
 * two patterns differing only by parameter names are duplicates.
 * A GET route also answers HEAD.
 */
int rq_http_router_add(rq_http_router *router, const char *method, const char *pattern,
		       rq_http_handler handler, void *ctx);

/* The result of a match. The parameter strings point into `storage`. */
typedef struct rq_http_match {
	rq_http_handler handler;
	void *ctx;
	const char *pattern;     /* the route's pattern (owned by the router) */
	size_t param_count;
	const char *param_names[RQ_HTTP_MAX_PARAMS];
	const char *param_values[RQ_HTTP_MAX_PARAMS];
	char allow[128];         /* on RQ_EUNSUPPORTED: "GET, POST" */
	char storage[RQ_HTTP_MAX_VALUE + RQ_HTTP_MAX_PARAMS];
} rq_http_match;

/*
 * Match a decoded path. 0 with `out` filled; RQ_ENOTFOUND when no pattern
 * matches the path (404); RQ_EUNSUPPORTED when patterns match but none for
 * this method (405, out->allow lists the methods). Literal segments win
 * over parameters when both match. Empty segments ("//") never match a
 * pattern; a trailing "/" matches only a pattern that ends with one
 * ("/taxii2/": TAXII's URLs), and such a pattern only a path with one;
 * parameter values over RQ_HTTP_MAX_VALUE do not.
 */
int rq_http_router_match(const rq_http_router *router, const char *method, const char *path,
			 rq_http_match *out);

/* Number of routes, and route `i`'s method and pattern (for the OpenAPI check). */
size_t rq_http_router_count(const rq_http_router *router);
void rq_http_router_route(const rq_http_router *router, size_t i, const char **method,
			  const char **pattern);

#endif
