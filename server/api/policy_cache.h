/*
 * The effective policy of each unit as the heartbeat answer needs it, from
 * a cache shared by the server's threads: thousands of agents a second ask,
 * while policies change a few times a year. An entry is read again from the
 * store after RQ_POLICY_CACHE_TTL seconds, or at once after
 * rq_policy_cache_bump (called when a policy is written or a unit moves).
 */
#ifndef RQ_SERVER_API_POLICY_CACHE_H
#define RQ_SERVER_API_POLICY_CACHE_H

#include <stdint.h>

#include <jansson.h>

#include "store/store.h"

/* How stale a cached policy may be when another raquet-server sharing the
 * PostgreSQL store changed it (this server's own writes bump at once):
 * agents see a change within this plus their heartbeat interval. */
#define RQ_POLICY_CACHE_TTL 10
/* Units whose policies are cached: a province has a few hundred; beyond,
 * entries are replaced (and read again), never refused. */
#define RQ_POLICY_CACHE_SLOTS 4096

/*
 * The version of `unit_id`'s effective policy into *out_version and, when
 * `out_policy` is not NULL, a new reference to the policy itself. 0, or
 * the store's error (RQ_ENOTFOUND for an unknown unit).
 */
int rq_policy_cached(rq_store *s, int64_t unit_id, int64_t *out_version, json_t **out_policy);

/* Forget every cached policy (after a policy write or a unit move commits). */
void rq_policy_cache_bump(void);

#endif
