/*
 * The information systems of the units (table info_systems, schema
 * version 9): the inventory, the proposed security level, the level
 * dossier's state and decision, and the security regulation. Who may
 * change a dossier's state is campaign/dossier.c's rule, checked by
 * api/systems.c; the store only refuses a state change that raced
 * another (compare and set). Implemented in systems.c.
 */
#ifndef RQ_SERVER_STORE_SYSTEMS_H
#define RQ_SERVER_STORE_SYSTEMS_H

#include "store/store.h"

/* Strings borrowed as in campaigns.h. */
typedef struct rq_info_system {
	int64_t id, unit_id;
	const char *unit_name;          /* read only */
	const char *name, *purpose, *owner, *operator_name, *info_type, *users;
	int64_t level;                  /* 1-5 */
	const char *state;              /* "draft", "submitted", "appraised", "approved" */
	const char *appraised_on;       /* YYYY-MM-DD or "" */
	const char *decision_number, *decision_on; /* the approval; "" until approved */
	const char *regulation_number, *regulation_on; /* the issued regulation; "" until issued */
	int64_t created_at, updated_at, updated_by;
} rq_info_system;

/* New system in state draft into *out_id; a duplicate name in the unit or
 * an unknown unit is RQ_STORE_ECONSTRAINT. */
int rq_store_system_create(rq_store *s, const rq_info_system *sys, int64_t *out_id);
/* Change the inventory fields, level and regulation of sys->id (not its
 * unit nor its dossier). RQ_ENOTFOUND. */
int rq_store_system_update(rq_store *s, const rq_info_system *sys);
/* Move the dossier of `id` from state `from` to sys->state, writing
 * appraised_on, decision_number and decision_on from `sys`: RQ_ENOTFOUND
 * when there is no such system, RQ_EINVAL when it is no longer in `from`. */
int rq_store_system_set_state(rq_store *s, const rq_info_system *sys, const char *from);
/* Delete with its evidence. RQ_ENOTFOUND. */
int rq_store_system_delete(rq_store *s, int64_t id);
/* One system to cb; RQ_ENOTFOUND. */
int rq_store_system_get(rq_store *s, int64_t id, int (*cb)(const rq_info_system *sys, void *payload),
			void *payload);
/* The systems of `root`'s subtree (0: every unit), by unit then name. */
int rq_store_system_list(rq_store *s, int64_t root, int (*cb)(const rq_info_system *sys, void *payload),
			 void *payload);

#endif
