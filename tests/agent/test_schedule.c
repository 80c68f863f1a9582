/*
 * Tests of the scan schedule (agent/schedule.c): parsing the policy's
 * scan_schedule with the server's messages; next and latest occurrences
 * (a table of cases) in Asia/Ho_Chi_Minh (UTC+7, no DST) and across the
 * jumps of Europe/Berlin, America/Sao_Paulo (whose 2018 jumps were at
 * midnight) and a made-up zone whose jumps carry a time across midnight;
 * the catch-up rule; a last run in the future; and simulated weeks of a
 * daemon polling every minute. Expected instants were computed with
 * date(1), e.g. `date -u -d "2026-12-04 15:00 +07" +%s`.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "testutil.h"
#include "agent_limits.h"
#include "schedule.h"

#define HOUR 3600
#define DAY 86400

/* Schedules as rq_schedule_parse makes them: days of the week 0 (mon) .. 6 (sun). */
#define DAILY(h, m) { 1, RQ_EVERY_DAY, 0, h, m }
#define WEEKLY(d, h, m) { 1, RQ_EVERY_WEEK, d, h, m }
#define MONTHLY(d, h, m) { 1, RQ_EVERY_MONTH, d, h, m }

/* Switch the process's zone and check it is really in use (tzdata installed). */
static void use_zone(const char *zone, int64_t probe, long offset)
{
	setenv("TZ", zone, 1);
	tzset();
	time_t t = (time_t)probe;
	struct tm tm;
	assert_non_null(localtime_r(&t, &tm));
	if (tm.tm_gmtoff != offset)
		fail_msg("TZ=%s: offset %ld at %lld, expected %ld (is tzdata installed?)", zone, tm.tm_gmtoff,
			 (long long)probe, offset);
}

static int64_t next_of(const rq_schedule *s, int64_t after)
{
	int64_t t = -1;
	int rc = rq_schedule_next(&t, s, after);
	if (rc)
		fail_msg("next after %lld: %d %s", (long long)after, rc, rq_error_last());
	return t;
}

static int64_t prev_of(const rq_schedule *s, int64_t at)
{
	int64_t t = -1;
	int rc = rq_schedule_prev(&t, s, at);
	if (rc)
		fail_msg("prev at %lld: %d %s", (long long)at, rc, rq_error_last());
	return t;
}

static int parse_text(rq_schedule out[RQ_SCAN_KINDS], const char *text)
{
	json_error_t err;
	json_t *v = json_loads(text, JSON_DECODE_ANY, &err);
	if (!v)
		fail_msg("bad test JSON %s: %s", text, err.text);
	int rc = rq_schedule_parse(out, v);
	json_decref(v);
	return rc;
}

/* Each: policy text, the expected quick and full schedules ({ 0 }: not present). */
static const struct parse_case {
	const char *json;
	rq_schedule quick, full;
} parse_cases[] = {
	{ "{\"quick\": {\"every\": \"day\", \"time\": \"12:00\"},"
	  " \"full\": {\"every\": \"week\", \"day\": \"fri\", \"time\": \"15:00\"}}",
	  DAILY(12, 0), WEEKLY(4, 15, 0) }, /* the server's defaults */
	{ "{\"quick\": {\"every\": \"week\", \"day\": \"sun\", \"time\": \"23:59\"},"
	  " \"full\": {\"every\": \"month\", \"day\": 28, \"time\": \"00:00\"}}",
	  WEEKLY(6, 23, 59), MONTHLY(28, 0, 0) },
	{ "{\"full\": {\"every\": \"month\", \"day\": 1, \"time\": \"09:41\"}}", { 0 }, MONTHLY(1, 9, 41) },
	/* members a newer server may add are ignored */
	{ "{\"full\": {\"every\": \"week\", \"day\": \"mon\", \"time\": \"07:05\", \"jitter\": 1}, \"other\": true}",
	  { 0 }, WEEKLY(0, 7, 5) },
	{ "{\"quick\": {\"every\": \"week\", \"day\": \"wed\", \"time\": \"00:00\"}, \"full\": null}",
	  WEEKLY(2, 0, 0), { 0 } },
	{ "{}", { 0 }, { 0 } },
	{ "null", { 0 }, { 0 } },
};

