/*
 * The scheduled scans (schedule.h): parsing the policy's scan_schedule,
 * walking the calendar a day at a time to a schedule's next or latest
 * occurrence, turning a wall-clock day and time into an instant across
 * daylight-saving jumps, and the catch-up rule of rq_schedule_due.
 * Calendar days are counted from 1970-01-01 with plain arithmetic; only
 * "which instant is this wall time" asks the time zone.
 */
#include "schedule.h"

#include <string.h>
#include <time.h>

#include "agent_limits.h"
#include "core/error.h"

static const char *const weekdays[] = { "mon", "tue", "wed", "thu", "fri", "sat", "sun" };

/*
 * Days looked at around a starting day: a monthly schedule occurs within 31
 * days of any day; one more each side for a day whose wall time maps across
 * midnight in a jump, and room to spare.
 */
#define SEARCH_DAYS 40

#define DAY_SECONDS 86400

/* Days from 1970-01-01 to year-month-day of the proleptic Gregorian calendar. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* The inverse of days_from_civil. */
static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

/* 0 (mon) .. 6 (sun); 1970-01-01 was a Thursday. */
static int weekday_of(int64_t days)
{
	int64_t w = (days + 3) % 7;
	return (int)(w < 0 ? w + 7 : w);
}

/*
 * The wall clock at `t` as seconds since 1970-01-01 00:00 of that clock
 * (as if it were UTC). -1 when the zone cannot say.
 */
static int wall_of(int64_t *out, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	if (!localtime_r(&tt, &tm))
		return -1;
	*out = days_from_civil((int64_t)tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday) * DAY_SECONDS +
	       tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec;
	return 0;
}

/*
 * The instant the wall clock shows minute `minute_of_day` of day `days`.
 * mktime (tm_isdst = -1) gives a first guess; the zone's offsets a day
 * before, at and a day after it give every instant that can show that wall
 * time (jumps are months apart). Of those that really show it, the
 * earliest (a time that exists twice runs at its first occurrence); when
 * none does (the time was skipped by a jump forward), the latest, which is
 * the wall time read with the offset before the jump. Either way the answer
 * does not depend on which one mktime picked.
 */
static int local_instant(int64_t *out, int64_t days, int minute_of_day)
{
	int64_t y, wall = days * DAY_SECONDS + minute_of_day * 60;
	int m, d, shows = 0;
	int64_t best = 0, skipped = INT64_MIN;
	civil_from_days(days, &y, &m, &d);
	struct tm tm = { .tm_year = (int)(y - 1900), .tm_mon = m - 1, .tm_mday = d, .tm_hour = minute_of_day / 60,
			 .tm_min = minute_of_day % 60, .tm_isdst = -1 };
	time_t guess = mktime(&tm);
	if (guess == (time_t)-1)
		guess = (time_t)wall; /* only a probe: corrected below */
	for (int i = -1; i <= 1; i++) {
		int64_t probe = (int64_t)guess + i * DAY_SECONDS, probe_wall, cand, cand_wall;
		if (wall_of(&probe_wall, probe))
			return -1;
		cand = wall - (probe_wall - probe);
		if (wall_of(&cand_wall, cand))
			return -1;
		if (cand_wall == wall) {
			if (!shows || cand < best)
				best = cand;
			shows = 1;
		} else if (cand > skipped) {
			skipped = cand;
		}
	}
	*out = shows ? best : skipped;
	return 0;
}

static int occurs_on(const rq_schedule *s, int64_t days)
{
	int64_t y;
	int m, d;
	switch (s->every) {
	case RQ_EVERY_DAY:
		return 1;
	case RQ_EVERY_WEEK:
		return weekday_of(days) == s->day;
	case RQ_EVERY_MONTH:
		civil_from_days(days, &y, &m, &d);
		return d == s->day;
	}
	return 0;
}

/*
 * The occurrence nearest `t` in direction `dir`: +1 the first strictly
 * after it, -1 the latest at or before it. Walks the days from the day
 * before (after) `t`'s own, since a wall time may map across midnight.
 */
static int find(int64_t *out, const rq_schedule *s, int64_t t, int dir)
{
	int64_t t_wall, at;
	if (!s->present)
		return rq_fail(RQ_ENOTFOUND, "no schedule");
	if (t < 0 || t > RQ_SCHEDULE_MAX_TIME || wall_of(&t_wall, t))
		return rq_fail(RQ_EINVAL, "schedule: time %lld out of range", (long long)t);
	int64_t day0 = (t_wall >= 0 ? t_wall : t_wall - (DAY_SECONDS - 1)) / DAY_SECONDS - dir;
	for (int i = 0; i < SEARCH_DAYS; i++) {
		int64_t days = day0 + dir * i;
		if (!occurs_on(s, days))
			continue;
		if (local_instant(&at, days, s->hour * 60 + s->minute))
			return rq_fail(RQ_EINVAL, "schedule: the time zone has no answer near %lld", (long long)t);
		if (dir > 0 ? at > t : at <= t) {
			if (at < 0 || at > RQ_SCHEDULE_MAX_TIME)
				return rq_fail(RQ_EINVAL, "schedule: no occurrence in range near %lld", (long long)t);
			*out = at;
			return 0;
		}
	}
	return rq_fail(RQ_EINVAL, "schedule: no occurrence near %lld", (long long)t);
}

