/*
 * The reports to the national centre in the store (ncsc.h): the read-only
 * queries an AVReport is built from, and the submissions queue. Both
 * dialects run the same SQL text (booleans as CASE sums).
 */
#include "store/ncsc.h"

#include <string.h>

#include "core/error.h"
#include "store/queue.h"

/* Columns of a submission row, in the order read by read_row. */
#define SUB_COLUMNS \
	"id, state, made_by, schedule_slot, report_time, created_at, attempts, next_attempt_at," \
	" last_attempt_at, sent_at, url, size, sha256, http_status, response_excerpt, last_error"

static const char *text_of(rq_stmt *st, int col)
{
	const char *t = rq_stmt_column_text(st, col);
	return t ? t : "";
}

/* Reads the current row of `st` and hands it to the caller's callback; non-zero stops. */
typedef int (*row_fn)(rq_stmt *st, void *ctx);

/*
 * Run `sql` with the integer parameters params[0..count-1] and call `fn`
 * for each row; `what` names the listing in errors. *out_rows (may be
 * NULL) gets the number of rows.
 */
static int each_row(rq_store *s, const char *sql, const int64_t *params, int count, row_fn fn, void *ctx,
		    const char *what, int64_t *out_rows)
{
	rq_stmt *st = NULL;
	int64_t rows = 0;
	int rc = rq_store_prepare(s, &st, sql);
	for (int i = 0; rc == 0 && i < count; i++)
		rc = rq_stmt_bind_int64(st, i + 1, params[i]);
	if (rc < 0)
		goto done;
	while ((rc = rq_stmt_step(st)) == RQ_STORE_ROW) {
		rows++;
		if (fn(st, ctx) != 0) {
			rc = rq_fail(RQ_ESTOPPED, "store: ncsc %s: stopped by the caller", what);
			goto done;
		}
	}
done:
	rq_stmt_finalize(st);
	if (out_rows)
		*out_rows = rows;
	return rc < 0 ? rc : 0;
}

typedef struct machine_cb {
	int (*cb)(const rq_ncsc_machine *m, void *payload);
	void *payload;
} machine_cb;

static int machine_row(rq_stmt *st, void *ctx)
{
	machine_cb *c = ctx;
	rq_ncsc_machine m = {
		.id = rq_stmt_column_int64(st, 0),
		.hostname = text_of(st, 1),
		.ips_json = text_of(st, 2),
		.kind = text_of(st, 3),
		.os_name = text_of(st, 4),
		.os_version = text_of(st, 5),
		.db_newest_build = rq_stmt_column_int64(st, 6),
		.last_update = rq_stmt_column_int64(st, 7),
		.realtime = (int)rq_stmt_column_int64(st, 8),
		.firewall = (int)rq_stmt_column_int64(st, 9),
	};
	return c->cb(&m, c->payload);
}

int rq_store_ncsc_machines(rq_store *s, int (*cb)(const rq_ncsc_machine *m, void *payload), void *payload)
{
	machine_cb c = { cb, payload };
	return each_row(s,
			"SELECT id, hostname, ips, kind, os_name, os_version, db_newest_build, last_update,"
			" realtime, firewall FROM endpoints ORDER BY id",
			NULL, 0, machine_row, &c, "machines", NULL);
}

typedef struct malware_cb {
	int (*cb)(const rq_ncsc_malware *m, void *payload);
	void *payload;
} malware_cb;

static int malware_row(rq_stmt *st, void *ctx)
{
	malware_cb *c = ctx;
	rq_ncsc_malware m = {
		.hostname = text_of(st, 0),
		.ips_json = text_of(st, 1),
		.kind = text_of(st, 2),
		.name = text_of(st, 3),
		.type = text_of(st, 4),
		.files = rq_stmt_column_int64(st, 5),
		.active = rq_stmt_column_int64(st, 6),
		.quarantined = rq_stmt_column_int64(st, 7),
		.removed = rq_stmt_column_int64(st, 8),
	};
	return c->cb(&m, c->payload);
}

int rq_store_ncsc_malware(rq_store *s, int64_t since, int (*cb)(const rq_ncsc_malware *m, void *payload),
			  void *payload)
{
	malware_cb c = { cb, payload };
	return each_row(s,
			"SELECT e.hostname, e.ips, e.kind, d.name, d.type, COUNT(*),"
			" SUM(CASE WHEN d.state = 'active' THEN 1 ELSE 0 END),"
			" SUM(CASE WHEN d.state = 'quarantined' THEN 1 ELSE 0 END),"
			" SUM(CASE WHEN d.state = 'removed' THEN 1 ELSE 0 END)"
			" FROM detections d JOIN endpoints e ON e.id = d.endpoint_id"
			" WHERE d.state = 'active' OR (d.state IN ('quarantined', 'removed') AND d.last_seen >= $1)"
			" GROUP BY e.id, e.hostname, e.ips, e.kind, d.name, d.type ORDER BY e.id, d.name, d.type",
			&since, 1, malware_row, &c, "malware", NULL);
}

