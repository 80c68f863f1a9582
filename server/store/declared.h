/*
 * Machines raquet does not run on (table declared_machines, schema
 * version 13): a unit's servers and workstations protected by another
 * anti-malware product, declared by its officer so that the coverage
 * figures count every machine (docs/campaigns.md). One row per (unit,
 * hostname), the hostname lower-case; a declaration is superseded -- not
 * counted, listed as such -- while an endpoint of the same unit has the
 * same hostname (its agent's own figures count instead). Implemented in
 * declared.c.
 */
#ifndef RQ_SERVER_STORE_DECLARED_H
#define RQ_SERVER_STORE_DECLARED_H

#include "store/coverage.h"
#include "store/reports.h"
#include "store/store.h"

/* A declared machine; strings borrowed for the callback's duration (or
 * the caller's, when writing). Times are Unix seconds, 0: not known. */
typedef struct rq_declared {
	int64_t id, unit_id;
	const char *unit_name;          /* read only */
	const char *hostname;           /* lower-case */
	const char *kind;               /* "server", "workstation", "other" */
	const char *product;
	int64_t sig_updated, last_scan;
	int64_t infections_found, infections_cleaned; /* cleaned <= found */
	int64_t created_at, updated_at, updated_by;
	int64_t superseded_by;          /* read only: the endpoint with its hostname in the unit, 0: none */
} rq_declared;

/*
 * Declare x (x->id ignored) or, when the unit has a machine of that
 * hostname already, update it: *out_id its id, *out_created 1 for a new
 * one. An unknown unit is RQ_STORE_ECONSTRAINT.
 */
int rq_store_declared_put(rq_store *s, const rq_declared *x, int64_t *out_id, int *out_created);
/* Change every field of x->id but its unit: RQ_ENOTFOUND; a hostname the
 * unit has already is RQ_STORE_ECONSTRAINT. */
int rq_store_declared_update(rq_store *s, const rq_declared *x);
/* RQ_ENOTFOUND. */
int rq_store_declared_delete(rq_store *s, int64_t id);
/* One to cb; RQ_ENOTFOUND. */
int rq_store_declared_get(rq_store *s, int64_t id, int (*cb)(const rq_declared *x, void *payload), void *payload);
/* Those of `root`'s subtree (0: every unit), by unit name then hostname.
 * A non-zero cb stops with RQ_ESTOPPED. */
int rq_store_declared_list(rq_store *s, int64_t root, int (*cb)(const rq_declared *x, void *payload),
			   void *payload);
/* How many `unit_id` holds (superseded ones too) into *out. */
int rq_store_declared_count(rq_store *s, int64_t unit_id, int64_t *out);

/*
 * Add the declared machines of `unit_id`'s subtree (0: every unit), those
 * not superseded, to the coverage figures *out (see coverage.h for the
 * rule; the period figures only when from < to). Counted in one small
 * query over declared_machines, whatever the number of endpoints.
 */
int rq_store_declared_coverage(rq_store *s, int64_t unit_id, int64_t now, int64_t window_s, int64_t from,
			       int64_t to, rq_coverage *out);

/*
 * Add the declared machines (not superseded, declared before q->to) of the
 * report's scope to its units' counts, and each unit's products
 * (rq_report_unit.products). d's units are sorted by id (before
 * tree_order).
 */
int rq_store_declared_report(rq_store *s, const rq_report_query *q, rq_report_data *d);

#endif
