/*
 * The PostgreSQL backend of the store, over libpq: server-side prepared
 * statements (PQprepare, named per connection), parameters sent as text
 * (integers, strings) or binary (blobs), results read as text. A result
 * set is fetched whole on the first step. See docs/server-store.md.
 */
#include <inttypes.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "store/store_backend.h"

#define CONN(s) ((PGconn *)(s)->conn)

typedef struct pg_stmt {
	char name[24];
	int nparams;
	char **values;       /* nparams owned copies, NULL = SQL NULL */
	int *lengths;
	int *formats;        /* 0 text, 1 binary */
	PGresult *res;       /* after the first step */
	int nrows, row, executed;
	int64_t changes;
	unsigned char **blobs; /* decoded bytea of the current row, per column */
	size_t *blob_lens;
	int nblobs;
} pg_stmt;

#define PST(st) ((pg_stmt *)(st)->impl)

/* Strip libpq's trailing newline from a message into buf. */
static const char *oneline(char *buf, size_t size, const char *msg)
{
	size_t n;
	snprintf(buf, size, "%s", msg ? msg : "");
	n = strlen(buf);
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		buf[--n] = '\0';
	for (char *p = buf; *p; p++)
		if (*p == '\n')
			*p = ' ';
	return buf;
}

/*
 * Map a failed result to our codes. The message keeps the SQLSTATE and the
 * primary message, which names tables, columns and constraints; the DETAIL
 * field (which quotes key values) is never used, nor the primary message
 * of data exceptions (class 22), which quotes the offending value.
 */
static int fail_res(PGconn *conn, const PGresult *res, const char *sql, const char *what)
{
	char label[64], msg[512];
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	const char *primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	int code = RQ_ERROR;
	rq_store_sql_label(label, sizeof(label), sql ? sql : "");
	if (!state) {
		return rq_fail(RQ_EIO, "store (postgresql): %s %s: %s", what, label,
			       oneline(msg, sizeof(msg), PQerrorMessage(conn)));
	}
	if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0 || strcmp(state, "55P03") == 0)
		code = RQ_STORE_EBUSY;
	else if (strncmp(state, "23", 2) == 0)
		code = RQ_STORE_ECONSTRAINT;
	else if (strncmp(state, "08", 2) == 0 || strncmp(state, "53", 2) == 0 || strncmp(state, "57", 2) == 0)
		code = RQ_EIO;
	else if (strncmp(state, "22", 2) == 0) {
		code = RQ_EINVAL;
		primary = "invalid value for a parameter or column";
	}
	return rq_fail(code, "store (postgresql): %s %s: %s (SQLSTATE %s)", what, label,
		       oneline(msg, sizeof(msg), primary), state);
}

