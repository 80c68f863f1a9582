/*
 * The backend-independent half of the store: opening by URL, the statement
 * cache keyed by SQL text, argument checks, transactions and the
 * retry-on-busy policy of rq_store_transact. The SQL work itself is done
 * by store_sqlite.c or store_pg.c through rq_store_ops.
 */
#include <assert.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/error.h"
#include "store/store_backend.h"

void rq_store_sql_label(char *buf, size_t size, const char *sql)
{
	size_t n = 0;
	int space = 0;
	assert(size > 4);
	for (const char *p = sql; *p && n + 4 < size; p++) {
		if (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r') {
			space = n > 0;
			continue;
		}
		if (space)
			buf[n++] = ' ';
		space = 0;
		if (n + 4 < size)
			buf[n++] = *p;
	}
	buf[n] = '\0';
	if (n + 4 >= size)
		strcpy(buf + n, "...");
}

/*
 * Group commit (SQLite). Every connection of one database file shares an
 * rq_store_writer: a queue of pending transactions and one connection of
 * its own that runs them. A caller of rq_store_transact queues its job and
 * waits; when no thread is leading, the first waiter becomes the leader,
 * takes every queued job (at most RQ_STORE_GROUP_MAX), runs them in one
 * transaction on the writer connection, each in a savepoint, commits, and
 * wakes their callers. Jobs arriving meanwhile form the next group. One
 * commit then serves many requests, and the writer's page cache stays
 * warm (a connection that only reads loses its cache whenever another one
 * writes).
 */
typedef struct group_job {
	int (*fn)(rq_store *s, void *payload);
	void *payload;
	int rc, done;
	char why[512]; /* the failure message, re-raised in the caller's thread */
	struct group_job *next;
} group_job;

struct rq_store_writer {
	char *path;
	int refs;
	rq_store *conn; /* opened by the first leader */
	group_job *head, **tail;
	int leading;
	pthread_cond_t wake;
	rq_store_writer *next;
};

static pthread_mutex_t writers_lock = PTHREAD_MUTEX_INITIALIZER;
static rq_store_writer *writers;

static int writer_attach(rq_store *s, const char *path)
{
	int rc = 0;
	rq_store_writer *w;
	pthread_mutex_lock(&writers_lock);
	for (w = writers; w && strcmp(w->path, path) != 0; w = w->next)
		;
	if (!w) {
		w = calloc(1, sizeof(*w));
		if (!w || !(w->path = strdup(path))) {
			free(w);
			rc = rq_fail(RQ_ENOMEM, "store: out of memory");
			goto done;
		}
		w->tail = &w->head;
		pthread_cond_init(&w->wake, NULL);
		w->next = writers;
		writers = w;
	}
	w->refs++;
	s->writer = w;
done:
	pthread_mutex_unlock(&writers_lock);
	return rc;
}

static void writer_detach(rq_store_writer *w)
{
	rq_store *conn = NULL;
	if (!w)
		return;
	pthread_mutex_lock(&writers_lock);
	if (--w->refs == 0) {
		rq_store_writer **p = &writers;
		while (*p != w)
			p = &(*p)->next;
		*p = w->next;
		conn = w->conn;
		pthread_cond_destroy(&w->wake);
		free(w->path);
		free(w);
	}
	pthread_mutex_unlock(&writers_lock);
	rq_store_close(conn);
}

int rq_store_open(rq_store **out, const char *url)
{
	int rc = 0;
	rq_store *s = NULL;
	const rq_store_ops *ops;
	const char *target;
	*out = NULL;
	if (!url || strnlen(url, RQ_STORE_MAX_URL + 1) > RQ_STORE_MAX_URL) {
		rc = rq_fail(RQ_EINVAL, "store: missing or too long database URL");
		goto done;
	}
	if (strncmp(url, "sqlite:", 7) == 0) {
		ops = &rq_store_sqlite_ops;
		target = url + 7;
		if (strncmp(target, "//", 2) == 0) /* sqlite:///abs/path */
			target += 2;
	} else if (strncmp(url, "postgresql://", 13) == 0 || strncmp(url, "postgres://", 11) == 0) {
		ops = &rq_store_pg_ops;
		target = url;
	} else {
		/* the URL may hold a password: name only its scheme */
		rc = rq_fail(RQ_EINVAL, "store: unknown database URL scheme (want sqlite:PATH or postgresql://...)");
		goto done;
	}
	if (!*target) {
		rc = rq_fail(RQ_EINVAL, "store: empty database path in URL");
		goto done;
	}
	s = calloc(1, sizeof(*s));
	if (!s) {
		rc = rq_fail(RQ_ENOMEM, "store: out of memory");
		goto done;
	}
	s->ops = ops;
	s->dialect = ops == &rq_store_sqlite_ops ? RQ_STORE_SQLITE : RQ_STORE_POSTGRES;
	rc = ops->open(&s->conn, target);
	if (rc < 0)
		goto done;
	if (s->dialect == RQ_STORE_SQLITE && (rc = writer_attach(s, target)) < 0) {
		ops->close(s->conn);
		goto done;
	}
	*out = s;
	s = NULL;
done:
	free(s);
	return rc;
}

