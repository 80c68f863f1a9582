/*
 * The durable outbox (outbox.h) on SQLite: WAL with synchronous=FULL, so a
 * committed put is on disk; events in insertion order (an integer sequence,
 * immune to clock jumps); the cap enforced inside the same transaction as
 * the insert; drop counts turned into a normal event the next time a batch
 * is taken, so they travel and are acknowledged like any other.
 */
#include "outbox.h"

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>
#include <time.h>

#include "agent_db.h"
#include "core/error.h"

struct rq_outbox {
	sqlite3 *db;
	rq_outbox_limits lim;
	char *reserve_path;
};

static const char *const schema =
	"PRAGMA journal_mode=WAL;"
	"PRAGMA synchronous=FULL;"
	/* a short log: the data lives in the database file, so on a full disk the
	 * reserve (a few times this) is enough to fold the log back and delete */
	"PRAGMA wal_autocheckpoint=32;"
	"PRAGMA journal_size_limit=131072;"
	"CREATE TABLE IF NOT EXISTS events("
	"  seq INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  uuid TEXT NOT NULL UNIQUE,"
	"  kind TEXT NOT NULL,"
	"  cls INTEGER NOT NULL,"
	"  payload TEXT NOT NULL,"
	"  at INTEGER NOT NULL,"
	"  attempts INTEGER NOT NULL DEFAULT 0);"
	"CREATE INDEX IF NOT EXISTS events_cls ON events(cls, seq);"
	"CREATE TABLE IF NOT EXISTS dropped(kind TEXT PRIMARY KEY, count INTEGER NOT NULL);";

static int db_fail(rq_outbox *ob, int rc, const char *what)
{
	int code = rc == SQLITE_FULL || rc == SQLITE_IOERR || (rc & 0xff) == SQLITE_IOERR ? RQ_EIO
		   : rc == SQLITE_NOMEM ? RQ_ENOMEM : RQ_ERROR;
	if (rc == SQLITE_FULL)
		return rq_fail(code, "outbox: %s: disk full (nothing was written)", what);
	return rq_fail(code, "outbox: %s: %s", what, ob && ob->db ? sqlite3_errmsg(ob->db) : sqlite3_errstr(rc));
}

/* Make sure the reserve file holds its blocks; 0 or -1 (no room: the disk is full). */
static int keep_reserve(rq_outbox *ob)
{
	struct stat st;
	if (stat(ob->reserve_path, &st) == 0 && (uint64_t)st.st_blocks * 512 >= ob->lim.reserve)
		return 0; /* in place (the usual case: no write, no fsync) */
	int fd = open(ob->reserve_path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	int rc = posix_fallocate(fd, 0, (off_t)ob->lim.reserve);
	if (rc == 0)
		rc = fsync(fd);
	close(fd);
	if (rc)
		unlink(ob->reserve_path); /* a partial reserve would only mislead */
	return rc ? -1 : 0;
}

int rq_outbox_open(rq_outbox **out, const char *path, const rq_outbox_limits *lim)
{
	*out = NULL;
	rq_outbox *ob = calloc(1, sizeof(*ob));
	if (!ob)
		return rq_fail(RQ_ENOMEM, "out of memory");
	if (lim)
		ob->lim = *lim;
	if (!ob->lim.max_bytes)
		ob->lim.max_bytes = RQ_OUTBOX_DEFAULT_MAX;
	if (!ob->lim.max_payload)
		ob->lim.max_payload = RQ_OUTBOX_DEFAULT_PAYLOAD;
	if (!ob->lim.reserve)
		ob->lim.reserve = RQ_OUTBOX_DEFAULT_RESERVE;
	size_t pl = strlen(path);
	if (!(ob->reserve_path = malloc(pl + 9))) {
		free(ob);
		return rq_fail(RQ_ENOMEM, "out of memory");
	}
	memcpy(ob->reserve_path, path, pl);
	memcpy(ob->reserve_path + pl, ".reserve", 9);
	int rc = rq_agent_db_open(&ob->db, path, schema, "outbox");
	/* the first process to open it creates the shared-memory index and the
	 * write-ahead log: on a full disk (raquetd starting after a reboot) only
	 * the reserve gives that room; it is put back below when it can be */
	if (rc == RQ_EIO && unlink(ob->reserve_path) == 0)
		rc = rq_agent_db_open(&ob->db, path, schema, "outbox");
	if (rc) {
		rq_outbox_close(ob);
		return rc;
	}
	keep_reserve(ob); /* a full disk now only means puts wait for room */
	*out = ob;
	return 0;
}

void rq_outbox_close(rq_outbox *ob)
{
	if (!ob)
		return;
	sqlite3_close(ob->db);
	free(ob->reserve_path);
	free(ob);
}

static void new_uuid(char out[37])
{
	uint8_t b[16];
	if (getrandom(b, sizeof(b), 0) != (ssize_t)sizeof(b)) {
		/* never in practice; still unique enough with the time and address */
		uint64_t x = (uint64_t)(uintptr_t)out ^ (uint64_t)time(NULL) * 0x9E3779B97F4A7C15ULL;
		memcpy(b, &x, 8);
		memcpy(b + 8, &x, 8);
	}
	b[6] = (uint8_t)((b[6] & 0x0f) | 0x40); /* version 4 */
	b[8] = (uint8_t)((b[8] & 0x3f) | 0x80); /* variant 10 */
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12],
		 b[13], b[14], b[15]);
}

