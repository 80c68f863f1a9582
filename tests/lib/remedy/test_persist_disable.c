/*
 * Tests of disabling persistence entries (lib/remedy/persist_disable.c) on a
 * fake root: lines commented out with a backup item that restores the
 * original byte for byte, shell files getting a no-op command, a unit taken
 * whole with its enablement link recorded and re-created by the restore,
 * refusals (a line that changed, a whole file that no longer starts the
 * target, a symlinked file) that change nothing, and
 * the restore rules of backup items.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"
#include "core/util.h"
#include "raquet/persist.h"

static char *root;
static char vdir[4096];
static rq_vault *vault;
static const char *const names[] = { "Test.Evil" };

static int setup(void **state)
{
	(void)state;
	root = rq_test_tmpdir();
	snprintf(vdir, sizeof vdir, "%s/vault", root);
	unsetenv("RQ_PERSIST_CRASH_AT");
	if (rq_vault_open(&vault, vdir) != 0)
		fail_msg("open vault: %s", rq_error_last());
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	rq_vault_close(vault);
	rq_test_rmtree(root);
	free(root);
	return 0;
}

/* mkdir -p root/dir, write root/dir/name; returns the full path (free it). */
static char *put(const char *dir, const char *name, const char *text)
{
	char path[4096];
	snprintf(path, sizeof path, "%s%s", root, dir);
	for (char *p = path + strlen(root) + 1; *p; p++)
		if (*p == '/') {
			*p = '\0';
			assert_true(mkdir(path, 0755) == 0 || errno == EEXIST);
			*p = '/';
		}
	assert_true(mkdir(path, 0755) == 0 || errno == EEXIST);
	return rq_test_write(path, name, text, strlen(text));
}

static char *slurp(const char *path)
{
	uint8_t *data = NULL;
	size_t len = 0;
	if (rq_read_file(path, 1 << 20, &data, &len) != 0)
		return NULL;
	char *s = realloc(data, len + 1);
	assert_non_null(s);
	s[len] = '\0';
	return s;
}

static void assert_file(const char *path, const char *want)
{
	char *now = slurp(path);
	assert_non_null(now);
	assert_string_equal(now, want);
	free(now);
}

static size_t count_items(void)
{
	rq_vault_item **items = NULL;
	size_t n = 0;
	assert_int_equal(rq_vault_list(vault, &items, &n), 0);
	rq_vault_items_free(items, n);
	return n;
}

static void test_kinds(void **state)
{
	(void)state;
	assert_true(rq_persist_whole_file(RQ_PERSIST_SYSTEMD));
	assert_true(rq_persist_whole_file(RQ_PERSIST_TIMER));
	assert_true(rq_persist_whole_file(RQ_PERSIST_CRONDIR));
	assert_true(rq_persist_whole_file(RQ_PERSIST_AT));
	assert_true(rq_persist_whole_file(RQ_PERSIST_AUTOSTART));
	assert_false(rq_persist_whole_file(RQ_PERSIST_CRON));
	assert_false(rq_persist_whole_file(RQ_PERSIST_PRELOAD));
	assert_false(rq_persist_whole_file(RQ_PERSIST_RCLOCAL));
	assert_false(rq_persist_whole_file(RQ_PERSIST_SHELL));
	assert_string_equal(rq_persist_kind_name(RQ_PERSIST_TIMER), "TIMER");
	assert_string_equal(rq_persist_kind_name(RQ_PERSIST_CRONDIR), "CRONDIR");
	assert_string_equal(rq_persist_kind_name(RQ_PERSIST_AT), "AT");
}

