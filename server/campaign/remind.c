/*
 * Making and delivering the reminder e-mails (remind.h).
 */
#include "campaign/remind.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "campaign/deadline.h"
#include "campaign/obligations.h"
#include "campaign/remind_text.h"
#include "core/error.h"
#include "core/util.h"
#include "http/log.h"
#include "mail/address.h"
#include "mail/message.h"
#include "mail/smtp.h"
#include "store/campaigns.h"
#include "store/reminders.h"
#include "worker/backoff.h"

int rq_remind_slot(const int *before, unsigned n_before, unsigned overdue_every, int64_t due_day, int64_t today,
		   int64_t *out_slot)
{
	int found = 0;
	if (today > due_day) {
		int64_t every = overdue_every ? overdue_every : 1, k = today - due_day - 1;
		*out_slot = due_day + 1 + k / every * every;
		return 1;
	}
	for (unsigned i = 0; i < n_before; i++) {
		int64_t day = due_day - before[i];
		if (day <= today && (!found || day > *out_slot)) {
			*out_slot = day;
			found = 1;
		}
	}
	return found;
}

typedef struct campaigns {
	rq_remind_campaign *v;
	size_t n, cap;
} campaigns;

static int take_campaign(const rq_campaign *c, void *payload)
{
	campaigns *a = payload;
	if (strcmp(c->status, "active"))
		return 0;
	if (rq_grow((void **)&a->v, &a->cap, a->n + 1, sizeof(*a->v)))
		return 1;
	rq_remind_campaign *o = &a->v[a->n++];
	memset(o, 0, sizeof(*o));
	o->id = c->id;
	o->unit_id = c->unit_id;
	o->from = c->from;
	o->to = c->to;
	snprintf(o->name, sizeof(o->name), "%s", c->name);
	snprintf(o->unit_deadline, sizeof(o->unit_deadline), "%s", c->unit_deadline);
	snprintf(o->dept_deadline, sizeof(o->dept_deadline), "%s", c->dept_deadline);
	return 0;
}

int rq_remind_active_campaigns(rq_store *s, rq_remind_campaign **out, size_t *n)
{
	campaigns a = {NULL, 0, 0};
	int rc = rq_store_campaign_list(s, take_campaign, &a);
	if (rc < 0) {
		free(a.v);
		a.v = NULL;
		a.n = 0;
		if (rc == RQ_ESTOPPED)
			rc = rq_fail(RQ_ENOMEM, "reminders: out of memory listing campaigns");
	}
	*out = a.v;
	*n = a.n;
	return rc;
}

int64_t rq_remind_today(int64_t now, unsigned hour)
{
	return rq_date_today(now - (int64_t)hour * 3600);
}

/* --- making --- */

typedef struct pending_mail {
	rq_reminder_mail m;
	char *login, *recipient, *subject, *body;
} pending_mail;

typedef struct plan {
	const rq_srv_config *cfg;
	const rq_remind_campaign *camp;
	int64_t now, today;
	rq_obligations obl;          /* every unit of the campaign */
	rq_remind_lagging *lagging;  /* those with obligations pending */
	size_t n_lagging;
	/* the mails made */
	pending_mail *mails;
	size_t n_mails, cap_mails;
	/* of the recipient callback */
	const char *deadline;
	int64_t unit_id, slot, days_left;
	const rq_obl_unit *unit;
} plan;

static void plan_free_mails(plan *p)
{
	for (size_t i = 0; i < p->n_mails; i++) {
		free(p->mails[i].login);
		free(p->mails[i].recipient);
		free(p->mails[i].subject);
		free(p->mails[i].body);
	}
	free(p->mails);
	p->mails = NULL;
	p->n_mails = p->cap_mails = 0;
}

static void plan_free_units(plan *p)
{
	for (size_t i = 0; i < p->n_lagging; i++)
		free(p->lagging[i].name);
	free(p->lagging);
	p->lagging = NULL;
	p->n_lagging = 0;
	rq_obligations_free(&p->obl);
}

/* The campaign's units with obligations pending, named for the department's summary. */
static int find_lagging(plan *p)
{
	p->lagging = calloc(p->obl.count ? p->obl.count : 1, sizeof(*p->lagging));
	if (!p->lagging)
		return rq_fail(RQ_ENOMEM, "reminders: out of memory");
	for (size_t i = 0; i < p->obl.count; i++) {
		const rq_obl_unit *u = &p->obl.units[i];
		if (u->done_count == RQ_OBL_COUNT)
			continue;
		if (!(p->lagging[p->n_lagging].name = strdup(u->name)))
			return rq_fail(RQ_ENOMEM, "reminders: out of memory");
		p->lagging[p->n_lagging++].pending = RQ_OBL_COUNT - u->done_count;
	}
	return 0;
}

