/*
 * raquet-server's HTTP(S) daemon on libmicrohttpd: internal epoll threads
 * (a pool of cfg->threads), keep-alive, connection and request timeouts,
 * the body-size limit (413 before the body is read when Content-Length
 * says so), dispatch through an rq_http_router, one log line per request,
 * and a graceful stop. Overview: docs/server.md.
 */
#ifndef RQ_SERVER_HTTP_SERVER_H
#define RQ_SERVER_HTTP_SERVER_H

#include "config/config.h"
#include "http/router.h"

typedef struct rq_http_server rq_http_server;

/*
 * Bind cfg->listen and start serving `router` (borrowed: it must outlive
 * the server and not change while it runs). HTTPS with cfg->tls_cert and
 * cfg->tls_key unless cfg->plain_http, which is refused (RQ_EINVAL) on a
 * non-loopback address. Stop with rq_http_server_stop.
 */
int rq_http_server_start(rq_http_server **out, const rq_srv_config *cfg,
			 const rq_http_router *router);

/* The port bound (useful with port 0). */
unsigned rq_http_server_port(const rq_http_server *server);

/*
 * Stop accepting connections, let requests in flight finish (at most
 * RQ_HTTP_SHUTDOWN_GRACE seconds), close the rest and free the server.
 * NULL is a no-op.
 */
void rq_http_server_stop(rq_http_server *server);

#endif
