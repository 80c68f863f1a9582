/*
 * Tests of event ingestion on both backends: a batch of every kind lands
 * in its tables, a replayed batch adds nothing, an overlapping batch adds
 * only its new events, a batch failing midway leaves nothing, the
 * newest event decides a detection's state, and a batch spanning several
 * multi-row statements stores each UUID once.
 */
#include "store_fixture.h"
#include "store/endpoints.h"
#include "store/events.h"
#include "store/units.h"

static int64_t make_endpoint(fx *f, const char *code)
{
	int64_t unit, id;
	rq_endpoint_status st = {.hostname = code, .realtime = -1, .firewall = -1};
	FX_OK(rq_store_unit_create(f->s, &unit, 0, "U", code, "", 1));
	FX_OK(rq_store_endpoint_create(f->s, &id, unit, &st, 1));
	return id;
}

static void fill_batch(rq_store_event ev[5])
{
	memset(ev, 0, 5 * sizeof(*ev));
	ev[0] = (rq_store_event){.uuid = "0b4f7a52-0000-4000-8000-000000000001", .kind = RQ_EVENT_SCAN,
				 .occurred_at = 1000, .payload_json = fx_nasty};
	ev[0].scan.kind = "full";
	ev[0].scan.started_at = 900;
	ev[0].scan.finished_at = 1000;
	ev[0].scan.files_scanned = 12345;
	ev[0].scan.detections = 1;
	ev[0].scan.result = fx_nasty;
	ev[1] = (rq_store_event){.uuid = "0b4f7a52-0000-4000-8000-000000000002", .kind = RQ_EVENT_DETECTION,
				 .occurred_at = 950};
	ev[1].file.path = fx_nasty;
	ev[1].file.sha256 = "aa11";
	ev[1].file.md5 = "bb22";
	ev[1].file.name = "Win.Test.EICAR_HDB-1";
	ev[1].file.type = "virus";
	ev[1].file.action = "none";
	ev[1].file.state = "active";
	ev[2] = (rq_store_event){.uuid = fx_nasty, .kind = RQ_EVENT_ACTION, .occurred_at = 960};
	ev[2].file.path = fx_nasty;
	ev[2].file.sha256 = "aa11";
	ev[2].file.action = "quarantine";
	ev[2].file.state = "quarantined";
	ev[3] = (rq_store_event){.uuid = "0b4f7a52-0000-4000-8000-000000000004", .kind = RQ_EVENT_CONNECTION,
				 .occurred_at = 970};
	ev[3].conn.remote_addr = "203.0.113.9";
	ev[3].conn.remote_port = 443;
	ev[3].conn.remote_host = fx_nasty;
	ev[3].conn.process_path = fx_nasty;
	ev[3].conn.pid = 4321;
	ev[3].conn.indicator = fx_nasty;
	ev[3].conn.action = "blocked";
	ev[4] = (rq_store_event){.uuid = "0b4f7a52-0000-4000-8000-000000000005", .kind = RQ_EVENT_ERROR,
				 .occurred_at = 980, .payload_json = "{\"error\":\"disk\"}"};
}

