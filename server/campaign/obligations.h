/*
 * The obligations of each unit in a campaign (docs/campaigns.md), worked
 * out once from the store for the department's progress view, a unit's
 * checklist (api/campaigns.c) and the campaign report (report/figures.c):
 * the items recorded by hand (training, response plan, unit report), the
 * information systems' dossiers and regulations (systems.c), and the
 * malware sweep computed from the agents' data -- for many units by the
 * grouped queries of store/sweep.c (one pass for all units), for one unit
 * by its coverage query. Each item gets its follow-up state at `now`
 * (campaign/deadline.h). Implemented in obligations.c.
 */
#ifndef RQ_SERVER_CAMPAIGN_OBLIGATIONS_H
#define RQ_SERVER_CAMPAIGN_OBLIGATIONS_H

#include <stddef.h>
#include <stdint.h>

#include "campaign/deadline.h"
#include "campaign/dossier.h"
#include "store/campaigns.h"

/* The items of a unit's checklist, in the order shown. */
typedef enum rq_obligation {
	RQ_OBL_TRAINING = 0,
	RQ_OBL_SYSTEMS,       /* every system's dossier approved */
	RQ_OBL_REGULATION,    /* every system's regulation issued */
	RQ_OBL_RESPONSE_PLAN,
	RQ_OBL_SWEEP,         /* computed: every endpoint scanned in the period, none infected now */
	RQ_OBL_REPORT,        /* the unit report made and confirmed */
	RQ_OBL_COUNT
} rq_obligation;

/* "training", "systems", "regulation", "response_plan", "malware_sweep",
 * "report"; and back (-1 when unknown). */
const char *rq_obligation_name(rq_obligation o);
int rq_obligation_parse(const char *name);

#define RQ_OBL_LOGIN_MAX 64

/* An item recorded by hand (training, response plan, report). */
typedef struct rq_obl_record {
	int present;               /* 0: never recorded (pending) */
	char status[16];           /* "pending", "generated", "done" */
	char done_on[RQ_DATE_LEN]; /* YYYY-MM-DD or "" */
	char number[RQ_CAMPAIGN_TEXT_MAX + 1];
	char login[RQ_OBL_LOGIN_MAX + 1]; /* who recorded it, "" when unknown */
	char *details;             /* JSON object text, owned; NULL when not present */
	int64_t report_id, recorded_at;
} rq_obl_record;

typedef struct rq_obl_unit {
	int64_t id, parent_id;
	int depth;
	char *name, *code;         /* owned */
	rq_obl_record training, response_plan, report;
	/* the unit's own information systems */
	int64_t systems, regulated;
	int64_t by_state[RQ_DOSSIER_STATE_COUNT];
	int64_t by_level[RQ_LEVEL_MAX]; /* [0] level 1 ... [4] level 5 */
	/* the sweep: the endpoints of the unit and of its sub-units */
	int64_t endpoints, scanned, infected;
	int done[RQ_OBL_COUNT];
	rq_item_state state[RQ_OBL_COUNT];
	int done_count;
} rq_obl_unit;

typedef struct rq_obl_query {
	int64_t campaign_id;
	int64_t root;              /* the units of this subtree (0: every unit) ... */
	int64_t unit_id;           /* ... or only this one (> 0) */
	int64_t from, to;          /* the campaign's period */
	const char *unit_deadline; /* YYYY-MM-DD */
	int64_t now, risk_days;
} rq_obl_query;

typedef struct rq_obligations {
	rq_obl_unit *units;        /* a subtree in the store's tree order */
	size_t count;
	int64_t due_day;           /* the units' deadline as a day number */
} rq_obligations;

/* Work the obligations out into *out (rq_obligations_free, also after an
 * error). RQ_ENOTFOUND for an unknown unit_id. */
int rq_obligations_compute(rq_store *s, const rq_obl_query *q, rq_obligations *out);
void rq_obligations_free(rq_obligations *o);

/* The unit `id` of a result, or NULL. */
const rq_obl_unit *rq_obligations_find(const rq_obligations *o, int64_t id);

#endif
