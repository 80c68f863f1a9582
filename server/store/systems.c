/*
 * Information systems and their dossiers (systems.h): rows of
 * info_systems; the subtree listing starts from the units' recursive CTE.
 */
#include "store/systems.h"

#include "core/error.h"
#include "store/bind.h"
#include "store/units.h"

#define SYSTEM_COLUMNS                                                                                 \
	" SELECT x.id, x.unit_id, u.name, x.name, x.purpose, x.owner, x.operator, x.info_type, x.users,"    \
	" x.level, x.dossier_state, x.appraised_on, x.decision_number, x.decision_on,"                 \
	" x.regulation_number, x.regulation_on, x.created_at, x.updated_at, COALESCE(x.updated_by, 0)"  \
	" FROM info_systems x JOIN units u ON u.id = x.unit_id"

static int each_system(rq_stmt *st, int one, int (*cb)(const rq_info_system *sys, void *payload), void *payload)
{
	int rc, rows = 0;
	while ((rc = rq_stmt_step(st)) == RQ_STORE_ROW) {
		rq_info_system x = {
			.id = rq_stmt_column_int64(st, 0),
			.unit_id = rq_stmt_column_int64(st, 1),
			.unit_name = rq_stmt_column_str(st, 2),
			.name = rq_stmt_column_str(st, 3),
			.purpose = rq_stmt_column_str(st, 4),
			.owner = rq_stmt_column_str(st, 5),
			.operator_name = rq_stmt_column_str(st, 6),
			.info_type = rq_stmt_column_str(st, 7),
			.users = rq_stmt_column_str(st, 8),
			.level = rq_stmt_column_int64(st, 9),
			.state = rq_stmt_column_str(st, 10),
			.appraised_on = rq_stmt_column_str(st, 11),
			.decision_number = rq_stmt_column_str(st, 12),
			.decision_on = rq_stmt_column_str(st, 13),
			.regulation_number = rq_stmt_column_str(st, 14),
			.regulation_on = rq_stmt_column_str(st, 15),
			.created_at = rq_stmt_column_int64(st, 16),
			.updated_at = rq_stmt_column_int64(st, 17),
			.updated_by = rq_stmt_column_int64(st, 18),
		};
		rows++;
		if (cb(&x, payload))
			return RQ_ESTOPPED;
	}
	if (rc < 0)
		return rc;
	return one && rows == 0 ? RQ_ENOTFOUND : 0;
}

int rq_store_system_create(rq_store *s, const rq_info_system *x, int64_t *out_id)
{
	rq_stmt *st = NULL;
	int rc = rq_store_prepare(s, &st,
				  "INSERT INTO info_systems (unit_id, name, purpose, owner, operator, info_type, users,"
				  " level, regulation_number, regulation_on, created_at, updated_at, updated_by)"
				  " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11, $12) RETURNING id");
	if (rc == 0)
		rc = rq_stmt_bind_fmt(st, "itTTTTTiTTiI", x->unit_id, x->name, x->purpose, x->owner, x->operator_name,
				      x->info_type, x->users, x->level, x->regulation_number, x->regulation_on,
				      x->updated_at, x->updated_by);
	if (rc == 0)
		rc = rq_stmt_step_int64(st, out_id);
	rq_stmt_finalize(st);
	return rc;
}

/* Run an UPDATE of one system whose $1 is the id; RQ_ENOTFOUND if none. */
static int update_one(rq_stmt *st, int rc, int64_t id)
{
	if (rc == 0 && (rc = rq_stmt_step(st)) >= 0 && rq_stmt_changes(st) == 0)
		rc = rq_fail(RQ_ENOTFOUND, "store: no system %lld", (long long)id);
	rq_stmt_finalize(st);
	return rc < 0 ? rc : 0;
}

