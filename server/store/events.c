/*
 * Idempotent ingestion of agent event batches (see events.h): the events
 * first go into the events table by multi-row INSERTs with ON CONFLICT DO
 * NOTHING RETURNING uuid; only a new row is then applied to its own table
 * (scan summaries, detections, connections), in the batch's order. The
 * same SQL on both backends.
 */
#include <stdio.h>
#include <string.h>

#include "core/error.h"
#include "store/events.h"

typedef struct ingest_args {
	int64_t endpoint_id, now;
	const rq_store_event *events;
	size_t count, added;
} ingest_args;

/*
 * What a batch brings to its endpoint's last_scan and last_scan_full
 * (endpoint_coverage, see coverage.h), written once at the end of the
 * batch: its newest finished scan and full or scheduled scan.
 */
typedef struct batch_newest {
	int scan, full; /* 1: the time below is set */
	int64_t scan_at, full_at;
	int files; /* detection or action events applied */
} batch_newest;

static void newest(int *set, int64_t *at, int64_t v)
{
	if (!*set || v > *at)
		*at = v;
	*set = 1;
}

static const char *kind_name(rq_event_kind k)
{
	switch (k) {
	case RQ_EVENT_SCAN:
		return "scan";
	case RQ_EVENT_DETECTION:
		return "detection";
	case RQ_EVENT_ACTION:
		return "action";
	case RQ_EVENT_CONNECTION:
		return "connection";
	case RQ_EVENT_ERROR:
		return "error";
	}
	return NULL;
}

static const char *or_empty(const char *s)
{
	return s ? s : "";
}

static int bind_opt(rq_stmt *st, int idx, int64_t v)
{
	return v ? rq_stmt_bind_int64(st, idx, v) : rq_stmt_bind_null(st, idx);
}

/*
 * Events are recorded by multi-row INSERTs of at most EVENT_CHUNK rows,
 * whose RETURNING lists the UUIDs actually inserted (ON CONFLICT DO NOTHING
 * leaves out the ones stored before): one statement per chunk instead of
 * one per event. Chunk sizes are powers of four, so the statement cache
 * holds at most four texts. $1 endpoint, $2 received_at, then per row
 * uuid, kind, occurred_at, payload.
 */
#define EVENT_CHUNK 64
#define EVENT_SQL_MAX (160 + EVENT_CHUNK * 40)

static void event_sql(char *buf, size_t rows)
{
	size_t n = (size_t)snprintf(buf, EVENT_SQL_MAX,
				    "INSERT INTO events (endpoint_id, received_at, uuid, kind, occurred_at, payload) VALUES");
	for (size_t r = 0; r < rows; r++)
		n += (size_t)snprintf(buf + n, EVENT_SQL_MAX - n, "%s($1, $2, $%zu, $%zu, $%zu, $%zu)", r ? ", " : " ",
				      3 + 4 * r, 4 + 4 * r, 5 + 4 * r, 6 + 4 * r);
	snprintf(buf + n, EVENT_SQL_MAX - n, " ON CONFLICT (endpoint_id, uuid) DO NOTHING RETURNING uuid");
}

/* Record events[0..rows-1]; is_new[i] = 1 for each one inserted now. */
static int record_chunk(rq_store *s, const ingest_args *a, const rq_store_event *evs, size_t rows, char *is_new)
{
	char sql[EVENT_SQL_MAX];
	rq_stmt *st = NULL;
	int rc;
	event_sql(sql, rows);
	rc = rq_store_prepare(s, &st, sql);
	if (rc < 0 || (rc = rq_stmt_bind_int64(st, 1, a->endpoint_id)) < 0 || (rc = rq_stmt_bind_int64(st, 2, a->now)) < 0)
		goto done;
	for (size_t r = 0; r < rows; r++) {
		const rq_store_event *ev = &evs[r];
		int p = 3 + 4 * (int)r;
		if ((rc = rq_stmt_bind_text(st, p, ev->uuid)) < 0 || (rc = rq_stmt_bind_text(st, p + 1, kind_name(ev->kind))) < 0 ||
		    (rc = rq_stmt_bind_int64(st, p + 2, ev->occurred_at)) < 0 ||
		    (rc = rq_stmt_bind_text(st, p + 3, ev->payload_json ? ev->payload_json : "{}")) < 0)
			goto done;
	}
	memset(is_new, 0, rows);
	while ((rc = rq_stmt_step(st)) == RQ_STORE_ROW) {
		/* a UUID twice in the chunk is inserted (and returned) once: the first is new */
		const char *uuid = rq_stmt_column_text(st, 0);
		for (size_t r = 0; uuid && r < rows; r++)
			if (!is_new[r] && strcmp(evs[r].uuid, uuid) == 0) {
				is_new[r] = 1;
				break;
			}
	}
done:
	rq_stmt_finalize(st);
	return rc < 0 ? rc : 0;
}

