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

#endif
