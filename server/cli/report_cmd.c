/*
 * `raquet-server report`: a unit, provincial or campaign report's file
 * written from the command line (counted now, not kept). Reference: docs/reports.md.
 */
#include "cli/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "core/error.h"
#include "report/figures.h"
#include "report/render.h"
#include "store/campaigns.h"

/* The campaign --campaign names, copied out of the store's row. */
typedef struct campaign_copy {
	rq_campaign c;             /* its strings point into the buffers below */
	char name[RQ_CAMPAIGN_NAME_MAX + 1], unit_deadline[16], dept_deadline[16];
} campaign_copy;

static int copy_campaign(const rq_campaign *c, void *payload)
{
	campaign_copy *o = payload;
	o->c = *c;
	snprintf(o->name, sizeof(o->name), "%s", c->name);
	snprintf(o->unit_deadline, sizeof(o->unit_deadline), "%s", c->unit_deadline);
	snprintf(o->dept_deadline, sizeof(o->dept_deadline), "%s", c->dept_deadline);
	o->c.name = o->name;
	o->c.unit_deadline = o->unit_deadline;
	o->c.dept_deadline = o->dept_deadline;
	o->c.unit_name = o->c.status = NULL; /* not kept */
	return 0;
}

/* The figures of the campaign `id_text` made now into *figures. */
static int campaign_figures(rq_store *s, const char *id_text, const char *agency, json_t **figures)
{
	campaign_copy c;
	char *end = NULL;
	long long id = strtoll(id_text, &end, 10);
	int rc;
	memset(&c, 0, sizeof(c));
	if (!end || *end || id <= 0)
		return rq_fail(RQ_EINVAL, "--campaign: expected a campaign's id");
	if ((rc = rq_store_campaign_get(s, id, copy_campaign, &c)) < 0)
		return rc == RQ_ENOTFOUND ? rq_fail(RQ_ENOTFOUND, "no campaign %lld", id) : rc;
	rq_report_campaign_query q = rq_report_campaign_query_of(&c.c);
	return rq_report_figures_make_campaign(s, &q, (int64_t)time(NULL), agency, figures);
}

/* The usage errors of the command line: 0, or 2 after saying why. */
static int check_args(const rq_cli_args *a, int kind, int format, int lang, int64_t *from, int64_t *to)
{
	if (a->campaign) {
		if (format >= 0 && lang >= 0 && a->output && !a->kind && !a->unit && !a->from && !a->to)
			return 0;
		fprintf(stderr, "raquet-server report: --campaign ID needs --format xlsx|pdf|csv and -o FILE "
				"(--lang vi|en if given); its units and period are the campaign's\n");
		return 2;
	}
	if (kind < 0 || format < 0 || lang < 0 || !a->output || (kind == RQ_REPORT_UNIT) != (a->unit != NULL)) {
		fprintf(stderr, "raquet-server report: needs --kind province|unit (--unit CODE with unit), "
				"--format xlsx|pdf|csv, -o FILE and --lang vi|en if given\n");
		return 2;
	}
	if (rq_report_parse_date(a->from, 0, from) < 0 || rq_report_parse_date(a->to, 1, to) < 0 || *from >= *to) {
		fprintf(stderr, "raquet-server report: --from and --to: %s\n",
			*from >= *to && *from ? "from must not be after to" : rq_error_last());
		return 2;
	}
	return 0;
}

/* `raquet-server report`: count the figures now (of a period, or of a
 * campaign), render, write the file. */
int rq_cli_report(const rq_cli_args *a)
{
	int kind = rq_report_kind_parse(a->kind), format = rq_report_format_parse(a->format);
	int lang = a->lang ? rq_lang_parse(a->lang) : RQ_LANG_VI, status;
	int64_t from = 0, to = 0, unit = 0;
	char *agency = NULL, *text = NULL;
	json_t *figures = NULL;
	rq_report_doc doc;
	rq_strbuf out = rq_strbuf_init(RQ_REPORT_MAX_FILE);
	rq_store *s = NULL;
	memset(&doc, 0, sizeof(doc));
	if ((status = check_args(a, kind, format, lang, &from, &to)))
		return status;
	status = 1;
	if (!(s = rq_cli_open_store(a, &agency)))
		goto done;
	if (!a->campaign && kind == RQ_REPORT_UNIT && (unit = rq_cli_unit_by_code(s, a->unit)) <= 0) {
		fprintf(stderr, "raquet-server: %s\n", unit < 0 ? rq_error_last() : "no unit with that code");
		goto done;
	}
	if ((a->campaign ? campaign_figures(s, a->campaign, agency, &figures)
			 : rq_report_figures_make(s, (rq_report_kind)kind, unit, from, to, (int64_t)time(NULL), agency,
						  &figures)) < 0 ||
	    !(text = json_dumps(figures, JSON_COMPACT)) || rq_report_doc_parse(text, &doc) < 0 ||
	    rq_report_render(&doc, (rq_lang)lang, (rq_report_format)format, &out) < 0 ||
	    rq_cli_write_file(a->output, out.p ? out.p : "", out.len) < 0) {
		fprintf(stderr, "raquet-server: report: %s\n", rq_error_last());
		goto done;
	}
	status = 0;
done:
	rq_strbuf_free(&out);
	rq_report_doc_free(&doc);
	free(text);
	json_decref(figures);
	free(agency);
	rq_store_close(s);
	rq_report_render_cleanup();
	return status;
}
