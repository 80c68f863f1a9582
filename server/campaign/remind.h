/*
 * Reminders of the campaigns' deadlines by e-mail (docs/campaigns.md):
 * which reminder day is due (configurable days before each deadline, the
 * day itself, then every few days while overdue, in the province's
 * calendar: deadline.h), who gets what (a unit's officers for their
 * unit's pending obligations and the units' deadline; the province's
 * administrators for the department's deadline with the lagging units),
 * and the durable queue of mails (store/reminders.h) delivered through
 * [smtp] with retries, like the NCSC reports. Implemented in remind.c;
 * the worker that runs both steps is remind_worker.c.
 *
 * Exactly once: a mail is made once per (campaign, deadline, unit,
 * reminder day, user) -- the store's key -- so a restart or a second
 * server makes nothing twice; it leaves the queue only when the SMTP
 * server accepted it. The one window left is a crash between the SMTP
 * server's acceptance and the store's "sent": that mail goes again after
 * its lease, with the same Message-ID (which mail systems use to drop
 * duplicates).
 */
#ifndef RQ_SERVER_CAMPAIGN_REMIND_H
#define RQ_SERVER_CAMPAIGN_REMIND_H

#include <stdint.h>

#include <stddef.h>

#include "config/config.h"
#include "store/store.h"

/* A delivery under way is given this long beyond [smtp] timeout before
 * another attempt may take the same mail (a server that died sending). */
#define RQ_REMIND_LEASE_GRACE 60
/* The longest wait between two attempts. */
#define RQ_REMIND_RETRY_MAX (6 * 3600)

/* An active campaign as the reminders need it (strings copied). */
typedef struct rq_remind_campaign {
	int64_t id, unit_id;       /* unit_id 0: the whole province */
	int64_t from, to;          /* the period, [from, to) */
	char name[201];
	char unit_deadline[16], dept_deadline[16]; /* YYYY-MM-DD */
} rq_remind_campaign;

/*
 * Every campaign of the store with status "active" into *out (free()),
 * *n of them, copied so that the caller can query the store while
 * walking them.
 */
int rq_remind_active_campaigns(rq_store *s, rq_remind_campaign **out, size_t *n);

/*
 * The reminder day due on day `today` for a deadline on day `due_day`
 * (day numbers of deadline.h): the latest of the days `before[i]` days
 * before it, and of the days 1, 1 + every, 1 + 2*every... after it, that
 * is not after today -- so a server that was down on a reminder day
 * catches up with the latest one. 1 with *out_slot set, 0 when none is
 * due yet.
 */
int rq_remind_slot(const int *before, unsigned n_before, unsigned overdue_every, int64_t due_day, int64_t today,
		   int64_t *out_slot);

/*
 * The reminder day at time `now`: the province's calendar day, begun at
 * `hour` o'clock in Vietnam rather than at midnight (before 08:00 it is
 * still yesterday's), so that no reminder is made in the night.
 */
int64_t rq_remind_today(int64_t now, unsigned hour);

/*
 * Queue the reminders due at `now` for every active campaign; *out_made
 * (may be NULL) gets how many mails were new. Nothing when [smtp] url is
 * empty.
 */
int rq_remind_plan(rq_store *s, const rq_srv_config *cfg, int64_t now, int64_t *out_made);

/*
 * Deliver the mail due first, if any: *out_done 0 when none was due, 1
 * when one was tried (whatever its outcome), 2 when it was tried and the
 * mail server gave no reply at all (down, unreachable, timed out: the
 * caller stops for now rather than try every mail due against it).
 * Errors are of the store only; a failed delivery is an outcome, kept in
 * its row.
 */
int rq_remind_deliver_due(rq_store *s, const rq_srv_config *cfg, int64_t now, int *out_done);

#endif
