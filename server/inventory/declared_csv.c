/*
 * Field checks and the CSV inventory reader of declared machines
 * (declared_csv.h). The reader splits records itself (quoted fields may
 * hold separators, quotes and line breaks) and never stops at the first
 * problem: every row is checked so the answer names them all.
 */
#include "inventory/declared_csv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/util.h"
#include "report/figures.h"

const char *rq_declared_check_hostname(const char *value, char out[RQ_DECLARED_HOSTNAME_MAX + 1])
{
	size_t n = value ? strlen(value) : 0;
	if (n == 0)
		return "must not be empty";
	if (n > RQ_DECLARED_HOSTNAME_MAX)
		return "longer than 253 characters";
	for (size_t i = 0; i < n; i++) {
		char ch = value[i];
		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '-' ||
		      ch == '_' || ch == '.'))
			return "only letters, digits, '-', '_' and '.' (a machine's name)";
		out[i] = (char)(ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch);
	}
	out[n] = '\0';
	if (out[0] == '.' || out[0] == '-')
		return "must start with a letter or a digit";
	return NULL;
}

/* The kinds and the words people write for them. */
static const struct {
	const char *word, *kind;
} kind_words[] = {
	{"server", "server"},	      {"workstation", "workstation"}, {"other", "other"},
	{"máy chủ", "server"},     {"máy trạm", "workstation"},    {"khác", "other"},
	{"thiết bị khác", "other"}, {"Máy chủ", "server"},	      {"Máy trạm", "workstation"},
	{"Khác", "other"},	      {"Server", "server"},	      {"Workstation", "workstation"},
	{"Other", "other"},
};

const char *rq_declared_check_kind(const char *value, const char **out)
{
	for (size_t i = 0; value && i < sizeof(kind_words) / sizeof(kind_words[0]); i++)
		if (!strcmp(value, kind_words[i].word)) {
			*out = kind_words[i].kind;
			return NULL;
		}
	return "expected server, workstation or other (máy chủ, máy trạm, khác)";
}

const char *rq_declared_check_product(const char *value)
{
	const unsigned char *p = (const unsigned char *)value;
	int visible = 0;
	if (!value || strlen(value) > RQ_DECLARED_PRODUCT_MAX)
		return value ? "longer than 200 bytes" : "must not be empty";
	for (; *p; p++) {
		if (*p < 0x20 || *p == 0x7f || (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f))
			return "control characters are not allowed";
		if (*p != ' ')
			visible = 1;
	}
	if (!visible)
		return "must not be empty";
	/* a spreadsheet opening the reports would run it as a formula */
	if (strchr("=+-@", value[0]))
		return "must not start with =, +, - or @ (a spreadsheet formula)";
	return NULL;
}

const char *rq_declared_check_date(const char *value, int64_t now, int64_t *out)
{
	char dmy[32];
	int y = 0, m = 0, d = 0, n = 0;
	if (!value || !value[0]) {
		*out = 0;
		return NULL;
	}
	if (strlen(value) == 10 && sscanf(value, "%4d-%2d-%2d%n", &y, &m, &d, &n) == 3 && n == 10)
		snprintf(dmy, sizeof(dmy), "%02d/%02d/%04d", d % 100, m % 100, y % 10000);
	else if (sscanf(value, "%2d/%2d/%4d%n", &d, &m, &y, &n) == 3 && (size_t)n == strlen(value) && y >= 1000)
		snprintf(dmy, sizeof(dmy), "%02d/%02d/%04d", d % 100, m % 100, y % 10000);
	else
		return "expected a date dd/mm/yyyy or yyyy-mm-dd";
	if (rq_report_parse_date(dmy, 0, out) < 0)
		return "no such day";
	if (*out > now + 86400)
		return "is in the future";
	return NULL;
}

const char *rq_declared_check_counts(int64_t found, int64_t cleaned)
{
	if (found < 0 || cleaned < 0 || found > RQ_DECLARED_COUNT_MAX || cleaned > RQ_DECLARED_COUNT_MAX)
		return "expected a whole number from 0 to 1000000000";
	if (cleaned > found)
		return "more infections cleaned than found";
	return NULL;
}

