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
