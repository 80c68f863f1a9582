/*
 * Tests of the store's statement layer on both backends: placeholders in
 * any order, every bound type round-tripping (SQL metacharacters, blobs
 * with NUL bytes, NULL), statement caching, transactions, the retry helper
 * and error messages that never show bound values.
 */
#include <pthread.h>
#include <sched.h>

#include "core/error.h"
#include "store_fixture.h"

static void test_placeholders_and_types(void **state)
{
	fx *f = *state;
	rq_stmt *st = NULL;
	const unsigned char blob[] = {0, 1, 2, 0xff, '\'', 0, '\\', 'x'};
	const void *got;
	size_t len;
	FX_OK(rq_store_exec(f->s, "CREATE TABLE t (a BIGINT, b TEXT, c TEXT, d BIGINT)"));
	if (f->pg)
		FX_OK(rq_store_exec(f->s, "ALTER TABLE t ADD COLUMN e BYTEA"));
	else
		FX_OK(rq_store_exec(f->s, "ALTER TABLE t ADD COLUMN e BLOB"));
	/* $2 before $1, $1 used twice, '$1' inside a literal is not a parameter */
	FX_OK(rq_store_prepare(f->s, &st, "INSERT INTO t (b, a, c, d, e) VALUES ($2, $1, '$1 -- ''x''', CAST($1 AS BIGINT) + 1, $3)"));
	FX_OK(rq_stmt_bind_int64(st, 1, INT64_MAX - 1));
	FX_OK(rq_stmt_bind_text(st, 2, fx_nasty));
	FX_OK(rq_stmt_bind_blob(st, 3, blob, sizeof(blob)));
	assert_int_equal(rq_stmt_step(st), RQ_STORE_DONE);
	assert_int_equal(rq_stmt_changes(st), 1);
	rq_stmt_finalize(st);

	FX_OK(rq_store_prepare(f->s, &st, "INSERT INTO t (a, b) VALUES ($1, $2)"));
	FX_OK(rq_stmt_bind_int64(st, 1, -5));
	FX_OK(rq_stmt_bind_text(st, 2, NULL));
	assert_int_equal(rq_stmt_step(st), RQ_STORE_DONE);
	rq_stmt_finalize(st);

	FX_OK(rq_store_prepare(f->s, &st, "SELECT a, b, c, d, e FROM t ORDER BY a DESC"));
	assert_int_equal(rq_stmt_step(st), RQ_STORE_ROW);
	assert_int_equal(rq_stmt_column_count(st), 5);
	assert_true(rq_stmt_column_int64(st, 0) == INT64_MAX - 1);
	assert_string_equal(rq_stmt_column_text(st, 1), fx_nasty);
	assert_string_equal(rq_stmt_column_text(st, 2), "$1 -- 'x'");
	assert_true(rq_stmt_column_int64(st, 3) == INT64_MAX);
	got = rq_stmt_column_blob(st, 4, &len);
	assert_int_equal(len, sizeof(blob));
	assert_memory_equal(got, blob, sizeof(blob));
	assert_int_equal(rq_stmt_step(st), RQ_STORE_ROW);
	assert_true(rq_stmt_column_int64(st, 0) == -5);
	assert_true(rq_stmt_column_is_null(st, 1));
	assert_null(rq_stmt_column_text(st, 1));
	assert_true(rq_stmt_column_is_null(st, 3));
	assert_int_equal(rq_stmt_column_int64(st, 3), 0);
	assert_int_equal(rq_stmt_step(st), RQ_STORE_DONE);
	/* out-of-range columns and parameters are refused, not read */
	assert_true(rq_stmt_column_is_null(st, 99));
	assert_int_equal(rq_stmt_bind_int64(st, 0, 1), RQ_EINVAL);
	rq_stmt_finalize(st);

	FX_OK(rq_store_prepare(f->s, &st, "SELECT a FROM t WHERE a = $1"));
	assert_true(rq_stmt_bind_int64(st, 2, 1) < 0);
	rq_stmt_finalize(st);
}