static int apply_scan(rq_store *s, const ingest_args *a, const rq_store_event *ev, batch_newest *b)
{
	rq_stmt *st = NULL;
	int rc = rq_store_prepare(s, &st,
				  "INSERT INTO scan_summaries (endpoint_id, event_uuid, kind, started_at, finished_at,"
				  " files_scanned, detections, errors, result) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)");
	if (rc < 0)
		goto done;
	if ((rc = rq_stmt_bind_int64(st, 1, a->endpoint_id)) < 0 || (rc = rq_stmt_bind_text(st, 2, ev->uuid)) < 0 ||
	    (rc = rq_stmt_bind_text(st, 3, ev->scan.kind)) < 0 ||
	    (rc = rq_stmt_bind_int64(st, 4, ev->scan.started_at)) < 0 ||
	    (rc = bind_opt(st, 5, ev->scan.finished_at)) < 0 ||
	    (rc = rq_stmt_bind_int64(st, 6, ev->scan.files_scanned)) < 0 ||
	    (rc = rq_stmt_bind_int64(st, 7, ev->scan.detections)) < 0 ||
	    (rc = rq_stmt_bind_int64(st, 8, ev->scan.errors)) < 0 ||
	    (rc = rq_stmt_bind_text(st, 9, or_empty(ev->scan.result))) < 0)
		goto done;
	if ((rc = rq_stmt_step(st)) < 0)
		goto done;
	/* a finished_at of 0 was stored as NULL (bind_opt): not finished */
	if (ev->scan.finished_at != 0) {
		newest(&b->scan, &b->scan_at, ev->scan.finished_at);
		if (!strcmp(ev->scan.kind, "full") || !strcmp(ev->scan.kind, "scheduled"))
			newest(&b->full, &b->full_at, ev->scan.finished_at);
	}
	if (ev->scan.finished_at > 0 && strcmp(ev->scan.kind, "full") == 0) {
		const int64_t params[] = {a->endpoint_id, ev->scan.finished_at};
		rc = rq_store_run(s, NULL,
				  "UPDATE endpoints SET last_full_scan = $2 WHERE id = $1"
				  " AND (last_full_scan IS NULL OR last_full_scan < $2)",
				  params, 2);
	}
done:
	rq_stmt_finalize(st);
	return rc < 0 ? rc : 0;
}

static int apply_file(rq_store *s, const ingest_args *a, const rq_store_event *ev, batch_newest *b)
{
	rq_stmt *st = NULL;
	int rc = rq_store_prepare(
		s, &st,
		"INSERT INTO detections (endpoint_id, path, sha256, md5, name, type, action, state, first_seen,"
		" last_seen) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)"
		" ON CONFLICT (endpoint_id, path, sha256) DO UPDATE SET"
		" md5 = CASE WHEN excluded.md5 <> '' THEN excluded.md5 ELSE detections.md5 END,"
		" name = CASE WHEN excluded.name <> '' THEN excluded.name ELSE detections.name END,"
		" type = CASE WHEN excluded.type <> '' THEN excluded.type ELSE detections.type END,"
		" action = CASE WHEN excluded.last_seen >= detections.last_seen THEN excluded.action"
		" ELSE detections.action END,"
		" state = CASE WHEN excluded.last_seen >= detections.last_seen THEN excluded.state"
		" ELSE detections.state END,"
		" first_seen = CASE WHEN excluded.first_seen < detections.first_seen THEN excluded.first_seen"
		" ELSE detections.first_seen END,"
		" last_seen = CASE WHEN excluded.last_seen > detections.last_seen THEN excluded.last_seen"
		" ELSE detections.last_seen END");
	if (rc < 0)
		goto done;
	if ((rc = rq_stmt_bind_int64(st, 1, a->endpoint_id)) < 0 || (rc = rq_stmt_bind_text(st, 2, ev->file.path)) < 0 ||
	    (rc = rq_stmt_bind_text(st, 3, or_empty(ev->file.sha256))) < 0 ||
	    (rc = rq_stmt_bind_text(st, 4, or_empty(ev->file.md5))) < 0 ||
	    (rc = rq_stmt_bind_text(st, 5, or_empty(ev->file.name))) < 0 ||
	    (rc = rq_stmt_bind_text(st, 6, or_empty(ev->file.type))) < 0 ||
	    (rc = rq_stmt_bind_text(st, 7, or_empty(ev->file.action))) < 0 ||
	    (rc = rq_stmt_bind_text(st, 8, ev->file.state)) < 0 || (rc = rq_stmt_bind_int64(st, 9, ev->occurred_at)) < 0)
		goto done;
	rc = rq_stmt_step(st);
	b->files++;
done:
	rq_stmt_finalize(st);
	return rc < 0 ? rc : 0;
}

