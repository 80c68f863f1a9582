/*
 * Tests of the importers (intel/parse.h, intel/import.h) and of the
 * compile-and-publish step (intel/publish.h), with a real store on both
 * backends: good inputs of every format; bad inputs refused whole, with
 * their bad lines numbered or their JSON path named, and nothing half
 * imported; hostile sizes stopped by the limits; MISP feeds from a folder
 * imported incrementally; indicators published as a signed database that
 * the engine loads.
 */
#include "../store/store_fixture.h"

#include <sys/stat.h>

#include "core/util.h"
#include "db/mirror.h"
#include "db/sign.h"
#include "intel/import.h"
#include "intel/limits.h"
#include "intel/parse.h"
#include "intel/publish.h"
#include "intel/stix.h"
#include "store/intel.h"

#define NOW 2000000000LL

static const char sha_a[] = "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f";

static void test_list_good(void **state)
{
	(void)state;
	rq_intel_batch b = { 0 };
	const char text[] = "\xef\xbb\xbf# a bulletin\r\n"
			    "275A021BBFB6489E54D471899F7DB9D1663FC695EC2FE2A2C4538AABF651FD0F;Emotet dropper\r\n"
			    "\n"
			    "  44d88612fea8a8f36de82e1278abb02f  \n"
			    "3395856ce81f2b7382dee72602f798b642f14140,sha1 one\n"
			    "203.0.113.7 C2 server\n"
			    "2001:DB8::1\n"
			    "evil[.]Example[.]com.;phishing\n";
	FX_OK(rq_intel_parse_list(&b, "b.txt", text, sizeof(text) - 1, 60));
	assert_int_equal(b.count, 6);
	assert_int_equal(b.items[0].type, RQ_INTEL_SHA256);
	assert_string_equal(b.items[0].value, sha_a);
	assert_string_equal(b.items[0].name, "Emotet dropper");
	assert_string_equal(b.items[0].ref, "line 2");
	assert_int_equal(b.items[0].confidence, 60);
	assert_int_equal(b.items[1].type, RQ_INTEL_MD5);
	assert_string_equal(b.items[1].name, "");
	assert_int_equal(b.items[2].type, RQ_INTEL_SHA1);
	assert_int_equal(b.items[3].type, RQ_INTEL_IPV4);
	assert_string_equal(b.items[3].name, "C2 server");
	assert_int_equal(b.items[4].type, RQ_INTEL_IPV6);
	assert_string_equal(b.items[4].value, "2001:db8::1");
	assert_int_equal(b.items[5].type, RQ_INTEL_DOMAIN);
	assert_string_equal(b.items[5].value, "evil.example.com");
	rq_intel_batch_clear(&b);
}

static void test_list_bad(void **state)
{
	(void)state;
	rq_intel_batch b = { 0 };
	const char text[] = "# header\n"
			    "44d88612fea8a8f36de82e1278abb02f\n"
			    "44d88612fea8a8f36de82e1278abb02\n" /* 31 digits */
			    "sha256:275a021bbfb6489e\n"
			    "300.1.2.3\n"
			    "-bad-.example\n"
			    "fine.example.org\n";
	assert_int_equal(rq_intel_parse_list(&b, "b.txt", text, sizeof(text) - 1, 50), RQ_EPARSE);
	assert_int_equal(b.count, 0);
	const char *why = rq_error_last();
	assert_non_null(strstr(why, "b.txt:3: bad hash"));
	assert_non_null(strstr(why, "4 bad lines: 3, 4, 5, 6"));
	/* a line past RQ_INTEL_MAX_LINE and a NUL byte are bad lines too */
	size_t n = RQ_INTEL_MAX_LINE + 10;
	char *big = malloc(n + 20);
	assert_non_null(big);
	memset(big, 'a', n);
	memcpy(big + n, "\nx\0y\n", 5);
	assert_int_equal(rq_intel_parse_list(&b, "big.txt", big, n + 5, 50), RQ_EPARSE);
	assert_non_null(strstr(rq_error_last(), "big.txt:1: line longer"));
	assert_non_null(strstr(rq_error_last(), "2 bad lines: 1, 2"));
	free(big);
}

