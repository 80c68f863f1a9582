/*
 * TAXII pull state in the store (taxii_pull.h): one row per source name,
 * made on first use; the same SQL on SQLite and PostgreSQL.
 */
#include "store/taxii_pull.h"

#include <stdio.h>
#include <string.h>

#include "core/error.h"

/* The row of `name`, made when absent. */
static int ensure(rq_store *s, const char *name)
{
	rq_stmt *st = NULL;
	int rc = rq_store_prepare(s, &st, "INSERT INTO taxii_pull_state (name) VALUES ($1) ON CONFLICT (name) DO NOTHING");
	if (rc == 0 && (rc = rq_stmt_bind_text(st, 1, name)) == 0)
		rc = rq_stmt_step(st);
	rq_stmt_finalize(st);
	return rc < 0 ? rc : 0;
}

int rq_store_taxii_pull_get(rq_store *s, const char *name, rq_taxii_pull_state *out)
{
	rq_stmt *st = NULL;
	memset(out, 0, sizeof(*out));
	int rc = rq_store_prepare(s, &st,
				  "SELECT added_after, requested_at, started_at, finished_at, last_success, last_error,"
				  " last_http_status, failures, run_pages, run_objects, run_indicators, total_objects,"
				  " total_indicators, running, alive_at FROM taxii_pull_state WHERE name = $1");
	if (rc < 0 || (rc = rq_stmt_bind_text(st, 1, name)) < 0)
		goto done;
	rc = rq_stmt_step(st);
	if (rc == RQ_STORE_ROW) {
		const char *t = rq_stmt_column_text(st, 0);
		snprintf(out->added_after, sizeof(out->added_after), "%s", t ? t : "");
		out->requested_at = rq_stmt_column_int64(st, 1);
		out->started_at = rq_stmt_column_int64(st, 2);
		out->finished_at = rq_stmt_column_int64(st, 3);
		out->last_success = rq_stmt_column_int64(st, 4);
		t = rq_stmt_column_text(st, 5);
		snprintf(out->last_error, sizeof(out->last_error), "%s", t ? t : "");
		out->last_http_status = rq_stmt_column_int64(st, 6);
		out->failures = rq_stmt_column_int64(st, 7);
		out->run_pages = rq_stmt_column_int64(st, 8);
		out->run_objects = rq_stmt_column_int64(st, 9);
		out->run_indicators = rq_stmt_column_int64(st, 10);
		out->total_objects = rq_stmt_column_int64(st, 11);
		out->total_indicators = rq_stmt_column_int64(st, 12);
		out->running = (int)rq_stmt_column_int64(st, 13);
		out->alive_at = rq_stmt_column_int64(st, 14);
	}
	rc = rc < 0 ? rc : 0;
done:
	rq_stmt_finalize(st);
	return rc;
}

/* UPDATE `sql` ($1 the name, then `count` integers) on the row of `name`. */
static int update(rq_store *s, const char *name, const char *sql, const int64_t *params, int count,
		  int64_t *out_changes)
{
	rq_stmt *st = NULL;
	int rc = ensure(s, name);
	if (rc == 0)
		rc = rq_store_prepare(s, &st, sql);
	if (rc == 0)
		rc = rq_stmt_bind_text(st, 1, name);
	for (int i = 0; rc == 0 && i < count; i++)
		rc = rq_stmt_bind_int64(st, i + 2, params[i]);
	if (rc == 0)
		rc = rq_stmt_step(st);
	if (rc >= 0 && out_changes)
		*out_changes = rq_stmt_changes(st);
	rq_stmt_finalize(st);
	return rc < 0 ? rc : 0;
}

int rq_store_taxii_pull_request(rq_store *s, const char *name, int64_t now)
{
	int64_t p[1] = { now };
	return update(s, name, "UPDATE taxii_pull_state SET requested_at = $2 WHERE name = $1", p, 1, NULL);
}

int rq_store_taxii_pull_claim(rq_store *s, const char *name, int64_t now, int64_t lease, int *out_claimed)
{
	int64_t p[2] = { now, now - lease }, changes = 0;
	int rc = update(s, name,
			"UPDATE taxii_pull_state SET running = 1, started_at = $2, alive_at = $2, run_pages = 0,"
			" run_objects = 0, run_indicators = 0 WHERE name = $1 AND (running = 0 OR alive_at < $3)",
			p, 2, &changes);
	*out_claimed = rc == 0 && changes == 1;
	return rc;
}

int rq_store_taxii_pull_alive(rq_store *s, const char *name, int64_t now)
{
	int64_t p[1] = { now };
	return update(s, name, "UPDATE taxii_pull_state SET alive_at = $2 WHERE name = $1", p, 1, NULL);
}

int rq_store_taxii_pull_page(rq_store *s, const char *name, const char *added_last, int64_t objects,
			     int64_t indicators, int64_t now)
{
	rq_stmt *st = NULL;
	int rc = ensure(s, name);
	if (rc == 0)
		rc = rq_store_prepare(s, &st,
				      "UPDATE taxii_pull_state SET added_after = CASE WHEN $2 = '' THEN added_after ELSE $2"
				      " END, run_pages = run_pages + 1, run_objects = run_objects + $3, run_indicators ="
				      " run_indicators + $4, total_objects = total_objects + $3, total_indicators ="
				      " total_indicators + $4, alive_at = $5 WHERE name = $1");
	if (rc == 0 && (rc = rq_stmt_bind_text(st, 1, name)) == 0 &&
	    (rc = rq_stmt_bind_text(st, 2, added_last ? added_last : "")) == 0 &&
	    (rc = rq_stmt_bind_int64(st, 3, objects)) == 0 && (rc = rq_stmt_bind_int64(st, 4, indicators)) == 0 &&
	    (rc = rq_stmt_bind_int64(st, 5, now)) == 0)
		rc = rq_stmt_step(st);
	rq_stmt_finalize(st);
	return rc < 0 ? rc : 0;
}

int rq_store_taxii_pull_finish(rq_store *s, const char *name, int64_t now, const char *error, long http_status)
{
	rq_stmt *st = NULL;
	int ok = !error || !*error;
	int rc = ensure(s, name);
	if (rc == 0)
		rc = rq_store_prepare(s, &st,
				      "UPDATE taxii_pull_state SET running = 0, finished_at = $2, last_error = $3, last_http_status = $4,"
				      " last_success = CASE WHEN $3 = '' THEN $2 ELSE last_success END,"
				      " failures = CASE WHEN $3 = '' THEN 0 ELSE failures + 1 END WHERE name = $1");
	if (rc == 0 && (rc = rq_stmt_bind_text(st, 1, name)) == 0 && (rc = rq_stmt_bind_int64(st, 2, now)) == 0 &&
	    (rc = rq_stmt_bind_text(st, 3, ok ? "" : error)) == 0)
		rc = rq_stmt_bind_int64(st, 4, http_status);
	if (rc == 0)
		rc = rq_stmt_step(st);
	rq_stmt_finalize(st);
	return rc < 0 ? rc : 0;
}

int rq_store_taxii_pull_reset(rq_store *s, const char *name)
{
	return update(s, name, "UPDATE taxii_pull_state SET added_after = '' WHERE name = $1", NULL, 0, NULL);
}