static void expect_schedule(const char *json, const char *kind, const rq_schedule *got, const rq_schedule *want)
{
	if (got->present != want->present || got->every != want->every || got->day != want->day ||
	    got->hour != want->hour || got->minute != want->minute)
		fail_msg("%s: %s is {%d, %d, %d, %02d:%02d}, expected {%d, %d, %d, %02d:%02d}", json, kind, got->present,
			 got->every, got->day, got->hour, got->minute, want->present, want->every, want->day, want->hour,
			 want->minute);
}

static void test_parse(void **state)
{
	rq_schedule s[RQ_SCAN_KINDS];
	for (size_t i = 0; i < sizeof(parse_cases) / sizeof(parse_cases[0]); i++) {
		memset(s, 0x5a, sizeof(s));
		if (parse_text(s, parse_cases[i].json))
			fail_msg("%s: %s", parse_cases[i].json, rq_error_last());
		expect_schedule(parse_cases[i].json, "quick", &s[RQ_SCAN_QUICK], &parse_cases[i].quick);
		expect_schedule(parse_cases[i].json, "full", &s[RQ_SCAN_FULL], &parse_cases[i].full);
	}
	/* no scan_schedule at all */
	static const rq_schedule none = { 0 };
	memset(s, 0x5a, sizeof(s));
	assert_int_equal(rq_schedule_parse(s, NULL), 0);
	expect_schedule("NULL", "quick", &s[RQ_SCAN_QUICK], &none);
	expect_schedule("NULL", "full", &s[RQ_SCAN_FULL], &none);
}