static void test_batch_limit(void **state)
{
	(void)state;
	rq_intel_batch b = { 0 };
	rq_intel_indicator one = { .type = RQ_INTEL_IPV4, .value = "192.0.2.1" };
	int rc = 0;
	for (size_t i = 0; i <= RQ_INTEL_MAX_INDICATORS && rc == 0; i++)
		rc = rq_intel_batch_add(&b, &one);
	assert_int_equal(rc, RQ_ELIMIT);
	assert_int_equal(b.count, RQ_INTEL_MAX_INDICATORS);
	rq_intel_batch_clear(&b);
}

static const char misp_event[] =
	"{\"Event\": {\"uuid\": \"5c1b6a4e-1111-4000-8000-000000000001\", \"info\": \"Phishing wave\\nMay\","
	" \"threat_level_id\": \"1\", \"timestamp\": \"1700000000\", \"Attribute\": ["
	" {\"type\": \"sha256\", \"value\": \"275A021BBFB6489E54D471899F7DB9D1663FC695EC2FE2A2C4538AABF651FD0F\","
	"  \"to_ids\": true, \"comment\": \"dropper\"},"
	" {\"type\": \"filename|md5\", \"value\": \"invoice.exe|44d88612fea8a8f36de82e1278abb02f\", \"to_ids\": \"1\"},"
	" {\"type\": \"ip-dst|port\", \"value\": \"203.0.113.9|443\", \"to_ids\": true},"
	" {\"type\": \"domain|ip\", \"value\": \"c2.example.net|198.51.100.4\"},"
	" {\"type\": \"url\", \"value\": \"http://x.example/\", \"to_ids\": true},"
	" {\"type\": \"ip-src\", \"value\": \"192.0.2.200\", \"to_ids\": false}],"
	" \"Object\": [{\"name\": \"file\", \"Attribute\": [{\"type\": \"sha1\","
	"  \"value\": \"3395856ce81f2b7382dee72602f798b642f14140\", \"to_ids\": 1}]}]}}";

static void test_misp_event(void **state)
{
	(void)state;
	rq_intel_batch b = { 0 };
	rq_misp_event_info info;
	FX_OK(rq_intel_parse_misp_event(&b, &info, "ev.json", misp_event, sizeof(misp_event) - 1, -1));
	assert_string_equal(info.uuid, "5c1b6a4e-1111-4000-8000-000000000001");
	assert_string_equal(info.info, "Phishing wave May");
	assert_int_equal(info.threat_level, 1);
	assert_int_equal(info.attributes, 7);
	assert_int_equal(info.skipped, 2);
	assert_int_equal(b.count, 6);
	assert_string_equal(b.items[0].value, sha_a);
	assert_string_equal(b.items[0].name, "dropper");
	assert_int_equal(b.items[0].confidence, 90);
	assert_string_equal(b.items[0].ref, "5c1b6a4e-1111-4000-8000-000000000001");
	assert_string_equal(b.items[1].name, "invoice.exe");
	assert_int_equal(b.items[2].type, RQ_INTEL_IPV4);
	assert_string_equal(b.items[2].value, "203.0.113.9");
	assert_int_equal(b.items[3].type, RQ_INTEL_DOMAIN);
	assert_string_equal(b.items[4].value, "198.51.100.4");
	assert_int_equal(b.items[5].type, RQ_INTEL_SHA1);
	rq_intel_batch_clear(&b);

	static const char bad_value[] = "{\"Event\": {\"uuid\": \"5c1b6a4e-1111-4000-8000-000000000001\", \"Attribute\": ["
					"{\"type\": \"md5\", \"value\": \"44d88612fea8a8f36de82e1278abb02f\"},"
					"{\"type\": \"sha256\", \"value\": \"abc\"}]}}";
	assert_int_equal(rq_intel_parse_misp_event(&b, NULL, "ev.json", bad_value, sizeof(bad_value) - 1, -1), RQ_EPARSE);
	assert_non_null(strstr(rq_error_last(), "ev.json: Event.Attribute[1].value: bad sha256 'abc'"));
	assert_int_equal(b.count, 0);
	static const char bad_uuid[] = "{\"Event\": {\"uuid\": \"x\"}}";
	assert_int_equal(rq_intel_parse_misp_event(&b, NULL, "ev.json", bad_uuid, sizeof(bad_uuid) - 1, -1), RQ_EPARSE);
	assert_non_null(strstr(rq_error_last(), "Event.uuid"));
	static const char not_json[] = "{\"Event\": \n{";
	assert_int_equal(rq_intel_parse_misp_event(&b, NULL, "ev.json", not_json, sizeof(not_json) - 1, -1), RQ_EPARSE);
	assert_non_null(strstr(rq_error_last(), "ev.json:2: not JSON"));
	static const char bad_object[] = "{\"Event\": {\"uuid\": \"5c1b6a4e-1111-4000-8000-000000000001\", \"Object\": "
					 "[{\"Attribute\": [{\"type\": \"domain\", \"value\": 7}]}]}}";
	assert_int_equal(rq_intel_parse_misp_event(&b, NULL, "ev.json", bad_object, sizeof(bad_object) - 1, -1),
			 RQ_EPARSE);
	assert_non_null(strstr(rq_error_last(), "Event.Object[0].Attribute[0].value: missing or not a string"));
}

