/*
 * The task queue (tasks.h) on SQLite with WAL and synchronous=FULL: a task
 * recorded is on disk. The executor of the next stage takes "pending" rows,
 * marks them running, and reports results from the same table.
 */
#include "tasks.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent_db.h"
#include "core/error.h"
#include "agent_limits.h"

struct rq_taskq {
	sqlite3 *db;
};

static const char *const schema =
	"PRAGMA journal_mode=WAL;"
	"PRAGMA synchronous=FULL;"
	"CREATE TABLE IF NOT EXISTS tasks("
	"  id INTEGER PRIMARY KEY,"          /* the server's task id */
	"  kind TEXT NOT NULL,"
	"  params TEXT NOT NULL DEFAULT '{}',"
	"  expires_at INTEGER NOT NULL DEFAULT 0,"
	"  received_at INTEGER NOT NULL,"
	"  state TEXT NOT NULL DEFAULT 'pending',"
	"  result TEXT,"
	"  reported TEXT NOT NULL DEFAULT '');"; /* the state the server was last told ('': none) */

static int db_fail(rq_taskq *q, const char *what)
{
	return rq_fail(RQ_EIO, "task queue: %s: %s", what, sqlite3_errmsg(q->db));
}

int rq_taskq_open(rq_taskq **out, const char *path)
{
	*out = NULL;
	rq_taskq *q = calloc(1, sizeof(*q));
	if (!q)
		return rq_fail(RQ_ENOMEM, "out of memory");
	int rc = rq_agent_db_open(&q->db, path, schema, "task queue");
	if (rc) {
		rq_taskq_close(q);
		return rc;
	}
	*out = q;
	return 0;
}

void rq_taskq_close(rq_taskq *q)
{
	if (!q)
		return;
	sqlite3_close(q->db);
	free(q);
}

