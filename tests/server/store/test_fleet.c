/*
 * Tests of the fleet's list queries (store/fleet.c) on both backends: a
 * small province of three units and six endpoints with detections, scans
 * and connections ingested like an agent's; each filter, each sort key in
 * both directions, paging with its total, LIKE metacharacters taken
 * literally, the spread of a SHA-256 within a subtree, retiring a machine,
 * and the SQL builder's numbering and bounds.
 */
#include "store_fixture.h"
#include "store/endpoints.h"
#include "store/events.h"
#include "store/fleet.h"
#include "store/units.h"

#define NOW 1000000
#define DAY 86400
#define SHA_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define SHA_B "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"

typedef struct world {
	int64_t p, a, b;        /* province unit, its children A and B */
	int64_t ep[6];
} world;

/* Collected ids and names of a list, in order. */
typedef struct seen {
	int count;
	int64_t ids[32];
	char names[32][64];
} seen;

static int see_endpoint(const rq_endpoint_row *r, void *payload)
{
	seen *s = payload;
	if (s->count < 32) {
		s->ids[s->count] = r->id;
		snprintf(s->names[s->count], sizeof(s->names[0]), "%s", r->hostname);
	}
	s->count++;
	return 0;
}

static int see_detection(const rq_detection_row *r, void *payload)
{
	seen *s = payload;
	if (s->count < 32) {
		s->ids[s->count] = r->id;
		snprintf(s->names[s->count], sizeof(s->names[0]), "%s", r->name);
	}
	s->count++;
	return 0;
}

static int see_connection(const rq_connection_row *r, void *payload)
{
	seen *s = payload;
	if (s->count < 32) {
		s->ids[s->count] = r->id;
		snprintf(s->names[s->count], sizeof(s->names[0]), "%s", r->remote_addr);
	}
	s->count++;
	return 0;
}

static int64_t endpoint(fx *f, int64_t unit, const char *host, const char *kind, const char *ips, int realtime,
			int64_t built, int64_t last_seen)
{
	int64_t id;
	rq_endpoint_status st = {.hostname = host, .kind = kind, .ips_json = ips, .realtime = realtime,
				 .firewall = -1, .db_newest_build = built, .os_name = "Debian", .status = "ok"};
	FX_OK(rq_store_endpoint_create(f->s, &id, unit, &st, last_seen));
	return id;
}

static void event(fx *f, int64_t ep, const char *uuid, rq_event_kind kind, int64_t at, const char *path,
		  const char *sha, const char *name, const char *state)
{
	rq_store_event ev;
	size_t added;
	memset(&ev, 0, sizeof(ev));
	ev.uuid = uuid;
	ev.kind = kind;
	ev.occurred_at = at;
	ev.file.path = path;
	ev.file.sha256 = sha;
	ev.file.name = name;
	ev.file.state = state;
	ev.scan.kind = "full";
	ev.scan.started_at = at - 10;
	ev.scan.finished_at = at;
	ev.scan.files_scanned = 100;
	ev.conn.remote_addr = path;
	ev.conn.remote_port = 443;
	FX_OK(rq_store_ingest_events(f->s, ep, &ev, 1, at, &added));
}

/*
 * P (province) -> A, B. Endpoints:
 *   0 alpha   P  server       seen now,      built now-2d, realtime on
 *   1 bravo   A  workstation  seen now-10d,  built now-20d
 *   2 charlie A  workstation  seen now,      no database, realtime on; name with 50%_off
 *   3 delta   B  other        never seen (created long ago), built now-1d
 *   4 echo    B  workstation  seen now-3d,   built now-5d
 *   5 fox'trot B workstation  seen now,      built now
 * Detections: bravo SHA_A active (Trojan.X), charlie SHA_A quarantined
 * (Trojan.X), echo SHA_A active, echo SHA_B active (Worm.Y), alpha SHA_B removed.
 */
