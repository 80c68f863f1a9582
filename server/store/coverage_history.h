/*
 * The coverage history: one snapshot of rq_coverage's current figures per
 * unit subtree (unit 0: the whole province) and local calendar day, for
 * the dashboard's trend chart. Written by raquet-server's recorder
 * (server/coverage_recorder.c), read by GET /api/v1/coverage/history.
 * Implemented in coverage_history.c; table coverage_daily (schema 6).
 */
#ifndef RQ_SERVER_STORE_COVERAGE_HISTORY_H
#define RQ_SERVER_STORE_COVERAGE_HISTORY_H

#include "store/coverage.h"

/* Days kept: three years of daily snapshots; older ones are deleted by
 * rq_store_coverage_days_prune. Also the longest history asked for. */
#define RQ_COVERAGE_HISTORY_DAYS 1095
/* "YYYY-MM-DD" and its NUL. */
#define RQ_DAY_TEXT 11

/* The local calendar day of Unix time `t` (the process's time zone, TZ)
 * into out, "YYYY-MM-DD"; shifted by `days_back` whole days first. */
int rq_coverage_day_of(int64_t t, int days_back, char out[RQ_DAY_TEXT]);

/*
 * Record the snapshot figures of `c` (endpoints ... infected; the period
 * figures are not kept) as the history of `unit_id` (0: the province) on
 * `day`, replacing that day's earlier snapshot; `now` is kept as the time
 * it was taken. One short transaction.
 */
int rq_store_coverage_day_put(rq_store *s, int64_t unit_id, const char *day, const rq_coverage *c, int64_t now);

/* Delete the snapshots of days before `oldest_kept`; *out_deleted (may be
 * NULL) gets how many. */
int rq_store_coverage_days_prune(rq_store *s, const char *oldest_kept, int64_t *out_deleted);

/* Call cb(day, figures) for each snapshot of `unit_id` from `from_day` on,
 * oldest first (borrowed for the call; non-zero stops with RQ_ESTOPPED). */
int rq_store_coverage_days(rq_store *s, int64_t unit_id, const char *from_day,
			   int (*cb)(const char *day, const rq_coverage *c, void *payload), void *payload);

/*
 * Take today's snapshot (the day of `now`) of the province (unit 0) and of
 * every unit, each computed by rq_store_coverage at `now` with the
 * reporting window `window_s` and written in its own short transaction,
 * then delete the days older than RQ_COVERAGE_HISTORY_DAYS. `stop`
 * (may be NULL) is asked between units: non-zero ends the round early
 * with RQ_ESTOPPED. *out_units (may be NULL) gets the snapshots written.
 */
int rq_store_coverage_record(rq_store *s, int64_t now, int64_t window_s, int (*stop)(void *payload), void *payload,
			     int64_t *out_units);

#endif