static void test_yara(void **state)
{
	(void)state;
	rq_intel_batch b = { 0 };
	static const char good[] = "rule Dept_Sample { strings: $a = \"raquet dept sample\" condition: $a }\n";
	FX_OK(rq_intel_parse_yara(&b, "dept.yar", good, sizeof(good) - 1, -1));
	assert_int_equal(b.count, 1);
	assert_int_equal(b.items[0].type, RQ_INTEL_YARA);
	assert_int_equal(strlen(b.items[0].value), 64);
	assert_string_equal(b.items[0].body, good);
	rq_intel_batch_clear(&b);
	static const char bad[] = "rule ok { condition: true }\nrule broken { condition: $missing }\n";
	assert_int_equal(rq_intel_parse_yara(&b, "dept.yar", bad, sizeof(bad) - 1, -1), RQ_EPARSE);
	assert_non_null(strstr(rq_error_last(), "dept.yar:2"));
	static const char include[] = "include \"/etc/passwd\"\nrule r { condition: true }\n";
	assert_int_equal(rq_intel_parse_yara(&b, "inc.yar", include, sizeof(include) - 1, -1), RQ_EPARSE);
	char *huge = calloc(1, RQ_INTEL_MAX_YARA + 2);
	assert_non_null(huge);
	memset(huge, ' ', RQ_INTEL_MAX_YARA + 1);
	assert_int_equal(rq_intel_parse_yara(&b, "huge.yar", huge, RQ_INTEL_MAX_YARA + 1, -1), RQ_ELIMIT);
	free(huge);
	assert_int_equal(b.count, 0);
}

static void test_import_transactional(void **state)
{
	fx *f = *state;
	rq_intel_result r;
	const char good[] = "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f;A\n203.0.113.7\n";
	const char bad[] = "44d88612fea8a8f36de82e1278abb02f\nnot a hash at all!\n";
	FX_OK(rq_intel_import_input(f->s, "ioc-list", "good.txt", good, sizeof(good) - 1, "bulletin", -1, NULL, NOW, NULL,
				    NULL, &r));
	assert_int_equal(r.indicators, 2);
	assert_int_equal(r.created, 2);
	FX_OK(rq_intel_import_input(f->s, "ioc-list", "good.txt", good, sizeof(good) - 1, "bulletin", -1, NULL, NOW + 1,
				    NULL, NULL, &r));
	assert_int_equal(r.created, 0); /* updated, never duplicated */
	assert_int_equal(fx_int(f->s, "SELECT COUNT(*) FROM intel_indicators"), 2);
	assert_int_equal(fx_int(f->s, "SELECT generation FROM intel_state"), 2);
	assert_int_equal(rq_intel_import_input(f->s, "ioc-list", "bad.txt", bad, sizeof(bad) - 1, NULL, -1, NULL, NOW, NULL,
					       NULL, &r),
			 RQ_EPARSE);
	assert_non_null(strstr(rq_error_last(), "bad.txt:2:"));
	assert_int_equal(fx_int(f->s, "SELECT COUNT(*) FROM intel_indicators"), 2);
	assert_int_equal(fx_int(f->s, "SELECT COUNT(*) FROM intel_sources"), 1);
	assert_int_equal(fx_int(f->s, "SELECT generation FROM intel_state"), 2);
	assert_int_equal(rq_intel_import_input(f->s, "stix", "x", good, 3, NULL, -1, NULL, NOW, NULL, NULL, &r), RQ_EINVAL);
	FX_OK(rq_intel_import_input(f->s, "misp-event", "ev.json", misp_event, sizeof(misp_event) - 1, "partner", -1,
				    NULL, NOW + 2, NULL, NULL, &r));
	assert_int_equal(r.indicators, 6);
	assert_int_equal(r.created, 5); /* the SHA-256 was known */
	assert_int_equal(fx_int(f->s, "SELECT COUNT(*) FROM intel_indicator_sources"), 8);
}

