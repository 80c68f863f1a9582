/*
 * The state of each TAXII pull source in the store (table taxii_pull_state,
 * migration 16; server/intel/taxii_pull.c, docs/intel.md): where the next
 * pull starts (added_after), a pull asked for from the API, and what the
 * last run did or why it failed. A page's indicators and its new
 * added_after are written in one transaction, so a crash never skips or
 * half-imports a page.
 */
#ifndef RQ_SERVER_STORE_TAXII_PULL_H
#define RQ_SERVER_STORE_TAXII_PULL_H

#include <stdint.h>

#include "store/store.h"

typedef struct rq_taxii_pull_state {
	char added_after[64];      /* "": from the start */
	int64_t requested_at;      /* a pull asked for; 0: none */
	int64_t started_at, finished_at, last_success; /* 0: never */
	char last_error[512];      /* "" after a good run */
	int64_t last_http_status;  /* of the last request; 0: none answered */
	int64_t failures;          /* failed runs in a row */
	int64_t run_pages, run_objects, run_indicators; /* of the last (or running) run */
	int64_t total_objects, total_indicators;
	int running;               /* claimed and not finished (or killed: see alive_at) */
	int64_t alive_at;          /* the running pull's last sign of life */
} rq_taxii_pull_state;

/* The state of source `name` (all zero, "" when it never ran). */
int rq_store_taxii_pull_get(rq_store *s, const char *name, rq_taxii_pull_state *out);

/* Ask for a pull of `name` (the worker starts it within a second). */
int rq_store_taxii_pull_request(rq_store *s, const char *name, int64_t now);

/*
 * Claim a run of `name` at `now`: *out_claimed 1 when this caller won (the
 * run counters are reset), 0 when another server or command runs it -- a
 * run not finished that showed a sign of life (rq_store_taxii_pull_alive)
 * less than `lease` seconds ago. A run killed mid-way holds its claim no
 * longer than `lease`. Serialises servers sharing a PostgreSQL store.
 */
int rq_store_taxii_pull_claim(rq_store *s, const char *name, int64_t now, int64_t lease, int *out_claimed);

/* The running pull of `name` is alive at `now` (before each request). */
int rq_store_taxii_pull_alive(rq_store *s, const char *name, int64_t now);

/* Inside a page's transaction: the page is imported; the next pull starts
 * after `added_last` ("" or NULL: unchanged). */
int rq_store_taxii_pull_page(rq_store *s, const char *name, const char *added_last, int64_t objects,
			     int64_t indicators, int64_t now);

/* The run ended at `now`: `error` "" (a success) or why it failed (no
 * secret in it), with the last HTTP status (0: none). */
int rq_store_taxii_pull_finish(rq_store *s, const char *name, int64_t now, const char *error, long http_status);

/* Forget where `name` was: its next pull starts from the beginning. */
int rq_store_taxii_pull_reset(rq_store *s, const char *name);

#endif
