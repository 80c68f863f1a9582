/*
 * raquet-server's coverage recorder: a background thread with its own
 * store connection that takes today's coverage snapshot of the province
 * and of every unit (rq_store_coverage_record) at start-up and then every
 * RQ_COVERAGE_RECORD_INTERVAL_S, for GET /api/v1/coverage/history.
 * Implemented in coverage_recorder.c; see docs/server.md.
 */
#ifndef RQ_SERVER_COVERAGE_RECORDER_H
#define RQ_SERVER_COVERAGE_RECORDER_H

#include <stdint.h>

/* A snapshot an hour: the last of the day (the one kept) is at most an
 * hour before midnight, and a round costs a few ms per unit. */
#define RQ_COVERAGE_RECORD_INTERVAL_S 3600

typedef struct rq_coverage_recorder rq_coverage_recorder;

/*
 * Start the thread on the store at `store_url` (copied). `skew_s` is added
 * to the clock for the snapshots' time and day (0 in service; the tests
 * set it through RAQUET_SERVER_TEST_RECORD_SKEW to record other days).
 * Stop with rq_coverage_recorder_stop.
 */
int rq_coverage_recorder_start(rq_coverage_recorder **out, const char *store_url, int64_t interval_s,
			       int64_t skew_s);

/* Ask the thread to stop (a round under way ends after its current unit),
 * wait for it and free everything; NULL is a no-op. */
void rq_coverage_recorder_stop(rq_coverage_recorder *r);

#endif
