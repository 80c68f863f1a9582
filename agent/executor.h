/*
 * What raquetd does on its own and on the server's command (executor.c):
 * the tasks of the durable queue (scan now, update now, quarantine,
 * restore, delete) and the policy's scheduled quick and full scans. Scans
 * run one at a time as child processes (scanjob.h); file tasks run at once
 * in the agent against its quarantine vault, also while a scan runs. Every
 * outcome is an outbox event, and a task's state and result go back to the
 * server through the queue (daemon.c reports them). Guide: docs/agent.md.
 */
#ifndef RQ_AGENT_EXECUTOR_H
#define RQ_AGENT_EXECUTOR_H

#include <stdint.h>

#include <jansson.h>

#include "outbox.h"
#include "tasks.h"

/* Bring the signature databases up to date (an "update" task): 0 or an error; *result the task's result. */
typedef int (*rq_exec_update_fn)(void *ctx, json_t **result);

typedef struct rq_executor_env {
	const char *raquet;       /* the scanner program */
	const char *db_dir;
	const char *trusted_keys; /* NULL: the scanner's default */
	const char *vault_dir;
	const char *const *skip_dirs; /* never scanned (the agent's own folders), NULL-terminated */
	int no_schedule;          /* agent.conf scheduled_scans = no: tasks only */
	rq_outbox *ob;            /* borrowed */
	rq_taskq *tq;             /* borrowed */
	rq_exec_update_fn update;
	void *update_ctx;
} rq_executor_env;

typedef struct rq_executor rq_executor;

/* `env` is copied (its pointers borrowed). Free with rq_executor_free (stops a running scan). */
int rq_executor_new(rq_executor **out, const rq_executor_env *env);
void rq_executor_free(rq_executor *x);

/*
 * One step, from the daemon's loop: follow the running scan; run the file
 * tasks waiting; start the next scan task, else a scheduled scan that is
 * due under `policy` (the unit's effective policy: scan_schedule,
 * action_on_detection, exclusions) and `status` (status.json: the last
 * runs, updated here: last_quick_scan, last_full_scan, schedule). Sets
 * *status_changed when `status` was changed. Returns 0 or the first error
 * (logged by the caller; the step can be repeated).
 */
int rq_executor_step(rq_executor *x, const json_t *policy, json_t *status, int64_t now, int *status_changed);

/* Whether a scan runs now ("quick", "full", "path") or NULL. */
const char *rq_executor_scanning(const rq_executor *x);

#endif
