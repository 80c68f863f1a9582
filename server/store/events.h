/*
 * Event ingestion of the store: a batch of agent events (scan summaries,
 * detections, actions on files, connections to malicious addresses,
 * errors), each with its client-generated UUID, written in one
 * transaction; UUIDs already stored are skipped, so a replayed batch adds
 * nothing. Implemented in events.c.
 */
#ifndef RQ_SERVER_STORE_EVENTS_H
#define RQ_SERVER_STORE_EVENTS_H

#include "store/store.h"

typedef enum rq_event_kind {
	RQ_EVENT_SCAN = 1,   /* a finished scan: its summary */
	RQ_EVENT_DETECTION,  /* a file found infected */
	RQ_EVENT_ACTION,     /* a file's state changed (quarantined, removed, restored, ignored) */
	RQ_EVENT_CONNECTION, /* a connection to a malicious address */
	RQ_EVENT_ERROR,      /* an agent error: kept in the events table only */
} rq_event_kind;

/*
 * One event as the API layer parsed it. Only the part of its kind is read;
 * `payload_json` (the event as received, "{}" if NULL) is kept verbatim.
 */
typedef struct rq_store_event {
	const char *uuid;
	rq_event_kind kind;
	int64_t occurred_at;
	const char *payload_json;
	struct {
		const char *kind; /* "quick", "full", "path", "scheduled" */
		int64_t started_at, finished_at;
		int64_t files_scanned, detections, errors;
		const char *result;
	} scan;
	struct { /* detections and actions */
		const char *path, *sha256, *md5, *name, *type, *action;
		const char *state; /* "active", "quarantined", "removed", "restored", "ignored" */
	} file;
	struct {
		const char *remote_addr, *remote_host, *process_path, *indicator, *action;
		const char *process_md5, *process_sha256; /* the executable's digests (NULL: unknown) */
		int64_t remote_port, pid; /* 0: unknown */
	} conn;
} rq_store_event;

/*
 * Store `count` events of `endpoint_id` in one transaction (retried on
 * busy); *out_new is how many were new. Any failure (a CHECK on a state, a
 * missing field) rolls the whole batch back: nothing of it is stored, and
 * the caller does not acknowledge it. More than RQ_STORE_MAX_BATCH events
 * is RQ_ELIMIT.
 *
 * Detections and actions update the detections row of (endpoint, path,
 * sha256): the newest event's state wins, first_seen/last_seen widen, and
 * the endpoint's active_detections is recounted. A full scan moves the
 * endpoint's last_full_scan forward. The endpoint's row of
 * endpoint_coverage (last_scan, last_scan_full, last_detection: see
 * coverage.h) follows its scans and detections in the same transaction.
 */
int rq_store_ingest_events(rq_store *s, int64_t endpoint_id, const rq_store_event *events, size_t count,
			   int64_t now, size_t *out_new);

/*
 * Recount the endpoint's detections in state active into
 * endpoints.active_detections (what the coverage summary reads). Ingestion
 * does it; any other code changing detections.state must call it too, in
 * the same transaction.
 */
int rq_store_detections_recount(rq_store *s, int64_t endpoint_id);

#endif
