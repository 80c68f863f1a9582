/*
 * Units: the tree of organisations in the store (see units.h). Subtree and
 * ancestor queries are recursive CTEs bounded by RQ_STORE_MAX_UNIT_DEPTH so
 * a corrupted parent chain cannot loop. SQL is the same on both backends.
 */
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "store/units.h"

#define ANCESTORS_CTE                                                                                  \
	"WITH RECURSIVE up(id, parent_id, depth) AS ("                                                 \
	" SELECT id, parent_id, 0 FROM units WHERE id = $1"                                            \
	" UNION ALL"                                                                                   \
	" SELECT u.id, u.parent_id, up.depth + 1 FROM units u JOIN up ON u.id = up.parent_id"        \
	" WHERE up.depth < $2)"

static int bind_parent(rq_stmt *st, int idx, int64_t parent_id)
{
	return parent_id > 0 ? rq_stmt_bind_int64(st, idx, parent_id) : rq_stmt_bind_null(st, idx);
}

int rq_store_unit_depth(rq_store *s, int64_t id, int64_t *out)
{
	rq_stmt *st = NULL;
	int rc = rq_store_prepare(s, &st, ANCESTORS_CTE " SELECT COUNT(*), MAX(depth) FROM up");
	if (rc < 0)
		goto done;
	if ((rc = rq_stmt_bind_int64(st, 1, id)) < 0 || (rc = rq_stmt_bind_int64(st, 2, RQ_STORE_MAX_UNIT_DEPTH)) < 0)
		goto done;
	rc = rq_stmt_step(st);
	if (rc != RQ_STORE_ROW)
		goto done;
	if (rq_stmt_column_int64(st, 0) == 0)
		rc = rq_fail(RQ_ENOTFOUND, "store: unit %lld not found", (long long)id);
	else
		*out = rq_stmt_column_int64(st, 1);
	rc = rc < 0 ? rc : 0;
done:
	rq_stmt_finalize(st);
	return rc;
}

/* Height of the subtree under `id` (0: no sub-units). */
static int subtree_height(rq_store *s, int64_t id, int64_t *out)
{
	rq_stmt *st = NULL;
	int rc = rq_store_prepare(s, &st, RQ_STORE_SUBTREE_CTE " SELECT MAX(depth) FROM sub");
	if (rc < 0)
		goto done;
	if ((rc = rq_stmt_bind_int64(st, 1, id)) < 0 || (rc = rq_stmt_bind_int64(st, 2, RQ_STORE_MAX_UNIT_DEPTH)) < 0)
		goto done;
	rc = rq_stmt_step_int64(st, out);
done:
	rq_stmt_finalize(st);
	return rc;
}

/* A unit with `height` levels below it may go under `parent_id`: the
 * parent exists and the tree stays within RQ_STORE_MAX_UNIT_DEPTH. */
static int check_room_under(rq_store *s, int64_t parent_id, int64_t height)
{
	int64_t depth = -1;
	int rc = rq_store_unit_depth(s, parent_id, &depth);
	if (rc == RQ_ENOTFOUND)
		rc = rq_fail(RQ_STORE_ECONSTRAINT, "store: parent unit %lld not found", (long long)parent_id);
	else if (rc == 0 && depth + 1 + height >= RQ_STORE_MAX_UNIT_DEPTH)
		rc = rq_fail(RQ_ELIMIT, "store: units nest at most %d deep", RQ_STORE_MAX_UNIT_DEPTH);
	return rc;
}

int rq_store_unit_within(rq_store *s, int64_t unit_id, int64_t ancestor_id, int *out_yes)
{
	rq_stmt *st = NULL;
	int rc;
	*out_yes = 0;
	rc = rq_store_prepare(s, &st, ANCESTORS_CTE " SELECT COUNT(*) FROM up WHERE id = $3");
	if (rc < 0)
		goto done;
	if ((rc = rq_stmt_bind_int64(st, 1, unit_id)) < 0 ||
	    (rc = rq_stmt_bind_int64(st, 2, RQ_STORE_MAX_UNIT_DEPTH)) < 0 ||
	    (rc = rq_stmt_bind_int64(st, 3, ancestor_id)) < 0)
		goto done;
	int64_t n = 0;
	rc = rq_stmt_step_int64(st, &n);
	*out_yes = n > 0;
done:
	rq_stmt_finalize(st);
	return rc;
}

