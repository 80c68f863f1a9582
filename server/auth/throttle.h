/*
 * Login throttling: failed logins counted per account and per client
 * address; after a few failures each further attempt must wait, the wait
 * doubling up to a ceiling; a success clears the account's count. Kept in
 * memory (bounded: the oldest entries are forgotten first), thread-safe.
 */
#ifndef RQ_SERVER_AUTH_THROTTLE_H
#define RQ_SERVER_AUTH_THROTTLE_H

#include <stdint.h>

/* Failures allowed before waits start, first wait, longest wait, entries kept. */
#define RQ_THROTTLE_FREE 5
#define RQ_THROTTLE_FIRST_WAIT 2
#define RQ_THROTTLE_MAX_WAIT 900
#define RQ_THROTTLE_SLOTS 4096

typedef struct rq_throttle rq_throttle;

int rq_throttle_new(rq_throttle **out);
void rq_throttle_free(rq_throttle *t);

/*
 * Seconds to wait before `login` may try again from `addr` at time `now`
 * (0: may try now). Both keys count: guessing one account from many
 * addresses, or many accounts from one address, is slowed down.
 */
int64_t rq_throttle_wait(rq_throttle *t, const char *login, const char *addr, int64_t now);

/* Record the outcome of an attempt made at `now`. */
void rq_throttle_failed(rq_throttle *t, const char *login, const char *addr, int64_t now);
void rq_throttle_succeeded(rq_throttle *t, const char *login, const char *addr);

#endif
