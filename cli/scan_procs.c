/*
 * `raquet scan --processes`: runs the process scan of the library, prints
 * "process PID (COMM) PATH: NAME FOUND" lines or one JSON object per
 * detected process, and with --kill stops each such process through
 * rq_proc_kill (which re-checks its identity). Reference: docs/cli.md.
 */
#include "scan_procs.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "jsonw.h"
#include "output.h"

typedef struct procs_run {
	const scan_config *cfg;
	pthread_mutex_t *out_lock;
	volatile const sig_atomic_t *stop;
	procs_totals *t;
	jsonw doc;
} procs_run;

static void text_process(FILE *out, const rq_proc_report *rep)
{
	fprintf(out, "process %d (", rep->pid);
	text_put_escaped(out, rep->comm);
	fputc(')', out);
}

static void text_report(FILE *out, const scan_config *cfg, const rq_proc_report *rep,
			int kill_tried, int killed, const char *error)
{
	if (!cfg->quiet) {
		for (size_t i = 0; i < rep->hit_count; i++) {
			const rq_proc_hit *h = &rep->hits[i];
			for (size_t k = 0; k < h->name_count; k++) {
				text_process(out, rep);
				fputc(' ', out);
				text_put_escaped(out, h->path);
				fputs(h->deleted ? " (deleted): " : ": ", out);
				text_put_escaped(out, h->names[k]);
				fputs(" FOUND\n", out);
			}
		}
	}
	if (kill_tried && killed && !cfg->quiet) {
		text_process(out, rep);
		fputs(": killed\n", out);
	} else if (kill_tried && !killed) {
		text_process(out, rep);
		fputs(": cannot kill: ", out);
		text_put_escaped(out, error);
		fputs(" ERROR\n", out);
	}
}

static void json_report(procs_run *run, FILE *out, const rq_proc_report *rep, int kill_tried,
			int killed, const char *error)
{
	jsonw *w = &run->doc;
	jsonw_reset(w);
	jsonw_object_begin(w);
	jsonw_key(w, "process");
	jsonw_object_begin(w);
	jsonw_field_u64(w, "pid", (uint64_t)rep->pid);
	jsonw_field_bytes(w, "comm", rep->comm);
	jsonw_field_bytes(w, "exe", rep->exe);
	jsonw_key(w, "deleted");
	jsonw_bool(w, rep->exe_deleted);
	jsonw_field_u64(w, "start_time", rep->start_time);
	jsonw_object_end(w);
	jsonw_field_string(w, "status", "infected");
	jsonw_key(w, "images");
	jsonw_array_begin(w);
	for (size_t i = 0; i < rep->hit_count; i++) {
		const rq_proc_hit *h = &rep->hits[i];
		jsonw_object_begin(w);
		jsonw_field_bytes(w, "path", h->path);
		jsonw_key(w, "deleted");
		jsonw_bool(w, h->deleted);
		jsonw_field_string(w, "kind", h->is_exe ? "executable" : "mapped");
		jsonw_key(w, "detections");
		jsonw_array_begin(w);
		for (size_t k = 0; k < h->name_count; k++)
			jsonw_string(w, h->names[k]);
		jsonw_array_end(w);
		jsonw_object_end(w);
	}
	jsonw_array_end(w);
	if (kill_tried)
		procs_json_kill(w, killed, error);
	jsonw_object_end(w);
	jsonw_emit(w, out);
}

void procs_json_kill(jsonw *w, int killed, const char *error)
{
	jsonw_key(w, "action");
	jsonw_object_begin(w);
	jsonw_field_string(w, "kind", "kill");
	jsonw_key(w, "ok");
	jsonw_bool(w, killed);
	if (!killed)
		jsonw_field_bytes(w, "error", error);
	jsonw_object_end(w);
}

static int on_process(const rq_proc_report *rep, void *payload)
{
	procs_run *run = payload;
	const scan_config *cfg = run->cfg;
	int killed = 0;
	char error[512] = "";
	if (cfg->kill) {
		int rc = rq_proc_kill(rep->pid, rep->start_time);
		killed = rc == 0;
		if (rc != 0)
			snprintf(error, sizeof(error), "%s",
				 *rq_error_last() ? rq_error_last() : rq_error_name(rc));
	}
	pthread_mutex_lock(run->out_lock);
	run->t->infected++;
	run->t->killed += (uint64_t)killed;
	run->t->errors += (uint64_t)(cfg->kill && !killed);
	if (cfg->json)
		json_report(run, stdout, rep, cfg->kill, killed, error);
	else
		text_report(stdout, cfg, rep, cfg->kill, killed, error);
	pthread_mutex_unlock(run->out_lock);
	return *run->stop;
}

int scan_processes(const rq_engine *engine, const scan_config *cfg, const rq_scan_options *so,
		   pthread_mutex_t *out_lock, volatile const sig_atomic_t *stop, procs_totals *out)
{
	rq_scanner *scanner = NULL;
	procs_run run = { .cfg = cfg, .out_lock = out_lock, .stop = stop, .t = out };
	int status = 0;
	memset(out, 0, sizeof(*out));
	jsonw_init(&run.doc);
	int rc = rq_scanner_new(&scanner, engine, so);
	if (rc == 0)
		rc = rq_procs_scan(scanner, on_process, &run, &out->st);
	if (rc != 0 && rc != RQ_ESTOPPED) {
		fprintf(stderr, "ERROR: processes: %s\n",
			*rq_error_last() ? rq_error_last() : rq_error_name(rc));
		out->errors++;
		status = -1;
	}
	rq_scanner_free(scanner);
	jsonw_free(&run.doc);
	return status;
}

void procs_summary(FILE *out, const scan_config *cfg, const procs_totals *t)
{
	if (cfg->json) {
		jsonw w;
		jsonw_init(&w);
		jsonw_object_begin(&w);
		jsonw_key(&w, "process_summary");
		jsonw_object_begin(&w);
		jsonw_field_u64(&w, "processes", t->st.processes);
		jsonw_field_u64(&w, "unreadable", t->st.unreadable);
		jsonw_field_u64(&w, "images", t->st.images);
		jsonw_field_u64(&w, "image_errors", t->st.image_errors);
		jsonw_field_u64(&w, "infected", t->infected);
		jsonw_field_u64(&w, "killed", t->killed);
		jsonw_object_end(&w);
		jsonw_object_end(&w);
		jsonw_emit(&w, out);
		jsonw_free(&w);
		return;
	}
	fprintf(out, "Scanned processes: %" PRIu64 " (%" PRIu64 " images, %" PRIu64
		" not readable)\n", t->st.processes, t->st.images, t->st.unreadable);
	fprintf(out, "Infected processes: %" PRIu64 "\n", t->infected);
	if (cfg->kill)
		fprintf(out, "Killed processes: %" PRIu64 "\n", t->killed);
}