/* --- the CSV reader --- */

enum { COL_HOST, COL_KIND, COL_PRODUCT, COL_SIG, COL_SCAN, COL_FOUND, COL_CLEANED, COL_COUNT };
static const char *const col_names[COL_COUNT] = {"hostname", "kind", "product", "sig_updated", "last_scan",
						 "infections_found", "infections_cleaned"};
/* Header words accepted for each column (lower-case ASCII compared
 * without case; the Vietnamese as written in the template). */
static const struct {
	const char *word;
	int col;
} header_words[] = {
	{"hostname", COL_HOST},
	{"tên máy", COL_HOST},
	{"kind", COL_KIND},
	{"loại", COL_KIND},
	{"loại máy", COL_KIND},
	{"product", COL_PRODUCT},
	{"sản phẩm", COL_PRODUCT},
	{"sig_updated", COL_SIG},
	{"signatures_updated", COL_SIG},
	{"signatures last updated", COL_SIG},
	{"cập nhật mẫu", COL_SIG},
	{"last_scan", COL_SCAN},
	{"last scan", COL_SCAN},
	{"quét lần cuối", COL_SCAN},
	{"infections_found", COL_FOUND},
	{"infections found", COL_FOUND},
	{"số nhiễm phát hiện", COL_FOUND},
	{"infections_cleaned", COL_CLEANED},
	{"infections cleaned", COL_CLEANED},
	{"số nhiễm đã xử lý", COL_CLEANED},
};

typedef struct reader {
	const char *p, *end;
	char sep;
	int row;                 /* of the record being read */
	char *fields[COL_COUNT + 8];
	size_t nfields;
	int too_long, bad_quote, too_many;
	rq_declared_csv *out;
	int nomem;
} reader;

static void add_error(reader *r, int row, const char *column, const char *fmt, const char *arg)
{
	rq_declared_csv *c = r->out;
	rq_declared_csv_error *n = realloc(c->errors, (c->error_count + 1) * sizeof(*n));
	if (!n) {
		r->nomem = 1;
		return;
	}
	c->errors = n;
	n += c->error_count++;
	n->row = row;
	snprintf(n->column, sizeof(n->column), "%s", column);
	snprintf(n->reason, sizeof(n->reason), fmt, arg ? arg : "");
}

static void clear_fields(reader *r)
{
	for (size_t i = 0; i < r->nfields; i++)
		free(r->fields[i]);
	r->nfields = 0;
}

/* Read one record into r->fields; 0 at the end of the text. */
static int next_record(reader *r)
{
	char buf[RQ_DECLARED_CSV_MAX_FIELD + 1];
	size_t n = 0;
	int quoted = 0, any = 0;
	clear_fields(r);
	r->too_long = r->bad_quote = r->too_many = 0;
	if (r->p >= r->end)
		return 0;
	r->row++;
	for (;;) {
		int at_end = r->p >= r->end;
		char ch = at_end ? '\n' : *r->p++;
		if (quoted) {
			if (at_end) {
				r->bad_quote = 1;
				quoted = 0;
				continue;
			}
			if (ch == '"') {
				if (r->p < r->end && *r->p == '"') {
					r->p++;
				} else {
					quoted = 0;
					continue;
				}
			}
		} else if (ch == '"' && n == 0 && !any) {
			quoted = any = 1;
			continue;
		} else if (ch == r->sep || ch == '\n' || (ch == '\r' && (r->p >= r->end || *r->p == '\n'))) {
			if (ch == '\r')
				r->p++;
			buf[n] = '\0';
			if (r->nfields < sizeof(r->fields) / sizeof(r->fields[0])) {
				if (!(r->fields[r->nfields++] = strdup(buf))) {
					r->nomem = 1;
					return 0;
				}
			} else {
				r->too_many = 1;
			}
			n = 0;
			any = 0;
			if (ch != r->sep)
				return 1;
			continue;
		} else if (ch == '"') {
			r->bad_quote = 1;
		}
		any = 1;
		if (n < RQ_DECLARED_CSV_MAX_FIELD)
			buf[n++] = ch;
		else
			r->too_long = 1;
	}
}

