/*
 * The malware-sweep figures of every unit at once, for a campaign's
 * progress and report (campaign/obligations.c): per unit, its own
 * endpoints, those infected now and those with a scan finished in a
 * period -- a few grouped queries for the whole province, never one per
 * unit. The same figures as rq_store_coverage_period's endpoints,
 * infected and scanned once summed over a subtree (the tests compare
 * both). Implemented in sweep.c.
 */
#ifndef RQ_SERVER_STORE_SWEEP_H
#define RQ_SERVER_STORE_SWEEP_H

#include <stddef.h>

#include "store/store.h"

typedef struct rq_unit_sweep {
	int64_t unit_id;
	int64_t endpoints; /* enrolled in the unit itself */
	int64_t infected;  /* of those, with an active detection now */
	int64_t scanned;   /* of those, with a scan finished in [from, to) */
} rq_unit_sweep;

/*
 * The figures of every unit with endpoints into *out (free()), *count
 * entries by ascending unit_id; from == to counts no scans.
 */
int rq_store_sweep_units(rq_store *s, int64_t from, int64_t to, rq_unit_sweep **out, size_t *count);

/* The entry of `unit_id` in a result of rq_store_sweep_units, or NULL. */
const rq_unit_sweep *rq_sweep_find(const rq_unit_sweep *v, size_t count, int64_t unit_id);

#endif
