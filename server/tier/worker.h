/*
 * The downstream server's report worker (docs/tier.md): on its own store
 * connection, once a second, it queues a snapshot when [upstream] interval
 * has passed (at once after a start) and delivers the queued report when
 * it is due. Not started without [upstream] url.
 */
#ifndef RQ_SERVER_TIER_WORKER_H
#define RQ_SERVER_TIER_WORKER_H

#include "config/config.h"

typedef struct rq_tier_worker rq_tier_worker;

/* Start it (*out NULL when there is no upstream). `cfg` must outlive it. */
int rq_tier_worker_start(rq_tier_worker **out, const rq_srv_config *cfg);

/* Stop and join it, letting a delivery in progress finish; NULL is a no-op. */
void rq_tier_worker_stop(rq_tier_worker *w);

#endif
