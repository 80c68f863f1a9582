/*
 * `raquet scan --connections` (scan_conns.h): "connection PROTO LOCAL ->
 * REMOTE (STATE) pid N (COMM) EXE: NAME FOUND" lines or one JSON object per
 * malicious connection, each process's executable hashed once.
 */
#include "scan_conns.h"

#include <inttypes.h>
#include <string.h>

#include "jsonw.h"
#include "scan/digest.h"
#include "output.h"
#include "scan_procs.h"

typedef struct conns_run {
	const rq_engine *engine;
	const scan_config *cfg;
	pthread_mutex_t *out_lock;
	volatile const sig_atomic_t *stop;
	conns_totals *t;
	jsonw doc;
	int last_pid;        /* one hash and one kill per process */
	char md5[33], sha256[65];
	int killed_last;
} conns_run;

/* MD5 and SHA-256 of the process's executable, read through /proc/PID/exe (deleted files too); "" if unreadable. */
static void hash_exe(int pid, char md5[33], char sha256[65])
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/exe", pid);
	rq_digests_file_hex(path, md5, sha256);
}

static void text_conn(FILE *out, const rq_netconn *c)
{
	fprintf(out, "connection %s %s -> %s", c->proto, c->local_text, c->remote_text);
	if (*c->state)
		fprintf(out, " (%s)", c->state);
	if (c->pid >= 0) {
		fprintf(out, " pid %d (", c->pid);
		text_put_escaped(out, c->comm);
		fputs(") ", out);
		text_put_escaped(out, c->exe);
	}
}

static void json_conn(conns_run *run, FILE *out, const rq_netconn *c, const rq_address_match *m,
		      int kill_tried, int killed, const char *error)
{
	jsonw *w = &run->doc;
	jsonw_reset(w);
	jsonw_object_begin(w);
	jsonw_key(w, "connection");
	jsonw_object_begin(w);
	jsonw_field_string(w, "protocol", c->proto);
	jsonw_field_string(w, "local", c->local_text);
	jsonw_field_string(w, "remote", c->remote_text);
	jsonw_field_string(w, "state", c->state);
	jsonw_object_end(w);
	if (c->pid >= 0) {
		jsonw_key(w, "process");
		jsonw_object_begin(w);
		jsonw_field_u64(w, "pid", (uint64_t)c->pid);
		jsonw_field_bytes(w, "comm", c->comm);
		jsonw_field_bytes(w, "exe", c->exe);
		jsonw_field_string(w, "md5", run->md5[0] ? run->md5 : NULL);
		jsonw_field_string(w, "sha256", run->sha256[0] ? run->sha256 : NULL);
		jsonw_object_end(w);
	}
	jsonw_field_string(w, "status", "malicious");
	jsonw_field_bytes(w, "detection", m->name);
	jsonw_field_bytes(w, "source", m->source);
	if (kill_tried)
		procs_json_kill(w, killed, error);
	jsonw_object_end(w);
	jsonw_emit(w, out);
}

static int on_conn(const rq_netconn *c, void *payload)
{
	conns_run *run = payload;
	const scan_config *cfg = run->cfg;
	rq_address_match m;
	run->t->connections++;
	if (!rq_engine_match_ip(run->engine, c->remote, &m))
		return *run->stop;
	int new_process = c->pid >= 0 && c->pid != run->last_pid;
	int kill_tried = 0, killed = 0;
	char error[512] = "";
	if (new_process) {
		run->last_pid = c->pid;
		hash_exe(c->pid, run->md5, run->sha256);
		run->killed_last = 0;
		if (cfg->kill) {
			uint64_t start = 0;
			int rc = rq_proc_start_time(&start, c->pid);
			int gone = !rc && !rq_netconn_holds(c->pid, c->inode);
			if (!rc && !gone)
				rc = rq_proc_kill(c->pid, start);
			kill_tried = 1;
			killed = run->killed_last = rc == 0 && !gone;
			if (gone)
				snprintf(error, sizeof(error), "process %d no longer holds the connection", c->pid);
			else if (rc)
				snprintf(error, sizeof(error), "%s",
					 *rq_error_last() ? rq_error_last() : rq_error_name(rc));
		}
	} else if (c->pid < 0) {
		run->md5[0] = run->sha256[0] = '\0';
	}
	pthread_mutex_lock(run->out_lock);
	run->t->malicious++;
	run->t->killed += (uint64_t)killed;
	run->t->errors += (uint64_t)(kill_tried && !killed);
	if (cfg->json) {
		json_conn(run, stdout, c, &m, kill_tried, killed, error);
	} else {
		if (!cfg->quiet) {
			text_conn(stdout, c);
			fputs(": ", stdout);
			text_put_escaped(stdout, m.name);
			fputs(" FOUND\n", stdout);
		}
		if (kill_tried) {
			fprintf(stdout, "process %d: ", c->pid);
			if (killed) {
				fputs("killed\n", stdout);
			} else {
				fputs("cannot kill: ", stdout);
				text_put_escaped(stdout, error);
				fputs(" ERROR\n", stdout);
			}
		}
	}
	pthread_mutex_unlock(run->out_lock);
	return *run->stop;
}

int scan_connections(const rq_engine *engine, const scan_config *cfg, pthread_mutex_t *out_lock,
		     volatile const sig_atomic_t *stop, conns_totals *out)
{
	conns_run run = { .engine = engine, .cfg = cfg, .out_lock = out_lock, .stop = stop, .t = out,
			  .last_pid = -1 };
	memset(out, 0, sizeof(*out));
	jsonw_init(&run.doc);
	int rc = rq_netconn_each("/", on_conn, &run);
	jsonw_free(&run.doc);
	if (rc != 0 && rc != RQ_ESTOPPED) {
		fprintf(stderr, "ERROR: connections: %s\n", *rq_error_last() ? rq_error_last() : rq_error_name(rc));
		out->errors++;
		return -1;
	}
	return 0;
}

void conns_summary(FILE *out, const scan_config *cfg, const conns_totals *t)
{
	if (cfg->json) {
		jsonw w;
		jsonw_init(&w);
		jsonw_object_begin(&w);
		jsonw_key(&w, "connection_summary");
		jsonw_object_begin(&w);
		jsonw_field_u64(&w, "connections", t->connections);
		jsonw_field_u64(&w, "malicious", t->malicious);
		jsonw_field_u64(&w, "killed", t->killed);
		jsonw_object_end(&w);
		jsonw_object_end(&w);
		jsonw_emit(&w, out);
		jsonw_free(&w);
		return;
	}
	fprintf(out, "Connections checked: %" PRIu64 "\n", t->connections);
	fprintf(out, "Malicious connections: %" PRIu64 "\n", t->malicious);
	if (cfg->kill)
		fprintf(out, "Killed processes (connections): %" PRIu64 "\n", t->killed);
}
