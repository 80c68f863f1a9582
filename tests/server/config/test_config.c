/*
 * Tests of raquet-server's configuration: every error of the INI parser
 * with its file:line, values and bounds, flags over the file, and the
 * rules across keys (plain HTTP on loopback only, TLS files readable).
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "config/limits.h"
#include "db/sign.h"

static int parse(rq_srv_config *cfg, const char *text)
{
	assert_int_equal(rq_srv_config_init(cfg), 0);
	return rq_srv_config_parse(cfg, "t.conf", text, strlen(text));
}

static void test_defaults(void **state)
{
	rq_srv_config cfg;
	assert_int_equal(rq_srv_config_init(&cfg), 0);
	assert_string_equal(cfg.listen_addr, "0.0.0.0");
	assert_int_equal(cfg.port, 8443);
	assert_string_equal(cfg.store_url, "sqlite:/var/lib/raquet-server/raquet.sqlite");
	assert_int_equal(cfg.body_limit, RQ_HTTP_DEFAULT_BODY_LIMIT);
	assert_int_equal(cfg.conn_timeout, RQ_HTTP_DEFAULT_CONN_TIMEOUT);
	assert_int_equal(cfg.request_timeout, RQ_HTTP_DEFAULT_REQUEST_TIMEOUT);
	assert_int_equal(cfg.max_connections, RQ_HTTP_DEFAULT_MAX_CONNECTIONS);
	assert_int_equal(cfg.plain_http, 0);
	assert_int_equal(cfg.log_level, RQ_LOG_INFO);
	assert_string_equal(cfg.tls_cert, "/etc/raquet-server/tls/server.crt");
	assert_string_equal(cfg.report_agency, "Sở Thông tin và Truyền thông");
	assert_string_equal(cfg.report_schedule, "monthly");
	rq_srv_config_free(&cfg);
	rq_srv_config_free(NULL);
	/* the report keys as written */
	assert_int_equal(parse(&cfg, "[report]\nagency = Sở TT&TT tỉnh Cao Bằng\nschedule = weekly\n"), 0);
	assert_string_equal(cfg.report_agency, "Sở TT&TT tỉnh Cao Bằng");
	assert_string_equal(cfg.report_schedule, "weekly");
	rq_srv_config_free(&cfg);
}

static void test_full_file(void **state)
{
	rq_srv_config cfg;
	int rc = parse(&cfg, "# raquet-server\n"
			     "; another comment\n"
			     "[server]\r\n"
			     "  listen = [::1]:9000  \n"
			     "tls_cert=/a/c.pem\n"
			     "tls_key = /a/k.pem\n"
			     "plain_http = Yes\n"
			     "threads = 4\n"
			     "connection_timeout = 30\n"
			     "request_timeout = 10\n"
			     "body_limit = 512K\n"
			     "max_connections = 100\n"
			     "\n"
			     "[ store ]\n"
			     "url = postgresql://raquet@db/raquet\n"
			     "[log]\n"
			     "level = DEBUG\n"
			     "syslog = on\n");
	assert_int_equal(rc, 0);
	assert_string_equal(cfg.listen_addr, "::1");
	assert_int_equal(cfg.port, 9000);
	assert_string_equal(cfg.tls_cert, "/a/c.pem");
	assert_string_equal(cfg.tls_key, "/a/k.pem");
	assert_int_equal(cfg.plain_http, 1);
	assert_int_equal(cfg.threads, 4);
	assert_int_equal(cfg.conn_timeout, 30);
	assert_int_equal(cfg.request_timeout, 10);
	assert_int_equal(cfg.body_limit, 512 * 1024);
	assert_int_equal(cfg.max_connections, 100);
	assert_string_equal(cfg.store_url, "postgresql://raquet@db/raquet");
	assert_int_equal(cfg.log_level, RQ_LOG_DEBUG);
	assert_int_equal(cfg.log_syslog, 1);
	assert_int_equal(rq_srv_config_check(&cfg), 0); /* plain on ::1 */
	rq_srv_config_free(&cfg);
}

