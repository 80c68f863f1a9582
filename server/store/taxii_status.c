/*
 * TAXII status rows (taxii_status.h): prepared statements on the one
 * table, the same on SQLite and PostgreSQL.
 */
#include "store/taxii_status.h"

#include <stdlib.h>
#include <string.h>

#include "core/error.h"

int rq_store_taxii_status_put(rq_store *s, const char *id, int64_t created_at, const char *body)
{
	rq_stmt *st = NULL;
	int rc = rq_store_prepare(s, &st, "INSERT INTO taxii_status (id, created_at, body) VALUES ($1, $2, $3)");
	if (rc == 0 && (rc = rq_stmt_bind_text(st, 1, id)) == 0 && (rc = rq_stmt_bind_int64(st, 2, created_at)) == 0 &&
	    (rc = rq_stmt_bind_text(st, 3, body)) == 0)
		rc = rq_stmt_step(st);
	rq_stmt_finalize(st);
	return rc < 0 ? rc : 0;
}

int rq_store_taxii_status_get(rq_store *s, const char *id, char **out)
{
	rq_stmt *st = NULL;
	*out = NULL;
	int rc = rq_store_prepare(s, &st, "SELECT body FROM taxii_status WHERE id = $1");
	if (rc == 0 && (rc = rq_stmt_bind_text(st, 1, id)) == 0)
		rc = rq_stmt_step(st);
	if (rc == RQ_STORE_ROW) {
		const char *t = rq_stmt_column_text(st, 0);
		rc = (*out = strdup(t ? t : "")) ? 0 : RQ_ENOMEM;
	} else if (rc >= 0) {
		rc = RQ_ENOTFOUND;
	}
	rq_stmt_finalize(st);
	return rc;
}
