/*
 * The reminder days of a deadline (server/campaign/remind.c): before it,
 * the day itself, then every few days while overdue, the latest one due
 * when a server was down on a reminder day; in the province's calendar
 * whatever the process's zone (the test sets TZ in turn); and the words
 * of a unit's reminder (remind_text.c): Vietnamese first, the pending
 * obligations only, days left or overdue, the checklist's link.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "testutil.h"
#include "campaign/deadline.h"
#include "campaign/remind.h"
#include "campaign/remind_text.h"

static const int defaults[] = {7, 1, 0};

/* The slot due on `today` for a deadline on day 100, or -1 for none. */
static int64_t slot(const int *before, unsigned n, unsigned every, int64_t today)
{
	int64_t s = 0;
	return rq_remind_slot(before, n, every, 100, today, &s) ? s : -1;
}

static void test_slots(void **state)
{
	(void)state;
	static const struct {
		int64_t today, want;
	} cases[] = {
		{80, -1}, {92, -1}, {93, 93}, {94, 93}, {98, 93}, {99, 99}, {100, 100},
		/* overdue: the day after, then every 3 days */
		{101, 101}, {102, 101}, {103, 101}, {104, 104}, {106, 104}, {107, 107}, {400, 398},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (slot(defaults, 3, 3, cases[i].today) != cases[i].want)
			fail_msg("today %lld: slot %lld, want %lld", (long long)cases[i].today,
				 (long long)slot(defaults, 3, 3, cases[i].today), (long long)cases[i].want);
	}
	/* no day before: nothing until overdue; every day when overdue_every is 1 */
	assert_int_equal(slot(NULL, 0, 1, 100), -1);
	assert_int_equal(slot(NULL, 0, 1, 101), 101);
	assert_int_equal(slot(NULL, 0, 1, 105), 105);
	/* the order of the configured days does not matter */
	static const int unordered[] = {0, 14, 3};
	assert_int_equal(slot(unordered, 3, 3, 87), 86);
	assert_int_equal(slot(unordered, 3, 3, 97), 97);
	assert_int_equal(slot(unordered, 3, 3, 96), 86);
}

/* Around midnight in Vietnam the reminder day changes, in every zone. */
static void test_zones(void **state)
{
	(void)state;
	static const char *const zones[] = {"UTC", "Asia/Ho_Chi_Minh", "America/Los_Angeles", "Pacific/Kiritimati"};
	int64_t due;
	assert_int_equal(rq_date_parse("2023-06-25", &due), 0);
	for (size_t z = 0; z < sizeof(zones) / sizeof(zones[0]); z++) {
		setenv("TZ", zones[z], 1);
		tzset();
		int64_t s = 0;
		/* 2023-06-24 16:59:59 UTC is 23:59:59 on the 24th in Vietnam: one day left */
		assert_int_equal(rq_remind_slot(defaults, 3, 3, due, rq_date_today(1687625999), &s), 1);
		assert_int_equal(due - s, 1);
		/* a second later it is the 25th: the day itself */
		assert_int_equal(rq_remind_slot(defaults, 3, 3, due, rq_date_today(1687626000), &s), 1);
		assert_int_equal(s, due);
		/* the 26th at 00:00 in Vietnam: one day overdue */
		assert_int_equal(rq_remind_slot(defaults, 3, 3, due, rq_date_today(1687626000 + 86400), &s), 1);
		assert_int_equal(s, due + 1);
	}
}

/* A reminder day begins at the configured hour in Vietnam, in every zone. */
static void test_hour(void **state)
{
	(void)state;
	int64_t due;
	assert_int_equal(rq_date_parse("2023-06-25", &due), 0);
	setenv("TZ", "America/Los_Angeles", 1);
	tzset();
	/* 2023-06-25 07:59:59 in Vietnam (00:59:59 UTC): still the 24th for hour 8 */
	assert_int_equal(rq_remind_today(1687654799, 8), due - 1);
	assert_int_equal(rq_remind_today(1687654800, 8), due);
	assert_int_equal(rq_remind_today(1687654799, 0), due);
	/* 23:00 in Vietnam on the 25th: the 25th whatever the hour */
	assert_int_equal(rq_remind_today(1687708800, 8), due);
	assert_int_equal(rq_remind_today(1687708800, 23), due);
}

static void test_unit_text(void **state)
{
	(void)state;
	rq_remind_campaign camp;
	memset(&camp, 0, sizeof(camp));
	camp.id = 4;
	strcpy(camp.name, "Rà quét, bóc gỡ mã độc 2023");
	strcpy(camp.unit_deadline, "2023-06-25");
	strcpy(camp.dept_deadline, "2023-06-30");
	rq_obl_unit st;
	memset(&st, 0, sizeof(st));
	st.id = 9;
	st.name = "Sở Tư pháp";
	st.code = "STP";
	for (int k = 0; k < RQ_OBL_COUNT; k++)
		st.done[k] = k != RQ_OBL_TRAINING && k != RQ_OBL_RESPONSE_PLAN;
	st.done_count = RQ_OBL_COUNT - 2;
	char *subject = NULL, *body = NULL;
	assert_int_equal(rq_remind_unit_text(&camp, &st, "Đỗ Thị Hằng", 1, "https://raquet.example.gov.vn/", &subject,
					     &body),
			 0);
	assert_string_equal(subject, "[raquet] Nhắc hạn: Sở Tư pháp – hạn 25/06/2023 (còn 1 ngày)");
	assert_non_null(strstr(body, "Kính gửi Đỗ Thị Hằng,"));
	assert_non_null(strstr(body, "  - Tập huấn nâng cao nhận thức\n"));
	assert_non_null(strstr(body, "  - Phương án, kịch bản ứng cứu sự cố\n"));
	assert_null(strstr(body, "Rà quét, bóc gỡ mã độc (")); /* the sweep is done */
	assert_non_null(strstr(body, "https://raquet.example.gov.vn/#/campaigns/4/units/9\n"));
	assert_non_null(strstr(body, "1 day left"));
	assert_true(strstr(body, "Kính gửi") < strstr(body, "-- English --"));
	free(subject);
	free(body);
	assert_int_equal(rq_remind_unit_text(&camp, &st, "Hằng", -4, "", &subject, &body), 0);
	assert_string_equal(subject, "[raquet] Quá hạn: Sở Tư pháp – hạn 25/06/2023 (đã quá hạn 4 ngày)");
	assert_non_null(strstr(body, "4 days overdue"));
	assert_null(strstr(body, "http"));
	free(subject);
	free(body);
	assert_int_equal(rq_remind_unit_text(&camp, &st, "Hằng", 0, "", &subject, &body), 0);
	assert_non_null(strstr(subject, "(hạn là hôm nay)"));
	assert_non_null(strstr(body, "due today"));
	free(subject);
	free(body);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_slots),
		cmocka_unit_test(test_zones),
		cmocka_unit_test(test_hour),
		cmocka_unit_test(test_unit_text),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