/* Each bad file and the start of the error it must give. */
static const struct {
	const char *text;
	const char *error;
} bad_files[] = {
	{ "listen = 1.2.3.4:5\n", "t.conf:1: key 'listen' before any [section]" },
	{ "[server]\n[srv]\n", "t.conf:2: unknown section [srv]" },
	{ "[server\n", "t.conf:1: section header without a closing ']'" },
	{ "[server]\nlisten\n", "t.conf:2: expected 'key = value' or '[section]'" },
	{ "[server]\n\n\nport = 5\n", "t.conf:4: unknown key 'port' in [server]" },
	{ "[log]\nurl = sqlite:/x\n", "t.conf:2: unknown key 'url' in [log]" },
	{ "[server]\nthreads = 1\nthreads = 2\n", "t.conf:3: [server] threads set twice" },
	{ "[server]\nthreads = many\n", "t.conf:2: [server] threads: expected a whole number" },
	{ "[server]\nthreads = 257\n", "t.conf:2: [server] threads: 257 is out of range 0..256" },
	{ "[server]\nthreads = -1\n", "t.conf:2: [server] threads: expected a whole number" },
	{ "[server]\nthreads = 99999999999999999999\n", "t.conf:2: [server] threads: expected" },
	{ "[server]\nconnection_timeout = 0\n", "t.conf:2: [server] connection_timeout: 0 is out" },
	{ "[server]\nbody_limit = 1T\n", "t.conf:2: [server] body_limit: expected a whole number" },
	{ "[server]\nbody_limit = 512\n", "t.conf:2: [server] body_limit: 512 is out of range" },
	{ "[server]\nbody_limit = 1G\n", "t.conf:2: [server] body_limit: 1G is out of range" },
	{ "[server]\nplain_http = maybe\n", "t.conf:2: [server] plain_http: expected yes or no" },
	{ "[server]\nlisten = 8443\n", "t.conf:2: [server] listen: expected ADDR:PORT" },
	{ "[server]\nlisten = example.org:8443\n", "t.conf:2: [server] listen: expected" },
	{ "[server]\nlisten = 1.2.3.4:65536\n", "t.conf:2: [server] listen: expected" },
	{ "[server]\nlisten = ::1:80\n", "t.conf:2: [server] listen: expected" },
	{ "[server]\nlisten = [::1]80\n", "t.conf:2: [server] listen: expected" },
	{ "[server]\nlisten = 1.2.3.4:\n", "t.conf:2: [server] listen: expected" },
	{ "[store]\nurl = mysql://x\n", "t.conf:2: [store] url: expected sqlite:PATH" },
	{ "[store]\nurl = sqlite:\n", "t.conf:2: [store] url: expected sqlite:PATH" },
	{ "[log]\nlevel = loud\n", "t.conf:2: [log] level: expected error, warning, info or debug" },
	{ "[report]\nschedule = yearly\n", "t.conf:2: [report] schedule: expected monthly, weekly or off" },
	{ "[report]\nagency = \xff\xfe\n", "t.conf:2: [report] agency: expected UTF-8 text" },
};

static void test_bad_files(void **state)
{
	for (size_t i = 0; i < sizeof(bad_files) / sizeof(bad_files[0]); i++) {
		rq_srv_config cfg;
		int rc = parse(&cfg, bad_files[i].text);
		if (rc != RQ_EPARSE || strncmp(rq_error_last(), bad_files[i].error,
					       strlen(bad_files[i].error)) != 0)
			fail_msg("case %zu: rc %d, error '%s', want '%s'", i, rc, rq_error_last(),
				 bad_files[i].error);
		rq_srv_config_free(&cfg);
	}
}

