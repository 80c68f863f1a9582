/*
 * Tests of real-time protection (agent/realtime.c) with real fanotify:
 * a detected file written into a watched folder is reported after its
 * close; executing a detected script is refused (EPERM) while a clean one
 * runs; a program run again is answered from the verdict cache. Where
 * fanotify is not permitted the start fails with the reason and the test
 * says so (skipped): CI runs as root, where it is.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"
#include "realtime.h"

#define MARKER "raquet-realtime-test-marker"

typedef struct got {
	pthread_mutex_t lock;
	int found, blocked;
	char path[4096], name[256];
} got;

static void on_event(const rq_rt_event *ev, void *payload)
{
	got *g = payload;
	pthread_mutex_lock(&g->lock);
	if (ev->blocked)
		g->blocked++;
	else
		g->found++;
	snprintf(g->path, sizeof(g->path), "%s", ev->path);
	snprintf(g->name, sizeof(g->name), "%s", ev->name);
	pthread_mutex_unlock(&g->lock);
}

static int wait_for(got *g, int *field, int want)
{
	for (int i = 0; i < 200; i++) {
		pthread_mutex_lock(&g->lock);
		int v = *field;
		pthread_mutex_unlock(&g->lock);
		if (v >= want)
			return 1;
		struct timespec ts = { 0, 10 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
	return 0;
}

static void write_file(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	chmod(path, mode);
}

/* Run `path`; its exit status, or -errno when exec failed. */
static int run(const char *path)
{
	int fds[2];
	assert_int_equal(pipe(fds), 0);
	pid_t pid = fork();
	if (pid == 0) {
		close(fds[0]);
		execl(path, path, (char *)NULL);
		int e = errno;
		if (write(fds[1], &e, sizeof(e)) < 0)
			_exit(126);
		_exit(127);
	}
	close(fds[1]);
	int e = 0, status = 0;
	ssize_t n = read(fds[0], &e, sizeof(e));
	close(fds[0]);
	waitpid(pid, &status, 0);
	return n == (ssize_t)sizeof(e) ? -e : WEXITSTATUS(status);
}

static void test_realtime(void **state)
{
	char hex[2 * sizeof(MARKER) + 1];
	for (size_t i = 0; i < strlen(MARKER); i++)
		snprintf(hex + 2 * i, 3, "%02x", (unsigned char)MARKER[i]);
	char sig[300];
	snprintf(sig, sizeof(sig), "Test.Realtime.Marker:0:*:%s", hex);
	rq_engine *e = rq_test_engine(1, "ndb", sig, NULL);
	char *dir = rq_test_tmpdir();
	got g = { PTHREAD_MUTEX_INITIALIZER, 0, 0, "", "" };
	const char *paths[] = { dir };
	rq_rt_options o = { paths, 1, 0, 1, 0, 0, on_event, &g };
	rq_realtime *rt = NULL;
	int rc = rq_realtime_start(&rt, e, &o);
	if (rc == RQ_EUNSUPPORTED) {
		print_message("real-time protection not available here: %s\n", rq_error_last());
		rq_engine_free(e);
		rq_test_rmtree(dir);
		free(dir);
		skip();
		return;
	}
	assert_int_equal(rc, 0);

	/* written, then found after close */
	char p[4096];
	snprintf(p, sizeof(p), "%s/dropped.bin", dir);
	write_file(p, "some bytes " MARKER " more bytes", 0644);
	assert_true(wait_for(&g, &g.found, 1));
	assert_string_equal(g.name, "Test.Realtime.Marker");
	assert_string_equal(g.path, p);

	/* a clean script runs; a detected one is refused */
	char clean[4096], evil[4096];
	snprintf(clean, sizeof(clean), "%s/clean.sh", dir);
	snprintf(evil, sizeof(evil), "%s/evil.sh", dir);
	write_file(clean, "#!/bin/sh\nexit 7\n", 0755);
	write_file(evil, "#!/bin/sh\n# " MARKER "\nexit 0\n", 0755);
	assert_int_equal(run(clean), 7);
	int r = run(evil);
	assert_true(r == -EPERM || r == -EACCES); /* the kernel's answer to a fanotify deny */
	assert_true(wait_for(&g, &g.blocked, 1));
	/* again: refused from the cache */
	r = run(evil);
	assert_true(r == -EPERM || r == -EACCES);
	rq_rt_stats st;
	rq_realtime_stats(rt, &st);
	assert_true(st.blocked >= 2);
	assert_true(st.cache_hits >= 1);
	rq_realtime_stop(rt);
	/* stopped: nothing is refused any more */
	assert_int_equal(run(evil), 0);
	rq_engine_free(e);
	rq_test_rmtree(dir);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_realtime),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
