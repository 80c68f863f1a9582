/*
 * A campaign's obligations per unit (obligations.h): the units copied out
 * first (statements never nest on one connection), then the recorded
 * items, the systems and the sweep figures read once each and matched to
 * the units by id; the sweep of a unit is summed over its subtree here.
 */
#include "campaign/obligations.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "store/coverage.h"
#include "store/sweep.h"
#include "store/systems.h"
#include "store/units.h"

/* An endpoint counts as reporting (coverage.c) when seen this recently;
 * the sweep itself uses only the endpoints, scans and infections. */
#define SWEEP_WINDOW_S (7 * 86400)

static const char *const names[RQ_OBL_COUNT] = {"training", "systems", "regulation", "response_plan",
						"malware_sweep", "report"};

const char *rq_obligation_name(rq_obligation o)
{
	return (unsigned)o < RQ_OBL_COUNT ? names[o] : "";
}

int rq_obligation_parse(const char *name)
{
	for (int i = 0; name && i < RQ_OBL_COUNT; i++)
		if (!strcmp(name, names[i]))
			return i;
	return -1;
}

/* The units, and their ids sorted for lookups. */
typedef struct build {
	rq_obligations *o;
	size_t cap;
	int64_t (*index)[2]; /* (id, position) by id */
	int failed;
} build;

static int take_unit(const rq_unit *u, void *payload)
{
	build *b = payload;
	rq_obligations *o = b->o;
	if (o->count == b->cap) {
		size_t ncap = b->cap ? b->cap * 2 : 64;
		rq_obl_unit *nv = realloc(o->units, ncap * sizeof(*nv));
		if (!nv)
			return 1;
		o->units = nv;
		b->cap = ncap;
	}
	rq_obl_unit *x = &o->units[o->count++];
	memset(x, 0, sizeof(*x));
	x->id = u->id;
	x->parent_id = u->parent_id;
	x->depth = u->depth;
	x->name = strdup(u->name ? u->name : "");
	x->code = strdup(u->code ? u->code : "");
	return !x->name || !x->code;
}

static int by_id(const void *a, const void *b)
{
	int64_t x = (*(const int64_t(*)[2])a)[0], y = (*(const int64_t(*)[2])b)[0];
	return x < y ? -1 : x > y;
}

static rq_obl_unit *unit_of(const build *b, int64_t id)
{
	int64_t key[2] = {id, 0};
	int64_t(*hit)[2] = b->o->count ? bsearch(&key, b->index, b->o->count, sizeof(*b->index), by_id) : NULL;
	return hit ? &b->o->units[(*hit)[1]] : NULL;
}

const rq_obl_unit *rq_obligations_find(const rq_obligations *o, int64_t id)
{
	for (size_t i = 0; o && i < o->count; i++)
		if (o->units[i].id == id)
			return &o->units[i];
	return NULL;
}

static int take_item(const rq_campaign_item *it, void *payload)
{
	build *b = payload;
	rq_obl_unit *u = unit_of(b, it->unit_id);
	rq_obl_record *r = NULL;
	if (!u)
		return 0;
	if (!strcmp(it->kind, "training"))
		r = &u->training;
	else if (!strcmp(it->kind, "response_plan"))
		r = &u->response_plan;
	else if (!strcmp(it->kind, "report"))
		r = &u->report;
	if (!r)
		return 0;
	free(r->details);
	memset(r, 0, sizeof(*r));
	r->present = 1;
	r->report_id = it->report_id;
	r->recorded_at = it->recorded_at;
	snprintf(r->status, sizeof(r->status), "%s", it->status);
	snprintf(r->done_on, sizeof(r->done_on), "%s", it->done_on);
	snprintf(r->number, sizeof(r->number), "%s", it->number);
	snprintf(r->login, sizeof(r->login), "%s", it->recorded_by_login ? it->recorded_by_login : "");
	r->details = strdup(it->details ? it->details : "{}");
	return r->details == NULL;
}

static int take_system(const rq_info_system *x, void *payload)
{
	build *b = payload;
	rq_obl_unit *u = unit_of(b, x->unit_id);
	int st = rq_dossier_state_parse(x->state);
	if (!u)
		return 0;
	u->systems++;
	if (st >= 0)
		u->by_state[st]++;
	if (x->level >= RQ_LEVEL_MIN && x->level <= RQ_LEVEL_MAX)
		u->by_level[x->level - 1]++;
	u->regulated += x->regulation_number && x->regulation_number[0];
	return 0;
}