int rq_taskq_add(rq_taskq *q, const json_t *tasks, int64_t now, size_t *added)
{
	*added = 0;
	sqlite3_stmt *st = NULL;
	char *params = NULL;
	int rc = 0;
	uint64_t queued = 0;
	if (!json_is_array(tasks) || !json_array_size(tasks))
		return 0;
	if ((rc = rq_taskq_count(q, NULL, &queued)))
		return rc;
	if (queued + json_array_size(tasks) > RQ_AGENT_MAX_TASKS)
		return rq_fail(RQ_ELIMIT, "task queue: more than %d tasks queued", RQ_AGENT_MAX_TASKS);
	if (sqlite3_exec(q->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(q->db, "INSERT OR IGNORE INTO tasks(id, kind, params, expires_at, received_at) "
			       "VALUES (?1, ?2, ?3, ?4, ?5)", -1, &st, NULL) != SQLITE_OK) {
		rc = db_fail(q, "recording tasks");
		goto done;
	}
	size_t i;
	json_t *t;
	json_array_foreach(tasks, i, t) {
		json_t *id = json_object_get(t, "id"), *kind = json_object_get(t, "kind");
		if (!json_is_integer(id) || !json_is_string(kind)) {
			rc = rq_fail(RQ_EPARSE, "task queue: task %zu of the answer has no id or kind", i);
			goto done;
		}
		json_t *p = json_object_get(t, "params");
		free(params);
		params = json_is_object(p) ? json_dumps(p, JSON_COMPACT) : NULL;
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, (sqlite3_int64)json_integer_value(id));
		sqlite3_bind_text(st, 2, json_string_value(kind), -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, params ? params : "{}", -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 4, (sqlite3_int64)json_integer_value(json_object_get(t, "expires_at")));
		sqlite3_bind_int64(st, 5, now);
		if (sqlite3_step(st) != SQLITE_DONE) {
			rc = db_fail(q, "recording tasks");
			goto done;
		}
		*added += (size_t)sqlite3_changes(q->db);
	}
	sqlite3_finalize(st);
	st = NULL;
	if (sqlite3_exec(q->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		rc = db_fail(q, "recording tasks");
done:
	sqlite3_finalize(st);
	free(params);
	if (rc) {
		sqlite3_exec(q->db, "ROLLBACK", NULL, NULL, NULL);
		*added = 0;
	}
	return rc;
}

int rq_taskq_count(rq_taskq *q, const char *state, uint64_t *out)
{
	*out = 0;
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(q->db, state ? "SELECT COUNT(*) FROM tasks WHERE state = ?1"
						 : "SELECT COUNT(*) FROM tasks", -1, &st, NULL);
	if (rc == SQLITE_OK && state)
		sqlite3_bind_text(st, 1, state, -1, SQLITE_STATIC);
	if (rc == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		*out = (uint64_t)sqlite3_column_int64(st, 0);
	else
		rc = -1;
	sqlite3_finalize(st);
	return rc ? db_fail(q, "counting tasks") : 0;
}

void rq_task_clear(rq_task *t)
{
	json_decref(t->params);
	json_decref(t->result);
	memset(t, 0, sizeof(*t));
}

/* Row (id, kind, params, expires_at, state, result) of `st` into *out. */
static int read_task(sqlite3_stmt *st, rq_task *out)
{
	memset(out, 0, sizeof(*out));
	out->id = sqlite3_column_int64(st, 0);
	snprintf(out->kind, sizeof(out->kind), "%s", (const char *)sqlite3_column_text(st, 1));
	const char *params = (const char *)sqlite3_column_text(st, 2);
	out->params = params ? json_loads(params, 0, NULL) : NULL;
	if (!json_is_object(out->params)) {
		json_decref(out->params);
		out->params = json_object();
	}
	out->expires_at = sqlite3_column_int64(st, 3);
	snprintf(out->state, sizeof(out->state), "%s", (const char *)sqlite3_column_text(st, 4));
	const char *result = (const char *)sqlite3_column_text(st, 5);
	out->result = result ? json_loads(result, JSON_DECODE_ANY, NULL) : NULL;
	return out->params ? 0 : rq_fail(RQ_ENOMEM, "out of memory");
}

/* The first row of `sql` (columns as read_task) into *out. */
static int query_task(rq_taskq *q, const char *sql, rq_task *out, int *found)
{
	sqlite3_stmt *st = NULL;
	int rc = 0;
	*found = 0;
	memset(out, 0, sizeof(*out));
	if (sqlite3_prepare_v2(q->db, sql, -1, &st, NULL) != SQLITE_OK)
		return db_fail(q, "reading tasks");
	int step = sqlite3_step(st);
	if (step == SQLITE_ROW) {
		rc = read_task(st, out);
		*found = rc == 0;
	} else if (step != SQLITE_DONE) {
		rc = db_fail(q, "reading tasks");
	}
	sqlite3_finalize(st);
	return rc;
}

int rq_taskq_next(rq_taskq *q, int no_scans, rq_task *out, int *found)
{
	return query_task(q, no_scans ? "SELECT id, kind, params, expires_at, state, result FROM tasks"
					" WHERE state = 'pending' AND kind NOT LIKE 'scan%' ORDER BY received_at, id LIMIT 1"
				      : "SELECT id, kind, params, expires_at, state, result FROM tasks"
					" WHERE state = 'pending' ORDER BY received_at, id LIMIT 1",
			  out, found);
}

int rq_taskq_unreported(rq_taskq *q, rq_task *out, int *found)
{
	return query_task(q, "SELECT id, kind, params, expires_at, state, result FROM tasks"
			     " WHERE state <> 'pending' AND reported <> state ORDER BY received_at, id LIMIT 1",
			  out, found);
}

/* Run `sql` with ?1 = id, ?2 = text a, ?3 = text b (either may be NULL). */
static int exec_bound(rq_taskq *q, const char *sql, int64_t id, const char *a, const char *b, const char *what)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(q->db, sql, -1, &st, NULL) == SQLITE_OK ? 0 : -1;
	if (!rc) {
		sqlite3_bind_int64(st, 1, (sqlite3_int64)id);
		if (a)
			sqlite3_bind_text(st, 2, a, -1, SQLITE_STATIC);
		if (b)
			sqlite3_bind_text(st, 3, b, -1, SQLITE_STATIC);
		rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
	}
	sqlite3_finalize(st);
	return rc ? db_fail(q, what) : 0;
}

int rq_taskq_set(rq_taskq *q, int64_t id, const char *state, const json_t *result)
{
	char *text = result ? json_dumps(result, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
	if (result && !text)
		return rq_fail(RQ_ENOMEM, "out of memory");
	int rc = exec_bound(q, "UPDATE tasks SET state = ?2, result = ?3 WHERE id = ?1", id, state, text,
			    "recording a task's state");
	free(text);
	return rc;
}

int rq_taskq_fail_interrupted(rq_taskq *q, size_t *count)
{
	if (count)
		*count = 0;
	int rc = exec_bound(q, "UPDATE tasks SET state = 'failed', result = json_object('error', "
			       "'the agent stopped while the task ran (restart, kill or power cut); not repeated')"
			       " WHERE state = 'running'", 0, NULL, NULL, "failing interrupted tasks");
	if (!rc && count)
		*count = (size_t)sqlite3_changes(q->db);
	return rc;
}

int rq_taskq_reported(rq_taskq *q, int64_t id, const char *state)
{
	int rc = exec_bound(q, "UPDATE tasks SET reported = ?2 WHERE id = ?1", id, state, NULL,
			    "recording a task report");
	/*
	 * Finished and reported tasks are forgotten after a while -- not at
	 * once: a heartbeat answer sent before the server had the report may
	 * still name the task, and a forgotten id would run again.
	 */
	if (!rc)
		rc = exec_bound(q, "DELETE FROM tasks WHERE state IN ('done', 'failed') AND reported = state"
				   " AND received_at < CAST(strftime('%s', 'now') AS INTEGER) - ?1",
				RQ_AGENT_TASK_KEEP_SECONDS, NULL, NULL, "forgetting old tasks");
	return rc;
}
