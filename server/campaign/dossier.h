/*
 * The level dossier (hồ sơ đề xuất cấp độ) of an information system and
 * who may move it: draft -> submitted -> appraised -> approved, each step
 * taken by the authority the system's security level (1-5) names
 * (Decree 85/2016/NĐ-CP, see ../shared/refs/security-levels.md and
 * docs/campaigns.md). The authorities per level are a table (data); how
 * an authority maps to our roles is a second table; rq_dossier_allows is
 * the one function that decides, tested as a matrix
 * (tests/server/campaign/test_dossier.c). Implemented in dossier.c.
 */
#ifndef RQ_SERVER_CAMPAIGN_DOSSIER_H
#define RQ_SERVER_CAMPAIGN_DOSSIER_H

#include "auth/authz.h"

#define RQ_LEVEL_MIN 1
#define RQ_LEVEL_MAX 5

typedef enum rq_dossier_state {
	RQ_DOSSIER_DRAFT = 0,
	RQ_DOSSIER_SUBMITTED,
	RQ_DOSSIER_APPRAISED,
	RQ_DOSSIER_APPROVED,
	RQ_DOSSIER_STATE_COUNT
} rq_dossier_state;

/* Who acts on a dossier, in the terms of the decree. */
typedef enum rq_authority {
	RQ_AUTH_OPERATOR = 0,      /* the operating unit, which prepares the dossier */
	RQ_AUTH_OWNER_SECURITY,    /* the owner's information-security unit */
	RQ_AUTH_OWNER,             /* the owner (chủ quản) */
	RQ_AUTH_NATIONAL,          /* the national authority (with defence and public security) */
	RQ_AUTH_GOVERNMENT,        /* the Government */
	RQ_AUTH_COUNT
} rq_authority;

/* The authority that appraises, and the one that approves, at `level`
 * (-1 for a level outside 1-5). */
int rq_dossier_appraiser(int level);
int rq_dossier_approver(int level);

/*
 * 1 when a user of `role` may move a level-`level` dossier from `from` to
 * `to`; 0 otherwise (also for any value out of range). The steps:
 *   draft -> submitted        the operator (prepares and submits)
 *   submitted -> appraised    the level's appraiser
 *   appraised -> approved     the level's approver
 *   submitted -> draft        the appraiser (sent back for changes)
 *   appraised -> draft        the approver (refused, back to the unit)
 * An authority acts through a role: the operating unit and the owner's
 * security unit are the unit's officer, the owner, the national authority
 * and the Government are recorded by the department (admin). Viewers never.
 * This says nothing about WHICH unit: the caller's scope is checked first
 * by auth/authz.c.
 */
int rq_dossier_allows(rq_role role, int level, rq_dossier_state from, rq_dossier_state to);

/* The role through which `authority` acts (-1 if out of range). */
int rq_authority_role(rq_authority authority);

/* "draft", "submitted", "appraised", "approved"; and back (-1 if unknown). */
const char *rq_dossier_state_name(rq_dossier_state s);
int rq_dossier_state_parse(const char *name);
/* "operator", "owner_security", "owner", "national", "government". */
const char *rq_authority_name(rq_authority a);

#endif
