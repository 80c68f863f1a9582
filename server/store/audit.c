/*
 * Appending to the audit log (see audit.h). The log keeps the actor's name
 * as text and the unit as a plain number, so entries outlive the users and
 * units they mention.
 */
#include "core/error.h"
#include "store/audit.h"

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
