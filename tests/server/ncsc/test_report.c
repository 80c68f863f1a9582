/*
 * Tests of the AVReport builder (server/ncsc/report.h, mapping.h,
 * sign.h, schema.h) on both stores: a document made from seeded rows is
 * signed, schema-valid, escapes and cleans hostile agent text, and carries
 * the figures; a document breaking the schema is refused naming the
 * element; a missing key is an error naming the file.
 */
#include "../store/store_fixture.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "config/config.h"
#include "ncsc/mapping.h"
#include "ncsc/report.h"
#include "ncsc/schema.h"
#include "ncsc/sign.h"

/* A self-signed RSA certificate and its key as DIR/agency.crt, DIR/agency.key. */
static void make_cert(const char *dir)
{
	char path[4096];
	EVP_PKEY *key = EVP_RSA_gen(2048);
	X509 *cert = X509_new();
	FILE *f;
	assert_non_null(key);
	assert_non_null(cert);
	X509_set_version(cert, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
	X509_gmtime_adj(X509_getm_notBefore(cert), 0);
	X509_gmtime_adj(X509_getm_notAfter(cert), 86400);
	X509_NAME *name = X509_get_subject_name(cert);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)"Sở Thử", -1, -1, 0);
	X509_set_issuer_name(cert, name);
	X509_set_pubkey(cert, key);
	assert_true(X509_sign(cert, key, EVP_sha256()) > 0);
	snprintf(path, sizeof(path), "%s/agency.crt", dir);
	assert_non_null(f = fopen(path, "w"));
	PEM_write_X509(f, cert);
	fclose(f);
	snprintf(path, sizeof(path), "%s/agency.key", dir);
	assert_non_null(f = fopen(path, "w"));
	PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL);
	fclose(f);
	X509_free(cert);
	EVP_PKEY_free(key);
}

static void config_for(rq_srv_config *cfg, const char *dir, const char *key_name)
{
	char text[8192];
	snprintf(text, sizeof(text),
		 "[ncsc]\nurl = https://127.0.0.1:9/AVReport/server.php\norgan_id = 000.00.00.H47\n"
		 "organ_name = Sở Thông tin và Truyền thông\naddress = 1 Lê Lợi & <b>\n"
		 "sign_cert = %s/agency.crt\nsign_key = %s/%s\n",
		 dir, dir, key_name);
	FX_OK(rq_srv_config_init(cfg));
	FX_OK(rq_srv_config_parse(cfg, "test.conf", text, strlen(text)));
}

