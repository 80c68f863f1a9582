/*
 * The agent's SQLite files opened one way (agent_db.h).
 */
#include "agent_db.h"

#include <stddef.h>

#include "core/error.h"

int rq_agent_db_open(sqlite3 **out, const char *path, const char *schema, const char *what)
{
	sqlite3 *db = NULL;
	*out = NULL;
	int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_busy_timeout(db, RQ_AGENT_DB_BUSY_MS);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, schema, NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		rc = rq_fail(RQ_EIO, "%s %s: %s", what, path, db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
		sqlite3_close(db);
		return rc;
	}
	*out = db;
	return 0;
}