static void stmt_destroy(rq_stmt *st)
{
	if (!st)
		return;
	if (st->impl)
		st->store->ops->unprepare(st);
	free(st->sql);
	free(st);
}

void rq_store_close(rq_store *s)
{
	if (!s)
		return;
	rq_store_rollback(s); /* never leave the writer lock held */
	for (size_t i = 0; i < s->cache_count; i++) {
		assert(!s->cache[i]->in_use);
		stmt_destroy(s->cache[i]);
	}
	s->ops->close(s->conn);
	writer_detach(s->writer);
	free(s);
}

rq_store_dialect rq_store_dialect_of(const rq_store *s)
{
	return s->dialect;
}

int rq_store_exec(rq_store *s, const char *sql)
{
	return s->ops->exec(s, sql);
}

int rq_store_prepare(rq_store *s, rq_stmt **out, const char *sql)
{
	int rc = 0;
	rq_stmt *st = NULL;
	*out = NULL;
	for (size_t i = 0; i < s->cache_count; i++) {
		rq_stmt *c = s->cache[i];
		if (!c->in_use && strcmp(c->sql, sql) == 0) {
			c->in_use = 1;
			*out = c;
			goto done;
		}
	}
	st = calloc(1, sizeof(*st));
	if (!st || !(st->sql = strdup(sql))) {
		rc = rq_fail(RQ_ENOMEM, "store: out of memory preparing a statement");
		goto done;
	}
	st->store = s;
	rc = s->ops->prepare(s, st);
	if (rc < 0)
		goto done;
	st->in_use = 1;
	if (s->cache_count < RQ_STORE_STMT_CACHE) {
		st->cached = 1;
		s->cache[s->cache_count++] = st;
	}
	*out = st;
	st = NULL;
done:
	stmt_destroy(st);
	return rc;
}

static int check_idx(rq_stmt *st, int idx)
{
	if (idx < 1)
		return rq_fail(RQ_EINVAL, "store: parameter index %d out of range", idx);
	return 0;
}

int rq_stmt_bind_int64(rq_stmt *st, int idx, int64_t value)
{
	int rc = check_idx(st, idx);
	return rc < 0 ? rc : st->store->ops->bind_int64(st, idx, value);
}

int rq_stmt_bind_text(rq_stmt *st, int idx, const char *value)
{
	int rc = check_idx(st, idx);
	if (rc < 0)
		return rc;
	if (!value)
		return st->store->ops->bind_null(st, idx);
	return st->store->ops->bind_text(st, idx, value);
}

int rq_stmt_bind_blob(rq_stmt *st, int idx, const void *data, size_t len)
{
	int rc = check_idx(st, idx);
	if (rc < 0)
		return rc;
	if (!data)
		return st->store->ops->bind_null(st, idx);
	return st->store->ops->bind_blob(st, idx, data, len);
}

int rq_stmt_bind_null(rq_stmt *st, int idx)
{
	int rc = check_idx(st, idx);
	return rc < 0 ? rc : st->store->ops->bind_null(st, idx);
}

int rq_stmt_step(rq_stmt *st)
{
	return st->store->ops->step(st);
}

int rq_stmt_step_int64(rq_stmt *st, int64_t *out)
{
	int rc = st->store->ops->step(st);
	*out = 0;
	if (rc == RQ_STORE_ROW) {
		*out = st->store->ops->column_int64(st, 0);
		rc = 0;
	} else if (rc == RQ_STORE_DONE) {
		char label[64];
		rq_store_sql_label(label, sizeof(label), st->sql);
		rc = rq_fail(RQ_ENOTFOUND, "store: no row from %s", label);
	}
	return rc;
}

