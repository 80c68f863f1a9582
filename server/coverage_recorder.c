/*
 * The coverage recorder's thread (coverage_recorder.h): a round of
 * snapshots, then a wait on a condition variable (monotonic clock) until
 * the next round or until stop is asked. Each snapshot is its own short
 * transaction, so request threads never wait long on it.
 */
#include "coverage_recorder.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/coverage.h"
#include "api/ctx.h"
#include "config/config.h"
#include "core/error.h"
#include "http/log.h"
#include "store/coverage_history.h"

struct rq_coverage_recorder {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	int stopping; /* under lock */
	char *store_url;
	int64_t interval_s, skew_s;
};

static int stop_asked(void *payload)
{
	rq_coverage_recorder *r = payload;
	pthread_mutex_lock(&r->lock);
	int stop = r->stopping;
	pthread_mutex_unlock(&r->lock);
	return stop;
}

static double ms_since(const struct timespec *t0)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) * 1e3 + (double)(t.tv_nsec - t0->tv_nsec) / 1e6;
}

static void record_round(rq_coverage_recorder *r, rq_store **s)
{
	struct timespec t0;
	int64_t units = 0, now = rq_api_now() + r->skew_s;
	int rc;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (!*s && rq_store_open(s, r->store_url) < 0) {
		rq_log(RQ_LOG_WARNING, "coverage history: store unavailable: %s", rq_error_last());
		return;
	}
	rc = rq_store_coverage_record(*s, now, (int64_t)RQ_COVERAGE_DEFAULT_WINDOW_DAYS * 86400, stop_asked, r, &units);
	if (rc == RQ_ESTOPPED)
		return;
	if (rc < 0) {
		rq_log(RQ_LOG_WARNING, "coverage history: %s", rq_error_last());
		/* a fresh connection next round, in case this one is broken */
		rq_store_close(*s);
		*s = NULL;
		return;
	}
	rq_log(RQ_LOG_DEBUG, "coverage history: %lld snapshots in %.0f ms", (long long)units, ms_since(&t0));
}

static void *run(void *arg)
{
	rq_coverage_recorder *r = arg;
	rq_store *s = NULL;
	for (;;) {
		record_round(r, &s);
		struct timespec until;
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_sec += (time_t)r->interval_s;
		pthread_mutex_lock(&r->lock);
		while (!r->stopping && pthread_cond_timedwait(&r->wake, &r->lock, &until) == 0)
			;
		int stop = r->stopping;
		pthread_mutex_unlock(&r->lock);
		if (stop)
			break;
	}
	rq_store_close(s);
	return NULL;
}

int rq_coverage_recorder_start(rq_coverage_recorder **out, const char *store_url, int64_t interval_s,
			       int64_t skew_s)
{
	pthread_condattr_t attr;
	rq_coverage_recorder *r = calloc(1, sizeof(*r));
	int rc = 0;
	*out = NULL;
	if (!r || !(r->store_url = strdup(store_url))) {
		rc = rq_fail(RQ_ENOMEM, "coverage history: out of memory");
		goto done;
	}
	r->interval_s = interval_s > 0 ? interval_s : RQ_COVERAGE_RECORD_INTERVAL_S;
	r->skew_s = skew_s;
	pthread_mutex_init(&r->lock, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&r->wake, &attr);
	pthread_condattr_destroy(&attr);
	if (pthread_create(&r->thread, NULL, run, r) != 0) {
		pthread_cond_destroy(&r->wake);
		pthread_mutex_destroy(&r->lock);
		rc = rq_fail(RQ_ERROR, "coverage history: cannot start its thread");
		goto done;
	}
	*out = r;
	r = NULL;
done:
	if (r)
		free(r->store_url);
	free(r);
	return rc;
}

void rq_coverage_recorder_stop(rq_coverage_recorder *r)
{
	if (!r)
		return;
	pthread_mutex_lock(&r->lock);
	r->stopping = 1;
	pthread_cond_signal(&r->wake);
	pthread_mutex_unlock(&r->lock);
	pthread_join(r->thread, NULL);
	pthread_cond_destroy(&r->wake);
	pthread_mutex_destroy(&r->lock);
	free(r->store_url);
	free(r);
}
