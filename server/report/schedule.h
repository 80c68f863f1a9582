/*
 * The scheduled provincial report ([report] schedule): a thread of
 * raquet-server that, at start and then every RQ_REPORT_SCHEDULE_CHECK_S,
 * makes the provincial report of the previous period unless it is kept
 * already (source "scheduled"; the store's unique index makes it once even
 * across restarts and servers). Implemented in schedule.c.
 */
#ifndef RQ_SERVER_REPORT_SCHEDULE_H
#define RQ_SERVER_REPORT_SCHEDULE_H

#include <stdint.h>

#include "store/store.h"

/* How often the thread looks: a period's report comes within this long of
 * its end. */
#define RQ_REPORT_SCHEDULE_CHECK_S 600

typedef struct rq_report_scheduler rq_report_scheduler;

/*
 * Make the scheduled report due at `now` on `s` if it is not kept yet:
 * 0 made, 1 kept already, negative on error. `schedule` is "monthly" or
 * "weekly". Used by the thread; callable alone (tests).
 */
int rq_report_schedule_run(rq_store *s, const char *schedule, const char *agency, int64_t now, int64_t *out_id);

/* Start the thread (schedule "off": nothing, *out NULL). The strings are
 * copied. Stop and free with rq_report_scheduler_stop (NULL: no-op). */
int rq_report_scheduler_start(rq_report_scheduler **out, const char *store_url, const char *schedule,
			      const char *agency);
void rq_report_scheduler_stop(rq_report_scheduler *r);

#endif
