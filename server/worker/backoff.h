/*
 * The wait before the next attempt of a durable queue's delivery (the
 * NCSC reports, the reminder e-mails): exponential with jitter, so that
 * many servers failing together do not retry together. Implemented in
 * backoff.c.
 */
#ifndef RQ_SERVER_WORKER_BACKOFF_H
#define RQ_SERVER_WORKER_BACKOFF_H

#include <stdint.h>

/*
 * The wait (seconds, >= 1) after `attempts` failed attempts:
 * base * 2^(attempts-1), at most `max`, times a random factor in
 * [0.8, 1.2].
 */
int64_t rq_backoff_delay(int64_t base, int64_t max, int64_t attempts);

#endif