static void build(fx *f, world *w)
{
	FX_OK(rq_store_unit_create(f->s, &w->p, 0, "Province", "P", "", 1));
	FX_OK(rq_store_unit_create(f->s, &w->a, w->p, "Agency A", "A", "", 1));
	FX_OK(rq_store_unit_create(f->s, &w->b, w->p, "Borough B", "B", "", 1));
	w->ep[0] = endpoint(f, w->p, "alpha", "server", "[\"10.0.0.1\"]", 1, NOW - 2 * DAY, NOW);
	w->ep[1] = endpoint(f, w->a, "bravo", NULL, "[\"10.0.1.2\"]", 0, NOW - 20 * DAY, NOW - 10 * DAY);
	w->ep[2] = endpoint(f, w->a, "charlie-50%_off", NULL, "[\"192.168.5.3\"]", 1, 0, NOW);
	w->ep[3] = endpoint(f, w->b, "delta", "other", NULL, 0, NOW - DAY, NOW - 400 * DAY);
	w->ep[4] = endpoint(f, w->b, "echo", NULL, "[\"10.0.2.4\"]", 0, NOW - 5 * DAY, NOW - 3 * DAY);
	w->ep[5] = endpoint(f, w->b, "fox'trot", NULL, NULL, 0, NOW, NOW);
	/* delta: never heard from since its creation long ago */
	FX_OK(rq_store_run(f->s, NULL, "UPDATE endpoints SET last_seen = NULL WHERE id = $1", &w->ep[3], 1));

	event(f, w->ep[1], "00000000-0000-4000-8000-000000000001", RQ_EVENT_DETECTION, NOW - 9 * DAY, "/tmp/x", SHA_A,
	      "Trojan.X", "active");
	event(f, w->ep[2], "00000000-0000-4000-8000-000000000002", RQ_EVENT_DETECTION, NOW - 5 * DAY, "/tmp/x", SHA_A,
	      "Trojan.X", "quarantined");
	event(f, w->ep[4], "00000000-0000-4000-8000-000000000003", RQ_EVENT_DETECTION, NOW - 4 * DAY, "/opt/y",
	      SHA_A, "Trojan.X", "active");
	event(f, w->ep[4], "00000000-0000-4000-8000-000000000004", RQ_EVENT_DETECTION, NOW - 3 * DAY, "/opt/z",
	      SHA_B, "Worm.Y_100%", "active");
	event(f, w->ep[0], "00000000-0000-4000-8000-000000000005", RQ_EVENT_DETECTION, NOW - 1 * DAY, "/srv/w",
	      SHA_B, "Worm.Y", "removed");
	event(f, w->ep[0], "00000000-0000-4000-8000-000000000006", RQ_EVENT_SCAN, NOW - 2 * DAY, NULL, NULL, NULL,
	      NULL);
	event(f, w->ep[0], "00000000-0000-4000-8000-000000000007", RQ_EVENT_SCAN, NOW - 1 * DAY, NULL, NULL, NULL,
	      NULL);
	event(f, w->ep[4], "00000000-0000-4000-8000-000000000008", RQ_EVENT_CONNECTION, NOW - 2 * DAY, "203.0.113.9",
	      NULL, NULL, NULL);
	event(f, w->ep[4], "00000000-0000-4000-8000-000000000009", RQ_EVENT_CONNECTION, NOW - 1 * DAY, "203.0.113.7",
	      NULL, NULL, NULL);
	event(f, w->ep[0], "00000000-0000-4000-8000-00000000000a", RQ_EVENT_CONNECTION, NOW - 3 * DAY, "198.51.100.1",
	      NULL, NULL, NULL);
}

static seen list(fx *f, rq_endpoint_filter flt, int64_t want_total)
{
	seen s;
	int64_t total = -1;
	memset(&s, 0, sizeof(s));
	if (!flt.limit)
		flt.limit = 50;
	FX_OK(rq_store_fleet_endpoints(f->s, &flt, &total, see_endpoint, &s));
	if (total != want_total)
		fail_msg("total %lld, want %lld", (long long)total, (long long)want_total);
	return s;
}

#define ANY {.infected = -1, .realtime = -1}

