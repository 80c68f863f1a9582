/*
 * Tests of the agent's scan jobs (agent/scanjob.c) with a stand-in scanner:
 * a script printing known `raquet scan --json` lines, so each line's event
 * is exactly known. The arguments given to the scanner for each kind of
 * scan; an infected file, a quarantine that failed, a process image, a
 * persistence entry and a connection become their events, a line over the
 * limit is skipped and counted, the summary comes last; a scanner that
 * fails is reported with its message; a cancelled scan is "interrupted".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "testutil.h"
#include "tmpdir_fixture.h"
#include "agent_limits.h"
#include "scanjob.h"

static int has_arg(char **argv, const char *want)
{
	for (size_t i = 0; argv[i]; i++)
		if (!strcmp(argv[i], want))
			return 1;
	return 0;
}

static void test_argv(void **state)
{
	json_t *excl = json_pack("[s, s]", "/srv/backup/*", "*.iso");
	const char *skip[] = { "/var/lib/raquet", NULL };
	rq_scanjob_spec s = { .raquet = "/usr/bin/raquet", .scan_kind = "full", .action = "delete",
			      .db_dir = "/var/lib/raquet/sigs", .vault_dir = "/var/lib/raquet/quarantine",
			      .exclusions = excl, .skip_dirs = skip };
	char **argv = rq_scanjob_argv(&s);
	assert_non_null(argv);
	assert_string_equal(argv[0], "/usr/bin/raquet");
	assert_string_equal(argv[1], "scan");
	assert_true(has_arg(argv, "--json"));
	assert_true(has_arg(argv, "--action=remove")); /* the policy's delete */
	assert_true(has_arg(argv, "--exclude=/srv/backup/*"));
	assert_true(has_arg(argv, "--exclude-dir=*.iso"));
	assert_true(has_arg(argv, "--exclude-dir=/var/lib/raquet"));
	assert_true(has_arg(argv, "--exclude-dir=/proc"));
	assert_true(has_arg(argv, "--database=/var/lib/raquet/sigs"));
	assert_false(has_arg(argv, "--quick"));
	size_t n = 0;
	while (argv[n])
		n++;
	assert_string_equal(argv[n - 1], "/");
	assert_string_equal(argv[n - 2], "--"); /* a path is never read as an option */
	rq_scanjob_argv_free(argv);

	s.scan_kind = "quick";
	s.action = "quarantine";
	argv = rq_scanjob_argv(&s);
	assert_true(has_arg(argv, "--quick"));
	assert_true(has_arg(argv, "--action=quarantine"));
	assert_true(has_arg(argv, "--disable-persistence"));
	assert_false(has_arg(argv, "--exclude-dir=/proc"));
	rq_scanjob_argv_free(argv);

	s.scan_kind = "path";
	s.path = "-rf";
	s.action = "report";
	argv = rq_scanjob_argv(&s);
	assert_false(has_arg(argv, "--disable-persistence"));
	assert_false(has_arg(argv, "--action=quarantine"));
	n = 0;
	while (argv[n])
		n++;
	assert_string_equal(argv[n - 1], "-rf");
	assert_string_equal(argv[n - 2], "--");
	rq_scanjob_argv_free(argv);
	json_decref(excl);
}

/* A stand-in scanner: prints `lines` (a file next to it), then exits `code` with `err` on stderr. */
static char *fake_scanner(const char *lines, int code, const char *err)
{
	char *data = rq_test_write(tmp, "lines.jsonl", lines, strlen(lines));
	char script[8192];
	snprintf(script, sizeof(script), "#!/bin/sh\ncat '%s'\nprintf '%%s\\n' 'first line' '%s' >&2\nexit %d\n", data,
		 err, code);
	free(data);
	char *path = rq_test_write(tmp, "fake-raquet", script, strlen(script));
	chmod(path, 0755);
	return path;
}

static rq_outbox *open_ob(void)
{
	char path[4200];
	snprintf(path, sizeof(path), "%s/outbox.db", tmp);
	rq_outbox *ob = NULL;
	if (rq_outbox_open(&ob, path, NULL))
		fail_msg("outbox: %s", rq_error_last());
	return ob;
}

