/*
 * The store of raquet-server: one interface over two backends, SQLite
 * (store_sqlite.c, the embedded default) and PostgreSQL (store_pg.c), plus
 * the migrations (migrate.c) and typed operations (units.c, tokens.c,
 * endpoints.c, events.c, coverage.c). Overview: docs/server-store.md.
 *
 * One rq_store is one database connection, used by one thread at a time
 * (the server keeps one per worker thread). All SQL goes through prepared
 * statements with $1, $2... placeholders (PostgreSQL syntax; translated for
 * SQLite), so values never become SQL text. Error messages name the
 * statement and the reason, never a bound value (values may be secrets).
 */
#ifndef RQ_SERVER_STORE_H
#define RQ_SERVER_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "raquet/errors.h"

/* --- limits of the store, with their reasons --- */

/* Longest connection URL accepted: a conninfo with host, port, user,
 * password and a few options stays far below. */
#define RQ_STORE_MAX_URL 4096
/* SQLite: how long a statement waits for another connection's write lock
 * before giving up with RQ_STORE_EBUSY. Writes are short (a heartbeat, one
 * batch), so 5 s means a real overload rather than a momentary collision. */
#define RQ_STORE_BUSY_TIMEOUT_MS 5000
/* rq_store_transact: attempts of a transaction that failed with
 * RQ_STORE_EBUSY (SQLite lock timeout, PostgreSQL serialization failure or
 * deadlock) before the error is passed up. */
#define RQ_STORE_TX_ATTEMPTS 5
/* Prepared statements kept per connection, looked up by SQL text. The
 * server's fixed set of queries stays well below; beyond it statements are
 * prepared and dropped per use. */
#define RQ_STORE_STMT_CACHE 128
/* Deepest unit tree walked by the recursive subtree queries: a province has
 * 3-5 levels; the bound stops a corrupted (cyclic) parent chain. */
#define RQ_STORE_MAX_UNIT_DEPTH 64
/* Events in one ingested batch: bounds the transaction's size and time
 * (the agent API refuses larger batches before they reach the store). */
#define RQ_STORE_MAX_BATCH 1000
/* SQLite group commit: transactions of concurrent callers merged into one
 * commit at most. Bounds how long one commit holds the write lock (a group
 * of event batches is at most this many batches). */
#define RQ_STORE_GROUP_MAX 64
/* SQLite: WAL pages after which the group-commit writer's background
 * thread checkpoints (SQLite's own default threshold). */
#define RQ_STORE_CHECKPOINT_PAGES 1000

/*
 * Store-specific outcomes, next to the RQ_E* codes of raquet/errors.h
 * (which stop at -10), for callers that must react differently:
 *   RQ_STORE_EBUSY        the database was locked / a transaction hit a
 *                         serialization failure or deadlock: retry later
 *                         (rq_store_transact retries by itself);
 *   RQ_STORE_ECONSTRAINT  a UNIQUE, FOREIGN KEY, CHECK or NOT NULL
 *                         constraint refused the change (duplicate code,
 *                         unknown parent, unit still in use...).
 */
enum {
	RQ_STORE_EBUSY = -100,
	RQ_STORE_ECONSTRAINT = -101,
};

/* rq_stmt_step results (errors are negative). */
enum {
	RQ_STORE_DONE = 0,
	RQ_STORE_ROW = 1,
};

typedef enum rq_store_dialect {
	RQ_STORE_SQLITE = 1,
	RQ_STORE_POSTGRES = 2,
} rq_store_dialect;

typedef struct rq_store rq_store;
typedef struct rq_stmt rq_stmt;

/*
 * Open a connection. `url` is either
 *   sqlite:PATH                     a database file (created if missing;
 *                                   WAL, foreign keys on, busy timeout,
 *                                   synchronous=NORMAL)
 *   postgresql://... postgres://... a libpq connection URI.
 * Does not migrate: call rq_store_migrate once at start-up. Close with
 * rq_store_close.
 */
int rq_store_open(rq_store **out, const char *url);
/* Close the connection, freeing every cached statement; NULL is a no-op.
 * Statements of this store must all be finalized before. */
void rq_store_close(rq_store *s);
rq_store_dialect rq_store_dialect_of(const rq_store *s);

/*
 * Run SQL text without parameters and without results (DDL, several
 * statements separated by ';'). Never put values in this text: use a
 * prepared statement.
 */
int rq_store_exec(rq_store *s, const char *sql);

/*
 * Prepare `sql` (one statement; $1, $2... for parameters, each bound
 * before the first step, unbound ones are NULL). Statements are cached by
 * SQL text: preparing the same text again is cheap. The statement belongs
 * to `s` and is valid until rq_stmt_finalize, which must always be called.
 */