int rq_store_unit_create(rq_store *s, int64_t *out_id, int64_t parent_id, const char *name, const char *code,
			 const char *contact, int64_t now)
{
	rq_stmt *st = NULL;
	int rc = 0;
	*out_id = 0;
	if (!name || !code)
		return rq_fail(RQ_EINVAL, "store: a unit needs a name and a code");
	if (parent_id > 0 && (rc = check_room_under(s, parent_id, 0)) < 0)
		goto done;
	rc = rq_store_prepare(s, &st,
			      "INSERT INTO units (parent_id, name, code, contact, created_at, updated_at)"
			      " VALUES ($1, $2, $3, $4, $5, $5) RETURNING id");
	if (rc < 0)
		goto done;
	if ((rc = bind_parent(st, 1, parent_id)) < 0 || (rc = rq_stmt_bind_text(st, 2, name)) < 0 ||
	    (rc = rq_stmt_bind_text(st, 3, code)) < 0 || (rc = rq_stmt_bind_text(st, 4, contact ? contact : "")) < 0 ||
	    (rc = rq_stmt_bind_int64(st, 5, now)) < 0)
		goto done;
	rc = rq_stmt_step_int64(st, out_id);
done:
	rq_stmt_finalize(st);
	return rc;
}

static char *dup_or_empty(const char *t)
{
	return strdup(t ? t : "");
}

static void fill_unit(rq_stmt *st, rq_unit *u)
{
	u->id = rq_stmt_column_int64(st, 0);
	u->parent_id = rq_stmt_column_int64(st, 1);
	u->name = rq_stmt_column_text(st, 2);
	u->code = rq_stmt_column_text(st, 3);
	u->contact = rq_stmt_column_text(st, 4);
	u->created_at = rq_stmt_column_int64(st, 5);
	u->updated_at = rq_stmt_column_int64(st, 6);
	u->depth = (int)rq_stmt_column_int64(st, 7);
	u->endpoint_count = 0;
}

void rq_store_unit_clear(rq_unit *u)
{
	if (!u)
		return;
	free((char *)u->name);
	free((char *)u->code);
	free((char *)u->contact);
	memset(u, 0, sizeof(*u));
}

int rq_store_unit_get(rq_store *s, int64_t id, rq_unit *out)
{
	rq_stmt *st = NULL;
	rq_unit row;
	int rc;
	memset(out, 0, sizeof(*out));
	rc = rq_store_prepare(s, &st,
			      "SELECT id, parent_id, name, code, contact, created_at, updated_at, 0"
			      " FROM units WHERE id = $1");
	if (rc < 0 || (rc = rq_stmt_bind_int64(st, 1, id)) < 0)
		goto done;
	rc = rq_stmt_step(st);
	if (rc == RQ_STORE_DONE)
		rc = rq_fail(RQ_ENOTFOUND, "store: unit %lld not found", (long long)id);
	if (rc < 0)
		goto done;
	fill_unit(st, &row);
	*out = row;
	out->name = dup_or_empty(row.name);
	out->code = dup_or_empty(row.code);
	out->contact = dup_or_empty(row.contact);
	rc = 0;
	if (!out->name || !out->code || !out->contact) {
		rq_store_unit_clear(out);
		rc = rq_fail(RQ_ENOMEM, "store: out of memory reading a unit");
	}
done:
	rq_stmt_finalize(st);
	return rc;
}

int rq_store_unit_update(rq_store *s, int64_t id, int64_t parent_id, const char *name, const char *code,
			 const char *contact, int64_t now)
{
	rq_stmt *st = NULL;
	int64_t height = 0;
	int rc = 0, inside = 0;
	if (!name || !code)
		return rq_fail(RQ_EINVAL, "store: a unit needs a name and a code");
	if (parent_id > 0) {
		rc = rq_store_unit_within(s, parent_id, id, &inside);
		if (rc < 0)
			goto done;
		if (inside) {
			rc = rq_fail(RQ_EINVAL, "store: unit %lld cannot move under itself or its own sub-unit",
				     (long long)id);
			goto done;
		}
		if ((rc = subtree_height(s, id, &height)) < 0 || (rc = check_room_under(s, parent_id, height)) < 0)
			goto done;
	}
	rc = rq_store_prepare(s, &st,
			      "UPDATE units SET parent_id = $2, name = $3, code = $4, contact = $5, updated_at = $6"
			      " WHERE id = $1");
	if (rc < 0)
		goto done;
	if ((rc = rq_stmt_bind_int64(st, 1, id)) < 0 || (rc = bind_parent(st, 2, parent_id)) < 0 ||
	    (rc = rq_stmt_bind_text(st, 3, name)) < 0 || (rc = rq_stmt_bind_text(st, 4, code)) < 0 ||
	    (rc = rq_stmt_bind_text(st, 5, contact ? contact : "")) < 0 || (rc = rq_stmt_bind_int64(st, 6, now)) < 0)
		goto done;
	rc = rq_stmt_step(st);
	if (rc == RQ_STORE_DONE && rq_stmt_changes(st) == 0)
		rc = rq_fail(RQ_ENOTFOUND, "store: unit %lld not found", (long long)id);
done:
	rq_stmt_finalize(st);
	return rc < 0 ? rc : 0;
}

