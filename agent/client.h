/*
 * The agent's HTTP client (client.c): JSON POSTs to raquet-server's agent
 * API through libcurl loaded on demand (lib/db/curl_dl.h). TLS is always
 * verified for https (a CA file or the system's, plus the pinned server
 * key when one is known); plain http only to a loopback server, for
 * development and tests. The credential travels as "Authorization: Bearer
 * ID.SECRET" and never appears in a message or log.
 */
#ifndef RQ_AGENT_CLIENT_H
#define RQ_AGENT_CLIENT_H

#include <signal.h>

#include <jansson.h>

#include "agent_limits.h"

typedef struct rq_client rq_client;

typedef struct rq_client_options {
	const char *url;        /* server base URL: https://host[:port] or http://127.0.0.1:port */
	const char *ca_file;    /* NULL or "": the system's CAs */
	const char *pin;        /* "sha256//BASE64" the server key must match; NULL or "": none */
	const char *credential; /* "ID.SECRET"; NULL before enrollment (copied, wiped on free) */
	int learn_pin;          /* record the server's key pin (enrollment): rq_client_seen_pin */
	long timeout;           /* seconds per request; 0: RQ_AGENT_REQUEST_TIMEOUT */
	const volatile sig_atomic_t *cancel; /* non-zero aborts a request in flight (RQ_ESTOPPED); may be NULL */
} rq_client_options;

/*
 * Check that `url` is one the agent may talk to: https://, or http:// to a
 * loopback address (127.0.0.0/8, [::1], localhost). 0 or RQ_EINVAL with why.
 */
int rq_client_url_check(const char *url);

/* A client (libcurl loaded now: RQ_EUNSUPPORTED when it is missing). Free with rq_client_free. */
int rq_client_new(rq_client **out, const rq_client_options *o);
void rq_client_free(rq_client *c);

/*
 * POST `body` as JSON to URL + `path` ("/api/v1/agent/heartbeat"). Returns
 * 0 when an HTTP answer came back, whatever its status (*status; *answer the
 * parsed JSON body or NULL when it was not JSON: json_decref it); RQ_EIO
 * when the server could not be reached or the transfer failed; RQ_ESTOPPED
 * when *cancel became non-zero (within about a second); RQ_EVERIFY
 * when the server's certificate or pinned key did not verify. The last error
 * says which, without the credential.
 */
int rq_client_post(rq_client *c, const char *path, const json_t *body, long *status, json_t **answer);

/* The pin of the server key seen by the last https request with learn_pin ("" if none). */
const char *rq_client_seen_pin(const rq_client *c);

/* "reason" of an error answer ({"error", "reason"}), or `fallback`. */
const char *rq_client_reason(const json_t *answer, const char *fallback);

#endif
