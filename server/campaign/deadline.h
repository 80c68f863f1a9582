/*
 * Calendar dates of the campaigns (deadlines, dates held or issued) and
 * their arithmetic in the province's time (Asia/Ho_Chi_Minh: UTC+7 with no
 * daylight saving since 1975), whatever the server's own zone: a deadline
 * "25/06/2023" lasts until the end of that day in Vietnam. Dates travel as
 * "YYYY-MM-DD" in the API and the store. Implemented in deadline.c; the
 * follow-up states of an item (done, pending, at risk, overdue) too.
 */
#ifndef RQ_SERVER_CAMPAIGN_DEADLINE_H
#define RQ_SERVER_CAMPAIGN_DEADLINE_H

#include <stdint.h>

/* The province's offset from UTC, seconds (data, not code: one place). */
#define RQ_PROVINCE_UTC_OFFSET (7 * 3600)
/* "YYYY-MM-DD" plus its NUL. */
#define RQ_DATE_LEN 11
/* Dates accepted: years 2000-2199 (a typo like 0203 is refused). */
#define RQ_DATE_YEAR_MIN 2000
#define RQ_DATE_YEAR_MAX 2199
/* "at risk": not done and due within this many days by default (the
 * progress view takes risk_days between 1 and RQ_RISK_DAYS_MAX). */
#define RQ_RISK_DAYS_DEFAULT 7
#define RQ_RISK_DAYS_MAX 90

/* Parse "YYYY-MM-DD" (a real calendar date) into days since 1970-01-01:
 * 0, or RQ_EINVAL. */
int rq_date_parse(const char *text, int64_t *out_day);
/* Day number back to "YYYY-MM-DD". */
void rq_date_format(int64_t day, char out[RQ_DATE_LEN]);

/* The province's calendar day at Unix time `t`. */
int64_t rq_date_today(int64_t t);
/* The first second after day `day` ends in the province (exclusive end). */
int64_t rq_date_end(int64_t day);

/* Whole days from the province's today at `now` to `day`: 0 due today,
 * negative once past. */
int64_t rq_date_days_left(int64_t day, int64_t now);

typedef enum rq_item_state {
	RQ_ITEM_DONE = 0,
	RQ_ITEM_PENDING,  /* not done, the deadline is further than risk_days */
	RQ_ITEM_AT_RISK,  /* not done, due within risk_days (today included) */
	RQ_ITEM_OVERDUE,  /* not done, the deadline's day has ended */
} rq_item_state;

/* The state of an item due on `due_day` at time `now`. */
rq_item_state rq_item_state_at(int done, int64_t due_day, int64_t now, int64_t risk_days);
const char *rq_item_state_name(rq_item_state s);

#endif
