/*
 * Units of the store: the tree of organisations (province -> departments,
 * agencies, district People's Committees -> sub-units), with create, read,
 * update, delete and subtree queries (recursive CTEs, the same SQL on both
 * backends). Implemented in units.c.
 */
#ifndef RQ_SERVER_STORE_UNITS_H
#define RQ_SERVER_STORE_UNITS_H

#include "store/store.h"

typedef struct rq_unit {
	int64_t id;
	int64_t parent_id; /* 0: a top-level unit */
	const char *name;
	const char *code;    /* unique among all units */
	const char *contact;
	int64_t created_at, updated_at;
	int depth;           /* subtree listings: 0 for the root asked for */
	int64_t endpoint_count; /* rq_store_unit_list only: endpoints directly in the unit */
} rq_unit;

/*
 * New unit under `parent_id` (0: top level) into *out_id. A duplicate code
 * or unknown parent is RQ_STORE_ECONSTRAINT; a tree deeper than
 * RQ_STORE_MAX_UNIT_DEPTH is RQ_ELIMIT.
 */
int rq_store_unit_create(rq_store *s, int64_t *out_id, int64_t parent_id, const char *name, const char *code,
			 const char *contact, int64_t now);

/* Read one unit into *out (strings owned by *out: rq_store_unit_clear).
 * RQ_ENOTFOUND when there is none. */
int rq_store_unit_get(rq_store *s, int64_t id, rq_unit *out);
void rq_store_unit_clear(rq_unit *u);

/*
 * Change name, code, contact and parent (moving the unit with its
 * subtree). Moving a unit under itself or its own descendant is RQ_EINVAL;
 * RQ_ENOTFOUND when the unit does not exist.
 */
int rq_store_unit_update(rq_store *s, int64_t id, int64_t parent_id, const char *name, const char *code,
			 const char *contact, int64_t now);

/* Delete a unit; RQ_STORE_ECONSTRAINT while it still has sub-units,
 * endpoints or users, RQ_ENOTFOUND when there is none. */
int rq_store_unit_delete(rq_store *s, int64_t id);

/*
 * Call cb for `root_id` and every unit below it, by depth then name. The
 * unit passed is borrowed for the call only. A non-zero return from cb
 * stops the walk with RQ_ESTOPPED. RQ_ENOTFOUND if root_id does not exist.
 */
int rq_store_unit_subtree(rq_store *s, int64_t root_id, int (*cb)(const rq_unit *unit, void *payload),
			  void *payload);

/* The same for root_id 0: every unit (the top-level ones at depth 0),
 * without rq_store_unit_list's endpoint counts and paging. */
int rq_store_unit_tree(rq_store *s, int64_t root_id, int (*cb)(const rq_unit *unit, void *payload), void *payload);

/* *out_yes = 1 when `unit_id` is `ancestor_id` or lies below it (the
 * authorisation question "is this in the officer's subtree?"). */
int rq_store_unit_within(rq_store *s, int64_t unit_id, int64_t ancestor_id, int *out_yes);

/*
 * One page of the flat list of `root_id`'s subtree (0: every unit of the
 * province, the top-level units at depth 0), ordered by depth, name, id,
 * with each unit's direct endpoint count. *out_total gets the number of
 * units in the whole subtree. cb as for rq_store_unit_subtree. RQ_ENOTFOUND
 * when root_id (> 0) does not exist.
 */
int rq_store_unit_list(rq_store *s, int64_t root_id, int64_t limit, int64_t offset, int64_t *out_total,
		       int (*cb)(const rq_unit *unit, void *payload), void *payload);

/* The id of the unit with `code` into *out_id; RQ_ENOTFOUND if none. */
int rq_store_unit_by_code(rq_store *s, const char *code, int64_t *out_id);

/* How far `id` lies below its top-level ancestor (0: top level). */
int rq_store_unit_depth(rq_store *s, int64_t id, int64_t *out);

/* What still hangs on a unit (and so stops its deletion). */
typedef struct rq_unit_usage {
	int64_t subunits, endpoints, users;
} rq_unit_usage;
int rq_store_unit_usage(rq_store *s, int64_t id, rq_unit_usage *out);

/*
 * The recursive CTE of a unit subtree, for other queries to start with:
 * "sub(id, depth)" holds $1 and its descendants down to $2 levels.
 */
#define RQ_STORE_SUBTREE_CTE                                                                           \
	"WITH RECURSIVE sub(id, depth) AS ("                                                           \
	" SELECT id, 0 FROM units WHERE id = $1"                                                       \
	" UNION ALL"                                                                                   \
	" SELECT u.id, sub.depth + 1 FROM units u JOIN sub ON u.parent_id = sub.id WHERE sub.depth < $2)"

#endif
