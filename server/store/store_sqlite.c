/*
 * The SQLite backend of the store: one database file per installation in
 * WAL mode (readers never wait for the writer), foreign keys on, a busy
 * timeout for writers, synchronous=NORMAL (durable at checkpoints, never
 * corrupt). $N placeholders become SQLite's ?N. See docs/server-store.md.
 */
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "store/store_backend.h"

#define DB(s) ((sqlite3 *)(s)->conn)
#define STMT(st) ((sqlite3_stmt *)(st)->impl)

/* Map a SQLite result code to ours with a message naming the statement. */
static int fail(sqlite3 *db, int src, const char *sql, const char *what)
{
	char label[64];
	int code;
	switch (src & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		code = RQ_STORE_EBUSY;
		break;
	case SQLITE_CONSTRAINT:
		code = RQ_STORE_ECONSTRAINT;
		break;
	case SQLITE_NOMEM:
		code = RQ_ENOMEM;
		break;
	case SQLITE_RANGE:
	case SQLITE_MISMATCH:
		code = RQ_EINVAL;
		break;
	case SQLITE_TOOBIG:
		code = RQ_ELIMIT;
		break;
	case SQLITE_IOERR:
	case SQLITE_FULL:
	case SQLITE_CANTOPEN:
		code = RQ_EIO;
		break;
	default:
		code = RQ_ERROR;
	}
	rq_store_sql_label(label, sizeof(label), sql ? sql : "");
	/* sqlite3_errmsg names tables, columns and constraints, never values */
	return rq_fail(code, "store (sqlite): %s%s%s: %s", what, sql ? " " : "", label,
		       db ? sqlite3_errmsg(db) : sqlite3_errstr(src));
}

static int pragma_text(sqlite3 *db, const char *sql, char *out, size_t size)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
	out[0] = '\0';
	if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		const unsigned char *t = sqlite3_column_text(st, 0);
		if (t)
			snprintf(out, size, "%s", (const char *)t);
		rc = SQLITE_OK;
	}
	rc = rc == SQLITE_OK ? 0 : fail(db, rc, sql, "setting up");
	sqlite3_finalize(st);
	return rc;
}

static int sq_open(void **conn, const char *path)
{
	int rc = 0, src;
	sqlite3 *db = NULL;
	char mode[32];
	src = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
			      NULL);
	if (src != SQLITE_OK) {
		rc = rq_fail(src == SQLITE_NOMEM ? RQ_ENOMEM : RQ_EIO, "store (sqlite): %s: cannot open: %s", path,
			     db ? sqlite3_errmsg(db) : sqlite3_errstr(src));
		goto done;
	}
	sqlite3_extended_result_codes(db, 1);
	sqlite3_busy_timeout(db, RQ_STORE_BUSY_TIMEOUT_MS);
	src = sqlite3_exec(db, "PRAGMA foreign_keys=ON; PRAGMA synchronous=NORMAL;", NULL, NULL, NULL);
	if (src != SQLITE_OK) {
		rc = fail(db, src, NULL, "setting up");
		goto done;
	}
	rc = pragma_text(db, "PRAGMA journal_mode=WAL", mode, sizeof(mode));
	if (rc < 0)
		goto done;
	if (strcmp(mode, "wal") != 0) {
		rc = rq_fail(RQ_EUNSUPPORTED, "store (sqlite): %s: cannot use WAL mode (got '%s')", path, mode);
		goto done;
	}
	rc = pragma_text(db, "PRAGMA foreign_keys", mode, sizeof(mode));
	if (rc == 0 && strcmp(mode, "1") != 0)
		rc = rq_fail(RQ_EUNSUPPORTED, "store (sqlite): this SQLite has no foreign keys");
	if (rc < 0)
		goto done;
	*conn = db;
	db = NULL;
done:
	sqlite3_close(db);
	return rc;
}

/*
 * Checkpoints off the commit path. SQLite's automatic checkpoint runs
 * inside the COMMIT that crosses the WAL threshold: that commit copies the
 * WAL's pages into the database file and syncs it (synchronous=NORMAL) while
 * holding the write lock, and every request waiting on it stalls. The
 * group-commit writer connection instead turns the automatic checkpoint off
 * and, when the WAL passes RQ_STORE_CHECKPOINT_PAGES, wakes a thread of its
 * own that runs a PASSIVE checkpoint on its own connection: it copies
 * what no reader still needs, never takes the write lock, and commits go on
 * meanwhile. Other connections keep SQLite's automatic checkpoint.
 */
typedef struct checkpointer {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	int pending, stop;
	sqlite3 *db;    /* the checkpointer's own connection */
	sqlite3 *owner; /* the writer connection whose commits wake it */
	struct checkpointer *next;
} checkpointer;

