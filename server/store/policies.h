/*
 * Policies per unit, inherited down the tree: each field (scan schedule,
 * action on detection, exclusions, real-time, update and heartbeat
 * intervals) is either set at a unit or taken from the nearest ancestor
 * that sets it, with the built-in defaults below at the top. Also the
 * checks of a policy document, shared by the admin API and the store.
 * Implemented in policies.c; schema in migrate.c (version 2).
 */
#ifndef RQ_SERVER_STORE_POLICIES_H
#define RQ_SERVER_STORE_POLICIES_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "store/store.h"

/* --- built-in defaults: what a unit gets when nothing above it says otherwise --- */

/* Quick scan every day at 12:00: offices in the province work 7:30-11:30
 * and 13:30-17:00, so at noon machines are on but barely used. */
#define RQ_POLICY_DEFAULT_QUICK_TIME "12:00"
/* Full scan weekly, Friday 15:00: machines are off at night and at the
 * weekend, and the end of the week is the lightest working time. */
#define RQ_POLICY_DEFAULT_FULL_DAY "fri"
#define RQ_POLICY_DEFAULT_FULL_TIME "15:00"
/* Quarantine: stops the file at once yet stays reversible (a false
 * positive on an official document can be restored); "delete" loses the
 * evidence, "report" leaves the malware working. */
#define RQ_POLICY_DEFAULT_ACTION "quarantine"
/* Real-time protection on: coverage counts it; turning it off is a
 * deliberate decision for a unit, never the default. */
#define RQ_POLICY_DEFAULT_REALTIME 1
/* Look for new signatures every hour: databases are published a few times
 * a day, and an hour keeps every machine inside the "fresh within 1 day"
 * band of the provincial report. */
#define RQ_POLICY_DEFAULT_UPDATE_MINUTES 60
/* Heartbeat every 5 minutes: 100,000 endpoints make ~330 heartbeats/s,
 * far below what one server takes, and a dead agent shows within minutes. */
#define RQ_POLICY_DEFAULT_HEARTBEAT_SECONDS 300

/* --- bounds of the fields, with their reasons --- */

/* Exclusions are holes in protection: a few dozen are normal, hundreds
 * mean someone is excluding instead of fixing. Bounds the document too. */
#define RQ_POLICY_MAX_EXCLUSIONS 256
/* Longest exclusion glob (bytes): a deep path with wildcards. */
#define RQ_POLICY_MAX_GLOB 1024
/* Signature checks: not more often than every 15 minutes (100,000 agents
 * at 15 min is ~110 mirror requests/s), at least daily (freshness). */
#define RQ_POLICY_MIN_UPDATE_MINUTES 15
#define RQ_POLICY_MAX_UPDATE_MINUTES 1440
/* Heartbeats: not more often than every 30 s (server load), at least
 * hourly (a machine silent longer is reported as not protected). */
#define RQ_POLICY_MIN_HEARTBEAT_SECONDS 30
#define RQ_POLICY_MAX_HEARTBEAT_SECONDS 3600
/* A monthly full scan runs on day 1..28: every month has those days. */
#define RQ_POLICY_MAX_MONTH_DAY 28

/* The fields of a policy, NULL-terminated, in the order answers list them. */
extern const char *const rq_policy_fields[];

/* The built-in defaults as a document with every field (new reference;
 * NULL when out of memory). */
json_t *rq_policy_defaults(void);

/*
 * Check one field's value. 0, or RQ_EINVAL with `why` (one line, starting
 * with the field's path: "scan_schedule.full.day: ...") filled. An unknown
 * field name is refused too.
 */
int rq_policy_check_field(const char *name, const json_t *value, char *why, size_t why_size);

/* Check a whole own document (an object of fields) the same way. */
int rq_policy_check(const json_t *own, char *why, size_t why_size);

/* What a unit's policy looks like (all members owned; rq_policy_view_clear). */
typedef struct rq_policy_view {
	json_t *effective;      /* every field, resolved */
	json_t *own;            /* the fields set at this unit */
	json_t *inherited_from; /* field -> the unit id it comes from (this unit's
				 * own id when set here), null for a default */
	int64_t version;        /* the effective version (rq_store_policy_effective) */
	int64_t own_version;    /* this unit's row's version, 0 if it has none */
} rq_policy_view;

/* Resolve the policy of `unit_id`; RQ_ENOTFOUND if there is no such unit. */
int rq_store_policy_view(rq_store *s, int64_t unit_id, rq_policy_view *out);
void rq_policy_view_clear(rq_policy_view *v);

/*
 * The policy an agent of `unit_id` follows: *out_effective gets every
 * field (new reference, json_decref it); *out_version a number that
 * strictly increases whenever any policy on the unit's path to the top
 * changes, or the unit (or an ancestor) moves, and never otherwise; 0 while
 * nothing on the path was ever set. An agent compares it to the version it
 * holds and re-reads the policy when it differs. RQ_ENOTFOUND for an
 * unknown unit.
 */
int rq_store_policy_effective(rq_store *s, int64_t unit_id, json_t **out_effective, int64_t *out_version);

/*
 * Replace the fields set at `unit_id` by `own` (an object of fields,
 * checked with rq_policy_check: RQ_EINVAL with the reason), recording who
 * (a user id, 0: none) and when; the policy clock ticks and *out_version
 * (may be NULL) gets the row's new version. Call inside the transaction
 * that also audits the change. RQ_STORE_ECONSTRAINT for an unknown unit.
 */
int rq_store_policy_set(rq_store *s, int64_t unit_id, const json_t *own, int64_t updated_by, int64_t now,
			int64_t *out_version);

/*
 * The unit's place in the tree changed (it moved): tick the clock into its
 * row, keeping its fields, so every agent below sees a new version.
 */
int rq_store_policy_touch(rq_store *s, int64_t unit_id, int64_t now);

#endif
