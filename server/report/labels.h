/*
 * Every text of the report files, one table per language (Vietnamese, the
 * default, and English), looked up by label. Implemented in labels.c;
 * the definitions the notes state are docs/reports.md's.
 */
#ifndef RQ_SERVER_REPORT_LABELS_H
#define RQ_SERVER_REPORT_LABELS_H

typedef enum rq_lang { RQ_LANG_VI = 0, RQ_LANG_EN, RQ_LANG_COUNT } rq_lang;

typedef enum rq_label {
	L_TITLE_UNIT = 0,
	L_TITLE_PROVINCE,
	L_SCOPE,        /* "Đơn vị: %s" */
	L_PERIOD,       /* two dates */
	L_MADE,         /* one date */
	L_CODE,
	L_NAME,
	L_MACHINES,
	L_SERVERS,
	L_WORKSTATIONS,
	L_OTHERS,
	L_PROTECTED,
	L_AUTO_UPDATE,
	L_SCANNED,
	L_INFECTED,
	L_DETECTIONS,
	L_CLEANED,
	L_REMAINING,
	L_TOTAL,
	L_SHEET_UNITS,
	L_SHEET_MALWARE,
	L_SHEET_MISSING,
	L_MALWARE_NAME,
	L_MALWARE_MACHINES,
	L_MALWARE_SHA256,
	L_MALWARE_DETECTIONS,
	L_REASON,
	L_REASON_NO_MACHINES,
	L_REASON_NONE_PROTECTED,
	L_REASON_NO_SCAN,
	L_NONE,         /* an empty list */
	L_NOTES,
	L_NOTE_ROWS,
	L_NOTE_PROTECTED, /* days */
	L_NOTE_UPDATE,    /* days */
	L_NOTE_PERIOD,
	L_NOTE_MISSING,
	L_UNITS_MISSING,  /* count of units not reported, of all */
	L_PAGE,           /* page n of m */
	L_FILE_UNIT,      /* file name stem */
	L_FILE_PROVINCE,
	/* the campaign report's obligations (report/campaign.h) */
	L_SHEET_OBLIGATIONS,
	L_OBL_TITLE,          /* the campaign's name */
	L_OBL_DEADLINES,      /* two dates */
	L_OBL_TRAINING,
	L_OBL_SYSTEMS,
	L_OBL_REGULATION,
	L_OBL_RESPONSE_PLAN,
	L_OBL_SWEEP,
	L_OBL_REPORT,
	L_COL_STATE,
	L_COL_TRAINING_ON,
	L_COL_ATTENDEES,
	L_COL_SYSTEMS,
	L_COL_DRAFT,
	L_COL_SUBMITTED,
	L_COL_APPRAISED,
	L_COL_APPROVED,
	L_COL_LEVELS,
	L_COL_REGULATED,
	L_COL_PLAN_NUMBER,
	L_COL_ISSUED_ON,
	L_COL_ENDPOINTS,
	L_COL_SWEPT,
	L_COL_INFECTED_NOW,
	L_COL_CONFIRMED_ON,
	L_COL_DONE,
	L_MARK_DONE,
	L_MARK_PENDING,
	L_MARK_OVERDUE,
	L_LEVEL_COUNT,        /* level, count */
	L_PEOPLE,             /* count */
	L_OF_APPROVED,        /* approved, total */
	L_OF_ISSUED,          /* issued, total */
	L_PLAN_NO,            /* number, date */
	L_SWEEP_CELL,         /* scanned, machines, infected */
	L_UNITS_DONE,         /* the total row */
	L_OBL_COMPLETE,       /* units with every item done, of all */
	L_OBL_OVERDUE_UNITS,
	L_OBL_OVERDUE_ITEMS,
	L_OBL_NOTE,
	L_RAQUET,         /* machines with raquet's agent */
	L_OTHER_PRODUCTS, /* machines declared protected by another product */
	L_SHEET_PRODUCTS,
	L_PRODUCT,
	L_PRODUCT_MACHINES,
	L_NOTE_DECLARED,  /* days */
	L_COUNT
} rq_label;

/* The text of `label` in `lang` (a static string; some are printf
 * formats, as the enum says). */
const char *rq_label_text(rq_lang lang, rq_label label);

/* "vi"/"en" and back (-1 when unknown). */
const char *rq_lang_name(rq_lang lang);
int rq_lang_parse(const char *name);

#endif
