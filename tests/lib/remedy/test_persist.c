/*
 * Tests of the persistence-entry search (lib/remedy/persist.c) on a fake
 * root holding one entry of every kind that starts a "detected" file and
 * others that start clean files: only the detected ones are reported, with
 * their kind, file and line, in the documented order.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "testutil.h"
#include "raquet/persist.h"

static char *root;

/* mkdir -p root/dir, then write root/dir/name. */
static void put(const char *dir, const char *name, const char *text)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s%s", root, dir);
	for (char *p = path + strlen(root) + 1; *p; p++)
		if (*p == '/') {
			*p = '\0';
			assert_true(mkdir(path, 0755) == 0 || errno == EEXIST);
			*p = '/';
		}
	assert_true(mkdir(path, 0755) == 0 || errno == EEXIST);
	free(rq_test_write(path, name, text, strlen(text)));
}

static int setup(void **state)
{
	(void)state;
	root = rq_test_tmpdir();
	put("/etc", "ld.so.preload", "# preload\n/usr/lib/libclean.so\n/opt/evil/preload.so libx.so\n");
	put("/etc", "rc.local", "#!/bin/sh -e\n/usr/bin/clean --x\n\nnohup /opt/evil/rc >/dev/null 2>&1 &\nexit 0\n");
	put("/etc/systemd/system", "a.service",
	    "[Unit]\nDescription=/opt/evil/not-a-command\n[Service]\nExecStartPre=/usr/bin/clean\n"
	    "ExecStart=-@/opt/evil/unit arg0 /opt/evil/arg\n");
	put("/etc/systemd/system", "b.timer", "[Timer]\nExecStart=/opt/evil/ignored\n");
	put("/usr/lib/systemd/system", "c.service", "[Service]\nExecStartPost=!!/opt/evil/post\n");
	put("/etc", "crontab", "SHELL=/opt/evil/shellvar\nPATH=/usr/bin\n# m h dom mon dow user command\n"
	    "17 * * * * root cd / && run-parts /etc/cron.hourly\n*/5 * * * * root /opt/evil/cron\n");
	put("/etc/cron.d", "job", "@reboot root /usr/bin/clean\n@reboot root sh -c '/opt/evil/crond'\n");
	put("/var/spool/cron/crontabs", "alice", "* * * * * /opt/evil/spool # /opt/evil/comment\n");
	put("/etc/profile.d", "x.sh", "export A=1\n$(/opt/evil/profiled)\n");
	put("/etc/profile.d", "x.csh", "/opt/evil/not-sh\n");
	put("/etc", "bash.bashrc", "[ -x /usr/bin/clean ] && true\n");
	put("/root", ".bashrc", "alias ls=/opt/evil/rootrc\n");
	put("/home/bob", ".profile", "\n\n/opt/evil/bobprofile &\n");
	put("/home/bob/.config/autostart", "e.desktop",
	    "[Desktop Entry]\nName=e\nExec=\"/opt/evil/xdg\" --start\nTryExec=/opt/evil/tryexec\n");
	put("/home/bob/.config/autostart", "f.desktop", "[Desktop Entry]\nExec=/usr/bin/clean\n");
	put("/etc/xdg/autostart", "g.desktop", "[Desktop Entry]\nExec=/opt/evil/sysxdg %u\n");
	put("/home/bob/.config/systemd/user", "u.service", "[Service]\nExecStart=/opt/evil/user\n");
	/* timers: an explicit Unit= and the implied NAME.service, found in another unit folder */
	put("/etc/systemd/system", "t.timer", "[Unit]\nUnit=nope\n[Timer]\nOnCalendar=daily\nUnit=tsvc.service\n");
	put("/etc/systemd/system", "tsvc.service", "[Service]\nExecStart=/opt/evil/tsvc\n");
	put("/etc/systemd/system", "c.timer", "[Timer]\nOnBootSec=5min\n");
	put("/etc/systemd/system", "clean.timer", "[Timer]\nOnBootSec=5min\n");
	put("/etc/systemd/system", "clean.service", "[Service]\nExecStart=/usr/bin/clean\n");
	put("/home/bob/.config/systemd/user", "u.timer", "[Timer]\nOnBootSec=1\n");
	/* cron.daily style scripts: detected themselves, or running a detected path */
	put("/etc/cron.daily", "evil-self", "#!/bin/sh\necho hi\n");
	put("/etc/cron.weekly", "runner", "#!/bin/sh\n/usr/bin/clean\nexec /opt/evil/weekly --now\n");
	put("/etc/cron.monthly", "clean", "#!/bin/sh\n/usr/bin/clean\n");
	/* at jobs */
	put("/var/spool/cron/atjobs", "a0000101a2b3c", "#!/bin/sh\n# atrun uid=0 gid=0\numask 22\n"
	    "cd /root || {\n\t echo 'Execution directory inaccessible' >&2\n\t exit 1\n}\n/opt/evil/atjob\n");
	put("/var/spool/cron/atjobs", ".SEQ", "/opt/evil/seq\n");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	rq_test_rmtree(root);
	free(root);
	return 0;
}