static void quiet(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

static int pg_open(void **out, const char *uri)
{
	int rc = 0;
	char msg[512];
	PGconn *conn = PQconnectdb(uri);
	if (!conn) {
		rc = rq_fail(RQ_ENOMEM, "store (postgresql): out of memory connecting");
		goto done;
	}
	if (PQstatus(conn) != CONNECTION_OK) {
		/* libpq's message names host, port and user, never the password */
		rc = rq_fail(RQ_EIO, "store (postgresql): cannot connect: %s",
			     oneline(msg, sizeof(msg), PQerrorMessage(conn)));
		goto done;
	}
	/* NOTICEs ("relation already exists, skipping") are not errors */
	PQsetNoticeProcessor(conn, quiet, NULL);
	*out = conn;
	conn = NULL;
done:
	PQfinish(conn);
	return rc;
}

static void pg_close(void *conn)
{
	PQfinish(conn);
}

static int pg_exec(rq_store *s, const char *sql)
{
	int rc = 0;
	PGresult *res = PQexec(CONN(s), sql);
	ExecStatusType t = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	if (t != PGRES_COMMAND_OK && t != PGRES_TUPLES_OK)
		rc = fail_res(CONN(s), res, sql, "running");
	else if (strcmp(sql, "COMMIT") == 0 && strcmp(PQcmdStatus(res), "ROLLBACK") == 0)
		/* COMMIT of a transaction an earlier error aborted "succeeds" as a rollback */
		rc = rq_fail(RQ_ERROR, "store (postgresql): commit refused: an earlier statement failed, "
				       "the transaction was rolled back");
	PQclear(res);
	return rc;
}

static void free_row_blobs(pg_stmt *p)
{
	for (int i = 0; i < p->nblobs; i++) {
		PQfreemem(p->blobs[i]);
		p->blobs[i] = NULL;
	}
}

static int pg_reset(rq_stmt *st)
{
	pg_stmt *p = PST(st);
	free_row_blobs(p);
	free(p->blobs);
	free(p->blob_lens);
	p->blobs = NULL;
	p->blob_lens = NULL;
	p->nblobs = 0;
	PQclear(p->res);
	p->res = NULL;
	p->executed = 0;
	p->nrows = p->row = 0;
	for (int i = 0; i < p->nparams; i++) {
		free(p->values[i]);
		p->values[i] = NULL;
		p->lengths[i] = 0;
		p->formats[i] = 0;
	}
	return 0;
}

static void pg_unprepare(rq_stmt *st)
{
	pg_stmt *p = PST(st);
	char sql[48];
	if (!p)
		return;
	pg_reset(st);
	if (PQstatus(CONN(st->store)) == CONNECTION_OK) {
		snprintf(sql, sizeof(sql), "DEALLOCATE %s", p->name);
		PQclear(PQexec(CONN(st->store), sql));
	}
	free(p->values);
	free(p->lengths);
	free(p->formats);
	free(p);
	st->impl = NULL;
}

static int pg_prepare(rq_store *s, rq_stmt *st)
{
	int rc = 0, prepared = 0;
	PGresult *res = NULL;
	pg_stmt *p = calloc(1, sizeof(*p));
	if (!p) {
		rc = rq_fail(RQ_ENOMEM, "store (postgresql): out of memory");
		goto done;
	}
	snprintf(p->name, sizeof(p->name), "rq%u", s->next_stmt_name++);
	res = PQprepare(CONN(s), p->name, st->sql, 0, NULL);
	if (!res || PQresultStatus(res) != PGRES_COMMAND_OK) {
		rc = fail_res(CONN(s), res, st->sql, "preparing");
		goto done;
	}
	prepared = 1;
	PQclear(res);
	res = PQdescribePrepared(CONN(s), p->name);
	if (!res || PQresultStatus(res) != PGRES_COMMAND_OK) {
		rc = fail_res(CONN(s), res, st->sql, "describing");
		goto done;
	}
	p->nparams = PQnparams(res);
	if (p->nparams > 0) {
		p->values = calloc((size_t)p->nparams, sizeof(*p->values));
		p->lengths = calloc((size_t)p->nparams, sizeof(*p->lengths));
		p->formats = calloc((size_t)p->nparams, sizeof(*p->formats));
		if (!p->values || !p->lengths || !p->formats) {
			rc = rq_fail(RQ_ENOMEM, "store (postgresql): out of memory");
			goto done;
		}
	}
	st->impl = p;
	p = NULL;
done:
	PQclear(res);
	if (p) {
		if (prepared && PQstatus(CONN(s)) == CONNECTION_OK) {
			char sql[48];
			snprintf(sql, sizeof(sql), "DEALLOCATE %s", p->name);
			PQclear(PQexec(CONN(s), sql));
		}
		free(p->values);
		free(p->lengths);
		free(p->formats);
		free(p);
	}
	return rc;
}

static int set_param(rq_stmt *st, int idx, char *value, int len, int format)
{
	pg_stmt *p = PST(st);
	if (idx > p->nparams) {
		char label[64];
		free(value);
		rq_store_sql_label(label, sizeof(label), st->sql);
		return rq_fail(RQ_EINVAL, "store (postgresql): parameter %d out of range in %s", idx, label);
	}
	free(p->values[idx - 1]);
	p->values[idx - 1] = value;
	p->lengths[idx - 1] = len;
	p->formats[idx - 1] = format;
	return 0;
}

static int pg_bind_int64(rq_stmt *st, int idx, int64_t v)
{
	char *text = malloc(24);
	if (!text)
		return rq_fail(RQ_ENOMEM, "store (postgresql): out of memory binding");
	snprintf(text, 24, "%" PRId64, v);
	return set_param(st, idx, text, 0, 0);
}

static int pg_bind_text(rq_stmt *st, int idx, const char *v)
{
	char *copy = strdup(v);
	if (!copy)
		return rq_fail(RQ_ENOMEM, "store (postgresql): out of memory binding");
	return set_param(st, idx, copy, 0, 0);
}

static int pg_bind_blob(rq_stmt *st, int idx, const void *data, size_t len)
{
	char *copy;
	if (len > INT32_MAX)
		return rq_fail(RQ_ELIMIT, "store (postgresql): blob of %zu bytes too large", len);
	copy = malloc(len ? len : 1);
	if (!copy)
		return rq_fail(RQ_ENOMEM, "store (postgresql): out of memory binding");
	memcpy(copy, data, len);
	return set_param(st, idx, copy, (int)len, 1);
}

static int pg_bind_null(rq_stmt *st, int idx)
{
	return set_param(st, idx, NULL, 0, 0);
}

static int pg_step(rq_stmt *st)
{
	pg_stmt *p = PST(st);
	PGconn *conn = CONN(st->store);
	if (!p->executed) {
		ExecStatusType t;
		p->res = PQexecPrepared(conn, p->name, p->nparams, (const char *const *)p->values, p->lengths,
					p->formats, 0);
		t = p->res ? PQresultStatus(p->res) : PGRES_FATAL_ERROR;
		if (t != PGRES_TUPLES_OK && t != PGRES_COMMAND_OK) {
			int rc = fail_res(conn, p->res, st->sql, "running");
			PQclear(p->res);
			p->res = NULL;
			return rc;
		}
		p->executed = 1;
		p->nrows = t == PGRES_TUPLES_OK ? PQntuples(p->res) : 0;
		p->row = -1;
		p->changes = strtoll(PQcmdTuples(p->res), NULL, 10);
		p->nblobs = PQnfields(p->res);
		if (p->nblobs > 0) {
			p->blobs = calloc((size_t)p->nblobs, sizeof(*p->blobs));
			p->blob_lens = calloc((size_t)p->nblobs, sizeof(*p->blob_lens));
			if (!p->blobs || !p->blob_lens) {
				p->nblobs = 0;
				return rq_fail(RQ_ENOMEM, "store (postgresql): out of memory");
			}
		}
	}
	free_row_blobs(p);
	if (p->row + 1 < p->nrows) {
		p->row++;
		return RQ_STORE_ROW;
	}
	p->row = p->nrows;
	return RQ_STORE_DONE;
}

static int on_row(pg_stmt *p)
{
	return p->res && p->row >= 0 && p->row < p->nrows;
}

static int pg_column_count(rq_stmt *st)
{
	pg_stmt *p = PST(st);
	return on_row(p) ? PQnfields(p->res) : 0;
}

static int pg_column_is_null(rq_stmt *st, int col)
{
	pg_stmt *p = PST(st);
	return PQgetisnull(p->res, p->row, col);
}

static int64_t pg_column_int64(rq_stmt *st, int col)
{
	pg_stmt *p = PST(st);
	const char *v;
	if (PQgetisnull(p->res, p->row, col))
		return 0;
	v = PQgetvalue(p->res, p->row, col);
	if (v[0] == 't' && v[1] == '\0') /* boolean */
		return 1;
	return strtoll(v, NULL, 10);
}

static const char *pg_column_text(rq_stmt *st, int col)
{
	pg_stmt *p = PST(st);
	if (PQgetisnull(p->res, p->row, col))
		return NULL;
	return PQgetvalue(p->res, p->row, col);
}

static const void *pg_column_blob(rq_stmt *st, int col, size_t *len)
{
	pg_stmt *p = PST(st);
	if (PQgetisnull(p->res, p->row, col) || col >= p->nblobs)
		return NULL;
	if (!p->blobs[col]) {
		/* bytea arrives in text form ("\x0a1b..."): decode once per row */
		p->blobs[col] = PQunescapeBytea((const unsigned char *)PQgetvalue(p->res, p->row, col),
						&p->blob_lens[col]);
		if (!p->blobs[col]) {
			rq_fail(RQ_ENOMEM, "store (postgresql): out of memory decoding a blob");
			return NULL;
		}
	}
	*len = p->blob_lens[col];
	return p->blobs[col];
}

static int64_t pg_changes(rq_stmt *st)
{
	return PST(st)->changes;
}

const rq_store_ops rq_store_pg_ops = {
	.open = pg_open,
	.close = pg_close,
	.exec = pg_exec,
	.prepare = pg_prepare,
	.unprepare = pg_unprepare,
	.bind_int64 = pg_bind_int64,
	.bind_text = pg_bind_text,
	.bind_blob = pg_bind_blob,
	.bind_null = pg_bind_null,
	.step = pg_step,
	.column_count = pg_column_count,
	.column_is_null = pg_column_is_null,
	.column_int64 = pg_column_int64,
	.column_text = pg_column_text,
	.column_blob = pg_column_blob,
	.changes = pg_changes,
	.reset = pg_reset,
	.begin_sql = "BEGIN",
};
