/*
 * The CSV file of a report (render.h), for Excel: UTF-8 with a byte order
 * mark, CRLF line ends, RFC 4180 quoting (a field holding a comma, a
 * double quote, CR or LF is quoted, its quotes doubled). The per-unit
 * table only: header, a row per unit, the total row; a campaign's report
 * adds the unit's obligations as further columns of its row (the total
 * row: units done per item); the last column names the products of the
 * unit's declared machines.
 */
#include <stdio.h>
#include <string.h>

#include "report/render.h"

static void field(rq_strbuf *out, const char *s)
{
	if (!strpbrk(s, ",\"\r\n")) {
		rq_strbuf_puts(out, s);
		return;
	}
	rq_strbuf_put(out, "\"", 1);
	for (const char *q; (q = strchr(s, '"')); s = q + 1) {
		rq_strbuf_put(out, s, (size_t)(q - s) + 1);
		rq_strbuf_put(out, "\"", 1);
	}
	rq_strbuf_puts(out, s);
	rq_strbuf_put(out, "\"", 1);
}

static void counts(rq_strbuf *out, const rq_report_counts *n)
{
	char num[32];
	for (size_t c = 0; c < RQ_REPORT_COLUMNS; c++) {
		snprintf(num, sizeof(num), ",%lld", (long long)rq_report_count(n, c));
		rq_strbuf_puts(out, num);
	}
}

/* A campaign's report: the unit's obligations after its figures (empty
 * cells for a unit the obligations do not list). */
static void obligations(rq_strbuf *out, const rq_report_campaign *c, int64_t unit_id, rq_lang lang)
{
	const rq_report_obl *u = NULL;
	char text[512];
	for (size_t i = 0; c && !u && i < c->unit_count; i++)
		if (c->units[i].id == unit_id)
			u = &c->units[i];
	for (size_t k = 0; c && k < RQ_REPORT_OBL_COLUMNS; k++) {
		double v;
		rq_strbuf_put(out, ",", 1);
		if (!u)
			continue;
		if (rq_report_obl_value(u, k, lang, text, sizeof(text), &v) == RQ_CELL_NUM)
			snprintf(text, sizeof(text), "%lld", (long long)v);
		field(out, text);
	}
}

/* The total row's obligations: units done per state column, sums of the
 * numbers, units that completed every item. */
static void obligation_totals(rq_strbuf *out, const rq_report_campaign *c, rq_lang lang)
{
	char text[512];
	for (size_t k = 0; c && k < RQ_REPORT_OBL_COLUMNS; k++) {
		const rq_report_obl_column *oc = &rq_report_obl_columns[k];
		long long sum = 0;
		rq_strbuf_put(out, ",", 1);
		if (oc->kind == RQ_CELL_MARK)
			sum = (long long)c->done_units[oc->item];
		else if (oc->item < 0)
			sum = (long long)c->complete;
		else if (oc->kind == RQ_CELL_NUM)
			for (size_t i = 0; i < c->unit_count; i++) {
				double v;
				rq_report_obl_value(&c->units[i], k, lang, text, sizeof(text), &v);
				sum += (long long)v;
			}
		else
			continue;
		snprintf(text, sizeof(text), "%lld", sum);
		rq_strbuf_puts(out, text);
	}
}

/* The last column (no line end): "product (machines); ..." of a unit's declared machines. */
static void products(rq_strbuf *out, const rq_report_unit *u)
{
	rq_strbuf text = rq_strbuf_init(64 * 1024);
	char num[32];
	for (size_t k = 0; u && k < u->product_count; k++) {
		snprintf(num, sizeof(num), " (%lld)", (long long)u->products[k].machines);
		if (k)
			rq_strbuf_puts(&text, "; ");
		rq_strbuf_puts(&text, u->products[k].name);
		rq_strbuf_puts(&text, num);
	}
	rq_strbuf_put(out, ",", 1);
	field(out, text.p && !text.too_long ? text.p : "");
	rq_strbuf_free(&text);
}

int rq_report_render_csv(const rq_report_doc *d, rq_lang lang, rq_strbuf *out)
{
	rq_strbuf_put(out, "\xEF\xBB\xBF", 3);
	field(out, rq_label_text(lang, L_CODE));
	rq_strbuf_put(out, ",", 1);
	field(out, rq_label_text(lang, L_NAME));
	for (size_t c = 0; c < RQ_REPORT_COLUMNS; c++) {
		rq_strbuf_put(out, ",", 1);
		field(out, rq_label_text(lang, (rq_label)rq_report_columns[c].label));
	}
	for (size_t k = 0; d->campaign && k < RQ_REPORT_OBL_COLUMNS; k++) {
		const rq_report_obl_column *oc = &rq_report_obl_columns[k];
		char head[256];
		if (oc->item < 0)
			snprintf(head, sizeof(head), "%s", rq_label_text(lang, (rq_label)oc->label));
		else
			snprintf(head, sizeof(head), "%s: %s", rq_label_text(lang, rq_report_obl_label(oc->item)),
				 rq_label_text(lang, (rq_label)oc->label));
		rq_strbuf_put(out, ",", 1);
		field(out, head);
	}
	rq_strbuf_put(out, ",", 1);
	field(out, rq_label_text(lang, L_SHEET_PRODUCTS));
	rq_strbuf_put(out, "\r\n", 2);
	for (size_t i = 0; i < d->data.unit_count; i++) {
		field(out, d->data.units[i].code);
		rq_strbuf_put(out, ",", 1);
		field(out, d->data.units[i].name);
		counts(out, &d->data.units[i].n);
		obligations(out, d->campaign, d->data.units[i].id, lang);
		products(out, &d->data.units[i]);
		rq_strbuf_put(out, "\r\n", 2);
	}
	rq_strbuf_put(out, ",", 1);
	field(out, rq_label_text(lang, L_TOTAL));
	counts(out, &d->totals);
	obligation_totals(out, d->campaign, lang);
	products(out, NULL);
	rq_strbuf_put(out, "\r\n", 2);
	return 0;
}
