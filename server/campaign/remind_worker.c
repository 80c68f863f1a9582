/*
 * The reminder worker (remind_worker.h).
 */
#include "campaign/remind_worker.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

#include "campaign/remind.h"
#include "core/error.h"
#include "http/log.h"
#include "store/store.h"
#include "worker/ticker.h"

struct rq_remind_worker {
	const rq_srv_config *cfg;
	rq_ticker *ticker;
	rq_store *store;
	atomic_int stopping; /* set before the ticker is stopped: a long tick ends early */
};

static void tick(void *payload)
{
	rq_remind_worker *w = payload;
	int done = 1;
	if (!w->store && rq_store_open(&w->store, w->cfg->store_url) < 0) {
		rq_log(RQ_LOG_WARNING, "reminders: store: %s", rq_error_last());
		return;
	}
	if (rq_remind_plan(w->store, w->cfg, (int64_t)time(NULL), NULL) < 0)
		rq_log(RQ_LOG_WARNING, "reminders: %s (tried again at the next check)", rq_error_last());
	/* every mail due, one after the other (a stop waits for one delivery at
	 * most), until a mail server that does not answer: the others wait for
	 * the next tick instead of each counting a failed attempt */
	while (done == 1 && !atomic_load(&w->stopping)) {
		if (rq_remind_deliver_due(w->store, w->cfg, (int64_t)time(NULL), &done) < 0) {
			rq_log(RQ_LOG_WARNING, "reminders: delivery: %s", rq_error_last());
			/* a broken connection is opened again next tick */
			rq_store_close(w->store);
			w->store = NULL;
			break;
		}
	}
}

static void stopped(void *payload)
{
	rq_remind_worker *w = payload;
	rq_store_close(w->store);
	w->store = NULL;
}

int rq_remind_worker_start(rq_remind_worker **out, const rq_srv_config *cfg)
{
	int rc = 0;
	rq_remind_worker *w = NULL;
	*out = NULL;
	if (!cfg->smtp_url || !*cfg->smtp_url)
		goto done;
	if (!(w = calloc(1, sizeof(*w)))) {
		rc = rq_fail(RQ_ENOMEM, "reminders: out of memory");
		goto done;
	}
	w->cfg = cfg;
	if ((rc = rq_ticker_start(&w->ticker, (unsigned)cfg->reminders_interval, tick, stopped, w)) < 0) {
		free(w);
		goto done;
	}
	*out = w;
done:
	return rc;
}

void rq_remind_worker_stop(rq_remind_worker *w)
{
	if (!w)
		return;
	atomic_store(&w->stopping, 1);
	rq_ticker_stop(w->ticker);
	free(w);
}
