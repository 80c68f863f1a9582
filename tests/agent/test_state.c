/*
 * Tests of the agent's state folder (agent/state.c) and the checks made
 * before any network traffic (agent/client.c URL rule, agent/enroll.c
 * trust rule): agent.json round-trips with mode 0600 and no temporary file
 * left; a file others can read, or a damaged one, is refused; plain http
 * only to loopback; https enrollment without a CA or pin refused.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"
#include "tmpdir_fixture.h"
#include "client.h"
#include "enroll.h"
#include "state.h"

static rq_agent_state sample(void)
{
	rq_agent_state st;
	memset(&st, 0, sizeof(st));
	snprintf(st.server_url, sizeof(st.server_url), "https://raquet.example.vn:8443");
	snprintf(st.credential, sizeof(st.credential), "42.rqa_secretsecretsecret");
	snprintf(st.pin, sizeof(st.pin), "sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=");
	snprintf(st.ca_file, sizeof(st.ca_file), "/var/lib/raquet/server-ca.pem");
	st.endpoint_id = 42;
	st.unit_id = 3;
	st.enrolled_at = 1764000000;
	return st;
}

static void test_round_trip(void **state)
{
	char dir[4096], path[4200];
	snprintf(dir, sizeof(dir), "%s/a/b", tmp);
	assert_int_equal(rq_agent_state_dir_make(dir), 0);
	struct stat sb;
	assert_int_equal(stat(dir, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0700);
	rq_agent_state st = sample(), back;
	assert_int_equal(rq_agent_state_load(&back, dir), RQ_ENOTFOUND);
	assert_int_equal(rq_agent_state_save(&st, dir), 0);
	snprintf(path, sizeof(path), "%s/agent.json", dir);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	snprintf(path, sizeof(path), "%s/.agent.json.tmp", dir);
	assert_int_not_equal(access(path, F_OK), 0);
	assert_int_equal(rq_agent_state_load(&back, dir), 0);
	assert_memory_equal(&st, &back, sizeof(st));
	/* saved again over the first: still 0600, new content */
	st.endpoint_id = 43;
	assert_int_equal(rq_agent_state_save(&st, dir), 0);
	assert_int_equal(rq_agent_state_load(&back, dir), 0);
	assert_int_equal(back.endpoint_id, 43);
}

static void test_refused(void **state)
{
	char path[4200];
	rq_agent_state st = sample(), back;
	assert_int_equal(rq_agent_state_save(&st, tmp), 0);
	snprintf(path, sizeof(path), "%s/agent.json", tmp);
	assert_int_equal(chmod(path, 0644), 0);
	assert_int_equal(rq_agent_state_load(&back, tmp), RQ_EVERIFY);
	assert_non_null(strstr(rq_error_last(), "mode 0644"));
	assert_int_equal(chmod(path, 0640), 0);
	assert_int_equal(rq_agent_state_load(&back, tmp), RQ_EVERIFY);
	assert_int_equal(chmod(path, 0600), 0);
	assert_int_equal(rq_agent_state_load(&back, tmp), 0);
	/* damaged: truncated JSON, or missing the credential */
	free(rq_test_write(tmp, "agent.json", "{\"server\": \"x\", ", 16));
	chmod(path, 0600);
	assert_int_equal(rq_agent_state_load(&back, tmp), RQ_EPARSE);
	free(rq_test_write(tmp, "agent.json", "{\"server\": \"x\", \"endpoint_id\": 1}", 33));
	chmod(path, 0600);
	assert_int_equal(rq_agent_state_load(&back, tmp), RQ_EPARSE);
	assert_non_null(strstr(rq_error_last(), "credential"));
	/* a symbolic link is not followed */
	unlink(path);
	assert_int_equal(symlink("/etc/passwd", path), 0);
	assert_int_not_equal(rq_agent_state_load(&back, tmp), 0);
}

static void test_url_rule(void **state)
{
	assert_int_equal(rq_client_url_check("https://raquet.example.vn:8443"), 0);
	assert_int_equal(rq_client_url_check("https://10.0.0.1"), 0);
	assert_int_equal(rq_client_url_check("http://127.0.0.1:8080"), 0);
	assert_int_equal(rq_client_url_check("http://127.5.6.7/"), 0);
	assert_int_equal(rq_client_url_check("http://localhost:80"), 0);
	assert_int_equal(rq_client_url_check("http://[::1]:8080"), 0);
	assert_int_equal(rq_client_url_check("http://10.0.0.1:8080"), RQ_EINVAL);
	assert_non_null(strstr(rq_error_last(), "plain http is only allowed to a loopback server"));
	assert_int_equal(rq_client_url_check("http://127.0.0.1.evil.example:80"), RQ_EINVAL);
	assert_int_equal(rq_client_url_check("http://localhost@evil.example/"), RQ_EINVAL);
	assert_int_equal(rq_client_url_check("http://[::2]:80"), RQ_EINVAL);
	assert_int_equal(rq_client_url_check("ftp://127.0.0.1"), RQ_EINVAL);
	assert_int_equal(rq_client_url_check("https://"), RQ_EINVAL);
}

static void test_enroll_needs_trust(void **state)
{
	rq_agent_config cfg;
	rq_agent_config_defaults(&cfg);
	snprintf(cfg.state_dir, sizeof(cfg.state_dir), "%s/state", tmp);
	rq_agent_state st;
	rq_enroll_options o = { .server = "https://raquet.example.vn", .token = "rqe_x", .cfg = &cfg };
	assert_int_equal(rq_agent_enroll(&o, &st), RQ_EINVAL);
	assert_non_null(strstr(rq_error_last(), "--ca FILE"));
	o.pin = "sha256//short";
	assert_int_equal(rq_agent_enroll(&o, &st), RQ_EINVAL);
	assert_non_null(strstr(rq_error_last(), "--pin-sha256"));
	/* refused before anything was written */
	char path[4200];
	snprintf(path, sizeof(path), "%s/state", tmp);
	assert_int_not_equal(access(path, F_OK), 0);
	/* a CA that is not a certificate */
	o.pin = NULL;
	o.ca_file = rq_test_write(tmp, "ca.crt", "not a certificate\n", 18);
	assert_int_equal(rq_agent_enroll(&o, &st), RQ_EPARSE);
	assert_non_null(strstr(rq_error_last(), "not a PEM certificate"));
	free((char *)o.ca_file);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refused, setup, teardown),
		cmocka_unit_test(test_url_rule),
		cmocka_unit_test_setup_teardown(test_enroll_needs_trust, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