static void test_cache_and_reset(void **state)
{
	fx *f = *state;
	rq_stmt *a = NULL, *b = NULL, *c = NULL;
	const char *sql = "SELECT $1 + 0";
	FX_OK(rq_store_prepare(f->s, &a, sql));
	/* in use: a second prepare of the same text gets another statement */
	FX_OK(rq_store_prepare(f->s, &b, sql));
	assert_ptr_not_equal(a, b);
	FX_OK(rq_stmt_bind_int64(a, 1, 7));
	FX_OK(rq_stmt_bind_int64(b, 1, 8));
	assert_int_equal(rq_stmt_step(a), RQ_STORE_ROW);
	assert_int_equal(rq_stmt_step(b), RQ_STORE_ROW);
	assert_int_equal(rq_stmt_column_int64(a, 0), 7);
	assert_int_equal(rq_stmt_column_int64(b, 0), 8);
	/* reset clears bindings: an unbound parameter is NULL */
	FX_OK(rq_stmt_reset(a));
	assert_int_equal(rq_stmt_step(a), RQ_STORE_ROW);
	assert_true(rq_stmt_column_is_null(a, 0));
	rq_stmt_finalize(a);
	rq_stmt_finalize(b);
	/* finalized: the cached statement is handed out again */
	FX_OK(rq_store_prepare(f->s, &c, sql));
	assert_true(c == a || c == b);
	rq_stmt_finalize(c);
	rq_stmt_finalize(NULL);
}

static void test_run(void **state)
{
	fx *f = *state;
	int64_t changes = -1;
	const int64_t two[] = {5, 7};
	FX_OK(rq_store_exec(f->s, "CREATE TABLE t (a BIGINT, b BIGINT)"));
	FX_OK(rq_store_run(f->s, &changes, "INSERT INTO t VALUES ($1, $2)", two, 2));
	assert_int_equal(changes, 1);
	FX_OK(rq_store_run(f->s, NULL, "INSERT INTO t VALUES ($1, $2)", two, 2));
	FX_OK(rq_store_run(f->s, &changes, "UPDATE t SET b = b + 1 WHERE a = $1", two, 1));
	assert_int_equal(changes, 2);
	assert_int_equal(fx_int(f->s, "SELECT SUM(b) FROM t"), 16);
	FX_OK(rq_store_run(f->s, &changes, "DELETE FROM t WHERE a = $1", &two[1], 1));
	assert_int_equal(changes, 0);
	assert_true(rq_store_run(f->s, &changes, "DELETE FROM nowhere WHERE a = $1", two, 1) < 0);
}

static void test_transactions(void **state)
{
	fx *f = *state;
	rq_stmt *st = NULL;
	FX_OK(rq_store_exec(f->s, "CREATE TABLE t (a BIGINT NOT NULL UNIQUE)"));
	FX_OK(rq_store_begin(f->s));
	assert_int_equal(rq_store_begin(f->s), RQ_EINVAL);
	FX_OK(rq_store_exec(f->s, "INSERT INTO t VALUES (1)"));
	FX_OK(rq_store_rollback(f->s));
	assert_int_equal(fx_int(f->s, "SELECT COUNT(*) FROM t"), 0);
	FX_OK(rq_store_begin(f->s));
	FX_OK(rq_store_prepare(f->s, &st, "INSERT INTO t VALUES ($1)"));
	FX_OK(rq_stmt_bind_int64(st, 1, 2));
	assert_int_equal(rq_stmt_step(st), RQ_STORE_DONE);
	rq_stmt_finalize(st);
	FX_OK(rq_store_commit(f->s));
	assert_int_equal(rq_store_in_transaction(f->s), 0);
	assert_int_equal(fx_int(f->s, "SELECT COUNT(*) FROM t"), 1);
	assert_int_equal(rq_store_commit(f->s), RQ_EINVAL);
	/* a failed statement inside a transaction: on PostgreSQL the whole
	 * transaction is lost, and commit must say so rather than "succeed" */
	FX_OK(rq_store_begin(f->s));
	FX_OK(rq_store_exec(f->s, "INSERT INTO t VALUES (3)"));
	assert_int_equal(rq_store_exec(f->s, "INSERT INTO t VALUES (2)"), RQ_STORE_ECONSTRAINT);
	if (f->pg) {
		assert_int_equal(rq_store_commit(f->s), RQ_ERROR);
		assert_int_equal(fx_int(f->s, "SELECT COUNT(*) FROM t"), 1);
	} else {
		FX_OK(rq_store_rollback(f->s));
	}
	assert_false(rq_store_in_transaction(f->s));
}