int rq_store_unit_delete(rq_store *s, int64_t id)
{
	int64_t changes = 0;
	int rc = rq_store_run(s, &changes, "DELETE FROM units WHERE id = $1", &id, 1);
	if (rc == RQ_STORE_ECONSTRAINT)
		rc = rq_fail(rc, "store: unit %lld still has sub-units, endpoints or users", (long long)id);
	else if (rc == 0 && changes == 0)
		rc = rq_fail(RQ_ENOTFOUND, "store: unit %lld not found", (long long)id);
	return rc;
}

/* The units of `sql` ($1 root, $2 depth) to cb; RQ_ENOTFOUND when none
 * and `must_exist`. */
static int walk_units(rq_store *s, const char *sql, int64_t root_id, int must_exist,
		      int (*cb)(const rq_unit *unit, void *payload), void *payload)
{
	rq_stmt *st = NULL;
	rq_unit u;
	int rc, rows = 0;
	rc = rq_store_prepare(s, &st, sql);
	if (rc < 0)
		goto done;
	if ((rc = rq_stmt_bind_int64(st, 1, root_id)) < 0 ||
	    (rc = rq_stmt_bind_int64(st, 2, RQ_STORE_MAX_UNIT_DEPTH - 1)) < 0)
		goto done;
	while ((rc = rq_stmt_step(st)) == RQ_STORE_ROW) {
		rows++;
		fill_unit(st, &u);
		if (cb(&u, payload) != 0) {
			rc = rq_fail(RQ_ESTOPPED, "store: unit listing stopped by the caller");
			goto done;
		}
	}
	if (rc == RQ_STORE_DONE && rows == 0 && must_exist)
		rc = rq_fail(RQ_ENOTFOUND, "store: unit %lld not found", (long long)root_id);
done:
	rq_stmt_finalize(st);
	return rc < 0 ? rc : 0;
}

#define TREE_COLUMNS                                                                                   \
	" SELECT u.id, u.parent_id, u.name, u.code, u.contact, u.created_at, u.updated_at, sub.depth"  \
	" FROM sub JOIN units u ON u.id = sub.id ORDER BY sub.depth, u.name, u.id"

int rq_store_unit_subtree(rq_store *s, int64_t root_id, int (*cb)(const rq_unit *unit, void *payload),
			  void *payload)
{
	return walk_units(s, RQ_STORE_SUBTREE_CTE TREE_COLUMNS, root_id, 1, cb, payload);
}

/* The subtree of $1, or every unit when $1 is 0 (top-level units at depth
 * 0). `id = $1` comes first so PostgreSQL types $1 as the BIGINT id. */
#define LIST_CTE                                                                                       \
	"WITH RECURSIVE sub(id, depth) AS ("                                                           \
	" SELECT id, 0 FROM units WHERE id = $1 OR ($1 = 0 AND parent_id IS NULL)"                     \
	" UNION ALL"                                                                                   \
	" SELECT u.id, sub.depth + 1 FROM units u JOIN sub ON u.parent_id = sub.id WHERE sub.depth < $2)"

int rq_store_unit_tree(rq_store *s, int64_t root_id, int (*cb)(const rq_unit *unit, void *payload), void *payload)
{
	return walk_units(s, LIST_CTE TREE_COLUMNS, root_id, root_id > 0, cb, payload);
}