/* A mail to recipient `r` of the reminder being made. */
static int take_recipient(const rq_reminder_recipient *r, void *payload)
{
	plan *p = payload;
	const char *person = r->display_name[0] ? r->display_name : r->login;
	if (rq_mail_address_check(r->email) < 0) { /* written before the checks existed, or by hand */
		rq_log(RQ_LOG_WARNING, "reminders: user %s: unusable e-mail address (%s): skipped", r->login, rq_error_last());
		return 0;
	}
	if (rq_grow((void **)&p->mails, &p->cap_mails, p->n_mails + 1, sizeof(*p->mails)))
		return 1;
	pending_mail *o = &p->mails[p->n_mails];
	memset(o, 0, sizeof(*o));
	int rc = p->unit ? rq_remind_unit_text(p->camp, p->unit, person, p->days_left, p->cfg->reminders_dashboard_url,
					       &o->subject, &o->body)
			 : rq_remind_dept_text(p->camp, p->lagging, p->n_lagging, p->obl.count, person, p->days_left,
					       p->cfg->reminders_dashboard_url, &o->subject, &o->body);
	p->n_mails++; /* freed with the others from here on */
	o->login = strdup(r->login);
	o->recipient = strdup(r->email);
	if (rc < 0 || !o->login || !o->recipient)
		return 1;
	o->m = (rq_reminder_mail){.campaign_id = p->camp->id,
				  .deadline = p->deadline,
				  .unit_id = p->unit_id,
				  .slot_day = p->slot,
				  .days_left = p->days_left,
				  .user_id = r->user_id,
				  .login = o->login,
				  .recipient = o->recipient,
				  .subject = o->subject,
				  .body = o->body,
				  .created_at = p->now};
	return 0;
}

typedef struct add_txn {
	plan *p;
	int64_t added;
} add_txn;

static int add_in_txn(rq_store *s, void *payload)
{
	add_txn *t = payload;
	int rc = 0;
	t->added = 0; /* the transaction may be run again */
	for (size_t i = 0; rc == 0 && i < t->p->n_mails; i++) {
		int added = 0;
		rc = rq_store_reminder_add(s, &t->p->mails[i].m, &added);
		t->added += added;
	}
	return rc;
}

/* The reminders of one campaign at p->now. */
static int plan_campaign(rq_store *s, plan *p, int64_t *made)
{
	const rq_remind_campaign *camp = p->camp;
	const rq_srv_config *cfg = p->cfg;
	int64_t unit_day = 0, dept_day = 0, unit_slot = 0, dept_slot = 0;
	int rc = 0;
	int unit_due = rq_date_parse(camp->unit_deadline, &unit_day) == 0 &&
		       rq_remind_slot(cfg->reminder_days, cfg->reminder_day_count, cfg->reminders_overdue_every, unit_day,
				      p->today, &unit_slot);
	int dept_due = rq_date_parse(camp->dept_deadline, &dept_day) == 0 &&
		       rq_remind_slot(cfg->reminder_days, cfg->reminder_day_count, cfg->reminders_overdue_every, dept_day,
				      p->today, &dept_slot);
	if (!unit_due && !dept_due)
		return 0;
	rq_obl_query q = {.campaign_id = camp->id,
			  .root = camp->unit_id,
			  .from = camp->from,
			  .to = camp->to,
			  .unit_deadline = camp->unit_deadline,
			  .now = p->now,
			  .risk_days = RQ_RISK_DAYS_DEFAULT};
	if ((rc = rq_obligations_compute(s, &q, &p->obl)) == 0)
		rc = find_lagging(p);
	/* the units' officers, each about their own unit */
	for (size_t i = 0; rc == 0 && unit_due && i < p->obl.count; i++) {
		if (p->obl.units[i].done_count == RQ_OBL_COUNT)
			continue;
		p->deadline = "unit";
		p->unit = &p->obl.units[i];
		p->unit_id = p->unit->id;
		p->slot = unit_slot;
		p->days_left = unit_day - p->today;
		rc = rq_store_reminder_recipients(s, "officer", p->unit_id, take_recipient, p);
	}
	/* the province's administrators, about every lagging unit */
	if (rc == 0 && dept_due && p->n_lagging > 0) {
		p->deadline = "department";
		p->unit = NULL;
		p->unit_id = 0;
		p->slot = dept_slot;
		p->days_left = dept_day - p->today;
		rc = rq_store_reminder_recipients(s, "admin", 0, take_recipient, p);
	}
	if (rc == RQ_ESTOPPED)
		rc = rq_fail(RQ_ENOMEM, "reminders: out of memory making the mails");
	if (rc == 0 && p->n_mails > 0) {
		add_txn t = {p, 0};
		rc = rq_store_transact(s, add_in_txn, &t);
		if (rc == 0 && t.added > 0)
			rq_log(RQ_LOG_INFO, "reminders: campaign %lld: %lld reminder mail%s queued", (long long)camp->id,
			       (long long)t.added, t.added == 1 ? "" : "s");
		*made += rc == 0 ? t.added : 0;
	}
	plan_free_mails(p);
	plan_free_units(p);
	return rc;
}

