/*
 * `raquet-server report`: a unit or provincial report's file written from
 * the command line (counted now, not kept). Reference: docs/reports.md.
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

/* `raquet-server report`: count the figures now, render, write the file. */
int rq_cli_report(const rq_cli_args *a)
{
	int kind = rq_report_kind_parse(a->kind), format = rq_report_format_parse(a->format);
	int lang = a->lang ? rq_lang_parse(a->lang) : RQ_LANG_VI, status = 1;
	int64_t from = 0, to = 0, unit = 0;
	char *agency = NULL, *text = NULL;
	json_t *figures = NULL;
	rq_report_doc doc;
	rq_strbuf out = rq_strbuf_init(RQ_REPORT_MAX_FILE);
	rq_store *s = NULL;
	memset(&doc, 0, sizeof(doc));
	if (kind < 0 || format < 0 || lang < 0 || !a->output || (kind == RQ_REPORT_UNIT) != (a->unit != NULL)) {
		fprintf(stderr, "raquet-server report: needs --kind province|unit (--unit CODE with unit), "
				"--format xlsx|pdf|csv, -o FILE and --lang vi|en if given\n");
		return 2;
	}
	if (rq_report_parse_date(a->from, 0, &from) < 0 || rq_report_parse_date(a->to, 1, &to) < 0 || from >= to) {
		fprintf(stderr, "raquet-server report: --from and --to: %s\n",
			from >= to && from ? "from must not be after to" : rq_error_last());
		return 2;
	}
	if (!(s = rq_cli_open_store(a, &agency)))
		goto done;
	if (kind == RQ_REPORT_UNIT && (unit = rq_cli_unit_by_code(s, a->unit)) <= 0) {
		fprintf(stderr, "raquet-server: %s\n", unit < 0 ? rq_error_last() : "no unit with that code");
		goto done;
	}
	if (rq_report_figures_make(s, (rq_report_kind)kind, unit, from, to, (int64_t)time(NULL), agency, &figures) < 0 ||
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
