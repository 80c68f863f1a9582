/*
 * Who may move a level dossier (dossier.h): the authorities of each level
 * and the role each authority acts through are two tables; the one rule
 * reads them.
 */
#include "campaign/dossier.h"

#include <string.h>

/* Appraiser and approver per level (index 0 = level 1), from Decree
 * 85/2016 art. 12 as summarised in refs/security-levels.md. */
static const struct {
	rq_authority appraises, approves;
} by_level[RQ_LEVEL_MAX] = {
	{RQ_AUTH_OWNER_SECURITY, RQ_AUTH_OWNER_SECURITY}, /* 1 */
	{RQ_AUTH_OWNER_SECURITY, RQ_AUTH_OWNER_SECURITY}, /* 2 */
	{RQ_AUTH_OWNER_SECURITY, RQ_AUTH_OWNER},          /* 3 */
	{RQ_AUTH_NATIONAL, RQ_AUTH_OWNER},                /* 4 */
	{RQ_AUTH_NATIONAL, RQ_AUTH_GOVERNMENT},           /* 5 */
};

/* Our roles: the unit's officer is the system owner's side (the operating
 * unit and its information-security staff); the department (admin)
 * records what the owner, the national authority and the Government
 * decide. */
static const rq_role acts_as[RQ_AUTH_COUNT] = {
	[RQ_AUTH_OPERATOR] = RQ_ROLE_OFFICER,
	[RQ_AUTH_OWNER_SECURITY] = RQ_ROLE_OFFICER,
	[RQ_AUTH_OWNER] = RQ_ROLE_ADMIN,
	[RQ_AUTH_NATIONAL] = RQ_ROLE_ADMIN,
	[RQ_AUTH_GOVERNMENT] = RQ_ROLE_ADMIN,
};

static int level_ok(int level)
{
	return level >= RQ_LEVEL_MIN && level <= RQ_LEVEL_MAX;
}

int rq_dossier_appraiser(int level)
{
	return level_ok(level) ? (int)by_level[level - 1].appraises : -1;
}

int rq_dossier_approver(int level)
{
	return level_ok(level) ? (int)by_level[level - 1].approves : -1;
}

int rq_authority_role(rq_authority authority)
{
	return (unsigned)authority < RQ_AUTH_COUNT ? (int)acts_as[authority] : -1;
}

int rq_dossier_allows(rq_role role, int level, rq_dossier_state from, rq_dossier_state to)
{
	int who = -1;
	if ((unsigned)role >= RQ_ROLE_COUNT || !level_ok(level) || (unsigned)from >= RQ_DOSSIER_STATE_COUNT ||
	    (unsigned)to >= RQ_DOSSIER_STATE_COUNT)
		return 0;
	if (from == RQ_DOSSIER_DRAFT && to == RQ_DOSSIER_SUBMITTED)
		who = RQ_AUTH_OPERATOR;
	else if (from == RQ_DOSSIER_SUBMITTED && (to == RQ_DOSSIER_APPRAISED || to == RQ_DOSSIER_DRAFT))
		who = rq_dossier_appraiser(level);
	else if (from == RQ_DOSSIER_APPRAISED && (to == RQ_DOSSIER_APPROVED || to == RQ_DOSSIER_DRAFT))
		who = rq_dossier_approver(level);
	return who >= 0 && rq_authority_role((rq_authority)who) == (int)role;
}

static const char *const state_names[RQ_DOSSIER_STATE_COUNT] = {"draft", "submitted", "appraised", "approved"};

const char *rq_dossier_state_name(rq_dossier_state s)
{
	return (unsigned)s < RQ_DOSSIER_STATE_COUNT ? state_names[s] : "unknown";
}

int rq_dossier_state_parse(const char *name)
{
	for (int i = 0; i < RQ_DOSSIER_STATE_COUNT; i++)
		if (name && !strcmp(name, state_names[i]))
			return i;
	return -1;
}

const char *rq_authority_name(rq_authority a)
{
	static const char *const names[RQ_AUTH_COUNT] = {"operator", "owner_security", "owner", "national",
							 "government"};
	return (unsigned)a < RQ_AUTH_COUNT ? names[a] : "unknown";
}