int rq_store_prepare(rq_store *s, rq_stmt **out, const char *sql);

/* Bind parameter `idx` (1-based). Values are copied: the caller's buffers
 * may go away after the call. text/blob NULL binds SQL NULL. */
int rq_stmt_bind_int64(rq_stmt *st, int idx, int64_t value);
int rq_stmt_bind_text(rq_stmt *st, int idx, const char *value);
int rq_stmt_bind_blob(rq_stmt *st, int idx, const void *data, size_t len);
int rq_stmt_bind_null(rq_stmt *st, int idx);

/* Next row: RQ_STORE_ROW, RQ_STORE_DONE, or a negative code. */
int rq_stmt_step(rq_stmt *st);

/*
 * Columns (0-based) of the current row. Text and blob pointers are owned
 * by the statement and valid until the next step, reset or finalize; text
 * is NULL for SQL NULL, integers are 0 for NULL (check with is_null).
 */
int rq_stmt_column_count(rq_stmt *st);
int rq_stmt_column_is_null(rq_stmt *st, int col);
int64_t rq_stmt_column_int64(rq_stmt *st, int col);
const char *rq_stmt_column_text(rq_stmt *st, int col);
const void *rq_stmt_column_blob(rq_stmt *st, int col, size_t *len);

/*
 * Step once and read column 0 of the row as an integer into *out (a
 * RETURNING id, a COUNT): RQ_ENOTFOUND when there is no row.
 */
int rq_stmt_step_int64(rq_stmt *st, int64_t *out);

/* Rows changed by the last INSERT/UPDATE/DELETE run to RQ_STORE_DONE. */
int64_t rq_stmt_changes(rq_stmt *st);

/* Back to before the first step, bindings cleared, ready to re-bind. */
int rq_stmt_reset(rq_stmt *st);
/* Give the statement back (to the cache, or freed); NULL is a no-op. */
void rq_stmt_finalize(rq_stmt *st);

/*
 * Transactions. rq_store_begin starts a write transaction (SQLite: BEGIN
 * IMMEDIATE, so the write lock is taken up front and waits up to the busy
 * timeout, instead of failing later when a read upgrades to a write).
 * Nesting is not supported: begin inside a transaction is RQ_EINVAL.
 * After a failed statement, roll back: PostgreSQL has lost the whole
 * transaction (its commit then fails with RQ_ERROR), SQLite only that
 * statement; rq_store_transact does this for you.
 */
int rq_store_begin(rq_store *s);
int rq_store_commit(rq_store *s);
/* Always leaves the connection outside any transaction. */
int rq_store_rollback(rq_store *s);
int rq_store_in_transaction(const rq_store *s);

/*
 * Run fn(s, payload) inside one transaction, committed if fn returns 0 and
 * rolled back otherwise. On SQLite the work goes to the database file's
 * one writer connection (group commit): the fn of callers arriving while a
 * commit is under way run together in the next transaction, each in its
 * own savepoint (a failing fn undoes only its own work), and every caller
 * returns only after the commit holding ITS work -- so 0 still means
 * durable. fn is then called with the writer's connection, not `s`: it
 * must use the store it is given. The retry policy: if begin, fn or commit fails
 * with RQ_STORE_EBUSY, everything is rolled back and fn is run again, up to
 * RQ_STORE_TX_ATTEMPTS times with a short growing pause (10, 20, 40 ms...),
 * so fn must keep no state outside the database between attempts. When
 * called inside a transaction already, fn just runs in it (no retry).
 */
int rq_store_transact(rq_store *s, int (*fn)(rq_store *s, void *payload), void *payload);

/*
 * Prepare `sql`, bind params[0..count-1] as $1..$count, run it to
 * completion and give the statement back: for an UPDATE, DELETE or INSERT
 * whose parameters are all integers. *out_changes (may be NULL) gets the
 * number of rows changed.
 */
int rq_store_run(rq_store *s, int64_t *out_changes, const char *sql, const int64_t *params, int count);

/* --- schema migrations (migrate.c) --- */

/*
 * Bring the schema up to date: every known migration newer than the
 * database's version is applied in its own transaction, in order.
 * Re-running is a no-op. A database written by a newer program (a version
 * this program does not know) is refused with RQ_EUNSUPPORTED.
 */
int rq_store_migrate(rq_store *s);
/* Schema version of the database (0 when empty) into *out. */
int rq_store_schema_version(rq_store *s, int64_t *out);
/* Newest schema version this program knows. */
int64_t rq_store_schema_latest(void);

#endif