/* PostgreSQL refuses invalid UTF-8 itself: only SQLite can hold the bad byte */
static void seed(rq_store *s, int64_t now, int pg)
{
	char sql[1024];
	FX_OK(rq_store_exec(s, "INSERT INTO units (name, code, created_at, updated_at) VALUES ('P', 'p', 1, 1)"));
	/* a hostname with markup, a control character and invalid UTF-8 */
	snprintf(sql, sizeof(sql),
		 "INSERT INTO endpoints (unit_id, hostname, kind, ips, os_name, os_version, realtime, firewall,"
		 " db_newest_build, created_at) VALUES (1, 'pc&<1>\x01%s', 'server', '[\"10.1.2.3\"]', 'Windows',"
		 " '11', 1, 1, %lld, 1), (1, 'old', 'workstation', '[]', '', '', 0, 0, %lld, 1)",
		 pg ? "\x7f" : "\xff", (long long)(now - 3600), (long long)(now - 16 * 86400));
	FX_OK(rq_store_exec(s, sql));
	snprintf(sql, sizeof(sql),
		 "INSERT INTO detections (endpoint_id, path, name, type, state, first_seen, last_seen)"
		 " VALUES (1, '/x', 'Trojan.Gen \"quoted\"', '', 'quarantined', %lld, %lld)",
		 (long long)now, (long long)now);
	FX_OK(rq_store_exec(s, sql));
	snprintf(sql, sizeof(sql),
		 "INSERT INTO connections (endpoint_id, event_uuid, remote_addr, process_path, process_md5,"
		 " process_sha256, seen_at) VALUES (1, 'u', '203.0.113.7', 'C:\\evil.exe', 'NOT-HEX', '%s', %lld)",
		 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", (long long)now);
	FX_OK(rq_store_exec(s, sql));
}

static void test_make(void **state)
{
	fx *f = *state;
	char *dir = rq_test_tmpdir(), *xml = NULL;
	size_t len = 0;
	rq_srv_config cfg;
	int64_t now = (int64_t)time(NULL);
	make_cert(dir);
	config_for(&cfg, dir, "agency.key");
	FX_OK(rq_srv_config_check_ncsc(&cfg, 1));
	seed(f->s, now, f->pg);
	FX_OK(rq_ncsc_report_make(f->s, &cfg, now, &xml, &len));
	assert_int_equal(strlen(xml), len);
	assert_non_null(strstr(xml, "xmlns:edXML=\"http://www.mic.gov.vn/TBT/QCVN_102_2016\""));
	assert_non_null(strstr(xml, "<edXML:OrganName>Sở Thông tin và Truyền thông</edXML:OrganName>"));
	assert_non_null(strstr(xml, "<edXML:OrganAdd>1 Lê Lợi &amp; &lt;b&gt;</edXML:OrganAdd>"));
	/* markup escaped, the control character and the bad byte replaced */
	assert_non_null(strstr(xml, f->pg ? "name=\"pc&amp;&lt;1&gt;\xEF\xBF\xBD\x7f\""
					  : "name=\"pc&amp;&lt;1&gt;\xEF\xBF\xBD\xEF\xBF\xBD\""));
	assert_non_null(strstr(xml, "<edXML:MalwareName>Trojan.Gen \"quoted\"</edXML:MalwareName>"));
	assert_non_null(strstr(xml, "<edXML:MalwareType>malware</edXML:MalwareType>"));
	assert_non_null(strstr(xml, "<edXML:MalwareBehavior>quarantined</edXML:MalwareBehavior>"));
	assert_non_null(strstr(xml, "<edXML:TypeOfDevice>server</edXML:TypeOfDevice>"));
	assert_non_null(strstr(xml, "<edXML:md5/>")); /* not a digest: left out */
	assert_non_null(strstr(xml, "<edXML:Sha2>0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef</edXML:Sha2>"));
	assert_non_null(strstr(xml, "<edXML:NumberMachineNotUpdateOn15Day>1</edXML:NumberMachineNotUpdateOn15Day>"));
	assert_non_null(strstr(xml, "<edXML:OSName>Windows 11</edXML:OSName>"));
	assert_non_null(strstr(xml, "SignatureMethod Algorithm=\"http://www.w3.org/2001/04/xmldsig-more#rsa-sha256\""));
	assert_non_null(strstr(xml, "<X509SubjectName>CN=Sở Thử</X509SubjectName>"));
	FX_OK(rq_ncsc_schema_validate_text(xml, len));

	/* the schema refuses a wrong agency code, naming the element */
	char *at = strstr(xml, "000.00.00.H47");
	assert_non_null(at);
	at[0] = 'X';
	assert_int_equal(rq_ncsc_schema_validate_text(xml, len), RQ_EINVAL);
	assert_non_null(strstr(rq_error_last(), "OrganId"));
	free(xml);
	xml = NULL;
	rq_srv_config_free(&cfg);

	/* a key file that is not there: the error names it */
	config_for(&cfg, dir, "missing.key");
	assert_int_equal(rq_ncsc_report_make(f->s, &cfg, now, &xml, &len), RQ_EINVAL);
	assert_non_null(strstr(rq_error_last(), "missing.key"));
	assert_null(xml);
	assert_true(rq_srv_config_check_ncsc(&cfg, 1) < 0);
	assert_non_null(strstr(rq_error_last(), "test.conf:7: [ncsc] sign_key: cannot read"));
	rq_srv_config_free(&cfg);
	rq_test_rmtree(dir);
	free(dir);
}

static void test_mapping(void **state)
{
	(void)state;
	char out[RQ_NCSC_MAX_VALUE + 4], big[RQ_NCSC_MAX_VALUE + 100], t[32];
	rq_ncsc_time_text(1764000000, t);
	assert_string_equal(t, "24-11-2025 23:00:00");
	rq_ncsc_time_text(0, t);
	assert_string_equal(t, "");
	/* cut at the limit on a character boundary: 3-byte characters */
	big[0] = '\0';
	while (strlen(big) + 3 < sizeof(big))
		strcat(big, "\xe1\xbb\x9f");
	rq_ncsc_clean_text(big, out);
	assert_true(strlen(out) <= RQ_NCSC_MAX_VALUE);
	assert_int_equal(strlen(out) % 3, 0);
	rq_ncsc_clean_text("a\xc0\xafz\xed\xa0\x80", out); /* overlong and surrogate */
	assert_string_equal(out, "a\xEF\xBF\xBD\xEF\xBF\xBDz\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
	rq_ncsc_clean_text("tab\there", out);
	assert_string_equal(out, "tab\there");
	char ip[64];
	rq_ncsc_machine_ip("not json", ip, sizeof(ip));
	assert_string_equal(ip, "");
	rq_ncsc_machine_ip("[\"192.0.2.1\"]", ip, sizeof(ip));
	assert_string_equal(ip, "192.0.2.1");
	assert_string_equal(rq_ncsc_digest("ABCDEF0123456789abcdef0123456789", 32), "");
}

int main(void)
{
	struct CMUnitTest tests[] = {
		cmocka_unit_test(test_make),
		cmocka_unit_test(test_mapping),
	};
	int failed = RUN_BOTH("ncsc report", tests, 0);
	rq_ncsc_sign_shutdown();
	return failed;
}
