/*
 * Per-thread store connections for the API handlers (ctx.h).
 */
#include "api/ctx.h"

#include <pthread.h>
#include <time.h>

#include "config/config.h"
#include "http/log.h"

static pthread_key_t key;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void close_store(void *p) { rq_store_close(p); }
static void make_key(void) { pthread_key_create(&key, close_store); }

rq_store *rq_api_store(const rq_api_ctx *ctx)
{
	pthread_once(&once, make_key);
	rq_store *s = pthread_getspecific(key);
	if (!s && rq_store_open(&s, ctx->store_url) == 0)
		pthread_setspecific(key, s);
	return s;
}

int64_t rq_api_now(void) { return (int64_t)time(NULL); }

int rq_api_store_down(rq_http_resp *resp)
{
	rq_log(RQ_LOG_ERROR, "store unavailable: %s", rq_error_last());
	return rq_http_resp_error(resp, 503, "store_unavailable", "the database cannot be reached; retry later");
}

int rq_api_store_error(rq_http_resp *resp, int rc, const char *what)
{
	if (rc == RQ_STORE_ECONSTRAINT)
		return rq_http_resp_error(resp, 409, "conflict", "%s: %s", what, rq_error_last());
	if (rc == RQ_STORE_EBUSY)
		return rq_http_resp_error(resp, 503, "busy", "%s: the database is busy; retry later", what);
	rq_log(RQ_LOG_ERROR, "%s: %s", what, rq_error_last());
	return rq_http_resp_error(resp, 500, "internal", "%s failed", what);
}