int rq_stmt_column_count(rq_stmt *st)
{
	return st->store->ops->column_count(st);
}

static int col_ok(rq_stmt *st, int col)
{
	return col >= 0 && col < st->store->ops->column_count(st);
}

int rq_stmt_column_is_null(rq_stmt *st, int col)
{
	return !col_ok(st, col) || st->store->ops->column_is_null(st, col);
}

int64_t rq_stmt_column_int64(rq_stmt *st, int col)
{
	return col_ok(st, col) ? st->store->ops->column_int64(st, col) : 0;
}

const char *rq_stmt_column_text(rq_stmt *st, int col)
{
	return col_ok(st, col) ? st->store->ops->column_text(st, col) : NULL;
}

const void *rq_stmt_column_blob(rq_stmt *st, int col, size_t *len)
{
	*len = 0;
	return col_ok(st, col) ? st->store->ops->column_blob(st, col, len) : NULL;
}

int64_t rq_stmt_changes(rq_stmt *st)
{
	return st->store->ops->changes(st);
}

int rq_stmt_reset(rq_stmt *st)
{
	return st->store->ops->reset(st);
}

void rq_stmt_finalize(rq_stmt *st)
{
	if (!st)
		return;
	st->store->ops->reset(st);
	st->in_use = 0;
	if (!st->cached)
		stmt_destroy(st);
}

int rq_store_run(rq_store *s, int64_t *out_changes, const char *sql, const int64_t *params, int count)
{
	rq_stmt *st = NULL;
	int rc = rq_store_prepare(s, &st, sql);
	if (out_changes)
		*out_changes = 0;
	for (int i = 0; rc == 0 && i < count; i++)
		rc = rq_stmt_bind_int64(st, i + 1, params[i]);
	if (rc < 0)
		goto done;
	while ((rc = rq_stmt_step(st)) == RQ_STORE_ROW)
		;
	if (rc == RQ_STORE_DONE && out_changes)
		*out_changes = rq_stmt_changes(st);
done:
	rq_stmt_finalize(st);
	return rc < 0 ? rc : 0;
}

/*
 * SQLite has one writer at a time; left to itself, a second connection
 * waiting for the write lock polls with growing sleeps, which turns
 * contention into latency spikes. Write transactions of this process's
 * SQLite connections therefore queue on one mutex instead (another process,
 * such as an operator command, still meets the busy timeout).
 */
static pthread_mutex_t sqlite_writer = PTHREAD_MUTEX_INITIALIZER;

static int serialises(const rq_store *s)
{
	return rq_store_dialect_of(s) == RQ_STORE_SQLITE;
}

int rq_store_begin(rq_store *s)
{
	int rc;
	if (s->in_tx)
		return rq_fail(RQ_EINVAL, "store: begin inside a transaction");
	if (serialises(s))
		pthread_mutex_lock(&sqlite_writer);
	rc = s->ops->exec(s, s->ops->begin_sql);
	if (rc == 0)
		s->in_tx = 1;
	else if (serialises(s))
		pthread_mutex_unlock(&sqlite_writer);
	return rc;
}

int rq_store_commit(rq_store *s)
{
	int rc;
	if (!s->in_tx)
		return rq_fail(RQ_EINVAL, "store: commit outside a transaction");
	rc = s->ops->exec(s, "COMMIT");
	if (rc < 0) {
		/* a failed COMMIT (SQLite: busy) leaves the transaction open */
		s->ops->exec(s, "ROLLBACK");
	}
	s->in_tx = 0;
	if (serialises(s))
		pthread_mutex_unlock(&sqlite_writer);
	return rc;
}

int rq_store_rollback(rq_store *s)
{
	int rc;
	if (!s->in_tx)
		return 0;
	rc = s->ops->exec(s, "ROLLBACK");
	s->in_tx = 0;
	if (serialises(s))
		pthread_mutex_unlock(&sqlite_writer);
	return rc;
}

int rq_store_in_transaction(const rq_store *s)
{
	return s->in_tx;
}