/* Each unit's own sweep figures added to it and to every ancestor in the list. */
static int sweep_grouped(rq_store *s, build *b, int64_t from, int64_t to)
{
	rq_unit_sweep *v = NULL;
	size_t n = 0;
	int rc = rq_store_sweep_units(s, from, to, &v, &n);
	for (size_t i = 0; rc == 0 && i < b->o->count; i++) {
		const rq_obl_unit *own = &b->o->units[i];
		const rq_unit_sweep *w = rq_sweep_find(v, n, own->id);
		if (!w)
			continue;
		/* up the tree; the depth bound stops a cycle a corrupt store could hold */
		rq_obl_unit *up = &b->o->units[i];
		for (int hops = 0; up && hops <= RQ_STORE_MAX_UNIT_DEPTH; hops++) {
			up->endpoints += w->endpoints;
			up->scanned += w->scanned;
			up->infected += w->infected;
			up = up->parent_id > 0 ? unit_of(b, up->parent_id) : NULL;
		}
	}
	free(v);
	return rc;
}

static int sweep_one(rq_store *s, rq_obl_unit *u, int64_t now, int64_t from, int64_t to)
{
	rq_coverage cov;
	int rc = rq_store_coverage_period(s, u->id, now, SWEEP_WINDOW_S, from, to, &cov);
	if (rc == 0) {
		u->endpoints = cov.endpoints;
		u->scanned = cov.scanned;
		u->infected = cov.infected;
	}
	return rc;
}

static void judge(rq_obl_unit *u, int64_t due_day, int64_t now, int64_t risk_days)
{
	u->done[RQ_OBL_TRAINING] = u->training.present && !strcmp(u->training.status, "done");
	u->done[RQ_OBL_SYSTEMS] = u->systems > 0 && u->by_state[RQ_DOSSIER_APPROVED] == u->systems;
	u->done[RQ_OBL_REGULATION] = u->systems > 0 && u->regulated == u->systems;
	u->done[RQ_OBL_RESPONSE_PLAN] = u->response_plan.present && !strcmp(u->response_plan.status, "done");
	u->done[RQ_OBL_SWEEP] = u->endpoints > 0 && u->scanned >= u->endpoints && u->infected == 0;
	u->done[RQ_OBL_REPORT] = u->report.present && !strcmp(u->report.status, "done");
	u->done_count = 0;
	for (int k = 0; k < RQ_OBL_COUNT; k++) {
		u->state[k] = rq_item_state_at(u->done[k], due_day, now, risk_days);
		u->done_count += u->done[k];
	}
}

int rq_obligations_compute(rq_store *s, const rq_obl_query *q, rq_obligations *out)
{
	build b = {.o = out};
	int64_t to = q->to < q->now ? q->to : q->now;
	int rc;
	memset(out, 0, sizeof(*out));
	if (rq_date_parse(q->unit_deadline, &out->due_day) < 0) {
		rc = rq_fail(RQ_EINVAL, "campaign %lld: bad deadline '%s'", (long long)q->campaign_id,
			     q->unit_deadline ? q->unit_deadline : "");
		goto done;
	}
	if (q->unit_id > 0) {
		rq_unit u;
		if ((rc = rq_store_unit_get(s, q->unit_id, &u)) < 0)
			goto done;
		u.depth = 0;
		rc = take_unit(&u, &b) ? rq_fail(RQ_ENOMEM, "campaign: out of memory") : 0;
		rq_store_unit_clear(&u);
	} else {
		rc = rq_store_unit_tree(s, q->root, take_unit, &b);
	}
	if (rc < 0)
		goto done;
	if (!(b.index = calloc(out->count + 1, sizeof(*b.index)))) {
		rc = rq_fail(RQ_ENOMEM, "campaign: out of memory");
		goto done;
	}
	for (size_t i = 0; i < out->count; i++) {
		b.index[i][0] = out->units[i].id;
		b.index[i][1] = (int64_t)i;
	}
	qsort(b.index, out->count, sizeof(*b.index), by_id);
	if ((rc = rq_store_campaign_items(s, q->campaign_id, q->unit_id, take_item, &b)) < 0 ||
	    (rc = rq_store_system_list(s, q->unit_id > 0 ? q->unit_id : q->root, take_system, &b)) < 0)
		goto done;
	/* the sweep counts from the campaign's start to its end or now; nothing before it starts */
	if (to > q->from && out->count)
		rc = q->unit_id > 0 ? sweep_one(s, &out->units[0], q->now, q->from, to) : sweep_grouped(s, &b, q->from, to);
	for (size_t i = 0; rc == 0 && i < out->count; i++)
		judge(&out->units[i], out->due_day, q->now, q->risk_days);
done:
	free(b.index);
	if (rc == RQ_ESTOPPED)
		rc = rq_fail(RQ_ENOMEM, "campaign: out of memory reading the obligations");
	return rc < 0 ? rc : 0;
}

void rq_obligations_free(rq_obligations *o)
{
	if (!o)
		return;
	for (size_t i = 0; i < o->count; i++) {
		rq_obl_unit *u = &o->units[i];
		free(u->name);
		free(u->code);
		free(u->training.details);
		free(u->response_plan.details);
		free(u->report.details);
	}
	free(o->units);
	memset(o, 0, sizeof(*o));
}
