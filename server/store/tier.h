/*
 * The national tier in the store (schema version 17; docs/tier.md). On an
 * upstream server: credentials issued to downstream servers, each bound to
 * one unit; a downstream's report applied in one transaction (its unit
 * tree mirrored read-only under the bound unit, its figures, its
 * sightings); what the coverage, units and samples views read of them. On
 * a downstream server: the durable queue of its reports. Implemented in
 * tier.c.
 */
#ifndef RQ_SERVER_STORE_TIER_H
#define RQ_SERVER_STORE_TIER_H

#include "store/coverage.h"
#include "store/store.h"

/* --- credentials (upstream) --- */

/* What the store knows of a credential: never its value nor its hash. */
typedef struct rq_tier_cred {
	int64_t id, unit_id;
	const char *label;
	int64_t created_by; /* user id, 0: none */
	int64_t created_at, expires_at, last_used;
	int revoked;
} rq_tier_cred;

/* A new credential of `unit_id`; duplicate hash or unknown unit:
 * RQ_STORE_ECONSTRAINT. */
int rq_store_tier_cred_create(rq_store *s, int64_t *out_id, int64_t unit_id, const char *token_hash,
			      const char *label, int64_t expires_at, int64_t created_by, int64_t now);

/* The bound unit of the credential with this hash, if it is neither
 * revoked nor expired (its last use is noted); RQ_ENOTFOUND for any other
 * case, so an answer tells a guesser nothing. */
int rq_store_tier_cred_auth(rq_store *s, const char *token_hash, int64_t now, int64_t *out_unit_id);

/* One credential (label owned by *out: rq_store_tier_cred_clear); RQ_ENOTFOUND. */
int rq_store_tier_cred_get(rq_store *s, int64_t id, rq_tier_cred *out);
void rq_store_tier_cred_clear(rq_tier_cred *c);

/* The credentials of `unit_id`, newest first; cb's argument is borrowed. */
int rq_store_tier_cred_list(rq_store *s, int64_t unit_id, int (*cb)(const rq_tier_cred *c, void *payload),
			    void *payload);

/* Revoke; RQ_ENOTFOUND when there is none. */
int rq_store_tier_cred_revoke(rq_store *s, int64_t id);

/* --- a downstream's report (upstream) --- */

/* One unit of a downstream's tree: its own code, name, parent's code
 * ("" for a top unit) and the coverage of its subtree (snapshot figures). */
typedef struct rq_tier_unit_in {
	const char *code, *name, *parent;
	rq_coverage figures;
} rq_tier_unit_in;

/* One sighting: a file the downstream detected, no host names. */
typedef struct rq_tier_sighting {
	const char *sha256, *name;
	int64_t endpoints, units, first_seen, last_seen;
} rq_tier_sighting;

typedef struct rq_tier_report {
	const char *batch_id;    /* the downstream's id of this report */
	const char *server_name; /* what it calls itself (its agency) */
	int64_t snapshot_at;     /* the downstream's time of the snapshot */
	int64_t window_days;     /* its "reporting" window */
	const rq_tier_unit_in *units;
	size_t unit_count;       /* parents before children */
	const rq_tier_sighting *sightings;
	size_t sighting_count;
} rq_tier_report;

enum { RQ_TIER_APPLIED = 0, RQ_TIER_DUPLICATE = 1, RQ_TIER_STALE = 2 };

/*
 * Apply a report of the downstream bound to `bound_id` (call inside a
 * transaction): a batch seen before is RQ_TIER_DUPLICATE and changes
 * nothing; a snapshot older than the one applied last is RQ_TIER_STALE
 * (only the batch is recorded). Otherwise the tree is mirrored (units
 * coded "BOUND/CODE", created, renamed, moved; those no longer reported
 * removed unless something of this server hangs on them), the figures
 * replaced and the sightings upserted (never added: a resent report
 * counts nothing twice). A unit whose parent is unknown or repeated is
 * RQ_EINVAL (rq_error_last names it).
 */