/* Every running checkpointer, found again by its owner when that closes. */
static pthread_mutex_t checkpointers_lock = PTHREAD_MUTEX_INITIALIZER;
static checkpointer *checkpointers;

static void *checkpoint_loop(void *arg)
{
	checkpointer *c = arg;
	pthread_mutex_lock(&c->lock);
	for (;;) {
		while (!c->pending && !c->stop)
			pthread_cond_wait(&c->wake, &c->lock);
		if (c->stop)
			break;
		c->pending = 0;
		pthread_mutex_unlock(&c->lock);
		/* a failure (busy) is harmless: the next wake-up tries again */
		sqlite3_wal_checkpoint_v2(c->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
		pthread_mutex_lock(&c->lock);
	}
	pthread_mutex_unlock(&c->lock);
	return NULL;
}

static int on_wal_commit(void *arg, sqlite3 *db, const char *name, int pages)
{
	checkpointer *c = arg;
	(void)db;
	(void)name;
	if (pages >= RQ_STORE_CHECKPOINT_PAGES) {
		pthread_mutex_lock(&c->lock);
		c->pending = 1;
		pthread_cond_signal(&c->wake);
		pthread_mutex_unlock(&c->lock);
	}
	return SQLITE_OK;
}

int rq_store_sqlite_background_checkpoints(rq_store *s, const char *path)
{
	int rc = 0;
	checkpointer *c = calloc(1, sizeof(*c));
	if (!c)
		return rq_fail(RQ_ENOMEM, "store (sqlite): out of memory");
	pthread_mutex_init(&c->lock, NULL);
	pthread_cond_init(&c->wake, NULL);
	if (sqlite3_open_v2(path, &c->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		rc = fail(c->db, sqlite3_errcode(c->db), NULL, "opening the checkpointer of");
		goto done;
	}
	sqlite3_busy_timeout(c->db, RQ_STORE_BUSY_TIMEOUT_MS);
	if (pthread_create(&c->thread, NULL, checkpoint_loop, c) != 0) {
		rc = rq_fail(RQ_ERROR, "store (sqlite): cannot start the checkpoint thread");
		goto done;
	}
	/* replaces SQLite's own automatic checkpoint on this connection */
	c->owner = DB(s);
	sqlite3_wal_hook(DB(s), on_wal_commit, c);
	pthread_mutex_lock(&checkpointers_lock);
	c->next = checkpointers;
	checkpointers = c;
	pthread_mutex_unlock(&checkpointers_lock);
	c = NULL;
done:
	if (c) {
		sqlite3_close(c->db);
		pthread_cond_destroy(&c->wake);
		pthread_mutex_destroy(&c->lock);
		free(c);
	}
	return rc;
}

static void sq_close(void *conn)
{
	checkpointer *c = NULL;
	pthread_mutex_lock(&checkpointers_lock);
	for (checkpointer **p = &checkpointers; *p; p = &(*p)->next)
		if ((*p)->owner == conn) {
			c = *p;
			*p = c->next;
			break;
		}
	pthread_mutex_unlock(&checkpointers_lock);
	if (c) {
		pthread_mutex_lock(&c->lock);
		c->stop = 1;
		pthread_cond_signal(&c->wake);
		pthread_mutex_unlock(&c->lock);
		pthread_join(c->thread, NULL);
		sqlite3_close(c->db);
		pthread_cond_destroy(&c->wake);
		pthread_mutex_destroy(&c->lock);
		free(c);
		sqlite3_wal_hook(conn, NULL, NULL);
	}
	sqlite3_close(conn);
}

static int sq_exec(rq_store *s, const char *sql)
{
	int src = sqlite3_exec(DB(s), sql, NULL, NULL, NULL);
	return src == SQLITE_OK ? 0 : fail(DB(s), src, sql, "running");
}

/*
 * PostgreSQL's $N placeholders as SQLite's ?N (same length, same number),
 * leaving string literals, quoted names and comments alone.
 */
static void translate_placeholders(char *sql)
{
	for (char *p = sql; *p; p++) {
		if (*p == '\'' || *p == '"') {
			char q = *p;
			for (p++; *p && *p != q; p++)
				;
			if (!*p)
				break;
		} else if (p[0] == '-' && p[1] == '-') {
			while (*p && *p != '\n')
				p++;
			if (!*p)
				break;
		} else if (p[0] == '/' && p[1] == '*') {
			char *end = strstr(p + 2, "*/");
			if (!end)
				break;
			p = end + 1;
		} else if (p[0] == '$' && p[1] >= '0' && p[1] <= '9') {
			*p = '?';
		}
	}
}

static int sq_prepare(rq_store *s, rq_stmt *st)
{
	int rc = 0, src;
	sqlite3_stmt *stmt = NULL;
	const char *tail = NULL;
	char *text = strdup(st->sql);
	if (!text) {
		rc = rq_fail(RQ_ENOMEM, "store (sqlite): out of memory");
		goto done;
	}
	translate_placeholders(text);
	src = sqlite3_prepare_v3(DB(s), text, -1, SQLITE_PREPARE_PERSISTENT, &stmt, &tail);
	if (src != SQLITE_OK) {
		rc = fail(DB(s), src, st->sql, "preparing");
		goto done;
	}
	if (!stmt) {
		rc = rq_fail(RQ_EINVAL, "store (sqlite): preparing an empty statement");
		goto done;
	}
	while (tail && (*tail == ' ' || *tail == '\n' || *tail == '\t' || *tail == ';'))
		tail++;
	if (tail && *tail) {
		char label[64];
		rq_store_sql_label(label, sizeof(label), st->sql);
		rc = rq_fail(RQ_EINVAL, "store (sqlite): more than one statement in %s", label);
		goto done;
	}
	st->impl = stmt;
	stmt = NULL;
done:
	sqlite3_finalize(stmt);
	free(text);
	return rc;
}

static void sq_unprepare(rq_stmt *st)
{
	sqlite3_finalize(STMT(st));
	st->impl = NULL;
}

static int bound(rq_stmt *st, int src)
{
	return src == SQLITE_OK ? 0 : fail(sqlite3_db_handle(STMT(st)), src, st->sql, "binding a parameter of");
}

static int sq_bind_int64(rq_stmt *st, int idx, int64_t v)
{
	return bound(st, sqlite3_bind_int64(STMT(st), idx, v));
}

static int sq_bind_text(rq_stmt *st, int idx, const char *v)
{
	return bound(st, sqlite3_bind_text(STMT(st), idx, v, -1, SQLITE_TRANSIENT));
}

static int sq_bind_blob(rq_stmt *st, int idx, const void *p, size_t len)
{
	return bound(st, sqlite3_bind_blob64(STMT(st), idx, len ? p : "", len, SQLITE_TRANSIENT));
}

static int sq_bind_null(rq_stmt *st, int idx)
{
	return bound(st, sqlite3_bind_null(STMT(st), idx));
}

static int sq_step(rq_stmt *st)
{
	int src = sqlite3_step(STMT(st));
	if (src == SQLITE_ROW)
		return RQ_STORE_ROW;
	if (src == SQLITE_DONE)
		return RQ_STORE_DONE;
	return fail(sqlite3_db_handle(STMT(st)), src, st->sql, "running");
}

static int sq_column_count(rq_stmt *st)
{
	return sqlite3_data_count(STMT(st));
}

static int sq_column_is_null(rq_stmt *st, int col)
{
	return sqlite3_column_type(STMT(st), col) == SQLITE_NULL;
}

static int64_t sq_column_int64(rq_stmt *st, int col)
{
	return sqlite3_column_int64(STMT(st), col);
}

static const char *sq_column_text(rq_stmt *st, int col)
{
	return (const char *)sqlite3_column_text(STMT(st), col);
}

static const void *sq_column_blob(rq_stmt *st, int col, size_t *len)
{
	const void *p = sqlite3_column_blob(STMT(st), col);
	*len = (size_t)sqlite3_column_bytes(STMT(st), col);
	return p;
}

static int64_t sq_changes(rq_stmt *st)
{
	return sqlite3_changes64(sqlite3_db_handle(STMT(st)));
}

static int sq_reset(rq_stmt *st)
{
	/* sqlite3_reset repeats the last step's error, already reported */
	sqlite3_reset(STMT(st));
	sqlite3_clear_bindings(STMT(st));
	return 0;
}

const rq_store_ops rq_store_sqlite_ops = {
	.open = sq_open,
	.close = sq_close,
	.exec = sq_exec,
	.prepare = sq_prepare,
	.unprepare = sq_unprepare,
	.bind_int64 = sq_bind_int64,
	.bind_text = sq_bind_text,
	.bind_blob = sq_bind_blob,
	.bind_null = sq_bind_null,
	.step = sq_step,
	.column_count = sq_column_count,
	.column_is_null = sq_column_is_null,
	.column_int64 = sq_column_int64,
	.column_text = sq_column_text,
	.column_blob = sq_column_blob,
	.changes = sq_changes,
	.reset = sq_reset,
	.begin_sql = "BEGIN IMMEDIATE",
};
