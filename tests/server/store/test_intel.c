/*
 * Tests of the indicator store (store/intel.h) on both backends: one row
 * per (type, value) whatever the sources, re-imports that update and never
 * duplicate, the allow-list flag and its removal, deletion, the filtered
 * list, expiry, the feed events and the change counter.
 */
#include "store_fixture.h"

#include "store/intel.h"

#define NOW 2000000000LL

static rq_intel_indicator ind(rq_intel_type type, const char *value, const char *name, int confidence)
{
	return (rq_intel_indicator){ .type = type, .value = (char *)value, .name = (char *)name, .description = "",
				     .ref = "line 1", .confidence = confidence };
}

static const char sha_a[] = "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f";
static const char md5_b[] = "44d88612fea8a8f36de82e1278abb02f";

static void test_upsert(void **state)
{
	fx *f = *state;
	int64_t s1 = 0, s2 = 0, again = 0;
	int created = -1;
	FX_OK(rq_store_intel_source(f->s, "bulletin", "ioc-list", "/tmp/b.txt", NOW, &s1));
	FX_OK(rq_store_intel_source(f->s, "partner", "misp-event", "", NOW, &s2));
	FX_OK(rq_store_intel_source(f->s, "bulletin", "ioc-list", "", NOW + 5, &again));
	assert_int_equal(s1, again);
	assert_int_equal(fx_int(f->s, "SELECT last_import FROM intel_sources WHERE name = 'bulletin'"), NOW + 5);
	assert_int_equal(rq_store_intel_source(f->s, "bulletin", "yara", "", NOW, &again), RQ_STORE_ECONSTRAINT);

	rq_intel_indicator a = ind(RQ_INTEL_SHA256, sha_a, "Eicar", 40);
	FX_OK(rq_store_intel_upsert(f->s, s1, &a, NOW, &created));
	assert_int_equal(created, 1);
	a.name = "";
	a.confidence = 20;
	FX_OK(rq_store_intel_upsert(f->s, s1, &a, NOW + 10, &created)); /* the same list again */
	assert_int_equal(created, 0);
	a.name = "Other";
	a.description = (char *)fx_nasty;
	a.confidence = 90;
	FX_OK(rq_store_intel_upsert(f->s, s2, &a, NOW + 20, &created)); /* another source */
	assert_int_equal(created, 0);
	assert_int_equal(fx_int(f->s, "SELECT COUNT(*) FROM intel_indicators"), 1);
	assert_int_equal(fx_int(f->s, "SELECT COUNT(*) FROM intel_indicator_sources"), 2);
	assert_int_equal(fx_int(f->s, "SELECT confidence FROM intel_indicators"), 90);
	assert_int_equal(fx_int(f->s, "SELECT first_seen FROM intel_indicators"), NOW);
	assert_int_equal(fx_int(f->s, "SELECT last_seen FROM intel_indicators"), NOW + 20);
	assert_int_equal(fx_int(f->s, "SELECT imported_at FROM intel_indicators"), NOW + 20);
	/* the first name stays (it names the detection); an empty description gets one */
	assert_int_equal(fx_int_text(f->s, "SELECT COUNT(*) FROM intel_indicators WHERE name = $1", "Eicar"), 1);
	assert_int_equal(fx_int_text(f->s, "SELECT COUNT(*) FROM intel_indicators WHERE description = $1", fx_nasty), 1);
	assert_int_equal(fx_int(f->s, "SELECT confidence FROM intel_indicator_sources WHERE source_id = 1"), 20);
}

typedef struct seen {
	char text[2048];
	int rows;
} seen;

static int collect(const rq_intel_row *r, void *payload)
{
	seen *s = payload;
	size_t n = strlen(s->text);
	snprintf(s->text + n, sizeof(s->text) - n, "%s%s:%s:%d:%s", s->rows ? " " : "", r->type, r->name,
		 r->allowlisted, r->sources ? r->sources : (r->body ? r->body : "-"));
	s->rows++;
	return 0;
}

