/*
 * Tests of the store's side of the national reports (store/ncsc.h) on
 * both backends: the figures (which detections and connections count, the
 * outdated-machine count) and the submissions queue (claim lease, outcome,
 * schedule slot uniqueness, list and get).
 */
#include "store_fixture.h"

#include "store/ncsc.h"

#define NOW 2000000000LL
#define DAY 86400LL

static void seed(rq_store *s)
{
	FX_OK(rq_store_exec(s, "INSERT INTO units (name, code, created_at, updated_at) VALUES ('P', 'p', 1, 1)"));
	/* 1: fresh; 2: 20 days old; 3: never reported; 4: exactly 15 days old (not outdated) */
	FX_OK(rq_store_exec(s, "INSERT INTO endpoints (unit_id, hostname, kind, ips, os_name, os_version, realtime,"
			       " firewall, db_newest_build, created_at) VALUES"
			       " (1, 'alpha', 'workstation', '[\"10.0.0.5\",\"fe80::1\"]', 'Windows', '10', 1, 0, 1999900000, 1),"
			       " (1, 'bravo', 'server', '[]', 'Debian', '12', 0, 1, 1998272000, 1),"
			       " (1, 'charlie', 'other', '[]', '', '', 0, 0, NULL, 1),"
			       " (1, 'delta', 'workstation', '[]', '', '', 0, 0, 1998704000, 1)"));
	FX_OK(rq_store_exec(s, "INSERT INTO detections (endpoint_id, path, sha256, name, type, state, first_seen, last_seen)"
			       " VALUES (1, '/a', 'x', 'Eicar', 'virus', 'active', 1, 1),"         /* active: always, however old */
			       " (1, '/b', 'y', 'Eicar', 'virus', 'quarantined', 1999990000, 1999990000),"
			       " (1, '/c', 'z', 'Eicar', 'virus', 'quarantined', 1, 1),"           /* old: out */
			       " (1, '/d', 'w', 'Trojan.X', '', 'ignored', 1999990000, 1999990000)," /* false positive: out */
			       " (2, '/e', 'v', 'Trojan.X', 'trojan', 'removed', 1999990000, 1999990000)"));
	FX_OK(rq_store_exec(s, "INSERT INTO connections (endpoint_id, event_uuid, remote_addr, process_path, process_md5,"
			       " process_sha256, seen_at) VALUES"
			       " (2, 'u1', '203.0.113.9', '/usr/bin/evil', 'm1', 's1', 1999990000),"
			       " (2, 'u2', '203.0.113.9', '/usr/bin/evil', 'm1', 's1', 1999990100)," /* same: one row */
			       " (2, 'u3', '198.51.100.1', '/usr/bin/evil', '', '', 1000)"));     /* old: out */
}

typedef struct seen {
	char text[1024];
	int rows;
} seen;

static int add_malware(const rq_ncsc_malware *m, void *payload)
{
	seen *s = payload;
	size_t n = strlen(s->text);
	snprintf(s->text + n, sizeof(s->text) - n, "%s/%s/%s/%s/%lld/%lld/%lld/%lld;", m->hostname, m->kind, m->name,
		 m->type, (long long)m->files, (long long)m->active, (long long)m->quarantined, (long long)m->removed);
	s->rows++;
	return 0;
}

static int add_connection(const rq_ncsc_connection *c, void *payload)
{
	seen *s = payload;
	size_t n = strlen(s->text);
	snprintf(s->text + n, sizeof(s->text) - n, "%s/%s/%s/%s/%s;", c->hostname, c->process_path, c->md5, c->sha256,
		 c->remote_addr);
	s->rows++;
	return 0;
}

static int add_machine(const rq_ncsc_machine *m, void *payload)
{
	seen *s = payload;
	size_t n = strlen(s->text);
	snprintf(s->text + n, sizeof(s->text) - n, "%s/%s/%d/%d/%lld;", m->hostname, m->ips_json, m->realtime, m->firewall,
		 (long long)m->db_newest_build);
	s->rows++;
	return 0;
}

static void test_figures(void **state)
{
	fx *f = *state;
	seen s;
	int64_t outdated = -1;
	seed(f->s);
	memset(&s, 0, sizeof(s));
	FX_OK(rq_store_ncsc_malware(f->s, NOW - DAY, add_malware, &s));
	assert_string_equal(s.text, "alpha/workstation/Eicar/virus/2/1/1/0;bravo/server/Trojan.X/trojan/1/0/0/1;");
	memset(&s, 0, sizeof(s));
	FX_OK(rq_store_ncsc_connections(f->s, NOW - DAY, add_connection, &s));
	assert_string_equal(s.text, "bravo//usr/bin/evil/m1/s1/203.0.113.9;");
	memset(&s, 0, sizeof(s));
	FX_OK(rq_store_ncsc_machines(f->s, add_machine, &s));
	assert_int_equal(s.rows, 4);
	assert_non_null(strstr(s.text, "alpha/[\"10.0.0.5\",\"fe80::1\"]/1/0/1999900000;"));
	assert_non_null(strstr(s.text, "charlie/[]/0/0/0;"));
	FX_OK(rq_store_ncsc_outdated(f->s, NOW - 15 * DAY, &outdated));
	assert_int_equal(outdated, 2); /* bravo (20 days) and charlie (unknown); delta is exactly 15 */
}

typedef struct got {
	int64_t id, attempts;
	char state[16], document[64], made_by[32];
	int rows;
} got;

