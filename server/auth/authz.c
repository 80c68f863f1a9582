/*
 * The authorisation table (authz.h). Read it as: rows are roles, columns
 * actions, each cell the scopes allowed.
 */
#include "auth/authz.h"

#include <string.h>

#define OWN (1u << RQ_SCOPE_OWN)
#define OTHER (1u << RQ_SCOPE_OTHER)
#define GLOBAL (1u << RQ_SCOPE_GLOBAL)
#define ALL (OWN | OTHER | GLOBAL)

static const unsigned table[RQ_ROLE_COUNT][RQ_ACT_COUNT] = {
	/*                 READ          OPERATE  USERS  UNITS  SYSTEM  REPORT */
	[RQ_ROLE_ADMIN] = { ALL, ALL, ALL, ALL, ALL, ALL },
	/* officers read province-wide facts (published databases), act in their subtree */
	[RQ_ROLE_OFFICER] = { OWN | GLOBAL, OWN, OWN, 0, 0, 0 },
	[RQ_ROLE_VIEWER] = { OWN | GLOBAL, 0, 0, 0, 0, 0 },
	/* a downstream server reports for the unit its credential is bound to,
	 * never for another one (another province's data), and does nothing else */
	[RQ_ROLE_DOWNSTREAM] = { 0, 0, 0, 0, 0, OWN },
};

int rq_authz_allows(rq_role role, rq_action action, rq_scope scope)
{
	if ((unsigned)role >= RQ_ROLE_COUNT || (unsigned)action >= RQ_ACT_COUNT ||
	    (unsigned)scope >= RQ_SCOPE_COUNT)
		return 0;
	return (table[role][action] >> scope) & 1;
}

int rq_authz_may_grant(rq_role granter, rq_role target)
{
	if ((unsigned)granter > RQ_ROLE_VIEWER || (unsigned)target > RQ_ROLE_VIEWER)
		return 0; /* roles of people only */
	if (granter == RQ_ROLE_ADMIN)
		return 1;
	/* roles are ordered from most to least power */
	return granter == RQ_ROLE_OFFICER && target >= granter;
}

static const char *const names[RQ_ROLE_COUNT] = { "admin", "officer", "viewer", "downstream" };

const char *rq_role_name(rq_role role)
{
	return (unsigned)role < RQ_ROLE_COUNT ? names[role] : "unknown";
}

int rq_role_parse(const char *name)
{
	for (int r = 0; r <= RQ_ROLE_VIEWER; r++)
		if (name && !strcmp(name, names[r]))
			return r;
	return -1;
}