static int insert_then(rq_store *s, void *payload)
{
	int *calls = payload;
	(*calls)++;
	int rc = rq_store_exec(s, "INSERT INTO t VALUES (10)");
	if (rc == 0)
		rc = rq_store_exec(s, "INSERT INTO t VALUES (10)"); /* duplicate: fails */
	return rc;
}

static void test_transact_rolls_back(void **state)
{
	fx *f = *state;
	int calls = 0;
	FX_OK(rq_store_exec(f->s, "CREATE TABLE t (a BIGINT NOT NULL UNIQUE)"));
	assert_int_equal(rq_store_transact(f->s, insert_then, &calls), RQ_STORE_ECONSTRAINT);
	assert_int_equal(calls, 1); /* not a busy error: no retry */
	assert_int_equal(rq_store_in_transaction(f->s), 0);
	assert_int_equal(fx_int(f->s, "SELECT COUNT(*) FROM t"), 0);
}

/* Busy on the first two attempts: the work is rolled back and run again. */
static int busy_twice(rq_store *s, void *payload)
{
	int *calls = payload;
	int rc = rq_store_exec(s, "INSERT INTO t VALUES (20)");
	if (rc == 0 && ++*calls <= 2)
		rc = rq_fail(RQ_STORE_EBUSY, "simulated lock timeout");
	return rc;
}

static int always_busy(rq_store *s, void *payload)
{
	int *calls = payload;
	++*calls;
	return rq_fail(RQ_STORE_EBUSY, "simulated lock timeout");
}

static void test_transact_retries_busy(void **state)
{
	fx *f = *state;
	int calls = 0;
	FX_OK(rq_store_exec(f->s, "CREATE TABLE t (a BIGINT NOT NULL UNIQUE)"));
	FX_OK(rq_store_transact(f->s, busy_twice, &calls));
	assert_int_equal(calls, 3);
	assert_int_equal(fx_int(f->s, "SELECT COUNT(*) FROM t"), 1);
	calls = 0;
	assert_int_equal(rq_store_transact(f->s, always_busy, &calls), RQ_STORE_EBUSY);
	assert_int_equal(calls, RQ_STORE_TX_ATTEMPTS);
	assert_false(rq_store_in_transaction(f->s));
	/* inside a transaction already: just runs, no retry, no commit */
	calls = 0;
	FX_OK(rq_store_begin(f->s));
	assert_int_equal(rq_store_transact(f->s, always_busy, &calls), RQ_STORE_EBUSY);
	assert_int_equal(calls, 1);
	assert_true(rq_store_in_transaction(f->s));
	FX_OK(rq_store_rollback(f->s));
}

typedef struct holder {
	rq_store *s;
	volatile int locked;
	int rc;
} holder;

/* Take the write lock, hold it 300 ms, commit. */
static void *hold_lock(void *arg)
{
	holder *h = arg;
	struct timespec pause = {0, 300L * 1000000L};
	h->rc = rq_store_begin(h->s);
	if (h->rc == 0)
		h->rc = rq_store_exec(h->s, "INSERT INTO t VALUES (1)");
	__atomic_store_n(&h->locked, 1, __ATOMIC_SEQ_CST);
	nanosleep(&pause, NULL);
	if (h->rc == 0)
		h->rc = rq_store_commit(h->s);
	return NULL;
}