int rq_store_system_update(rq_store *s, const rq_info_system *x)
{
	rq_stmt *st = NULL;
	int rc = rq_store_prepare(s, &st,
				  "UPDATE info_systems SET name = $2, purpose = $3, owner = $4, operator = $5,"
				  " info_type = $6, users = $7, level = $8, regulation_number = $9, regulation_on = $10,"
				  " updated_at = $11, updated_by = $12 WHERE id = $1");
	if (rc == 0)
		rc = rq_stmt_bind_fmt(st, "itTTTTTiTTiI", x->id, x->name, x->purpose, x->owner, x->operator_name,
				      x->info_type, x->users, x->level, x->regulation_number, x->regulation_on,
				      x->updated_at, x->updated_by);
	return update_one(st, rc, x->id);
}

int rq_store_system_set_state(rq_store *s, const rq_info_system *x, const char *from)
{
	rq_stmt *st = NULL;
	int64_t exists = 0;
	int rc = rq_store_prepare(s, &st,
				  "UPDATE info_systems SET dossier_state = $2, appraised_on = $3, decision_number = $4,"
				  " decision_on = $5, updated_at = $6, updated_by = $7 WHERE id = $1 AND dossier_state = $8");
	if (rc == 0)
		rc = rq_stmt_bind_fmt(st, "itTTTiIt", x->id, x->state, x->appraised_on, x->decision_number,
				      x->decision_on, x->updated_at, x->updated_by, from);
	if (rc == 0 && (rc = rq_stmt_step(st)) >= 0 && rq_stmt_changes(st) == 0) {
		rq_stmt_finalize(st);
		st = NULL;
		rc = rq_store_prepare(s, &st, "SELECT COUNT(*) FROM info_systems WHERE id = $1");
		if (rc == 0 && (rc = rq_stmt_bind_int64(st, 1, x->id)) == 0)
			rc = rq_stmt_step_int64(st, &exists);
		if (rc == 0)
			rc = exists ? rq_fail(RQ_EINVAL, "the dossier is no longer %s", from)
				    : rq_fail(RQ_ENOTFOUND, "store: no system %lld", (long long)x->id);
	}
	rq_stmt_finalize(st);
	return rc < 0 ? rc : 0;
}

int rq_store_system_delete(rq_store *s, int64_t id)
{
	int64_t changes = 0;
	int rc = rq_store_run(s, &changes, "DELETE FROM info_systems WHERE id = $1", &id, 1);
	if (rc == 0 && changes == 0)
		rc = rq_fail(RQ_ENOTFOUND, "store: no system %lld", (long long)id);
	return rc;
}

int rq_store_system_get(rq_store *s, int64_t id, int (*cb)(const rq_info_system *sys, void *payload),
			void *payload)
{
	rq_stmt *st = NULL;
	int rc = rq_store_prepare(s, &st, SYSTEM_COLUMNS " WHERE x.id = $1");
	if (rc == 0 && (rc = rq_stmt_bind_int64(st, 1, id)) == 0)
		rc = each_system(st, 1, cb, payload);
	rq_stmt_finalize(st);
	return rc;
}

int rq_store_system_list(rq_store *s, int64_t root, int (*cb)(const rq_info_system *sys, void *payload),
			 void *payload)
{
	rq_stmt *st = NULL;
	int rc = rq_store_prepare(s, &st,
				  root > 0 ? RQ_STORE_SUBTREE_CTE SYSTEM_COLUMNS
					     " WHERE x.unit_id IN (SELECT id FROM sub) ORDER BY u.name, x.unit_id, x.name"
					   : SYSTEM_COLUMNS " ORDER BY u.name, x.unit_id, x.name");
	if (rc == 0 && root > 0)
		rc = rq_stmt_bind_fmt(st, "ii", root, (int64_t)(RQ_STORE_MAX_UNIT_DEPTH - 1));
	if (rc == 0)
		rc = each_system(st, 0, cb, payload);
	rq_stmt_finalize(st);
	return rc;
}