/* Write `text` as DIR/NAME. */
static void put(const char *dir, const char *name, const char *text)
{
	free(rq_test_write(dir, name, text, strlen(text)));
}

static void event_file(const char *dir, const char *uuid, const char *value)
{
	char name[64], text[512];
	snprintf(name, sizeof(name), "%s.json", uuid);
	snprintf(text, sizeof(text),
		 "{\"Event\": {\"uuid\": \"%s\", \"info\": \"ev %s\", \"threat_level_id\": \"2\","
		 " \"Attribute\": [{\"type\": \"domain\", \"value\": \"%s\", \"to_ids\": true}]}}",
		 uuid, uuid, value);
	put(dir, name, text);
}

static void test_feed_folder(void **state)
{
	fx *f = *state;
	char *dir = rq_test_tmpdir();
	rq_intel_result r;
	const char *u1 = "5c1b6a4e-2222-4000-8000-000000000001", *u2 = "5c1b6a4e-2222-4000-8000-000000000002";
	event_file(dir, u1, "one.example.com");
	event_file(dir, u2, "two.example.com");
	char manifest[512];
	snprintf(manifest, sizeof(manifest), "{\"%s\": {\"timestamp\": \"100\"}, \"%s\": {\"info\": \"no ts\"}}", u1, u2);
	put(dir, "manifest.json", manifest);
	FX_OK(rq_intel_import_feed(f->s, dir, "usb", -1, NULL, NULL, NOW, NULL, NULL, &r));
	assert_int_equal(r.events, 2);
	assert_int_equal(r.events_skipped, 0);
	assert_int_equal(r.indicators, 2);
	assert_int_equal(fx_int(f->s, "SELECT confidence FROM intel_indicators WHERE value = 'one.example.com'"), 70);
	/* again: nothing changed, nothing read */
	FX_OK(rq_intel_import_feed(f->s, dir, "usb", -1, NULL, NULL, NOW + 1, NULL, NULL, &r));
	assert_int_equal(r.events, 0);
	assert_int_equal(r.events_skipped, 2);
	assert_int_equal(fx_int(f->s, "SELECT generation FROM intel_state"), 1);
	/* event 1 changed (new timestamp), event 2's file changed */
	event_file(dir, u1, "one-b.example.com");
	event_file(dir, u2, "two-b.example.com");
	snprintf(manifest, sizeof(manifest), "{\"%s\": {\"timestamp\": 200}, \"%s\": {}}", u1, u2);
	put(dir, "manifest.json", manifest);
	FX_OK(rq_intel_import_feed(f->s, dir, "usb", -1, NULL, NULL, NOW + 2, NULL, NULL, &r));
	assert_int_equal(r.events, 2);
	assert_int_equal(fx_int(f->s, "SELECT COUNT(*) FROM intel_indicators"), 4);
	/* a bad event refuses the whole run, naming its file */
	event_file(dir, u1, "bad..example");
	snprintf(manifest, sizeof(manifest), "{\"%s\": {\"timestamp\": 300}, \"5c1b6a4e-2222-4000-8000-000000000003\": {}}",
		 u1);
	event_file(dir, "5c1b6a4e-2222-4000-8000-000000000003", "three.example.com");
	put(dir, "manifest.json", manifest);
	assert_int_equal(rq_intel_import_feed(f->s, dir, "usb", -1, NULL, NULL, NOW + 3, NULL, NULL, &r), RQ_EPARSE);
	assert_non_null(strstr(rq_error_last(), "5c1b6a4e-2222-4000-8000-000000000001.json: Event.Attribute[0].value"));
	assert_int_equal(fx_int(f->s, "SELECT COUNT(*) FROM intel_indicators"), 4);
	assert_int_equal(fx_int(f->s, "SELECT COUNT(*) FROM intel_feed_events"), 2);
	/* a manifest key that is no uuid (a path) is refused before any file is read */
	put(dir, "manifest.json", "{\"../../etc/passwd\": {}}");
	assert_int_equal(rq_intel_import_feed(f->s, dir, "usb", -1, NULL, NULL, NOW, NULL, NULL, &r), RQ_EPARSE);
	assert_non_null(strstr(rq_error_last(), "is not an event uuid"));
	/* a missing folder, a plain-HTTP URL */
	assert_true(rq_intel_import_feed(f->s, "/nonexistent/feed", "usb", -1, NULL, NULL, NOW, NULL, NULL, &r) < 0);
	assert_int_equal(rq_intel_import_feed(f->s, "http://feed.example/", NULL, -1, NULL, NULL, NOW, NULL, NULL, &r),
			 RQ_EINVAL);
	rq_test_rmtree(dir);
	free(dir);
}