int rq_remind_plan(rq_store *s, const rq_srv_config *cfg, int64_t now, int64_t *out_made)
{
	rq_remind_campaign *camps = NULL;
	size_t n = 0;
	int64_t made = 0;
	int rc = 0;
	if (!cfg->smtp_url || !*cfg->smtp_url)
		goto done;
	if ((rc = rq_remind_active_campaigns(s, &camps, &n)) < 0)
		goto done;
	for (size_t i = 0; rc == 0 && i < n; i++) {
		plan p;
		memset(&p, 0, sizeof(p));
		p.cfg = cfg;
		p.camp = &camps[i];
		p.now = now;
		p.today = rq_remind_today(now, cfg->reminders_hour);
		rc = plan_campaign(s, &p, &made);
	}
done:
	free(camps);
	if (out_made)
		*out_made = made;
	return rc;
}

/* --- delivering --- */

typedef struct claimed {
	int64_t id, attempts, created_at;
	char *recipient, *subject, *body;
} claimed;

static int keep_claimed(const rq_reminder_mail *m, void *payload)
{
	claimed *c = payload;
	c->id = m->id;
	c->attempts = m->attempts;
	c->created_at = m->created_at;
	c->recipient = strdup(m->recipient);
	c->subject = strdup(m->subject);
	c->body = strdup(m->body ? m->body : "");
	return c->recipient && c->subject && c->body ? 0 : 1;
}

/* Printable ASCII of a reason, for the log and the row (the rest as '?'). */
static void printable(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			*s = (*s == '\n' || *s == '\r' || *s == '\t') ? ' ' : '?';
}

int rq_remind_deliver_due(rq_store *s, const rq_srv_config *cfg, int64_t now, int *out_done)
{
	claimed c;
	char why[RQ_SMTP_WHY_MAX + 1] = "", message_id[320];
	char *text = NULL;
	size_t len = 0;
	long code = 0;
	const char *state = "sent";
	int64_t next = 0;
	int rc;
	memset(&c, 0, sizeof(c));
	*out_done = 0;
	if (!cfg->smtp_url || !*cfg->smtp_url)
		return 0;
	rc = rq_store_reminder_claim(s, now, now + (int64_t)cfg->smtp_timeout + RQ_REMIND_LEASE_GRACE, keep_claimed, &c);
	if (rc == RQ_ENOTFOUND || rc == RQ_ESTOPPED) {
		rc = rc == RQ_ESTOPPED ? rq_fail(RQ_ENOMEM, "reminders: out of memory") : 0;
		goto done;
	}
	if (rc < 0)
		goto done;
	*out_done = 1;
	/* the same Message-ID at every attempt: a repeated mail is recognisable */
	snprintf(message_id, sizeof(message_id), "<raquet.reminder.%lld.%lld@%s>", (long long)c.id,
		 (long long)c.created_at, rq_mail_address_domain(cfg->smtp_from));
	rq_mail_message msg = {.from = cfg->smtp_from,
			       .from_name = cfg->smtp_from_name,
			       .to = c.recipient,
			       .subject = c.subject,
			       .body = c.body,
			       .message_id = message_id,
			       .date = now};
	if (rq_mail_address_check(c.recipient) < 0 || rq_mail_compose(&msg, &text, &len) < 0) {
		snprintf(why, sizeof(why), "%s", rq_error_last());
		state = "failed";
	} else if (rq_smtp_send(cfg, c.recipient, text, len, &code, why) < 0) {
		state = "queued";
		if (code == 0)
			*out_done = 2; /* no reply: the server is not there */
	}
	printable(why);
	if (!strcmp(state, "queued")) {
		if (c.attempts >= (int64_t)cfg->smtp_max_attempts)
			state = "failed";
		else
			next = now + rq_backoff_delay((int64_t)cfg->smtp_retry_base, RQ_REMIND_RETRY_MAX, c.attempts);
	}
	if (!strcmp(state, "sent"))
		rq_log(RQ_LOG_INFO, "reminders: mail %lld sent to %s (attempt %lld)", (long long)c.id, c.recipient,
		       (long long)c.attempts);
	else
		rq_log(RQ_LOG_WARNING, "reminders: mail %lld to %s, attempt %lld: %s; %s", (long long)c.id, c.recipient,
		       (long long)c.attempts, why, !strcmp(state, "failed") ? "given up" : "will retry");
	rc = rq_store_reminder_outcome(s, c.id, state, (int64_t)time(NULL), next, code, why);
done:
	free(text);
	free(c.recipient);
	free(c.subject);
	free(c.body);
	return rc;
}
