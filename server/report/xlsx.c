/*
 * The XLSX file of a report (render.h) with libxlsxwriter: a sheet of the
 * per-unit table (title rows, frozen header and first two columns, widths,
 * number formats, a total row of SUM formulas, the notes), one of notable
 * malware, one of the units not reported, one of the products protecting
 * declared machines and, for a campaign's report, one of the units'
 * obligations (report/campaign.h). libxlsxwriter writes to a
 * file: a private temporary file, read back and removed. The workbook's
 * creation time is the report's, so a download is the same bytes.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xlsxwriter.h>

#include "core/error.h"
#include "report/render.h"

/* Rows of sheet 1: agency, title, unit, period, made, blank, header. */
#define HEADER_ROW 6
#define FIRST_COUNT_COL 2
/* Indent levels shown for sub-units (deeper ones are drawn at this one). */
#define MAX_INDENT 6

typedef struct fmts {
	lxw_format *bold, *title, *header, *num, *total, *total_num, *wrap;
	lxw_format *name[MAX_INDENT + 1];
} fmts;

static void make_formats(lxw_workbook *wb, fmts *f)
{
	f->bold = workbook_add_format(wb);
	format_set_bold(f->bold);
	f->title = workbook_add_format(wb);
	format_set_bold(f->title);
	format_set_font_size(f->title, 14);
	f->header = workbook_add_format(wb);
	format_set_bold(f->header);
	format_set_text_wrap(f->header);
	format_set_align(f->header, LXW_ALIGN_CENTER);
	format_set_align(f->header, LXW_ALIGN_VERTICAL_CENTER);
	format_set_border(f->header, LXW_BORDER_THIN);
	format_set_bg_color(f->header, 0xDDEBF7);
	f->num = workbook_add_format(wb);
	format_set_num_format(f->num, "#,##0");
	format_set_border(f->num, LXW_BORDER_THIN);
	f->total = workbook_add_format(wb);
	format_set_bold(f->total);
	format_set_border(f->total, LXW_BORDER_THIN);
	f->total_num = workbook_add_format(wb);
	format_set_bold(f->total_num);
	format_set_num_format(f->total_num, "#,##0");
	format_set_border(f->total_num, LXW_BORDER_THIN);
	f->wrap = workbook_add_format(wb);
	format_set_text_wrap(f->wrap);
	for (int i = 0; i <= MAX_INDENT; i++) {
		f->name[i] = workbook_add_format(wb);
		format_set_border(f->name[i], LXW_BORDER_THIN);
		if (i)
			format_set_indent(f->name[i], (uint8_t)i);
	}
}

/* "C" for column 2... (the count columns stay below 26). */
static char col_letter(size_t col)
{
	return (char)('A' + col);
}

