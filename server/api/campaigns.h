/*
 * Admin API of the campaigns (docs/api-admin/campaigns.md): campaigns
 * (administrators create and change them; officers and viewers read those
 * covering their units), each unit's checklist and the items recorded by
 * hand, the unit report made and confirmed, and the department's progress
 * view with the computed items (malware sweep from coverage.c, dossiers
 * and regulations from systems.c). The information systems are
 * api/systems.c, the evidence files api/evidence.c. Implemented in
 * campaigns.c.
 */
#ifndef RQ_SERVER_API_CAMPAIGNS_H
#define RQ_SERVER_API_CAMPAIGNS_H

#include "api/admin.h"
#include "http/router.h"
#include "store/campaigns.h"

/* A campaign as read by a handler (copied out of the store's row). */
typedef struct rq_campaign_copy {
	int64_t id, unit_id, from, to, unit_due_at, dept_due_at, created_at, created_by, updated_at;
	char name[RQ_CAMPAIGN_NAME_MAX + 1];
	char unit_name[640];
	char unit_deadline[16], dept_deadline[16];
	char status[16];
} rq_campaign_copy;

/*
 * Load campaign `id` for the caller and check that `unit_id` lies in it
 * and that the caller may do `action` there (auth/authz.c): 0, or -1
 * with `resp` filled (404 no such campaign or unit not in it, 403).
 */
int rq_api_campaign_unit(const rq_caller *c, rq_http_resp *resp, int64_t id, int64_t unit_id, rq_action action,
			 rq_campaign_copy *out);

/* 0 when the campaign takes records (status "active"); else 409 and -1. */
int rq_api_campaign_open(const rq_campaign_copy *camp, rq_http_resp *resp);

/* A "YYYY-MM-DD" field of `body` (absent: *out "" when optional): 0, or
 * -1 with a 400 naming the field. */
int rq_api_date_field(rq_http_resp *resp, json_t *body, const char *field, int required, char out[16]);

int rq_api_campaigns_routes(rq_http_router *router, const rq_api_ctx *ctx);

#endif
