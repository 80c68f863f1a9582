/*
 * Tests of the store's side of sharing (store/sharing.h) on both backends:
 * which detections and connections a period holds (false positives out,
 * overlap of a detection with the period, the all-time first sighting),
 * per unit, and the TAXII registry (date_added kept for a known version,
 * renewed for a newer one, never for an older one) and the TAXII status
 * rows (kept once per id, read back as written).
 */
#include "store_fixture.h"

#include "store/sharing.h"
#include "store/taxii_status.h"

static void seed(rq_store *s)
{
	FX_OK(rq_store_exec(s, "INSERT INTO units (name, code, created_at, updated_at) VALUES ('A', 'a', 50, 60),"
			       " ('B', 'b', 40, 40)"));
	FX_OK(rq_store_exec(s, "INSERT INTO endpoints (unit_id, hostname, kind, ips, created_at) VALUES"
			       " (1, 'alpha', 'workstation', '[]', 1), (2, 'bravo', 'server', '[]', 1)"));
	FX_OK(rq_store_exec(s, "INSERT INTO detections (endpoint_id, path, sha256, md5, name, type, state, first_seen,"
			       " last_seen) VALUES"
			       " (1, '/x1', 'sx', 'mx', 'Trojan', 'sha256', 'removed', 100, 150),"  /* before the period */
			       " (1, '/x2', 'sx', 'mx', 'Trojan', 'sha256', 'active', 900, 1200),"  /* overlaps it */
			       " (2, '/x3', 'sx', 'mx', 'Trojan', 'sha256', 'quarantined', 1500, 1600),"
			       " (2, '/y', 'sy', '', 'Eicar', 'body', 'active', 1100, 1100),"
			       " (2, '/z', 'sz', '', 'Fake', 'sha256', 'ignored', 1100, 1100),"   /* false positive */
			       " (2, '/late', 'sl', '', 'Late', 'sha256', 'active', 3000, 3000),"  /* after it */
			       " (2, '/none', '', '', 'Nohash', 'body', 'active', 1100, 1100)"));   /* nothing to share */
	FX_OK(rq_store_exec(s, "INSERT INTO connections (endpoint_id, event_uuid, remote_addr, remote_host, seen_at)"
			       " VALUES (1, 'u1', '203.0.113.9', 'c2.example.net', 500),"
			       " (1, 'u2', '203.0.113.9', '', 1100), (2, 'u3', '203.0.113.9', '', 1200),"
			       " (2, 'u4', '198.51.100.1', '', 2500)"));
}

typedef struct seen {
	char text[1024];
} seen;

static int add_file(const rq_shared_file *f, void *payload)
{
	seen *s = payload;
	size_t n = strlen(s->text);
	snprintf(s->text + n, sizeof(s->text) - n, "%s/%s/%s/%s/u%lld/%lld/%lld-%lld/e%lld/n%lld/%s;", f->sha256, f->md5,
		 f->name, f->type, (long long)f->unit_id, (long long)f->count, (long long)f->first_seen,
		 (long long)f->last_seen, (long long)f->ever, (long long)f->name_ever, f->path);
	return 0;
}

static int add_address(const rq_shared_address *a, void *payload)
{
	seen *s = payload;
	size_t n = strlen(s->text);
	snprintf(s->text + n, sizeof(s->text) - n, "%s/u%lld/%lld/%lld-%lld/e%lld;", a->value, (long long)a->unit_id,
		 (long long)a->count, (long long)a->first_seen, (long long)a->last_seen, (long long)a->ever);
	return 0;
}

static int stop(const rq_shared_file *f, void *payload)
{
	(void)f;
	(void)payload;
	return 1;
}

