/*
 * The report worker (worker.h) on the shape of server/worker/ticker.h.
 */
#include "tier/worker.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "core/error.h"
#include "http/log.h"
#include "store/store.h"
#include "store/tier.h"
#include "tier/downward.h"
#include "tier/upward.h"
#include "worker/ticker.h"

/* After a snapshot could not be made (store down), the next try waits this long. */
#define SNAPSHOT_RETRY 60

struct rq_tier_worker {
	const rq_srv_config *cfg;
	rq_ticker *ticker;
	rq_store *store;
	int64_t next_snapshot; /* 0: at once */
	int64_t bound_id;      /* the upstream's id of our unit, 0: not asked yet */
	int64_t next_sync;     /* of the upstream's databases; 0: at once */
};

typedef struct synced_args {
	int64_t now, published;
	const char *error;
} synced_args;

static int synced_in_txn(rq_store *s, void *payload)
{
	synced_args *a = payload;
	return rq_store_upstream_synced(s, a->now, a->published, a->error);
}

/* One sync of the upstream's databases, its outcome kept for GET /api/v1/upstream. */
static void sync_databases(rq_tier_worker *w, int64_t now)
{
	char why[256] = "";
	int published = 0;
	w->next_sync = now + (int64_t)w->cfg->upstream_interval;
	if (rq_tier_sync_databases(w->cfg, &published) < 0) {
		snprintf(why, sizeof(why), "%s", rq_error_last());
		rq_log(RQ_LOG_WARNING, "upstream: databases: %s", why);
	}
	synced_args a = { now, published, why };
	if (rq_store_transact(w->store, synced_in_txn, &a) < 0)
		rq_log(RQ_LOG_WARNING, "upstream: store: %s", rq_error_last());
}

static void tick(void *payload)
{
	rq_tier_worker *w = payload;
	int64_t now = (int64_t)time(NULL);
	int done = 0;
	if (!w->store && rq_store_open(&w->store, w->cfg->store_url) < 0) {
		rq_log(RQ_LOG_WARNING, "upstream: store: %s", rq_error_last());
		return;
	}
	if (now >= w->next_snapshot) {
		if (rq_tier_enqueue(w->store, w->cfg, now) < 0) {
			rq_log(RQ_LOG_ERROR, "upstream: the report could not be made: %s (next try in %d s)",
			       rq_error_last(), SNAPSHOT_RETRY);
			w->next_snapshot = now + SNAPSHOT_RETRY;
		} else {
			w->next_snapshot = now + (int64_t)w->cfg->upstream_interval;
		}
	}
	if (rq_ticker_stopping(w->ticker))
		return;
	if (*w->cfg->upstream_keys_dir && now >= w->next_sync)
		sync_databases(w, now);
	if (rq_ticker_stopping(w->ticker))
		return;
	if (rq_tier_deliver_due(w->store, w->cfg, (int64_t)time(NULL), &w->bound_id, &done) < 0) {
		rq_log(RQ_LOG_WARNING, "upstream: delivery: %s", rq_error_last());
		rq_store_close(w->store); /* opened again next tick */
		w->store = NULL;
	}
}

static void stopped(void *payload)
{
	rq_tier_worker *w = payload;
	rq_store_close(w->store);
	w->store = NULL;
}

int rq_tier_worker_start(rq_tier_worker **out, const rq_srv_config *cfg)
{
	rq_tier_worker *w = NULL;
	int rc = 0;
	*out = NULL;
	if (!cfg->upstream_url || !*cfg->upstream_url)
		return 0;
	if (!(w = calloc(1, sizeof(*w))))
		return rq_fail(RQ_ENOMEM, "upstream: out of memory");
	w->cfg = cfg;
	if ((rc = rq_ticker_start(&w->ticker, 1, tick, stopped, w)) < 0) {
		free(w);
		return rc;
	}
	*out = w;
	return 0;
}

void rq_tier_worker_stop(rq_tier_worker *w)
{
	if (!w)
		return;
	rq_ticker_stop(w->ticker);
	free(w);
}
