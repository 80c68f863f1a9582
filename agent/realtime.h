/*
 * Real-time protection with fanotify: files are scanned when they are
 * closed after writing, and -- where the kernel allows permission events --
 * executing (optionally also opening) a detected file is refused. Each
 * finding goes to a callback (the agent quarantines and reports it). Where
 * fanotify is not permitted (no CAP_SYS_ADMIN, many containers) starting
 * fails with the reason, which the agent reports as its real-time status.
 */
#ifndef RQ_AGENT_REALTIME_H
#define RQ_AGENT_REALTIME_H

#include <stddef.h>
#include <stdint.h>

#include "raquet/raquet.h"

typedef struct rq_realtime rq_realtime;

/* One event worth reporting. Strings valid during the callback only. */
typedef struct rq_rt_event {
	const char *path;     /* as the kernel names the file ("" if unknown) */
	const char *name;     /* first detection name */
	int pid;              /* the process that wrote, opened or executed it */
	int blocked;          /* 1: the open or exec was refused; 0: found after a write */
} rq_rt_event;

typedef void (*rq_rt_cb)(const rq_rt_event *ev, void *payload);

typedef struct rq_rt_options {
	const char *const *paths;  /* folders watched */
	size_t path_count;
	int whole_mounts;     /* watch the whole file system each path is on (production);
				 0: only the files directly in each folder (tests) */
	int block_exec;       /* refuse executing detected files (FAN_OPEN_EXEC_PERM) */
	int block_open;       /* also refuse opening them (FAN_OPEN_PERM): costly, off by default */
	uint64_t max_size;    /* larger files are allowed unscanned on open/exec (0: 64 MiB) */
	rq_rt_cb cb;
	void *payload;
} rq_rt_options;

/*
 * Start watching with `engine` (borrowed; must outlive the watcher) on a
 * thread of its own. RQ_EUNSUPPORTED with the reason when fanotify or its
 * permission events are not available here.
 */
int rq_realtime_start(rq_realtime **out, const rq_engine *engine, const rq_rt_options *opts);

/* Stop the thread (permission requests in flight are allowed) and free. NULL ok. */
void rq_realtime_stop(rq_realtime *rt);

typedef struct rq_rt_stats {
	uint64_t scanned, detected, blocked, allowed_unscanned, errors, cache_hits;
} rq_rt_stats;

void rq_realtime_stats(rq_realtime *rt, rq_rt_stats *out);

#endif