/* A feed with hashes.csv and no manifest.json: its second column names the
 * events; its first (MISP's MD5 of each attribute value) is no indicator. */
static void test_feed_hashes_csv(void **state)
{
	fx *f = *state;
	char *dir = rq_test_tmpdir();
	rq_intel_result r;
	const char *u1 = "5c1b6a4e-3333-4000-8000-000000000001", *u2 = "5c1b6a4e-3333-4000-8000-000000000002";
	event_file(dir, u1, "csv-one.example.com");
	event_file(dir, u2, "csv-two.example.com");
	char csv[512];
	/* md5("csv-one.example.com") etc.: what PyMISP's feed tools write */
	snprintf(csv, sizeof(csv),
		 "9d3a6c2e2f0a4e0b8c1d2e3f4a5b6c7d,%s\r\n0f1e2d3c4b5a69788796a5b4c3d2e1f0,%s\n"
		 "aaaabbbbccccddddeeeeffff00001111,%s\n",
		 u1, u2, u1);
	put(dir, "hashes.csv", csv);
	FX_OK(rq_intel_import_feed(f->s, dir, "csv-feed", -1, NULL, NULL, NOW, NULL, NULL, &r));
	assert_int_equal(r.events, 2);
	assert_int_equal(r.indicators, 2);
	assert_int_equal(fx_int(f->s, "SELECT COUNT(*) FROM intel_indicators WHERE type = 'md5'"), 0);
	assert_int_equal(fx_int(f->s, "SELECT COUNT(*) FROM intel_indicators WHERE value LIKE 'csv-%'"), 2);
	/* again: the event files are unchanged (no timestamps: their digests) */
	FX_OK(rq_intel_import_feed(f->s, dir, "csv-feed", -1, NULL, NULL, NOW + 1, NULL, NULL, &r));
	assert_int_equal(r.events, 0);
	assert_int_equal(r.events_skipped, 2);
	/* a bad line refuses the run, naming it */
	put(dir, "hashes.csv", "9d3a6c2e2f0a4e0b8c1d2e3f4a5b6c7d,5c1b6a4e-3333-4000-8000-000000000001\nnot a line\n");
	assert_int_equal(rq_intel_import_feed(f->s, dir, "csv-feed", -1, NULL, NULL, NOW, NULL, NULL, &r), RQ_EPARSE);
	assert_non_null(strstr(rq_error_last(), "hashes.csv:2: expected VALUE-HASH,EVENT-UUID"));
	put(dir, "hashes.csv", "9d3a6c2e2f0a4e0b8c1d2e3f4a5b6c7d,../../../../etc/passwd-xxxxxxxxxxxxx\n");
	assert_int_equal(rq_intel_import_feed(f->s, dir, "csv-feed", -1, NULL, NULL, NOW, NULL, NULL, &r), RQ_EPARSE);
	assert_non_null(strstr(rq_error_last(), "is not an event uuid"));
	/* neither file: not a feed */
	char *empty = rq_test_tmpdir();
	assert_int_equal(rq_intel_import_feed(f->s, empty, "csv-feed", -1, NULL, NULL, NOW, NULL, NULL, &r),
			 RQ_ENOTFOUND);
	assert_non_null(strstr(rq_error_last(), "no manifest.json nor hashes.csv"));
	rq_test_rmtree(empty);
	free(empty);
	rq_test_rmtree(dir);
	free(dir);
}

