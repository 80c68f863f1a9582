/*
 * The units' standing in a campaign (obligations.h): the store's rows are
 * read once per call (items, systems, the unit subtree), then each unit's
 * sweep is asked of the coverage figures.
 */
#include "campaign/obligations.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/util.h"
#include "store/campaigns.h"
#include "store/coverage.h"
#include "store/systems.h"
#include "store/units.h"

/* An endpoint counts as reporting when seen this recently (as the checklist). */
#define SWEEP_WINDOW_S (7 * 86400)

const char *const rq_obligation_kinds[RQ_OBLIGATION_COUNT] = {"training",      "systems",       "regulation",
							      "response_plan", "malware_sweep", "report"};
enum { K_TRAINING, K_SYSTEMS, K_REGULATION, K_RESPONSE_PLAN, K_SWEEP, K_REPORT };

typedef struct unit_row {
	int64_t id;
	char *name, *code;
	int depth;
	unsigned char done[RQ_OBLIGATION_COUNT];
	int64_t systems, approved, regulated;
} unit_row;

typedef struct rows {
	unit_row *v;
	size_t n, cap;
} rows;

static void rows_free(rows *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->v[i].name);
		free(r->v[i].code);
	}
	free(r->v);
}

static unit_row *find(rows *r, int64_t id)
{
	for (size_t i = 0; i < r->n; i++)
		if (r->v[i].id == id)
			return &r->v[i];
	return NULL;
}

static int take_unit(const rq_unit *u, void *payload)
{
	rows *r = payload;
	if (rq_grow((void **)&r->v, &r->cap, r->n + 1, sizeof(*r->v)))
		return 1;
	unit_row *o = &r->v[r->n++];
	memset(o, 0, sizeof(*o));
	o->id = u->id;
	o->depth = u->depth;
	o->name = strdup(u->name ? u->name : "");
	o->code = strdup(u->code ? u->code : "");
	return !o->name || !o->code;
}

static int take_item(const rq_campaign_item *it, void *payload)
{
	unit_row *u = find(payload, it->unit_id);
	if (u && !strcmp(it->status, "done"))
		u->done[!strcmp(it->kind, "training") ? K_TRAINING : !strcmp(it->kind, "response_plan") ? K_RESPONSE_PLAN
															   : K_REPORT] = 1;
	return 0;
}

static int take_system(const rq_info_system *x, void *payload)
{
	unit_row *u = find(payload, x->unit_id);
	if (u) {
		u->systems++;
		u->approved += !strcmp(x->state, "approved");
		u->regulated += x->regulation_number[0] != '\0';
	}
	return 0;
}

typedef struct campaigns {
	rq_obligation_campaign *v;
	size_t n, cap;
} campaigns;

static int take_campaign(const rq_campaign *c, void *payload)
{
	campaigns *a = payload;
	if (strcmp(c->status, "active"))
		return 0;
	if (rq_grow((void **)&a->v, &a->cap, a->n + 1, sizeof(*a->v)))
		return 1;
	rq_obligation_campaign *o = &a->v[a->n++];
	memset(o, 0, sizeof(*o));
	o->id = c->id;
	o->unit_id = c->unit_id;
	o->from = c->from;
	o->to = c->to;
	snprintf(o->name, sizeof(o->name), "%s", c->name);
	snprintf(o->unit_deadline, sizeof(o->unit_deadline), "%s", c->unit_deadline);
	snprintf(o->dept_deadline, sizeof(o->dept_deadline), "%s", c->dept_deadline);
	snprintf(o->status, sizeof(o->status), "%s", c->status);
	return 0;
}

int rq_obligation_active_campaigns(rq_store *s, rq_obligation_campaign **out, size_t *n)
{
	campaigns a = {NULL, 0, 0};
	int rc = rq_store_campaign_list(s, take_campaign, &a);
	if (rc < 0) {
		free(a.v);
		a.v = NULL;
		a.n = 0;
		if (rc == RQ_ESTOPPED)
			rc = rq_fail(RQ_ENOMEM, "campaign: out of memory listing campaigns");
	}
	*out = a.v;
	*n = a.n;
	return rc;
}

int rq_obligation_standings(rq_store *s, const rq_obligation_campaign *camp, int64_t root, int64_t now,
			    int (*cb)(const rq_unit_standing *st, void *payload), void *payload)
{
	rows r = {NULL, 0, 0};
	int64_t top = root > 0 ? root : camp->unit_id, total = 0, to = camp->to < now ? camp->to : now;
	int rc = top > 0 ? rq_store_unit_subtree(s, top, take_unit, &r)
			 : rq_store_unit_list(s, 0, 1000000, 0, &total, take_unit, &r);
	if (rc == 0)
		rc = rq_store_campaign_items(s, camp->id, 0, take_item, &r);
	if (rc == 0)
		rc = rq_store_system_list(s, top, take_system, &r);
	if (rc == RQ_ESTOPPED)
		rc = rq_fail(RQ_ENOMEM, "campaign: out of memory reading the obligations");
	for (size_t i = 0; rc == 0 && i < r.n; i++) {
		unit_row *u = &r.v[i];
		rq_coverage cov;
		memset(&cov, 0, sizeof(cov));
		if (to > camp->from &&
		    (rc = rq_store_coverage_period(s, u->id, now, SWEEP_WINDOW_S, camp->from, to, &cov)) < 0)
			break;
		u->done[K_SYSTEMS] = u->systems > 0 && u->approved == u->systems;
		u->done[K_REGULATION] = u->systems > 0 && u->regulated == u->systems;
		u->done[K_SWEEP] = cov.endpoints > 0 && cov.scanned >= cov.endpoints && cov.infected == 0;
		rq_unit_standing st = {.unit_id = u->id, .name = u->name, .code = u->code, .depth = u->depth};
		memcpy(st.done, u->done, sizeof(st.done));
		for (int k = 0; k < RQ_OBLIGATION_COUNT; k++)
			st.pending += !st.done[k];
		if (cb(&st, payload))
			rc = RQ_ESTOPPED;
	}
	rows_free(&r);
	return rc;
}
