/*
 * Tests of the agent configuration (agent/config.c): defaults without a
 * file, every key read, bad lines refused with file:line and nothing
 * half-applied, and every key of the table documented in docs/agent.md.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "tmpdir_fixture.h"
#include "config.h"
#include "core/util.h"

static void test_defaults(void **state)
{
	rq_agent_config c;
	rq_agent_config_defaults(&c);
	assert_string_equal(c.state_dir, "/var/lib/raquet");
	assert_int_equal(c.heartbeat_interval, RQ_AGENT_DEFAULT_HEARTBEAT);
	assert_int_equal(c.nice, RQ_AGENT_DEFAULT_NICE);
	assert_int_equal(c.ionice, RQ_IONICE_BEST_EFFORT);
	assert_int_equal(c.log_level, RQ_ALOG_INFO);
	assert_int_equal(c.log_syslog, 0);
	assert_string_equal(c.server_url, "");
	char buf[4096];
	assert_string_equal(rq_agent_config_db_dir(&c, buf, sizeof(buf)), "/var/lib/raquet/sigs");
	assert_string_equal(rq_agent_config_vault_dir(&c, buf, sizeof(buf)), "/var/lib/raquet/quarantine");
	char *missing = NULL;
	assert_true(asprintf(&missing, "%s/none.conf", tmp) > 0);
	assert_int_equal(rq_agent_config_load(&c, missing), RQ_ENOTFOUND);
	free(missing);
}

static void test_all_keys(void **state)
{
	const char *text = "# comment\n"
			   "[server]\n"
			   "url = https://raquet.example.vn:8443\n"
			   "ca_file = /etc/raquet/ca.crt\n"
			   "\n"
			   "[agent]\n"
			   "state_dir = \"/srv/raquet state\"\n"
			   "db_dir=/srv/sigs\n"
			   "kind = server\n"
			   "heartbeat_interval = 60\n"
			   "nice = 19\n"
			   "ionice = idle\n"
			   "ionice_level = 3\n"
			   "vault_dir = /srv/vault\n"
			   "scanner = /opt/raquet/bin/raquet\n"
			   "scheduled_scans = no\n"
			   "[realtime]\n"
			   "enabled = no\n"
			   "paths = /, /home /srv\n"
			   "whole_mounts = no\n"
			   "[netwatch]\n"
			   "interval = 0\n"
			   "[update]\n"
			   "mirror = https://mirror.example.vn/raquet\n"
			   "trusted_keys = /srv/keys\n"
			   "; another comment\n"
			   "[log]\n"
			   "level = debug\r\n"
			   "syslog = yes\n";
	char *path = rq_test_write(tmp, "agent.conf", text, strlen(text));
	rq_agent_config c;
	rq_agent_config_defaults(&c);
	assert_int_equal(rq_agent_config_load(&c, path), 0);
	assert_string_equal(c.server_url, "https://raquet.example.vn:8443");
	assert_string_equal(c.ca_file, "/etc/raquet/ca.crt");
	assert_string_equal(c.state_dir, "/srv/raquet state");
	assert_string_equal(c.db_dir, "/srv/sigs");
	assert_string_equal(c.kind, "server");
	assert_int_equal(c.heartbeat_interval, 60);
	assert_int_equal(c.nice, 19);
	assert_int_equal(c.ionice, RQ_IONICE_IDLE);
	assert_int_equal(c.ionice_level, 3);
	assert_string_equal(c.vault_dir, "/srv/vault");
	char buf[4096];
	assert_string_equal(rq_agent_config_vault_dir(&c, buf, sizeof(buf)), "/srv/vault");
	assert_string_equal(c.scanner, "/opt/raquet/bin/raquet");
	assert_int_equal(c.scheduled_scans, 0);
	assert_int_equal(c.realtime_enabled, 0);
	assert_string_equal(c.realtime_paths, "/, /home /srv");
	assert_int_equal(c.realtime_whole_mounts, 0);
	assert_int_equal(c.netwatch_interval, 0);
	assert_string_equal(c.update_mirror, "https://mirror.example.vn/raquet");
	assert_string_equal(c.trusted_keys, "/srv/keys");
	assert_string_equal(rq_agent_config_keys_dir(&c), "/srv/keys");
	assert_int_equal(c.log_level, RQ_ALOG_DEBUG);
	assert_int_equal(c.log_syslog, 1);
	free(path);
}

/* `text` must be refused with a message containing `want`, leaving the config unchanged. */
static void refused(const char *text, const char *want)
{
	char *path = rq_test_write(tmp, "bad.conf", text, strlen(text));
	rq_agent_config c, before;
	rq_agent_config_defaults(&c);
	before = c;
	assert_int_equal(rq_agent_config_load(&c, path), RQ_EPARSE);
	if (!strstr(rq_error_last(), want))
		fail_msg("'%s' not in '%s'", want, rq_error_last());
	assert_memory_equal(&c, &before, sizeof(c));
	free(path);
}

