/*
 * The files of a kept report, rendered from its document (figures.h):
 * XLSX (xlsx.c), PDF (pdf.c) and CSV (csv.c), each text from the label
 * table of the language (labels.h); plus the formats' names, media types
 * and the files' names. The same document renders to the same bytes.
 * Dispatch and names in render.c; overview docs/reports.md.
 */
#ifndef RQ_SERVER_REPORT_RENDER_H
#define RQ_SERVER_REPORT_RENDER_H

#include <stddef.h>

#include "core/strbuf.h"
#include "report/figures.h"
#include "report/labels.h"

/* Largest report file: far above 200 units' tables (a few hundred KiB). */
#define RQ_REPORT_MAX_FILE (64u * 1024 * 1024)

typedef enum rq_report_format { RQ_FMT_XLSX = 0, RQ_FMT_PDF, RQ_FMT_CSV, RQ_FMT_COUNT } rq_report_format;

/* "xlsx", "pdf", "csv" and back (-1 when unknown). */
const char *rq_report_format_name(rq_report_format f);
int rq_report_format_parse(const char *name);
/* The media type of the format. */
const char *rq_report_format_type(rq_report_format f);

/* Render `d` in `lang` as `f` into *out (an rq_strbuf of at most
 * RQ_REPORT_MAX_FILE bytes made by the caller; rq_strbuf_free). */
int rq_report_render(const rq_report_doc *d, rq_lang lang, rq_report_format f, rq_strbuf *out);
int rq_report_render_csv(const rq_report_doc *d, rq_lang lang, rq_strbuf *out);
int rq_report_render_xlsx(const rq_report_doc *d, rq_lang lang, rq_strbuf *out);
int rq_report_render_pdf(const rq_report_doc *d, rq_lang lang, rq_strbuf *out);

/*
 * Free the process-wide font caches the PDF renderer filled (pango's font
 * map, cairo's and fontconfig's caches): at exit, when no render is under
 * way and none will start, so that leak checkers see only real leaks.
 */
void rq_report_render_cleanup(void);

/*
 * The lines at the top of every file: [0] the title, [1] the unit (unit
 * reports; "" for the province), [2] the period, [3] the date made.
 */
#define RQ_REPORT_HEADING_LINES 4
void rq_report_heading(const rq_report_doc *d, rq_lang lang, char lines[RQ_REPORT_HEADING_LINES][512]);

/* The line of a note with its number of days filled in. */
void rq_report_note(const rq_report_doc *d, rq_lang lang, rq_label note, char *buf, size_t size);

/*
 * The file's name: `ascii` only [A-Za-z0-9._-] (for filename=), `utf8`
 * the label's words with the unit code and the period (for filename*).
 */
void rq_report_file_name(const rq_report_doc *d, rq_lang lang, rq_report_format f, char *ascii,
			 size_t ascii_size, char *utf8, size_t utf8_size);

/*
 * The columns of the campaign report's obligations table (the XLSX sheet
 * and the CSV's extra columns; the PDF folds each item into one cell):
 * the obligation a column belongs to (its group header), its own header
 * and what it holds. A mark column holds the item's state, the total row
 * counts the units done; a number column is summed.
 */
typedef enum rq_obl_cell { RQ_CELL_MARK = 0, RQ_CELL_DATE, RQ_CELL_NUM, RQ_CELL_TEXT } rq_obl_cell;
typedef struct rq_report_obl_column {
	int item;                  /* rq_obligation, or -1 for the items-done count */
	int label;                 /* rq_label of the header */
	rq_obl_cell kind;
} rq_report_obl_column;

#define RQ_REPORT_OBL_COLUMNS 22
extern const rq_report_obl_column rq_report_obl_columns[RQ_REPORT_OBL_COLUMNS];

/* The label of obligation `item` (its group header). */
rq_label rq_report_obl_label(int item);
/* The state's words in `lang`. */
const char *rq_report_mark_text(rq_lang lang, rq_report_mark m);
/* "YYYY-MM-DD" as dd/mm/yyyy into out ("" stays ""). */
void rq_report_ymd(const char *ymd, char out[11]);
/* The systems' levels as "cấp 2: 1; cấp 3: 2" (levels with none left out). */
void rq_report_levels(const rq_report_obl *u, rq_lang lang, char *buf, size_t size);
/* Column `col` of unit `u`: text into buf (marks, dates, texts; "" for a
 * number) and *num (numbers; 0 otherwise); returns the column's kind. */
rq_obl_cell rq_report_obl_value(const rq_report_obl *u, size_t col, rq_lang lang, char *buf, size_t size, double *num);

#endif
