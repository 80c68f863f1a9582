/*
 * Tests of the agent's durable outbox (agent/outbox.c): events come back in
 * queue order with stable UUIDs until acknowledged; repeated acks are
 * harmless; a child killed with SIGKILL while writing loses no event it was
 * told was stored; the size cap drops the oldest details first, keeps
 * summaries, and reports the drop count as an event; a full disk refuses a
 * put cleanly and keeps what was there; backoff grows with jitter.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"
#include "tmpdir_fixture.h"
#include "outbox.h"

static rq_outbox *open_at(const char *name, uint64_t max)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", tmp, name);
	rq_outbox_limits lim = { max, 0, 0 };
	rq_outbox *ob = NULL;
	if (rq_outbox_open(&ob, path, &lim))
		fail_msg("open: %s", rq_error_last());
	return ob;
}

static void test_order_and_ack(void **state)
{
	rq_outbox *ob = open_at("a.sqlite", 0);
	char ids[5][37];
	for (int i = 0; i < 5; i++) {
		char payload[64];
		snprintf(payload, sizeof(payload), "{\"n\":%d,\"path\":\"C:\\\\tệp '%d'\"}", i, i);
		/* the clock jumps backwards: order is still the queue's */
		assert_int_equal(rq_outbox_put(ob, "detection", RQ_EVENT_DETAIL, payload, 1000 - i, ids[i]), 0);
	}
	assert_string_not_equal(ids[0], ids[1]);
	assert_int_equal(strlen(ids[0]), 36);
	assert_int_equal(ids[0][14], '4');
	rq_outbox_batch b;
	assert_int_equal(rq_outbox_next(ob, 3, 1 << 20, &b), 0);
	assert_int_equal(b.count, 3);
	for (int i = 0; i < 3; i++) {
		assert_string_equal(b.events[i].uuid, ids[i]);
		assert_string_equal(b.events[i].kind, "detection");
		assert_int_equal(b.events[i].attempts, 0);
		assert_int_equal(b.events[i].when, 1000 - i);
	}
	assert_non_null(strstr(b.events[1].payload, "tệp '1'"));
	rq_outbox_batch_free(&b);
	/* not acknowledged: handed out again, attempts counted */
	assert_int_equal(rq_outbox_next(ob, 10, 1 << 20, &b), 0);
	assert_int_equal(b.count, 5);
	assert_int_equal(b.events[0].attempts, 1);
	assert_int_equal(b.events[4].attempts, 0);
	const char *acks[] = { ids[0], ids[1], ids[0], "not-a-uuid" };
	assert_int_equal(rq_outbox_ack(ob, acks, 4), 0);
	assert_int_equal(rq_outbox_ack(ob, acks, 2), 0); /* repeated ack */
	rq_outbox_batch_free(&b);
	/* max_bytes: at least one event, then within the budget */
	assert_int_equal(rq_outbox_next(ob, 10, 1, &b), 0);
	assert_int_equal(b.count, 1);
	assert_string_equal(b.events[0].uuid, ids[2]);
	rq_outbox_batch_free(&b);
	rq_outbox_stats st;
	assert_int_equal(rq_outbox_stats_get(ob, &st), 0);
	assert_int_equal(st.events, 3);
	rq_outbox_close(ob);
	/* survives reopening */
	ob = open_at("a.sqlite", 0);
	assert_int_equal(rq_outbox_next(ob, 10, 1 << 20, &b), 0);
	assert_int_equal(b.count, 3);
	assert_string_equal(b.events[2].uuid, ids[4]);
	rq_outbox_batch_free(&b);
	/* an oversized event is refused, naming the limit */
	char *big = malloc(RQ_OUTBOX_DEFAULT_PAYLOAD + 2);
	memset(big, 'x', RQ_OUTBOX_DEFAULT_PAYLOAD + 1);
	big[RQ_OUTBOX_DEFAULT_PAYLOAD + 1] = '\0';
	assert_int_equal(rq_outbox_put(ob, "scan", RQ_EVENT_SUMMARY, big, 0, NULL), RQ_ELIMIT);
	free(big);
	rq_outbox_close(ob);
}

/* A writer killed at random moments: every UUID it reported as stored is there. */
static void test_kill_during_writes(void **state)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/kill.sqlite", tmp);
	for (int round = 0; round < 4; round++) {
		int fds[2];
		assert_int_equal(pipe(fds), 0);
		pid_t pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			close(fds[0]);
			rq_outbox *ob = NULL;
			if (rq_outbox_open(&ob, path, NULL))
				_exit(3);
			for (int i = 0;; i++) {
				char id[37];
				if (rq_outbox_put(ob, "detection", RQ_EVENT_DETAIL, "{\"x\":1}", i, id))
					_exit(4);
				if (write(fds[1], id, 36) != 36)
					_exit(5);
			}
		}
		close(fds[1]);
		/* let it store a few (however slow the machine), then kill it at some moment */
		size_t early = 2 + (size_t)round, got = 0;
		char (*seen)[36] = calloc(early, 36);
		while (got < early && read(fds[0], seen[got], 36) == 36)
			got++;
		assert_int_equal(got, early);
		usleep(7000 * (useconds_t)round);
		kill(pid, SIGKILL);
		int status;
		waitpid(pid, &status, 0);
		assert_true(WIFSIGNALED(status));
		/* everything the child reported must be there */
		char buf[36];
		size_t reported = 0, next_early = 0;
		rq_outbox *ob = NULL;
		assert_int_equal(rq_outbox_open(&ob, path, NULL), 0);
		rq_outbox_batch b;
		assert_int_equal(rq_outbox_next(ob, 1000000, (size_t)1 << 30, &b), 0);
		while (next_early < early ? (memcpy(buf, seen[next_early++], 36), 1)
					  : read(fds[0], buf, 36) == 36) {
			reported++;
			int found = 0;
			for (size_t k = 0; k < b.count && !found; k++)
				found = !memcmp(b.events[k].uuid, buf, 36);
			if (!found)
				fail_msg("round %d: a stored event is missing after SIGKILL", round);
		}
		close(fds[0]);
		free(seen);
		assert_true(reported >= early);
		assert_true(b.count >= reported); /* at most the one being written when killed extra */
		assert_true(b.count <= reported + 1);
		/* acknowledge everything so the next round starts empty */
		const char **ids = malloc(b.count * sizeof(*ids));
		for (size_t k = 0; k < b.count; k++)
			ids[k] = b.events[k].uuid;
		assert_int_equal(rq_outbox_ack(ob, ids, b.count), 0);
		free(ids);
		rq_outbox_batch_free(&b);
		rq_outbox_close(ob);
	}
}