/* One statement with up to two text and two integer parameters, stepped to the end. */
static int exec1(rq_outbox *ob, const char *sql, const char *t1, const char *t2, int64_t i1,
		 int64_t *result)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(ob->db, sql, -1, &st, NULL);
	if (rc == SQLITE_OK && t1)
		rc = sqlite3_bind_text(st, 1, t1, -1, SQLITE_STATIC);
	if (rc == SQLITE_OK && t2)
		rc = sqlite3_bind_text(st, 2, t2, -1, SQLITE_STATIC);
	if (rc == SQLITE_OK && sqlite3_bind_parameter_count(st) >= 3)
		rc = sqlite3_bind_int64(st, 3, i1);
	while (rc == SQLITE_OK || rc == SQLITE_ROW) {
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW && result)
			*result = sqlite3_column_int64(st, 0);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

static int64_t total_bytes(rq_outbox *ob)
{
	int64_t n = 0;
	exec1(ob, "SELECT COALESCE(SUM(length(payload)), 0) FROM events", NULL, NULL, 0, &n);
	return n;
}

/* Drop the oldest events of class `cls` until `need` more bytes fit; counts go to `dropped`. */
static int make_room(rq_outbox *ob, int cls, int64_t need)
{
	int rc = SQLITE_OK;
	int64_t have = total_bytes(ob);
	while (rc == SQLITE_OK && have + need > (int64_t)ob->lim.max_bytes) {
		int64_t seq = -1, len = 0;
		rc = exec1(ob, "SELECT seq FROM events WHERE cls = ?3 ORDER BY seq LIMIT 1", NULL, NULL, cls, &seq);
		if (rc != SQLITE_OK || seq < 0)
			break;
		rc = exec1(ob, "SELECT length(payload) FROM events WHERE seq = ?3", NULL, NULL, seq, &len);
		if (rc == SQLITE_OK)
			rc = exec1(ob, "INSERT INTO dropped(kind, count) SELECT kind, 1 FROM events WHERE seq = ?3 "
				       "ON CONFLICT(kind) DO UPDATE SET count = count + 1", NULL, NULL, seq, NULL);
		if (rc == SQLITE_OK)
			rc = exec1(ob, "DELETE FROM events WHERE seq = ?3", NULL, NULL, seq, NULL);
		have -= len;
	}
	return rc;
}