static void test_parse_errors(void **state)
{
	static const struct {
		const char *json, *message;
	} cases[] = {
		{ "[]", "scan_schedule: expected an object" },
		{ "\"daily\"", "scan_schedule: expected an object" },
		{ "{\"quick\": 5}", "scan_schedule.quick: expected an object" },
		{ "{\"full\": []}", "scan_schedule.full: expected an object" },
		{ "{\"quick\": {\"time\": \"12:00\"}}", "scan_schedule.quick.every: expected \"day\" or \"week\"" },
		{ "{\"quick\": {\"every\": 1, \"time\": \"12:00\"}}",
		  "scan_schedule.quick.every: expected \"day\" or \"week\"" },
		{ "{\"quick\": {\"every\": \"month\", \"day\": 1, \"time\": \"12:00\"}}",
		  "scan_schedule.quick.every: expected \"day\" or \"week\"" },
		{ "{\"full\": {\"every\": \"day\", \"time\": \"12:00\"}}",
		  "scan_schedule.full.every: expected \"week\" or \"month\"" },
		{ "{\"full\": {\"every\": \"hour\", \"time\": \"12:00\"}}",
		  "scan_schedule.full.every: expected \"week\" or \"month\"" },
		{ "{\"quick\": {\"every\": \"day\"}}", "scan_schedule.quick.time: expected \"HH:MM\" (00:00..23:59)" },
		{ "{\"quick\": {\"every\": \"day\", \"time\": 1200}}",
		  "scan_schedule.quick.time: expected \"HH:MM\" (00:00..23:59)" },
		{ "{\"quick\": {\"every\": \"day\", \"time\": \"24:00\"}}",
		  "scan_schedule.quick.time: expected \"HH:MM\" (00:00..23:59)" },
		{ "{\"quick\": {\"every\": \"day\", \"time\": \"12:60\"}}",
		  "scan_schedule.quick.time: expected \"HH:MM\" (00:00..23:59)" },
		{ "{\"quick\": {\"every\": \"day\", \"time\": \"9:00\"}}",
		  "scan_schedule.quick.time: expected \"HH:MM\" (00:00..23:59)" },
		{ "{\"quick\": {\"every\": \"day\", \"time\": \"12:00:00\"}}",
		  "scan_schedule.quick.time: expected \"HH:MM\" (00:00..23:59)" },
		{ "{\"quick\": {\"every\": \"day\", \"time\": \"12-00\"}}",
		  "scan_schedule.quick.time: expected \"HH:MM\" (00:00..23:59)" },
		{ "{\"full\": {\"every\": \"week\", \"day\": \"fri\", \"time\": \"1a:00\"}}",
		  "scan_schedule.full.time: expected \"HH:MM\" (00:00..23:59)" },
		{ "{\"quick\": {\"every\": \"day\", \"day\": \"mon\", \"time\": \"12:00\"}}",
		  "scan_schedule.quick.day: not used with \"every\": \"day\"" },
		{ "{\"quick\": {\"every\": \"week\", \"time\": \"12:00\"}}",
		  "scan_schedule.quick.day: expected mon, tue, wed, thu, fri, sat or sun" },
		{ "{\"quick\": {\"every\": \"week\", \"day\": \"Mon\", \"time\": \"12:00\"}}",
		  "scan_schedule.quick.day: expected mon, tue, wed, thu, fri, sat or sun" },
		{ "{\"full\": {\"every\": \"week\", \"day\": 5, \"time\": \"12:00\"}}",
		  "scan_schedule.full.day: expected mon, tue, wed, thu, fri, sat or sun" },
		{ "{\"full\": {\"every\": \"week\", \"day\": \"friday\", \"time\": \"12:00\"}}",
		  "scan_schedule.full.day: expected mon, tue, wed, thu, fri, sat or sun" },
		{ "{\"full\": {\"every\": \"month\", \"day\": 29, \"time\": \"12:00\"}}",
		  "scan_schedule.full.day: expected a day of the month, 1..28" },
		{ "{\"full\": {\"every\": \"month\", \"day\": 0, \"time\": \"12:00\"}}",
		  "scan_schedule.full.day: expected a day of the month, 1..28" },
		{ "{\"full\": {\"every\": \"month\", \"day\": \"1\", \"time\": \"12:00\"}}",
		  "scan_schedule.full.day: expected a day of the month, 1..28" },
		{ "{\"full\": {\"every\": \"month\", \"day\": 1.0, \"time\": \"12:00\"}}",
		  "scan_schedule.full.day: expected a day of the month, 1..28" },
		{ "{\"full\": {\"every\": \"month\", \"time\": \"12:00\"}}",
		  "scan_schedule.full.day: expected a day of the month, 1..28" },
		/* a good quick does not hide a bad full */
		{ "{\"quick\": {\"every\": \"day\", \"time\": \"12:00\"}, \"full\": {\"every\": \"month\", \"day\": -1,"
		  " \"time\": \"12:00\"}}",
		  "scan_schedule.full.day: expected a day of the month, 1..28" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		rq_schedule s[RQ_SCAN_KINDS], before[RQ_SCAN_KINDS];
		memset(s, 0x5a, sizeof(s));
		memcpy(before, s, sizeof(s));
		int rc = parse_text(s, cases[i].json);
		if (rc != RQ_EPARSE)
			fail_msg("%s: got %d, expected RQ_EPARSE", cases[i].json, rc);
		if (strcmp(rq_error_last(), cases[i].message))
			fail_msg("%s:\n got      %s\n expected %s", cases[i].json, rq_error_last(), cases[i].message);
		if (memcmp(s, before, sizeof(s)))
			fail_msg("%s: out was written on error", cases[i].json);
	}
}

/* The zones of the cases, each with an instant and its offset to prove it is in use. */
static const struct zone {
	const char *tz;
	int64_t probe;
	long offset;
} zones[] = {
	{ "Asia/Ho_Chi_Minh", 1796266800, 7 * HOUR },
	{ "Europe/Berlin", 1792836000, 2 * HOUR },
	{ "America/Sao_Paulo", 1541257200, -3 * HOUR },
	/* made up: +1, summer +2 from 23:00 of 2026-03-29 to 00:30 of 2026-10-26, which shows 23:30 of the 25th again */
	{ "AST-1ADT,M3.5.0/23,M10.5.0/24:30", 1782864000, 2 * HOUR },
};
enum { HCM, BERLIN, SAO_PAULO, ACROSS };

/* One case: in zone `zone`, the occurrence of `s` after `t` ('n', rq_schedule_next) or at or before it ('p'). */
static const struct occurrence_case {
	int zone;
	rq_schedule s;
	char op;
	int64_t t, want;
	const char *what;
} occurrence_cases[] = {
	{ HCM, WEEKLY(4, 15, 0), 'n', 1796266800, 1796371200, "Thu 2026-12-03 10:00 -> Fri 12-04 15:00 (08:00 UTC)" },
	{ HCM, WEEKLY(4, 15, 0), 'n', 1796371200, 1796976000, "exactly at Fri 12-04 15:00 -> a week later" },
	{ HCM, WEEKLY(4, 15, 0), 'n', 1796371199, 1796371200, "a second before Fri 12-04 15:00 -> it" },
	{ HCM, WEEKLY(4, 15, 0), 'p', 1796371200, 1796371200, "at Fri 12-04 15:00, the latest is itself" },
	{ HCM, WEEKLY(4, 15, 0), 'p', 1796371199, 1796371200 - 7 * DAY, "a second before: the Friday before" },
	{ HCM, DAILY(12, 0), 'n', 1796273940, 1796274000, "12-03 11:59 -> 12:00 the same day" },
	{ HCM, DAILY(12, 0), 'n', 1796274000, 1796360400, "12-03 12:00 -> 12-04 12:00" },
	{ HCM, DAILY(12, 0), 'n', 1796266800, 1796274000, "12-03 10:00 -> 12:00" },
	{ HCM, DAILY(12, 0), 'p', 1796273940, 1796274000 - DAY, "12-03 11:59 -> 12-02 12:00" },
	{ HCM, MONTHLY(28, 15, 0), 'n', 1803801600, 1806220800, "the 28th 15:00: 2027-02-28 -> 03-28" },
	{ HCM, MONTHLY(28, 15, 0), 'n', 1798477200, 1801123200, "the 28th 15:00: 2026-12-29 00:00 -> 2027-01-28" },
	{ HCM, MONTHLY(28, 15, 0), 'p', 1806220799, 1803801600, "a second before 2027-03-28 15:00 -> 02-28" },
	{ HCM, MONTHLY(1, 0, 0), 'n', 1798736399, 1798736400, "the 1st 00:00: a second before the new year" },
	{ HCM, MONTHLY(1, 0, 0), 'p', 1798736400, 1798736400, "the 1st 00:00: at 2027-01-01 00:00, itself" },
	{ HCM, WEEKLY(6, 23, 59), 'n', 1796266800, 1796576340, "Sunday 23:59 from Thu 12-03 -> Sun 12-06 23:59" },
	{ HCM, WEEKLY(0, 0, 0), 'n', 1796576340, 1796576400, "Monday 00:00 a minute after Sun 23:59" },
	{ HCM, WEEKLY(0, 0, 0), 'n', 1795971600, 1796576400, "Monday 00:00 from Mon 11-30 00:00 -> 12-07" },

	/* 2026-03-29: 02:00 CET becomes 03:00 CEST; 02:30 does not exist and runs at 03:30 CEST (01:30 UTC) */
	{ BERLIN, DAILY(2, 30), 'n', 1774661400, 1774747800, "from 03-28 02:30 CET -> 03-29 03:30 CEST" },
	{ BERLIN, DAILY(2, 30), 'n', 1774738800, 1774747800, "from 03-29 00:00 CET -> 03:30 CEST" },
	{ BERLIN, DAILY(2, 30), 'n', 1774747800, 1774830600, "from 03-29 03:30 CEST -> 03-30 02:30 CEST" },
	{ BERLIN, DAILY(2, 30), 'p', 1774830599, 1774747800, "before 03-30 02:30 -> 03-29 03:30 CEST" },
	{ BERLIN, DAILY(12, 0), 'n', 1774695600, 1774778400, "noon on the 23-hour day" },
	{ BERLIN, WEEKLY(4, 15, 0), 'n', 1774620000, 1775221200, "Fri 15:00 across the jump: 7 days less an hour" },
	/* 2026-10-25: 03:00 CEST becomes 02:00 CET; 02:30 happens twice and runs once, at 02:30 CEST */
	{ BERLIN, DAILY(2, 30), 'n', 1792836000, 1792888200, "10-24 12:00 -> 10-25 02:30 CEST (00:30 UTC)" },
	{ BERLIN, DAILY(2, 30), 'n', 1792888200, 1792978200, "10-25 02:30 CEST -> 10-26, not 02:30 CET" },
	{ BERLIN, DAILY(2, 30), 'n', 1792891800, 1792978200, "10-25 02:30 CET (the second) -> 10-26" },
	{ BERLIN, DAILY(2, 30), 'p', 1792891800, 1792888200, "at 02:30 CET the latest is 02:30 CEST" },
	{ BERLIN, DAILY(2, 30), 'p', 1792978199, 1792888200, "before 10-26 02:30 -> 10-25 02:30 CEST" },

	/* 2018-11-04: 00:00 -03 became 01:00 -02; 00:30 ran at 01:30 -02 */
	{ SAO_PAULO, DAILY(0, 30), 'n', 1541257200, 1541302200, "11-03 12:00 -> 11-04 01:30 -02" },
	{ SAO_PAULO, DAILY(0, 30), 'n', 1541302200, 1541385000, "11-04 01:30 -02 -> 11-05 00:30" },
	{ SAO_PAULO, DAILY(0, 30), 'p', 1541302199, 1541215800, "before 11-04 01:30 -> 11-03 00:30 -03" },
	/* 2018-02-18: 00:00 -02 became 23:00 -03 of the 17th; 23:30 of the 17th happened twice, the first counts */
	{ SAO_PAULO, DAILY(23, 30), 'n', 1518876000, 1518917400, "02-17 12:00 -> 23:30 -02 (01:30 UTC)" },
	{ SAO_PAULO, DAILY(23, 30), 'n', 1518917400, 1519007400, "02-17 23:30 -02 -> 02-18 23:30, not 23:30 -03" },
	{ SAO_PAULO, DAILY(23, 30), 'n', 1518921000, 1519007400, "02-17 23:30 -03 (the second) -> 02-18 23:30" },
	{ SAO_PAULO, DAILY(23, 30), 'p', 1518921000, 1518917400, "at 23:30 -03 the latest is 23:30 -02" },

	/* a wall time carried across midnight: an occurrence on another day than the instant asked about */
	{ ACROSS, DAILY(23, 30), 'n', 1774737000, 1774823400, "03-29 23:30 is skipped: 03-30 00:30 ADT" },
	{ ACROSS, DAILY(23, 30), 'n', 1774822200, 1774823400, "asked at 03-30 00:10 ADT, still 00:30" },
	{ ACROSS, DAILY(23, 30), 'p', 1774824000, 1774823400, "at 03-30 00:40 ADT, the latest is 00:30" },
	{ ACROSS, DAILY(23, 30), 'n', 1774823400, 1774906200, "03-30 00:30 ADT -> 03-30 23:30 ADT" },
	{ ACROSS, DAILY(0, 15), 'p', 1792968000, 1792966500, "at 10-25 23:40 AST (the second), 10-26 00:15 ADT" },
	{ ACROSS, DAILY(0, 15), 'n', 1792880100, 1792966500, "10-25 00:15 -> 10-26 00:15 ADT" },
	{ ACROSS, DAILY(0, 15), 'n', 1792966500, 1792966500 + DAY + HOUR, "10-26 00:15 ADT -> 10-27 00:15 AST" },
	{ ACROSS, DAILY(23, 45), 'n', 1792964699, 1792964700, "10-25 23:45 happens twice: the first" },
	{ ACROSS, DAILY(23, 45), 'n', 1792964700, 1793054700, "10-25 23:45 ADT -> 10-26 23:45, not 23:45 AST" },
	{ ACROSS, DAILY(23, 45), 'n', 1792966800, 1793054700, "10-26 00:20 ADT -> 10-26 23:45" },
	{ ACROSS, DAILY(23, 45), 'p', 1792968600, 1792964700, "at 10-25 23:50 AST, the first 23:45" },
};

static void use_case_zone(int zone)
{
	use_zone(zones[zone].tz, zones[zone].probe, zones[zone].offset);
}

static void test_occurrences(void **state)
{
	for (size_t i = 0; i < sizeof(occurrence_cases) / sizeof(occurrence_cases[0]); i++) {
		const struct occurrence_case *c = &occurrence_cases[i];
		int64_t got = -1;
		use_case_zone(c->zone);
		int rc = c->op == 'n' ? rq_schedule_next(&got, &c->s, c->t) : rq_schedule_prev(&got, &c->s, c->t);
		if (rc || got != c->want)
			fail_msg("TZ=%s, %s: %s of %lld gave %d, %lld; expected %lld", zones[c->zone].tz, c->what,
				 c->op == 'n' ? "next" : "prev", (long long)c->t, rc, (long long)got, (long long)c->want);
	}
}

static void test_not_scheduled_and_range(void **state)
{
	use_case_zone(HCM);
	rq_schedule none = { 0 }, daily = DAILY(12, 0);
	int64_t t = 42, last = 0;
	assert_int_equal(rq_schedule_next(&t, &none, 1796266800), RQ_ENOTFOUND);
	assert_int_equal(rq_schedule_prev(&t, &none, 1796266800), RQ_ENOTFOUND);
	assert_int_equal(t, 42);
	assert_int_equal(rq_schedule_due(&last, &none, 1796367600), 0);
	assert_int_equal(rq_schedule_next(&t, &daily, -1), RQ_EINVAL);
	assert_int_equal(rq_schedule_next(&t, &daily, RQ_SCHEDULE_MAX_TIME + 1), RQ_EINVAL);
	assert_int_equal(rq_schedule_next(&t, &daily, INT64_MAX), RQ_EINVAL);
	/* 9999-12-31 12:00 +07 is the last one; none after it */
	assert_int_equal(rq_schedule_next(&t, &daily, RQ_SCHEDULE_MAX_TIME - DAY), 0);
	assert_int_equal(t, INT64_C(253402232400));
	assert_int_equal(rq_schedule_next(&t, &daily, INT64_C(253402232400)), RQ_EINVAL);
	/* before 1970-01-01 12:00 +07 there is none */
	assert_int_equal(rq_schedule_prev(&t, &daily, 0), RQ_EINVAL);
	assert_int_equal(rq_schedule_due(&last, &daily, 0), 0);
}

/*
 * Everywhere over two years, by steps that fall on every minute of the day
 * in turn: prev <= t < next with nothing between, and next shows the
 * schedule's day and time on the wall clock (or, across a skipped hour,
 * that time plus the hour).
 */
static void check_walk(const rq_schedule *s)
{
	for (int64_t t = 1767225600; t < 1767225600 + 2 * 365 * DAY; t += 7919) {
		int64_t next = next_of(s, t), prev = prev_of(s, t);
		if (!(prev <= t && t < next) || prev_of(s, next) != next || next_of(s, prev) != next)
			fail_msg("t=%lld: prev %lld next %lld", (long long)t, (long long)prev, (long long)next);
		time_t tt = (time_t)next;
		struct tm tm;
		assert_non_null(localtime_r(&tt, &tm));
		int minute = tm.tm_hour * 60 + tm.tm_min, want = s->hour * 60 + s->minute;
		if (minute != want && minute != want + 60)
			fail_msg("t=%lld: next %lld is at %02d:%02d", (long long)t, (long long)next, tm.tm_hour,
				 tm.tm_min);
		if (s->every == RQ_EVERY_WEEK)
			assert_int_equal((tm.tm_wday + 6) % 7, s->day);
		if (s->every == RQ_EVERY_MONTH)
			assert_int_equal(tm.tm_mday, s->day);
		assert_true(next - t <= (s->every == RQ_EVERY_MONTH ? 31 : s->every == RQ_EVERY_WEEK ? 7 : 1) * DAY + HOUR);
	}
}

static void test_walk(void **state)
{
	use_case_zone(BERLIN);
	rq_schedule s[] = { DAILY(2, 30), DAILY(12, 0),
			    WEEKLY(6, 2, 15), MONTHLY(28, 23, 59),
			    MONTHLY(1, 0, 0) };
	for (size_t i = 0; i < sizeof(s) / sizeof(s[0]); i++)
		check_walk(&s[i]);
	use_case_zone(HCM);
	for (size_t i = 0; i < sizeof(s) / sizeof(s[0]); i++)
		check_walk(&s[i]);
}

static int due(int64_t last_run, const rq_schedule *s, int64_t now)
{
	int64_t copy = last_run;
	int d = rq_schedule_due(&copy, s, now);
	assert_int_equal(copy, last_run); /* changed only when in the future */
	return d;
}

static void test_catchup(void **state)
{
	use_case_zone(HCM);
	rq_schedule daily = DAILY(12, 0), friday = WEEKLY(4, 15, 0);
	rq_schedule monthly = MONTHLY(28, 15, 0);
	int64_t thu_noon_run = 1796274005; /* Thursday 2026-12-03 12:00:05, the last quick scan */

	/* Friday 12:00 missed: due at 14:00, not at 11:00 (Thursday's was done) */
	assert_int_equal(due(thu_noon_run, &daily, 1796367600), 1);
	assert_int_equal(due(thu_noon_run, &daily, 1796356800), 0);
	/* at the occurrence itself; a scan started at it counts as done */
	assert_int_equal(due(thu_noon_run, &daily, 1796360400), 1);
	assert_int_equal(due(1796360400, &daily, 1796360400), 0);
	assert_int_equal(due(1796360400, &daily, 1796367600), 0);
	/* the window: up to 12 h late (Friday 23:59), not at Saturday 00:01 nor 08:00 */
	assert_int_equal(due(thu_noon_run, &daily, 1796403540), 1);
	assert_int_equal(due(thu_noon_run, &daily, 1796360400 + RQ_AGENT_CATCHUP_DAILY), 1);
	assert_int_equal(due(thu_noon_run, &daily, 1796360400 + RQ_AGENT_CATCHUP_DAILY + 1), 0);
	assert_int_equal(due(thu_noon_run, &daily, 1796403660), 0);
	assert_int_equal(due(thu_noon_run, &daily, 1796432400), 0);
	/* never run, or off for weeks: the latest occurrence only, once */
	assert_int_equal(due(0, &daily, 1796367600), 1);
	assert_int_equal(due(1796367600 - 30 * DAY, &daily, 1796367600), 1);
	assert_int_equal(due(1796367600, &daily, 1796367600 + 60), 0);

	/* the full scan of Friday 2026-12-04 15:00, missed: Monday 08:00 yes, Tuesday 08:00 no */
	int64_t last_full = 1796371200 - 7 * DAY;
	assert_int_equal(due(last_full, &friday, 1796605200), 1);
	assert_int_equal(due(last_full, &friday, 1796371200 + RQ_AGENT_CATCHUP_WEEKLY), 1);
	assert_int_equal(due(last_full, &friday, 1796371200 + RQ_AGENT_CATCHUP_WEEKLY + 1), 0);
	assert_int_equal(due(last_full, &friday, 1796691600), 0);
	/* monthly, Sunday 2027-02-28 15:00 missed: Monday 08:00 yes, two weeks later no */
	assert_int_equal(due(1801123200, &monthly, 1803801600 + DAY - 7 * HOUR), 1);
	assert_int_equal(due(1801123200, &monthly, 1803801600 + 14 * DAY), 1);
	assert_int_equal(due(1801123200, &monthly, 1803801600 + 14 * DAY + 1), 0);
	assert_int_equal(rq_schedule_catchup(&monthly), RQ_AGENT_CATCHUP_MONTHLY);
}

static void test_last_run_in_future(void **state)
{
	use_case_zone(HCM);
	rq_schedule daily = DAILY(12, 0);
	/* a scan started Friday 2026-12-11 14:00; then the clock went back to Friday 2026-12-04 14:00 */
	int64_t now = 1796367600, last_run = now + 7 * DAY;
	assert_int_equal(rq_schedule_due(&last_run, &daily, now), 0);
	assert_int_equal(last_run, now);
	/* no run until the next 12:00 after now (Saturday), one then, none after until Saturday 14:00 */
	int runs = 0;
	for (int64_t t = now; t <= now + DAY; t += 60) {
		if (rq_schedule_due(&last_run, &daily, t)) {
			runs++;
			if (t != 1796360400 + DAY)
				fail_msg("ran at %lld", (long long)t);
			last_run = t;
		}
	}
	assert_int_equal(runs, 1);
	/* even a last run a second ahead, with the occurrence missed an hour ago: not now */
	last_run = 1796367601;
	assert_int_equal(rq_schedule_due(&last_run, &daily, 1796367600), 0);
	assert_int_equal(due(last_run, &daily, 1796367660), 0);
}

/*
 * A daemon polling every minute for four weeks from Monday 2026-11-30 00:00
 * +07, both scans last run then.
 */
typedef struct run_log {
	int count;
	int64_t at[64];
} run_log;

static void simulate(const rq_schedule s[RQ_SCAN_KINDS], int on_friday, run_log log[RQ_SCAN_KINDS])
{
	int64_t last[RQ_SCAN_KINDS] = { 1795971600, 1795971600 };
	memset(log, 0, sizeof(run_log) * RQ_SCAN_KINDS);
	for (int64_t t = 1795971600; t < 1795971600 + 28 * DAY; t += 60) {
		int64_t local = t + 7 * HOUR;
		int weekday = (int)((local / DAY + 3) % 7), minute = (int)(local % DAY / 60);
		if (weekday >= 5 || (weekday == 4 && !on_friday) || minute < 8 * 60 || minute >= 17 * 60)
			continue; /* the machine is off */
		for (int k = 0; k < RQ_SCAN_KINDS; k++)
			if (rq_schedule_due(&last[k], &s[k], t)) {
				assert_true(log[k].count < 64);
				log[k].at[log[k].count++] = t;
				last[k] = t;
			}
	}
}

static void test_simulated_weeks(void **state)
{
	use_case_zone(HCM);
	rq_schedule s[RQ_SCAN_KINDS] = { DAILY(12, 0), WEEKLY(4, 15, 0) };
	run_log log[RQ_SCAN_KINDS];

	/* on 08:00-17:00 on workdays: a quick scan at 12:00 each workday, a full one at 15:00 each Friday */
	simulate(s, 1, log);
	assert_int_equal(log[RQ_SCAN_QUICK].count, 20);
	for (int i = 0; i < 20; i++)
		assert_int_equal((log[RQ_SCAN_QUICK].at[i] + 7 * HOUR) % DAY, 12 * HOUR);
	assert_int_equal(log[RQ_SCAN_FULL].count, 4);
	for (int i = 0; i < 4; i++)
		assert_int_equal(log[RQ_SCAN_FULL].at[i], 1796371200 + i * 7 * DAY);

	/* off on Fridays: Monday's quick scan waits for 12:00, the missed full one runs Monday at 08:00 */
	simulate(s, 0, log);
	assert_int_equal(log[RQ_SCAN_QUICK].count, 16);
	for (int i = 0; i < 16; i++)
		assert_int_equal((log[RQ_SCAN_QUICK].at[i] + 7 * HOUR) % DAY, 12 * HOUR);
	assert_int_equal(log[RQ_SCAN_FULL].count, 3);
	for (int i = 0; i < 3; i++)
		assert_int_equal(log[RQ_SCAN_FULL].at[i], 1795971600 + (i + 1) * 7 * DAY + 8 * HOUR);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_occurrences),
		cmocka_unit_test(test_not_scheduled_and_range),
		cmocka_unit_test(test_walk),
		cmocka_unit_test(test_catchup),
		cmocka_unit_test(test_last_run_in_future),
		cmocka_unit_test(test_simulated_weeks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
