/*
 * Tasks (see tasks.h): queueing for one endpoint or a unit subtree,
 * delivery in heartbeat answers (UPDATE ... RETURNING, so two heartbeats
 * never both deliver a task as new) and the agent's result, confined to
 * its own tasks. The same SQL on both backends.
 */
#include <string.h>

#include "core/error.h"
#include "store/fleet.h"
#include "store/tasks.h"
#include "store/units.h"

static int bind_opt(rq_stmt *st, int idx, int64_t v)
{
	return v > 0 ? rq_stmt_bind_int64(st, idx, v) : rq_stmt_bind_null(st, idx);
}

/* $2 kind, $3 params, $4 created_by, $5 now, $6 expires_at */
static int bind_task(rq_stmt *st, const char *kind, const char *params_json, int64_t created_by, int64_t now,
		     int64_t expires_at)
{
	int rc;
	if ((rc = rq_stmt_bind_text(st, 2, kind)) < 0 ||
	    (rc = rq_stmt_bind_text(st, 3, params_json ? params_json : "{}")) < 0 ||
	    (rc = bind_opt(st, 4, created_by)) < 0 || (rc = rq_stmt_bind_int64(st, 5, now)) < 0 ||
	    (rc = bind_opt(st, 6, expires_at)) < 0)
		return rc;
	return 0;
}

int rq_store_task_create(rq_store *s, int64_t *out_id, int64_t endpoint_id, const char *kind, const char *params_json,
			 int64_t created_by, int64_t now, int64_t expires_at)
{
	rq_stmt *st = NULL;
	int rc;
	*out_id = 0;
	if (!kind)
		return rq_fail(RQ_EINVAL, "store: a task needs a kind");
	rc = rq_store_prepare(s, &st,
			      "INSERT INTO tasks (endpoint_id, kind, params, created_by, created_at, expires_at)"
			      " VALUES ($1, $2, $3, $4, $5, $6) RETURNING id");
	if (rc < 0)
		goto done;
	if ((rc = rq_stmt_bind_int64(st, 1, endpoint_id)) < 0 ||
	    (rc = bind_task(st, kind, params_json, created_by, now, expires_at)) < 0)
		goto done;
	rc = rq_stmt_step_int64(st, out_id);
done:
	rq_stmt_finalize(st);
	return rc;
}

int rq_store_task_create_subtree(rq_store *s, int64_t *out_count, int64_t unit_id, const char *kind,
				 const char *params_json, int64_t created_by, int64_t now, int64_t expires_at)
{
	rq_stmt *st = NULL;
	int rc;
	*out_count = 0;
	if (!kind)
		return rq_fail(RQ_EINVAL, "store: a task needs a kind");
	/* RQ_STORE_SUBTREE_CTE with its depth bound as $7: $2..$6 are the task's,
	 * bound as in rq_store_task_create */
	rc = rq_store_prepare(s, &st,
			      "WITH RECURSIVE sub(id, depth) AS ("
			      " SELECT id, 0 FROM units WHERE id = $1"
			      " UNION ALL"
			      " SELECT u.id, sub.depth + 1 FROM units u JOIN sub ON u.parent_id = sub.id"
			      " WHERE sub.depth < $7)"
			      " INSERT INTO tasks (endpoint_id, kind, params, created_by, created_at, expires_at)"
			      " SELECT e.id, $2, $3, $4, $5, $6 FROM sub JOIN endpoints e ON e.unit_id = sub.id");
	if (rc < 0)
		goto done;
	if ((rc = rq_stmt_bind_int64(st, 1, unit_id)) < 0 ||
	    (rc = bind_task(st, kind, params_json, created_by, now, expires_at)) < 0 ||
	    (rc = rq_stmt_bind_int64(st, 7, RQ_STORE_MAX_UNIT_DEPTH - 1)) < 0)
		goto done;
	rc = rq_stmt_step(st);
	if (rc == RQ_STORE_DONE)
		*out_count = rq_stmt_changes(st);
done:
	rq_stmt_finalize(st);
	return rc < 0 ? rc : 0;
}