static void test_long_line_and_nul(void **state)
{
	rq_srv_config cfg;
	size_t n = RQ_CONFIG_MAX_LINE + 100;
	char *text = malloc(n + 32);
	assert_non_null(text);
	strcpy(text, "[store]\nurl = sqlite:/");
	memset(text + strlen(text), 'a', n);
	text[n] = '\0';
	assert_int_equal(parse(&cfg, text), RQ_EPARSE);
	assert_string_equal(rq_error_last(), "t.conf:2: line longer than 4096 bytes");
	rq_srv_config_free(&cfg);
	free(text);

	assert_int_equal(rq_srv_config_init(&cfg), 0);
	assert_int_equal(rq_srv_config_parse(&cfg, "t.conf", "[log]\0x", 7), RQ_EPARSE);
	assert_non_null(strstr(rq_error_last(), "NUL byte"));
	rq_srv_config_free(&cfg);
}

static void test_loopback(void **state)
{
	assert_true(rq_srv_addr_is_loopback("127.0.0.1"));
	assert_true(rq_srv_addr_is_loopback("127.8.9.10"));
	assert_true(rq_srv_addr_is_loopback("::1"));
	assert_true(rq_srv_addr_is_loopback("::ffff:127.0.0.1"));
	assert_true(rq_srv_addr_is_loopback("localhost"));
	assert_false(rq_srv_addr_is_loopback("0.0.0.0"));
	assert_false(rq_srv_addr_is_loopback("::"));
	assert_false(rq_srv_addr_is_loopback("10.1.2.3"));
	assert_false(rq_srv_addr_is_loopback("128.0.0.1"));
	assert_false(rq_srv_addr_is_loopback("::ffff:10.0.0.1"));
	assert_false(rq_srv_addr_is_loopback("example.org"));
}

static void test_check_plain_http(void **state)
{
	rq_srv_config cfg;
	assert_int_equal(parse(&cfg, "[server]\nlisten = 0.0.0.0:80\n\nplain_http = yes\n"), 0);
	assert_int_equal(rq_srv_config_check(&cfg), RQ_EINVAL);
	assert_string_equal(rq_error_last(),
			    "t.conf:4: plain_http: plain HTTP is allowed only on a loopback "
			    "address, not 0.0.0.0 (listen from t.conf:2); use TLS");
	rq_srv_config_free(&cfg);
}

static void test_check_tls_files(void **state)
{
	char *dir = rq_test_tmpdir();
	char *junk = rq_test_write(dir, "junk.pem", "not pem\n", 8);
	char text[1024];
	rq_srv_config cfg;

	snprintf(text, sizeof(text), "[server]\ntls_cert = %s/none.pem\n", dir);
	assert_int_equal(parse(&cfg, text), 0);
	assert_int_equal(rq_srv_config_check(&cfg), RQ_EIO);
	assert_non_null(strstr(rq_error_last(), "t.conf:2: tls_cert: cannot read"));
	rq_srv_config_free(&cfg);

	snprintf(text, sizeof(text), "[server]\n\ntls_cert = %s\n", junk);
	assert_int_equal(parse(&cfg, text), 0);
	assert_int_equal(rq_srv_config_check(&cfg), RQ_EINVAL);
	assert_non_null(strstr(rq_error_last(), "t.conf:3: tls_cert: "));
	assert_non_null(strstr(rq_error_last(), "is not a PEM certificate"));
	rq_srv_config_free(&cfg);

	assert_int_equal(parse(&cfg, "[server]\ntls_cert =\n"), 0);
	assert_int_equal(rq_srv_config_check(&cfg), RQ_EINVAL);
	assert_non_null(strstr(rq_error_last(), "t.conf:2: tls_cert: HTTPS needs a certificate"));
	rq_srv_config_free(&cfg);
	free(junk);
	rq_test_rmtree(dir);
	free(dir);
}

