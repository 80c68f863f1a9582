/*
 * A scan run by the agent (scanjob.c): scheduled quick and full scans and
 * the server's scan tasks run `raquet scan --json` as a child process, at
 * the agent's low CPU and I/O priority, so a scan that crashes or eats
 * memory cannot take the agent with it and the memory goes back when it
 * ends. Each finding the child prints is put into the outbox at once (a
 * detection, with the action taken; a connection to a malicious address);
 * the scan summary comes last. The daemon polls a job from its loop, so
 * heartbeats go on during a long scan. Guide: docs/agent.md.
 */
#ifndef RQ_AGENT_SCANJOB_H
#define RQ_AGENT_SCANJOB_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "outbox.h"

typedef struct rq_scanjob_spec {
	const char *raquet;       /* the raquet program */
	const char *scan_kind;    /* "quick", "full" or "path" */
	const char *path;         /* what "path" scans (absolute) */
	const char *action;       /* the policy's action_on_detection: "report", "quarantine", "delete" */
	const char *db_dir;       /* signature databases */
	const char *trusted_keys; /* keys of .rqdb databases; NULL: the scanner's default */
	const char *vault_dir;    /* the quarantine vault */
	const json_t *exclusions; /* the policy's path globs (array of strings; NULL: none) */
	const char *const *skip_dirs; /* folders a full scan never enters (the agent's own), NULL-terminated */
	int64_t task_id;          /* the task that asked for it; 0: the schedule */
} rq_scanjob_spec;

typedef struct rq_scanjob rq_scanjob;

/* Start the child. Free with rq_scanjob_free (which stops it if still running). */
int rq_scanjob_start(rq_scanjob **out, const rq_scanjob_spec *spec, rq_outbox *ob);

/*
 * Take what the child printed since the last call, putting each finding
 * into the outbox; when the child has ended, put the scan summary and
 * return 1. 0: still running. An error (the outbox) is returned as is; the
 * job can be polled again.
 */
int rq_scanjob_poll(rq_scanjob *j);

/* Ask the child to stop (SIGTERM): it prints its summary, marked interrupted. */
void rq_scanjob_cancel(rq_scanjob *j);

/*
 * The summary (after rq_scanjob_poll returned 1): the "scan" event's
 * payload -- scan_kind, started, finished, files, infected, errors, result
 * ("clean", "infected", "error", "interrupted"), quarantined, removed,
 * task_id, and the scanner's last error line when it failed. Borrowed.
 */
const json_t *rq_scanjob_summary(const rq_scanjob *j);

/* Kind of a running job ("quick", ...) and its task id (0: scheduled). */
const char *rq_scanjob_kind(const rq_scanjob *j);
int64_t rq_scanjob_task(const rq_scanjob *j);

void rq_scanjob_free(rq_scanjob *j);

/*
 * The arguments given to the scanner for `spec` (for tests and the docs):
 * a NULL-terminated array; free with rq_scanjob_argv_free.
 */
char **rq_scanjob_argv(const rq_scanjob_spec *spec);
void rq_scanjob_argv_free(char **argv);

#endif