static int apply_connection(rq_store *s, const ingest_args *a, const rq_store_event *ev)
{
	rq_stmt *st = NULL;
	int rc = rq_store_prepare(s, &st,
				  "INSERT INTO connections (endpoint_id, event_uuid, remote_addr, remote_port, remote_host,"
				  " process_path, pid, indicator, action, seen_at, process_md5, process_sha256)"
				  " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)");
	if (rc < 0)
		goto done;
	if ((rc = rq_stmt_bind_int64(st, 1, a->endpoint_id)) < 0 || (rc = rq_stmt_bind_text(st, 2, ev->uuid)) < 0 ||
	    (rc = rq_stmt_bind_text(st, 3, ev->conn.remote_addr)) < 0 ||
	    (rc = bind_opt(st, 4, ev->conn.remote_port)) < 0 ||
	    (rc = rq_stmt_bind_text(st, 5, or_empty(ev->conn.remote_host))) < 0 ||
	    (rc = rq_stmt_bind_text(st, 6, or_empty(ev->conn.process_path))) < 0 ||
	    (rc = bind_opt(st, 7, ev->conn.pid)) < 0 || (rc = rq_stmt_bind_text(st, 8, or_empty(ev->conn.indicator))) < 0 ||
	    (rc = rq_stmt_bind_text(st, 9, or_empty(ev->conn.action))) < 0 ||
	    (rc = rq_stmt_bind_int64(st, 10, ev->occurred_at)) < 0 ||
	    (rc = rq_stmt_bind_text(st, 11, or_empty(ev->conn.process_md5))) < 0 ||
	    (rc = rq_stmt_bind_text(st, 12, or_empty(ev->conn.process_sha256))) < 0)
		goto done;
	rc = rq_stmt_step(st);
done:
	rq_stmt_finalize(st);
	return rc < 0 ? rc : 0;
}

int rq_store_detections_recount(rq_store *s, int64_t endpoint_id)
{
	return rq_store_run(s, NULL,
			    "UPDATE endpoints SET active_detections = (SELECT COUNT(*) FROM detections"
			    " WHERE endpoint_id = $1 AND state = 'active') WHERE id = $1 AND active_detections <>"
			    " (SELECT COUNT(*) FROM detections WHERE endpoint_id = $1 AND state = 'active')",
			    &endpoint_id, 1);
}

/*
 * The endpoint's row of endpoint_coverage (made on its first scan or
 * detection) with col = $2 where col is NULL or older: the scan times
 * only move forward, and a row is written only when one moves.
 */
#define FORWARD(col)                                                                                   \
	"INSERT INTO endpoint_coverage (endpoint_id, unit_id, " col ") SELECT id, unit_id, $2"       \
	" FROM endpoints WHERE id = $1 ON CONFLICT (endpoint_id) DO UPDATE SET " col " = excluded." col \
	" WHERE endpoint_coverage." col " IS NULL OR endpoint_coverage." col " < excluded." col

static int forward(rq_store *s, int64_t endpoint_id, int set, int64_t at, const char *sql)
{
	const int64_t p[] = {endpoint_id, at};
	return set ? rq_store_run(s, NULL, sql, p, 2) : 0;
}

/*
 * The newest first_seen of the endpoint's detections: one probe of
 * detections_endpoint_state (endpoint_id, state, first_seen) per state. A
 * file seen again keeps its older first_seen, and an older event of a
 * file arriving late moves it back, so this is read from the rows after
 * the batch rather than from the batch's events.
 */
#define NEWEST_IN(state) "(SELECT MAX(first_seen) FROM detections WHERE endpoint_id = $1 AND state = '" state "')"
#define NEWEST_DETECTION                                                                               \
	"(SELECT MAX(t) FROM (SELECT " NEWEST_IN("active") " AS t UNION ALL SELECT " NEWEST_IN("quarantined") \
	" UNION ALL SELECT " NEWEST_IN("removed") " UNION ALL SELECT " NEWEST_IN("restored")          \
	" UNION ALL SELECT " NEWEST_IN("ignored") ") n)"