static void units_sheet(lxw_workbook *wb, const fmts *f, const rq_report_doc *d, rq_lang lang)
{
	lxw_worksheet *ws = workbook_add_worksheet(wb, rq_label_text(lang, L_SHEET_UNITS));
	char lines[RQ_REPORT_HEADING_LINES][512], text[1024];
	lxw_row_t row = HEADER_ROW + 1;
	rq_report_heading(d, lang, lines);
	worksheet_write_string(ws, 0, 0, d->agency, f->bold);
	worksheet_write_string(ws, 1, 0, lines[0], f->title);
	worksheet_write_string(ws, 2, 0, lines[1], NULL);
	worksheet_write_string(ws, 3, 0, lines[2], NULL);
	worksheet_write_string(ws, 4, 0, lines[3], NULL);
	worksheet_set_column(ws, 0, 0, 14, NULL);
	worksheet_set_column(ws, 1, 1, 44, NULL);
	worksheet_set_column(ws, FIRST_COUNT_COL, FIRST_COUNT_COL + RQ_REPORT_COLUMNS - 1, 13, NULL);
	worksheet_set_row(ws, HEADER_ROW, 45, NULL);
	worksheet_write_string(ws, HEADER_ROW, 0, rq_label_text(lang, L_CODE), f->header);
	worksheet_write_string(ws, HEADER_ROW, 1, rq_label_text(lang, L_NAME), f->header);
	for (size_t c = 0; c < RQ_REPORT_COLUMNS; c++)
		worksheet_write_string(ws, HEADER_ROW, (lxw_col_t)(FIRST_COUNT_COL + c),
				       rq_label_text(lang, (rq_label)rq_report_columns[c].label), f->header);
	for (size_t i = 0; i < d->data.unit_count; i++, row++) {
		const rq_report_unit *u = &d->data.units[i];
		worksheet_write_string(ws, row, 0, u->code, f->name[0]);
		worksheet_write_string(ws, row, 1, u->name, f->name[u->depth < MAX_INDENT ? u->depth : MAX_INDENT]);
		for (size_t c = 0; c < RQ_REPORT_COLUMNS; c++)
			worksheet_write_number(ws, row, (lxw_col_t)(FIRST_COUNT_COL + c),
					       (double)rq_report_count(&u->n, c), f->num);
	}
	worksheet_write_string(ws, row, 0, "", f->total);
	worksheet_write_string(ws, row, 1, rq_label_text(lang, L_TOTAL), f->total);
	for (size_t c = 0; c < RQ_REPORT_COLUMNS; c++) {
		char formula[64];
		lxw_col_t col = (lxw_col_t)(FIRST_COUNT_COL + c);
		/* rows HEADER_ROW+2 .. row in the sheet's 1-based numbering */
		snprintf(formula, sizeof(formula), "=SUM(%c%u:%c%u)", col_letter(col), (unsigned)HEADER_ROW + 2,
			 col_letter(col), (unsigned)row);
		if (d->data.unit_count)
			worksheet_write_formula_num(ws, row, col, formula, f->total_num,
						    (double)rq_report_count(&d->totals, c));
		else
			worksheet_write_number(ws, row, col, 0, f->total_num);
	}
	worksheet_freeze_panes(ws, HEADER_ROW + 1, FIRST_COUNT_COL);
	row += 2;
	worksheet_write_string(ws, row++, 0, rq_label_text(lang, L_NOTES), f->bold);
	snprintf(text, sizeof(text), rq_label_text(lang, L_UNITS_MISSING), (long long)d->missing_count,
		 (long long)d->data.unit_count);
	worksheet_write_string(ws, row++, 0, text, NULL);
	static const rq_label notes[] = {L_NOTE_ROWS,	 L_NOTE_PROTECTED, L_NOTE_UPDATE,
					 L_NOTE_PERIOD, L_NOTE_MISSING,	  L_NOTE_DECLARED};
	for (size_t i = 0; i < sizeof(notes) / sizeof(notes[0]); i++) {
		rq_report_note(d, lang, notes[i], text, sizeof(text));
		worksheet_write_string(ws, row++, 0, text, NULL);
	}
	worksheet_set_landscape(ws);
	worksheet_set_paper(ws, 9); /* A4 */
	worksheet_repeat_rows(ws, HEADER_ROW, HEADER_ROW);
	worksheet_fit_to_pages(ws, 1, 0);
}

/* A sheet of a header row and rows of text and numbers. */
static lxw_worksheet *list_sheet(lxw_workbook *wb, const fmts *f, const char *name, const char *const *head,
				 int ncols, const double *widths)
{
	lxw_worksheet *ws = workbook_add_worksheet(wb, name);
	for (int c = 0; c < ncols; c++) {
		worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c, widths[c], NULL);
		worksheet_write_string(ws, 0, (lxw_col_t)c, head[c], f->header);
	}
	worksheet_freeze_panes(ws, 1, 0);
	return ws;
}

static void malware_sheet(lxw_workbook *wb, const fmts *f, const rq_report_doc *d, rq_lang lang)
{
	const char *head[] = {rq_label_text(lang, L_MALWARE_NAME), rq_label_text(lang, L_MALWARE_MACHINES),
			      rq_label_text(lang, L_MALWARE_SHA256), rq_label_text(lang, L_MALWARE_DETECTIONS)};
	const double widths[] = {48, 14, 16, 16};
	lxw_worksheet *ws = list_sheet(wb, f, rq_label_text(lang, L_SHEET_MALWARE), head, 4, widths);
	for (size_t i = 0; i < d->data.malware_count; i++) {
		const rq_report_malware *m = &d->data.malware[i];
		lxw_row_t r = (lxw_row_t)(i + 1);
		worksheet_write_string(ws, r, 0, m->name, f->name[0]);
		worksheet_write_number(ws, r, 1, (double)m->machines, f->num);
		worksheet_write_number(ws, r, 2, (double)m->sha256s, f->num);
		worksheet_write_number(ws, r, 3, (double)m->detections, f->num);
	}
}

