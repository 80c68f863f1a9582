/*
 * The agent's durable outbox: every event to report (scan summaries,
 * detections, actions, connections, errors) is committed to a local SQLite
 * file before anything else happens, and leaves it only when the server has
 * acknowledged its UUID. A kill or power cut at any moment loses nothing
 * that rq_outbox_put returned for; retries send the same UUIDs, so the
 * server drops duplicates. A size cap keeps a machine that is offline for
 * months from filling its disk: summaries are kept, the oldest details are
 * dropped, and how many were dropped is itself reported.
 */
#ifndef RQ_AGENT_OUTBOX_H
#define RQ_AGENT_OUTBOX_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

typedef struct rq_outbox rq_outbox;

/* Event classes, for the cap: details go first, summaries last. */
typedef enum rq_event_class {
	RQ_EVENT_DETAIL = 0,  /* one detection, action, connection, error */
	RQ_EVENT_SUMMARY = 1, /* a scan summary: kept as long as possible */
} rq_event_class;

typedef struct rq_outbox_limits {
	uint64_t max_bytes;   /* payload bytes kept (0: RQ_OUTBOX_DEFAULT_MAX) */
	size_t max_payload;   /* largest single event (0: RQ_OUTBOX_DEFAULT_PAYLOAD) */
	size_t reserve;       /* disk kept aside to acknowledge when full (0: RQ_OUTBOX_DEFAULT_RESERVE) */
} rq_outbox_limits;

/* 64 MiB of queued events: months of a busy machine's detections and summaries. */
#define RQ_OUTBOX_DEFAULT_MAX (64ULL * 1024 * 1024)
/*
 * A file of this size is kept beside the outbox ("PATH.reserve"): when the
 * disk fills up, removing it gives SQLite the room to delete acknowledged
 * events, so a full disk never blocks the way out (it must exceed the
 * write-ahead log, kept under 128 KiB). Queueing refuses to go on while it
 * cannot be put back.
 */
#define RQ_OUTBOX_DEFAULT_RESERVE (1024 * 1024)
/* One event's JSON: far above a detection or summary, bounds a runaway producer. */
#define RQ_OUTBOX_DEFAULT_PAYLOAD (256 * 1024)

/* Open (creating) the outbox file; `lim` may be NULL for defaults. */
int rq_outbox_open(rq_outbox **out, const char *path, const rq_outbox_limits *lim);
void rq_outbox_close(rq_outbox *ob);

/*
 * Queue one event: `kind` ("detection", "scan", ...), its JSON `payload`,
 * its time. On return 0 the event is on disk (fsync'd) and `uuid` (37
 * bytes, may be NULL) holds its new random UUID. Errors: RQ_ELIMIT
 * (payload too large), RQ_EIO (disk full: nothing is half-written).
 */
int rq_outbox_put(rq_outbox *ob, const char *kind, rq_event_class cls, const char *payload,
		  int64_t when, char uuid[37]);

/*
 * rq_outbox_put of `payload` as compact JSON, timed now. A NULL payload
 * (a json_pack that failed) is RQ_ENOMEM, so callers can pass a pack's
 * result straight in. The payload stays the caller's.
 */
int rq_outbox_put_json(rq_outbox *ob, const char *kind, rq_event_class cls, const json_t *payload);

/* One queued event, as handed to the sender. Strings owned by the batch. */
typedef struct rq_outbox_event {
	char uuid[37];
	const char *kind;
	const char *payload;
	int64_t when;
	int attempts;         /* times it was handed out before */
} rq_outbox_event;

typedef struct rq_outbox_batch {
	rq_outbox_event *events;
	size_t count;
	char *strings;        /* backing store of kind/payload */
} rq_outbox_batch;

/*
 * The oldest events (in queue order, not by clock: clock jumps do not
 * reorder), at most `max_events` and about `max_bytes` of payload (at least
 * one). When events were dropped by the cap, the batch starts with an
 * "outbox-dropped" event counting them by kind (its UUID is stable until
 * acknowledged). Nothing is removed: call rq_outbox_ack after the server's
 * answer. Free with rq_outbox_batch_free.
 */
int rq_outbox_next(rq_outbox *ob, size_t max_events, size_t max_bytes, rq_outbox_batch *out);
void rq_outbox_batch_free(rq_outbox_batch *b);

/* Remove acknowledged events (unknown UUIDs are ignored: acks may repeat). */
int rq_outbox_ack(rq_outbox *ob, const char *const *uuids, size_t count);

typedef struct rq_outbox_stats {
	uint64_t events, bytes;
	uint64_t dropped;     /* dropped by the cap and not yet reported */
} rq_outbox_stats;

int rq_outbox_stats_get(rq_outbox *ob, rq_outbox_stats *st);

/*
 * Delay before the next try after `failures` consecutive failed sends:
 * exponential from `base_ms`, capped at `max_ms`, with full jitter (a
 * uniform draw in [0, delay]) so thousands of agents coming back after an
 * outage do not hit the server in step.
 */
int64_t rq_backoff_ms(unsigned failures, int64_t base_ms, int64_t max_ms);

#endif