static void test_endpoint_filters(void **state)
{
	fx *f = *state;
	world w;
	seen s;
	build(f, &w);
	rq_endpoint_filter flt = ANY;
	s = list(f, flt, 6);
	assert_int_equal(s.count, 6);
	assert_string_equal(s.names[0], "alpha"); /* hostname order by default */
	assert_string_equal(s.names[5], "fox'trot");

	flt = (rq_endpoint_filter)ANY;
	flt.unit_id = w.a;
	s = list(f, flt, 2);
	assert_true(s.ids[0] == w.ep[1] && s.ids[1] == w.ep[2]);
	flt.unit_id = w.p; /* the province's subtree: everything */
	list(f, flt, 6);

	flt = (rq_endpoint_filter)ANY;
	flt.kind = "other";
	s = list(f, flt, 1);
	assert_int_equal(s.ids[0], w.ep[3]);
	flt.kind = "nonsense' OR '1'='1";
	list(f, flt, 0);

	flt = (rq_endpoint_filter)ANY;
	flt.status = "ok";
	list(f, flt, 6);
	flt.status = fx_nasty;
	list(f, flt, 0);

	/* stale for 2 days: bravo (10d), echo (3d), delta (never) */
	flt = (rq_endpoint_filter)ANY;
	flt.seen_before = NOW - 2 * DAY;
	s = list(f, flt, 3);
	assert_true(s.ids[0] == w.ep[1] && s.ids[1] == w.ep[3] && s.ids[2] == w.ep[4]);

	/* signatures older than 3 days: bravo (20d), charlie (none), echo (5d) */
	flt = (rq_endpoint_filter)ANY;
	flt.sig_before = NOW - 3 * DAY;
	s = list(f, flt, 3);
	assert_true(s.ids[0] == w.ep[1] && s.ids[1] == w.ep[2] && s.ids[2] == w.ep[4]);

	flt = (rq_endpoint_filter)ANY;
	flt.infected = 1; /* bravo, echo (charlie's is quarantined, alpha's removed) */
	s = list(f, flt, 2);
	assert_true(s.ids[0] == w.ep[1] && s.ids[1] == w.ep[4]);
	flt.infected = 0;
	list(f, flt, 4);

	flt = (rq_endpoint_filter)ANY;
	flt.realtime = 1;
	s = list(f, flt, 2);
	assert_true(s.ids[0] == w.ep[0] && s.ids[1] == w.ep[2]);
	flt.realtime = 0;
	list(f, flt, 4);

	/* combined: unit B, workstation, stale 1 day */
	flt = (rq_endpoint_filter)ANY;
	flt.unit_id = w.b;
	flt.kind = "workstation";
	flt.seen_before = NOW - DAY;
	s = list(f, flt, 1);
	assert_int_equal(s.ids[0], w.ep[4]);
}

static void test_endpoint_search(void **state)
{
	fx *f = *state;
	world w;
	seen s;
	build(f, &w);
	rq_endpoint_filter flt = ANY;
	flt.q = "ALPH"; /* case-insensitive */
	s = list(f, flt, 1);
	assert_int_equal(s.ids[0], w.ep[0]);
	flt.q = "10.0."; /* an IP substring: alpha, bravo, echo */
	list(f, flt, 3);
	flt.q = "192.168";
	s = list(f, flt, 1);
	assert_int_equal(s.ids[0], w.ep[2]);
	/* metacharacters are literal: '%' and '_' match only themselves */
	flt.q = "%";
	s = list(f, flt, 1);
	assert_int_equal(s.ids[0], w.ep[2]);
	flt.q = "_";
	list(f, flt, 1);
	flt.q = "a_p";
	list(f, flt, 0);
	flt.q = "\\";
	list(f, flt, 0);
	flt.q = "'";
	s = list(f, flt, 1);
	assert_int_equal(s.ids[0], w.ep[5]);
	flt.q = fx_nasty;
	list(f, flt, 0);
	/* a needle over the bound is refused */
	char big[RQ_FLEET_NEEDLE_MAX + 2];
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	flt.q = big;
	int64_t total;
	assert_int_equal(rq_store_fleet_endpoints(f->s, &flt, &total, see_endpoint, &s), RQ_EINVAL);
}