static void missing_sheet(lxw_workbook *wb, const fmts *f, const rq_report_doc *d, rq_lang lang)
{
	static const rq_label reasons[RQ_REASON_COUNT] = {L_REASON_NO_MACHINES, L_REASON_NONE_PROTECTED,
							  L_REASON_NO_SCAN};
	const char *head[] = {rq_label_text(lang, L_CODE), rq_label_text(lang, L_NAME), rq_label_text(lang, L_REASON)};
	const double widths[] = {14, 44, 40};
	lxw_worksheet *ws = list_sheet(wb, f, rq_label_text(lang, L_SHEET_MISSING), head, 3, widths);
	for (size_t i = 0; i < d->missing_count; i++) {
		const rq_report_missing *m = &d->missing[i];
		lxw_row_t r = (lxw_row_t)(i + 1);
		worksheet_write_string(ws, r, 0, m->code, f->name[0]);
		worksheet_write_string(ws, r, 1, m->name, f->name[0]);
		worksheet_write_string(ws, r, 2, rq_label_text(lang, reasons[m->reason]), f->name[0]);
	}
}

/* The obligations sheet: title rows, a header of two rows (the item over
 * its columns), a row per unit, the total row (COUNTIF of "done" for a
 * state, SUM for a number), then the units with overdue items and notes. */
#define OBL_HEADER_ROW 6
#define OBL_FIRST_COL 2

