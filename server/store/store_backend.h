/*
 * Inside the store: the table of operations each backend (store_sqlite.c,
 * store_pg.c) implements, and the connection and statement structures that
 * store.c shares with them. Nothing outside server/store/ includes this.
 */
#ifndef RQ_SERVER_STORE_BACKEND_H
#define RQ_SERVER_STORE_BACKEND_H

#include "store/store.h"

typedef struct rq_store_ops {
	/* Connect; `target` is the URL without "sqlite:" for SQLite, the whole
	 * URI for PostgreSQL. Sets *conn. */
	int (*open)(void **conn, const char *target);
	void (*close)(void *conn);
	int (*exec)(rq_store *s, const char *sql);
	/* Prepare st->sql into st->impl. */
	int (*prepare)(rq_store *s, rq_stmt *st);
	void (*unprepare)(rq_stmt *st);
	int (*bind_int64)(rq_stmt *st, int idx, int64_t v);
	int (*bind_text)(rq_stmt *st, int idx, const char *v);
	int (*bind_blob)(rq_stmt *st, int idx, const void *p, size_t len);
	int (*bind_null)(rq_stmt *st, int idx);
	int (*step)(rq_stmt *st);
	int (*column_count)(rq_stmt *st);
	int (*column_is_null)(rq_stmt *st, int col);
	int64_t (*column_int64)(rq_stmt *st, int col);
	const char *(*column_text)(rq_stmt *st, int col);
	const void *(*column_blob)(rq_stmt *st, int col, size_t *len);
	int64_t (*changes)(rq_stmt *st);
	/* Back to unexecuted, bindings cleared. */
	int (*reset)(rq_stmt *st);
	/* BEGIN / COMMIT / ROLLBACK text of the dialect. */
	const char *begin_sql;
} rq_store_ops;

struct rq_stmt {
	rq_store *store;
	char *sql;      /* owned copy: the cache key and the error label */
	void *impl;     /* the backend's prepared statement */
	int cached;     /* lives in store->cache */
	int in_use;     /* handed out by rq_store_prepare, not yet finalized */
};

/* The group-commit writer of one SQLite database file (store.c). */
typedef struct rq_store_writer rq_store_writer;

struct rq_store {
	const rq_store_ops *ops;
	rq_store_dialect dialect;
	void *conn;
	int in_tx;
	unsigned next_stmt_name; /* PostgreSQL prepared statement names */
	rq_stmt *cache[RQ_STORE_STMT_CACHE];
	size_t cache_count;
	/* SQLite: the file's shared writer (rq_store_transact sends its work
	 * there); NULL on PostgreSQL and on the writer's own connection */
	rq_store_writer *writer;
};

extern const rq_store_ops rq_store_sqlite_ops;
extern const rq_store_ops rq_store_pg_ops;

/* SQLite: checkpoint the WAL of connection `s` (the file at `path`) from a
 * thread of its own instead of inside its commits (store_sqlite.c). */
int rq_store_sqlite_background_checkpoints(rq_store *s, const char *path);

/*
 * A short label of a statement for error messages: its first words, with
 * whitespace folded ("INSERT INTO units(parent_id, name..."). SQL text
 * carries no values (they are bound), so it is safe to print.
 */
void rq_store_sql_label(char *buf, size_t size, const char *sql);

#endif