int rq_outbox_put(rq_outbox *ob, const char *kind, rq_event_class cls, const char *payload,
		  int64_t when, char uuid[37])
{
	char id[37];
	size_t len = strlen(payload);
	if (len > ob->lim.max_payload)
		return rq_fail(RQ_ELIMIT, "outbox: %s event of %zu bytes is over the %zu-byte limit", kind,
			       len, ob->lim.max_payload);
	new_uuid(id);
	if (keep_reserve(ob))
		return rq_fail(RQ_EIO, "outbox: queueing an event: disk full (nothing was written)");
	int rc = sqlite3_exec(ob->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = make_room(ob, RQ_EVENT_DETAIL, (int64_t)len);
	if (rc == SQLITE_OK && cls == RQ_EVENT_SUMMARY)
		rc = make_room(ob, RQ_EVENT_SUMMARY, (int64_t)len);
	sqlite3_stmt *st = NULL;
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(ob->db, "INSERT INTO events(uuid, kind, cls, payload, at) "
					"VALUES (?1, ?2, ?3, ?4, ?5)", -1, &st, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 3, (int)cls);
		sqlite3_bind_text(st, 4, payload, (int)len, SQLITE_STATIC);
		sqlite3_bind_int64(st, 5, when);
		rc = sqlite3_step(st);
		rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(ob->db, "COMMIT", NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		int err = db_fail(ob, rc, "queueing an event");
		sqlite3_exec(ob->db, "ROLLBACK", NULL, NULL, NULL);
		return err;
	}
	if (uuid)
		memcpy(uuid, id, 37);
	return 0;
}

/* Turn drop counts into one queued event (same transaction), so they are reported like others. */
static int flush_dropped(rq_outbox *ob, int64_t now)
{
	sqlite3_stmt *st = NULL;
	char payload[4096];
	size_t n = 0;
	int any = 0, rc = sqlite3_prepare_v2(ob->db, "SELECT kind, count FROM dropped ORDER BY kind",
					     -1, &st, NULL);
	n += (size_t)snprintf(payload, sizeof(payload), "{\"dropped\":{");
	while (rc == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) {
		const char *kind = (const char *)sqlite3_column_text(st, 0);
		long long c = sqlite3_column_int64(st, 1);
		int w = snprintf(payload + n, sizeof(payload) - n, "%s\"%s\":%lld", any ? "," : "",
				 kind ? kind : "", c);
		if (w < 0 || (size_t)w >= sizeof(payload) - n - 4)
			break; /* kinds are a handful of fixed words; never reached */
		n += (size_t)w;
		any = 1;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_OK || !any)
		return rc;
	snprintf(payload + n, sizeof(payload) - n, "}}");
	char id[37];
	new_uuid(id);
	rc = sqlite3_prepare_v2(ob->db, "INSERT INTO events(uuid, kind, cls, payload, at) "
				"VALUES (?1, 'outbox-dropped', 1, ?2, ?3)", -1, &st, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, payload, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, now);
		rc = sqlite3_step(st) == SQLITE_DONE ? SQLITE_OK : sqlite3_errcode(ob->db);
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(ob->db, "DELETE FROM dropped", NULL, NULL, NULL);
	return rc;
}

/* Run `fn` in its own write transaction; its failure (a full disk) is the caller's to ignore. */
static int in_write_txn(rq_outbox *ob, int (*fn)(rq_outbox *, void *), void *arg)
{
	int rc = sqlite3_exec(ob->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = fn(ob, arg);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(ob->db, "COMMIT", NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		sqlite3_exec(ob->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

static int flush_dropped_now(rq_outbox *ob, void *arg)
{
	(void)arg;
	return flush_dropped(ob, (int64_t)time(NULL));
}

static int count_attempts(rq_outbox *ob, void *arg)
{
	const rq_outbox_batch *b = arg;
	int rc = SQLITE_OK;
	for (size_t i = 0; rc == SQLITE_OK && i < b->count; i++)
		rc = exec1(ob, "UPDATE events SET attempts = attempts + 1 WHERE uuid = ?1",
			   b->events[i].uuid, NULL, 0, NULL);
	return rc;
}

/*
 * Taking a batch only reads: with a full disk the agent must still be able
 * to send (and so free space). Turning drop counts into an event and
 * counting attempts are writes done beside it, skipped when they fail.
 */
int rq_outbox_next(rq_outbox *ob, size_t max_events, size_t max_bytes, rq_outbox_batch *out)
{
	memset(out, 0, sizeof(*out));
	sqlite3_stmt *st = NULL;
	size_t cap = 0, used = 0, bytes = 0;
	in_write_txn(ob, flush_dropped_now, NULL);
	int rc = sqlite3_prepare_v2(ob->db, "SELECT uuid, kind, payload, at, attempts FROM events "
				    "ORDER BY seq LIMIT ?1", -1, &st, NULL);
	if (rc == SQLITE_OK)
		sqlite3_bind_int64(st, 1, (int64_t)(max_events ? max_events : 1));
	if (rc == SQLITE_OK && !(out->events = calloc(max_events ? max_events : 1, sizeof(*out->events))))
		rc = SQLITE_NOMEM;
	while (rc == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) {
		const char *uuid = (const char *)sqlite3_column_text(st, 0);
		const char *kind = (const char *)sqlite3_column_text(st, 1);
		const char *payload = (const char *)sqlite3_column_text(st, 2);
		size_t kl = strlen(kind ? kind : ""), pl = (size_t)sqlite3_column_bytes(st, 2);
		if (out->count && bytes + pl > max_bytes)
			break;
		/* strings are stored as offsets while the backing buffer grows */
		while (used + kl + pl + 2 > cap) {
			char *nb = realloc(out->strings, cap ? 2 * cap : 65536);
			if (!nb) {
				rc = SQLITE_NOMEM;
				break;
			}
			out->strings = nb;
			cap = cap ? 2 * cap : 65536;
		}
		if (rc != SQLITE_OK)
			break;
		rq_outbox_event *e = &out->events[out->count++];
		snprintf(e->uuid, sizeof(e->uuid), "%s", uuid ? uuid : "");
		e->kind = (const char *)(uintptr_t)used;
		memcpy(out->strings + used, kind ? kind : "", kl + 1);
		used += kl + 1;
		e->payload = (const char *)(uintptr_t)used;
		memcpy(out->strings + used, payload ? payload : "", pl);
		out->strings[used + pl] = '\0';
		used += pl + 1;
		e->when = sqlite3_column_int64(st, 3);
		e->attempts = sqlite3_column_int(st, 4);
		bytes += pl;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_OK) {
		int err = db_fail(ob, rc, "taking a batch");
		rq_outbox_batch_free(out);
		return err;
	}
	for (size_t i = 0; i < out->count; i++) {
		out->events[i].kind = out->strings + (uintptr_t)out->events[i].kind;
		out->events[i].payload = out->strings + (uintptr_t)out->events[i].payload;
	}
	in_write_txn(ob, count_attempts, out);
	return 0;
}

void rq_outbox_batch_free(rq_outbox_batch *b)
{
	free(b->events);
	free(b->strings);
	memset(b, 0, sizeof(*b));
}

typedef struct ack_args {
	const char *const *uuids;
	size_t count;
} ack_args;

static int delete_acked(rq_outbox *ob, void *arg)
{
	const ack_args *a = arg;
	int rc = SQLITE_OK;
	for (size_t i = 0; rc == SQLITE_OK && i < a->count; i++)
		rc = exec1(ob, "DELETE FROM events WHERE uuid = ?1", a->uuids[i], NULL, 0, NULL);
	return rc;
}

/*
 * Deleting also needs room, in the write-ahead log. Acknowledged events are
 * deleted a few at a time with the log folded back into the database after
 * each step (which gives its space back); on a full disk the reserve file
 * is removed first. So acknowledged events can always leave.
 */
#define ACK_STEP 16

int rq_outbox_ack(rq_outbox *ob, const char *const *uuids, size_t count)
{
	int rc = SQLITE_OK;
	for (size_t at = 0; at < count && rc == SQLITE_OK; at += ACK_STEP) {
		ack_args a = { uuids + at, count - at < ACK_STEP ? count - at : ACK_STEP };
		rc = in_write_txn(ob, delete_acked, &a);
		if (rc == SQLITE_FULL || (rc & 0xff) == SQLITE_IOERR) {
			unlink(ob->reserve_path); /* what the reserve is for */
			rc = in_write_txn(ob, delete_acked, &a);
		}
		sqlite3_wal_checkpoint_v2(ob->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
	}
	if (rc != SQLITE_OK)
		return db_fail(ob, rc, "acknowledging events");
	keep_reserve(ob); /* may fail until more is freed: puts refuse meanwhile */
	return 0;
}

int rq_outbox_stats_get(rq_outbox *ob, rq_outbox_stats *st)
{
	int64_t events = 0, dropped = 0;
	int rc = exec1(ob, "SELECT COUNT(*) FROM events", NULL, NULL, 0, &events);
	if (rc == SQLITE_OK)
		rc = exec1(ob, "SELECT COALESCE(SUM(count), 0) FROM dropped", NULL, NULL, 0, &dropped);
	if (rc != SQLITE_OK)
		return db_fail(ob, rc, "reading statistics");
	st->events = (uint64_t)events;
	st->bytes = (uint64_t)total_bytes(ob);
	st->dropped = (uint64_t)dropped;
	return 0;
}

int64_t rq_backoff_ms(unsigned failures, int64_t base_ms, int64_t max_ms)
{
	int64_t delay = base_ms;
	for (unsigned i = 0; i < failures && delay < max_ms; i++)
		delay *= 2;
	if (delay > max_ms)
		delay = max_ms;
	uint64_t r = 0;
	if (getrandom(&r, sizeof(r), 0) != (ssize_t)sizeof(r))
		r = (uint64_t)time(NULL) * 0x9E3779B97F4A7C15ULL;
	return delay > 0 ? (int64_t)(r % (uint64_t)(delay + 1)) : 0;
}

int rq_outbox_put_json(rq_outbox *ob, const char *kind, rq_event_class cls, const json_t *payload)
{
	char *text = payload ? json_dumps(payload, JSON_COMPACT) : NULL;
	int rc = text ? rq_outbox_put(ob, kind, cls, text, (int64_t)time(NULL), NULL)
		      : rq_fail(RQ_ENOMEM, "out of memory");
	free(text);
	return rc;
}
