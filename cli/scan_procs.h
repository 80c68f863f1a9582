/*
 * `raquet scan --processes [--kill]`: scans the images of the running
 * processes (lib/remedy/procs.c), prints one result per detected process in
 * the text or JSON format, and kills them with --kill. Reference: docs/cli.md.
 */
#ifndef RQ_CLI_SCAN_PROCS_H
#define RQ_CLI_SCAN_PROCS_H

#include <pthread.h>
#include <signal.h>
#include <stdint.h>

#include "jsonw.h"
#include "raquet/raquet.h"
#include "raquet/procs.h"
#include "scan_options.h"

/* What the process scan found and did. */
typedef struct procs_totals {
	rq_procs_stats st;
	uint64_t infected; /* processes running a detected image */
	uint64_t killed;   /* of those, killed by --kill */
	uint64_t errors;   /* failed kills, and a scan that could not run */
} procs_totals;

/*
 * Scan every process's images with a scanner on `engine`, printing under
 * `out_lock`. `stop` is polled between processes (Ctrl-C). Fills `out`.
 * Returns 0, or -1 after printing an error (the scan could not be done).
 */
int scan_processes(const rq_engine *engine, const scan_config *cfg, const rq_scan_options *so,
		   pthread_mutex_t *out_lock, volatile const sig_atomic_t *stop, procs_totals *out);

/* The JSON "action" object of a kill: {"kind":"kill","ok":...,"error":...}. */
void procs_json_kill(jsonw *w, int killed, const char *error);

/* The "Processes" lines of the text summary, or the JSON "process_summary" line. */
void procs_summary(FILE *out, const scan_config *cfg, const procs_totals *t);

#endif