/* [intel]: a signing key needs a mirror and must be an Ed25519 private key; a database name. */
static void test_check_intel(void **state)
{
	char *dir = rq_test_tmpdir();
	char key[512], pub[512], text[2048];
	rq_srv_config cfg;
	snprintf(key, sizeof(key), "%s/k.key", dir);
	snprintf(pub, sizeof(pub), "%s/k.pub", dir);
	assert_int_equal(rq_sign_keygen(key, pub), 0);
	snprintf(text, sizeof(text), "[server]\nlisten = 127.0.0.1:0\nplain_http = yes\n[intel]\nsigning_key = %s\n", key);
	assert_int_equal(parse(&cfg, text), 0);
	assert_int_equal(rq_srv_config_check(&cfg), RQ_EINVAL);
	assert_non_null(strstr(rq_error_last(), "t.conf:5: [intel] signing_key: needs [mirror] dir"));
	rq_srv_config_free(&cfg);
	snprintf(text, sizeof(text),
		 "[server]\nlisten = 127.0.0.1:0\nplain_http = yes\n[mirror]\ndir = %s\n[intel]\nsigning_key = %s\n", dir,
		 pub);
	assert_int_equal(parse(&cfg, text), 0);
	assert_int_equal(rq_srv_config_check(&cfg), RQ_EINVAL);
	assert_non_null(strstr(rq_error_last(), "t.conf:7: [intel] signing_key: "));
	rq_srv_config_free(&cfg);
	snprintf(text, sizeof(text),
		 "[server]\nlisten = 127.0.0.1:0\nplain_http = yes\n[mirror]\ndir = %s\n[intel]\nsigning_key = %s\n"
		 "publish_interval = 10s\n", dir, key);
	assert_int_equal(parse(&cfg, text), 0);
	assert_int_equal(rq_srv_config_check(&cfg), 0);
	assert_int_equal(cfg.intel_publish_interval, 10);
	assert_string_equal(cfg.intel_database, "daily");
	rq_srv_config_free(&cfg);
	assert_int_equal(parse(&cfg, "[server]\nlisten = 127.0.0.1:0\nplain_http = yes\n[intel]\ndatabase = a/b\n"), 0);
	assert_int_equal(rq_srv_config_check(&cfg), RQ_EINVAL);
	assert_non_null(strstr(rq_error_last(), "t.conf:5: [intel] database: 'a/b' is not a database name"));
	rq_srv_config_free(&cfg);
	rq_test_rmtree(dir);
	free(dir);
}

static void test_flags_override_file(void **state)
{
	char *dir = rq_test_tmpdir();
	const char *text = "[server]\nlisten = 127.0.0.1:8000\nthreads = 3\n[log]\nlevel = error\n";
	char *path = rq_test_write(dir, "s.conf", text, strlen(text));
	rq_srv_config cfg;
	int help = 0;

	char *argv1[] = { "raquet-server", "--config", path, "--listen=127.0.0.2:9",
			  "--plain-http", "--store", "sqlite:/tmp/x.db", "--log-level", "debug",
			  "--foreground", "--check-config", NULL };
	assert_int_equal(rq_srv_config_from_args(&cfg, 11, argv1, 1, &help), 0);
	assert_int_equal(help, 0);
	assert_string_equal(cfg.listen_addr, "127.0.0.2");
	assert_int_equal(cfg.port, 9);
	assert_int_equal(cfg.threads, 3);
	assert_int_equal(cfg.plain_http, 1);
	assert_int_equal(cfg.log_level, RQ_LOG_DEBUG);
	assert_int_equal(cfg.foreground, 1);
	assert_int_equal(cfg.check_config, 1);
	assert_string_equal(cfg.store_url, "sqlite:/tmp/x.db");
	assert_string_equal(cfg.config_path, path);
	rq_srv_config_free(&cfg);

	/* the flag gives the origin of the error */
	char *argv2[] = { "raquet-server", "--config", path, "--plain-http", "--listen",
			  "10.0.0.1:80", NULL };
	assert_int_equal(rq_srv_config_from_args(&cfg, 6, argv2, 1, &help), RQ_EINVAL);
	assert_non_null(strstr(rq_error_last(), "--plain-http: plain_http: plain HTTP is allowed "
					       "only on a loopback address, not 10.0.0.1 (listen "
					       "from --listen)"));
	rq_srv_config_free(&cfg);

	char *argv3[] = { "raquet-server", "--threads", "2", NULL };
	assert_int_equal(rq_srv_config_from_args(&cfg, 3, argv3, 1, &help), RQ_EINVAL);
	assert_string_equal(rq_error_last(), "--threads: unknown option (see --help)");
	rq_srv_config_free(&cfg);

	char *argv4[] = { "raquet-server", "--listen", NULL };
	assert_int_equal(rq_srv_config_from_args(&cfg, 2, argv4, 1, &help), RQ_EINVAL);
	assert_string_equal(rq_error_last(), "--listen: needs a value");
	rq_srv_config_free(&cfg);

	char *argv5[] = { "raquet-server", "--config", "/nonexistent/raquet.conf", NULL };
	assert_true(rq_srv_config_from_args(&cfg, 3, argv5, 1, &help) < 0);
	assert_non_null(strstr(rq_error_last(), "/nonexistent/raquet.conf"));
	rq_srv_config_free(&cfg);

	char *argv6[] = { "raquet-server", "--listen", "nowhere", "--help", NULL };
	assert_int_equal(rq_srv_config_from_args(&cfg, 4, argv6, 1, &help), 0);
	assert_int_equal(help, 1);
	rq_srv_config_free(&cfg);

	free(path);
	rq_test_rmtree(dir);
	free(dir);
}

