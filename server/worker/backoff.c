/*
 * Retry waits of the durable queues (backoff.h).
 */
#include "worker/backoff.h"

#include <openssl/rand.h>

int64_t rq_backoff_delay(int64_t base, int64_t max, int64_t attempts)
{
	int64_t delay = base;
	unsigned short r = 0;
	for (int64_t i = 1; i < attempts && delay < max; i++)
		delay *= 2;
	if (delay > max)
		delay = max;
	if (RAND_bytes((unsigned char *)&r, sizeof(r)) != 1)
		r = 32768;
	/* factor 0.8 .. 1.2, in thousandths */
	delay = delay * (800 + (int64_t)(r % 401)) / 1000;
	return delay < 1 ? 1 : delay;
}