static void test_cron_lines_and_restore(void **state)
{
	static const char orig[] = "PATH=/usr/bin\n* * * * * root /opt/evil/a\n"
				   "@reboot root /usr/bin/clean\n\t@daily root /opt/evil/b -x";
	(void)state;
	char *path = put("/etc/cron.d", "job", orig);
	assert_int_equal(chmod(path, 0640), 0);
	const rq_persist_line lines[] = { { 2, "/opt/evil/a" }, { 4, "/opt/evil/b" } };
	rq_persist_disabled out;
	assert_int_equal(rq_persist_disable(vault, root, RQ_PERSIST_CRON, "/etc/cron.d/job", lines, 2,
					    names, 1, &out), 0);
	assert_false(out.whole_file);
	assert_int_equal(strlen(out.id), RQ_VAULT_ID_LEN);
	char want[1024];
	snprintf(want, sizeof want,
		 "PATH=/usr/bin\n# raquet: disabled (quarantine ID %s): * * * * * root /opt/evil/a\n"
		 "@reboot root /usr/bin/clean\n\t# raquet: disabled (quarantine ID %s): @daily root "
		 "/opt/evil/b -x", out.id, out.id);
	assert_file(path, want);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0640);

	rq_vault_item *it = NULL;
	assert_int_equal(rq_vault_get(vault, out.id, &it), 0);
	assert_true(it->backup);
	assert_int_equal(strlen(it->replaced_sha256), 64);
	assert_non_null(strstr(it->note, "/etc/cron.d/job"));
	assert_string_equal(it->detections[0], "Test.Evil");
	rq_vault_item_free(it);

	/* the file as raquet left it is replaced without RQ_VAULT_FORCE */
	char *restored = NULL;
	assert_int_equal(rq_vault_restore(vault, out.id, NULL, 0, &restored), 0);
	assert_string_equal(restored, path);
	free(restored);
	assert_file(path, orig);
	assert_int_equal(count_items(), 0);
	free(path);
}

static void test_two_entries_one_line(void **state)
{
	(void)state;
	char *path = put("/etc", "crontab", "* * * * * root /opt/evil/a; /opt/evil/b\n");
	const rq_persist_line lines[] = { { 1, "/opt/evil/a" }, { 1, "/opt/evil/b" } };
	rq_persist_disabled out;
	assert_int_equal(rq_persist_disable(vault, root, RQ_PERSIST_CRON, "/etc/crontab", lines, 2,
					    names, 1, &out), 0);
	char want[256];
	snprintf(want, sizeof want,
		 "# raquet: disabled (quarantine ID %s): * * * * * root /opt/evil/a; /opt/evil/b\n",
		 out.id);
	assert_file(path, want);
	free(path);
}

static void test_backup_refuses_edited_file(void **state)
{
	(void)state;
	char *path = put("/etc", "ld.so.preload", "/opt/evil/lib.so\n");
	const rq_persist_line line = { 1, "/opt/evil/lib.so" };
	rq_persist_disabled out;
	assert_int_equal(rq_persist_disable(vault, root, RQ_PERSIST_PRELOAD, "/etc/ld.so.preload",
					    &line, 1, names, 1, &out), 0);
	free(rq_test_write(root, "etc/ld.so.preload", "edited\n", 7));
	assert_int_equal(rq_vault_restore(vault, out.id, NULL, 0, NULL), RQ_EINVAL);
	assert_file(path, "edited\n");
	assert_int_equal(rq_vault_restore(vault, out.id, NULL, RQ_VAULT_FORCE, NULL), 0);
	assert_file(path, "/opt/evil/lib.so\n");
	free(path);
}

static void test_shell_gets_noop(void **state)
{
	(void)state;
	char *path = put("/etc", "rc.local", "#!/bin/sh\nif true; then\n  /opt/evil/rc &\nfi\n");
	const rq_persist_line line = { 3, "/opt/evil/rc" };
	rq_persist_disabled out;
	assert_int_equal(rq_persist_disable(vault, root, RQ_PERSIST_RCLOCAL, "/etc/rc.local", &line, 1,
					    names, 1, &out), 0);
	char want[512];
	snprintf(want, sizeof want,
		 "#!/bin/sh\nif true; then\n  : # raquet: disabled (quarantine ID %s): /opt/evil/rc &\nfi\n",
		 out.id);
	assert_file(path, want);
	free(path);
}

static void test_changed_line_refused(void **state)
{
	static const char orig[] = "* * * * * /usr/bin/clean\n# * * * * * /opt/evil/x\n";
	(void)state;
	char *path = put("/var/spool/cron/crontabs", "bob", orig);
	rq_persist_disabled out;
	const rq_persist_line gone = { 1, "/opt/evil/x" }, comment = { 2, "/opt/evil/x" },
			      past = { 9, "/opt/evil/x" };
	assert_int_equal(rq_persist_disable(vault, root, RQ_PERSIST_CRON, "/var/spool/cron/crontabs/bob",
					    &gone, 1, names, 1, &out), RQ_ENOTFOUND);
	assert_int_equal(rq_persist_disable(vault, root, RQ_PERSIST_CRON, "/var/spool/cron/crontabs/bob",
					    &comment, 1, names, 1, &out), RQ_ENOTFOUND);
	assert_int_equal(rq_persist_disable(vault, root, RQ_PERSIST_CRON, "/var/spool/cron/crontabs/bob",
					    &past, 1, names, 1, &out), RQ_ENOTFOUND);
	assert_file(path, orig);
	assert_int_equal(count_items(), 0);
	free(path);
}