static void test_batch_and_replay(void **state)
{
	fx *f = *state;
	int64_t ep = make_endpoint(f, "a"), other = make_endpoint(f, "b");
	rq_store_event ev[5];
	size_t added = 99;
	fill_batch(ev);
	FX_OK(rq_store_ingest_events(f->s, ep, ev, 5, 2000, &added));
	assert_int_equal(added, 5);
	assert_int_equal(fx_int(f->s, "SELECT COUNT(*) FROM events"), 5);
	assert_int_equal(fx_int(f->s, "SELECT COUNT(*) FROM scan_summaries WHERE files_scanned = 12345"), 1);
	assert_int_equal(fx_int(f->s, "SELECT COUNT(*) FROM connections WHERE remote_port = 443 AND pid = 4321"), 1);
	assert_int_equal(fx_int(f->s, "SELECT COUNT(*) FROM detections"), 1);
	assert_int_equal(fx_int(f->s, "SELECT COUNT(*) FROM detections WHERE state = 'quarantined'"
				      " AND action = 'quarantine' AND name = 'Win.Test.EICAR_HDB-1'"
				      " AND first_seen = 950 AND last_seen = 960"),
			 1);
	assert_int_equal(fx_int(f->s, "SELECT last_full_scan FROM endpoints WHERE hostname = 'a'"), 1000);
	assert_int_equal(fx_int(f->s, "SELECT active_detections FROM endpoints WHERE hostname = 'a'"), 0);

	/* text fields came back unchanged */
	rq_stmt *st = NULL;
	FX_OK(rq_store_prepare(f->s, &st, "SELECT d.path, c.remote_host, c.process_path, c.indicator, s.result, e.payload"
					  " FROM detections d, connections c, scan_summaries s, events e"
					  " WHERE e.uuid = $1"));
	FX_OK(rq_stmt_bind_text(st, 1, ev[0].uuid));
	assert_int_equal(rq_stmt_step(st), RQ_STORE_ROW);
	for (int i = 0; i < 6; i++)
		assert_string_equal(rq_stmt_column_text(st, i), fx_nasty);
	rq_stmt_finalize(st);

	assert_int_equal(fx_int_text(f->s, "SELECT COUNT(*) FROM events WHERE uuid = $1", fx_nasty), 1);

	/* the same batch again: nothing new, nothing changed */
	FX_OK(rq_store_ingest_events(f->s, ep, ev, 5, 3000, &added));
	assert_int_equal(added, 0);
	assert_int_equal(fx_int(f->s, "SELECT COUNT(*) FROM events"), 5);
	assert_int_equal(fx_int(f->s, "SELECT COUNT(*) FROM scan_summaries"), 1);
	assert_int_equal(fx_int(f->s, "SELECT COUNT(*) FROM connections"), 1);
	assert_int_equal(fx_int(f->s, "SELECT MAX(received_at) FROM events"), 2000);

	/* overlapping: two old, one new, the new one twice in the batch */
	rq_store_event mix[4] = {ev[1], ev[3], ev[4], ev[4]};
	mix[2].uuid = mix[3].uuid = "0b4f7a52-0000-4000-8000-000000000006";
	FX_OK(rq_store_ingest_events(f->s, ep, mix, 4, 4000, &added));
	assert_int_equal(added, 1);
	assert_int_equal(fx_int(f->s, "SELECT COUNT(*) FROM events"), 6);
	/* the replayed detection (older than the quarantine) did not reactivate it */
	assert_int_equal(fx_int(f->s, "SELECT COUNT(*) FROM detections WHERE state = 'quarantined'"), 1);

	/* another endpoint may use the same UUIDs: its events are its own */
	FX_OK(rq_store_ingest_events(f->s, other, ev, 5, 5000, &added));
	assert_int_equal(added, 5);
	assert_int_equal(fx_int(f->s, "SELECT COUNT(*) FROM detections"), 2);
}

static void test_failure_midway_leaves_nothing(void **state)
{
	fx *f = *state;
	int64_t ep = make_endpoint(f, "a");
	rq_store_event ev[5];
	size_t added = 99;
	fill_batch(ev);
	ev[2].file.state = "vanished"; /* refused by the CHECK on state, after two events went in */
	assert_int_equal(rq_store_ingest_events(f->s, ep, ev, 5, 2000, &added), RQ_STORE_ECONSTRAINT);
	assert_int_equal(added, 0);
	assert_non_null(strstr(rq_error_last(), "event 2"));
	assert_int_equal(fx_int(f->s, "SELECT COUNT(*) FROM events"), 0);
	assert_int_equal(fx_int(f->s, "SELECT COUNT(*) FROM scan_summaries"), 0);
	assert_int_equal(fx_int(f->s, "SELECT COUNT(*) FROM detections"), 0);
	assert_true(fx_int(f->s, "SELECT COUNT(*) FROM endpoints WHERE last_full_scan IS NULL") == 1);
	assert_false(rq_store_in_transaction(f->s));
	/* an unknown endpoint: refused by the foreign key, nothing stored */
	fill_batch(ev);
	assert_int_equal(rq_store_ingest_events(f->s, ep + 50, ev, 5, 2000, &added), RQ_STORE_ECONSTRAINT);
	/* missing fields are refused before the database is touched */
	ev[3].conn.remote_addr = NULL;
	assert_int_equal(rq_store_ingest_events(f->s, ep, ev, 5, 2000, &added), RQ_EINVAL);
	assert_int_equal(fx_int(f->s, "SELECT COUNT(*) FROM events"), 0);
	/* the good batch still goes in whole afterwards */
	fill_batch(ev);
	FX_OK(rq_store_ingest_events(f->s, ep, ev, 5, 2000, &added));
	assert_int_equal(added, 5);
	assert_int_equal(rq_store_ingest_events(f->s, ep, ev, RQ_STORE_MAX_BATCH + 1, 2000, &added), RQ_ELIMIT);
}