/* [taxii-pull NAME] sections: keys, defaults, and every error at its line. */
static void test_taxii_pull_sections(void **state)
{
	(void)state;
	rq_srv_config cfg;
	assert_int_equal(parse(&cfg, "[intel]\nmax_age = 90d\n"
				     "[taxii-pull ncsc]\nurl = https://taxii.ncsc.example/api1/\ncollection = c-1\n"
				     "token = rqt_secret\nmax_age = 0\nconfidence = 70\n"
				     "[ taxii-pull  lab.local ]\nurl = http://127.0.0.1:9000/taxii/\ncollection = c-2\n"
				     "user = u\npassword = p\ninterval = 10m\nenabled = no\n"),
			 0);
	assert_int_equal(cfg.intel_max_age, 90 * 86400);
	assert_int_equal(cfg.taxii_pull_count, 2);
	const rq_taxii_pull_cfg *a = rq_srv_config_taxii_pull(&cfg, "ncsc"), *b = rq_srv_config_taxii_pull(&cfg, "lab.local");
	assert_non_null(a);
	assert_non_null(b);
	assert_null(rq_srv_config_taxii_pull(&cfg, "other"));
	assert_string_equal(a->token, "rqt_secret");
	assert_int_equal(a->max_age, 0);
	assert_int_equal(a->confidence, 70);
	assert_int_equal(a->interval, 3600);
	assert_int_equal(a->timeout, 60);
	assert_int_equal(a->page_size, 500);
	assert_int_equal(a->enabled, 1);
	assert_int_equal(b->max_age, -1);
	assert_int_equal(b->confidence, -1);
	assert_int_equal(b->interval, 600);
	assert_int_equal(b->enabled, 0);
	assert_string_equal(b->user, "u");
	rq_srv_config_free(&cfg);
	static const struct {
		const char *text, *want;
	} bad[] = {
		{ "[taxii-pull a]\nurl = https://x/\ncollection = c\n[taxii-pull a]\n", "t.conf:4: [taxii-pull a] twice" },
		{ "[taxii-pull a/b]\n", "t.conf:1: [taxii-pull NAME]: NAME must be" },
		{ "[taxii-pull a]\nurl = https://x/\nfoo = 1\n", "t.conf:3: unknown key 'foo' in [taxii-pull a]" },
		{ "[taxii-pull a]\ncollection = c\n", "t.conf:1: [taxii-pull a]: url is needed" },
		{ "[taxii-pull a]\nurl = https://x/\n", "t.conf:1: [taxii-pull a]: collection is needed" },
		{ "[taxii-pull a]\nurl = http://192.0.2.1/t/\n", "t.conf:2: [taxii-pull a] url: expected an https:// URL" },
		{ "[taxii-pull a]\nurl = https://u:pw@x/t/\n", "t.conf:2: [taxii-pull a] url: expected an https:// URL" },
		{ "[taxii-pull a]\nurl = https://x/\ncollection = c\ntoken = t\nuser = u\npassword = p\n",
		  "t.conf:1: [taxii-pull a]: token or user/password, not both" },
		{ "[taxii-pull a]\nurl = https://x/\ncollection = c\nuser = u\n", "user and password go together" },
		{ "[taxii-pull a]\nconfidence = 101\n", "t.conf:2: [taxii-pull a] confidence: expected 0 to 100" },
		{ "[taxii-pull a]\ninterval = 5s\n", "t.conf:2: [taxii-pull a] interval: 5s is out of range" },
		{ "[taxii-pull a]\nurl = https://x/\nurl = https://y/\n", "t.conf:3: [taxii-pull a] url set twice" },
	};
	/* a ca_file that is no certificate: refused by the check, at the section */
	assert_int_equal(parse(&cfg, "[taxii-pull a]\nurl = https://x/\ncollection = c\nca_file = /nonexistent/ca.pem\n"), 0);
	assert_int_equal(rq_srv_config_check_intel(&cfg), RQ_EINVAL);
	assert_non_null(strstr(rq_error_last(), "t.conf:1: [taxii-pull a] ca_file: '/nonexistent/ca.pem'"));
	rq_srv_config_free(&cfg);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(parse(&cfg, bad[i].text), RQ_EPARSE);
		if (!strstr(rq_error_last(), bad[i].want))
			fail_msg("case %zu: '%s' lacks '%s'", i, rq_error_last(), bad[i].want);
		rq_srv_config_free(&cfg);
	}
}