static int ascii_caseeq(const char *a, const char *b)
{
	for (; *a && *b; a++, b++) {
		char x = *a >= 'A' && *a <= 'Z' ? *a - 'A' + 'a' : *a, y = *b >= 'A' && *b <= 'Z' ? *b - 'A' + 'a' : *b;
		if (x != y)
			return 0;
	}
	return *a == *b;
}

/* The separator: the header line's first ',' or ';' outside quotes. */
static char separator_of(const char *p, const char *end)
{
	int quoted = 0;
	for (; p < end && *p != '\n'; p++) {
		if (*p == '"')
			quoted = !quoted;
		else if (!quoted && (*p == ',' || *p == ';'))
			return *p;
	}
	return ',';
}

static int parse_count(const char *s, int64_t *out)
{
	char *end = NULL;
	if (!s[0]) {
		*out = 0;
		return 0;
	}
	if (strspn(s, "0123456789") != strlen(s) || strlen(s) > 10)
		return -1;
	*out = strtoll(s, &end, 10);
	return *out <= RQ_DECLARED_COUNT_MAX ? 0 : -1;
}

/* Check one data record against the header's columns into a row. */
static void read_row(reader *r, const int *col_of, size_t ncols, int64_t now)
{
	const char *v[COL_COUNT] = {"", "", "", "", "", "", ""};
	char host[RQ_DECLARED_HOSTNAME_MAX + 1];
	const char *why, *kind = NULL;
	rq_declared_row x = {.row = r->row};
	size_t errors_before = r->out->error_count;
	if (r->nfields != ncols) {
		char got[64];
		snprintf(got, sizeof(got), "%zu fields where the header has %zu", r->nfields, ncols);
		add_error(r, r->row, "", "%s", got);
		return;
	}
	for (size_t i = 0; i < ncols; i++)
		if (col_of[i] >= 0)
			v[col_of[i]] = rq_trim_blanks(r->fields[i]);
	if ((why = rq_declared_check_hostname(v[COL_HOST], host)))
		add_error(r, r->row, col_names[COL_HOST], "%s", why);
	if ((why = rq_declared_check_kind(v[COL_KIND], &kind)))
		add_error(r, r->row, col_names[COL_KIND], "%s", why);
	if ((why = rq_declared_check_product(v[COL_PRODUCT])))
		add_error(r, r->row, col_names[COL_PRODUCT], "%s", why);
	if ((why = rq_declared_check_date(v[COL_SIG], now, &x.sig_updated)))
		add_error(r, r->row, col_names[COL_SIG], "%s", why);
	if ((why = rq_declared_check_date(v[COL_SCAN], now, &x.last_scan)))
		add_error(r, r->row, col_names[COL_SCAN], "%s", why);
	int bad_found = parse_count(v[COL_FOUND], &x.infections_found) < 0,
	    bad_cleaned = parse_count(v[COL_CLEANED], &x.infections_cleaned) < 0;
	if (bad_found)
		add_error(r, r->row, col_names[COL_FOUND], "%s", "expected a whole number from 0 to 1000000000");
	if (bad_cleaned)
		add_error(r, r->row, col_names[COL_CLEANED], "%s", "expected a whole number from 0 to 1000000000");
	if (!bad_found && !bad_cleaned && (why = rq_declared_check_counts(x.infections_found, x.infections_cleaned)))
		add_error(r, r->row, col_names[COL_CLEANED], "%s", why);
	if (r->out->error_count != errors_before)
		return;
	for (size_t i = 0; i < r->out->row_count; i++)
		if (!strcmp(r->out->rows[i].hostname, host)) {
			char first[48];
			snprintf(first, sizeof(first), "the hostname repeats row %d", r->out->rows[i].row);
			add_error(r, r->row, col_names[COL_HOST], "%s", first);
			break;
		}
	if (r->out->error_count != errors_before)
		return;
	rq_declared_row *n = realloc(r->out->rows, (r->out->row_count + 1) * sizeof(*n));
	if (!n) {
		r->nomem = 1;
		return;
	}
	r->out->rows = n;
	x.hostname = strdup(host);
	x.kind = strdup(kind);
	x.product = strdup(v[COL_PRODUCT]);
	n[r->out->row_count++] = x;
	if (!x.hostname || !x.kind || !x.product)
		r->nomem = 1;
}