static void run_to_end(rq_scanjob *j)
{
	for (int i = 0; i < 1000; i++) {
		int r = rq_scanjob_poll(j);
		if (r == 1)
			return;
		assert_int_equal(r, 0);
		struct timespec ts = { 0, 10 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
	fail_msg("the scan did not end");
}

/* The queued events as a JSON array of {kind, payload}. */
static json_t *queued(rq_outbox *ob)
{
	rq_outbox_batch b;
	assert_int_equal(rq_outbox_next(ob, 100, 1 << 20, &b), 0);
	json_t *list = json_array();
	for (size_t i = 0; i < b.count; i++)
		json_array_append_new(list, json_pack("{s:s, s:o}", "kind", b.events[i].kind, "payload",
						      json_loads(b.events[i].payload, 0, NULL)));
	rq_outbox_batch_free(&b);
	return list;
}

static const char *field(const json_t *ev, const char *key)
{
	return json_string_value(json_object_get(json_object_get(ev, "payload"), key));
}

static void test_events(void **state)
{
	/* one line over the limit: skipped and counted, the next lines still read */
	size_t big = RQ_AGENT_SCAN_LINE_MAX + 10;
	char *lines = malloc(big + 4096);
	size_t n = 0;
	n += (size_t)sprintf(lines + n, "{\"path\":\"/home/a/x.exe\",\"size\":68,\"sha256\":\"%064d\",\"status\":"
			     "\"infected\",\"detections\":[{\"name\":\"Win.Test.A\",\"type\":\"md5\",\"source\":\"main.hdb\"}],"
			     "\"notices\":[],\"action\":{\"kind\":\"quarantine\",\"ok\":true,\"id\":\"0123456789abcdef01234567\"}}\n", 1);
	n += (size_t)sprintf(lines + n, "{\"path\":\"/home/a/y.zip\",\"sha256\":null,\"status\":\"infected\",\"detections\":"
			     "[{\"name\":\"Zip.Test.B\",\"type\":\"body\",\"source\":\"main.ndb\",\"member\":\"in/b.exe\"}],"
			     "\"action\":{\"kind\":\"quarantine\",\"ok\":false,\"error\":\"read-only file system\"}}\n");
	memset(lines + n, 'x', big);
	n += big;
	lines[n++] = '\n';
	n += (size_t)sprintf(lines + n, "{\"process\":{\"pid\":4242,\"comm\":\"miner\",\"exe\":\"/tmp/.m\"},\"status\":\"infected\","
			     "\"images\":[{\"path\":\"/tmp/.m\",\"kind\":\"executable\",\"detections\":[\"Linux.Miner\"]}]}\n");
	n += (size_t)sprintf(lines + n, "{\"persistence\":{\"kind\":\"crontab\",\"file\":\"/etc/crontab\",\"line\":3,\"target\":"
			     "\"/tmp/.m\"},\"status\":\"infected\",\"detections\":[\"Linux.Miner\"],\"action\":{\"kind\":"
			     "\"disable\",\"ok\":true,\"id\":\"fedcba9876543210fedcba98\"}}\n");
	n += (size_t)sprintf(lines + n, "{\"connection\":{\"protocol\":\"tcp\",\"local\":\"10.0.0.5:51514\",\"remote\":"
			     "\"[2001:db8::7]:443\",\"state\":\"ESTABLISHED\"},\"process\":{\"pid\":4242,\"exe\":\"/tmp/.m\","
			     "\"md5\":\"%032d\"},\"status\":\"malicious\",\"detection\":\"IOC.C2\",\"source\":\"iocs.txt\"}\n", 7);
	n += (size_t)sprintf(lines + n, "not json at all\n");
	n += (size_t)sprintf(lines + n, "{\"summary\":{\"scanned_files\":120,\"errors\":2,\"bytes_read\":5000,"
			     "\"interrupted\":false}}\n");
	lines[n] = '\0';
	char *scanner = fake_scanner(lines, 1, "");
	free(lines);
	rq_outbox *ob = open_ob();
	rq_scanjob *j = NULL;
	rq_scanjob_spec s = { .raquet = scanner, .scan_kind = "quick", .action = "quarantine", .db_dir = tmp,
			      .vault_dir = tmp, .task_id = 77 };
	assert_int_equal(rq_scanjob_start(&j, &s, ob), 0);
	run_to_end(j);
	const json_t *sum = rq_scanjob_summary(j);
	assert_string_equal(json_string_value(json_object_get(sum, "result")), "infected");
	assert_int_equal(json_integer_value(json_object_get(sum, "files")), 120);
	assert_int_equal(json_integer_value(json_object_get(sum, "infected")), 4);
	assert_int_equal(json_integer_value(json_object_get(sum, "quarantined")), 1);
	assert_int_equal(json_integer_value(json_object_get(sum, "unreadable_lines")), 2);
	assert_int_equal(json_integer_value(json_object_get(sum, "task_id")), 77);

	json_t *ev = queued(ob);
	assert_int_equal(json_array_size(ev), 6);
	json_t *e = json_array_get(ev, 0);
	assert_string_equal(json_string_value(json_object_get(e, "kind")), "detection");
	assert_string_equal(field(e, "path"), "/home/a/x.exe");
	assert_string_equal(field(e, "name"), "Win.Test.A");
	assert_string_equal(field(e, "state"), "quarantined");
	assert_string_equal(field(e, "vault_id"), "0123456789abcdef01234567");
	assert_string_equal(field(e, "scan_kind"), "quick");
	e = json_array_get(ev, 1); /* the action failed: the file is still there */
	assert_string_equal(field(e, "state"), "active");
	assert_string_equal(field(e, "action"), "quarantine-failed");
	assert_string_equal(field(e, "action_error"), "read-only file system");
	assert_string_equal(field(e, "member"), "in/b.exe");
	e = json_array_get(ev, 2);
	assert_string_equal(field(e, "path"), "/tmp/.m");
	assert_string_equal(field(e, "found_in"), "process");
	assert_string_equal(field(e, "name"), "Linux.Miner");
	e = json_array_get(ev, 3);
	assert_string_equal(field(e, "type"), "persistence");
	assert_string_equal(field(e, "action"), "disable-persistence");
	e = json_array_get(ev, 4);
	assert_string_equal(json_string_value(json_object_get(e, "kind")), "connection");
	assert_string_equal(field(e, "remote"), "2001:db8::7");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(e, "payload"), "remote_port")), 443);
	assert_string_equal(field(e, "indicator"), "IOC.C2");
	assert_string_equal(field(e, "exe"), "/tmp/.m");
	e = json_array_get(ev, 5);
	assert_string_equal(json_string_value(json_object_get(e, "kind")), "scan");
	assert_string_equal(field(e, "result"), "infected");
	json_decref(ev);
	rq_scanjob_free(j);
	rq_outbox_close(ob);
	free(scanner);
}

