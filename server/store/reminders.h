/*
 * The reminder e-mails in the store (table reminder_mail, migration 14;
 * server/campaign/remind.h, docs/campaigns.md): each is added once per
 * (campaign, deadline, unit, reminder day, user) -- adding it again does
 * nothing -- then claimed for one delivery attempt at a time and given
 * its outcome, like the NCSC queue (store/ncsc.h).
 */
#ifndef RQ_SERVER_STORE_REMINDERS_H
#define RQ_SERVER_STORE_REMINDERS_H

#include <stdint.h>

#include "store/store.h"

/* Strings are borrowed for the call (arguments) or the callback. */
typedef struct rq_reminder_mail {
	int64_t id, campaign_id;
	const char *campaign_name;     /* read only */
	const char *deadline;          /* "unit" or "department" */
	int64_t unit_id;               /* 0: the department's */
	const char *unit_name;         /* read only; "" for 0 */
	int64_t slot_day;              /* the province's day number it is the reminder of */
	int64_t days_left;
	int64_t user_id;
	const char *login, *recipient, *subject, *body; /* body: NULL unless asked for */
	const char *state;             /* queued, sent, failed */
	int64_t created_at, attempts;
	int64_t next_attempt_at, last_attempt_at, sent_at; /* 0: none */
	int64_t smtp_status;           /* 0: no answer */
	const char *last_error;
} rq_reminder_mail;

/* Queue `m` (state, attempts and times but created_at ignored; next
 * attempt: created_at). *out_added 1 when it is new, 0 when this
 * reminder was made already. */
int rq_store_reminder_add(rq_store *s, const rq_reminder_mail *m, int *out_added);

/*
 * Take the queued mail due first (next attempt at or before `now`): its
 * attempts go up and its next attempt moves to `lease_until` (another
 * server, or this one after a crash, tries it only then); cb gets it with
 * its body. RQ_ENOTFOUND when none is due.
 */
int rq_store_reminder_claim(rq_store *s, int64_t now, int64_t lease_until,
			    int (*cb)(const rq_reminder_mail *m, void *payload), void *payload);

/* The outcome of an attempt: "sent", "failed" (no more attempts) or
 * "queued" (again at next_attempt_at). smtp_status 0: no answer. */
int rq_store_reminder_outcome(rq_store *s, int64_t id, const char *state, int64_t now, int64_t next_attempt_at,
			      int64_t smtp_status, const char *last_error);

/* A failed mail queued again for `now` with a fresh count of attempts:
 * RQ_ENOTFOUND when there is no such mail, RQ_EINVAL when it is not
 * failed. */
int rq_store_reminder_requeue(rq_store *s, int64_t id, int64_t now);

/* Mails newest first, one page (limit 0: all), without bodies; `state`
 * and `campaign_id` filter when set (NULL, 0: any). *out_total: all that
 * match. */
int rq_store_reminder_list(rq_store *s, const char *state, int64_t campaign_id, int64_t limit, int64_t offset,
			   int64_t *out_total, int (*cb)(const rq_reminder_mail *m, void *payload), void *payload);

/* Mail `id` with its body, or RQ_ENOTFOUND. */
int rq_store_reminder_get(rq_store *s, int64_t id, int (*cb)(const rq_reminder_mail *m, void *payload),
			  void *payload);

/* A person a reminder goes to (borrowed for the callback's call). */
typedef struct rq_reminder_recipient {
	int64_t user_id;
	const char *login, *display_name, *email;
} rq_reminder_recipient;

/*
 * The enabled users of `role` ("officer", "admin") with an e-mail address
 * whose unit is exactly `unit_id` (0: province-wide users), by login.
 */
int rq_store_reminder_recipients(rq_store *s, const char *role, int64_t unit_id,
				 int (*cb)(const rq_reminder_recipient *r, void *payload), void *payload);

#endif
