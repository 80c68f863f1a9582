/*
 * Tests of the coverage summary on both backends against numbers computed
 * by hand for a small province: four units, eight endpoints on both sides
 * of every boundary (reporting window, 1/3/7/15-day signature age),
 * active and cleaned detections.
 */
#include "store_fixture.h"
#include "store/coverage.h"
#include "store/endpoints.h"
#include "store/events.h"
#include "store/units.h"

#define NOW (100 * (int64_t)RQ_DAY_SECONDS)
#define WINDOW 3600
#define DAY RQ_DAY_SECONDS

static int64_t endpoint(fx *f, int64_t unit, const char *host, int64_t last_seen, int realtime, int64_t built)
{
	int64_t id;
	rq_endpoint_status st = {.hostname = host, .realtime = realtime, .firewall = -1, .db_newest_build = built};
	FX_OK(rq_store_endpoint_create(f->s, &id, unit, &st, last_seen));
	return id;
}

static void detection(fx *f, int64_t ep, const char *uuid, const char *path, const char *state)
{
	rq_store_event ev;
	size_t added;
	memset(&ev, 0, sizeof(ev));
	ev.uuid = uuid;
	ev.kind = RQ_EVENT_DETECTION;
	ev.occurred_at = NOW - 50;
	ev.file.path = path;
	ev.file.name = "Eicar";
	ev.file.state = state;
	FX_OK(rq_store_ingest_events(f->s, ep, &ev, 1, NOW, &added));
	assert_int_equal(added, 1);
}

static void expect(fx *f, int64_t unit, const int64_t want[10])
{
	rq_coverage c;
	FX_OK(rq_store_coverage(f->s, unit, NOW, WINDOW, &c));
	const int64_t got[10] = {c.endpoints, c.reporting, c.realtime_on, c.fresh_1d, c.fresh_3d,
				 c.fresh_7d,  c.fresh_15d, c.older_15d,   c.sig_unknown, c.infected};
	for (int i = 0; i < 10; i++)
		if (got[i] != want[i])
			fail_msg("unit %lld, field %d: got %lld, want %lld", (long long)unit, i, (long long)got[i],
				 (long long)want[i]);
}

static void test_coverage_numbers(void **state)
{
	fx *f = *state;
	int64_t p, a, a1, b;
	FX_OK(rq_store_unit_create(f->s, &p, 0, "Province", "p", "", 1));
	FX_OK(rq_store_unit_create(f->s, &a, p, "Dept A", "a", "", 1));
	FX_OK(rq_store_unit_create(f->s, &a1, a, "Sub A1", "a1", "", 1));
	FX_OK(rq_store_unit_create(f->s, &b, p, "District B", "b", "", 1));

	/* unit A */
	endpoint(f, a, "e1", NOW - 10, 1, NOW - DAY / 2);         /* reporting, rt, fresh 1d */
	endpoint(f, a, "e2", NOW - 7200, 1, NOW - 2 * DAY);       /* silent, fresh 3d */
	endpoint(f, a, "e3", NOW - 100, 0, NOW - DAY);            /* reporting, rt off, exactly 1 day */
	/* unit A1 */
	int64_t e4 = endpoint(f, a1, "e4", NOW - 1, 1, NOW - 5 * DAY);      /* fresh 7d, infected */
	int64_t e5 = endpoint(f, a1, "e5", NOW - WINDOW, 1, NOW - 15 * DAY); /* window edge, exactly 15 days */
	/* unit B */
	int64_t e6 = endpoint(f, b, "e6", NOW - 20 * DAY, 1, NOW - 16 * DAY); /* silent, old, infected */
	endpoint(f, b, "e7", NOW - 30 * DAY, 0, 0);                           /* no database reported */
	int64_t e8 = endpoint(f, b, "e8", NOW - 5, 1, NOW - 15 * DAY - 1);    /* one second too old, infected twice */

	detection(f, e4, "d1", "/a", "active");
	detection(f, e5, "d2", "/b", "quarantined");
	detection(f, e5, "d3", "/c", "removed");
	detection(f, e6, "d4", "/d", "active");
	detection(f, e8, "d5", "/e", "active");
	detection(f, e8, "d6", "/f", "active");

	/*                          known rep  rt  1d  3d  7d 15d old unk inf */
	const int64_t want_p[10] = {8, 5, 4, 2, 3, 4, 5, 2, 1, 3};
	const int64_t want_a[10] = {5, 4, 3, 2, 3, 4, 5, 0, 0, 1};
	const int64_t want_a1[10] = {2, 2, 2, 0, 0, 1, 2, 0, 0, 1};
	const int64_t want_b[10] = {3, 1, 1, 0, 0, 0, 0, 2, 1, 2};
	const int64_t want_none[10] = {0};
	expect(f, p, want_p);
	expect(f, a, want_a);
	expect(f, a1, want_a1);
	expect(f, b, want_b);
	expect(f, 4242, want_none);

	/* a heartbeat brings e2 back and refreshes its signatures */
	rq_endpoint_status hb = {.realtime = -1, .firewall = -1, .db_newest_build = NOW - 60};
	int64_t e2 = fx_int(f->s, "SELECT id FROM endpoints WHERE hostname = 'e2'");
	FX_OK(rq_store_endpoint_heartbeat(f->s, e2, &hb, NOW - 30));
	const int64_t want_a2[10] = {5, 5, 4, 3, 3, 4, 5, 0, 0, 1};
	expect(f, a, want_a2);
	/* cleaning e4's file clears A1's infection */
	rq_store_event ev;
	size_t added;
	memset(&ev, 0, sizeof(ev));
	ev.uuid = "d1-quarantine";
	ev.kind = RQ_EVENT_ACTION;
	ev.occurred_at = NOW - 40;
	ev.file.path = "/a";
	ev.file.state = "quarantined";
	FX_OK(rq_store_ingest_events(f->s, e4, &ev, 1, NOW, &added));
	const int64_t want_a1b[10] = {2, 2, 2, 0, 0, 1, 2, 0, 0, 0};
	expect(f, a1, want_a1b);
}

int main(void)
{
	struct CMUnitTest tests[] = {
		cmocka_unit_test(test_coverage_numbers),
	};
	return RUN_BOTH("coverage", tests, 0);
}
