/*
 * What every API handler gets as its context: where the store is, and a
 * store connection of the calling thread (opened on first use, closed when
 * the thread ends -- one connection per server thread, never shared).
 */
#ifndef RQ_SERVER_API_CTX_H
#define RQ_SERVER_API_CTX_H

#include <stdint.h>

#include "http/http.h"
#include "store/store.h"

struct rq_throttle;
struct rq_mirror_keys;
struct rq_srv_config;

typedef struct rq_api_ctx {
	const char *store_url;
	const char *mirror_dir;        /* the signature mirror served ("" or NULL: none) */
	const struct rq_mirror_keys *mirror_keys; /* its public keys for agents (NULL: none) */
	/* admin API (api/admin.c, api/auth.c); unused by the agent API */
	struct rq_throttle *throttle;  /* login attempts (auth/throttle.h) */
	int secure_cookies;            /* served over HTTPS: cookies get Secure */
	int64_t session_idle_s;        /* a session unused this long ends */
	int64_t session_max_s;         /* and any session ends this long after login */
	const char *report_agency;     /* [report] agency: named in every report made */
	const struct rq_srv_config *config; /* the whole configuration ([ncsc] reports); NULL in `routes` */
} rq_api_ctx;

/* The calling thread's connection, or NULL (rq_error_last says why). */
rq_store *rq_api_store(const rq_api_ctx *ctx);

/* Seconds since the epoch (UTC). */
int64_t rq_api_now(void);

/* Answer 503 "store_unavailable" (the store could not be reached) and log why. */
int rq_api_store_down(rq_http_resp *resp);

/* Answer an error from the store: 409 for constraints, 503 for busy, 500 otherwise. */
int rq_api_store_error(rq_http_resp *resp, int rc, const char *what);

#endif