static int keep(const rq_ncsc_submission *r, void *payload)
{
	got *g = payload;
	g->id = r->id;
	g->attempts = r->attempts;
	snprintf(g->state, sizeof(g->state), "%s", r->state);
	snprintf(g->made_by, sizeof(g->made_by), "%s", r->made_by);
	snprintf(g->document, sizeof(g->document), "%s", r->document ? r->document : "(none)");
	g->rows++;
	return 0;
}

static void test_queue(void **state)
{
	fx *f = *state;
	rq_ncsc_submission sub;
	int64_t a = 0, b = 0, c = 0, total = 0;
	int used = -1;
	got g;
	memset(&sub, 0, sizeof(sub));
	sub.made_by = "schedule";
	sub.schedule_slot = NOW;
	sub.report_time = NOW;
	sub.created_at = NOW;
	sub.url = "https://ncsc.example/AVReport/server.php";
	sub.size = 5;
	sub.sha256 = "00";
	sub.document = fx_nasty;
	FX_OK(rq_store_ncsc_insert(f->s, &sub, &a));
	FX_OK(rq_store_ncsc_slot_used(f->s, NOW, &used));
	assert_int_equal(used, 1);
	assert_int_equal(rq_store_ncsc_insert(f->s, &sub, &b), RQ_STORE_ECONSTRAINT); /* one per slot */
	FX_OK(rq_store_ncsc_slot_used(f->s, NOW + DAY, &used));
	assert_int_equal(used, 0);
	sub.schedule_slot = 0;
	sub.made_by = "root";
	sub.created_at = NOW + 10;
	sub.document = "<b/>";
	FX_OK(rq_store_ncsc_insert(f->s, &sub, &b));
	FX_OK(rq_store_ncsc_insert(f->s, &sub, &c)); /* slots NULL: any number */

	/* nothing due before its time; then the first made first, with its document */
	memset(&g, 0, sizeof(g));
	assert_int_equal(rq_store_ncsc_claim(f->s, NOW - 1, NOW + 100, keep, &g), RQ_ENOTFOUND);
	FX_OK(rq_store_ncsc_claim(f->s, NOW, NOW + 100, keep, &g));
	assert_int_equal(g.id, a);
	assert_int_equal(g.attempts, 1);
	assert_memory_equal(g.document, fx_nasty, strlen(g.document));
	/* leased: another claim at the same time does not get it */
	memset(&g, 0, sizeof(g));
	assert_int_equal(rq_store_ncsc_claim(f->s, NOW + 1, NOW + 100, keep, &g), RQ_ENOTFOUND);
	/* a failed attempt: due again later; then sent */
	FX_OK(rq_store_ncsc_outcome(f->s, a, "queued", NOW + 2, NOW + 50, 500, "<error/>", "the centre answered HTTP 500"));
	FX_OK(rq_store_ncsc_claim(f->s, NOW + 20, NOW + 120, keep, &g));
	assert_int_equal(g.id, b);
	FX_OK(rq_store_ncsc_outcome(f->s, b, "sent", NOW + 21, 0, 200, "ok", ""));
	FX_OK(rq_store_ncsc_claim(f->s, NOW + 20, NOW + 120, keep, &g));
	assert_int_equal(g.id, c);
	FX_OK(rq_store_ncsc_outcome(f->s, c, "failed", NOW + 21, 0, 0, "", "timed out"));
	FX_OK(rq_store_ncsc_claim(f->s, NOW + 60, NOW + 160, keep, &g));
	assert_int_equal(g.id, a);
	assert_int_equal(g.attempts, 2);
	assert_int_equal(rq_store_ncsc_claim(f->s, NOW + 100, NOW + 200, keep, &g), RQ_ENOTFOUND); /* a: leased till +160 */
	assert_int_equal(fx_int(f->s, "SELECT COUNT(*) FROM ncsc_submissions WHERE state = 'sent' AND sent_at IS NOT NULL"
				      " AND next_attempt_at IS NULL AND http_status = 200"), 1);
	assert_int_equal(fx_int(f->s, "SELECT COUNT(*) FROM ncsc_submissions WHERE state = 'failed' AND sent_at IS NULL"
				      " AND next_attempt_at IS NULL AND http_status IS NULL"), 1);

	/* list: newest first, paged, no documents; get with or without */
	memset(&g, 0, sizeof(g));
	FX_OK(rq_store_ncsc_list(f->s, 2, 0, &total, keep, &g));
	assert_int_equal(total, 3);
	assert_int_equal(g.rows, 2);
	assert_int_equal(g.id, b); /* the last one given */
	assert_string_equal(g.document, "(none)");
	memset(&g, 0, sizeof(g));
	FX_OK(rq_store_ncsc_list(f->s, 2, 2, &total, keep, &g));
	assert_int_equal(g.rows, 1);
	assert_int_equal(g.id, a);
	FX_OK(rq_store_ncsc_get(f->s, b, 1, keep, &g));
	assert_string_equal(g.document, "<b/>");
	assert_string_equal(g.made_by, "root");
	assert_string_equal(g.state, "sent");
	FX_OK(rq_store_ncsc_get(f->s, b, 0, keep, &g));
	assert_string_equal(g.document, "(none)");
	assert_int_equal(rq_store_ncsc_get(f->s, 9999, 0, keep, &g), RQ_ENOTFOUND);
}

int main(void)
{
	struct CMUnitTest tests[] = {
		cmocka_unit_test(test_figures),
		cmocka_unit_test(test_queue),
	};
	return RUN_BOTH("ncsc", tests, 0);
}