/* Every key and flag of the table is documented in docs/server.md. */
static void test_keys_documented(void **state)
{
	const char *src = getenv("RQ_SOURCE_DIR");
	char path[4096];
	size_t count, len;
	uint8_t *doc = NULL;
	if (!src)
		skip();
	snprintf(path, sizeof(path), "%s/docs/server.md", src);
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	doc = malloc(1 << 20);
	assert_non_null(doc);
	len = fread(doc, 1, (1 << 20) - 1, f);
	fclose(f);
	doc[len] = '\0';
	const rq_srv_config_key *keys = rq_srv_config_keys(&count);
	for (size_t i = 0; i < count; i++) {
		char want[128];
		snprintf(want, sizeof(want), "| `%s` | `%s` |", keys[i].name, keys[i].default_text);
		if (!strstr((char *)doc, want))
			fail_msg("docs/server.md lacks the table row starting %s", want);
		if (keys[i].flag && !strstr((char *)doc, keys[i].flag))
			fail_msg("docs/server.md lacks %s", keys[i].flag);
	}
	keys = rq_srv_config_taxii_pull_keys(&count);
	for (size_t i = 0; i < count; i++) {
		char want[128];
		snprintf(want, sizeof(want), "| `%s` | `%s` |", keys[i].name, keys[i].default_text);
		if (!strstr((char *)doc, want))
			fail_msg("docs/server.md lacks the [taxii-pull] row starting %s", want);
	}
	free(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_full_file),
		cmocka_unit_test(test_bad_files),
		cmocka_unit_test(test_long_line_and_nul),
		cmocka_unit_test(test_loopback),
		cmocka_unit_test(test_check_plain_http),
		cmocka_unit_test(test_check_tls_files),
		cmocka_unit_test(test_check_intel),
		cmocka_unit_test(test_flags_override_file),
		cmocka_unit_test(test_taxii_pull_sections),
		cmocka_unit_test(test_keys_documented),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
