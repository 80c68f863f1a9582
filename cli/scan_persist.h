/*
 * `raquet scan --persistence`: finds every persistence entry of the machine
 * (lib/remedy/persist.c), scans each distinct target file once, disables the
 * entries whose target is detected when asked, and prints them as text or
 * JSON. Reference: docs/cli.md.
 */
#ifndef RQ_CLI_SCAN_PERSIST_H
#define RQ_CLI_SCAN_PERSIST_H

#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>

#include "raquet/raquet.h"
#include "scan_options.h"

/* What the persistence scan found. */
typedef struct persist_totals {
	uint64_t entries;  /* entries found, detected or not */
	uint64_t targets;  /* distinct targets looked at (missing ones included) */
	uint64_t infected; /* entries whose target is detected */
	uint64_t errors;   /* a search that could not run, or an entry not disabled */
	uint64_t disabled; /* --disable-persistence: entries disabled */
} persist_totals;

/* cfg->persistence is 1 for --persistence, PERSIST_DISABLE for
 * --disable-persistence (which implies it). */
#define PERSIST_DISABLE 2

/*
 * Scan the targets of the persistence entries under cfg->persistence_root
 * (or "/") with a scanner on `engine`, printing under `out_lock`; `stop` is
 * polled between targets. Fills `out`. Returns 0, or -1 after printing an
 * error. Targets that are missing or not regular files are skipped.
 */
int scan_persistence(const rq_engine *engine, const scan_config *cfg, const rq_scan_options *so,
		     pthread_mutex_t *out_lock, volatile const sig_atomic_t *stop,
		     persist_totals *out);

/* The "Persistence" lines of the text summary, or the JSON "persistence_summary" line. */
void persist_summary(FILE *out, const scan_config *cfg, const persist_totals *t);

#endif
