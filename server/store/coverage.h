/*
 * Coverage summary of a unit subtree: the numbers the provincial report
 * needs (machines known, reporting, real-time protection on, signature
 * age, infected now), computed by one query. Implemented in coverage.c.
 */
#ifndef RQ_SERVER_STORE_COVERAGE_H
#define RQ_SERVER_STORE_COVERAGE_H

#include "store/store.h"

#define RQ_DAY_SECONDS 86400

/*
 * Machines declared as protected by another product (store/declared.h),
 * unless an endpoint of the same unit has the same hostname, count too:
 * in endpoints; in reporting ("protected") when their signatures were
 * updated within the window; in the signature-age buckets by that date
 * (sig_unknown when not declared); in infected when they declare more
 * infections found than cleaned; and, when their last scan is in the
 * period, in scanned, infected_period (any infection found), files_found
 * and files_cleaned (their counts) and files_active (the difference).
 * Never in realtime_on nor full_scanned (not declared). `declared` and
 * `declared_protected` say how many of endpoints and reporting they are.
 */
typedef struct rq_coverage {
	int64_t endpoints;   /* known in the subtree */
	int64_t reporting;   /* last seen within the window */
	int64_t realtime_on; /* reporting, with real-time protection on */
	/* by age of the newest signature database (now - db_newest_build);
	 * the fresh_* counts are cumulative: fresh_3d includes fresh_1d */
	int64_t fresh_1d, fresh_3d, fresh_7d, fresh_15d;
	int64_t older_15d;   /* age > 15 days */
	int64_t sig_unknown; /* never reported a database */
	int64_t infected;    /* with at least one detection in state active */
	/* over the period [from, to) of rq_store_coverage_period (0 otherwise) */
	int64_t scanned;        /* endpoints with a scan finished in the period */
	int64_t full_scanned;   /* of those, with a full (or scheduled) scan */
	int64_t infected_period; /* endpoints with a detection first seen in the period */
	int64_t files_found;    /* detections first seen in the period */
	int64_t files_cleaned;  /* of those, now quarantined or removed */
	int64_t files_active;   /* of those, still active */
	int64_t declared;           /* of endpoints, declared machines */
	int64_t declared_protected; /* of reporting, declared machines */
} rq_coverage;

/*
 * The table endpoint_coverage (schema version 5): per endpoint, its unit,
 * last_scan (newest finished_at of its scans), last_scan_full (of its full
 * or scheduled scans) and last_detection (newest first_seen of its
 * detections); a row once the endpoint has any. Kept by ingestion
 * (events.c), read by the period figures. This sets it from the stored
 * rows for every endpoint that has any; schema version 5 runs it once over
 * the rows stored before. One pass per table grouped by endpoint (a
 * correlated MAX per endpoint made PostgreSQL walk a time index backwards
 * for each: 10 minutes for 100,000 endpoints).
 */
#define RQ_STORE_COVERAGE_BACKFILL                                                                     \
	"INSERT INTO endpoint_coverage (endpoint_id, unit_id, last_scan, last_scan_full, last_detection)" \
	" SELECT e.id, e.unit_id, s.scan, s.full_scan, d.det FROM endpoints e"                         \
	" LEFT JOIN (SELECT endpoint_id, MAX(finished_at) AS scan,"                                    \
	" MAX(CASE WHEN kind IN ('full', 'scheduled') THEN finished_at END) AS full_scan"             \
	" FROM scan_summaries GROUP BY endpoint_id) s ON s.endpoint_id = e.id"                         \
	" LEFT JOIN (SELECT endpoint_id, MAX(first_seen) AS det FROM detections GROUP BY endpoint_id) d" \
	" ON d.endpoint_id = e.id WHERE s.endpoint_id IS NOT NULL OR d.endpoint_id IS NOT NULL"        \
	" ON CONFLICT (endpoint_id) DO UPDATE SET last_scan = excluded.last_scan,"                     \
	" last_scan_full = excluded.last_scan_full, last_detection = excluded.last_detection"

/* Run RQ_STORE_COVERAGE_BACKFILL (rows written by other means than
 * rq_store_ingest_events: a restore, a test's bulk load). */
int rq_store_coverage_backfill(rq_store *s);

/* Coverage of `unit_id` and every unit below it, at time `now`, an
 * endpoint counting as reporting when seen in the last `window_s` seconds. */
int rq_store_coverage(rq_store *s, int64_t unit_id, int64_t now, int64_t window_s, rq_coverage *out);

/* The same, plus the period figures for [from, to) (a campaign, a month).
 * unit_id 0 means the whole province (every top-level unit's subtree). */
int rq_store_coverage_period(rq_store *s, int64_t unit_id, int64_t now, int64_t window_s, int64_t from,
			     int64_t to, rq_coverage *out);

/* The same, the period figures always counted from the period's scans and
 * detections rather than endpoint_coverage: slower, the same figures
 * (the tests compare both). */
int rq_store_coverage_period_from_rows(rq_store *s, int64_t unit_id, int64_t now, int64_t window_s, int64_t from,
				       int64_t to, rq_coverage *out);

/*
 * The unit whose subtree is the whole province -- the only top unit -- as
 * 0 (the province): counts then need no walk of the unit tree. *out gets
 * unit_id otherwise.
 */
int rq_store_province_scope(rq_store *s, int64_t unit_id, int64_t *out);

/*
 * A read transaction for the aggregates of a summary (one snapshot for all
 * its queries) unless the caller is in one already: *began says whether
 * rq_store_analytic_end must end it. On PostgreSQL JIT is off for it, and
 * with work_mem_mb > 0 its sorts and hashes get that much memory each
 * (0: the server's setting).
 */
int rq_store_analytic_begin(rq_store *s, int work_mem_mb, int *began);
void rq_store_analytic_end(rq_store *s, int began);

#endif