static double now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000.0 + t.tv_nsec / 1e6;
}

/* Another connection holding the write lock: SQLite's begin waits (busy
 * timeout) instead of failing, and goes through once the holder commits;
 * readers are never blocked. */
static void test_second_connection_waits(void **state)
{
	fx *f = *state;
	holder h = {0};
	pthread_t th;
	double t0;
	FX_OK(rq_store_exec(f->s, "CREATE TABLE t (a BIGINT NOT NULL UNIQUE)"));
	FX_OK(fx_open(f, &h.s));
	assert_int_equal(pthread_create(&th, NULL, hold_lock, &h), 0);
	while (!__atomic_load_n(&h.locked, __ATOMIC_SEQ_CST))
		sched_yield();
	assert_int_equal(fx_int(f->s, "SELECT COUNT(*) FROM t"), 0);
	t0 = now_ms();
	FX_OK(rq_store_begin(f->s));
	FX_OK(rq_store_exec(f->s, "INSERT INTO t VALUES (2)"));
	FX_OK(rq_store_commit(f->s));
	if (!f->pg)
		assert_true(now_ms() - t0 > 100);
	pthread_join(th, NULL);
	FX_OK(h.rc);
	assert_int_equal(fx_int(f->s, "SELECT COUNT(*) FROM t"), 2);
	rq_store_close(h.s);
}

static void test_errors_hide_values(void **state)
{
	fx *f = *state;
	rq_stmt *st = NULL;
	const char *secret = "hunter2-very-secret";
	int rc;
	FX_OK(rq_store_exec(f->s, "CREATE TABLE t (k TEXT NOT NULL UNIQUE, n BIGINT)"));
	for (int i = 0; i < 2; i++) {
		FX_OK(rq_store_prepare(f->s, &st, "INSERT INTO t (k) VALUES ($1)"));
		FX_OK(rq_stmt_bind_text(st, 1, secret));
		rc = rq_stmt_step(st);
		rq_stmt_finalize(st);
	}
	assert_int_equal(rc, RQ_STORE_ECONSTRAINT);
	assert_null(strstr(rq_error_last(), secret));
	assert_non_null(strstr(rq_error_last(), "INSERT INTO t"));
	/* a value of the wrong type: PostgreSQL quotes it in its message */
	FX_OK(rq_store_prepare(f->s, &st, "INSERT INTO t (k, n) VALUES ('x', $1)"));
	FX_OK(rq_stmt_bind_text(st, 1, secret));
	rc = rq_stmt_step(st);
	rq_stmt_finalize(st);
	if (f->pg)
		assert_int_equal(rc, RQ_EINVAL);
	if (rc < 0)
		assert_null(strstr(rq_error_last(), secret));
	/* a bad URL is refused without echoing it (it may hold a password) */
	rq_store *other = NULL;
	assert_int_equal(rq_store_open(&other, "mysql://root:hunter2-very-secret@x/db"), RQ_EINVAL);
	assert_null(strstr(rq_error_last(), secret));
	assert_null(other);
}

static void test_bad_sql(void **state)
{
	fx *f = *state;
	rq_stmt *st = NULL;
	assert_true(rq_store_prepare(f->s, &st, "SELEKT nothing") < 0);
	assert_null(st);
	assert_non_null(strstr(rq_error_last(), "SELEKT"));
	assert_true(rq_store_exec(f->s, "CREATE TABLE") < 0);
}

int main(void)
{
	struct CMUnitTest tests[] = {
		cmocka_unit_test(test_placeholders_and_types),
		cmocka_unit_test(test_cache_and_reset),
		cmocka_unit_test(test_run),
		cmocka_unit_test(test_transactions),
		cmocka_unit_test(test_transact_rolls_back),
		cmocka_unit_test(test_transact_retries_busy),
		cmocka_unit_test(test_second_connection_waits),
		cmocka_unit_test(test_errors_hide_values),
		cmocka_unit_test(test_bad_sql),
	};
	return RUN_BOTH("store", tests, 1);
}
