/*
 * Signature standing (signatures.h): per unit of the subtree, counts of
 * ranges of the index endpoint_dbs_name (name, unit_id, version) --
 * version >= V and version < V -- summed over the units, like the
 * coverage counts (coverage.c); for the whole province the same ranges
 * without the unit.
 */
#include <string.h>

#include "core/error.h"
#include "store/signatures.h"
#include "store/units.h"

static const char endpoints_all[] = "SELECT COUNT(*) FROM endpoints WHERE CAST($1 AS BIGINT) = 0"
				    " AND CAST($2 AS BIGINT) >= 0";
static const char endpoints_sub[] =
	RQ_STORE_SUBTREE_CTE " SELECT SUM((SELECT COUNT(*) FROM endpoints e WHERE e.unit_id = sub.id)) FROM sub";

#define DBS_COUNT(cond) "(SELECT COUNT(*) FROM endpoint_dbs d WHERE d.name = $3" cond ")"
static const char standing_all[] = "SELECT " DBS_COUNT(" AND d.version >= $4") ", " DBS_COUNT(" AND d.version < $4")
				   " WHERE CAST($1 AS BIGINT) = 0 AND CAST($2 AS BIGINT) >= 0";
#define PER_UNIT(cond) "SUM(" DBS_COUNT(" AND d.unit_id = sub.id" cond) ")"
static const char standing_sub[] = RQ_STORE_SUBTREE_CTE " SELECT " PER_UNIT(" AND d.version >= $4") ", "
				   PER_UNIT(" AND d.version < $4") " FROM sub";

/* Run `sql` with $1 unit, $2 depth, then $3 name and $4 version when
 * `db`; its one row's first `n` columns into out[]. */
static int one_row(rq_store *s, const char *sql, int64_t unit_id, const rq_fleet_db *db, int64_t *out, int n)
{
	rq_stmt *st = NULL;
	int rc = rq_store_prepare(s, &st, sql);
	if (rc < 0 || (rc = rq_stmt_bind_int64(st, 1, unit_id)) < 0 ||
	    (rc = rq_stmt_bind_int64(st, 2, RQ_STORE_MAX_UNIT_DEPTH - 1)) < 0)
		goto done;
	if (db && ((rc = rq_stmt_bind_text(st, 3, db->name)) < 0 || (rc = rq_stmt_bind_int64(st, 4, db->version)) < 0))
		goto done;
	if ((rc = rq_stmt_step(st)) == RQ_STORE_ROW) {
		for (int i = 0; i < n; i++)
			out[i] = rq_stmt_column_int64(st, i);
		rc = 0;
	} else if (rc == RQ_STORE_DONE) {
		rc = rq_fail(RQ_ERROR, "store: signature counts returned no row");
	}
done:
	rq_stmt_finalize(st);
	return rc;
}

int rq_store_signature_endpoints(rq_store *s, int64_t unit_id, int64_t *out)
{
	*out = 0;
	if (unit_id < 0)
		return rq_fail(RQ_EINVAL, "store: signature counts: bad unit");
	return one_row(s, unit_id == 0 ? endpoints_all : endpoints_sub, unit_id, NULL, out, 1);
}

int rq_store_signature_standing(rq_store *s, int64_t unit_id, const rq_fleet_db *db, int64_t endpoints,
				rq_db_standing *out)
{
	int64_t v[2] = {0, 0};
	int rc;
	memset(out, 0, sizeof(*out));
	if (unit_id < 0 || !db || !db->name)
		return rq_fail(RQ_EINVAL, "store: signature counts: bad unit or database");
	rc = one_row(s, unit_id == 0 ? standing_all : standing_sub, unit_id, db, v, 2);
	if (rc < 0)
		return rc;
	out->current = v[0];
	out->behind = v[1];
	out->unknown = endpoints - v[0] - v[1];
	if (out->unknown < 0) /* endpoints enrolled between the two counts */
		out->unknown = 0;
	return 0;
}
