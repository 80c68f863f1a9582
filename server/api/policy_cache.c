/*
 * The policy cache of policy_cache.h: a fixed table indexed by unit id
 * (one slot per id modulo the size, a newer unit replacing an older),
 * each entry stamped with the cache generation and the monotonic time it
 * was read, all under one mutex -- lookups are a few hundred nanoseconds,
 * far below the heartbeat's own store write.
 */
#include "api/policy_cache.h"

#include <pthread.h>
#include <time.h>

#include "core/error.h"
#include "store/policies.h"

typedef struct entry {
	int64_t unit_id;     /* 0: empty */
	int64_t version;
	uint64_t generation;
	int64_t read_at;     /* CLOCK_MONOTONIC seconds */
	json_t *policy;
} entry;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static entry table[RQ_POLICY_CACHE_SLOTS];
static uint64_t generation = 1;

static int64_t mono_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec;
}

void rq_policy_cache_bump(void)
{
	pthread_mutex_lock(&lock);
	generation++;
	pthread_mutex_unlock(&lock);
}

int rq_policy_cached(rq_store *s, int64_t unit_id, int64_t *out_version, json_t **out_policy)
{
	entry *e = &table[(uint64_t)unit_id % RQ_POLICY_CACHE_SLOTS];
	int64_t now = mono_now();
	uint64_t gen;
	json_t *policy = NULL;
	int64_t version = 0;
	int rc = 0;

	pthread_mutex_lock(&lock);
	gen = generation;
	if (e->unit_id == unit_id && e->generation == gen && now - e->read_at < RQ_POLICY_CACHE_TTL) {
		*out_version = e->version;
		if (out_policy)
			*out_policy = json_deep_copy(e->policy);
		pthread_mutex_unlock(&lock);
		if (out_policy && !*out_policy)
			return rq_fail(RQ_ENOMEM, "policy cache: out of memory");
		return 0;
	}
	pthread_mutex_unlock(&lock);

	/* read outside the lock: other units' heartbeats go on meanwhile */
	rc = rq_store_policy_effective(s, unit_id, &policy, &version);
	if (rc < 0)
		return rc;
	*out_version = version;
	if (out_policy && !(*out_policy = json_deep_copy(policy))) {
		json_decref(policy);
		return rq_fail(RQ_ENOMEM, "policy cache: out of memory");
	}
	pthread_mutex_lock(&lock);
	if (generation == gen) { /* not bumped while reading: keep it */
		json_decref(e->policy);
		e->unit_id = unit_id;
		e->version = version;
		e->generation = gen;
		e->read_at = now;
		e->policy = policy;
		policy = NULL;
	}
	pthread_mutex_unlock(&lock);
	json_decref(policy);
	return 0;
}