static void test_swapped_whole_file_refused(void **state)
{
	static const char desk[] = "[Desktop Entry]\nExec=/usr/bin/clean\n";
	(void)state;
	char *path = put("/home/bob/.config/autostart", "e.desktop", desk);
	const rq_persist_line line = { 2, "/opt/evil/x" };
	rq_persist_disabled out;
	assert_int_equal(rq_persist_disable(vault, root, RQ_PERSIST_AUTOSTART,
					    "/home/bob/.config/autostart/e.desktop", &line, 1, names, 1,
					    &out), RQ_ENOTFOUND);
	assert_file(path, desk);
	assert_int_equal(count_items(), 0);
	free(path);
}

static void test_symlink_refused(void **state)
{
	(void)state;
	char *real = put("/opt", "tab", "* * * * * /opt/evil/x\n");
	char *dir = put("/etc/cron.d", "placeholder", "");
	char link[4096];
	snprintf(link, sizeof link, "%s/etc/cron.d/tab", root);
	assert_int_equal(symlink(real, link), 0);
	const rq_persist_line line = { 1, "/opt/evil/x" };
	rq_persist_disabled out;
	assert_int_equal(rq_persist_disable(vault, root, RQ_PERSIST_CRON, "/etc/cron.d/tab", &line, 1,
					    names, 1, &out), RQ_EINVAL);
	assert_file(real, "* * * * * /opt/evil/x\n");
	assert_int_equal(count_items(), 0);
	free(real);
	free(dir);
}

static void test_unit_whole_with_links(void **state)
{
	static const char unit[] = "[Service]\nExecStart=/opt/evil/d\n";
	(void)state;
	char *path = put("/etc/systemd/system", "evil.service", unit);
	char *other = put("/etc/systemd/system/multi-user.target.wants", "other.service", "x");
	char link[4096], text[4096];
	snprintf(link, sizeof link, "%s/etc/systemd/system/multi-user.target.wants/evil.service", root);
	assert_int_equal(symlink("/etc/systemd/system/evil.service", link), 0);
	const rq_persist_line line = { 2, "/opt/evil/d" };
	rq_persist_disabled out;
	assert_int_equal(rq_persist_disable(vault, root, RQ_PERSIST_SYSTEMD,
					    "/etc/systemd/system/evil.service", &line, 1, names, 1,
					    &out), 0);
	assert_true(out.whole_file);
	assert_int_equal(out.links_removed, 1);
	struct stat st;
	assert_int_not_equal(lstat(path, &st), 0);
	assert_int_not_equal(lstat(link, &st), 0);
	assert_int_equal(lstat(other, &st), 0);

	rq_vault_item *it = NULL;
	assert_int_equal(rq_vault_get(vault, out.id, &it), 0);
	assert_false(it->backup);
	assert_int_equal(it->n_links, 1);
	assert_string_equal(it->link_paths[0], link);
	assert_string_equal(it->link_targets[0], "/etc/systemd/system/evil.service");
	rq_vault_item_free(it);

	assert_int_equal(rq_vault_restore(vault, out.id, NULL, 0, NULL), 0);
	assert_file(path, unit);
	ssize_t n = readlink(link, text, sizeof text - 1);
	assert_true(n > 0);
	text[n] = '\0';
	assert_string_equal(text, "/etc/systemd/system/evil.service");
	free(path);
	free(other);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kinds),
		cmocka_unit_test_setup_teardown(test_cron_lines_and_restore, setup, teardown),
		cmocka_unit_test_setup_teardown(test_two_entries_one_line, setup, teardown),
		cmocka_unit_test_setup_teardown(test_backup_refuses_edited_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_shell_gets_noop, setup, teardown),
		cmocka_unit_test_setup_teardown(test_changed_line_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_swapped_whole_file_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_symlink_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unit_whole_with_links, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
