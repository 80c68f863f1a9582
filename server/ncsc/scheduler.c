/*
 * The background worker of the national reports (scheduler.h): a thread
 * waiting on a condition variable with a one-second timeout, so stopping
 * is prompt between deliveries.
 */
#include "ncsc/scheduler.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/error.h"
#include "http/log.h"
#include "ncsc/queue.h"
#include "store/ncsc.h"
#include "store/store.h"

/* Submissions delivered in one tick at most, so a long queue does not
 * delay stopping by more than a few deliveries. */
#define DELIVERIES_PER_TICK 8

struct rq_ncsc_scheduler {
	const rq_srv_config *cfg;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int stop;
	rq_store *store;
	int64_t make_after; /* no scheduled report before this (after a failure) */
};

int64_t rq_ncsc_schedule_slot(const rq_srv_config *cfg, int64_t now)
{
	struct tm tm;
	time_t t = (time_t)now;
	if (cfg->ncsc_daily_minute < 0 || !localtime_r(&t, &tm))
		return 0;
	tm.tm_hour = cfg->ncsc_daily_minute / 60;
	tm.tm_min = cfg->ncsc_daily_minute % 60;
	tm.tm_sec = 0;
	tm.tm_isdst = -1;
	return (int64_t)mktime(&tm);
}

static void make_scheduled(rq_ncsc_scheduler *sch, int64_t now)
{
	int64_t slot = rq_ncsc_schedule_slot(sch->cfg, now), id = 0;
	int used = 0, rc;
	if (!slot || now < slot || now < sch->make_after)
		return;
	rc = rq_store_ncsc_slot_used(sch->store, slot, &used);
	if (rc < 0 || used)
		goto done;
	rc = rq_ncsc_enqueue(sch->store, sch->cfg, now, "schedule", slot, &id, NULL, NULL);
	if (rc == RQ_STORE_ECONSTRAINT) /* another server of this store made it first */
		rc = 0;
done:
	if (rc < 0) {
		rq_log(RQ_LOG_ERROR, "ncsc: the scheduled report could not be made: %s (next try in %d s)",
		       rq_error_last(), RQ_NCSC_MAKE_RETRY);
		sch->make_after = now + RQ_NCSC_MAKE_RETRY;
	}
}

static void tick(rq_ncsc_scheduler *sch)
{
	int done = 1;
	if (!sch->store && rq_store_open(&sch->store, sch->cfg->store_url) < 0) {
		rq_log(RQ_LOG_WARNING, "ncsc: store: %s", rq_error_last());
		return;
	}
	make_scheduled(sch, (int64_t)time(NULL));
	for (int i = 0; i < DELIVERIES_PER_TICK && done; i++) {
		pthread_mutex_lock(&sch->lock);
		int stop = sch->stop;
		pthread_mutex_unlock(&sch->lock);
		if (stop)
			break;
		if (rq_ncsc_deliver_due(sch->store, sch->cfg, (int64_t)time(NULL), &done) < 0) {
			rq_log(RQ_LOG_WARNING, "ncsc: delivery: %s", rq_error_last());
			/* a broken connection is opened again next tick */
			rq_store_close(sch->store);
			sch->store = NULL;
			break;
		}
	}
}

static void *run(void *arg)
{
	rq_ncsc_scheduler *sch = arg;
	pthread_mutex_lock(&sch->lock);
	while (!sch->stop) {
		pthread_mutex_unlock(&sch->lock);
		tick(sch);
		pthread_mutex_lock(&sch->lock);
		if (sch->stop)
			break;
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += RQ_NCSC_TICK;
		while (!sch->stop && pthread_cond_timedwait(&sch->cond, &sch->lock, &until) != ETIMEDOUT)
			;
	}
	pthread_mutex_unlock(&sch->lock);
	rq_store_close(sch->store);
	sch->store = NULL;
	return NULL;
}

int rq_ncsc_scheduler_start(rq_ncsc_scheduler **out, const rq_srv_config *cfg)
{
	int rc = 0;
	rq_ncsc_scheduler *sch = NULL;
	*out = NULL;
	if (!cfg->ncsc_url || !*cfg->ncsc_url)
		goto done;
	sch = calloc(1, sizeof(*sch));
	if (!sch) {
		rc = rq_fail(RQ_ENOMEM, "ncsc: out of memory");
		goto done;
	}
	sch->cfg = cfg;
	pthread_mutex_init(&sch->lock, NULL);
	pthread_cond_init(&sch->cond, NULL);
	if (pthread_create(&sch->thread, NULL, run, sch) != 0) {
		pthread_cond_destroy(&sch->cond);
		pthread_mutex_destroy(&sch->lock);
		free(sch);
		sch = NULL;
		rc = rq_fail(RQ_ERROR, "ncsc: cannot start the report worker");
		goto done;
	}
	*out = sch;
done:
	return rc;
}

void rq_ncsc_scheduler_stop(rq_ncsc_scheduler *sch)
{
	if (!sch)
		return;
	pthread_mutex_lock(&sch->lock);
	sch->stop = 1;
	pthread_cond_signal(&sch->cond);
	pthread_mutex_unlock(&sch->lock);
	pthread_join(sch->thread, NULL);
	pthread_cond_destroy(&sch->cond);
	pthread_mutex_destroy(&sch->lock);
	free(sch);
}
