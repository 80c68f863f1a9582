/*
 * What the three renderers share (render.h): the formats, the heading
 * lines and the notes in the report's language, and the files' names.
 */
#include "report/render.h"

#include <stdio.h>
#include <string.h>

#include "core/error.h"

static const char *const format_names[RQ_FMT_COUNT] = {"xlsx", "pdf", "csv"};
static const char *const format_types[RQ_FMT_COUNT] = {
	"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "application/pdf",
	"text/csv; charset=utf-8"};

const char *rq_report_format_name(rq_report_format f)
{
	return (unsigned)f < RQ_FMT_COUNT ? format_names[f] : "";
}

int rq_report_format_parse(const char *name)
{
	for (int i = 0; i < RQ_FMT_COUNT; i++)
		if (name && !strcmp(name, format_names[i]))
			return i;
	return -1;
}

const char *rq_report_format_type(rq_report_format f)
{
	return (unsigned)f < RQ_FMT_COUNT ? format_types[f] : "application/octet-stream";
}

int rq_report_render(const rq_report_doc *d, rq_lang lang, rq_report_format f, rq_strbuf *out)
{
	int rc;
	switch (f) {
	case RQ_FMT_XLSX:
		rc = rq_report_render_xlsx(d, lang, out);
		break;
	case RQ_FMT_PDF:
		rc = rq_report_render_pdf(d, lang, out);
		break;
	case RQ_FMT_CSV:
		rc = rq_report_render_csv(d, lang, out);
		break;
	default:
		return rq_fail(RQ_EINVAL, "report: unknown format");
	}
	if (rc == 0 && (out->no_mem || out->too_long))
		rc = rq_fail(out->no_mem ? RQ_ENOMEM : RQ_ELIMIT, "report: the %s file does not fit in memory",
			     rq_report_format_name(f));
	return rc;
}

void rq_report_heading(const rq_report_doc *d, rq_lang lang, char lines[RQ_REPORT_HEADING_LINES][512])
{
	char from[11], to[11], made[11];
	rq_report_date(d->from, from);
	rq_report_last_day(d->to, to);
	rq_report_date(d->made_at, made);
	snprintf(lines[0], 512, "%s", rq_label_text(lang, d->kind == RQ_REPORT_PROVINCE ? L_TITLE_PROVINCE : L_TITLE_UNIT));
	lines[1][0] = '\0';
	if (d->kind == RQ_REPORT_UNIT) {
		char scope[300];
		snprintf(scope, sizeof(scope), "%s (%s)", d->scope_name, d->scope_code);
		snprintf(lines[1], 512, rq_label_text(lang, L_SCOPE), scope);
	}
	snprintf(lines[2], 512, rq_label_text(lang, L_PERIOD), from, to);
	snprintf(lines[3], 512, rq_label_text(lang, L_MADE), made);
}

void rq_report_note(const rq_report_doc *d, rq_lang lang, rq_label note, char *buf, size_t size)
{
	long long days = note == L_NOTE_UPDATE ? (long long)d->update_days : (long long)d->window_days;
	snprintf(buf, size, rq_label_text(lang, note), days);
}

/* `s` with every byte outside [A-Za-z0-9.-] as '_' (runs squeezed). */
static void ascii_safe(const char *s, char *out, size_t size)
{
	size_t n = 0;
	for (; *s && n + 1 < size; s++) {
		char c = *s;
		int ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-';
		if (!ok && n > 0 && out[n - 1] == '_')
			continue;
		out[n++] = ok ? c : '_';
	}
	out[n] = '\0';
}

void rq_report_file_name(const rq_report_doc *d, rq_lang lang, rq_report_format f, char *ascii,
			 size_t ascii_size, char *utf8, size_t utf8_size)
{
	char from[11], to[11], code[128], stem[300];
	rq_report_date(d->from, from);
	rq_report_last_day(d->to, to);
	for (char *p = from; *p; p++)
		*p = *p == '/' ? '-' : *p;
	for (char *p = to; *p; p++)
		*p = *p == '/' ? '-' : *p;
	ascii_safe(d->scope_code, code, sizeof(code));
	if (d->kind == RQ_REPORT_PROVINCE)
		snprintf(stem, sizeof(stem), "bao-cao-tinh_%s_%s", from, to);
	else
		snprintf(stem, sizeof(stem), "bao-cao-don-vi_%s_%s_%s", code, from, to);
	snprintf(ascii, ascii_size, "%s.%s", stem, rq_report_format_name(f));
	if (d->kind == RQ_REPORT_PROVINCE)
		snprintf(utf8, utf8_size, "%s %s %s.%s", rq_label_text(lang, L_FILE_PROVINCE), from, to,
			 rq_report_format_name(f));
	else
		snprintf(utf8, utf8_size, "%s %s %s %s.%s", rq_label_text(lang, L_FILE_UNIT), d->scope_code, from, to,
			 rq_report_format_name(f));
}
