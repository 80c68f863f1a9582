/*
 * The periodic worker thread (ticker.h).
 */
#include "worker/ticker.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "core/error.h"

struct rq_ticker {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int stop;
	unsigned seconds;
	void (*tick)(void *payload);
	void (*stopped)(void *payload);
	void *payload;
};

static void *run(void *arg)
{
	rq_ticker *t = arg;
	pthread_mutex_lock(&t->lock);
	while (!t->stop) {
		pthread_mutex_unlock(&t->lock);
		t->tick(t->payload);
		pthread_mutex_lock(&t->lock);
		if (t->stop)
			break;
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += t->seconds;
		while (!t->stop && pthread_cond_timedwait(&t->cond, &t->lock, &until) != ETIMEDOUT)
			;
	}
	pthread_mutex_unlock(&t->lock);
	if (t->stopped)
		t->stopped(t->payload);
	return NULL;
}

int rq_ticker_start(rq_ticker **out, unsigned seconds, void (*tick)(void *payload), void (*stopped)(void *payload),
		    void *payload)
{
	int rc = 0;
	rq_ticker *t = calloc(1, sizeof(*t));
	*out = NULL;
	if (!t) {
		rc = rq_fail(RQ_ENOMEM, "out of memory");
		goto done;
	}
	t->seconds = seconds;
	t->tick = tick;
	t->stopped = stopped;
	t->payload = payload;
	pthread_mutex_init(&t->lock, NULL);
	pthread_cond_init(&t->cond, NULL);
	if (pthread_create(&t->thread, NULL, run, t) != 0) {
		pthread_cond_destroy(&t->cond);
		pthread_mutex_destroy(&t->lock);
		free(t);
		rc = rq_fail(RQ_ERROR, "cannot start a worker thread");
		goto done;
	}
	*out = t;
done:
	return rc;
}

int rq_ticker_stopping(rq_ticker *t)
{
	pthread_mutex_lock(&t->lock);
	int stop = t->stop;
	pthread_mutex_unlock(&t->lock);
	return stop;
}

void rq_ticker_stop(rq_ticker *t)
{
	if (!t)
		return;
	pthread_mutex_lock(&t->lock);
	t->stop = 1;
	pthread_cond_signal(&t->cond);
	pthread_mutex_unlock(&t->lock);
	pthread_join(t->thread, NULL);
	pthread_cond_destroy(&t->cond);
	pthread_mutex_destroy(&t->lock);
	free(t);
}
