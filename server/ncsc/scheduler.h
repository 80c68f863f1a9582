/*
 * The server's background worker of the national reports: once a second
 * it makes the day's scheduled report when its time has come ([ncsc]
 * schedule "daily HH:MM", once per day per store, whichever server of the
 * store comes first) and delivers the queued submissions that are due.
 * It has its own store connection. Not started when [ncsc] url is empty.
 */
#ifndef RQ_SERVER_NCSC_SCHEDULER_H
#define RQ_SERVER_NCSC_SCHEDULER_H

#include <stdint.h>

#include "config/config.h"

typedef struct rq_ncsc_scheduler rq_ncsc_scheduler;

/* Seconds between two looks at the queue and the clock. */
#define RQ_NCSC_TICK 1
/* After a scheduled report could not be made (store down, key unreadable),
 * the next try waits this long. */
#define RQ_NCSC_MAKE_RETRY 300

/* Start the worker (*out NULL when reporting is off). `cfg` must outlive it. */
int rq_ncsc_scheduler_start(rq_ncsc_scheduler **out, const rq_srv_config *cfg);

/* Stop and join it, letting a delivery in progress finish; NULL is a no-op. */
void rq_ncsc_scheduler_stop(rq_ncsc_scheduler *sch);

/* The schedule slot (Unix time of today's HH:MM, local time) for `now`, 0
 * when the schedule is off. */
int64_t rq_ncsc_schedule_slot(const rq_srv_config *cfg, int64_t now);

#endif
