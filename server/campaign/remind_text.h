/*
 * The words of the reminder e-mails: Vietnamese first, English below, in
 * UTF-8 (the subject in Vietnamese). A unit's officers get their unit's
 * pending obligations with the days left (or overdue) to the units'
 * deadline and a link to the checklist; the province's administrators
 * get the department's deadline with the units still lagging. Dates are
 * written dd/mm/yyyy. Implemented in remind_text.c; sent by remind.c.
 */
#ifndef RQ_SERVER_CAMPAIGN_REMIND_TEXT_H
#define RQ_SERVER_CAMPAIGN_REMIND_TEXT_H

#include <stdint.h>

#include "campaign/obligations.h"
#include "campaign/remind.h"

/* Lagging units listed by name in a department's reminder at most (the
 * rest are counted: the dashboard has them all). */
#define RQ_REMIND_UNITS_LISTED 100

/* A lagging unit of the department's summary. */
typedef struct rq_remind_lagging {
	char *name;
	int pending;
} rq_remind_lagging;

/*
 * The subject and body (free() both) of the reminder to `person` (a
 * display name or login) about unit `u` of `camp` (its items not done), `days_left` to the
 * units' deadline (< 0: overdue). `dashboard_url` "" for no link.
 */
int rq_remind_unit_text(const rq_remind_campaign *camp, const rq_obl_unit *u, const char *person,
			int64_t days_left, const char *dashboard_url, char **subject, char **body);

/*
 * The same for the department's deadline: `lagging[0..n-1]` of
 * `units_total` units still have obligations pending.
 */
int rq_remind_dept_text(const rq_remind_campaign *camp, const rq_remind_lagging *lagging, size_t n,
			size_t units_total, const char *person, int64_t days_left, const char *dashboard_url,
			char **subject, char **body);

#endif
