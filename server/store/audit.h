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
} rq_audit_entry;

/* Append an entry (inside the caller's transaction when there is one, so
 * the change and its record commit together). */
int rq_store_audit_add(rq_store *s, const rq_audit_entry *e);

#endif
