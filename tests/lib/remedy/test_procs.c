/*
 * Tests of the running-process scan and kill (lib/remedy/procs.c) on real
 * processes: a copy of sleep carrying a signature is reported (also after
 * its file is deleted), an unmodified copy is not, and a kill is refused
 * for pid 1, ourselves and a process whose start time does not match.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"
#include "raquet/procs.h"

/* The marker planted in the infected copy, kept in hex so that this test
 * program's own image does not carry it. */
#define MARKER_HEX "525170726f63732d746573742d6d61726b65722d3935313733"
#define MARKER_SIG "Test.Procs.Marker:0:*:" MARKER_HEX

static char *tmp;

static int setup(void **state)
{
	(void)state;
	tmp = rq_test_tmpdir();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	rq_test_rmtree(tmp);
	free(tmp);
	return 0;
}

/* Copy /bin/sleep to tmp/name, with the marker appended if `infected`. */
static char *make_sleep(const char *name, int infected)
{
	size_t len = 0, cap = 1 << 16;
	char *data = malloc(cap);
	int fd = open("/bin/sleep", O_RDONLY);
	ssize_t n;
	assert_non_null(data);
	assert_true(fd >= 0);
	while ((n = read(fd, data + len, cap - len)) > 0) {
		len += (size_t)n;
		if (len == cap) {
			cap *= 2;
			data = realloc(data, cap);
			assert_non_null(data);
		}
	}
	close(fd);
	if (infected) {
		const char *hex = MARKER_HEX;
		size_t m = strlen(hex) / 2;
		data = realloc(data, len + m);
		assert_non_null(data);
		for (size_t i = 0; i < m; i++) {
			unsigned byte;
			sscanf(hex + 2 * i, "%2x", &byte);
			data[len++] = (char)byte;
		}
	}
	char *path = rq_test_write(tmp, name, data, len);
	free(data);
	assert_int_equal(chmod(path, 0755), 0);
	return path;
}

/* Start `path 300` and wait until the child runs it. */
static pid_t start(const char *path)
{
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		execl(path, path, "300", (char *)NULL);
		_exit(127);
	}
	char link[64], target[4096];
	snprintf(link, sizeof link, "/proc/%d/exe", (int)pid);
	for (int i = 0; i < 400; i++) {
		ssize_t n = readlink(link, target, sizeof target - 1);
		if (n > 0) {
			target[n] = '\0';
			if (!strcmp(target, path))
				return pid;
		}
		struct timespec ts = { 0, 5 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
	fail_msg("child %d never ran %s", (int)pid, path);
	return -1;
}

static int reap_status(pid_t pid)
{
	int status = 0;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return status;
}

static void stop(pid_t pid)
{
	kill(pid, SIGKILL);
	reap_status(pid);
}

typedef struct seen {
	int pid;
	int found, exe_deleted, hit_deleted, is_exe;
	uint64_t start_time;
	char name[128], exe[4096];
	int other_pids[16];
	size_t others;
} seen;

static int on_report(const rq_proc_report *rep, void *payload)
{
	seen *s = payload;
	if (rep->pid != s->pid) {
		if (s->others < 16)
			s->other_pids[s->others++] = rep->pid;
		return 0;
	}
	s->found = 1;
	s->exe_deleted = rep->exe_deleted;
	s->start_time = rep->start_time;
	snprintf(s->exe, sizeof s->exe, "%s", rep->exe);
	assert_true(rep->hit_count >= 1);
	s->is_exe = rep->hits[0].is_exe;
	s->hit_deleted = rep->hits[0].deleted;
	assert_true(rep->hits[0].name_count >= 1);
	snprintf(s->name, sizeof s->name, "%s", rep->hits[0].names[0]);
	return 0;
}

static void scan_for(rq_engine *engine, seen *s, rq_procs_stats *st)
{
	rq_scanner *scanner = NULL;
	assert_int_equal(rq_scanner_new(&scanner, engine, NULL), 0);
	assert_int_equal(rq_procs_scan(scanner, on_report, s, st), 0);
	rq_scanner_free(scanner);
}

static void test_detects_running_and_deleted(void **state)
{
	(void)state;
	rq_engine *engine = rq_test_engine(1, "ndb", MARKER_SIG, NULL);
	char *bad = make_sleep("bad-sleep", 1);
	char *good = make_sleep("good-sleep", 0);
	pid_t pbad = start(bad), pgood = start(good);
	rq_procs_stats st;

	seen s = { .pid = (int)pbad };
	scan_for(engine, &s, &st);
	assert_true(s.found);
	assert_string_equal(s.name, "Test.Procs.Marker");
	assert_string_equal(s.exe, bad);
	assert_true(s.is_exe);
	assert_false(s.exe_deleted);
	assert_true(st.processes >= 3); /* us and the two children */
	for (size_t i = 0; i < s.others; i++)
		assert_int_not_equal(s.other_pids[i], (int)pgood);
	uint64_t want;
	assert_int_equal(rq_proc_start_time(&want, (int)pbad), 0);
	assert_true(s.start_time == want);

	/* deleted from disk: still scanned through /proc/PID/exe */
	assert_int_equal(unlink(bad), 0);
	seen d = { .pid = (int)pbad };
	scan_for(engine, &d, &st);
	assert_true(d.found);
	assert_true(d.exe_deleted);
	assert_true(d.hit_deleted);
	assert_string_equal(d.exe, bad);

	/* the pid of the clean copy is never reported */
	seen g = { .pid = (int)pgood };
	scan_for(engine, &g, &st);
	assert_false(g.found);

	stop(pbad);
	stop(pgood);
	rq_engine_free(engine);
	free(bad);
	free(good);
}

static void test_kill_checks_identity(void **state)
{
	(void)state;
	char *path = make_sleep("victim", 0);
	pid_t pid = start(path);
	uint64_t t0;
	assert_int_equal(rq_proc_start_time(&t0, (int)pid), 0);

	/* a different start time: the pid is taken to be recycled, no signal */
	assert_int_equal(rq_proc_kill((int)pid, t0 + 1), RQ_ENOTFOUND);
	assert_non_null(strstr(rq_error_last(), "another process"));
	int status;
	assert_int_equal(waitpid(pid, &status, WNOHANG), 0);

	assert_int_equal(rq_proc_kill((int)pid, t0), 0);
	status = reap_status(pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGKILL);

	/* now gone: no process to kill */
	assert_int_equal(rq_proc_kill((int)pid, t0), RQ_ENOTFOUND);
	assert_int_equal(rq_proc_start_time(&t0, (int)pid), RQ_ENOTFOUND);
	free(path);
}

static void test_kill_refuses_init_and_self(void **state)
{
	(void)state;
	uint64_t t;
	assert_int_equal(rq_proc_start_time(&t, 1), 0);
	assert_int_equal(rq_proc_kill(1, t), RQ_EINVAL);
	assert_int_equal(rq_proc_start_time(&t, (int)getpid()), 0);
	assert_int_equal(rq_proc_kill((int)getpid(), t), RQ_EINVAL);
	assert_int_equal(rq_proc_kill(0, 0), RQ_EINVAL);
	assert_int_equal(rq_proc_kill(-1, 0), RQ_EINVAL);
	assert_int_equal(rq_proc_start_time(&t, -5), RQ_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_detects_running_and_deleted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kill_checks_identity, setup, teardown),
		cmocka_unit_test(test_kill_refuses_init_and_self),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