static void test_endpoint_sort_and_paging(void **state)
{
	fx *f = *state;
	world w;
	seen s;
	build(f, &w);
	rq_endpoint_filter flt = ANY;
	flt.sort = RQ_EP_SORT_LAST_SEEN;
	s = list(f, flt, 6);
	/* never seen first, then oldest; ties (seen now) by id */
	assert_true(s.ids[0] == w.ep[3] && s.ids[1] == w.ep[1] && s.ids[2] == w.ep[4] && s.ids[3] == w.ep[0] &&
		    s.ids[4] == w.ep[2] && s.ids[5] == w.ep[5]);
	flt.desc = 1;
	s = list(f, flt, 6);
	assert_true(s.ids[0] == w.ep[5] && s.ids[5] == w.ep[3]);

	flt = (rq_endpoint_filter)ANY;
	flt.sort = RQ_EP_SORT_DB_NEWEST_BUILD;
	s = list(f, flt, 6);
	assert_true(s.ids[0] == w.ep[2] && s.ids[1] == w.ep[1] && s.ids[5] == w.ep[5]);
	flt.desc = 1;
	s = list(f, flt, 6);
	assert_true(s.ids[0] == w.ep[5] && s.ids[5] == w.ep[2]);

	flt = (rq_endpoint_filter)ANY;
	flt.sort = RQ_EP_SORT_UNIT; /* Agency A, Borough B, Province */
	s = list(f, flt, 6);
	assert_true(s.ids[0] == w.ep[1] && s.ids[1] == w.ep[2] && s.ids[2] == w.ep[3] && s.ids[5] == w.ep[0]);

	flt = (rq_endpoint_filter)ANY;
	flt.sort = RQ_EP_SORT_ACTIVE_DETECTIONS;
	flt.desc = 1;
	s = list(f, flt, 6);
	assert_int_equal(s.ids[0], w.ep[4]); /* 2 active */
	assert_int_equal(s.ids[1], w.ep[1]); /* 1 */

	flt = (rq_endpoint_filter)ANY;
	flt.sort = RQ_EP_SORT_OS;
	list(f, flt, 6);

	/* every page of every sort, both directions, with and without a
	 * filter: the pages put together are the whole list, in order (the
	 * unit sort places pages through per-unit counts: cross its edges) */
	for (int sort = 0; sort < RQ_EP_SORT_COUNT; sort++) {
		for (int desc = 0; desc < 2; desc++) {
			for (int filtered = 0; filtered < 2; filtered++) {
				rq_endpoint_filter all = ANY;
				all.sort = (rq_endpoint_sort)sort;
				all.desc = desc;
				all.unit_id = filtered ? w.p : 0;
				all.infected = filtered ? 0 : -1;
				seen whole = list(f, all, filtered ? 4 : 6);
				for (int64_t limit = 1; limit <= 4; limit++) {
					for (int64_t offset = 0; offset <= whole.count; offset++) {
						rq_endpoint_filter pg = all;
						pg.limit = limit;
						pg.offset = offset;
						seen part = list(f, pg, whole.count);
						int64_t want = whole.count - offset < limit ? whole.count - offset : limit;
						if (part.count != want)
							fail_msg("sort %d desc %d: %d rows at %lld+%lld", sort, desc, part.count,
								 (long long)offset, (long long)limit);
						for (int i = 0; i < part.count; i++)
							if (part.ids[i] != whole.ids[offset + i])
								fail_msg("sort %d desc %d filtered %d: row %lld differs", sort,
									 desc, filtered, (long long)(offset + i));
					}
				}
			}
		}
	}

	/* paging: pages of 4 over 6, totals kept */
	flt = (rq_endpoint_filter)ANY;
	flt.limit = 4;
	s = list(f, flt, 6);
	assert_int_equal(s.count, 4);
	assert_string_equal(s.names[3], "delta");
	flt.offset = 4;
	s = list(f, flt, 6);
	assert_int_equal(s.count, 2);
	assert_string_equal(s.names[0], "echo");
	flt.offset = 10;
	s = list(f, flt, 6);
	assert_int_equal(s.count, 0);
}

static int keep_row(const rq_endpoint_row *r, void *payload)
{
	rq_endpoint_row *out = payload;
	out->id = r->id;
	out->unit_id = r->unit_id;
	out->active_detections = r->active_detections;
	out->last_seen = r->last_seen;
	out->realtime = r->realtime;
	out->vault_known = r->vault_known;
	out->vault_free = r->vault_free;
	out->vault_total = r->vault_total;
	assert_string_equal(r->unit_code, "B");
	return 0;
}

static int count_scan(const rq_scan_row *r, void *payload)
{
	int64_t *n = payload;
	assert_string_equal(r->kind, "full");
	assert_int_equal(r->files_scanned, 100);
	/* newest first */
	assert_int_equal(r->finished_at, *n == 0 ? NOW - DAY : NOW - 2 * DAY);
	(*n)++;
	return 0;
}

