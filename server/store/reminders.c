/*
 * Reminder e-mails in the store (reminders.h): the same SQL on both
 * backends; a claim is an UPDATE conditional on the row being as read, so
 * two servers never attempt one mail at once.
 */
#include "store/reminders.h"

#include <string.h>

#include "core/error.h"
#include "store/bind.h"
#include "store/queue.h"

#define MAIL_COLUMNS                                                                                         \
	"SELECT m.id, m.campaign_id, c.name, m.deadline, m.unit_id, u.name, m.slot_day, m.days_left, m.user_id," \
	" m.login, m.recipient, m.subject, m.state, m.created_at, m.attempts, COALESCE(m.next_attempt_at, 0),"  \
	" COALESCE(m.last_attempt_at, 0), COALESCE(m.sent_at, 0), COALESCE(m.smtp_status, 0), m.last_error"    \
	", CASE WHEN $1 = 1 THEN m.body END"                                                                     \
	" FROM reminder_mail m JOIN campaigns c ON c.id = m.campaign_id LEFT JOIN units u ON u.id = m.unit_id"

static int each_mail(rq_stmt *st, int (*cb)(const rq_reminder_mail *m, void *payload), void *payload,
		     int64_t *out_rows)
{
	int rc;
	int64_t rows = 0;
	while ((rc = rq_stmt_step(st)) == RQ_STORE_ROW) {
		rq_reminder_mail m = {
			.id = rq_stmt_column_int64(st, 0),
			.campaign_id = rq_stmt_column_int64(st, 1),
			.campaign_name = rq_stmt_column_str(st, 2),
			.deadline = rq_stmt_column_str(st, 3),
			.unit_id = rq_stmt_column_int64(st, 4),
			.unit_name = rq_stmt_column_str(st, 5),
			.slot_day = rq_stmt_column_int64(st, 6),
			.days_left = rq_stmt_column_int64(st, 7),
			.user_id = rq_stmt_column_int64(st, 8),
			.login = rq_stmt_column_str(st, 9),
			.recipient = rq_stmt_column_str(st, 10),
			.subject = rq_stmt_column_str(st, 11),
			.state = rq_stmt_column_str(st, 12),
			.created_at = rq_stmt_column_int64(st, 13),
			.attempts = rq_stmt_column_int64(st, 14),
			.next_attempt_at = rq_stmt_column_int64(st, 15),
			.last_attempt_at = rq_stmt_column_int64(st, 16),
			.sent_at = rq_stmt_column_int64(st, 17),
			.smtp_status = rq_stmt_column_int64(st, 18),
			.last_error = rq_stmt_column_str(st, 19),
			.body = rq_stmt_column_text(st, 20),
		};
		rows++;
		if (cb(&m, payload))
			return RQ_ESTOPPED;
	}
	if (out_rows)
		*out_rows = rows;
	return rc < 0 ? rc : 0;
}

int rq_store_reminder_add(rq_store *s, const rq_reminder_mail *m, int *out_added)
{
	rq_stmt *st = NULL;
	int rc = rq_store_prepare(s, &st,
				  "INSERT INTO reminder_mail (campaign_id, deadline, unit_id, slot_day, days_left, user_id,"
				  " login, recipient, subject, body, created_at, next_attempt_at)"
				  " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11)"
				  " ON CONFLICT (campaign_id, deadline, unit_id, slot_day, user_id) DO NOTHING");
	*out_added = 0;
	if (rc == 0)
		rc = rq_stmt_bind_fmt(st, "itiiiitttti", m->campaign_id, m->deadline, m->unit_id, m->slot_day,
				      m->days_left, m->user_id, m->login, m->recipient, m->subject, m->body,
				      m->created_at);
	if (rc == 0 && (rc = rq_stmt_step(st)) >= 0)
		*out_added = rq_stmt_changes(st) > 0;
	rq_stmt_finalize(st);
	return rc < 0 ? rc : 0;
}

int rq_store_reminder_claim(rq_store *s, int64_t now, int64_t lease_until,
			    int (*cb)(const rq_reminder_mail *m, void *payload), void *payload)
{
	int64_t id = 0;
	int rc = rq_store_queue_claim(s, "reminder_mail", now, lease_until, &id);
	return rc < 0 ? rc : rq_store_reminder_get(s, id, cb, payload);
}

int rq_store_reminder_outcome(rq_store *s, int64_t id, const char *state, int64_t now, int64_t next_attempt_at,
			      int64_t smtp_status, const char *last_error)
{
	rq_stmt *st = NULL;
	int queued = !strcmp(state, "queued"), sent = !strcmp(state, "sent");
	int rc = rq_store_prepare(s, &st,
				  "UPDATE reminder_mail SET state = $1, next_attempt_at = $2, sent_at = $3,"
				  " smtp_status = $4, last_error = $5 WHERE id = $6");
	if (rc == 0)
		rc = rq_stmt_bind_fmt(st, "tIIITi", state, queued ? next_attempt_at : 0, sent ? now : 0, smtp_status,
				      last_error, id);
	if (rc == 0)
		rc = rq_stmt_step(st);
	rq_stmt_finalize(st);
	return rc < 0 ? rc : 0;
}

