/*
 * The scheduled scans (schedule.c): the policy's `scan_schedule` parsed,
 * the occurrences of a schedule on the machine's wall clock, and whether a
 * scheduled scan is due, with its catch-up rule. Pure: no I/O, and no
 * global state but the process's time zone (TZ, read by localtime_r and
 * mktime). The policy format is docs/api-admin/units.md; what an officer
 * sees is in docs/agent.md ("Scheduled scans").
 *
 * Local time: "12:00" means 12:00 on the machine's clock, in its zone.
 * Where the zone's clock jumps (daylight saving time), a schedule's day and
 * time are kept and the instant moves:
 *   - a time that does not exist (skipped by a jump forward: 02:30 while
 *     02:00 becomes 03:00) runs as long after the jump as it was after the
 *     jump's start, by the offset before the jump (02:30 -> 03:30 new time);
 *   - a time that exists twice (a jump back: 02:30 while 03:00 becomes
 *     02:00) runs once, at its first occurrence (02:30 summer time).
 * Times are unix seconds, 0 to RQ_SCHEDULE_MAX_TIME.
 */
#ifndef RQ_AGENT_SCHEDULE_H
#define RQ_AGENT_SCHEDULE_H

#include <stdint.h>

#include <jansson.h>

/* The two scheduled scans, and the index of each in rq_schedule_parse's `out`. */
typedef enum rq_scan_kind { RQ_SCAN_QUICK = 0, RQ_SCAN_FULL = 1 } rq_scan_kind;
#define RQ_SCAN_KINDS 2

typedef enum rq_schedule_every { RQ_EVERY_DAY, RQ_EVERY_WEEK, RQ_EVERY_MONTH } rq_schedule_every;

/* The last day of the month a monthly scan may name (every month has it); the server's RQ_POLICY_MAX_MONTH_DAY. */
#define RQ_SCHEDULE_MAX_MONTH_DAY 28
/* The latest time handled, 9999-12-31 23:59:59 UTC; later ones are refused with RQ_EINVAL. */
#define RQ_SCHEDULE_MAX_TIME INT64_C(253402300799)

/* One schedule, as parsed from the policy. */
typedef struct rq_schedule {
	int present;             /* 0: left out of the policy, never run; the other fields are 0 */
	rq_schedule_every every; /* day, week or month */
	int day;                 /* week: 0 (mon) .. 6 (sun); month: 1..28; day: 0 */
	int hour;                /* 0..23 */
	int minute;              /* 0..59 */
} rq_schedule;

/*
 * Parse policy.scan_schedule, {"quick": S, "full": S} with S
 * {"every": "day"|"week"|"month", "day": "mon".."sun" | 1..28, "time": "HH:MM"}
 * (quick: day or week; full: week or month), into out[RQ_SCAN_QUICK] and
 * out[RQ_SCAN_FULL]. `scan_schedule` NULL or JSON null, or a member left
 * out or null, is a schedule not present. The values are checked as the
 * server checks them (server/store/policies.c), with its messages; members
 * this agent does not know are ignored, so a newer server may add some.
 * Returns 0, or RQ_EPARSE with a one-line reason naming the field
 * ("scan_schedule.full.day: expected a day of the month, 1..28"); `out` is
 * written only on success.
 */
int rq_schedule_parse(rq_schedule out[RQ_SCAN_KINDS], const json_t *scan_schedule);

/*
 * The first occurrence of `s` strictly after `after` into *out: `after`
 * exactly at an occurrence gives the one after it. Returns 0,
 * RQ_ENOTFOUND when `s` is not present, RQ_EINVAL when `after` (or the
 * answer) is outside 0..RQ_SCHEDULE_MAX_TIME or the time zone cannot say.
 */
int rq_schedule_next(int64_t *out, const rq_schedule *s, int64_t after);

/* The latest occurrence of `s` at or before `at` into *out; returns as rq_schedule_next. */
int rq_schedule_prev(int64_t *out, const rq_schedule *s, int64_t at);

/*
 * The catch-up window of `s` in seconds: how late a missed occurrence may
 * still be run (RQ_AGENT_CATCHUP_* in agent_limits.h, by `every`).
 */
int64_t rq_schedule_catchup(const rq_schedule *s);

/*
 * Whether the scan of `s` is due at `now`: 1 or 0.
 *
 * The catch-up rule: let P be the latest occurrence at or before `now`.
 * The scan is due when it has not started since P (*last_run < P: the
 * start of the last scan of this kind, 0 for never) and P is at most
 * rq_schedule_catchup(s) old (now - P <= window). Only P counts, never the
 * occurrences before it: a machine that was off for a week runs one
 * scan, not seven. Past the window, the next occurrence is nearer than the
 * missed one and the scan waits for it. The caller sets *last_run to the
 * start of each scan it runs, so a due scan is due once.
 *
 * A *last_run after `now` (the wall clock was set back since that scan
 * started) counts as done for every occurrence up to `now`: 0 is returned
 * and *last_run is set to `now`, so the scan is next due at the next
 * occurrence after `now`, however far back the clock went. Keep the
 * updated value for the next call (the time shown as the last scan need
 * not change). A schedule not present, or a `now` out of range, is never due.
 */
int rq_schedule_due(int64_t *last_run, const rq_schedule *s, int64_t now);

#endif