static void seed(fx *f)
{
	int64_t s1 = 0, s2 = 0;
	FX_OK(rq_store_intel_source(f->s, "list", "ioc-list", "", NOW, &s1));
	FX_OK(rq_store_intel_source(f->s, "feed", "misp-feed", "", NOW, &s2));
	rq_intel_indicator a = ind(RQ_INTEL_SHA256, sha_a, "A", 50);
	rq_intel_indicator b = ind(RQ_INTEL_MD5, md5_b, "B_100%", 50);
	rq_intel_indicator c = ind(RQ_INTEL_DOMAIN, "evil.example.com", "C", 50);
	rq_intel_indicator y = ind(RQ_INTEL_YARA, md5_b, "rules.yar", 100);
	y.value = "00000000000000000000000000000000000000000000000000000000000000aa";
	y.body = "rule r { condition: true }";
	c.expires_at = NOW + 100;
	FX_OK(rq_store_intel_upsert(f->s, s1, &a, NOW, NULL));
	FX_OK(rq_store_intel_upsert(f->s, s1, &b, NOW + 1, NULL));
	FX_OK(rq_store_intel_upsert(f->s, s2, &b, NOW + 2, NULL));
	FX_OK(rq_store_intel_upsert(f->s, s2, &c, NOW + 3, NULL));
	FX_OK(rq_store_intel_upsert(f->s, s1, &y, NOW + 4, NULL));
}

static void test_list(void **state)
{
	fx *f = *state;
	int64_t total = 0;
	seed(f);
	seen s = { "", 0 };
	rq_intel_filter all = { .allowlisted = -1 };
	FX_OK(rq_store_intel_list(f->s, &all, 10, 0, &total, collect, &s));
	assert_int_equal(total, 4);
	assert_string_equal(s.text, "yara:rules.yar:0:list domain:C:0:feed md5:B_100%:0:feed,list sha256:A:0:list");
	rq_intel_filter by_source = { .source = "feed", .allowlisted = -1 };
	memset(&s, 0, sizeof(s));
	FX_OK(rq_store_intel_list(f->s, &by_source, 10, 0, &total, collect, &s));
	assert_int_equal(total, 2);
	rq_intel_filter q = { .q = "b_100%", .allowlisted = -1 }; /* LIKE metacharacters are literal */
	memset(&s, 0, sizeof(s));
	FX_OK(rq_store_intel_list(f->s, &q, 10, 0, &total, collect, &s));
	assert_int_equal(total, 1);
	assert_string_equal(s.text, "md5:B_100%:0:feed,list");
	rq_intel_filter q2 = { .q = "B_1000", .allowlisted = -1 };
	FX_OK(rq_store_intel_list(f->s, &q2, 10, 0, &total, collect, &s));
	assert_int_equal(total, 0);
	rq_intel_filter by_type = { .type = "domain", .allowlisted = -1 };
	FX_OK(rq_store_intel_list(f->s, &by_type, 10, 0, &total, collect, &s));
	assert_int_equal(total, 1);
	memset(&s, 0, sizeof(s));
	FX_OK(rq_store_intel_list(f->s, &all, 2, 2, &total, collect, &s)); /* a page */
	assert_int_equal(s.rows, 2);
	assert_int_equal(total, 4);

	/* active at a time: the domain expired at NOW + 100 */
	memset(&s, 0, sizeof(s));
	FX_OK(rq_store_intel_active(f->s, NOW + 100, collect, &s));
	assert_int_equal(s.rows, 3);
	assert_non_null(strstr(s.text, "yara:rules.yar:0:rule r { condition: true }"));
	int expired = 0;
	FX_OK(rq_store_intel_expired_since(f->s, NOW, NOW + 99, &expired));
	assert_int_equal(expired, 0);
	FX_OK(rq_store_intel_expired_since(f->s, NOW, NOW + 100, &expired));
	assert_int_equal(expired, 1);
}

