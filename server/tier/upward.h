/*
 * The upward path of a downstream server (docs/tier.md): a report is a
 * whole snapshot -- the unit tree (codes, names, parents), each unit's
 * coverage figures, and the sightings (files detected: SHA-256, detection
 * name, machine and unit counts, first and last seen; never a host name
 * or an address) -- queued durably in the store, then delivered to the
 * upstream until it acknowledges it. A newer snapshot supersedes unsent
 * older ones (it holds all they held); the upstream applies a batch once.
 */
#ifndef RQ_SERVER_TIER_UPWARD_H
#define RQ_SERVER_TIER_UPWARD_H

#include <stdint.h>

#include "config/config.h"
#include "store/store.h"

/* Units and sightings in one report at most (the upstream refuses more):
 * a province has hundreds of units; sightings beyond the newest are
 * already on the upstream from earlier reports (it never forgets one). */
#define RQ_TIER_MAX_UNITS 5000
#define RQ_TIER_MAX_SIGHTINGS 5000
/* The longest wait between two delivery attempts. */
#define RQ_TIER_RETRY_MAX 3600
/* Sent reports are kept this long in the queue (what was sent when). */
#define RQ_TIER_KEEP_SENT (7 * 86400LL)

/* The snapshot of time `now` as a report body (JSON text, free()), its
 * batch id (32 hex digits) into `batch_id`. `server_name` names this server. */
int rq_tier_snapshot(rq_store *s, const char *server_name, int64_t now, char **out_body, char batch_id[33]);

/* Make a snapshot and queue it (one transaction). */
int rq_tier_enqueue(rq_store *s, const rq_srv_config *cfg, int64_t now);

/* The wait after `attempts` failed deliveries: retry_base * 2^(attempts-1),
 * at most RQ_TIER_RETRY_MAX, times a random factor in [0.8, 1.2]. */
int64_t rq_tier_retry_delay(const rq_srv_config *cfg, int64_t attempts);

/*
 * Deliver the queued report due first, if any (*out_done 1 when one was
 * tried). `bound_id` caches the upstream's id of the unit this server's
 * credential is bound to (0: ask the upstream first). A failed delivery is
 * an outcome written to the queue; errors returned are the store's.
 */
int rq_tier_deliver_due(rq_store *s, const rq_srv_config *cfg, int64_t now, int64_t *bound_id, int *out_done);

#endif