int rq_schedule_next(int64_t *out, const rq_schedule *s, int64_t after)
{
	return find(out, s, after, +1);
}

int rq_schedule_prev(int64_t *out, const rq_schedule *s, int64_t at)
{
	return find(out, s, at, -1);
}

int64_t rq_schedule_catchup(const rq_schedule *s)
{
	switch (s->every) {
	case RQ_EVERY_DAY:
		return RQ_AGENT_CATCHUP_DAILY;
	case RQ_EVERY_WEEK:
		return RQ_AGENT_CATCHUP_WEEKLY;
	case RQ_EVERY_MONTH:
		return RQ_AGENT_CATCHUP_MONTHLY;
	}
	return 0;
}

int rq_schedule_due(int64_t *last_run, const rq_schedule *s, int64_t now)
{
	int64_t latest;
	if (*last_run > now) {
		*last_run = now;
		return 0;
	}
	if (!s->present || rq_schedule_prev(&latest, s, now))
		return 0;
	return latest > *last_run && now - latest <= rq_schedule_catchup(s);
}

/* "HH:MM", 00:00..23:59, into minutes since midnight; -1 otherwise. */
static int parse_time(const char *s)
{
	if (strlen(s) != 5 || s[2] != ':')
		return -1;
	for (int i = 0; i < 5; i++)
		if (i != 2 && (s[i] < '0' || s[i] > '9'))
			return -1;
	int hour = (s[0] - '0') * 10 + (s[1] - '0'), minute = (s[3] - '0') * 10 + (s[4] - '0');
	return hour < 24 && minute < 60 ? hour * 60 + minute : -1;
}

static int parse_weekday(const char *s)
{
	for (int i = 0; i < 7; i++)
		if (!strcmp(s, weekdays[i]))
			return i;
	return -1;
}

/*
 * One schedule, {"every": E, "day": D, "time": "HH:MM"}: quick every "day"
 * or "week", full every "week" or "month"; the checks and messages of the
 * server's check_schedule.
 */
static int parse_one(rq_schedule *out, const json_t *v, const char *where, int full)
{
	const char *every, *time;
	const json_t *day;
	const char *everies = full ? "\"week\" or \"month\"" : "\"day\" or \"week\"";
	int minute_of_day;
	memset(out, 0, sizeof(*out));
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_object(v))
		return rq_fail(RQ_EPARSE, "%s: expected an object", where);
	every = json_string_value(json_object_get(v, "every"));
	time = json_string_value(json_object_get(v, "time"));
	day = json_object_get(v, "day");
	if (!every)
		return rq_fail(RQ_EPARSE, "%s.every: expected %s", where, everies);
	if (!time || (minute_of_day = parse_time(time)) < 0)
		return rq_fail(RQ_EPARSE, "%s.time: expected \"HH:MM\" (00:00..23:59)", where);
	if (!full && !strcmp(every, "day")) {
		if (day)
			return rq_fail(RQ_EPARSE, "%s.day: not used with \"every\": \"day\"", where);
		out->every = RQ_EVERY_DAY;
	} else if (!strcmp(every, "week")) {
		if (!json_is_string(day) || (out->day = parse_weekday(json_string_value(day))) < 0)
			return rq_fail(RQ_EPARSE, "%s.day: expected mon, tue, wed, thu, fri, sat or sun", where);
		out->every = RQ_EVERY_WEEK;
	} else if (full && !strcmp(every, "month")) {
		if (!json_is_integer(day) || json_integer_value(day) < 1 ||
		    json_integer_value(day) > RQ_SCHEDULE_MAX_MONTH_DAY)
			return rq_fail(RQ_EPARSE, "%s.day: expected a day of the month, 1..%d", where,
				       RQ_SCHEDULE_MAX_MONTH_DAY);
		out->day = (int)json_integer_value(day);
		out->every = RQ_EVERY_MONTH;
	} else {
		return rq_fail(RQ_EPARSE, "%s.every: expected %s", where, everies);
	}
	out->hour = minute_of_day / 60;
	out->minute = minute_of_day % 60;
	out->present = 1;
	return 0;
}

int rq_schedule_parse(rq_schedule out[RQ_SCAN_KINDS], const json_t *scan_schedule)
{
	rq_schedule parsed[RQ_SCAN_KINDS];
	int rc;
	memset(parsed, 0, sizeof(parsed));
	if (scan_schedule && !json_is_null(scan_schedule)) {
		if (!json_is_object(scan_schedule))
			return rq_fail(RQ_EPARSE, "scan_schedule: expected an object");
		rc = parse_one(&parsed[RQ_SCAN_QUICK], json_object_get(scan_schedule, "quick"), "scan_schedule.quick", 0);
		if (rc)
			return rc;
		rc = parse_one(&parsed[RQ_SCAN_FULL], json_object_get(scan_schedule, "full"), "scan_schedule.full", 1);
		if (rc)
			return rc;
	}
	memcpy(out, parsed, sizeof(parsed));
	return 0;
}