static void test_listings(void **state)
{
	fx *f = *state;
	seen s;
	int64_t since = 0;
	seed(f->s);
	/* the period [1000, 2000) */
	memset(&s, 0, sizeof(s));
	FX_OK(rq_store_shared_files(f->s, 1000, 2000, 0, add_file, &s));
	assert_string_equal(s.text, "sx/mx/Trojan/sha256/u0/2/900-1600/e100/n100//x2;"
				    "sy//Eicar/body/u0/1/1100-1100/e1100/n1100//y;");
	memset(&s, 0, sizeof(s));
	FX_OK(rq_store_shared_files(f->s, 1000, 2000, 1, add_file, &s));
	assert_string_equal(s.text, "sx/mx/Trojan/sha256/u1/1/900-1200/e100/n100//x2;"
				    "sx/mx/Trojan/sha256/u2/1/1500-1600/e100/n100//x3;"
				    "sy//Eicar/body/u2/1/1100-1100/e1100/n1100//y;");
	memset(&s, 0, sizeof(s));
	FX_OK(rq_store_shared_addresses(f->s, 1000, 2000, 0, 0, add_address, &s));
	assert_string_equal(s.text, "203.0.113.9/u0/2/1100-1200/e500;");
	memset(&s, 0, sizeof(s));
	FX_OK(rq_store_shared_addresses(f->s, 1000, 2000, 1, 0, add_address, &s));
	assert_string_equal(s.text, "203.0.113.9/u1/1/1100-1100/e500;203.0.113.9/u2/1/1200-1200/e500;");
	memset(&s, 0, sizeof(s)); /* the host name was seen before the period only */
	FX_OK(rq_store_shared_addresses(f->s, 1000, 2000, 0, 1, add_address, &s));
	assert_string_equal(s.text, "");
	FX_OK(rq_store_shared_addresses(f->s, 0, 2000, 0, 1, add_address, &s));
	assert_string_equal(s.text, "c2.example.net/u0/1/500-500/e500;");
	assert_int_equal(rq_store_shared_files(f->s, 0, 5000, 0, stop, NULL), RQ_ESTOPPED);
	FX_OK(rq_store_shared_province_since(f->s, &since));
	assert_int_equal(since, 40);
	assert_int_equal(rq_store_shared_unit(f->s, 99, NULL, NULL), RQ_ENOTFOUND);
}

static void test_registry(void **state)
{
	fx *f = *state;
	rq_taxii_entry e[3] = { { "indicator--1", 1000, 0 }, { "sighting--2", 2000, 0 }, { "malware--3", 500, 0 } };
	FX_OK(rq_store_taxii_register(f->s, e, 2, 111));
	assert_int_equal(e[0].date_added_ms, 111);
	assert_int_equal(e[1].date_added_ms, 111);
	/* known versions keep their date; a new object gets the new time */
	FX_OK(rq_store_taxii_register(f->s, e, 3, 222));
	assert_int_equal(e[0].date_added_ms, 111);
	assert_int_equal(e[1].date_added_ms, 111);
	assert_int_equal(e[2].date_added_ms, 222);
	/* a newer version: a new date; an older one (a stale reader) changes nothing */
	e[1].modified_ms = 2500;
	e[0].modified_ms = 900;
	FX_OK(rq_store_taxii_register(f->s, e, 3, 333));
	assert_int_equal(e[0].date_added_ms, 111);
	assert_int_equal(e[1].date_added_ms, 333);
	assert_int_equal(fx_int(f->s, "SELECT modified FROM taxii_objects WHERE stix_id = 'indicator--1'"), 1000);
	assert_int_equal(fx_int(f->s, "SELECT COUNT(*) FROM taxii_objects"), 3);
	FX_OK(rq_store_taxii_register(f->s, e, 0, 444));
	/* a clock behind the registry (another server's, or set back): still after the latest */
	e[2].modified_ms = 600;
	FX_OK(rq_store_taxii_register(f->s, e, 3, 100));
	assert_int_equal(e[2].date_added_ms, 334);
	assert_int_equal(e[0].date_added_ms, 111);
}

static void test_status(void **state)
{
	fx *f = *state;
	const char *id = "6f2d7a1e-0000-4000-8000-000000000001";
	char *text = NULL;
	assert_int_equal(rq_store_taxii_status_get(f->s, id, &text), RQ_ENOTFOUND);
	assert_null(text);
	FX_OK(rq_store_taxii_status_put(f->s, id, 1796600000, "{\"status\":\"complete\",\"note\":\"Đối tác\"}"));
	FX_OK(rq_store_taxii_status_get(f->s, id, &text));
	assert_string_equal(text, "{\"status\":\"complete\",\"note\":\"Đối tác\"}");
	free(text);
	/* an id is kept once */
	assert_true(rq_store_taxii_status_put(f->s, id, 1796600001, "{}") < 0);
}

int main(void)
{
	struct CMUnitTest tests[] = {
		cmocka_unit_test(test_listings),
		cmocka_unit_test(test_registry),
		cmocka_unit_test(test_status),
	};
	return RUN_BOTH("sharing", tests, 0);
}