int rq_store_tier_apply(rq_store *s, int64_t bound_id, const rq_tier_report *r, int64_t now, int *out_outcome);

/* --- what the views read (upstream) --- */

/* A downstream as the views show it: the unit it is bound to and its last report. */
typedef struct rq_tier_downstream {
	int64_t unit_id;
	const char *unit_name, *unit_code, *server_name;
	int64_t snapshot_at, reported_at, window_days, units, sightings;
} rq_tier_downstream;

/*
 * Add to *v the figures reported by downstreams for unit `unit_id` (0:
 * everything): a mirrored unit's own reported figures, or for any other
 * unit the sum of the mirrored top units in its subtree. cb (may be NULL)
 * gets each downstream that contributed.
 */
int rq_store_tier_coverage_add(rq_store *s, int64_t unit_id, rq_coverage *v,
			       int (*cb)(const rq_tier_downstream *d, void *payload), void *payload);

/* Every downstream whose bound unit lies in `root`'s subtree (0: all), by unit name. */
int rq_store_tier_downstreams(rq_store *s, int64_t root, int (*cb)(const rq_tier_downstream *d, void *payload),
			      void *payload);

/* *out_bound: the bound unit of mirrored unit `unit_id`, 0 for a unit of this server. */
int rq_store_tier_mirrored(rq_store *s, int64_t unit_id, int64_t *out_bound);

/* A file sighted by downstreams, summed over those in scope. */
typedef struct rq_tier_sample {
	const char *sha256, *name;
	int64_t endpoints, units, downstreams, first_seen, last_seen, reported_at;
} rq_tier_sample;

/* One page of the files downstreams in `root`'s subtree (0: all) sighted,
 * the latest seen first; *out_total their number. */
int rq_store_tier_samples(rq_store *s, int64_t root, int64_t limit, int64_t offset, int64_t *out_total,
			  int (*cb)(const rq_tier_sample *r, void *payload), void *payload);

/* Each downstream's sighting of `sha256` (in scope), as a sample row whose
 * `downstreams` is the bound unit's id; RQ_ENOTFOUND never: no row, no call. */
int rq_store_tier_sample_by(rq_store *s, const char *sha256, int64_t root,
			    int (*cb)(const rq_tier_sample *r, const rq_tier_downstream *d, void *payload),
			    void *payload);

/* --- the queue of reports to the upstream (downstream) --- */

/* Queue a report (a whole snapshot): unsent older ones are dropped, the
 * new one holding all they held. Sent ones older than `keep_sent_s` go. */
int rq_store_upstream_enqueue(rq_store *s, const char *batch_id, const char *body, int64_t now, int64_t keep_sent_s);

typedef struct rq_upstream_item {
	int64_t id, created_at, attempts;
	char *batch_id, *body; /* owned: rq_store_upstream_item_clear */
} rq_upstream_item;

/* The queued report due at `now`, if any (RQ_ENOTFOUND). */
int rq_store_upstream_due(rq_store *s, int64_t now, rq_upstream_item *out);
void rq_store_upstream_item_clear(rq_upstream_item *it);

/* The outcome of one delivery: sent (acknowledged), or failed with the
 * next try at `next_attempt`. `error` is never a secret. */
int rq_store_upstream_result(rq_store *s, int64_t id, int sent, long status, const char *error, int64_t next_attempt,
			     int64_t now);

typedef struct rq_upstream_state {
	int64_t queued, attempts, next_attempt, last_sent_at, last_status;
	char last_error[256];
	int64_t synced_at, published; /* the last sync of the upstream's databases (0: none) */
	char sync_error[256];
} rq_upstream_state;

/* The outcome of a sync of the upstream's databases: `published` databases
 * published, `error` ("" when all went well) why one was refused or the
 * sync failed. */
int rq_store_upstream_synced(rq_store *s, int64_t now, int64_t published, const char *error);

/* The queue at a glance (GET /api/v1/upstream). */
int rq_store_upstream_state(rq_store *s, rq_upstream_state *out);

#endif
