/*
 * The store's side of the reports to the national monitoring centre
 * (server/ncsc/, docs/ncsc.md): the figures an AVReport document is made
 * of (machines, malware per machine, connections to malicious addresses,
 * machines with old signatures), and the durable queue of submissions
 * (table ncsc_submissions, migration 8) with their delivery log.
 */
#ifndef RQ_SERVER_STORE_NCSC_H
#define RQ_SERVER_STORE_NCSC_H

#include <stdint.h>

#include "store/store.h"

/* --- the figures of a report; rows are borrowed for the callback's call,
 * a non-zero return from cb stops with RQ_ESTOPPED --- */

typedef struct rq_ncsc_machine {
	int64_t id;
	const char *hostname, *ips_json, *kind;  /* kind: server, workstation, other */
	const char *os_name, *os_version;
	int64_t db_newest_build;                 /* 0: unknown */
	int64_t last_update;                     /* 0: never reported */
	int realtime, firewall;
} rq_ncsc_machine;

/* Every endpoint, by id. */
int rq_store_ncsc_machines(rq_store *s, int (*cb)(const rq_ncsc_machine *m, void *payload), void *payload);

typedef struct rq_ncsc_malware {
	const char *hostname, *ips_json, *kind;
	const char *name, *type;
	int64_t files;                           /* files of this machine with this detection */
	int64_t active, quarantined, removed;    /* of them, in each state */
} rq_ncsc_malware;

/*
 * Detections per (machine, detection name, type): those still active, and
 * those quarantined or removed and last seen at or after `since`. Ignored
 * and restored ones (false positives) are left out.
 */
int rq_store_ncsc_malware(rq_store *s, int64_t since, int (*cb)(const rq_ncsc_malware *m, void *payload),
			  void *payload);

typedef struct rq_ncsc_connection {
	const char *hostname, *ips_json;
	const char *process_path, *md5, *sha256, *remote_addr;
} rq_ncsc_connection;

/* Connections to malicious addresses seen at or after `since`, one per
 * (machine, process, remote address). */
int rq_store_ncsc_connections(rq_store *s, int64_t since,
			      int (*cb)(const rq_ncsc_connection *c, void *payload), void *payload);

/* Endpoints whose newest signature database was built before `before`, or
 * is unknown, into *out. */
int rq_store_ncsc_outdated(rq_store *s, int64_t before, int64_t *out);

/* --- the queue --- */

typedef struct rq_ncsc_submission {
	int64_t id;
	const char *state;            /* queued, sent, failed */
	const char *made_by;          /* schedule, cli, or a login */
	int64_t schedule_slot;        /* 0: not a scheduled one */
	int64_t report_time, created_at;
	int64_t attempts;
	int64_t next_attempt_at, last_attempt_at, sent_at; /* 0: none */
	const char *url;
	int64_t size;
	const char *sha256;
	int64_t http_status;          /* 0: no answer yet */
	const char *response_excerpt, *last_error;
	const char *document;         /* NULL unless asked for */
} rq_ncsc_submission;

/* Add a queued submission (id, state, attempts and times after created_at
 * are ignored; next attempt: now); *out_id gets its id. A schedule_slot
 * already used is RQ_STORE_ECONSTRAINT. */
int rq_store_ncsc_insert(rq_store *s, const rq_ncsc_submission *sub, int64_t *out_id);

/* 1 in *out when a submission was made for schedule slot `slot`. */
int rq_store_ncsc_slot_used(rq_store *s, int64_t slot, int *out);

/*
 * Take the queued submission due first (next attempt at or before `now`)
 * for one delivery attempt: its attempt count goes up and its next
 * attempt moves to `lease_until`, so another server (or this one after a
 * crash) tries it again only then; cb gets the row as claimed, with its
 * document. RQ_ENOTFOUND when none is due.
 */
int rq_store_ncsc_claim(rq_store *s, int64_t now, int64_t lease_until,
			int (*cb)(const rq_ncsc_submission *sub, void *payload), void *payload);

/*
 * The outcome of an attempt of submission `id`: state "sent" (sent_at
 * now), "failed" (no more attempts) or "queued" (again at next_attempt_at).
 * http_status 0: no answer. Texts are stored as given (the caller bounds
 * them).
 */
int rq_store_ncsc_outcome(rq_store *s, int64_t id, const char *state, int64_t now, int64_t next_attempt_at,
			  int64_t http_status, const char *response_excerpt, const char *last_error);

/* Submissions newest first, one page (limit 0: all), without documents;
 * *out_total: all of them. */
int rq_store_ncsc_list(rq_store *s, int64_t limit, int64_t offset, int64_t *out_total,
		       int (*cb)(const rq_ncsc_submission *sub, void *payload), void *payload);

/* Submission `id` (with its document when with_document), or RQ_ENOTFOUND. */
int rq_store_ncsc_get(rq_store *s, int64_t id, int with_document,
		      int (*cb)(const rq_ncsc_submission *sub, void *payload), void *payload);

#endif
