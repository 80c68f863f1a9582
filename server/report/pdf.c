/*
 * The PDF file of a report (render.h) with cairo and pango: A4 landscape,
 * on every page the agency and the date made at the top and "page n of
 * m" at the bottom; the per-unit table breaks across pages with its
 * header row repeated, then the notes, notable malware, the units not
 * reported and, for a campaign's report, the units' obligations from a
 * new page. Text is laid out by pango in RQ_REPORT_FONT (DejaVu Sans,
 * Debian fonts-dejavu-core: every Vietnamese letter). The whole document
 * is laid out twice, the first time only to count the pages. The PDF's
 * creation date is the report's, so a download is the same bytes.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cairo-pdf.h>
#include <cairo.h>
#include <fontconfig/fontconfig.h>
#include <pango/pangocairo.h>

#include "core/error.h"
#include "report/render.h"

#define RQ_REPORT_FONT "DejaVu Sans"
/* A4 landscape in points, margins, type sizes. */
#define PAGE_W 841.89
#define PAGE_H 595.28
#define MARGIN 36.0
#define BODY_PT 7.5
#define CODE_W 62.0
#define NAME_W 200.0
#define PAD 2.5

typedef struct pdf {
	cairo_t *cr;
	cairo_surface_t *surface;
	const rq_report_doc *d;
	rq_lang lang;
	int page, pages;     /* the current page; the total (0 while counting) */
	double y;            /* where the next line goes */
	int counting;
} pdf;

static cairo_status_t write_out(void *closure, const unsigned char *data, unsigned int length)
{
	rq_strbuf *out = closure;
	if (out)
		rq_strbuf_put(out, (const char *)data, length);
	return out && (out->no_mem || out->too_long) ? CAIRO_STATUS_WRITE_ERROR : CAIRO_STATUS_SUCCESS;
}

/* Lay `text` out in `width` (wrapped), return its height; draw it at
 * (x, y) unless counting. align: 0 left, 1 right, 2 centre. */
