/*
 * Samples: the detections grouped by file (SHA-256), so that the same
 * file found on many machines is one row -- on how many endpoints and
 * units, in how many detections, still active where, first and last seen
 * -- counted within a unit subtree. Implemented in samples.c; the
 * admin API is server/api/samples.c.
 */
#ifndef RQ_SERVER_STORE_SAMPLES_H
#define RQ_SERVER_STORE_SAMPLES_H

#include "store/store.h"

typedef enum rq_sample_sort {
	RQ_SAMPLE_SORT_ENDPOINTS = 0,
	RQ_SAMPLE_SORT_UNITS,
	RQ_SAMPLE_SORT_DETECTIONS,
	RQ_SAMPLE_SORT_LAST_SEEN,
	RQ_SAMPLE_SORT_NAME,
	RQ_SAMPLE_SORT_COUNT
} rq_sample_sort;

/* Which detections count. Zero / NULL mean "no filter". */
typedef struct rq_sample_filter {
	int64_t unit_id;   /* endpoints of this unit and below; 0: all */
	const char *state; /* exact detection state */
	const char *name;  /* substring of the detection name (case-insensitive) */
	int64_t since;     /* > 0: detections last seen at or after */
	int64_t until;     /* > 0: detections first seen before */
	rq_sample_sort sort;
	int desc;
	int64_t limit, offset;
} rq_sample_filter;

/* One file; strings borrowed for the callback. name and type are those of
 * its detections (the greatest when they differ). `active`: endpoints
 * where a detection of it is still active. */
typedef struct rq_sample_row {
	const char *sha256, *name, *type;
	int64_t endpoints, units, detections, active;
	int64_t first_seen, last_seen;
} rq_sample_row;

typedef int (*rq_sample_row_cb)(const rq_sample_row *row, void *payload);

/*
 * The page of files matching `f` (detections with an empty sha256 left
 * out), sorted by f->sort then sha256, and in *out_total how many files
 * match in all. cb's non-zero return stops with RQ_ESTOPPED.
 */
int rq_store_samples(rq_store *s, const rq_sample_filter *f, int64_t *out_total, rq_sample_row_cb cb,
		     void *payload);

/* One file within the subtree of `unit_id` (0: all): cb once, or
 * RQ_ENOTFOUND when no detection of it is in the subtree. */
int rq_store_sample(rq_store *s, const char *sha256, int64_t unit_id, rq_sample_row_cb cb, void *payload);

/* The file's spread per unit within the subtree of `unit_id`: cb(unit id,
 * name, code, endpoints, active) for each unit holding it, most endpoints
 * first. */
int rq_store_sample_units(rq_store *s, const char *sha256, int64_t unit_id,
			  int (*cb)(int64_t unit, const char *name, const char *code, int64_t endpoints,
				    int64_t active, void *payload),
			  void *payload);

#endif
