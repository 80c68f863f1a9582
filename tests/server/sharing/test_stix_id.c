/*
 * Tests of sharing/stix_id.h and the small classifiers of sharing/stix.h:
 * UUIDv5 against RFC 4122's algorithm (Python's uuid.uuid5 gives the same
 * values), STIX timestamps both ways, public addresses, domain names and
 * the malware types read from detection names.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sharing/stix.h"
#include "sharing/stix_id.h"

static void test_uuid5(void **state)
{
	rq_uuid dns, u;
	char text[RQ_UUID_TEXT], id[RQ_STIX_ID_MAX];
	(void)state;
	/* uuid.uuid5(uuid.NAMESPACE_DNS, "python.org") */
	assert_int_equal(rq_uuid_parse("6ba7b810-9dad-11d1-80b4-00c04fd430c8", &dns), 0);
	assert_int_equal(rq_uuid5(&dns, "python.org", &u), 0);
	rq_uuid_text(&u, text);
	assert_string_equal(text, "886313e1-3b8a-5372-9b90-0c9aee199e5d");
	assert_int_equal(rq_stix_id(&dns, "indicator", "python.org", id), 0);
	assert_string_equal(id, "indicator--886313e1-3b8a-5372-9b90-0c9aee199e5d");
	assert_int_equal(rq_uuid_parse("6ba7b810-9dad-11d1-80b4-00c04fd430c", &u), RQ_EINVAL);
	assert_int_equal(rq_uuid_parse("6ba7b810x9dad-11d1-80b4-00c04fd430c8", &u), RQ_EINVAL);
	assert_int_equal(rq_uuid_parse("6ba7b810-9dad-11d1-80b4-00c04fd430cg", &u), RQ_EINVAL);
	/* the province's namespace: same name, same ids; another name, others */
	rq_uuid a, b;
	assert_int_equal(rq_stix_namespace("Sở A", &a), 0);
	assert_int_equal(rq_stix_namespace("Sở A", &b), 0);
	assert_memory_equal(a.b, b.b, 16);
	assert_int_equal(rq_stix_namespace("Sở B", &b), 0);
	assert_memory_not_equal(a.b, b.b, 16);
}

static void test_times(void **state)
{
	char t[RQ_STIX_TIME_TEXT];
	int64_t ms = 0;
	(void)state;
	rq_stix_time(0, t);
	assert_string_equal(t, "1970-01-01T00:00:00.000Z");
	rq_stix_time(1796601600123LL, t);
	assert_string_equal(t, "2026-12-07T00:00:00.123Z");
	rq_stix_time(951782400000LL, t); /* a leap day */
	assert_string_equal(t, "2000-02-29T00:00:00.000Z");
	rq_stix_time(-5, t);
	assert_string_equal(t, "1970-01-01T00:00:00.000Z");
	rq_stix_time(INT64_MAX, t);
	assert_string_equal(t, "9999-12-31T23:59:59.999Z");
	assert_int_equal(rq_stix_time_parse("2026-12-07T00:00:00.123Z", &ms), 0);
	assert_int_equal(ms, 1796601600123LL);
	assert_int_equal(rq_stix_time_parse("2026-12-07T07:00:00+07:00", &ms), 0);
	assert_int_equal(ms, 1796601600000LL);
	assert_int_equal(rq_stix_time_parse("2026-12-07T00:00:00.1234567Z", &ms), 0);
	assert_int_equal(ms, 1796601600123LL);
	assert_int_equal(rq_stix_time_parse("2000-02-29t00:00:00z", &ms), 0);
	assert_int_equal(ms, 951782400000LL);
	const char *bad[] = { "", "yesterday", "2026-12-07", "2026-12-07T00:00:00", "2026-13-01T00:00:00Z",
			      "2026-12-07T24:00:00Z", "2026-12-07T00:00:00.Z", "2026-12-07T00:00:00Zx",
			      "2026-12-07T00:00:00+7:00", NULL };
	for (int i = 0; bad[i]; i++)
		if (rq_stix_time_parse(bad[i], &ms) != RQ_EINVAL)
			fail_msg("'%s' parsed", bad[i]);
}

static void test_classifiers(void **state)
{
	int v6 = 0;
	(void)state;
	assert_true(rq_stix_public_address("203.0.113.9", &v6) && !v6);
	assert_true(rq_stix_public_address("8.8.8.8", &v6));
	assert_true(rq_stix_public_address("2001:db8::1", &v6) && v6);
	const char *private_[] = { "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1", "127.0.0.1",
				   "169.254.1.1", "100.64.0.1", "0.0.0.0", "224.0.0.1", "::1", "::", "fe80::1",
				   "fd00::1", "ff02::1", "::ffff:10.0.0.1", "not an address", "", NULL };
	for (int i = 0; private_[i]; i++)
		if (rq_stix_public_address(private_[i], &v6))
			fail_msg("'%s' taken as public", private_[i]);
	assert_true(rq_stix_public_address("172.32.0.1", &v6));
	assert_true(rq_stix_public_address("::ffff:203.0.113.9", &v6));
	assert_true(rq_stix_domain_name("c2.evil-example.net"));
	assert_true(rq_stix_domain_name("xn--vietnam-4ya.vn"));
	const char *not_names[] = { "", "localhost", "a..b", ".a.b", "a.b.", "-a.b", "a-.b", "a b.c", "a'b.c",
				    "1.2.3.4", NULL };
	for (int i = 0; not_names[i]; i++)
		if (rq_stix_domain_name(not_names[i]))
			fail_msg("'%s' taken as a domain name", not_names[i]);
	assert_string_equal(rq_stix_malware_type("Win.Trojan.Agent-1"), "trojan");
	assert_string_equal(rq_stix_malware_type("Win.Ransomware.Locky-7"), "ransomware");
	assert_string_equal(rq_stix_malware_type("Unix.Worm.Test"), "worm");
	assert_string_equal(rq_stix_malware_type("Andr.Spyware.X"), "spyware");
	assert_string_equal(rq_stix_malware_type("Eicar-Test-Signature"), "unknown");
	assert_string_equal(rq_stix_malware_type("Trojanized"), "unknown"); /* whole tokens only */
	assert_string_equal(rq_stix_malware_type(""), "unknown");
	assert_string_equal(rq_stix_malware_type(NULL), "unknown");
	char long_name[300];
	memset(long_name, 'a', sizeof(long_name) - 8);
	strcpy(long_name + sizeof(long_name) - 8, ".Worm");
	assert_string_equal(rq_stix_malware_type(long_name), "worm");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_uuid5),
		cmocka_unit_test(test_times),
		cmocka_unit_test(test_classifiers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
