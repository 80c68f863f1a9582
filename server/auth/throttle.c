/*
 * Login throttling (throttle.h): a fixed table of slots hashed by key
 * ("u:" + login, "a:" + address), each holding the failure count and the
 * time of the last failure; a colliding key takes over the least recently
 * failed slot of its probe window.
 */
#include "auth/throttle.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"

#define KEY_MAX 160
#define PROBE 8

typedef struct slot {
	char key[KEY_MAX];
	uint32_t failures;
	int64_t last;
} slot;

struct rq_throttle {
	pthread_mutex_t lock;
	slot slots[RQ_THROTTLE_SLOTS];
};

int rq_throttle_new(rq_throttle **out)
{
	*out = calloc(1, sizeof(**out));
	if (!*out)
		return rq_fail(RQ_ENOMEM, "out of memory");
	pthread_mutex_init(&(*out)->lock, NULL);
	return 0;
}

void rq_throttle_free(rq_throttle *t)
{
	if (!t)
		return;
	pthread_mutex_destroy(&t->lock);
	free(t);
}

static uint64_t hash_key(const char *k)
{
	uint64_t h = 1469598103934665603ULL;
	for (; *k; k++)
		h = (h ^ (uint8_t)*k) * 1099511628211ULL;
	return h;
}

static void make_key(char out[KEY_MAX], char kind, const char *value)
{
	out[0] = kind;
	out[1] = ':';
	size_t n = strlen(value ? value : "");
	if (n > KEY_MAX - 3)
		n = KEY_MAX - 3; /* long logins share a slot with their prefix: only stricter */
	memcpy(out + 2, value ? value : "", n);
	out[2 + n] = '\0';
}

/* The slot of `key`; with `create`, take over the stalest slot of the window. */
static slot *find(rq_throttle *t, const char *key, int create)
{
	size_t base = (size_t)hash_key(key) % RQ_THROTTLE_SLOTS;
	slot *stalest = NULL;
	for (size_t i = 0; i < PROBE; i++) {
		slot *s = &t->slots[(base + i) % RQ_THROTTLE_SLOTS];
		if (s->key[0] && !strcmp(s->key, key))
			return s;
		if (!stalest || !s->key[0] || (stalest->key[0] && s->last < stalest->last))
			stalest = s;
	}
	if (!create)
		return NULL;
	memset(stalest, 0, sizeof(*stalest));
	strcpy(stalest->key, key);
	return stalest;
}

static int64_t wait_of(const slot *s, int64_t now)
{
	if (!s || s->failures < RQ_THROTTLE_FREE)
		return 0;
	uint32_t over = s->failures - RQ_THROTTLE_FREE;
	int64_t wait = RQ_THROTTLE_FIRST_WAIT;
	for (uint32_t i = 0; i < over && wait < RQ_THROTTLE_MAX_WAIT; i++)
		wait *= 2;
	if (wait > RQ_THROTTLE_MAX_WAIT)
		wait = RQ_THROTTLE_MAX_WAIT;
	int64_t until = s->last + wait;
	return until > now ? until - now : 0;
}

int64_t rq_throttle_wait(rq_throttle *t, const char *login, const char *addr, int64_t now)
{
	char ku[KEY_MAX], ka[KEY_MAX];
	make_key(ku, 'u', login);
	make_key(ka, 'a', addr);
	pthread_mutex_lock(&t->lock);
	int64_t wu = wait_of(find(t, ku, 0), now), wa = wait_of(find(t, ka, 0), now);
	pthread_mutex_unlock(&t->lock);
	return wu > wa ? wu : wa;
}

void rq_throttle_failed(rq_throttle *t, const char *login, const char *addr, int64_t now)
{
	char ku[KEY_MAX], ka[KEY_MAX];
	make_key(ku, 'u', login);
	make_key(ka, 'a', addr);
	pthread_mutex_lock(&t->lock);
	slot *s = find(t, ku, 1);
	s->failures++;
	s->last = now;
	s = find(t, ka, 1);
	s->failures++;
	s->last = now;
	pthread_mutex_unlock(&t->lock);
}

void rq_throttle_succeeded(rq_throttle *t, const char *login, const char *addr)
{
	char ku[KEY_MAX];
	(void)addr; /* an address keeps its count: one success must not reset a spray */
	make_key(ku, 'u', login);
	pthread_mutex_lock(&t->lock);
	slot *s = find(t, ku, 0);
	if (s)
		memset(s, 0, sizeof(*s));
	pthread_mutex_unlock(&t->lock);
}