static void test_cap(void **state)
{
	rq_outbox *ob = open_at("cap.sqlite", 4000);
	char payload[200];
	memset(payload, 'd', 99);
	payload[99] = '\0';
	char sid[37];
	assert_int_equal(rq_outbox_put(ob, "scan", RQ_EVENT_SUMMARY, payload, 0, sid), 0);
	for (int i = 0; i < 100; i++)
		assert_int_equal(rq_outbox_put(ob, i % 2 ? "detection" : "action", RQ_EVENT_DETAIL, payload, i, NULL), 0);
	rq_outbox_stats st;
	assert_int_equal(rq_outbox_stats_get(ob, &st), 0);
	assert_true(st.bytes <= 4000);
	assert_int_equal(st.dropped, 101 - st.events);
	rq_outbox_batch b;
	assert_int_equal(rq_outbox_next(ob, 1000, 1 << 20, &b), 0);
	/* the summary survived; the oldest details went; the count is an event */
	assert_string_equal(b.events[0].uuid, sid);
	int saw_dropped = 0;
	for (size_t k = 0; k < b.count; k++)
		if (!strcmp(b.events[k].kind, "outbox-dropped")) {
			saw_dropped = 1;
			assert_non_null(strstr(b.events[k].payload, "\"action\":"));
			assert_non_null(strstr(b.events[k].payload, "\"detection\":"));
		}
	assert_true(saw_dropped);
	rq_outbox_batch_free(&b);
	assert_int_equal(rq_outbox_stats_get(ob, &st), 0);
	assert_int_equal(st.dropped, 0); /* now queued as an event */
	rq_outbox_close(ob);
}

/* Full disk: the put fails with a clear error, what was stored stays. */
static void test_disk_full(void **state)
{
	if (geteuid() != 0) {
		skip();
		return;
	}
	char dir[2048];
	snprintf(dir, sizeof(dir), "%s/small", tmp);
	mkdir(dir, 0700);
	if (mount("tmpfs", dir, "tmpfs", 0, "size=1m")) {
		skip(); /* no mount permission (container): covered by CI, which is root */
		return;
	}
	char path[4096];
	snprintf(path, sizeof(path), "%s/ob.sqlite", dir);
	rq_outbox_limits lim = { 1ULL << 30, 0, 256 * 1024 };
	rq_outbox *ob = NULL;
	assert_int_equal(rq_outbox_open(&ob, path, &lim), 0);
	char payload[4001];
	memset(payload, 'p', 4000);
	payload[4000] = '\0';
	size_t stored = 0;
	int rc;
	while ((rc = rq_outbox_put(ob, "detection", RQ_EVENT_DETAIL, payload, 0, NULL)) == 0)
		stored++;
	assert_int_equal(rc, RQ_EIO);
	assert_non_null(strstr(rq_error_last(), "disk full"));
	assert_true(stored > 5);
	/* still able to send and acknowledge, which frees the space again */
	rq_outbox_batch b;
	assert_int_equal(rq_outbox_next(ob, 100000, (size_t)1 << 30, &b), 0);
	assert_int_equal(b.count, stored);
	const char **ids = malloc(b.count * sizeof(*ids));
	for (size_t k = 0; k < b.count; k++)
		ids[k] = b.events[k].uuid;
	if (rq_outbox_ack(ob, ids, b.count))
		fail_msg("ack on a full disk: %s", rq_error_last());
	free(ids);
	rq_outbox_batch_free(&b);
	assert_int_equal(rq_outbox_put(ob, "detection", RQ_EVENT_DETAIL, payload, 0, NULL), 0);
	rq_outbox_close(ob);
	umount(dir);
}

static void test_backoff(void **state)
{
	for (unsigned f = 0; f < 20; f++) {
		int64_t max_seen = 0;
		for (int i = 0; i < 200; i++) {
			int64_t d = rq_backoff_ms(f, 1000, 300000);
			assert_true(d >= 0);
			int64_t ceiling = 1000LL << (f < 9 ? f : 9);
			assert_true(d <= (ceiling < 300000 ? ceiling : 300000));
			if (d > max_seen)
				max_seen = d;
		}
		if (f >= 3)
			assert_true(max_seen > 1000); /* it grows */
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order_and_ack),
		cmocka_unit_test(test_kill_during_writes),
		cmocka_unit_test(test_cap),
		cmocka_unit_test(test_disk_full),
		cmocka_unit_test(test_backoff),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
