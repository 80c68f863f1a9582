/*
 * Appending to the audit log (see audit.h). The log keeps the actor's name
 * as text and the unit as a plain number, so entries outlive the users and
 * units they mention. Listing filters by unit subtree, actor, action prefix
 * and time, newest first.
 */
#include <stdint.h>
#include <string.h>

#include "core/error.h"
#include "store/audit.h"
#include "store/units.h"

static const char *or_default(const char *s, const char *dflt)
{
	return s ? s : dflt;
}

int rq_store_audit_add(rq_store *s, const rq_audit_entry *e)
{
	rq_stmt *st = NULL;
	int rc;
	if (!e->actor || !e->action)
		return rq_fail(RQ_EINVAL, "store: an audit entry needs an actor and an action");
	rc = rq_store_prepare(s, &st,
			      "INSERT INTO audit_log (at, user_id, actor, action, object_type, object_id, unit_id, ip,"
			      " details) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)");
	if (rc < 0)
		goto done;
	if ((rc = rq_stmt_bind_int64(st, 1, e->at)) < 0 ||
	    (rc = e->user_id > 0 ? rq_stmt_bind_int64(st, 2, e->user_id) : rq_stmt_bind_null(st, 2)) < 0 ||
	    (rc = rq_stmt_bind_text(st, 3, e->actor)) < 0 || (rc = rq_stmt_bind_text(st, 4, e->action)) < 0 ||
	    (rc = rq_stmt_bind_text(st, 5, or_default(e->object_type, ""))) < 0 ||
	    (rc = rq_stmt_bind_text(st, 6, or_default(e->object_id, ""))) < 0 ||
	    (rc = e->unit_id > 0 ? rq_stmt_bind_int64(st, 7, e->unit_id) : rq_stmt_bind_null(st, 7)) < 0 ||
	    (rc = rq_stmt_bind_text(st, 8, or_default(e->ip, ""))) < 0 ||
	    (rc = rq_stmt_bind_text(st, 9, or_default(e->details_json, "{}"))) < 0)
		goto done;
	rc = rq_stmt_step(st);
done:
	rq_stmt_finalize(st);
	return rc < 0 ? rc : 0;
}

/*
 * The filters, shared by the count and the page: $1 the subtree root
 * (unused without a unit filter), $2 its depth bound, $3 the actor ('' for
 * any), $4/$5 the action prefix and its length, $6/$7 the time range.
 * Each parameter meets a column first, so PostgreSQL types it from there.
 */
#define AUDIT_WHERE                                                                                    \
	" WHERE (actor = $3 OR $3 = '') AND substr(action, 1, $5) = $4 AND at >= $6 AND at < $7"
#define AUDIT_IN_SUBTREE " AND unit_id IN (SELECT id FROM sub)"
#define AUDIT_COLUMNS "SELECT id, at, user_id, actor, action, object_type, object_id, unit_id, ip, details FROM audit_log"
#define AUDIT_PAGE " ORDER BY at DESC, id DESC LIMIT $8 OFFSET $9"

static int bind_filter(rq_stmt *st, const rq_audit_filter *f, int paged)
{
	const char *prefix = f->action_prefix ? f->action_prefix : "";
	int rc;
	if ((rc = rq_stmt_bind_int64(st, 1, f->unit_id)) < 0 ||
	    (rc = rq_stmt_bind_int64(st, 2, RQ_STORE_MAX_UNIT_DEPTH - 1)) < 0 ||
	    (rc = rq_stmt_bind_text(st, 3, f->actor ? f->actor : "")) < 0 ||
	    (rc = rq_stmt_bind_text(st, 4, prefix)) < 0 ||
	    (rc = rq_stmt_bind_int64(st, 5, (int64_t)strlen(prefix))) < 0 ||
	    (rc = rq_stmt_bind_int64(st, 6, f->since)) < 0 ||
	    (rc = rq_stmt_bind_int64(st, 7, f->until > 0 ? f->until : INT64_MAX)) < 0)
		return rc;
	if (paged && ((rc = rq_stmt_bind_int64(st, 8, f->limit > 0 ? f->limit : INT64_MAX)) < 0 ||
		      (rc = rq_stmt_bind_int64(st, 9, f->offset)) < 0))
		return rc;
	return 0;
}

/* $1 and $2 are bound whether used or not: SQLite and PostgreSQL both
 * need every parameter to appear, so the unfiltered query names them in a
 * condition that always holds. */
static const char *const count_sql[2] = {
	"SELECT COUNT(*) FROM audit_log" AUDIT_WHERE " AND $1 >= 0 AND $2 >= 0",
	RQ_STORE_SUBTREE_CTE " SELECT COUNT(*) FROM audit_log" AUDIT_WHERE AUDIT_IN_SUBTREE,
};
static const char *const page_sql[2] = {
	AUDIT_COLUMNS AUDIT_WHERE " AND $1 >= 0 AND $2 >= 0" AUDIT_PAGE,
	RQ_STORE_SUBTREE_CTE " " AUDIT_COLUMNS AUDIT_WHERE AUDIT_IN_SUBTREE AUDIT_PAGE,
};

int rq_store_audit_list(rq_store *s, const rq_audit_filter *f, int64_t *out_total,
			int (*cb)(const rq_audit_entry *e, void *payload), void *payload)
{
	rq_stmt *st = NULL;
	rq_audit_entry e;
	int by_unit = f->unit_id > 0, rc;
	*out_total = 0;
	if (f->unit_id < 0 || f->limit < 0 || f->offset < 0)
		return rq_fail(RQ_EINVAL, "store: audit list: negative unit, limit or offset");
	rc = rq_store_prepare(s, &st, count_sql[by_unit]);
	if (rc < 0 || (rc = bind_filter(st, f, 0)) < 0 || (rc = rq_stmt_step_int64(st, out_total)) < 0)
		goto done;
	rq_stmt_finalize(st);
	st = NULL;
	rc = rq_store_prepare(s, &st, page_sql[by_unit]);
	if (rc < 0 || (rc = bind_filter(st, f, 1)) < 0)
		goto done;
	while ((rc = rq_stmt_step(st)) == RQ_STORE_ROW) {
		memset(&e, 0, sizeof(e));
		e.id = rq_stmt_column_int64(st, 0);
		e.at = rq_stmt_column_int64(st, 1);
		e.user_id = rq_stmt_column_int64(st, 2);
		e.actor = rq_stmt_column_text(st, 3);
		e.action = rq_stmt_column_text(st, 4);
		e.object_type = rq_stmt_column_text(st, 5);
		e.object_id = rq_stmt_column_text(st, 6);
		e.unit_id = rq_stmt_column_int64(st, 7);
		e.ip = rq_stmt_column_text(st, 8);
		e.details_json = rq_stmt_column_text(st, 9);
		if (cb(&e, payload) != 0) {
			rc = rq_fail(RQ_ESTOPPED, "store: audit listing stopped by the caller");
			goto done;
		}
	}
done:
	rq_stmt_finalize(st);
	return rc < 0 ? rc : 0;
}
