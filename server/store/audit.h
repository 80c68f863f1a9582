/*
 * The audit log of the store: one row per change made through the admin
 * API or by an agent (who, what, on which object, from where). Rows are
 * only ever added. Implemented in audit.c.
 */
#ifndef RQ_SERVER_STORE_AUDIT_H
#define RQ_SERVER_STORE_AUDIT_H

#include "store/store.h"

typedef struct rq_audit_entry {
	int64_t at;
	int64_t user_id;         /* 0: not a user (an agent, the system) */
	const char *actor;       /* login, "agent:<id>" or "system": kept if the user goes */
	const char *action;      /* "unit.create", "token.revoke", ... */
	const char *object_type; /* "unit", "endpoint", ... (NULL: "") */
	const char *object_id;   /* (NULL: "") */
	int64_t unit_id;         /* the unit the change concerns, for officers' views; 0: none */
	const char *ip;          /* (NULL: "") */
	const char *details_json; /* never secrets (NULL: "{}") */
	int64_t id;              /* rq_store_audit_list only: the entry's number */
} rq_audit_entry;

/* Append an entry (inside the caller's transaction when there is one, so
 * the change and its record commit together). */
int rq_store_audit_add(rq_store *s, const rq_audit_entry *e);

/* Which entries rq_store_audit_list gives; zero/NULL members do not filter. */
typedef struct rq_audit_filter {
	int64_t unit_id;           /* entries about this unit or any unit below it;
				    * 0: every entry, also those about no unit */
	const char *actor;         /* exactly this actor (a login) */
	const char *action_prefix; /* actions starting with this ("unit." ...) */
	int64_t since, until;      /* since <= at < until (until 0: no end) */
	int64_t limit, offset;     /* the page (limit 0: none) */
} rq_audit_filter;

/*
 * The entries matching `f`, newest first (by time, then by number), one
 * page; *out_total gets the number of all matching entries. The entry
 * passed to cb is borrowed for the call; a non-zero return from cb stops
 * with RQ_ESTOPPED.
 */
int rq_store_audit_list(rq_store *s, const rq_audit_filter *f, int64_t *out_total,
			int (*cb)(const rq_audit_entry *e, void *payload), void *payload);

#endif