static int count_row(const rq_intel_row *row, void *payload)
{
	(void)row;
	(*(int *)payload)++;
	return 0;
}

/* Expired indicators drop out of the next build: an import's expires_at,
 * [intel] max_age, a STIX valid_until; live ones and those without expiry stay. */
static void test_expiry_build(void **state)
{
	fx *f = *state;
	char *dir = rq_test_tmpdir(), key[1024], pub[1024], mirror[1024], db[1200];
	rq_intel_result r;
	rq_intel_compiled c;
	uint64_t version = 0;
	snprintf(key, sizeof(key), "%s/k.key", dir);
	snprintf(pub, sizeof(pub), "%s/k.pub", dir);
	snprintf(mirror, sizeof(mirror), "%s/mirror", dir);
	FX_OK(rq_sign_keygen(key, pub));
	const char keep[] = "203.0.113.10;never expires\n";
	const char soon[] = "203.0.113.11;expires at NOW + 100\n";
	const char aged[] = "203.0.113.12;max_age 50 s\n";
	const char later[] = "203.0.113.13;expires in a year\n";
	rq_intel_expiry at = { .expires_at = NOW + 100 }, age = { .max_age = 50 }, year = { .expires_at = NOW + 365 * 86400 };
	FX_OK(rq_intel_import_input(f->s, "ioc-list", "keep.txt", keep, sizeof(keep) - 1, NULL, -1, NULL, NOW, NULL, NULL,
				    &r));
	FX_OK(rq_intel_import_input(f->s, "ioc-list", "soon.txt", soon, sizeof(soon) - 1, NULL, -1, &at, NOW, NULL, NULL,
				    &r));
	FX_OK(rq_intel_import_input(f->s, "ioc-list", "aged.txt", aged, sizeof(aged) - 1, NULL, -1, &age, NOW, NULL, NULL,
				    &r));
	FX_OK(rq_intel_import_input(f->s, "ioc-list", "later.txt", later, sizeof(later) - 1, NULL, -1, &year, NOW, NULL,
				    NULL, &r));
	/* STIX: valid_until wins over max_age; without one, max_age applies */
	const char bundle[] =
		"{\"type\": \"bundle\", \"id\": \"bundle--00000000-0000-4000-8000-000000000001\", \"objects\": ["
		"{\"type\": \"indicator\", \"spec_version\": \"2.1\", \"id\": \"indicator--00000000-0000-4000-8000-000000000002\","
		" \"created\": \"2033-05-18T00:00:00Z\", \"modified\": \"2033-05-18T00:00:00Z\", \"pattern_type\": \"stix\","
		" \"valid_from\": \"2033-05-18T00:00:00Z\", \"valid_until\": \"2033-05-18T03:33:30Z\","
		" \"pattern\": \"[ipv4-addr:value = '203.0.113.14']\"},"
		"{\"type\": \"indicator\", \"spec_version\": \"2.1\", \"id\": \"indicator--00000000-0000-4000-8000-000000000003\","
		" \"created\": \"2033-05-18T00:00:00Z\", \"modified\": \"2033-05-18T00:00:00Z\", \"pattern_type\": \"stix\","
		" \"valid_from\": \"2033-05-18T00:00:00Z\", \"pattern\": \"[ipv4-addr:value = '203.0.113.15']\"}]}";
	rq_stix_info info = { 0 };
	rq_intel_expiry month = { .max_age = 30 * 86400 };
	FX_OK(rq_intel_import_stix(f->s, "b.json", bundle, sizeof(bundle) - 1, NULL, NULL, -1, &month, NOW, NULL, NULL, &r,
				   &info));
	rq_stix_info_free(&info);
	/* 2033-05-18T03:33:30Z is NOW + 10 */
	assert_int_equal(fx_int(f->s, "SELECT expires_at FROM intel_indicators WHERE value = '203.0.113.14'"), NOW + 10);
	assert_int_equal(fx_int(f->s, "SELECT expires_at FROM intel_indicators WHERE value = '203.0.113.15'"),
			 NOW + 30 * 86400);
	assert_int_equal(fx_int(f->s, "SELECT expires_at FROM intel_indicators WHERE value = '203.0.113.12'"), NOW + 50);
	assert_int_equal(fx_int(f->s, "SELECT COUNT(*) FROM intel_indicators WHERE expires_at IS NULL"), 1);
	/* the listing tells expired from live at a time */
	rq_intel_filter live = { .allowlisted = -1, .expiry = 1, .now = NOW + 200 },
			dead = { .allowlisted = -1, .expiry = 2, .now = NOW + 200 };
	int64_t total = 0;
	int rows = 0;
	FX_OK(rq_store_intel_list(f->s, &live, 100, 0, &total, count_row, &rows));
	assert_int_equal(total, 3);
	assert_int_equal(rows, 3);
	FX_OK(rq_store_intel_list(f->s, &dead, 100, 0, &total, count_row, &rows));
	assert_int_equal(total, 3);
	assert_int_equal(rows, 6);
	/* built at NOW + 200: .11, .12 and .14 have expired */
	rq_intel_publish_opts o = { .mirror_dir = mirror, .key_path = key, .db_name = "daily" };
	FX_OK(rq_intel_publish(f->s, &o, NOW + 200, &version, &c));
	assert_int_equal(c.addresses, 3);
	snprintf(db, sizeof(db), "%s/daily-%llu.rqdb", mirror, (unsigned long long)version);
	rq_engine *e = NULL;
	rq_engine_options eo = { .strict = 1, .no_builtin = 1, .trusted_keys = dir };
	FX_OK(rq_engine_new(&e, &eo));
	FX_OK(rq_engine_load_path(e, db));
	FX_OK(rq_engine_compile(e));
	assert_int_equal(rq_engine_match_address(e, "203.0.113.10", NULL), 1);
	assert_int_equal(rq_engine_match_address(e, "203.0.113.13", NULL), 1);
	assert_int_equal(rq_engine_match_address(e, "203.0.113.15", NULL), 1);
	assert_int_equal(rq_engine_match_address(e, "203.0.113.11", NULL), 0);
	assert_int_equal(rq_engine_match_address(e, "203.0.113.12", NULL), 0);
	assert_int_equal(rq_engine_match_address(e, "203.0.113.14", NULL), 0);
	rq_engine_free(e);
	/* the publisher notices an expiry since its last publish */
	int expired = 0;
	FX_OK(rq_store_intel_expired_since(f->s, NOW + 200, NOW + 300, &expired));
	assert_int_equal(expired, 0);
	FX_OK(rq_store_intel_expired_since(f->s, NOW, NOW + 60, &expired));
	assert_int_equal(expired, 1);
	rq_test_rmtree(dir);
	free(dir);
}