int rq_declared_csv_read(const char *text, size_t len, int64_t now, rq_declared_csv *out)
{
	reader r = {.p = text, .end = text + len, .out = out};
	int col_of[sizeof(r.fields) / sizeof(r.fields[0])];
	size_t ncols = 0, data_rows = 0;
	int have[COL_COUNT] = {0}, rc = 0;
	memset(out, 0, sizeof(*out));
	if (len > RQ_DECLARED_CSV_MAX_BYTES) {
		rc = rq_fail(RQ_ELIMIT, "the file is larger than %d bytes", RQ_DECLARED_CSV_MAX_BYTES);
		goto done;
	}
	if (len >= 3 && !memcmp(text, "\xef\xbb\xbf", 3))
		r.p += 3;
	r.sep = separator_of(r.p, r.end);
	/* the header row, skipping blank lines before it */
	while (next_record(&r) && r.nfields == 1 && !rq_trim_blanks(r.fields[0])[0])
		;
	if (r.nomem)
		goto nomem;
	if (r.nfields == 0) {
		add_error(&r, 0, "", "%s", "the file is empty: expected a header row and one row per machine");
		goto done;
	}
	ncols = r.nfields;
	for (size_t i = 0; i < ncols; i++) {
		const char *name = rq_trim_blanks(r.fields[i]);
		col_of[i] = -1;
		for (size_t k = 0; k < sizeof(header_words) / sizeof(header_words[0]); k++)
			if (ascii_caseeq(name, header_words[k].word))
				col_of[i] = header_words[k].col;
		if (col_of[i] < 0)
			add_error(&r, r.row, name, "%s", "unknown column (expected hostname, kind, product, sig_updated,"
							  " last_scan, infections_found, infections_cleaned)");
		else if (have[col_of[i]]++)
			add_error(&r, r.row, name, "%s", "the column is named twice");
	}
	for (int k = 0; k < COL_PRODUCT + 1; k++)
		if (!have[k])
			add_error(&r, r.row, col_names[k], "%s", "the header has no such column: it is required");
	if (out->error_count)
		goto done;
	while (next_record(&r)) {
		if (r.nfields == 1 && !rq_trim_blanks(r.fields[0])[0])
			continue; /* a blank line */
		if (++data_rows > RQ_DECLARED_CSV_MAX_ROWS) {
			rc = rq_fail(RQ_ELIMIT, "more than %d machines in one file", RQ_DECLARED_CSV_MAX_ROWS);
			goto done;
		}
		if (r.too_long)
			add_error(&r, r.row, "", "a field is longer than %s bytes", "1024");
		else if (r.bad_quote)
			add_error(&r, r.row, "", "%s", "a quote in the middle of an unquoted field, or a quoted field never closed");
		else if (r.too_many)
			add_error(&r, r.row, "", "%s", "more fields than the header has");
		else
			read_row(&r, col_of, ncols, now);
		if (r.nomem)
			goto nomem;
	}
	if (r.nomem)
		goto nomem;
	if (data_rows == 0 && !out->error_count)
		add_error(&r, 0, "", "%s", "no machine in the file: expected one row per machine after the header");
	goto done;
nomem:
	rc = rq_fail(RQ_ENOMEM, "out of memory reading the inventory");
done:
	clear_fields(&r);
	return rc;
}

void rq_declared_csv_free(rq_declared_csv *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->row_count; i++) {
		free(c->rows[i].hostname);
		free(c->rows[i].kind);
		free(c->rows[i].product);
	}
	free(c->rows);
	free(c->errors);
	memset(c, 0, sizeof(*c));
}
