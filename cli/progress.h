/*
 * The live progress line of `raquet scan` on stderr: a thread that redraws
 * one line every 200 ms from the walk counters. Result printers take the
 * same lock and call progress_clear first, so lines never mix.
 */
#ifndef RQ_CLI_PROGRESS_H
#define RQ_CLI_PROGRESS_H

#include <pthread.h>

#include "raquet/walk.h"

typedef struct progress {
	pthread_t thread;
	pthread_mutex_t *lock;     /* the output lock, shared with the printers */
	pthread_cond_t wake;
	const rq_walk_stats *stats;
	int running;
	int quit;                  /* under *lock */
	int shown;                 /* a line is on screen; under *lock */
	double started;            /* monotonic seconds */
} progress;

/* Start the thread; returns 0, or -1 (then progress is simply not shown). */
int progress_start(progress *p, const rq_walk_stats *stats, pthread_mutex_t *lock);
/* Erase the line if shown. Call with *lock held. */
void progress_clear(progress *p);
/* Stop the thread and erase the line. Call without *lock held. */
void progress_stop(progress *p);

/* Seconds on the monotonic clock. */
double progress_now(void);

#endif