static double text_at(pdf *p, const char *text, double x, double y, double width, double pt, int bold, int align)
{
	PangoLayout *layout = pango_cairo_create_layout(p->cr);
	PangoFontDescription *font = pango_font_description_from_string(RQ_REPORT_FONT);
	int w, h;
	pango_font_description_set_absolute_size(font, pt * PANGO_SCALE);
	pango_font_description_set_weight(font, bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
	pango_layout_set_font_description(layout, font);
	pango_layout_set_width(layout, (int)(width * PANGO_SCALE));
	pango_layout_set_wrap(layout, PANGO_WRAP_WORD_CHAR);
	pango_layout_set_alignment(layout, align == 1 ? PANGO_ALIGN_RIGHT : align == 2 ? PANGO_ALIGN_CENTER
										: PANGO_ALIGN_LEFT);
	pango_layout_set_text(layout, text, -1);
	pango_layout_get_size(layout, &w, &h);
	if (!p->counting) {
		cairo_move_to(p->cr, x, y);
		pango_cairo_show_layout(p->cr, layout);
	}
	pango_font_description_free(font);
	g_object_unref(layout);
	return (double)h / PANGO_SCALE;
}

static void page_frame(pdf *p)
{
	char made[11], page[64];
	rq_report_date(p->d->made_at, made);
	text_at(p, p->d->agency, MARGIN, MARGIN - 18, 500, 8, 1, 0);
	text_at(p, made, PAGE_W - MARGIN - 200, MARGIN - 18, 200, 8, 0, 1);
	if (!p->counting) {
		cairo_set_line_width(p->cr, 0.5);
		cairo_move_to(p->cr, MARGIN, MARGIN - 4);
		cairo_line_to(p->cr, PAGE_W - MARGIN, MARGIN - 4);
		cairo_stroke(p->cr);
	}
	snprintf(page, sizeof(page), rq_label_text(p->lang, L_PAGE), p->page, p->pages ? p->pages : p->page);
	text_at(p, page, MARGIN, PAGE_H - MARGIN + 8, PAGE_W - 2 * MARGIN, 8, 0, 2);
	p->y = MARGIN + 4;
}

static void new_page(pdf *p)
{
	cairo_show_page(p->cr);
	p->page++;
	page_frame(p);
}

/* A table row: cells of the given widths, text measured first so the row
 * is as tall as its tallest cell; a new page when it does not fit (then
 * `repeat` is drawn first: the header row). */
typedef struct table {
	int ncols;
	const double *widths;
	const int *align;
	const char *const *head;
} table;

static double row_height(pdf *p, const table *t, const char *const *cells, int bold)
{
	int was = p->counting;
	double h = 0;
	p->counting = 1;
	for (int c = 0; c < t->ncols; c++) {
		double ch = text_at(p, cells[c], 0, 0, t->widths[c] - 2 * PAD, BODY_PT, bold, 0);
		h = ch > h ? ch : h;
	}
	p->counting = was;
	return h + 2 * PAD;
}

/* The header row (shade > 0) is centred, other rows aligned per column. */
static void draw_row(pdf *p, const table *t, const char *const *cells, int bold, double h, double shade)
{
	double x = MARGIN;
	for (int c = 0; c < t->ncols; c++) {
		if (!p->counting) {
			cairo_rectangle(p->cr, x, p->y, t->widths[c], h);
			if (shade > 0) {
				cairo_set_source_rgb(p->cr, shade, shade, 1.0);
				cairo_fill_preserve(p->cr);
				cairo_set_source_rgb(p->cr, 0, 0, 0);
			}
			cairo_set_line_width(p->cr, 0.4);
			cairo_stroke(p->cr);
		}
		text_at(p, cells[c], x + PAD, p->y + PAD, t->widths[c] - 2 * PAD, BODY_PT, bold, shade > 0 ? 2 : t->align[c]);
		x += t->widths[c];
	}
	p->y += h;
}

static void header_row(pdf *p, const table *t)
{
	draw_row(p, t, t->head, 1, row_height(p, t, t->head, 1), 0.88);
}

static void table_row(pdf *p, const table *t, const char *const *cells, int bold)
{
	double h = row_height(p, t, cells, bold);
	if (p->y + h > PAGE_H - MARGIN) {
		new_page(p);
		header_row(p, t);
	}
	draw_row(p, t, cells, bold, h, 0);
}

/* A line of text across the page, on a new page when it does not fit. */
static void line(pdf *p, const char *text, double pt, int bold)
{
	int was = p->counting;
	p->counting = 1;
	double h = text_at(p, text, MARGIN, p->y, PAGE_W - 2 * MARGIN, pt, bold, 0);
	p->counting = was;
	if (p->y + h > PAGE_H - MARGIN)
		new_page(p);
	text_at(p, text, MARGIN, p->y, PAGE_W - 2 * MARGIN, pt, bold, 0);
	p->y += h + 2;
}

#define COLS (2 + RQ_REPORT_COLUMNS)

static void units_table(pdf *p)
{
	const rq_report_doc *d = p->d;
	double widths[COLS];
	int align[COLS];
	const char *head[COLS];
	char nums[RQ_REPORT_COLUMNS][24], name[600];
	const char *cells[COLS];
	widths[0] = CODE_W;
	widths[1] = NAME_W;
	align[0] = align[1] = 0;
	head[0] = rq_label_text(p->lang, L_CODE);
	head[1] = rq_label_text(p->lang, L_NAME);
	for (int c = 0; c < RQ_REPORT_COLUMNS; c++) {
		widths[2 + c] = (PAGE_W - 2 * MARGIN - CODE_W - NAME_W) / RQ_REPORT_COLUMNS;
		align[2 + c] = 1;
		head[2 + c] = rq_label_text(p->lang, (rq_label)rq_report_columns[c].label);
		cells[2 + c] = nums[c];
	}
	table t = {COLS, widths, align, head};
	header_row(p, &t);
	for (size_t i = 0; i <= d->data.unit_count; i++) {
		int total = i == d->data.unit_count;
		const rq_report_counts *n = total ? &d->totals : &d->data.units[i].n;
		if (total) {
			cells[0] = "";
			cells[1] = rq_label_text(p->lang, L_TOTAL);
		} else {
			int depth = d->data.units[i].depth;
			snprintf(name, sizeof(name), "%*s%s", 2 * (depth < 8 ? depth : 8), "", d->data.units[i].name);
			cells[0] = d->data.units[i].code;
			cells[1] = name;
		}
		for (int c = 0; c < RQ_REPORT_COLUMNS; c++)
			snprintf(nums[c], sizeof(nums[c]), "%lld", (long long)rq_report_count(n, (size_t)c));
		table_row(p, &t, cells, total);
	}
}

static void malware_table(pdf *p)
{
	const double widths[] = {320, 100, 100, 100};
	const int align[] = {0, 1, 1, 1};
	const char *head[] = {rq_label_text(p->lang, L_MALWARE_NAME), rq_label_text(p->lang, L_MALWARE_MACHINES),
			      rq_label_text(p->lang, L_MALWARE_SHA256), rq_label_text(p->lang, L_MALWARE_DETECTIONS)};
	char nums[3][24];
	table t = {4, widths, align, head};
	line(p, rq_label_text(p->lang, L_SHEET_MALWARE), 10, 1);
	if (!p->d->data.malware_count) {
		line(p, rq_label_text(p->lang, L_NONE), BODY_PT, 0);
		return;
	}
	header_row(p, &t);
	for (size_t i = 0; i < p->d->data.malware_count; i++) {
		const rq_report_malware *m = &p->d->data.malware[i];
		const char *cells[] = {m->name, nums[0], nums[1], nums[2]};
		snprintf(nums[0], sizeof(nums[0]), "%lld", (long long)m->machines);
		snprintf(nums[1], sizeof(nums[1]), "%lld", (long long)m->sha256s);
		snprintf(nums[2], sizeof(nums[2]), "%lld", (long long)m->detections);
		table_row(p, &t, cells, 0);
	}
}

static void missing_table(pdf *p)
{
	static const rq_label reasons[RQ_REASON_COUNT] = {L_REASON_NO_MACHINES, L_REASON_NONE_PROTECTED,
							  L_REASON_NO_SCAN};
	const double widths[] = {80, 300, 240};
	const int align[] = {0, 0, 0};
	const char *head[] = {rq_label_text(p->lang, L_CODE), rq_label_text(p->lang, L_NAME),
			      rq_label_text(p->lang, L_REASON)};
	table t = {3, widths, align, head};
	line(p, rq_label_text(p->lang, L_SHEET_MISSING), 10, 1);
	if (!p->d->missing_count) {
		line(p, rq_label_text(p->lang, L_NONE), BODY_PT, 0);
		return;
	}
	header_row(p, &t);
	for (size_t i = 0; i < p->d->missing_count; i++) {
		const rq_report_missing *m = &p->d->missing[i];
		const char *cells[] = {m->code, m->name, rq_label_text(p->lang, reasons[m->reason])};
		table_row(p, &t, cells, 0);
	}
}

/* The cell of item k of unit u: its state, then a line of figures. */
static void item_cell(const rq_report_obl *u, int k, rq_lang lang, char *buf, size_t size)
{
	char detail[400] = "", date[11], levels[200];
	switch (k) {
	case RQ_OBL_TRAINING:
		rq_report_ymd(u->training_on, date);
		if (date[0]) {
			char people[64];
			snprintf(people, sizeof(people), rq_label_text(lang, L_PEOPLE), (long long)u->attendees);
			snprintf(detail, sizeof(detail), "%s, %s", date, people);
		}
		break;
	case RQ_OBL_SYSTEMS:
		rq_report_levels(u, lang, levels, sizeof(levels));
		snprintf(detail, sizeof(detail), rq_label_text(lang, L_OF_APPROVED),
			 (long long)u->by_state[RQ_DOSSIER_APPROVED], (long long)u->systems);
		if (levels[0]) {
			size_t n = strlen(detail);
			snprintf(detail + n, sizeof(detail) - n, "\n%s", levels);
		}
		break;
	case RQ_OBL_REGULATION:
		snprintf(detail, sizeof(detail), rq_label_text(lang, L_OF_ISSUED), (long long)u->regulated,
			 (long long)u->systems);
		break;
	case RQ_OBL_RESPONSE_PLAN:
		rq_report_ymd(u->plan_on, date);
		if (u->plan_number[0])
			snprintf(detail, sizeof(detail), rq_label_text(lang, L_PLAN_NO), u->plan_number, date);
		break;
	case RQ_OBL_SWEEP:
		snprintf(detail, sizeof(detail), rq_label_text(lang, L_SWEEP_CELL), (long long)u->scanned,
			 (long long)u->endpoints, (long long)u->infected);
		break;
	default:
		rq_report_ymd(u->report_on, date);
		snprintf(detail, sizeof(detail), "%s", date);
		break;
	}
	snprintf(buf, size, "%s%s%s", rq_report_mark_text(lang, u->mark[k]), detail[0] ? "\n" : "", detail);
}

#define OBL_COLS (3 + RQ_OBL_COUNT)

/* The campaign's obligations: a row per unit, a cell per item, the total
 * row of units done, then the units with overdue items and the note. */
static void obligations(pdf *p)
{
	const rq_report_campaign *c = p->d->campaign;
	double widths[OBL_COLS];
	int align[OBL_COLS];
	const char *head[OBL_COLS], *cells[OBL_COLS];
	char text[OBL_COLS][600], ud[11], dd[11], line_text[1024];
	widths[0] = 50;
	widths[1] = 130;
	widths[OBL_COLS - 1] = 60;
	head[0] = rq_label_text(p->lang, L_CODE);
	head[1] = rq_label_text(p->lang, L_NAME);
	head[OBL_COLS - 1] = rq_label_text(p->lang, L_COL_DONE);
	for (int k = 0; k < OBL_COLS; k++) {
		align[k] = k >= 2 && k < OBL_COLS - 1 ? 0 : k == OBL_COLS - 1 ? 1 : 0;
		cells[k] = text[k];
		if (k >= 2 && k < OBL_COLS - 1) {
			widths[k] = (PAGE_W - 2 * MARGIN - 50 - 130 - 60) / RQ_OBL_COUNT;
			head[k] = rq_label_text(p->lang, rq_report_obl_label(k - 2));
		}
	}
	table t = {OBL_COLS, widths, align, head};
	rq_report_ymd(c->unit_deadline, ud);
	rq_report_ymd(c->dept_deadline, dd);
	snprintf(line_text, sizeof(line_text), rq_label_text(p->lang, L_OBL_TITLE), c->name);
	line(p, line_text, 10, 1);
	snprintf(line_text, sizeof(line_text), rq_label_text(p->lang, L_OBL_DEADLINES), ud, dd);
	line(p, line_text, BODY_PT, 0);
	header_row(p, &t);
	for (size_t i = 0; i < c->unit_count; i++) {
		const rq_report_obl *u = &c->units[i];
		int depth = u->depth < 8 ? u->depth : 8;
		snprintf(text[0], sizeof(text[0]), "%s", u->code);
		snprintf(text[1], sizeof(text[1]), "%*s%s", 2 * depth, "", u->name);
		for (int k = 0; k < RQ_OBL_COUNT; k++)
			item_cell(u, k, p->lang, text[2 + k], sizeof(text[2 + k]));
		snprintf(text[OBL_COLS - 1], sizeof(text[0]), "%d/%d", u->done, RQ_OBL_COUNT);
		table_row(p, &t, cells, 0);
	}
	text[0][0] = '\0';
	snprintf(text[1], sizeof(text[1]), "%s", rq_label_text(p->lang, L_UNITS_DONE));
	for (int k = 0; k < RQ_OBL_COUNT; k++)
		snprintf(text[2 + k], sizeof(text[2 + k]), "%lld/%zu", (long long)c->done_units[k], c->unit_count);
	snprintf(text[OBL_COLS - 1], sizeof(text[0]), "%lld", (long long)c->complete);
	table_row(p, &t, cells, 1);
	p->y += 4;
	snprintf(line_text, sizeof(line_text), rq_label_text(p->lang, L_OBL_COMPLETE), (long long)c->complete,
		 (long long)c->unit_count);
	line(p, line_text, BODY_PT, 0);
	line(p, rq_label_text(p->lang, L_OBL_NOTE), BODY_PT, 0);
	p->y += 8;
	/* the units with overdue items */
	const double owidths[] = {80, 260, 430};
	const int oalign[] = {0, 0, 0};
	const char *ohead[] = {rq_label_text(p->lang, L_CODE), rq_label_text(p->lang, L_NAME),
			       rq_label_text(p->lang, L_OBL_OVERDUE_ITEMS)};
	table ot = {3, owidths, oalign, ohead};
	line(p, rq_label_text(p->lang, L_OBL_OVERDUE_UNITS), 10, 1);
	if (!c->overdue_units) {
		line(p, rq_label_text(p->lang, L_NONE), BODY_PT, 0);
		return;
	}
	header_row(p, &ot);
	for (size_t i = 0; i < c->unit_count; i++) {
		const rq_report_obl *u = &c->units[i];
		size_t used = 0;
		text[2][0] = '\0';
		for (int k = 0; k < RQ_OBL_COUNT; k++)
			if (u->mark[k] == RQ_MARK_OVERDUE && used < sizeof(text[2])) {
				int n = snprintf(text[2] + used, sizeof(text[2]) - used, "%s%s", used ? "; " : "",
						 rq_label_text(p->lang, rq_report_obl_label(k)));
				used += n > 0 ? (size_t)n : 0;
			}
		if (!text[2][0])
			continue;
		const char *row[] = {u->code, u->name, text[2]};
		table_row(p, &ot, row, 0);
	}
}

/* Per unit, the products protecting its declared machines (units
 * without any are left out). */
static void products_table(pdf *p)
{
	const double widths[] = {80, 260, 200, 80};
	const int align[] = {0, 0, 0, 2};
	const char *head[] = {rq_label_text(p->lang, L_CODE), rq_label_text(p->lang, L_NAME),
			      rq_label_text(p->lang, L_PRODUCT), rq_label_text(p->lang, L_PRODUCT_MACHINES)};
	table t = {4, widths, align, head};
	size_t rows = 0;
	char num[24];
	line(p, rq_label_text(p->lang, L_SHEET_PRODUCTS), 10, 1);
	for (size_t i = 0; i < p->d->data.unit_count; i++)
		rows += p->d->data.units[i].product_count;
	if (!rows) {
		line(p, rq_label_text(p->lang, L_NONE), BODY_PT, 0);
		return;
	}
	header_row(p, &t);
	for (size_t i = 0; i < p->d->data.unit_count; i++) {
		const rq_report_unit *u = &p->d->data.units[i];
		for (size_t k = 0; k < u->product_count; k++) {
			snprintf(num, sizeof(num), "%lld", (long long)u->products[k].machines);
			const char *cells[] = {u->code, u->name, u->products[k].name, num};
			table_row(p, &t, cells, 0);
		}
	}
}

static void document(pdf *p)
{
	char lines[RQ_REPORT_HEADING_LINES][512], text[1024];
	static const rq_label notes[] = {L_NOTE_ROWS,	 L_NOTE_PROTECTED, L_NOTE_UPDATE,
					 L_NOTE_PERIOD, L_NOTE_MISSING,	  L_NOTE_DECLARED};
	p->page = 1;
	page_frame(p);
	rq_report_heading(p->d, p->lang, lines);
	line(p, lines[0], 13, 1);
	for (int i = 1; i < RQ_REPORT_HEADING_LINES; i++)
		if (lines[i][0])
			line(p, lines[i], 9, 0);
	p->y += 6;
	units_table(p);
	p->y += 8;
	line(p, rq_label_text(p->lang, L_NOTES), 10, 1);
	snprintf(text, sizeof(text), rq_label_text(p->lang, L_UNITS_MISSING), (long long)p->d->missing_count,
		 (long long)p->d->data.unit_count);
	line(p, text, BODY_PT, 0);
	for (size_t i = 0; i < sizeof(notes) / sizeof(notes[0]); i++) {
		rq_report_note(p->d, p->lang, notes[i], text, sizeof(text));
		line(p, text, BODY_PT, 0);
	}
	p->y += 8;
	malware_table(p);
	p->y += 8;
	missing_table(p);
	p->y += 8;
	products_table(p);
	if (p->d->campaign) { /* a section of its own, from a new page */
		new_page(p);
		obligations(p);
	}
}

/* Lay the whole document out on a surface writing to `out` (NULL: to
 * nowhere, counting pages); *pages gets the count. */
static int lay_out(const rq_report_doc *d, rq_lang lang, int total, rq_strbuf *out, int *pages)
{
	pdf p = {.d = d, .lang = lang, .pages = total, .counting = 0};
	char lines[RQ_REPORT_HEADING_LINES][512], made[32];
	int rc = 0;
	p.surface = cairo_pdf_surface_create_for_stream(write_out, out, PAGE_W, PAGE_H);
	rq_report_heading(d, lang, lines);
	/* the creation date is the report's (ISO 8601, Vietnam time) */
	time_t local = (time_t)(d->made_at + RQ_REPORT_TZ_OFFSET);
	struct tm tm;
	gmtime_r(&local, &tm);
	strftime(made, sizeof(made), "%Y-%m-%dT%H:%M:%S+07:00", &tm);
	cairo_pdf_surface_set_metadata(p.surface, CAIRO_PDF_METADATA_TITLE, lines[0]);
	cairo_pdf_surface_set_metadata(p.surface, CAIRO_PDF_METADATA_AUTHOR, d->agency);
	cairo_pdf_surface_set_metadata(p.surface, CAIRO_PDF_METADATA_CREATOR, "raquet-server");
	cairo_pdf_surface_set_metadata(p.surface, CAIRO_PDF_METADATA_CREATE_DATE, made);
	cairo_pdf_surface_set_metadata(p.surface, CAIRO_PDF_METADATA_MOD_DATE, made);
	p.cr = cairo_create(p.surface);
	document(&p);
	cairo_show_page(p.cr);
	cairo_destroy(p.cr);
	cairo_surface_finish(p.surface);
	if (cairo_surface_status(p.surface) != CAIRO_STATUS_SUCCESS)
		rc = rq_fail(out && (out->no_mem || out->too_long) ? RQ_ENOMEM : RQ_ERROR, "report: PDF: %s",
			     cairo_status_to_string(cairo_surface_status(p.surface)));
	cairo_surface_destroy(p.surface);
	*pages = p.page;
	return rc;
}

int rq_report_render_pdf(const rq_report_doc *d, rq_lang lang, rq_strbuf *out)
{
	int pages = 0, again = 0;
	int rc = lay_out(d, lang, 0, NULL, &pages);
	if (rc == 0)
		rc = lay_out(d, lang, pages, out, &again);
	return rc;
}

void rq_report_render_cleanup(void)
{
	pango_cairo_font_map_set_default(NULL);
	cairo_debug_reset_static_data();
	FcFini();
}