static void test_allow_and_delete(void **state)
{
	fx *f = *state;
	int64_t id = 0, fp = 0, total = 0;
	seed(f);
	/* an imported hash confirmed a false positive: kept, flagged */
	FX_OK(rq_store_intel_allow(f->s, RQ_INTEL_SHA256, sha_a, "fp", NOW + 50, &id));
	assert_int_equal(fx_int(f->s, "SELECT allowlisted FROM intel_indicators WHERE type = 'sha256'"), 1);
	/* a re-import does not undo the allow-list */
	int64_t s1 = 0;
	FX_OK(rq_store_intel_source(f->s, "list", "ioc-list", "", NOW, &s1));
	rq_intel_indicator a = ind(RQ_INTEL_SHA256, sha_a, "A", 50);
	FX_OK(rq_store_intel_upsert(f->s, s1, &a, NOW + 60, NULL));
	assert_int_equal(fx_int(f->s, "SELECT allowlisted FROM intel_indicators WHERE type = 'sha256'"), 1);
	/* a hash no source listed: made by the allow-list */
	FX_OK(rq_store_intel_allow(f->s, RQ_INTEL_SHA1, "3395856ce81f2b7382dee72602f798b642f14140", NULL, NOW, &fp));
	seen s = { "", 0 };
	rq_intel_filter only = { .allowlisted = 1 };
	FX_OK(rq_store_intel_list(f->s, &only, 10, 0, &total, collect, &s));
	assert_int_equal(total, 2);
	assert_non_null(strstr(s.text, "sha1::1:local"));
	/* un-allow-listing: the imported one stays, the allow-list's own goes */
	FX_OK(rq_store_intel_unallow(f->s, id));
	assert_int_equal(fx_int(f->s, "SELECT allowlisted FROM intel_indicators WHERE type = 'sha256'"), 0);
	FX_OK(rq_store_intel_unallow(f->s, fp));
	assert_int_equal(fx_int(f->s, "SELECT COUNT(*) FROM intel_indicators WHERE type = 'sha1'"), 0);
	assert_int_equal(rq_store_intel_unallow(f->s, id), RQ_ENOTFOUND);
	/* deleting takes the source links along */
	FX_OK(rq_store_intel_delete(f->s, id));
	assert_int_equal(rq_store_intel_delete(f->s, id), RQ_ENOTFOUND);
	assert_int_equal(fx_int(f->s, "SELECT COUNT(*) FROM intel_indicator_sources l WHERE NOT EXISTS"
				      " (SELECT 1 FROM intel_indicators i WHERE i.id = l.indicator_id)"), 0);
}

static void test_state_and_feed(void **state)
{
	fx *f = *state;
	rq_intel_state st;
	char key[80];
	int64_t src = 0;
	FX_OK(rq_store_intel_state(f->s, &st));
	assert_int_equal(st.generation, 0);
	FX_OK(rq_store_intel_touch(f->s, NOW));
	FX_OK(rq_store_intel_touch(f->s, NOW + 1));
	FX_OK(rq_store_intel_state(f->s, &st));
	assert_int_equal(st.generation, 2);
	assert_int_equal(st.changed_at, NOW + 1);
	FX_OK(rq_store_intel_published(f->s, 2, 7, NOW + 2, ""));
	FX_OK(rq_store_intel_published(f->s, 0, 0, NOW + 3, "disk full"));
	FX_OK(rq_store_intel_state(f->s, &st));
	assert_int_equal(st.published_generation, 2);
	assert_int_equal(st.published_version, 7);
	assert_int_equal(st.published_at, NOW + 3);
	assert_string_equal(st.last_error, "disk full");

	FX_OK(rq_store_intel_source(f->s, "usb", "misp-feed", "/media/usb/feed", NOW, &src));
	assert_int_equal(rq_store_intel_feed_key(f->s, "usb", "5c1b6a4e-0000-4000-8000-000000000001", key), RQ_ENOTFOUND);
	FX_OK(rq_store_intel_feed_mark(f->s, src, "5c1b6a4e-0000-4000-8000-000000000001", fx_nasty, 2, "ts:1", NOW));
	FX_OK(rq_store_intel_feed_mark(f->s, src, "5c1b6a4e-0000-4000-8000-000000000001", "x", 0, "ts:2", NOW));
	FX_OK(rq_store_intel_feed_key(f->s, "usb", "5c1b6a4e-0000-4000-8000-000000000001", key));
	assert_string_equal(key, "ts:2");
	assert_int_equal(fx_int(f->s, "SELECT COUNT(*) FROM intel_feed_events"), 1);
}

int main(void)
{
	struct CMUnitTest tests[] = {
		cmocka_unit_test(test_upsert),
		cmocka_unit_test(test_list),
		cmocka_unit_test(test_allow_and_delete),
		cmocka_unit_test(test_state_and_feed),
	};
	return RUN_BOTH("intel", tests, 0);
}