int rq_store_reminder_requeue(rq_store *s, int64_t id, int64_t now)
{
	int64_t p[2] = {id, now}, changes = 0, exists = 0;
	rq_stmt *st = NULL;
	int rc = rq_store_run(s, &changes,
			      "UPDATE reminder_mail SET state = 'queued', attempts = 0, next_attempt_at = $2"
			      " WHERE id = $1 AND state = 'failed'",
			      p, 2);
	if (rc < 0 || changes > 0)
		return rc;
	/* nothing changed: no such mail, or one that is not failed */
	if ((rc = rq_store_prepare(s, &st, "SELECT COUNT(*) FROM reminder_mail WHERE id = $1")) == 0 &&
	    (rc = rq_stmt_bind_int64(st, 1, id)) == 0)
		rc = rq_stmt_step_int64(st, &exists);
	rq_stmt_finalize(st);
	if (rc == 0)
		rc = exists ? rq_fail(RQ_EINVAL, "store: reminder mail %lld is not failed", (long long)id)
			    : rq_fail(RQ_ENOTFOUND, "store: no reminder mail %lld", (long long)id);
	return rc;
}

int rq_store_reminder_list(rq_store *s, const char *state, int64_t campaign_id, int64_t limit, int64_t offset,
			   int64_t *out_total, int (*cb)(const rq_reminder_mail *m, void *payload), void *payload)
{
	rq_stmt *st = NULL;
	int rc = rq_store_prepare(s, &st, "SELECT COUNT(*) FROM reminder_mail WHERE ($1 = '' OR state = $1)"
					  " AND ($2 = 0 OR campaign_id = $2)");
	if (rc == 0 && (rc = rq_stmt_bind_fmt(st, "Ti", state, campaign_id)) == 0)
		rc = rq_stmt_step_int64(st, out_total);
	rq_stmt_finalize(st);
	st = NULL;
	if (rc < 0)
		return rc;
	rc = rq_store_prepare(s, &st, MAIL_COLUMNS " WHERE ($2 = '' OR m.state = $2) AND ($3 = 0 OR m.campaign_id = $3)"
						   " ORDER BY m.id DESC LIMIT $4 OFFSET $5");
	if (rc == 0)
		rc = rq_stmt_bind_fmt(st, "iTiii", (int64_t)0, state, campaign_id, limit > 0 ? limit : INT64_MAX, offset);
	if (rc == 0)
		rc = each_mail(st, cb, payload, NULL);
	rq_stmt_finalize(st);
	return rc;
}

int rq_store_reminder_get(rq_store *s, int64_t id, int (*cb)(const rq_reminder_mail *m, void *payload),
			  void *payload)
{
	rq_stmt *st = NULL;
	int64_t rows = 0;
	int rc = rq_store_prepare(s, &st, MAIL_COLUMNS " WHERE m.id = $2");
	if (rc == 0 && (rc = rq_stmt_bind_fmt(st, "ii", (int64_t)1, id)) == 0)
		rc = each_mail(st, cb, payload, &rows);
	rq_stmt_finalize(st);
	if (rc == 0 && rows == 0)
		rc = rq_fail(RQ_ENOTFOUND, "store: no reminder mail %lld", (long long)id);
	return rc;
}

int rq_store_reminder_recipients(rq_store *s, const char *role, int64_t unit_id,
				 int (*cb)(const rq_reminder_recipient *r, void *payload), void *payload)
{
	rq_stmt *st = NULL;
	int rc = rq_store_prepare(s, &st,
				  "SELECT id, login, display_name, email FROM users WHERE role = $1 AND disabled = 0"
				  " AND email <> '' AND COALESCE(unit_id, 0) = $2 ORDER BY login");
	if (rc == 0)
		rc = rq_stmt_bind_fmt(st, "ti", role, unit_id);
	while (rc == 0 && (rc = rq_stmt_step(st)) == RQ_STORE_ROW) {
		rq_reminder_recipient r = {
			.user_id = rq_stmt_column_int64(st, 0),
			.login = rq_stmt_column_str(st, 1),
			.display_name = rq_stmt_column_str(st, 2),
			.email = rq_stmt_column_str(st, 3),
		};
		rc = cb(&r, payload) ? RQ_ESTOPPED : 0;
	}
	rq_stmt_finalize(st);
	return rc < 0 ? rc : 0;
}
