/*
 * Claiming a queued row (queue.h): a SELECT of the row due first, then a
 * compare-and-set UPDATE of it; the same SQL on both backends.
 */
#include "store/queue.h"

#include <stdio.h>

#include "core/error.h"
#include "store/bind.h"

int rq_store_queue_claim(rq_store *s, const char *table, int64_t now, int64_t lease_until, int64_t *out_id)
{
	rq_stmt *st = NULL;
	char sql[320];
	int64_t id = 0, due = 0;
	int rc;
	*out_id = 0;
	snprintf(sql, sizeof(sql), "SELECT id, next_attempt_at FROM %s WHERE state = 'queued' AND next_attempt_at <= $1"
				   " ORDER BY next_attempt_at, id LIMIT 1", table);
	if ((rc = rq_store_prepare(s, &st, sql)) < 0 || (rc = rq_stmt_bind_int64(st, 1, now)) < 0)
		goto done;
	if ((rc = rq_stmt_step(st)) == RQ_STORE_DONE)
		rc = RQ_ENOTFOUND;
	if (rc < 0)
		goto done;
	id = rq_stmt_column_int64(st, 0);
	due = rq_stmt_column_int64(st, 1);
	rq_stmt_finalize(st);
	st = NULL;
	snprintf(sql, sizeof(sql), "UPDATE %s SET attempts = attempts + 1, last_attempt_at = $1, next_attempt_at = $2"
				   " WHERE id = $3 AND state = 'queued' AND next_attempt_at = $4", table);
	if ((rc = rq_store_prepare(s, &st, sql)) < 0 || (rc = rq_stmt_bind_fmt(st, "iiii", now, lease_until, id, due)) < 0 ||
	    (rc = rq_stmt_step(st)) < 0)
		goto done;
	if (rq_stmt_changes(st) != 1) {
		rc = RQ_ENOTFOUND;
		goto done;
	}
	*out_id = id;
	rc = 0;
done:
	rq_stmt_finalize(st);
	return rc < 0 ? rc : 0;
}
