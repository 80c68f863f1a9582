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

/* --- the obligations table's columns --- */

const rq_report_obl_column rq_report_obl_columns[RQ_REPORT_OBL_COLUMNS] = {
	{RQ_OBL_TRAINING, L_COL_STATE, RQ_CELL_MARK},
	{RQ_OBL_TRAINING, L_COL_TRAINING_ON, RQ_CELL_DATE},
	{RQ_OBL_TRAINING, L_COL_ATTENDEES, RQ_CELL_NUM},
	{RQ_OBL_SYSTEMS, L_COL_STATE, RQ_CELL_MARK},
	{RQ_OBL_SYSTEMS, L_COL_SYSTEMS, RQ_CELL_NUM},
	{RQ_OBL_SYSTEMS, L_COL_DRAFT, RQ_CELL_NUM},
	{RQ_OBL_SYSTEMS, L_COL_SUBMITTED, RQ_CELL_NUM},
	{RQ_OBL_SYSTEMS, L_COL_APPRAISED, RQ_CELL_NUM},
	{RQ_OBL_SYSTEMS, L_COL_APPROVED, RQ_CELL_NUM},
	{RQ_OBL_SYSTEMS, L_COL_LEVELS, RQ_CELL_TEXT},
	{RQ_OBL_REGULATION, L_COL_STATE, RQ_CELL_MARK},
	{RQ_OBL_REGULATION, L_COL_REGULATED, RQ_CELL_NUM},
	{RQ_OBL_RESPONSE_PLAN, L_COL_STATE, RQ_CELL_MARK},
	{RQ_OBL_RESPONSE_PLAN, L_COL_PLAN_NUMBER, RQ_CELL_TEXT},
	{RQ_OBL_RESPONSE_PLAN, L_COL_ISSUED_ON, RQ_CELL_DATE},
	{RQ_OBL_SWEEP, L_COL_STATE, RQ_CELL_MARK},
	{RQ_OBL_SWEEP, L_COL_ENDPOINTS, RQ_CELL_NUM},
	{RQ_OBL_SWEEP, L_COL_SWEPT, RQ_CELL_NUM},
	{RQ_OBL_SWEEP, L_COL_INFECTED_NOW, RQ_CELL_NUM},
	{RQ_OBL_REPORT, L_COL_STATE, RQ_CELL_MARK},
	{RQ_OBL_REPORT, L_COL_CONFIRMED_ON, RQ_CELL_DATE},
	{-1, L_COL_DONE, RQ_CELL_NUM},
};

rq_label rq_report_obl_label(int item)
{
	static const rq_label labels[RQ_OBL_COUNT] = {L_OBL_TRAINING,	   L_OBL_SYSTEMS, L_OBL_REGULATION,
						      L_OBL_RESPONSE_PLAN, L_OBL_SWEEP,	  L_OBL_REPORT};
	return item >= 0 && item < RQ_OBL_COUNT ? labels[item] : L_COL_DONE;
}

const char *rq_report_mark_text(rq_lang lang, rq_report_mark m)
{
	return rq_label_text(lang, m == RQ_MARK_DONE ? L_MARK_DONE : m == RQ_MARK_OVERDUE ? L_MARK_OVERDUE : L_MARK_PENDING);
}

void rq_report_ymd(const char *ymd, char out[11])
{
	unsigned y = 0, m = 0, d = 0;
	int n = 0;
	out[0] = '\0';
	if (ymd && strlen(ymd) == 10 && sscanf(ymd, "%4u-%2u-%2u%n", &y, &m, &d, &n) == 3 && n == 10)
		snprintf(out, 11, "%02u/%02u/%04u", d % 100u, m % 100u, y % 10000u);
}

void rq_report_levels(const rq_report_obl *u, rq_lang lang, char *buf, size_t size)
{
	size_t used = 0;
	buf[0] = '\0';
	for (int l = 0; l < RQ_LEVEL_MAX && used < size; l++) {
		if (!u->by_level[l])
			continue;
		int n = snprintf(buf + used, size - used, "%s", used ? "; " : "");
		used += n > 0 ? (size_t)n : 0;
		if (used >= size)
			break;
		n = snprintf(buf + used, size - used, rq_label_text(lang, L_LEVEL_COUNT), l + 1, (long long)u->by_level[l]);
		used += n > 0 ? (size_t)n : 0;
	}
}

rq_obl_cell rq_report_obl_value(const rq_report_obl *u, size_t col, rq_lang lang, char *buf, size_t size, double *num)
{
	const rq_report_obl_column *c = &rq_report_obl_columns[col];
	char date[11];
	*num = 0;
	buf[0] = '\0';
	switch (c->label) {
	case L_COL_STATE:
		snprintf(buf, size, "%s", rq_report_mark_text(lang, u->mark[c->item]));
		break;
	case L_COL_TRAINING_ON:
	case L_COL_ISSUED_ON:
	case L_COL_CONFIRMED_ON:
		rq_report_ymd(c->label == L_COL_TRAINING_ON ? u->training_on
			      : c->label == L_COL_ISSUED_ON ? u->plan_on
							     : u->report_on,
			      date);
		snprintf(buf, size, "%s", date);
		break;
	case L_COL_ATTENDEES: *num = (double)u->attendees; break;
	case L_COL_SYSTEMS: *num = (double)u->systems; break;
	case L_COL_DRAFT: *num = (double)u->by_state[RQ_DOSSIER_DRAFT]; break;
	case L_COL_SUBMITTED: *num = (double)u->by_state[RQ_DOSSIER_SUBMITTED]; break;
	case L_COL_APPRAISED: *num = (double)u->by_state[RQ_DOSSIER_APPRAISED]; break;
	case L_COL_APPROVED: *num = (double)u->by_state[RQ_DOSSIER_APPROVED]; break;
	case L_COL_LEVELS: rq_report_levels(u, lang, buf, size); break;
	case L_COL_REGULATED: *num = (double)u->regulated; break;
	case L_COL_PLAN_NUMBER: snprintf(buf, size, "%s", u->plan_number); break;
	case L_COL_ENDPOINTS: *num = (double)u->endpoints; break;
	case L_COL_SWEPT: *num = (double)u->scanned; break;
	case L_COL_INFECTED_NOW: *num = (double)u->infected; break;
	case L_COL_DONE: *num = (double)u->done; break;
	default: break;
	}
	return c->kind;
}