/* Open the writer's own connection (no writer of its own). */
static int writer_connect(rq_store_writer *w)
{
	int rc = 0;
	rq_store *c;
	if (w->conn)
		return 0;
	c = calloc(1, sizeof(*c));
	if (!c)
		return rq_fail(RQ_ENOMEM, "store: out of memory");
	c->ops = &rq_store_sqlite_ops;
	c->dialect = RQ_STORE_SQLITE;
	rc = c->ops->open(&c->conn, w->path);
	if (rc < 0) {
		free(c);
		return rc;
	}
	rc = rq_store_sqlite_background_checkpoints(c, w->path);
	if (rc < 0)
		rq_store_close(c);
	else
		w->conn = c;
	return rc;
}

static void job_fail(group_job *j, int rc)
{
	j->rc = rc;
	snprintf(j->why, sizeof(j->why), "%s", rq_error_last());
}

/*
 * Run a group on the writer connection: one transaction, a savepoint per
 * job when there are several. A job that fails is rolled back to its
 * savepoint and keeps its error; if the transaction itself is lost (begin,
 * a savepoint or the commit failed), every job gets that error, so the
 * busy ones are retried by their callers.
 */
static void run_group(rq_store_writer *w, group_job *jobs)
{
	int rc = writer_connect(w);
	rq_store *c = w->conn;
	int several = jobs && jobs->next;
	if (rc == 0)
		rc = rq_store_begin(c);
	for (group_job *j = jobs; rc == 0 && j; j = j->next) {
		if (several && (rc = rq_store_exec(c, "SAVEPOINT rq_job")) < 0)
			break;
		j->rc = j->fn(c, j->payload);
		if (j->rc < 0) {
			job_fail(j, j->rc);
			if (several && (rc = rq_store_exec(c, "ROLLBACK TO rq_job")) < 0)
				break;
		}
		if (several && (rc = rq_store_exec(c, "RELEASE rq_job")) < 0)
			break;
	}
	if (rc == 0 && c) {
		if (!several && jobs->rc < 0)
			rq_store_rollback(c);
		else
			rc = rq_store_commit(c);
	}
	if (rc < 0) {
		char why[512];
		snprintf(why, sizeof(why), "%s", rq_error_last());
		if (c)
			rq_store_rollback(c);
		for (group_job *j = jobs; j; j = j->next) {
			j->rc = rc;
			snprintf(j->why, sizeof(j->why), "%s", why);
		}
	}
}

/* One attempt of rq_store_transact through the file's writer. */
static int group_transact(rq_store_writer *w, int (*fn)(rq_store *s, void *payload), void *payload)
{
	group_job job = {.fn = fn, .payload = payload};
	pthread_mutex_lock(&writers_lock);
	*w->tail = &job;
	w->tail = &job.next;
	while (!job.done) {
		if (w->leading) {
			pthread_cond_wait(&w->wake, &writers_lock);
			continue;
		}
		/* lead: take the queue (our own job is in it) */
		group_job *jobs = w->head, *last = jobs;
		for (int n = 1; n < RQ_STORE_GROUP_MAX && last->next; n++)
			last = last->next;
		w->head = last->next;
		if (!w->head)
			w->tail = &w->head;
		last->next = NULL;
		w->leading = 1;
		pthread_mutex_unlock(&writers_lock);
		run_group(w, jobs);
		pthread_mutex_lock(&writers_lock);
		for (group_job *j = jobs, *next; j; j = next) {
			next = j->next; /* j may go away once done is seen */
			j->done = 1;
		}
		w->leading = 0;
		pthread_cond_broadcast(&w->wake);
	}
	pthread_mutex_unlock(&writers_lock);
	if (job.rc < 0)
		rq_fail(job.rc, "%s", job.why);
	return job.rc;
}

int rq_store_transact(rq_store *s, int (*fn)(rq_store *s, void *payload), void *payload)
{
	int rc = 0;
	if (s->in_tx)
		return fn(s, payload);
	for (int attempt = 0; attempt < RQ_STORE_TX_ATTEMPTS; attempt++) {
		if (attempt > 0) {
			struct timespec pause = {0, 10L * 1000000L << (attempt - 1)};
			nanosleep(&pause, NULL);
		}
		if (s->writer) {
			rc = group_transact(s->writer, fn, payload);
		} else {
			rc = rq_store_begin(s);
			if (rc == 0) {
				rc = fn(s, payload);
				if (rc == 0)
					rc = rq_store_commit(s);
				else
					rq_store_rollback(s);
			}
		}
		if (rc != RQ_STORE_EBUSY)
			break;
	}
	return rc;
}
