/*
 * The official reports' figures as a document (docs/reports.md): made
 * once from the store (rq_report_figures_make, a JSON document kept in
 * table `reports`) and read back (rq_report_doc_parse) whenever a file is
 * rendered, so that every download shows exactly the kept numbers. Also
 * the columns of the per-unit table that every renderer shows, and the
 * dates of the reports (Vietnam time). Implemented in figures.c.
 */
#ifndef RQ_SERVER_REPORT_FIGURES_H
#define RQ_SERVER_REPORT_FIGURES_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "report/campaign.h"
#include "store/reports.h"

/* Vietnam time, UTC+7 with no daylight saving: the days of a period and
 * every date printed in a report, whatever the server's time zone. */
#define RQ_REPORT_TZ_OFFSET (7 * 3600)
/* A machine is protected when its agent reported in the RQ_REPORT_WINDOW_DAYS
 * before the period's end (the coverage summary's default window), and
 * automatically updated when its newest signatures were built at most
 * RQ_REPORT_UPDATE_DAYS before the period's end. */
#define RQ_REPORT_WINDOW_DAYS 7
#define RQ_REPORT_UPDATE_DAYS 7
/* Rows of notable malware kept in a report. */
#define RQ_REPORT_MALWARE_MAX 20
/* The longest period a report covers: a year and a day. */
#define RQ_REPORT_MAX_PERIOD (367 * 86400LL)
/* Version of the JSON document's layout. */
#define RQ_REPORT_FORMAT 1

typedef enum rq_report_kind { RQ_REPORT_UNIT = 0, RQ_REPORT_PROVINCE } rq_report_kind;

/* Why a unit is listed as not reported. */
typedef enum rq_report_reason {
	RQ_REASON_NO_MACHINES = 0, /* no machine enrolled (and no sub-unit) */
	RQ_REASON_NONE_PROTECTED,  /* machines, none reporting */
	RQ_REASON_NO_SCAN,         /* machines reporting, none scanned in the period */
	RQ_REASON_COUNT
} rq_report_reason;

typedef struct rq_report_missing {
	char *name, *code;         /* owned */
	int64_t id;
	rq_report_reason reason;
} rq_report_missing;

/* A report's figures as read back from its document. */
typedef struct rq_report_doc {
	rq_report_kind kind;
	char *agency;              /* owned */
	int64_t scope_id;          /* the unit of a unit report; 0 for the province */
	char *scope_name, *scope_code; /* owned; "" for the province */
	int64_t from, to, made_at;
	int64_t window_days, update_days;
	rq_report_data data;       /* units in tree order, notable malware */
	rq_report_counts totals;
	rq_report_missing *missing;
	size_t missing_count;
	rq_report_campaign *campaign; /* owned; NULL unless made for a campaign */
} rq_report_doc;

/* One column of the per-unit table: its key in the document and label. */
typedef struct rq_report_column {
	const char *key;
	int label;                 /* rq_label */
	size_t offset;             /* of the int64_t in rq_report_counts */
} rq_report_column;

#define RQ_REPORT_COLUMNS 13
extern const rq_report_column rq_report_columns[RQ_REPORT_COLUMNS];

static inline int64_t rq_report_count(const rq_report_counts *n, size_t col)
{
	return *(const int64_t *)(const void *)((const char *)n + rq_report_columns[col].offset);
}

/* "unit"/"province" and back (-1 when unknown). */
const char *rq_report_kind_name(rq_report_kind kind);
int rq_report_kind_parse(const char *name);

/*
 * Count the figures of a report of `kind` (unit_id: the unit of a unit
 * report; ignored for the province) over [from, to), made at `now` for
 * `agency`, into *out (a new JSON document: json_decref). RQ_ENOTFOUND
 * for an unknown unit; RQ_EINVAL for a bad period.
 */
int rq_report_figures_make(rq_store *s, rq_report_kind kind, int64_t unit_id, int64_t from, int64_t to,
			   int64_t now, const char *agency, json_t **out);

/*
 * The report of a campaign (report/campaign.h): of the province when the
 * campaign covers every unit, else of its unit's subtree (a unit report),
 * over the campaign's period up to `now`, with the obligations table.
 * RQ_EINVAL before the campaign starts.
 */
int rq_report_figures_make_campaign(rq_store *s, const rq_report_campaign_query *q, int64_t now, const char *agency,
				    json_t **out);

/* Read a kept document (JSON text) into *out: free with rq_report_doc_free
 * (also after an error). RQ_EPARSE when it is not a report document. */
int rq_report_doc_parse(const char *json_text, rq_report_doc *out);
void rq_report_doc_free(rq_report_doc *d);

/* The doc's time `t` as dd/mm/yyyy in Vietnam time into buf (11 bytes). */
void rq_report_date(int64_t t, char buf[11]);
/* The last day of [from, to) as dd/mm/yyyy (the day of to - 1). */
void rq_report_last_day(int64_t to, char buf[11]);
/* dd/mm/yyyy (Vietnam time) into the time of that day's start; with
 * next_day, of the day after's start (an inclusive end into an exclusive
 * one). RQ_EINVAL when malformed or not a real date. */
int rq_report_parse_date(const char *text, int next_day, int64_t *out);

/*
 * The previous whole period before `now` for a schedule: "monthly" the
 * previous calendar month, "weekly" the previous Monday-to-Sunday week,
 * both in Vietnam time. RQ_EINVAL for another name.
 */
int rq_report_previous_period(const char *schedule, int64_t now, int64_t *from, int64_t *to);

#endif
