/*
 * Campaigns and the obligations recorded per campaign and unit (tables
 * campaigns and campaign_items, schema version 9; docs/server-store.md,
 * docs/campaigns.md). What is computed (the malware sweep, the systems'
 * dossiers) is not stored here: api/campaigns.c works it out from
 * coverage.c and systems.c. Implemented in campaigns.c.
 */
#ifndef RQ_SERVER_STORE_CAMPAIGNS_H
#define RQ_SERVER_STORE_CAMPAIGNS_H

#include "store/store.h"

/* Longest name of a campaign, and of the short texts of an item (a
 * document number, a topic), in bytes; details JSON at most. */
#define RQ_CAMPAIGN_NAME_MAX 200
#define RQ_CAMPAIGN_TEXT_MAX 200
#define RQ_CAMPAIGN_DETAILS_MAX 4000

/* Strings are borrowed: in callbacks for the call only, in arguments for
 * the call only. */
typedef struct rq_campaign {
	int64_t id;
	const char *name;
	int64_t unit_id;                           /* 0: the whole province */
	const char *unit_name;                     /* read only; NULL for 0 */
	int64_t from, to;                          /* [from, to), Unix seconds */
	const char *unit_deadline, *dept_deadline; /* YYYY-MM-DD, province time */
	int64_t unit_due_at, dept_due_at;          /* the seconds those days end */
	const char *status;                        /* "draft", "active", "closed" */
	int64_t created_at, created_by, updated_at;
} rq_campaign;

/* New campaign (c->id ignored) into *out_id. An unknown unit is
 * RQ_STORE_ECONSTRAINT. */
int rq_store_campaign_create(rq_store *s, const rq_campaign *c, int64_t *out_id);
/* Change every field but id and created_*; the due second of its items
 * follows unit_due_at. RQ_ENOTFOUND. */
int rq_store_campaign_update(rq_store *s, const rq_campaign *c);
/* Delete with its items and evidence. RQ_ENOTFOUND. */
int rq_store_campaign_delete(rq_store *s, int64_t id);
/* One campaign to cb; RQ_ENOTFOUND. A non-zero cb is RQ_ESTOPPED. */
int rq_store_campaign_get(rq_store *s, int64_t id, int (*cb)(const rq_campaign *c, void *payload), void *payload);
/* Every campaign, the newest period first. */
int rq_store_campaign_list(rq_store *s, int (*cb)(const rq_campaign *c, void *payload), void *payload);

typedef struct rq_campaign_item {
	int64_t id, campaign_id, unit_id;
	const char *kind;      /* "training", "response_plan", "report" */
	const char *status;    /* "pending", "generated" (a report made, not yet confirmed), "done" */
	const char *done_on;   /* YYYY-MM-DD or "" */
	const char *number;    /* "" when none */
	const char *details;   /* JSON object text */
	int64_t report_id;     /* 0: none */
	int64_t due_at;        /* set by the store from the campaign */
	int64_t recorded_by;   /* 0: none */
	const char *recorded_by_login; /* read only; NULL when none */
	int64_t recorded_at;
} rq_campaign_item;

/* Record the item of (campaign, unit, kind), replacing what was there;
 * its due second is the campaign's unit_due_at. RQ_ENOTFOUND for an
 * unknown campaign. */
int rq_store_campaign_item_put(rq_store *s, const rq_campaign_item *it);
/* The items of a campaign (unit_id 0: of every unit), by unit then kind. */
int rq_store_campaign_items(rq_store *s, int64_t campaign_id, int64_t unit_id,
			    int (*cb)(const rq_campaign_item *it, void *payload), void *payload);

#endif