static void test_endpoint_detail_and_retire(void **state)
{
	fx *f = *state;
	world w;
	rq_endpoint_row row;
	int64_t unit = 0, n = 0;
	char hash[128];
	build(f, &w);
	memset(&row, 0, sizeof(row));
	FX_OK(rq_store_fleet_endpoint(f->s, w.ep[4], keep_row, &row));
	assert_int_equal(row.id, w.ep[4]);
	assert_int_equal(row.unit_id, w.b);
	assert_int_equal(row.active_detections, 2);
	assert_int_equal(row.last_seen, NOW - 3 * DAY);
	assert_false(row.vault_known); /* never reported */
	rq_endpoint_status hb = {.realtime = -1, .firewall = -1, .vault_known = 1, .vault_free = 0,
				 .vault_total = 3LL << 40};
	FX_OK(rq_store_endpoint_heartbeat(f->s, w.ep[4], &hb, NOW - 3 * DAY));
	FX_OK(rq_store_fleet_endpoint(f->s, w.ep[4], keep_row, &row));
	assert_true(row.vault_known && row.vault_free == 0 && row.vault_total == 3LL << 40);
	assert_int_equal(rq_store_fleet_endpoint(f->s, 9999, keep_row, &row), RQ_ENOTFOUND);
	FX_OK(rq_store_fleet_scans(f->s, w.ep[0], 10, count_scan, &n));
	assert_int_equal(n, 2);
	n = 0;
	FX_OK(rq_store_fleet_scans(f->s, w.ep[0], 1, count_scan, &n));
	assert_int_equal(n, 1);

	int64_t cred;
	FX_OK(rq_store_credential_add(f->s, &cred, w.ep[4], "hash-of-secret", NOW));
	FX_OK(rq_store_credential_current(f->s, w.ep[4], hash, sizeof(hash)));
	FX_OK(rq_store_fleet_endpoint_retire(f->s, w.ep[4], NOW, &unit));
	assert_int_equal(unit, w.b);
	assert_int_equal(rq_store_credential_current(f->s, w.ep[4], hash, sizeof(hash)), RQ_ENOTFOUND);
	assert_int_equal(rq_store_fleet_endpoint_unit(f->s, w.ep[4], &unit), RQ_ENOTFOUND);
	assert_int_equal(fx_int(f->s, "SELECT COUNT(*) FROM detections"), 3);
	assert_int_equal(fx_int(f->s, "SELECT COUNT(*) FROM connections"), 1);
	assert_int_equal(rq_store_fleet_endpoint_retire(f->s, w.ep[4], NOW, &unit), RQ_ENOTFOUND);
	rq_endpoint_filter flt = ANY;
	list(f, flt, 5);
}

static seen dlist(fx *f, rq_detection_filter flt, int64_t want_total)
{
	seen s;
	int64_t total = -1;
	memset(&s, 0, sizeof(s));
	if (!flt.limit)
		flt.limit = 50;
	FX_OK(rq_store_fleet_detections(f->s, &flt, &total, see_detection, &s));
	if (total != want_total)
		fail_msg("total %lld, want %lld", (long long)total, (long long)want_total);
	return s;
}

static int64_t detection_id(fx *f, int64_t ep, const char *sha)
{
	rq_stmt *st = NULL;
	int64_t id = 0;
	FX_OK(rq_store_prepare(f->s, &st, "SELECT id FROM detections WHERE endpoint_id = $1 AND sha256 = $2"));
	FX_OK(rq_stmt_bind_int64(st, 1, ep));
	FX_OK(rq_stmt_bind_text(st, 2, sha));
	FX_OK(rq_stmt_step_int64(st, &id));
	rq_stmt_finalize(st);
	return id;
}

static int keep_detection(const rq_detection_row *r, void *payload)
{
	rq_detection_row *out = payload;
	*out = *r;
	out->path = out->sha256 = out->name = out->state = out->hostname = out->unit_code = NULL;
	assert_string_equal(r->hostname, "echo");
	assert_string_equal(r->unit_code, "B");
	assert_string_equal(r->name, "Worm.Y_100%");
	assert_string_equal(r->path, "/opt/z");
	return 0;
}