static void test_newest_state_wins(void **state)
{
	fx *f = *state;
	int64_t ep = make_endpoint(f, "a");
	rq_store_event ev[3];
	size_t added;
	memset(ev, 0, sizeof(ev));
	const char *uuids[] = {"u-restore", "u-detect", "u-remove"};
	const char *states[] = {"restored", "active", "removed"};
	int64_t times[] = {300, 100, 200}; /* arriving out of order */
	for (int i = 0; i < 3; i++) {
		ev[i].uuid = uuids[i];
		ev[i].kind = i == 1 ? RQ_EVENT_DETECTION : RQ_EVENT_ACTION;
		ev[i].occurred_at = times[i];
		ev[i].file.path = "/tmp/x";
		ev[i].file.sha256 = "ff";
		ev[i].file.name = i == 1 ? "Det" : NULL;
		ev[i].file.state = states[i];
	}
	for (int i = 0; i < 3; i++) /* one event per batch */
		FX_OK(rq_store_ingest_events(f->s, ep, &ev[i], 1, 1000, &added));
	assert_int_equal(fx_int(f->s, "SELECT COUNT(*) FROM detections WHERE state = 'restored' AND name = 'Det'"
				      " AND first_seen = 100 AND last_seen = 300"),
			 1);
	assert_int_equal(fx_int(f->s, "SELECT active_detections FROM endpoints"), 0);
	/* a second file, active: counted; a replay of it: counted once */
	ev[1].uuid = "u-detect-2";
	ev[1].file.path = "/tmp/y";
	FX_OK(rq_store_ingest_events(f->s, ep, &ev[1], 1, 1000, &added));
	FX_OK(rq_store_ingest_events(f->s, ep, &ev[1], 1, 1000, &added));
	assert_int_equal(added, 0);
	assert_int_equal(fx_int(f->s, "SELECT active_detections FROM endpoints"), 1);
}

/*
 * A large batch goes in several multi-row statements: duplicates inside
 * one statement, across statements and against earlier batches are each
 * stored once, and every new event is applied (its detection row exists).
 */
static void test_large_batch_duplicates(void **state)
{
	fx *f = *state;
	int64_t ep = make_endpoint(f, "big");
	enum { N = 150 };
	static rq_store_event ev[N];
	static char uuids[N][40], paths[N][16];
	size_t added;
	memset(ev, 0, sizeof(ev));
	for (int i = 0; i < N; i++) {
		/* 3 repeats 2 (same chunk); 100 repeats 5 (another chunk); 149 repeats 148 (last, 1-row chunks) */
		int u = i == 3 ? 2 : i == 100 ? 5 : i == 149 ? 148 : i;
		snprintf(uuids[i], sizeof(uuids[i]), "0b4f7a52-0000-4000-8000-%012d", u);
		snprintf(paths[i], sizeof(paths[i]), "/f%d", i);
		ev[i].uuid = uuids[i];
		ev[i].kind = RQ_EVENT_DETECTION;
		ev[i].occurred_at = 1000 + i;
		ev[i].file.path = paths[i];
		ev[i].file.name = "X";
		ev[i].file.state = "active";
	}
	FX_OK(rq_store_ingest_events(f->s, ep, ev, N, 5000, &added));
	assert_int_equal(added, N - 3);
	assert_int_equal(fx_int(f->s, "SELECT COUNT(*) FROM events"), N - 3);
	/* the first of two equal UUIDs is the one applied */
	assert_int_equal(fx_int(f->s, "SELECT COUNT(*) FROM detections"), N - 3);
	assert_int_equal(fx_int_text(f->s, "SELECT COUNT(*) FROM detections WHERE path = $1", "/f2"), 1);
	assert_int_equal(fx_int_text(f->s, "SELECT COUNT(*) FROM detections WHERE path = $1", "/f3"), 0);
	assert_int_equal(fx_int_text(f->s, "SELECT COUNT(*) FROM detections WHERE path = $1", "/f149"), 0);
	assert_int_equal(fx_int(f->s, "SELECT active_detections FROM endpoints"), N - 3);
	/* replayed with 7 new ones at the end of different chunks */
	for (int i = 0; i < 7; i++) {
		int at = 20 * i + 13;
		snprintf(uuids[at], sizeof(uuids[at]), "1b4f7a52-0000-4000-8000-%012d", at);
	}
	FX_OK(rq_store_ingest_events(f->s, ep, ev, N, 5001, &added));
	assert_int_equal(added, 7);
	assert_int_equal(fx_int(f->s, "SELECT COUNT(*) FROM events"), N - 3 + 7);
}

int main(void)
{
	struct CMUnitTest tests[] = {
		cmocka_unit_test(test_batch_and_replay),
		cmocka_unit_test(test_failure_midway_leaves_nothing),
		cmocka_unit_test(test_newest_state_wins),
		cmocka_unit_test(test_large_batch_duplicates),
	};
	return RUN_BOTH("events", tests, 0);
}
