/*
 * Tests of the heartbeat facts (agent/facts.c): installed databases read
 * from their headers (junk, hidden and .prev files left out; a missing
 * folder is an empty list), the agent's version and kind, the real-time
 * state from status.json or "off" with a reason, times copied when known,
 * the interface list within the API's limits, and the vault's free disk
 * (of its nearest existing parent before it exists; absent when unreadable).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>

#include "testutil.h"
#include "tmpdir_fixture.h"
#include "db/rqdb.h"
#include "facts.h"

static void make_db(const char *file, const char *name, unsigned version, long long built)
{
	char path[4200], header[256];
	snprintf(path, sizeof(path), "%s/%s", tmp, file);
	snprintf(header, sizeof(header), "{\"name\":\"%s\",\"version\":%u,\"built\":%lld,\"counts\":{},\"sources\":[]}",
		 name, version, built);
	uint8_t data[64] = { 1, 2, 3 };
	rq_rqdb_part part = { 99, data, sizeof(data) };
	if (rq_rqdb_write(path, header, &part, 1, NULL))
		fail_msg("write %s: %s", path, rq_error_last());
}

static void test_databases(void **state)
{
	make_db("main.rqdb", "main", 7, 1764000000);
	make_db("daily.rqdb", "daily", 41, 1764100000);
	make_db("main.rqdb.prev", "main", 6, 1763000000);
	make_db(".hidden.rqdb", "hidden", 1, 1);
	free(rq_test_write(tmp, "junk.rqdb", "not a database", 14));
	json_t *dbs = rq_agent_databases(tmp);
	assert_int_equal(json_object_size(dbs), 2);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(dbs, "main"), "version")), 7);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(dbs, "main"), "built")), 1764000000);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(dbs, "daily"), "version")), 41);
	json_decref(dbs);
	char missing[4200];
	snprintf(missing, sizeof(missing), "%s/none", tmp);
	dbs = rq_agent_databases(missing);
	assert_non_null(dbs);
	assert_int_equal(json_object_size(dbs), 0);
	json_decref(dbs);
}

static void test_facts(void **state)
{
	rq_agent_config cfg;
	rq_agent_config_defaults(&cfg);
	snprintf(cfg.db_dir, sizeof(cfg.db_dir), "%s", tmp);
	snprintf(cfg.kind, sizeof(cfg.kind), "server");
	make_db("main.rqdb", "main", 3, 1764000000);
	json_t *f = rq_agent_facts(&cfg, NULL);
	assert_non_null(f);
	assert_string_equal(json_string_value(json_object_get(f, "agent_version")), rq_version());
	assert_string_equal(json_string_value(json_object_get(f, "kind")), "server");
	assert_non_null(json_string_value(json_object_get(f, "hostname")));
	assert_int_equal(json_integer_value(json_object_get(json_object_get(json_object_get(f, "databases"), "main"),
							    "version")), 3);
	json_t *rt = json_object_get(f, "realtime");
	assert_string_equal(json_string_value(json_object_get(rt, "state")), "off");
	assert_non_null(json_string_value(json_object_get(rt, "reason")));
	assert_null(json_object_get(f, "last_full_scan"));
	assert_true(json_array_size(json_object_get(f, "interfaces")) <= RQ_AGENT_MAX_INTERFACES);
	json_decref(f);

	json_t *status = json_pack("{s:{s:s, s:s}, s:I, s:I}", "realtime", "state", "on", "source", "fanotify",
				   "last_full_scan", (json_int_t)1764000500, "last_update", (json_int_t)0);
	f = rq_agent_facts(&cfg, status);
	assert_string_equal(json_string_value(json_object_get(json_object_get(f, "realtime"), "state")), "on");
	assert_int_equal(json_integer_value(json_object_get(f, "last_full_scan")), 1764000500);
	assert_null(json_object_get(f, "last_update")); /* 0: unknown, not sent */
	json_decref(f);
	json_decref(status);
}

/* The vault fact for `cfg` matches statvfs of `expect_dir`, or is absent when that is NULL. */
static void check_vault(const rq_agent_config *cfg, const char *expect_dir)
{
	json_t *f = rq_agent_facts(cfg, NULL);
	assert_non_null(f);
	json_t *vault = json_object_get(f, "vault");
	if (!expect_dir) {
		assert_null(vault);
		json_decref(f);
		return;
	}
	struct statvfs sv;
	assert_int_equal(statvfs(expect_dir, &sv), 0);
	json_t *free_bytes = json_object_get(vault, "free_bytes"), *total = json_object_get(vault, "total_bytes");
	assert_true(json_is_integer(free_bytes) && json_is_integer(total));
	assert_int_equal(json_integer_value(total), (json_int_t)(sv.f_blocks * sv.f_frsize));
	assert_true(json_integer_value(free_bytes) >= 0 && json_integer_value(free_bytes) <= json_integer_value(total));
	assert_int_equal(json_object_size(vault), 2);
	json_decref(f);
}

static void test_vault(void **state)
{
	rq_agent_config cfg;
	rq_agent_config_defaults(&cfg);
	snprintf(cfg.state_dir, sizeof(cfg.state_dir), "%s", tmp);
	check_vault(&cfg, tmp); /* STATE_DIR/quarantine does not exist yet: its parent's file system */
	snprintf(cfg.vault_dir, sizeof(cfg.vault_dir), "%s", tmp);
	check_vault(&cfg, tmp);
	snprintf(cfg.vault_dir, sizeof(cfg.vault_dir), "%s/not/yet/", tmp);
	check_vault(&cfg, tmp);
	snprintf(cfg.vault_dir, sizeof(cfg.vault_dir), "/");
	check_vault(&cfg, "/");
	free(rq_test_write(tmp, "file", "x", 1));
	snprintf(cfg.vault_dir, sizeof(cfg.vault_dir), "%s/file/vault", tmp);
	check_vault(&cfg, NULL); /* under a regular file: unreadable, left out */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_databases, setup, teardown),
		cmocka_unit_test_setup_teardown(test_facts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vault, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