static void test_detections(void **state)
{
	fx *f = *state;
	world w;
	seen s;
	build(f, &w);
	rq_detection_filter flt = {.desc = 1};
	s = dlist(f, flt, 5);
	assert_string_equal(s.names[0], "Worm.Y"); /* newest first: alpha's, NOW-1d */
	flt.desc = 0;
	s = dlist(f, flt, 5);
	assert_string_equal(s.names[0], "Trojan.X"); /* bravo's, NOW-9d */

	memset(&flt, 0, sizeof(flt));
	flt.unit_id = w.b;
	dlist(f, flt, 2);
	flt.unit_id = w.a;
	flt.state = "active";
	dlist(f, flt, 1);
	memset(&flt, 0, sizeof(flt));
	flt.endpoint_id = w.ep[4];
	dlist(f, flt, 2);
	memset(&flt, 0, sizeof(flt));
	flt.sha256 = SHA_A;
	dlist(f, flt, 3);
	flt.sha256 = "' OR 1=1 --";
	dlist(f, flt, 0);
	memset(&flt, 0, sizeof(flt));
	flt.name = "worm";
	dlist(f, flt, 2);
	flt.name = "_100%"; /* literal */
	dlist(f, flt, 1);
	flt.name = "y%";
	dlist(f, flt, 0);
	/* seen within [NOW-4.5d, NOW-2d): last_seen >= since and first_seen < until */
	memset(&flt, 0, sizeof(flt));
	flt.since = NOW - 4 * DAY - DAY / 2;
	flt.until = NOW - 2 * DAY;
	dlist(f, flt, 2);
	flt.until = 0;
	dlist(f, flt, 3);

	memset(&flt, 0, sizeof(flt));
	flt.sort = RQ_DET_SORT_HOSTNAME;
	s = dlist(f, flt, 5);
	assert_int_equal(s.ids[0], detection_id(f, w.ep[0], SHA_B)); /* alpha */
	flt.sort = RQ_DET_SORT_NAME;
	flt.limit = 2;
	flt.offset = 3;
	s = dlist(f, flt, 5);
	assert_int_equal(s.count, 2);
	assert_string_equal(s.names[0], "Worm.Y");
	assert_string_equal(s.names[1], "Worm.Y_100%");

	rq_detection_row row;
	int64_t id = detection_id(f, w.ep[4], SHA_B);
	FX_OK(rq_store_fleet_detection(f->s, id, keep_detection, &row));
	assert_int_equal(row.id, id);
	assert_int_equal(row.unit_id, w.b);
	assert_int_equal(rq_store_fleet_detection(f->s, 9999, keep_detection, &row), RQ_ENOTFOUND);

	int64_t eps, units;
	FX_OK(rq_store_fleet_sha256_spread(f->s, SHA_A, 0, &eps, &units));
	assert_true(eps == 3 && units == 2);
	FX_OK(rq_store_fleet_sha256_spread(f->s, SHA_A, w.a, &eps, &units));
	assert_true(eps == 2 && units == 1);
	FX_OK(rq_store_fleet_sha256_spread(f->s, SHA_B, w.p, &eps, &units));
	assert_true(eps == 2 && units == 2);
	FX_OK(rq_store_fleet_sha256_spread(f->s, "none", 0, &eps, &units));
	assert_true(eps == 0 && units == 0);
}

static void test_connections(void **state)
{
	fx *f = *state;
	world w;
	seen s;
	int64_t total;
	build(f, &w);
	rq_connection_filter flt = {.limit = 50};
	memset(&s, 0, sizeof(s));
	FX_OK(rq_store_fleet_connections(f->s, &flt, &total, see_connection, &s));
	assert_int_equal(total, 3);
	assert_string_equal(s.names[0], "203.0.113.7"); /* newest first */
	assert_string_equal(s.names[2], "198.51.100.1");
	flt.unit_id = w.b;
	memset(&s, 0, sizeof(s));
	FX_OK(rq_store_fleet_connections(f->s, &flt, &total, see_connection, &s));
	assert_int_equal(total, 2);
	flt.unit_id = w.a;
	FX_OK(rq_store_fleet_connections(f->s, &flt, &total, see_connection, &s));
	assert_int_equal(total, 0);
	flt.unit_id = 0;
	flt.endpoint_id = w.ep[0];
	FX_OK(rq_store_fleet_connections(f->s, &flt, &total, see_connection, &s));
	assert_int_equal(total, 1);
	flt.endpoint_id = 0;
	flt.since = NOW - DAY - DAY / 2;
	flt.limit = 1;
	memset(&s, 0, sizeof(s));
	FX_OK(rq_store_fleet_connections(f->s, &flt, &total, see_connection, &s));
	assert_int_equal(total, 1);
	assert_int_equal(s.count, 1);
}