static void obligations_sheet(lxw_workbook *wb, const fmts *f, const rq_report_doc *d, rq_lang lang)
{
	const rq_report_campaign *c = d->campaign;
	lxw_worksheet *ws = workbook_add_worksheet(wb, rq_label_text(lang, L_SHEET_OBLIGATIONS));
	char lines[RQ_REPORT_HEADING_LINES][512], text[1024], ud[11], dd[11];
	lxw_row_t first = OBL_HEADER_ROW + 2, row = first;
	rq_report_heading(d, lang, lines);
	rq_report_ymd(c->unit_deadline, ud);
	rq_report_ymd(c->dept_deadline, dd);
	worksheet_write_string(ws, 0, 0, d->agency, f->bold);
	snprintf(text, sizeof(text), rq_label_text(lang, L_OBL_TITLE), c->name);
	worksheet_write_string(ws, 1, 0, text, f->title);
	snprintf(text, sizeof(text), rq_label_text(lang, L_OBL_DEADLINES), ud, dd);
	worksheet_write_string(ws, 2, 0, text, NULL);
	worksheet_write_string(ws, 3, 0, lines[2], NULL);
	worksheet_write_string(ws, 4, 0, lines[3], NULL);
	worksheet_set_column(ws, 0, 0, 14, NULL);
	worksheet_set_column(ws, 1, 1, 40, NULL);
	worksheet_set_column(ws, OBL_FIRST_COL, OBL_FIRST_COL + RQ_REPORT_OBL_COLUMNS - 1, 12, NULL);
	worksheet_set_row(ws, OBL_HEADER_ROW, 30, NULL);
	worksheet_set_row(ws, OBL_HEADER_ROW + 1, 45, NULL);
	worksheet_merge_range(ws, OBL_HEADER_ROW, 0, OBL_HEADER_ROW + 1, 0, rq_label_text(lang, L_CODE), f->header);
	worksheet_merge_range(ws, OBL_HEADER_ROW, 1, OBL_HEADER_ROW + 1, 1, rq_label_text(lang, L_NAME), f->header);
	for (size_t col = 0; col < RQ_REPORT_OBL_COLUMNS;) {
		size_t end = col;
		int item = rq_report_obl_columns[col].item;
		while (end + 1 < RQ_REPORT_OBL_COLUMNS && rq_report_obl_columns[end + 1].item == item)
			end++;
		lxw_col_t a = (lxw_col_t)(OBL_FIRST_COL + col), b = (lxw_col_t)(OBL_FIRST_COL + end);
		if (item < 0) /* the items-done count: one header over both rows */
			worksheet_merge_range(ws, OBL_HEADER_ROW, a, OBL_HEADER_ROW + 1, a,
					      rq_label_text(lang, L_COL_DONE), f->header);
		else {
			if (a == b)
				worksheet_write_string(ws, OBL_HEADER_ROW, a, rq_label_text(lang, rq_report_obl_label(item)),
						       f->header);
			else
				worksheet_merge_range(ws, OBL_HEADER_ROW, a, OBL_HEADER_ROW, b,
						      rq_label_text(lang, rq_report_obl_label(item)), f->header);
			for (size_t k = col; k <= end; k++)
				worksheet_write_string(ws, OBL_HEADER_ROW + 1, (lxw_col_t)(OBL_FIRST_COL + k),
						       rq_label_text(lang, (rq_label)rq_report_obl_columns[k].label), f->header);
		}
		col = end + 1;
	}
	for (size_t i = 0; i < c->unit_count; i++, row++) {
		const rq_report_obl *u = &c->units[i];
		worksheet_write_string(ws, row, 0, u->code, f->name[0]);
		worksheet_write_string(ws, row, 1, u->name, f->name[u->depth < MAX_INDENT ? u->depth : MAX_INDENT]);
		for (size_t k = 0; k < RQ_REPORT_OBL_COLUMNS; k++) {
			double v;
			lxw_col_t col = (lxw_col_t)(OBL_FIRST_COL + k);
			if (rq_report_obl_value(u, k, lang, text, sizeof(text), &v) == RQ_CELL_NUM)
				worksheet_write_number(ws, row, col, v, f->num);
			else
				worksheet_write_string(ws, row, col, text, f->name[0]);
		}
	}
	worksheet_write_string(ws, row, 0, "", f->total);
	worksheet_write_string(ws, row, 1, rq_label_text(lang, L_UNITS_DONE), f->total);
	for (size_t k = 0; k < RQ_REPORT_OBL_COLUMNS; k++) {
		const rq_report_obl_column *oc = &rq_report_obl_columns[k];
		lxw_col_t col = (lxw_col_t)(OBL_FIRST_COL + k);
		char formula[128], range[32];
		double value = 0;
		snprintf(range, sizeof(range), "%c%u:%c%u", col_letter(col), (unsigned)first + 1, col_letter(col),
			 (unsigned)(row > first ? row : first + 1));
		if (oc->kind == RQ_CELL_MARK) {
			value = (double)c->done_units[oc->item];
			snprintf(formula, sizeof(formula), "=COUNTIF(%s,\"%s\")", range, rq_label_text(lang, L_MARK_DONE));
		} else if (oc->item < 0) {
			value = (double)c->complete;
			snprintf(formula, sizeof(formula), "=COUNTIF(%s,%d)", range, RQ_OBL_COUNT);
		} else if (oc->kind == RQ_CELL_NUM) {
			for (size_t i = 0; i < c->unit_count; i++) {
				double v;
				rq_report_obl_value(&c->units[i], k, lang, text, sizeof(text), &v);
				value += v;
			}
			snprintf(formula, sizeof(formula), "=SUM(%s)", range);
		} else {
			worksheet_write_string(ws, row, col, "", f->total);
			continue;
		}
		if (c->unit_count)
			worksheet_write_formula_num(ws, row, col, formula, f->total_num, value);
		else
			worksheet_write_number(ws, row, col, 0, f->total_num);
	}
	worksheet_freeze_panes(ws, first, OBL_FIRST_COL);
	row += 2;
	snprintf(text, sizeof(text), rq_label_text(lang, L_OBL_COMPLETE), (long long)c->complete,
		 (long long)c->unit_count);
	worksheet_write_string(ws, row++, 0, text, f->bold);
	row++;
	worksheet_write_string(ws, row++, 0, rq_label_text(lang, L_OBL_OVERDUE_UNITS), f->bold);
	worksheet_write_string(ws, row, 0, rq_label_text(lang, L_CODE), f->header);
	worksheet_write_string(ws, row, 1, rq_label_text(lang, L_NAME), f->header);
	worksheet_merge_range(ws, row, 2, row, 9, rq_label_text(lang, L_OBL_OVERDUE_ITEMS), f->header);
	row++;
	int listed = 0;
	for (size_t i = 0; i < c->unit_count; i++) {
		const rq_report_obl *u = &c->units[i];
		size_t used = 0;
		text[0] = '\0';
		for (int k = 0; k < RQ_OBL_COUNT; k++)
			if (u->mark[k] == RQ_MARK_OVERDUE && used < sizeof(text)) {
				int n = snprintf(text + used, sizeof(text) - used, "%s%s", used ? "; " : "",
						 rq_label_text(lang, rq_report_obl_label(k)));
				used += n > 0 ? (size_t)n : 0;
			}
		if (!text[0])
			continue;
		worksheet_write_string(ws, row, 0, u->code, f->name[0]);
		worksheet_write_string(ws, row, 1, u->name, f->name[0]);
		worksheet_merge_range(ws, row, 2, row, 9, text, f->name[0]);
		row++;
		listed++;
	}
	if (!listed)
		worksheet_write_string(ws, row++, 0, rq_label_text(lang, L_NONE), NULL);
	row++;
	worksheet_write_string(ws, row++, 0, rq_label_text(lang, L_NOTES), f->bold);
	worksheet_write_string(ws, row, 0, rq_label_text(lang, L_OBL_NOTE), NULL);
	worksheet_set_landscape(ws);
	worksheet_set_paper(ws, 9); /* A4 */
	worksheet_repeat_rows(ws, OBL_HEADER_ROW, OBL_HEADER_ROW + 1);
	worksheet_fit_to_pages(ws, 1, 0);
}