static int detected(const char *target, void *payload)
{
	(void)payload;
	return strncmp(target, "/opt/evil/", 10) == 0 || strstr(target, "/evil-") != NULL;
}

typedef struct found {
	char lines[96][512];
	int n;
	int stop_after;
} found;

static int collect(const rq_persist_entry *e, void *payload)
{
	found *f = payload;
	assert_true(f->n < 96);
	snprintf(f->lines[f->n], sizeof(f->lines[0]), "%s %s:%u -> %s",
		 rq_persist_kind_name(e->kind), e->file, e->line, e->target);
	f->n++;
	return f->stop_after && f->n >= f->stop_after;
}

static void test_detected_entries_reported(void **state)
{
	static const char *const want[] = {
		"PRELOAD /etc/ld.so.preload:3 -> /opt/evil/preload.so",
		"RCLOCAL /etc/rc.local:4 -> /opt/evil/rc",
		"SYSTEMD /etc/systemd/system/a.service:5 -> /opt/evil/unit",
		"SYSTEMD /etc/systemd/system/tsvc.service:2 -> /opt/evil/tsvc",
		"SYSTEMD /usr/lib/systemd/system/c.service:2 -> /opt/evil/post",
		"TIMER /etc/systemd/system/c.timer:1 -> /opt/evil/post",
		"TIMER /etc/systemd/system/t.timer:5 -> /opt/evil/tsvc",
		"CRON /etc/crontab:1 -> /opt/evil/shellvar",
		"CRON /etc/crontab:5 -> /opt/evil/cron",
		"CRON /etc/cron.d/job:2 -> /opt/evil/crond",
		"CRON /var/spool/cron/crontabs/alice:1 -> /opt/evil/spool",
		"CRONDIR /etc/cron.daily/evil-self:1 -> /etc/cron.daily/evil-self",
		"CRONDIR /etc/cron.weekly/runner:3 -> /opt/evil/weekly",
		"AT /var/spool/cron/atjobs/a0000101a2b3c:8 -> /opt/evil/atjob",
		"SHELL /etc/profile.d/x.sh:2 -> /opt/evil/profiled",
		"AUTOSTART /etc/xdg/autostart/g.desktop:2 -> /opt/evil/sysxdg",
		"SHELL /root/.bashrc:1 -> /opt/evil/rootrc",
		"SHELL /home/bob/.profile:3 -> /opt/evil/bobprofile",
		"SYSTEMD /home/bob/.config/systemd/user/u.service:2 -> /opt/evil/user",
		"TIMER /home/bob/.config/systemd/user/u.timer:1 -> /opt/evil/user",
		"AUTOSTART /home/bob/.config/autostart/e.desktop:3 -> /opt/evil/xdg",
	};
	(void)state;
	found f;
	memset(&f, 0, sizeof(f));
	assert_int_equal(rq_persist_find(root, detected, collect, &f), 0);
	for (int i = 0; i < f.n; i++)
		print_message("%s\n", f.lines[i]);
	assert_int_equal(f.n, (int)(sizeof(want) / sizeof(want[0])));
	for (int i = 0; i < f.n; i++)
		assert_string_equal(f.lines[i], want[i]);
}

static void test_all_entries_without_predicate(void **state)
{
	(void)state;
	found f;
	memset(&f, 0, sizeof(f));
	assert_int_equal(rq_persist_find(root, NULL, collect, &f), 0);
	int clean = 0;
	for (int i = 0; i < f.n; i++)
		clean += strstr(f.lines[i], "-> /usr/bin/clean") != NULL;
	/* rc.local, ExecStartPre, cron.d, bash.bashrc, autostart f.desktop,
	 * clean.service and its timer, cron.weekly/runner, cron.monthly/clean */
	assert_int_equal(clean, 9);
	assert_true(f.n > 13);
}

static void test_callback_stops(void **state)
{
	(void)state;
	found f;
	memset(&f, 0, sizeof(f));
	f.stop_after = 2;
	assert_int_equal(rq_persist_find(root, detected, collect, &f), RQ_ESTOPPED);
	assert_int_equal(f.n, 2);
}

static void test_empty_root(void **state)
{
	(void)state;
	char *empty = rq_test_tmpdir();
	found f;
	memset(&f, 0, sizeof(f));
	assert_int_equal(rq_persist_find(empty, NULL, collect, &f), 0);
	assert_int_equal(f.n, 0);
	assert_int_equal(rq_persist_find(empty, NULL, NULL, &f), RQ_EINVAL);
	rq_test_rmtree(empty);
	free(empty);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_detected_entries_reported),
		cmocka_unit_test(test_all_entries_without_predicate),
		cmocka_unit_test(test_callback_stops),
		cmocka_unit_test(test_empty_root),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
