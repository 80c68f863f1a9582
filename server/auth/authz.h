/*
 * Who may do what: the one place where the server decides. A request is
 * described by the caller's role, the kind of action and where its target
 * lies relative to the caller's unit; handlers ask rq_authz_allows and
 * nothing else. The whole table is tested as a matrix (tests/server/auth).
 */
#ifndef RQ_SERVER_AUTH_AUTHZ_H
#define RQ_SERVER_AUTH_AUTHZ_H

typedef enum rq_role {
	RQ_ROLE_ADMIN = 0, /* province administrator: everything */
	RQ_ROLE_OFFICER,   /* a unit's IT officer: that unit's subtree */
	RQ_ROLE_VIEWER,    /* read-only, within the unit it belongs to */
	RQ_ROLE_DOWNSTREAM,/* a downstream raquet-server (a province under a national
			    * tier), by the credential bound to one unit: reports only */
	RQ_ROLE_COUNT
} rq_role;

typedef enum rq_action {
	RQ_ACT_READ = 0,    /* list and view endpoints, detections, tasks, reports */
	RQ_ACT_OPERATE,     /* create tasks, change a detection's state, enrollment tokens */
	RQ_ACT_USERS,       /* create, change, disable users */
	RQ_ACT_UNITS,       /* create, move, delete units; policies */
	RQ_ACT_SYSTEM,      /* server settings, signing keys, national sharing */
	RQ_ACT_REPORT,      /* a downstream server's report (its tree, figures, sightings) */
	RQ_ACT_COUNT
} rq_action;

typedef enum rq_scope {
	RQ_SCOPE_OWN = 0,   /* the target is in the caller's unit subtree */
	RQ_SCOPE_OTHER,     /* it belongs to a unit outside it */
	RQ_SCOPE_GLOBAL,    /* it belongs to no unit (province-wide: databases, settings) */
	RQ_SCOPE_COUNT
} rq_scope;

/* 1 if allowed. Out-of-range values are denied. */
int rq_authz_allows(rq_role role, rq_action action, rq_scope scope);

/* 1 if a user of role `granter` may give role `target` (never above its own). */
int rq_authz_may_grant(rq_role granter, rq_role target);

/* "admin", "officer", "viewer", "downstream"; and back (-1 if unknown): only
 * the three roles of people parse (a user is never a downstream server). */
const char *rq_role_name(rq_role role);
int rq_role_parse(const char *name);

#endif
