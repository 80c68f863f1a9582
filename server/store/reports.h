/*
 * The store side of the official reports (docs/reports.md): the per-unit
 * figures of a period, counted by a few grouped queries over the whole
 * scope (never one query per unit), and the kept reports of table
 * `reports` (schema version 7). Implemented in reports.c; the JSON
 * document and the files are server/report/.
 */
#ifndef RQ_SERVER_STORE_REPORTS_H
#define RQ_SERVER_STORE_REPORTS_H

#include "store/store.h"

/* The figures of one unit (its own machines, not its sub-units'), or of a
 * total. See docs/reports.md for the definitions. */
typedef struct rq_report_counts {
	int64_t machines;          /* enrolled, or declared, before the period's end */
	int64_t raquet;            /* of those, enrolled (raquet's agent) */
	int64_t other_products;    /* of those, declared protected by another product (store/declared.h) */
	int64_t servers, workstations, others;
	int64_t protected_n;       /* of those, the agent reported within the window before the end */
	int64_t auto_update;       /* newest signatures built at most update_days before the end */
	int64_t scanned;           /* with a scan finished in the period */
	int64_t infected;          /* with a detection first seen in the period */
	int64_t detections;        /* detections (files) first seen in the period */
	int64_t cleaned;           /* of those, now quarantined or removed */
	int64_t remaining;         /* of those, still active */
} rq_report_counts;

/* A product protecting declared machines of a unit. */
typedef struct rq_report_product {
	char *name;                /* owned */
	int64_t machines;
} rq_report_product;

typedef struct rq_report_unit {
	int64_t id, parent_id;     /* parent 0: a top-level unit (or the scope's root) */
	char *name, *code;         /* owned (rq_report_data_free) */
	int depth;                 /* 0 for the scope's top units */
	int has_children;
	rq_report_counts n;
	rq_report_product *products; /* owned; by name */
	size_t product_count;
} rq_report_unit;

typedef struct rq_report_malware {
	char *name;                /* owned */
	int64_t machines;          /* distinct machines it was found on in the period */
	int64_t sha256s;           /* distinct SHA-256 (files without one not counted) */
	int64_t detections;
} rq_report_malware;

typedef struct rq_report_data {
	rq_report_unit *units;     /* in tree order: a unit, then its sub-units by name */
	size_t unit_count;
	rq_report_malware *malware; /* most machines first */
	size_t malware_count;
} rq_report_data;

/* What to count: the subtree of unit_id (0: every unit) over [from, to);
 * an endpoint is protected when last seen at or after protected_since and
 * automatically updated when its newest database was built at or after
 * updated_since. */
typedef struct rq_report_query {
	int64_t unit_id, from, to;
	int64_t protected_since, updated_since;
	int64_t malware_max;       /* notable malware rows at most */
} rq_report_query;

/* Count into *out (free with rq_report_data_free, also after an error).
 * RQ_ENOTFOUND when unit_id is not 0 and no such unit exists. */
int rq_store_report_figures(rq_store *s, const rq_report_query *q, rq_report_data *out);
void rq_report_data_free(rq_report_data *d);

/* --- kept reports --- */

typedef struct rq_report_rec {
	int64_t id;
	const char *kind;          /* "unit" or "province" */
	int64_t unit_id;           /* 0: none (province, or a unit since deleted) */
	const char *unit_name, *unit_code; /* of unit_id now; NULL when none */
	int64_t from, to;
	const char *lang;          /* "vi" or "en" */
	int64_t created_at;
	int64_t created_by;        /* 0: none (scheduled, CLI, or a user since deleted) */
	const char *source;        /* "manual" or "scheduled" */
	const char *figures;       /* JSON text; NULL in lists */
} rq_report_rec;

/*
 * Keep a report (r->id ignored) and its new id in *out_id: 0. A scheduled
 * report whose kind and period are kept already adds nothing and returns
 * 1 (made once, whichever server or restart came first).
 */
int rq_store_report_add(rq_store *s, const rq_report_rec *r, int64_t *out_id);

/* One report with its figures; cb gets borrowed strings. RQ_ENOTFOUND. */
int rq_store_report_get(rq_store *s, int64_t id, int (*cb)(const rq_report_rec *r, void *payload),
			void *payload);

/*
 * Kept reports, newest first: unit reports of units in the subtree of
 * `root` (0: all), province reports too when with_province; `kind` NULL or
 * exact. *out_total counts all that match. A non-zero cb stops with
 * RQ_ESTOPPED.
 */
typedef struct rq_report_filter {
	int64_t root;
	int with_province;
	const char *kind;
	int64_t limit, offset;
} rq_report_filter;
int rq_store_report_list(rq_store *s, const rq_report_filter *f, int64_t *out_total,
			 int (*cb)(const rq_report_rec *r, void *payload), void *payload);

#endif
