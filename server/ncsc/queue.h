/*
 * The durable queue of reports to the national centre: a report is made
 * (built, signed, validated: report.h) and stored as a queued submission
 * in one transaction; deliveries take due submissions one at a time, and
 * each attempt's outcome is written back, so a restart -- even after a
 * kill -9 -- loses nothing queued. The retry policy is here.
 */
#ifndef RQ_SERVER_NCSC_QUEUE_H
#define RQ_SERVER_NCSC_QUEUE_H

#include <stdint.h>

#include "config/config.h"
#include "store/store.h"

/* A delivery in progress is given this long beyond [ncsc] timeout before
 * another attempt may take the same submission (a server that died while
 * sending): the lease of rq_store_ncsc_claim. */
#define RQ_NCSC_LEASE_GRACE 60
/* The longest wait between two attempts. */
#define RQ_NCSC_RETRY_MAX (6 * 3600)

/*
 * Make a report of time `now` and queue it. `made_by`: "schedule", "cli"
 * or a login; `slot`: the schedule slot (0: none). `also` (may be NULL)
 * runs in the same transaction with the new id (the audit record). A
 * document that fails the schema is not queued: RQ_EINVAL saying why.
 */
int rq_ncsc_enqueue(rq_store *s, const rq_srv_config *cfg, int64_t now, const char *made_by, int64_t slot,
		    int64_t *out_id, int (*also)(rq_store *s, int64_t id, void *payload), void *payload);

/*
 * The wait before attempt `attempts + 1` after `attempts` failed ones:
 * retry_base * 2^(attempts-1), at most RQ_NCSC_RETRY_MAX, times a random
 * factor in [0.8, 1.2].
 */
int64_t rq_ncsc_retry_delay(const rq_srv_config *cfg, int64_t attempts);

/*
 * Deliver the submission due first, if any: *out_done is 1 when one was
 * tried (whatever its outcome), 0 when none was due. Errors are of the
 * store only; a failed delivery is an outcome, logged in its row.
 */
int rq_ncsc_deliver_due(rq_store *s, const rq_srv_config *cfg, int64_t now, int *out_done);

#endif
