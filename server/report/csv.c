/*
 * The CSV file of a report (render.h), for Excel: UTF-8 with a byte order
 * mark, CRLF line ends, RFC 4180 quoting (a field holding a comma, a
 * double quote, CR or LF is quoted, its quotes doubled). The per-unit
 * table only: header, a row per unit, the total row.
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

/* The last column: "product (machines); ..." of a unit's declared machines. */
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
	rq_strbuf_put(out, "\r\n", 2);
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
	rq_strbuf_put(out, ",", 1);
	field(out, rq_label_text(lang, L_SHEET_PRODUCTS));
	rq_strbuf_put(out, "\r\n", 2);
	for (size_t i = 0; i < d->data.unit_count; i++) {
		field(out, d->data.units[i].code);
		rq_strbuf_put(out, ",", 1);
		field(out, d->data.units[i].name);
		counts(out, &d->data.units[i].n);
		products(out, &d->data.units[i]);
	}
	rq_strbuf_put(out, ",", 1);
	field(out, rq_label_text(lang, L_TOTAL));
	counts(out, &d->totals);
	products(out, NULL);
	return 0;
}