int rq_store_tasks_deliver(rq_store *s, int64_t endpoint_id, int64_t now, int (*cb)(const rq_task *task, void *payload),
			   void *payload)
{
	rq_stmt *st = NULL;
	rq_task t;
	int rc = rq_store_prepare(s, &st,
				  "UPDATE tasks SET state = 'sent', sent_at = COALESCE(sent_at, $2)"
				  " WHERE endpoint_id = $1 AND state IN ('pending', 'sent')"
				  " AND (expires_at IS NULL OR expires_at > $2)"
				  " RETURNING id, endpoint_id, kind, params, state, created_at, sent_at, expires_at");
	if (rc < 0)
		goto done;
	if ((rc = rq_stmt_bind_int64(st, 1, endpoint_id)) < 0 || (rc = rq_stmt_bind_int64(st, 2, now)) < 0)
		goto done;
	while ((rc = rq_stmt_step(st)) == RQ_STORE_ROW) {
		t.id = rq_stmt_column_int64(st, 0);
		t.endpoint_id = rq_stmt_column_int64(st, 1);
		t.kind = rq_stmt_column_text(st, 2);
		t.params_json = rq_stmt_column_text(st, 3);
		t.state = rq_stmt_column_text(st, 4);
		t.created_at = rq_stmt_column_int64(st, 5);
		t.sent_at = rq_stmt_column_int64(st, 6);
		t.expires_at = rq_stmt_column_int64(st, 7);
		if (cb(&t, payload) != 0) {
			rc = rq_fail(RQ_ESTOPPED, "store: task delivery stopped by the caller");
			break;
		}
	}
done:
	rq_stmt_finalize(st);
	return rc < 0 ? rc : 0;
}

int rq_store_task_report(rq_store *s, int64_t endpoint_id, int64_t task_id, const char *state,
			 const char *result_json, int64_t now)
{
	rq_stmt *st = NULL;
	int rc, final;
	if (!state || (strcmp(state, "running") != 0 && strcmp(state, "done") != 0 && strcmp(state, "failed") != 0))
		return rq_fail(RQ_EINVAL, "store: a task report's state is running, done or failed");
	final = strcmp(state, "running") != 0;
	rc = rq_store_prepare(s, &st,
			      "UPDATE tasks SET state = $3, result = $4,"
			      " finished_at = CASE WHEN $5 = 1 THEN $6 ELSE finished_at END,"
			      " sent_at = COALESCE(sent_at, $6)"
			      " WHERE id = $1 AND endpoint_id = $2 AND state IN ('pending', 'sent', 'running')");
	if (rc < 0)
		goto done;
	if ((rc = rq_stmt_bind_int64(st, 1, task_id)) < 0 || (rc = rq_stmt_bind_int64(st, 2, endpoint_id)) < 0 ||
	    (rc = rq_stmt_bind_text(st, 3, state)) < 0 ||
	    (rc = rq_stmt_bind_text(st, 4, result_json ? result_json : "")) < 0 ||
	    (rc = rq_stmt_bind_int64(st, 5, final)) < 0 || (rc = rq_stmt_bind_int64(st, 6, now)) < 0)
		goto done;
	rc = rq_stmt_step(st);
	if (rc == RQ_STORE_DONE && rq_stmt_changes(st) == 0)
		rc = rq_fail(RQ_ENOTFOUND, "store: no open task %lld for endpoint %lld", (long long)task_id,
			     (long long)endpoint_id);
done:
	rq_stmt_finalize(st);
	return rc < 0 ? rc : 0;
}

int rq_store_tasks_expire(rq_store *s, int64_t now, int64_t *out_count)
{
	return rq_store_run(s, out_count,
			    "UPDATE tasks SET state = 'expired', finished_at = $1"
			    " WHERE state IN ('pending', 'sent') AND expires_at IS NOT NULL AND expires_at <= $1",
			    &now, 1);
}

#define TASK_COLUMNS                                                                                   \
	"SELECT t.id, t.endpoint_id, t.kind, t.params, t.state, t.created_at, t.sent_at, t.expires_at,"\
	" e.unit_id, e.hostname, t.result, t.created_by, us.login, t.finished_at FROM tasks t"         \
	" JOIN endpoints e ON e.id = t.endpoint_id LEFT JOIN users us ON us.id = t.created_by"