static int see_unit(int64_t id, const char *name, const char *code, void *payload)
{
	seen *s = payload;
	(void)code;
	if (s->count < 32) {
		s->ids[s->count] = id;
		snprintf(s->names[s->count], sizeof(s->names[0]), "%s", name);
	}
	s->count++;
	return 0;
}

static void test_child_units(void **state)
{
	fx *f = *state;
	world w;
	seen s;
	build(f, &w);
	memset(&s, 0, sizeof(s));
	FX_OK(rq_store_fleet_child_units(f->s, w.p, see_unit, &s));
	assert_int_equal(s.count, 2);
	assert_true(s.ids[0] == w.a && s.ids[1] == w.b);
	memset(&s, 0, sizeof(s));
	FX_OK(rq_store_fleet_child_units(f->s, 0, see_unit, &s));
	assert_int_equal(s.count, 1);
	assert_int_equal(s.ids[0], w.p);
	memset(&s, 0, sizeof(s));
	FX_OK(rq_store_fleet_child_units(f->s, w.a, see_unit, &s));
	assert_int_equal(s.count, 0);
}

static void test_sql_builder(void **state)
{
	fx *f = *state;
	rq_sqlb b;
	rq_stmt *st = NULL;
	rq_sqlb_init(&b);
	rq_sqlb_add(&b, "SELECT 1 WHERE 1 = 1");
	rq_sqlb_int(&b, " AND ? = 7 AND ? + 1 = 8", 7);
	rq_sqlb_text(&b, " AND ? = 'x''y'", "x'y");
	assert_string_equal(b.sql, "SELECT 1 WHERE 1 = 1 AND $1 = 7 AND $1 + 1 = 8 AND $2 = 'x''y'");
	/* PostgreSQL wants the parameters' types: text compares with text */
	if (f->pg) {
		rq_sqlb_init(&b);
		rq_sqlb_add(&b, "SELECT 1 WHERE 1 = 1");
		rq_sqlb_int(&b, " AND ?::bigint = 7 AND ?::bigint + 1 = 8", 7);
		rq_sqlb_text(&b, " AND ?::text = 'x''y'", "x'y");
	}
	FX_OK(rq_sqlb_prepare(&b, f->s, &st));
	assert_int_equal(rq_stmt_step(st), RQ_STORE_ROW);
	rq_stmt_finalize(st);

	/* overflow of parameters or text: refused, never truncated SQL */
	rq_sqlb_init(&b);
	for (int i = 0; i < RQ_SQLB_MAX_PARAMS + 1; i++)
		rq_sqlb_int(&b, " ?", i);
	assert_int_equal(rq_sqlb_prepare(&b, f->s, &st), RQ_ELIMIT);
	rq_sqlb_init(&b);
	for (int i = 0; i < RQ_SQLB_MAX_SQL / 8; i++)
		rq_sqlb_add(&b, " 1234567890");
	assert_int_equal(rq_sqlb_prepare(&b, f->s, &st), RQ_ELIMIT);
	rq_sqlb_init(&b);
	rq_sqlb_add(&b, "SELECT ?");
	assert_int_equal(rq_sqlb_prepare(&b, f->s, &st), RQ_ELIMIT);

	char pat[64];
	FX_OK(rq_fleet_like_pattern(pat, sizeof(pat), "a%b_c\\d"));
	assert_string_equal(pat, "%a\\%b\\_c\\\\d%");
	assert_int_equal(rq_fleet_like_pattern(pat, sizeof(pat), "this needle is far too long for that buffer"),
			 RQ_EINVAL);
}

int main(void)
{
	struct CMUnitTest tests[] = {
		cmocka_unit_test(test_endpoint_filters),
		cmocka_unit_test(test_endpoint_search),
		cmocka_unit_test(test_endpoint_sort_and_paging),
		cmocka_unit_test(test_endpoint_detail_and_retire),
		cmocka_unit_test(test_detections),
		cmocka_unit_test(test_connections),
		cmocka_unit_test(test_child_units),
		cmocka_unit_test(test_sql_builder),
	};
	return RUN_BOTH("fleet", tests, 0);
}
