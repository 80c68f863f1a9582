/*
 * Tasks of the store: work the administrators queue for endpoints (scan,
 * update, quarantine / restore / delete a file), delivered in heartbeat
 * answers and closed by the agent's result. Implemented in tasks.c.
 */
#ifndef RQ_SERVER_STORE_TASKS_H
#define RQ_SERVER_STORE_TASKS_H

#include "store/store.h"

/* Kinds: "scan_quick", "scan_full", "scan_path", "update", "quarantine",
 * "restore", "delete" (a CHECK refuses others: RQ_STORE_ECONSTRAINT). */

typedef struct rq_task {
	int64_t id, endpoint_id;
	const char *kind;
	const char *params_json;
	const char *state; /* pending, sent, running, done, failed, cancelled, expired */
	int64_t created_at, sent_at, expires_at; /* 0: not set */
} rq_task;

/* Queue a task for one endpoint (created_by: a user id or 0; expires_at
 * 0: never). params_json NULL is "{}". */
int rq_store_task_create(rq_store *s, int64_t *out_id, int64_t endpoint_id, const char *kind, const char *params_json,
			 int64_t created_by, int64_t now, int64_t expires_at);

/* Queue the same task for every endpoint of a unit subtree, in one
 * statement; *out_count is how many were queued. */
int rq_store_task_create_subtree(rq_store *s, int64_t *out_count, int64_t unit_id, const char *kind,
				 const char *params_json, int64_t created_by, int64_t now, int64_t expires_at);

/*
 * The tasks to hand an endpoint in a heartbeat answer: pending ones become
 * sent (sent_at = now), and tasks sent before but not yet acknowledged
 * are given again (the previous answer may have been lost; the agent
 * ignores ids it already has). Expired tasks are not given. cb gets each
 * task, borrowed for the call; a non-zero return stops with RQ_ESTOPPED.
 */
int rq_store_tasks_deliver(rq_store *s, int64_t endpoint_id, int64_t now, int (*cb)(const rq_task *task, void *payload),
			   void *payload);

/*
 * An agent's report on its task: state "running", "done" or "failed" and
 * a result document. Only the endpoint's own, unfinished tasks change:
 * anything else is RQ_ENOTFOUND (so an agent cannot probe other agents'
 * tasks). Any other state is RQ_EINVAL.
 */
int rq_store_task_report(rq_store *s, int64_t endpoint_id, int64_t task_id, const char *state,
			 const char *result_json, int64_t now);

/* --- the admin API's view (tasks.c, with the SQL builder of fleet.h) --- */

typedef struct rq_task_filter {
	int64_t unit_id;     /* the unit subtree of the task's endpoint; 0: all */
	int64_t endpoint_id; /* 0: any */
	const char *state;   /* exact; NULL: any */
	const char *kind;    /* exact; NULL: any */
	int64_t limit, offset;
} rq_task_filter;

/* A task with what the admin API shows of it; borrowed for a callback. */
typedef struct rq_task_row {
	rq_task t;
	int64_t unit_id;
	const char *hostname;
	const char *result_json;      /* "" until the agent reported */
	int64_t created_by;           /* 0: not a user, or the user is gone */
	const char *created_by_login; /* "" then */
	int64_t finished_at;          /* 0: not finished */
} rq_task_row;

typedef int (*rq_task_row_cb)(const rq_task_row *row, void *payload);

/* The page of tasks matching `f`, newest first, and the total. A non-zero
 * return of cb stops with RQ_ESTOPPED. */
int rq_store_tasks_list(rq_store *s, const rq_task_filter *f, int64_t *out_total, rq_task_row_cb cb, void *payload);

/* One task (cb called once); RQ_ENOTFOUND. */
int rq_store_task_get(rq_store *s, int64_t id, rq_task_row_cb cb, void *payload);

/*
 * Cancel a task still pending or sent (finished_at = now). *out_cancelled
 * is 1 when it was, 0 when the task is in another state (running or
 * finished: too late). RQ_ENOTFOUND when there is no such task.
 */
int rq_store_task_cancel(rq_store *s, int64_t id, int64_t now, int *out_cancelled);

/* Mark pending and sent tasks whose expiry has passed as expired;
 * *out_count (may be NULL) is how many. */
int rq_store_tasks_expire(rq_store *s, int64_t now, int64_t *out_count);

#endif
