/*
 * Campaign dates (server/campaign/deadline.c): parsing and formatting of
 * calendar dates, the end of a deadline's day in Vietnam (UTC+7) whatever
 * the process's zone -- the test sets TZ to UTC, Asia/Ho_Chi_Minh and
 * America/Los_Angeles in turn and expects the same answers -- and the
 * follow-up states around the deadline's last second.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "testutil.h"
#include "campaign/deadline.h"

static const char *const zones[] = {"UTC", "Asia/Ho_Chi_Minh", "America/Los_Angeles", "Pacific/Kiritimati"};

static void set_zone(const char *tz)
{
	setenv("TZ", tz, 1);
	tzset();
}

static void test_parse_format(void **state)
{
	(void)state;
	int64_t day;
	char out[RQ_DATE_LEN];
	assert_int_equal(rq_date_parse("1970-01-01", &day), RQ_EINVAL); /* before 2000 */
	assert_int_equal(rq_date_parse("2023-06-25", &day), 0);
	assert_int_equal(day, 19533);
	rq_date_format(day, out);
	assert_string_equal(out, "2023-06-25");
	assert_int_equal(rq_date_parse("2024-02-29", &day), 0); /* leap */
	assert_int_equal(rq_date_parse("2000-02-29", &day), 0); /* 400-year leap */
	assert_int_equal(rq_date_parse("2100-02-29", &day), RQ_EINVAL);
	assert_int_equal(rq_date_parse("2023-02-29", &day), RQ_EINVAL);
	const char *bad[] = {"2023-6-25", "25/06/2023", "2023-06-31", "2023-13-01", "2023-00-10", "2023-06-00",
			     "2023-06-25 ", "2023-06-25T00", "+023-06-25", "", "1999-12-31", "2200-01-01"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (rq_date_parse(bad[i], &day) != RQ_EINVAL)
			fail_msg("accepted \"%s\"", bad[i]);
	assert_int_equal(rq_date_parse(NULL, &day), RQ_EINVAL);
	/* every day of 2000-2199 round-trips */
	int64_t first, last;
	assert_int_equal(rq_date_parse("2000-01-01", &first), 0);
	assert_int_equal(rq_date_parse("2199-12-31", &last), 0);
	for (int64_t d = first; d <= last; d++) {
		rq_date_format(d, out);
		assert_int_equal(rq_date_parse(out, &day), 0);
		assert_int_equal(day, d);
	}
}

static void test_deadline_end_any_zone(void **state)
{
	(void)state;
	for (size_t z = 0; z < sizeof(zones) / sizeof(zones[0]); z++) {
		set_zone(zones[z]);
		int64_t day;
		assert_int_equal(rq_date_parse("2023-06-25", &day), 0);
		/* 25/06/2023 24:00 in Hanoi is 25/06/2023 17:00 UTC */
		assert_int_equal(rq_date_end(day), 1687712400);
		/* 17:00 UTC on the 25th is already the 26th in Hanoi */
		assert_int_equal(rq_date_today(1687712399), day);
		assert_int_equal(rq_date_today(1687712400), day + 1);
		/* 00:30 on the 25th in Hanoi (17:30 UTC on the 24th) */
		assert_int_equal(rq_date_today(1687627800), day);
		assert_int_equal(rq_date_days_left(day, 1687627800), 0);
		assert_int_equal(rq_date_days_left(day, 1687627800 - 86400), 1);
		assert_int_equal(rq_date_days_left(day, 1687712400), -1);
		/* days before 1970 would be negative: floor, not truncation */
		assert_int_equal(rq_date_today(-1), 0);
		assert_int_equal(rq_date_today(-RQ_PROVINCE_UTC_OFFSET - 1), -1);
	}
	set_zone("UTC");
}

static void test_states(void **state)
{
	(void)state;
	int64_t day, end;
	assert_int_equal(rq_date_parse("2023-06-25", &day), 0);
	end = rq_date_end(day);
	assert_int_equal(rq_item_state_at(1, day, end + 100 * 86400, 7), RQ_ITEM_DONE);
	assert_int_equal(rq_item_state_at(0, day, end, 7), RQ_ITEM_OVERDUE);
	assert_int_equal(rq_item_state_at(0, day, end - 1, 7), RQ_ITEM_AT_RISK); /* the last second */
	assert_int_equal(rq_item_state_at(0, day, end - 1, 0), RQ_ITEM_AT_RISK); /* due today */
	/* 7 days before the day: at risk with 7, pending with 6 */
	int64_t t = end - 1 - 7 * 86400;
	assert_int_equal(rq_item_state_at(0, day, t, 7), RQ_ITEM_AT_RISK);
	assert_int_equal(rq_item_state_at(0, day, t, 6), RQ_ITEM_PENDING);
	assert_int_equal(rq_item_state_at(0, day, t - 86400, 7), RQ_ITEM_PENDING);
	assert_string_equal(rq_item_state_name(RQ_ITEM_AT_RISK), "at_risk");
	assert_string_equal(rq_item_state_name((rq_item_state)9), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_format),
		cmocka_unit_test(test_deadline_end_any_zone),
		cmocka_unit_test(test_states),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