static int list_total(rq_store *s, int64_t root_id, int64_t *out)
{
	rq_stmt *st = NULL;
	int rc = rq_store_prepare(s, &st, LIST_CTE " SELECT COUNT(*) FROM sub");
	if (rc < 0)
		goto done;
	if ((rc = rq_stmt_bind_int64(st, 1, root_id)) < 0 ||
	    (rc = rq_stmt_bind_int64(st, 2, RQ_STORE_MAX_UNIT_DEPTH - 1)) < 0)
		goto done;
	rc = rq_stmt_step_int64(st, out);
	if (rc == 0 && *out == 0 && root_id > 0)
		rc = rq_fail(RQ_ENOTFOUND, "store: unit %lld not found", (long long)root_id);
done:
	rq_stmt_finalize(st);
	return rc;
}

int rq_store_unit_list(rq_store *s, int64_t root_id, int64_t limit, int64_t offset, int64_t *out_total,
		       int (*cb)(const rq_unit *unit, void *payload), void *payload)
{
	rq_stmt *st = NULL;
	rq_unit u;
	int rc;
	*out_total = 0;
	if (root_id < 0 || limit < 0 || offset < 0)
		return rq_fail(RQ_EINVAL, "store: unit list: negative root, limit or offset");
	if ((rc = list_total(s, root_id, out_total)) < 0)
		goto done;
	rc = rq_store_prepare(s, &st,
			      LIST_CTE
			      " SELECT u.id, u.parent_id, u.name, u.code, u.contact, u.created_at, u.updated_at, sub.depth,"
			      " (SELECT COUNT(*) FROM endpoints e WHERE e.unit_id = u.id)"
			      " FROM sub JOIN units u ON u.id = sub.id ORDER BY sub.depth, u.name, u.id LIMIT $3 OFFSET $4");
	if (rc < 0)
		goto done;
	if ((rc = rq_stmt_bind_int64(st, 1, root_id)) < 0 ||
	    (rc = rq_stmt_bind_int64(st, 2, RQ_STORE_MAX_UNIT_DEPTH - 1)) < 0 ||
	    (rc = rq_stmt_bind_int64(st, 3, limit)) < 0 || (rc = rq_stmt_bind_int64(st, 4, offset)) < 0)
		goto done;
	while ((rc = rq_stmt_step(st)) == RQ_STORE_ROW) {
		fill_unit(st, &u);
		u.endpoint_count = rq_stmt_column_int64(st, 8);
		if (cb(&u, payload) != 0) {
			rc = rq_fail(RQ_ESTOPPED, "store: unit listing stopped by the caller");
			goto done;
		}
	}
done:
	rq_stmt_finalize(st);
	return rc < 0 ? rc : 0;
}

int rq_store_unit_usage(rq_store *s, int64_t id, rq_unit_usage *out)
{
	rq_stmt *st = NULL;
	int rc;
	memset(out, 0, sizeof(*out));
	rc = rq_store_prepare(s, &st,
			      "SELECT (SELECT COUNT(*) FROM units WHERE parent_id = $1),"
			      " (SELECT COUNT(*) FROM endpoints WHERE unit_id = $1),"
			      " (SELECT COUNT(*) FROM users WHERE unit_id = $1)");
	if (rc < 0 || (rc = rq_stmt_bind_int64(st, 1, id)) < 0)
		goto done;
	rc = rq_stmt_step(st);
	if (rc == RQ_STORE_ROW) {
		out->subunits = rq_stmt_column_int64(st, 0);
		out->endpoints = rq_stmt_column_int64(st, 1);
		out->users = rq_stmt_column_int64(st, 2);
		rc = 0;
	} else if (rc == RQ_STORE_DONE) {
		rc = rq_fail(RQ_ERROR, "store: unit usage: no row");
	}
done:
	rq_stmt_finalize(st);
	return rc;
}

int rq_store_unit_by_code(rq_store *s, const char *code, int64_t *out_id)
{
	rq_stmt *st = NULL;
	int rc;
	*out_id = 0;
	rc = rq_store_prepare(s, &st, "SELECT id FROM units WHERE code = $1");
	if (rc == 0 && (rc = rq_stmt_bind_text(st, 1, code)) == 0)
		rc = rq_stmt_step_int64(st, out_id);
	if (rc == RQ_ENOTFOUND)
		rc = rq_fail(rc, "store: no unit with that code");
	rq_stmt_finalize(st);
	return rc;
}
