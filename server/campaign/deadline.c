/*
 * Campaign dates in the province's time (deadline.h): civil dates
 * converted with timegm/gmtime_r (UTC: the process's TZ never enters),
 * deadlines ending at midnight UTC+7, and the follow-up state of an item.
 */
#include "campaign/deadline.h"

#include <string.h>
#include <time.h>

#include "core/error.h"

static int digits(const char *p, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		v = v * 10 + (p[i] - '0');
	}
	*out = v;
	return 0;
}

int rq_date_parse(const char *text, int64_t *out_day)
{
	static const int mdays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int y, m, d;
	if (!text || digits(text, 4, &y) || text[4] != '-' || digits(text + 5, 2, &m) || text[7] != '-' ||
	    digits(text + 8, 2, &d) || text[10] != '\0')
		return rq_fail(RQ_EINVAL, "expected a date YYYY-MM-DD");
	if (y < RQ_DATE_YEAR_MIN || y > RQ_DATE_YEAR_MAX || m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
		return rq_fail(RQ_EINVAL, "not a date between %d and %d", RQ_DATE_YEAR_MIN, RQ_DATE_YEAR_MAX);
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (m == 2 && d == 29 && !leap)
		return rq_fail(RQ_EINVAL, "29 February of a year that is not a leap year");
	struct tm tm = {.tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d};
	*out_day = (int64_t)timegm(&tm) / 86400;
	return 0;
}

void rq_date_format(int64_t day, char out[RQ_DATE_LEN])
{
	struct tm tm;
	time_t t = (time_t)(day * 86400);
	memset(&tm, 0, sizeof(tm));
	gmtime_r(&t, &tm);
	int y = (tm.tm_year + 1900) % 10000, m = tm.tm_mon + 1, d = tm.tm_mday;
	y = y < 0 ? 0 : y;
	out[0] = (char)('0' + y / 1000);
	out[1] = (char)('0' + y / 100 % 10);
	out[2] = (char)('0' + y / 10 % 10);
	out[3] = (char)('0' + y % 10);
	out[4] = out[7] = '-';
	out[5] = (char)('0' + m / 10);
	out[6] = (char)('0' + m % 10);
	out[8] = (char)('0' + d / 10);
	out[9] = (char)('0' + d % 10);
	out[10] = '\0';
}

/* floor(a / b) for b > 0 */
static int64_t floor_div(int64_t a, int64_t b)
{
	return a >= 0 ? a / b : -((-a + b - 1) / b);
}

int64_t rq_date_today(int64_t t)
{
	return floor_div(t + RQ_PROVINCE_UTC_OFFSET, 86400);
}

int64_t rq_date_end(int64_t day)
{
	return (day + 1) * 86400 - RQ_PROVINCE_UTC_OFFSET;
}

int64_t rq_date_days_left(int64_t day, int64_t now)
{
	return day - rq_date_today(now);
}

rq_item_state rq_item_state_at(int done, int64_t due_day, int64_t now, int64_t risk_days)
{
	if (done)
		return RQ_ITEM_DONE;
	if (now >= rq_date_end(due_day))
		return RQ_ITEM_OVERDUE;
	/* due today is 0 days left: "within risk_days" includes today */
	if (rq_date_days_left(due_day, now) <= risk_days)
		return RQ_ITEM_AT_RISK;
	return RQ_ITEM_PENDING;
}

const char *rq_item_state_name(rq_item_state s)
{
	static const char *const names[] = {"done", "pending", "at_risk", "overdue"};
	return (unsigned)s < sizeof(names) / sizeof(names[0]) ? names[s] : "unknown";
}
