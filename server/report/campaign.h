/*
 * The campaign report's obligations table (docs/reports.md): a provincial
 * or subtree report made for a campaign keeps, beside the usual figures,
 * each unit's obligations at the moment it was made -- training, systems'
 * dossiers and levels, regulations, response plan, malware sweep, unit
 * report, each done, pending or overdue -- with the totals and the units
 * with overdue items, so that a kept report renders the same bytes after
 * the checklist changes. Made from campaign/obligations.c, kept in the
 * report's JSON document under "campaign", read back for the renderers.
 * Implemented in campaign.c.
 */
#ifndef RQ_SERVER_REPORT_CAMPAIGN_H
#define RQ_SERVER_REPORT_CAMPAIGN_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "campaign/obligations.h"
#include "store/reports.h"

/* An item's state in the report: at risk is still pending there. */
typedef enum rq_report_mark { RQ_MARK_DONE = 0, RQ_MARK_PENDING, RQ_MARK_OVERDUE, RQ_MARK_COUNT } rq_report_mark;

typedef struct rq_report_obl {
	int64_t id;
	char *code, *name, *topic, *plan_number; /* owned */
	int depth;
	rq_report_mark mark[RQ_OBL_COUNT];
	int done;                                /* items done, of RQ_OBL_COUNT */
	char training_on[RQ_DATE_LEN];           /* YYYY-MM-DD or "" */
	int64_t attendees;
	int64_t systems, regulated;
	int64_t by_state[RQ_DOSSIER_STATE_COUNT];
	int64_t by_level[RQ_LEVEL_MAX];
	char plan_on[RQ_DATE_LEN];
	int64_t endpoints, scanned, infected;
	char report_on[RQ_DATE_LEN];             /* the unit report confirmed on */
} rq_report_obl;

typedef struct rq_report_campaign {
	int64_t id;
	char *name;                              /* owned */
	char unit_deadline[RQ_DATE_LEN], dept_deadline[RQ_DATE_LEN];
	rq_report_obl *units;                    /* the report's units, in its order */
	size_t unit_count;
	int64_t done_units[RQ_OBL_COUNT];        /* units that completed each item */
	int64_t complete;                        /* units that completed every item */
	int64_t overdue_units;                   /* units with an overdue item */
} rq_report_campaign;

/* What a campaign report is made for. Strings borrowed for the call. */
typedef struct rq_report_campaign_query {
	int64_t id, unit_id;                     /* unit 0: the whole province */
	const char *name, *unit_deadline, *dept_deadline;
	int64_t from, to;
} rq_report_campaign_query;

/* The query of campaign `c` (its strings borrowed). */
rq_report_campaign_query rq_report_campaign_query_of(const rq_campaign *c);

/*
 * The "campaign" section of a report document into *out (json_decref):
 * the obligations at `now` of the report's units (`rows`, its per-unit
 * rows, in their order).
 */
int rq_report_campaign_make(rq_store *s, const rq_report_campaign_query *q, int64_t now, const rq_report_data *rows,
			    json_t **out);

/* Read the section back (NULL or json null: *out NULL, no campaign).
 * RQ_EPARSE when malformed; free with rq_report_campaign_free. */
int rq_report_campaign_parse(json_t *section, rq_report_campaign **out);
void rq_report_campaign_free(rq_report_campaign *c);

/* "done", "pending", "overdue" (the document's words). */
const char *rq_report_mark_name(rq_report_mark m);

#endif