typedef struct connection_cb {
	int (*cb)(const rq_ncsc_connection *c, void *payload);
	void *payload;
} connection_cb;

static int connection_row(rq_stmt *st, void *ctx)
{
	connection_cb *c = ctx;
	rq_ncsc_connection row = {
		.hostname = text_of(st, 0),
		.ips_json = text_of(st, 1),
		.process_path = text_of(st, 2),
		.md5 = text_of(st, 3),
		.sha256 = text_of(st, 4),
		.remote_addr = text_of(st, 5),
	};
	return c->cb(&row, c->payload);
}

int rq_store_ncsc_connections(rq_store *s, int64_t since,
			      int (*cb)(const rq_ncsc_connection *c, void *payload), void *payload)
{
	connection_cb c = { cb, payload };
	return each_row(s,
			"SELECT e.hostname, e.ips, c.process_path, MAX(c.process_md5), MAX(c.process_sha256),"
			" c.remote_addr FROM connections c JOIN endpoints e ON e.id = c.endpoint_id"
			" WHERE c.seen_at >= $1 GROUP BY e.id, e.hostname, e.ips, c.process_path, c.remote_addr"
			" ORDER BY e.id, c.remote_addr, c.process_path",
			&since, 1, connection_row, &c, "connections", NULL);
}

int rq_store_ncsc_outdated(rq_store *s, int64_t before, int64_t *out)
{
	rq_stmt *st = NULL;
	int rc = rq_store_prepare(s, &st, "SELECT COUNT(*) FROM endpoints WHERE db_newest_build IS NULL"
					  " OR db_newest_build < $1");
	if (rc == 0 && (rc = rq_stmt_bind_int64(st, 1, before)) == 0)
		rc = rq_stmt_step_int64(st, out);
	rq_stmt_finalize(st);
	return rc;
}

int rq_store_ncsc_insert(rq_store *s, const rq_ncsc_submission *sub, int64_t *out_id)
{
	rq_stmt *st = NULL;
	int rc = rq_store_prepare(s, &st,
				  "INSERT INTO ncsc_submissions (state, made_by, schedule_slot, report_time, created_at,"
				  " next_attempt_at, url, size, sha256, document)"
				  " VALUES ('queued', $1, $2, $3, $4, $4, $5, $6, $7, $8) RETURNING id");
	if (rc < 0)
		goto done;
	if ((rc = rq_stmt_bind_text(st, 1, sub->made_by)) < 0 ||
	    (rc = sub->schedule_slot ? rq_stmt_bind_int64(st, 2, sub->schedule_slot) : rq_stmt_bind_null(st, 2)) < 0 ||
	    (rc = rq_stmt_bind_int64(st, 3, sub->report_time)) < 0 ||
	    (rc = rq_stmt_bind_int64(st, 4, sub->created_at)) < 0 || (rc = rq_stmt_bind_text(st, 5, sub->url)) < 0 ||
	    (rc = rq_stmt_bind_int64(st, 6, sub->size)) < 0 || (rc = rq_stmt_bind_text(st, 7, sub->sha256)) < 0 ||
	    (rc = rq_stmt_bind_text(st, 8, sub->document)) < 0)
		goto done;
	rc = rq_stmt_step_int64(st, out_id);
done:
	rq_stmt_finalize(st);
	return rc;
}

int rq_store_ncsc_slot_used(rq_store *s, int64_t slot, int *out)
{
	rq_stmt *st = NULL;
	int64_t n = 0;
	int rc = rq_store_prepare(s, &st, "SELECT COUNT(*) FROM ncsc_submissions WHERE schedule_slot = $1");
	if (rc == 0 && (rc = rq_stmt_bind_int64(st, 1, slot)) == 0)
		rc = rq_stmt_step_int64(st, &n);
	rq_stmt_finalize(st);
	*out = n > 0;
	return rc;
}