static void test_bad_lines(void **state)
{
	refused("[agent]\nheartbeat_interval = 60\nheartbeat_interval = 1\n", "bad.conf:3: heartbeat_interval");
	refused("[agent]\nnice = 20\n", "bad.conf:2: nice: expected a whole number from 0 to 19");
	refused("[agent]\nnice = 5x\n", "bad.conf:2:");
	refused("[agent]\ncolour = blue\n", "bad.conf:2: unknown key 'colour' in [agent]");
	refused("[gui]\n", "bad.conf:1: unknown section [gui]");
	refused("url = x\n", "bad.conf:1: 'url' is outside any [section]");
	refused("[server]\njust words\n", "bad.conf:2: expected 'key = value'");
	refused("[log]\nlevel = loud\n", "bad.conf:2: level:");
	refused("[log]\nsyslog = maybe\n", "bad.conf:2: syslog: expected yes or no");
	refused("[agent\n", "bad.conf:1: a section header");
	refused("[agent]\nstate_dir =\n", "state_dir must not be empty");
	refused("[agent]\nkind = aaaaaaaaaaaaaaaaaaaaaaaaaaa\n", "bad.conf:2: kind: longer than 15");
}

/* docs/agent.md has a row for every key of the table, and names no other. */
static void test_documented(void **state)
{
	const char *src = getenv("RQ_SOURCE_DIR");
	if (!src)
		skip();
	char path[4096];
	snprintf(path, sizeof(path), "%s/docs/agent.md", src);
	uint8_t *doc = NULL;
	size_t len = 0;
	assert_int_equal(rq_read_file(path, 1 << 20, &doc, &len), 0);
	char *text = calloc(1, len + 1);
	memcpy(text, doc, len);
	size_t i = 0;
	for (const char *k; (k = rq_agent_config_key(i)); i++) {
		char row[96];
		snprintf(row, sizeof(row), "| `%s` |", k);
		if (!strstr(text, row))
			fail_msg("docs/agent.md lacks the row '%s'", row);
	}
	assert_int_equal(i, 21);
	/* the rows of the Configuration section name only known keys */
	char *section = strstr(text, "\n## Configuration");
	assert_non_null(section);
	char *next = strstr(section + 1, "\n## ");
	if (next)
		*next = '\0';
	for (const char *p = section; (p = strstr(p, "\n| `")); p++) {
		const char *start = p + 4, *end = strchr(start, '`');
		if (!end || !memchr(start, '.', (size_t)(end - start)) || end - start > 64)
			continue;
		char key[96];
		snprintf(key, sizeof(key), "%.*s", (int)(end - start), start);
		int known = 0;
		for (size_t j = 0; rq_agent_config_key(j); j++)
			known |= !strcmp(rq_agent_config_key(j), key);
		if (!known)
			fail_msg("docs/agent.md documents '%s', which the configuration does not know", key);
	}
	free(text);
	free(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_defaults, setup, teardown),
		cmocka_unit_test_setup_teardown(test_all_keys, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_lines, setup, teardown),
		cmocka_unit_test(test_documented),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