static const char *text_or_empty(rq_stmt *st, int col)
{
	const char *v = rq_stmt_column_text(st, col);
	return v ? v : "";
}

typedef struct row_cb {
	rq_task_row_cb cb;
	void *payload;
} row_cb;

static int task_row(rq_stmt *st, void *payload)
{
	row_cb *c = payload;
	rq_task_row r;
	r.t.id = rq_stmt_column_int64(st, 0);
	r.t.endpoint_id = rq_stmt_column_int64(st, 1);
	r.t.kind = text_or_empty(st, 2);
	r.t.params_json = text_or_empty(st, 3);
	r.t.state = text_or_empty(st, 4);
	r.t.created_at = rq_stmt_column_int64(st, 5);
	r.t.sent_at = rq_stmt_column_int64(st, 6);
	r.t.expires_at = rq_stmt_column_int64(st, 7);
	r.unit_id = rq_stmt_column_int64(st, 8);
	r.hostname = text_or_empty(st, 9);
	r.result_json = text_or_empty(st, 10);
	r.created_by = rq_stmt_column_int64(st, 11);
	r.created_by_login = text_or_empty(st, 12);
	r.finished_at = rq_stmt_column_int64(st, 13);
	return c->cb(&r, c->payload);
}

static void task_where(rq_sqlb *b, rq_store *s, const void *filter)
{
	const rq_task_filter *f = filter;
	rq_sqlb_add(b, " WHERE 1 = 1");
	if (f->unit_id > 0)
		rq_sqlb_in_subtree(b, s, "t.endpoint_id", 1);
	if (f->endpoint_id > 0)
		rq_sqlb_int(b, " AND t.endpoint_id = ?", f->endpoint_id);
	if (f->state)
		rq_sqlb_text(b, " AND t.state = ?", f->state);
	if (f->kind)
		rq_sqlb_text(b, " AND t.kind = ?", f->kind);
}

static void task_order(rq_sqlb *b, rq_store *s, const void *filter)
{
	(void)s;
	(void)filter;
	rq_sqlb_add(b, " ORDER BY t.id DESC");
}

int rq_store_tasks_list(rq_store *s, const rq_task_filter *f, int64_t *out_total, rq_task_row_cb cb, void *payload)
{
	row_cb c = {cb, payload};
	rq_sqlb_list l = {.from = "tasks t", .id = "t.id", .columns = TASK_COLUMNS, .where = task_where,
			  .order = task_order, .filter = f, .unit_id = f->unit_id, .limit = f->limit,
			  .offset = f->offset};
	return rq_sqlb_list_run(s, &l, out_total, task_row, &c);
}

int rq_store_task_get(rq_store *s, int64_t id, rq_task_row_cb cb, void *payload)
{
	row_cb c = {cb, payload};
	return rq_sqlb_get(s, TASK_COLUMNS, "t.id", id, "task", task_row, &c);
}

int rq_store_task_cancel(rq_store *s, int64_t id, int64_t now, int *out_cancelled)
{
	const int64_t params[] = {id, now};
	int64_t changed = 0, exists = 0;
	rq_stmt *st = NULL;
	int rc = rq_store_run(s, &changed,
			      "UPDATE tasks SET state = 'cancelled', finished_at = $2"
			      " WHERE id = $1 AND state IN ('pending', 'sent')",
			      params, 2);
	*out_cancelled = 0;
	if (rc < 0)
		goto done;
	if (changed > 0) {
		*out_cancelled = 1;
		goto done;
	}
	rc = rq_store_prepare(s, &st, "SELECT COUNT(*) FROM tasks WHERE id = $1");
	if (rc == 0 && (rc = rq_stmt_bind_int64(st, 1, id)) == 0)
		rc = rq_stmt_step_int64(st, &exists);
	if (rc == 0 && exists == 0)
		rc = rq_fail(RQ_ENOTFOUND, "store: task %lld not found", (long long)id);
done:
	rq_stmt_finalize(st);
	return rc;
}