static void test_failure_and_cancel(void **state)
{
	char *scanner = fake_scanner("", 2, "ERROR: /var/lib/raquet/sigs/main.rqdb: signed by an unknown key");
	rq_outbox *ob = open_ob();
	rq_scanjob *j = NULL;
	rq_scanjob_spec s = { .raquet = scanner, .scan_kind = "full", .db_dir = tmp, .vault_dir = tmp };
	assert_int_equal(rq_scanjob_start(&j, &s, ob), 0);
	run_to_end(j);
	const json_t *sum = rq_scanjob_summary(j);
	assert_string_equal(json_string_value(json_object_get(sum, "result")), "error");
	assert_string_equal(json_string_value(json_object_get(sum, "error")),
			    "ERROR: /var/lib/raquet/sigs/main.rqdb: signed by an unknown key");
	assert_int_equal(json_integer_value(json_object_get(sum, "exit_status")), 2);
	rq_scanjob_free(j);
	free(scanner);

	/* a scanner that runs until stopped */
	const char *slow = "#!/bin/sh\ntrap 'echo \"{\\\"summary\\\":{\\\"interrupted\\\":true}}\"; exit 0' TERM\n"
			   "while :; do sleep 0.05; done\n";
	char *path = rq_test_write(tmp, "slow-raquet", slow, strlen(slow));
	chmod(path, 0755);
	s.raquet = path;
	assert_int_equal(rq_scanjob_start(&j, &s, ob), 0);
	assert_int_equal(rq_scanjob_poll(j), 0);
	struct timespec ts = { 0, 200 * 1000 * 1000 };
	nanosleep(&ts, NULL); /* the script's trap is set */
	rq_scanjob_cancel(j);
	run_to_end(j);
	assert_string_equal(json_string_value(json_object_get(rq_scanjob_summary(j), "result")), "interrupted");
	rq_scanjob_free(j);

	/* a program that does not exist */
	s.raquet = "/nonexistent/raquet";
	assert_int_equal(rq_scanjob_start(&j, &s, ob), 0);
	run_to_end(j);
	assert_string_equal(json_string_value(json_object_get(rq_scanjob_summary(j), "result")), "error");
	assert_string_equal(json_string_value(json_object_get(rq_scanjob_summary(j), "error")),
			    "raquetd: cannot run the scanner program");
	rq_scanjob_free(j);
	rq_outbox_close(ob);
	free(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_argv),
		cmocka_unit_test_setup_teardown(test_events, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failure_and_cancel, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
