/*
 * The store's side of threat intelligence (server/intel/, docs/intel.md;
 * tables intel_sources, intel_indicators, intel_indicator_sources,
 * intel_feed_events, intel_state of migration 10): sources, indicators
 * unique per (type, value) with each source's confidence and times, the
 * allow-list flag, the MISP feed events already imported, and the change
 * counter the publisher compiles from. Writers run inside the caller's
 * transaction (rq_store_transact).
 */
#ifndef RQ_SERVER_STORE_INTEL_H
#define RQ_SERVER_STORE_INTEL_H

#include <stdint.h>

#include "intel/indicator.h"
#include "store/store.h"

/* Source kinds: "misp-event", "misp-feed", "ioc-list", "stix", "yara", "local". */
int rq_store_intel_kind_ok(const char *kind);

/*
 * The source called `name` (created with `kind` and `location` when new;
 * otherwise its location is updated and its last import set to `now`)
 * into *out_id. A name already used by another kind is RQ_STORE_ECONSTRAINT.
 */
int rq_store_intel_source(rq_store *s, const char *name, const char *kind, const char *location, int64_t now,
			  int64_t *out_id);

/*
 * Insert or update one indicator from source `source_id` at `now`: the
 * (type, value) row keeps the highest confidence, the earliest first and
 * latest last seen, its name and description until then empty (the first
 * source to name an indicator names its detection, as in the engine); the
 * source link gets this source's confidence, times and ref. The allow-list
 * flag is never changed by an import. *out_new (may be NULL): 1 when the
 * row was created.
 */
int rq_store_intel_upsert(rq_store *s, int64_t source_id, const rq_intel_indicator *ind, int64_t now,
			  int *out_new);

/* Count a change of the indicators (the publisher compiles again). */
int rq_store_intel_touch(rq_store *s, int64_t now);

/*
 * Mark the (type, value) indicator allow-listed (a confirmed false
 * positive), creating it from source "local" when absent; *out_id its id.
 */
int rq_store_intel_allow(rq_store *s, rq_intel_type type, const char *value, const char *name, int64_t now,
			 int64_t *out_id);

/* Clear the allow-list flag of indicator `id`; an indicator that only the
 * allow-list made (source "local" alone) is deleted. RQ_ENOTFOUND when
 * `id` is not allow-listed. */
int rq_store_intel_unallow(rq_store *s, int64_t id);

/* Delete indicator `id` (with its source links): RQ_ENOTFOUND if none. */
int rq_store_intel_delete(rq_store *s, int64_t id);

/* One indicator as listed; pointers borrowed for the callback's call. */
typedef struct rq_intel_row {
	int64_t id;
	const char *type, *value, *name, *description;
	const char *body;        /* YARA text (only from rq_store_intel_active) */
	int64_t confidence;
	int allowlisted;
	int64_t first_seen, last_seen, imported_at, expires_at; /* expires_at 0: never */
	const char *sources;     /* source names, comma-separated (listing only) */
} rq_intel_row;

typedef struct rq_intel_filter {
	const char *type;        /* NULL: all */
	const char *source;      /* source name; NULL: all */
	const char *q;           /* substring of value, name or description; NULL: all */
	int allowlisted;         /* -1 all, 0 not, 1 only */
	int expiry;              /* 0 all, 1 live at `now`, 2 expired at `now` */
	int64_t now;
} rq_intel_filter;

/* A page of indicators, newest import first; *out_total all that match. */
int rq_store_intel_list(rq_store *s, const rq_intel_filter *f, int64_t limit, int64_t offset, int64_t *out_total,
			int (*cb)(const rq_intel_row *r, void *payload), void *payload);

/* Every indicator not expired at `now` (allow-listed ones included: the
 * caller tells them apart), by type then value, with YARA bodies. */
int rq_store_intel_active(rq_store *s, int64_t now, int (*cb)(const rq_intel_row *r, void *payload),
			  void *payload);

typedef struct rq_intel_source_row {
	int64_t id;
	const char *name, *kind, *location;
	int64_t created_at, last_import;  /* 0: never */
	int64_t indicators;               /* linked to it */
} rq_intel_source_row;

int rq_store_intel_sources(rq_store *s, int (*cb)(const rq_intel_source_row *r, void *payload), void *payload);

/* The key (rq_intel_feed_event.key) of feed event `uuid` of the source
 * called `source` as last imported into out, or RQ_ENOTFOUND. */
int rq_store_intel_feed_key(rq_store *s, const char *source, const char *uuid, char out[80]);
/* Record feed event `uuid` as imported with `digest`. */
int rq_store_intel_feed_mark(rq_store *s, int64_t source_id, const char *uuid, const char *info,
			     int64_t threat_level, const char *digest, int64_t now);

typedef struct rq_intel_state {
	int64_t generation, changed_at;
	int64_t published_generation, published_version, published_at;
	char last_error[256];
} rq_intel_state;

int rq_store_intel_state(rq_store *s, rq_intel_state *out);
/* After a publish of `generation` as database version `version` at `now`
 * (error "" on success; on failure generation and version are unchanged
 * and only the time and error are kept). */
int rq_store_intel_published(rq_store *s, int64_t generation, int64_t version, int64_t now, const char *error);
/* Whether an indicator expired after `since` and at or before `now`. */
int rq_store_intel_expired_since(rq_store *s, int64_t since, int64_t now, int *out);

#endif
