/*
 * The agent's durable task queue (tasks.c, SQLite file STATE_DIR/tasks.db):
 * tasks handed out by the server in heartbeat answers are committed here
 * before anything else, so the executor (scan now, update now, quarantine,
 * restore, delete) finds them after a restart. The server marks a task
 * sent when it hands it out: this table is then its only copy.
 */
#ifndef RQ_AGENT_TASKS_H
#define RQ_AGENT_TASKS_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

typedef struct rq_taskq rq_taskq;

/* Open (creating) the queue. Close with rq_taskq_close (NULL ok). */
int rq_taskq_open(rq_taskq **out, const char *path);
void rq_taskq_close(rq_taskq *q);

/*
 * Record the `tasks` array of a heartbeat answer ([{"id", "kind", "params",
 * "expires_at"}]) in one transaction, state "pending"; ids already known
 * are left as they are (a resent task is not run twice). *added counts the
 * new ones. RQ_EPARSE when an element lacks an integer id or a kind (nothing
 * stored); RQ_ELIMIT past RQ_AGENT_MAX_TASKS queued.
 */
int rq_taskq_add(rq_taskq *q, const json_t *tasks, int64_t now, size_t *added);

/* Number of tasks in `state` ("pending", "running", "done", "failed"; NULL: all). */
int rq_taskq_count(rq_taskq *q, const char *state, uint64_t *out);

/* One task as the executor sees it. Free with rq_task_clear. */
typedef struct rq_task {
	int64_t id;
	char kind[32];
	json_t *params;       /* an object, never NULL after a successful read */
	int64_t expires_at;   /* 0: never */
	char state[16];       /* "pending", "running", "done", "failed" */
	json_t *result;       /* the result document (NULL before one is set) */
} rq_task;

void rq_task_clear(rq_task *t);

/*
 * The oldest pending task into *out (*found 1), or *found 0; with
 * `no_scans`, the oldest that is not a scan (one scan runs at a time, the
 * other tasks need not wait for it). Free with rq_task_clear.
 */
int rq_taskq_next(rq_taskq *q, int no_scans, rq_task *out, int *found);

/*
 * Set a task's state ("running", "done" or "failed") and result document
 * (may be NULL), to be reported to the server: a change is kept until
 * rq_taskq_reported says the server has it.
 */
int rq_taskq_set(rq_taskq *q, int64_t id, const char *state, const json_t *result);

/*
 * Tasks left "running" by an agent that stopped (killed, power cut) are
 * marked "failed" with a result saying so: the machine may have restarted
 * halfway through, and an interrupted action must not silently repeat.
 * *count (may be NULL) gets how many.
 */
int rq_taskq_fail_interrupted(rq_taskq *q, size_t *count);

/*
 * A task whose state the server has not been told yet (the oldest), with
 * that state and result in *out (*found 1), or *found 0.
 */
int rq_taskq_unreported(rq_taskq *q, rq_task *out, int *found);

/* The server has (or refused for good) state `state` of task `id`. */
int rq_taskq_reported(rq_taskq *q, int64_t id, const char *state);

#endif
