/*
 * The task queue (tasks.h) on SQLite with WAL and synchronous=FULL: a task
 * recorded is on disk. The executor of the next stage takes "pending" rows,
 * marks them running, and reports results from the same table.
 */
#include "tasks.h"

#include <sqlite3.h>
#include <stdlib.h>

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
	"  reported INTEGER NOT NULL DEFAULT 0);";

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