/* Per unit, the products protecting its declared machines. */
static void products_sheet(lxw_workbook *wb, const fmts *f, const rq_report_doc *d, rq_lang lang)
{
	const char *head[] = {rq_label_text(lang, L_CODE), rq_label_text(lang, L_NAME), rq_label_text(lang, L_PRODUCT),
			      rq_label_text(lang, L_PRODUCT_MACHINES)};
	const double widths[] = {14, 44, 40, 12};
	lxw_worksheet *ws = list_sheet(wb, f, rq_label_text(lang, L_SHEET_PRODUCTS), head, 4, widths);
	lxw_row_t r = 1;
	for (size_t i = 0; i < d->data.unit_count; i++) {
		const rq_report_unit *u = &d->data.units[i];
		for (size_t k = 0; k < u->product_count; k++, r++) {
			worksheet_write_string(ws, r, 0, u->code, f->name[0]);
			worksheet_write_string(ws, r, 1, u->name, f->name[0]);
			worksheet_write_string(ws, r, 2, u->products[k].name, f->name[0]);
			worksheet_write_number(ws, r, 3, (double)u->products[k].machines, f->num);
		}
	}
}

static int read_back(const char *path, rq_strbuf *out)
{
	char chunk[65536];
	size_t n;
	FILE *fp = fopen(path, "rb");
	if (!fp)
		return rq_fail_errno(RQ_EIO, errno, "report: reading the workbook back");
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		rq_strbuf_put(out, chunk, n);
	int bad = ferror(fp);
	fclose(fp);
	return bad ? rq_fail(RQ_EIO, "report: reading the workbook back") : 0;
}

int rq_report_render_xlsx(const rq_report_doc *d, rq_lang lang, rq_strbuf *out)
{
	const char *tmp = getenv("TMPDIR");
	char path[4096];
	char lines[RQ_REPORT_HEADING_LINES][512];
	fmts f;
	int rc = 0, fd;
	snprintf(path, sizeof(path), "%s/rq-report-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if ((fd = mkstemp(path)) < 0)
		return rq_fail_errno(RQ_EIO, errno, "report: temporary file for the workbook");
	close(fd);
	lxw_workbook *wb = workbook_new(path);
	if (!wb) {
		rc = rq_fail(RQ_ENOMEM, "report: cannot start the workbook");
		goto done;
	}
	rq_report_heading(d, lang, lines);
	lxw_doc_properties props = {.title = lines[0], .author = d->agency, .company = d->agency,
				    .created = (time_t)d->made_at};
	workbook_set_properties(wb, &props);
	make_formats(wb, &f);
	units_sheet(wb, &f, d, lang);
	if (d->campaign)
		obligations_sheet(wb, &f, d, lang);
	malware_sheet(wb, &f, d, lang);
	missing_sheet(wb, &f, d, lang);
	products_sheet(wb, &f, d, lang);
	lxw_error err = workbook_close(wb);
	if (err != LXW_NO_ERROR) {
		rc = rq_fail(RQ_EIO, "report: writing the workbook: %s", lxw_strerror(err));
		goto done;
	}
	rc = read_back(path, out);
done:
	unlink(path);
	return rc;
}