/* The batch's newest times into its endpoint's row of endpoint_coverage. */
static int write_newest(rq_store *s, const ingest_args *a, const batch_newest *b)
{
	int rc = forward(s, a->endpoint_id, b->scan, b->scan_at, FORWARD("last_scan"));
	if (rc == 0)
		rc = forward(s, a->endpoint_id, b->full, b->full_at, FORWARD("last_scan_full"));
	if (rc == 0 && b->files > 0)
		rc = rq_store_run(s, NULL,
				  "INSERT INTO endpoint_coverage (endpoint_id, unit_id, last_detection)"
				  " SELECT id, unit_id, " NEWEST_DETECTION " FROM endpoints WHERE id = $1"
				  " ON CONFLICT (endpoint_id) DO UPDATE SET last_detection = excluded.last_detection"
				  " WHERE endpoint_coverage.last_detection IS DISTINCT FROM excluded.last_detection",
				  &a->endpoint_id, 1);
	return rc;
}

static int apply_one(rq_store *s, const ingest_args *a, const rq_store_event *ev, size_t i, batch_newest *b)
{
	int rc = 0;
	switch (ev->kind) {
	case RQ_EVENT_SCAN:
		rc = apply_scan(s, a, ev, b);
		break;
	case RQ_EVENT_DETECTION:
	case RQ_EVENT_ACTION:
		rc = apply_file(s, a, ev, b);
		break;
	case RQ_EVENT_CONNECTION:
		rc = apply_connection(s, a, ev);
		break;
	case RQ_EVENT_ERROR:
		break;
	}
	if (rc < 0) {
		char why[512];
		snprintf(why, sizeof(why), "%s", rq_error_last());
		rc = rq_fail(rc, "store: event %zu of the batch: %s", i, why);
	}
	return rc;
}

static int ingest_tx(rq_store *s, void *payload)
{
	ingest_args *a = payload;
	int rc = 0;
	batch_newest b = {0};
	char is_new[EVENT_CHUNK];
	a->added = 0; /* a retried attempt starts over */
	for (size_t at = 0; at < a->count && rc == 0;) {
		size_t rows = EVENT_CHUNK;
		while (rows > a->count - at)
			rows /= 4;
		rc = record_chunk(s, a, &a->events[at], rows, is_new);
		/* only a new event is applied, in the batch's order */
		for (size_t r = 0; r < rows && rc == 0; r++) {
			if (!is_new[r])
				continue; /* a duplicate: skipped */
			a->added++;
			rc = apply_one(s, a, &a->events[at + r], at + r, &b);
		}
		at += rows;
	}
	/* a batch holds one endpoint's events: one recount covers it */
	if (rc == 0 && b.files > 0)
		rc = rq_store_detections_recount(s, a->endpoint_id);
	if (rc == 0)
		rc = write_newest(s, a, &b);
	return rc < 0 ? rc : 0;
}

/* Refuse a batch with a missing required field before touching the database. */
static int check_event(const rq_store_event *ev, size_t i)
{
	const char *missing = NULL;
	if (!ev->uuid || !ev->uuid[0])
		missing = "uuid";
	else if (!kind_name(ev->kind))
		missing = "a known kind";
	else if (ev->kind == RQ_EVENT_SCAN && !ev->scan.kind)
		missing = "scan kind";
	else if ((ev->kind == RQ_EVENT_DETECTION || ev->kind == RQ_EVENT_ACTION) && (!ev->file.path || !ev->file.state))
		missing = "file path and state";
	else if (ev->kind == RQ_EVENT_CONNECTION && !ev->conn.remote_addr)
		missing = "remote address";
	return missing ? rq_fail(RQ_EINVAL, "store: event %zu of the batch has no %s", i, missing) : 0;
}

int rq_store_ingest_events(rq_store *s, int64_t endpoint_id, const rq_store_event *events, size_t count,
			   int64_t now, size_t *out_new)
{
	ingest_args a = {endpoint_id, now, events, count, 0};
	int rc = 0;
	*out_new = 0;
	if (count > RQ_STORE_MAX_BATCH) {
		rc = rq_fail(RQ_ELIMIT, "store: batch of %zu events, at most %d", count, RQ_STORE_MAX_BATCH);
		goto done;
	}
	for (size_t i = 0; i < count; i++)
		if ((rc = check_event(&events[i], i)) < 0)
			goto done;
	rc = rq_store_transact(s, ingest_tx, &a);
	if (rc == 0)
		*out_new = a.added;
done:
	return rc;
}
