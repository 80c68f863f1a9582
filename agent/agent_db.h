/*
 * Opening the agent's local SQLite files (agent_db.c): the outbox
 * (outbox.db) and the task queue (tasks.db) open the same way.
 */
#ifndef RQ_AGENT_AGENT_DB_H
#define RQ_AGENT_AGENT_DB_H

#include <sqlite3.h>

/* A busy writer (raquetd beside `raquet agent status`) is waited for this long. */
#define RQ_AGENT_DB_BUSY_MS 5000

/*
 * Open (creating) `path` serialized for threads, with the busy timeout,
 * and run `schema` (pragmas and CREATE ... IF NOT EXISTS). 0, or RQ_EIO
 * with "WHAT PATH: why" and *out NULL. Close with sqlite3_close.
 */
int rq_agent_db_open(sqlite3 **out, const char *path, const char *schema, const char *what);

#endif
