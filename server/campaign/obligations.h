/*
 * Which obligations of a campaign each unit has not done yet, as plain
 * data for the reminders (remind.h: the e-mails, api/reminders.c: the
 * dashboard): the same rules as the checklist of api/campaigns.c --
 * training, response plan and unit report recorded "done"; every
 * information system's dossier approved and its regulation issued; the
 * malware sweep computed from the agents' data over the campaign's period.
 * Implemented in obligations.c.
 */
#ifndef RQ_SERVER_CAMPAIGN_OBLIGATIONS_H
#define RQ_SERVER_CAMPAIGN_OBLIGATIONS_H

#include <stdint.h>

#include "store/store.h"

/* The obligations of a unit, in the checklist's order. */
#define RQ_OBLIGATION_COUNT 6
extern const char *const rq_obligation_kinds[RQ_OBLIGATION_COUNT];

/* A campaign as the computation needs it (strings copied). */
typedef struct rq_obligation_campaign {
	int64_t id, unit_id;       /* unit_id 0: the whole province */
	int64_t from, to;          /* the period, [from, to) */
	char name[201];
	char unit_deadline[16], dept_deadline[16]; /* YYYY-MM-DD */
	char status[16];
} rq_obligation_campaign;

/* One unit's standing (strings borrowed for the callback's call). */
typedef struct rq_unit_standing {
	int64_t unit_id;
	const char *name, *code;
	int depth;                              /* 0: the top asked for */
	unsigned char done[RQ_OBLIGATION_COUNT]; /* 1: done, by rq_obligation_kinds */
	int pending;                            /* how many are not done */
} rq_unit_standing;

/*
 * Every campaign of the store with status "active" into *out (free()),
 * *n of them; they are copied so that the caller can query the store
 * while walking them.
 */
int rq_obligation_active_campaigns(rq_store *s, rq_obligation_campaign **out, size_t *n);

/*
 * The standing at `now` of every unit of the campaign below and including
 * `root` (0: the campaign's own units: its unit's subtree, or every unit),
 * given to cb in the subtree's order; a non-zero cb stops with
 * RQ_ESTOPPED. One coverage query per unit (the sweep).
 */
int rq_obligation_standings(rq_store *s, const rq_obligation_campaign *camp, int64_t root, int64_t now,
			    int (*cb)(const rq_unit_standing *st, void *payload), void *payload);

#endif