/* The row of a statement selecting SUB_COLUMNS (then the document, when `with_document`). */
static void read_row(rq_stmt *st, int with_document, rq_ncsc_submission *r)
{
	memset(r, 0, sizeof(*r));
	r->id = rq_stmt_column_int64(st, 0);
	r->state = text_of(st, 1);
	r->made_by = text_of(st, 2);
	r->schedule_slot = rq_stmt_column_int64(st, 3);
	r->report_time = rq_stmt_column_int64(st, 4);
	r->created_at = rq_stmt_column_int64(st, 5);
	r->attempts = rq_stmt_column_int64(st, 6);
	r->next_attempt_at = rq_stmt_column_int64(st, 7);
	r->last_attempt_at = rq_stmt_column_int64(st, 8);
	r->sent_at = rq_stmt_column_int64(st, 9);
	r->url = text_of(st, 10);
	r->size = rq_stmt_column_int64(st, 11);
	r->sha256 = text_of(st, 12);
	r->http_status = rq_stmt_column_int64(st, 13);
	r->response_excerpt = text_of(st, 14);
	r->last_error = text_of(st, 15);
	r->document = with_document ? text_of(st, 16) : NULL;
}

int rq_store_ncsc_claim(rq_store *s, int64_t now, int64_t lease_until,
			int (*cb)(const rq_ncsc_submission *sub, void *payload), void *payload)
{
	int64_t id = 0;
	int rc = rq_store_queue_claim(s, "ncsc_submissions", now, lease_until, &id);
	return rc < 0 ? rc : rq_store_ncsc_get(s, id, 1, cb, payload);
}

int rq_store_ncsc_outcome(rq_store *s, int64_t id, const char *state, int64_t now, int64_t next_attempt_at,
			  int64_t http_status, const char *response_excerpt, const char *last_error)
{
	rq_stmt *st = NULL;
	int queued = !strcmp(state, "queued"), sent = !strcmp(state, "sent");
	int rc = rq_store_prepare(s, &st,
				  "UPDATE ncsc_submissions SET state = $1, next_attempt_at = $2, sent_at = $3,"
				  " http_status = $4, response_excerpt = $5, last_error = $6 WHERE id = $7");
	if (rc < 0)
		goto done;
	if ((rc = rq_stmt_bind_text(st, 1, state)) < 0 ||
	    (rc = queued ? rq_stmt_bind_int64(st, 2, next_attempt_at) : rq_stmt_bind_null(st, 2)) < 0 ||
	    (rc = sent ? rq_stmt_bind_int64(st, 3, now) : rq_stmt_bind_null(st, 3)) < 0 ||
	    (rc = http_status ? rq_stmt_bind_int64(st, 4, http_status) : rq_stmt_bind_null(st, 4)) < 0 ||
	    (rc = rq_stmt_bind_text(st, 5, response_excerpt ? response_excerpt : "")) < 0 ||
	    (rc = rq_stmt_bind_text(st, 6, last_error ? last_error : "")) < 0 || (rc = rq_stmt_bind_int64(st, 7, id)) < 0)
		goto done;
	rc = rq_stmt_step(st);
done:
	rq_stmt_finalize(st);
	return rc < 0 ? rc : 0;
}

typedef struct submission_cb {
	int (*cb)(const rq_ncsc_submission *sub, void *payload);
	void *payload;
	int with_document;
} submission_cb;

static int submission_row(rq_stmt *st, void *ctx)
{
	submission_cb *c = ctx;
	rq_ncsc_submission r;
	read_row(st, c->with_document, &r);
	return c->cb(&r, c->payload);
}

int rq_store_ncsc_list(rq_store *s, int64_t limit, int64_t offset, int64_t *out_total,
		       int (*cb)(const rq_ncsc_submission *sub, void *payload), void *payload)
{
	rq_stmt *st = NULL;
	submission_cb c = { cb, payload, 0 };
	int64_t page[2] = { limit > 0 ? limit : INT64_MAX, offset };
	int rc = rq_store_prepare(s, &st, "SELECT COUNT(*) FROM ncsc_submissions");
	if (rc == 0)
		rc = rq_stmt_step_int64(st, out_total);
	rq_stmt_finalize(st);
	if (rc < 0)
		return rc;
	return each_row(s, "SELECT " SUB_COLUMNS " FROM ncsc_submissions ORDER BY id DESC LIMIT $1 OFFSET $2", page, 2,
			submission_row, &c, "list", NULL);
}

int rq_store_ncsc_get(rq_store *s, int64_t id, int with_document,
		      int (*cb)(const rq_ncsc_submission *sub, void *payload), void *payload)
{
	submission_cb c = { cb, payload, with_document };
	int64_t rows = 0;
	int rc = each_row(s, with_document ? "SELECT " SUB_COLUMNS ", document FROM ncsc_submissions WHERE id = $1"
					   : "SELECT " SUB_COLUMNS " FROM ncsc_submissions WHERE id = $1",
			  &id, 1, submission_row, &c, "get", &rows);
	return rc == 0 && rows == 0 ? RQ_ENOTFOUND : rc;
}