static void test_publish(void **state)
{
	fx *f = *state;
	char *dir = rq_test_tmpdir(), key[1024], pub[1024], mirror[1024], idx_path[1200];
	rq_intel_result r;
	rq_intel_compiled c;
	uint64_t version = 0;
	int64_t id = 0;
	snprintf(key, sizeof(key), "%s/k.key", dir);
	snprintf(pub, sizeof(pub), "%s/k.pub", dir);
	snprintf(mirror, sizeof(mirror), "%s/mirror", dir);
	FX_OK(rq_sign_keygen(key, pub));
	const char list[] = "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f;Sample one\n"
			    "44d88612fea8a8f36de82e1278abb02f\n203.0.113.7;C2\n";
	static const char rule[] = "rule Dept_Rule { strings: $a = \"dept marker\" condition: $a }\n";
	FX_OK(rq_intel_import_input(f->s, "ioc-list", "l.txt", list, sizeof(list) - 1, NULL, -1, NULL, NOW, NULL, NULL, &r));
	FX_OK(rq_intel_import_input(f->s, "yara", "dept.yar", rule, sizeof(rule) - 1, NULL, -1, NULL, NOW, NULL, NULL, &r));
	FX_OK(rq_store_intel_allow(f->s, RQ_INTEL_MD5, "44d88612fea8a8f36de82e1278abb02f", "fp", NOW, &id));
	rq_intel_publish_opts o = { .mirror_dir = mirror, .key_path = key, .db_name = "daily" };
	FX_OK(rq_intel_publish(f->s, &o, NOW, &version, &c));
	assert_int_equal(version, 1);
	assert_int_equal(c.hashes, 1);
	assert_int_equal(c.addresses, 1);
	assert_int_equal(c.yara, 1);
	assert_int_equal(c.allowlisted, 1);
	FX_OK(rq_intel_publish(f->s, &o, NOW + 1, &version, &c));
	assert_int_equal(version, 2);
	rq_intel_state st;
	FX_OK(rq_store_intel_state(f->s, &st));
	assert_int_equal(st.published_version, 2);
	assert_int_equal(st.published_generation, st.generation);
	/* the mirror's index lists daily 2, signed; the engine loads it with the key */
	uint8_t *data = NULL;
	size_t len = 0;
	rq_mirror_index idx = { 0 };
	snprintf(idx_path, sizeof(idx_path), "%s/index.json", mirror);
	FX_OK(rq_read_file(idx_path, 1 << 20, &data, &len));
	FX_OK(rq_mirror_index_parse(&idx, data, len));
	assert_int_equal(rq_mirror_index_find(&idx, "daily")->version, 2);
	rq_mirror_index_clear(&idx);
	free(data);
	char db[1200];
	snprintf(db, sizeof(db), "%s/daily-2.rqdb", mirror);
	rq_engine *e = NULL;
	rq_engine_options eo = { .strict = 1, .no_builtin = 1, .trusted_keys = dir };
	FX_OK(rq_engine_new(&e, &eo));
	FX_OK(rq_engine_load_path(e, db));
	FX_OK(rq_engine_compile(e));
	rq_engine_stats es;
	rq_engine_stats_get(e, &es);
	assert_int_equal(es.allow_hashes, 1);
	assert_int_equal(es.addresses, 1);
	assert_int_equal(rq_engine_match_address(e, "203.0.113.7", NULL), 1);
	rq_engine_free(e);
	/* a bad key: nothing published, the error kept */
	o.key_path = pub;
	assert_true(rq_intel_publish(f->s, &o, NOW + 2, &version, &c) < 0);
	FX_OK(rq_store_intel_state(f->s, &st));
	assert_int_equal(st.published_version, 2);
	assert_true(st.last_error[0] != '\0');
	rq_test_rmtree(dir);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest parsers[] = {
		cmocka_unit_test(test_list_good),
		cmocka_unit_test(test_list_bad),
		cmocka_unit_test(test_batch_limit),
		cmocka_unit_test(test_misp_event),
		cmocka_unit_test(test_yara),
	};
	struct CMUnitTest with_store[] = {
		cmocka_unit_test(test_import_transactional),
		cmocka_unit_test(test_feed_folder),
		cmocka_unit_test(test_feed_hashes_csv),
		cmocka_unit_test(test_expiry_build),
		cmocka_unit_test(test_publish),
	};
	int failed = cmocka_run_group_tests(parsers, NULL, NULL);
	return failed + RUN_BOTH("intel import", with_store, 0);
}
