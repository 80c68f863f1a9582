/*
 * Test helper for the agent's shell tests, loaded with LD_PRELOAD: moves
 * the wall clock (CLOCK_REALTIME, time, gettimeofday) by the number of
 * seconds written in the file named by $RQ_TEST_CLOCK_SHIFT_FILE, read at
 * every call, so a test can jump the clock of a running raquetd back or
 * forward. CLOCK_MONOTONIC is left alone: that is what is being tested.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/time.h>
#include <time.h>

int clock_gettime(clockid_t id, struct timespec *ts);
time_t time(time_t *out);
int gettimeofday(struct timeval *restrict tv, void *restrict tz);

static long shift(void)
{
	const char *path = getenv("RQ_TEST_CLOCK_SHIFT_FILE");
	FILE *f = path ? fopen(path, "re") : NULL;
	long s = 0;
	if (f) {
		if (fscanf(f, "%ld", &s) != 1)
			s = 0;
		fclose(f);
	}
	return s;
}

__attribute__((visibility("default"))) int clock_gettime(clockid_t id, struct timespec *ts)
{
	int (*real)(clockid_t, struct timespec *) = (int (*)(clockid_t, struct timespec *))dlsym(RTLD_NEXT, "clock_gettime");
	int rc = real(id, ts);
	if (rc == 0 && (id == CLOCK_REALTIME || id == CLOCK_REALTIME_COARSE))
		ts->tv_sec += shift();
	return rc;
}

__attribute__((visibility("default"))) time_t time(time_t *out)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	if (out)
		*out = ts.tv_sec;
	return ts.tv_sec;
}

__attribute__((visibility("default"))) int gettimeofday(struct timeval *restrict tv, void *restrict tz)
{
	struct timespec ts;
	int rc = clock_gettime(CLOCK_REALTIME, &ts);
	tv->tv_sec = ts.tv_sec; /* glibc declares tv non-null */
	tv->tv_usec = ts.tv_nsec / 1000;
	return rc;
}
