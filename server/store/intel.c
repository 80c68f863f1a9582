/*
 * Threat-intelligence indicators in the store (intel.h): one SQL text for
 * both dialects except the aggregate that lists an indicator's sources
 * (string_agg / group_concat) and case-insensitive LIKE.
 */
#include "store/intel.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"

static const char *const kinds[] = { "misp-event", "misp-feed", "ioc-list", "stix", "yara", "local", NULL };

int rq_store_intel_kind_ok(const char *kind)
{
	for (size_t i = 0; kind && kinds[i]; i++)
		if (!strcmp(kind, kinds[i]))
			return 1;
	return 0;
}

static const char *text_of(rq_stmt *st, int col)
{
	const char *t = rq_stmt_column_text(st, col);
	return t ? t : "";
}

int rq_store_intel_source(rq_store *s, const char *name, const char *kind, const char *location, int64_t now,
			  int64_t *out_id)
{
	rq_stmt *st = NULL;
	int rc = rq_store_prepare(s, &st,
				  "INSERT INTO intel_sources (name, kind, location, created_at, last_import)"
				  " VALUES ($1, $2, $3, $4, $4) ON CONFLICT (name) DO UPDATE SET"
				  " location = CASE WHEN excluded.location <> '' THEN excluded.location"
				  " ELSE intel_sources.location END, last_import = excluded.last_import"
				  " WHERE intel_sources.kind = excluded.kind RETURNING id");
	if (rc < 0)
		goto done;
	if ((rc = rq_stmt_bind_text(st, 1, name)) < 0 || (rc = rq_stmt_bind_text(st, 2, kind)) < 0 ||
	    (rc = rq_stmt_bind_text(st, 3, location ? location : "")) < 0 || (rc = rq_stmt_bind_int64(st, 4, now)) < 0)
		goto done;
	rc = rq_stmt_step_int64(st, out_id);
	if (rc == RQ_ENOTFOUND) /* the WHERE refused: the name belongs to another kind */
		rc = rq_fail(RQ_STORE_ECONSTRAINT, "store: intel source '%s' exists with another kind", name);
done:
	rq_stmt_finalize(st);
	return rc;
}

/* The id of indicator (type, value) into *out, or RQ_ENOTFOUND. */
static int find(rq_store *s, const char *type, const char *value, int64_t *out)
{
	rq_stmt *st = NULL;
	int rc = rq_store_prepare(s, &st, "SELECT id FROM intel_indicators WHERE type = $1 AND value = $2");
	if (rc == 0 && (rc = rq_stmt_bind_text(st, 1, type)) == 0 && (rc = rq_stmt_bind_text(st, 2, value)) == 0)
		rc = rq_stmt_step_int64(st, out);
	rq_stmt_finalize(st);
	return rc;
}

static int bind_indicator(rq_stmt *st, const rq_intel_indicator *ind, int64_t now)
{
	int64_t first = ind->first_seen ? ind->first_seen : now, last = ind->last_seen ? ind->last_seen : now;
	int rc;
	if (last < first)
		last = first;
	if ((rc = rq_stmt_bind_text(st, 1, rq_intel_type_name(ind->type))) < 0 ||
	    (rc = rq_stmt_bind_text(st, 2, ind->value)) < 0 || (rc = rq_stmt_bind_text(st, 3, ind->name)) < 0 ||
	    (rc = rq_stmt_bind_text(st, 4, ind->description)) < 0 || (rc = rq_stmt_bind_text(st, 5, ind->body)) < 0 ||
	    (rc = rq_stmt_bind_int64(st, 6, ind->confidence)) < 0 || (rc = rq_stmt_bind_int64(st, 7, first)) < 0 ||
	    (rc = rq_stmt_bind_int64(st, 8, last)) < 0 || (rc = rq_stmt_bind_int64(st, 9, now)) < 0)
		return rc;
	return ind->expires_at ? rq_stmt_bind_int64(st, 10, ind->expires_at) : rq_stmt_bind_null(st, 10);
}

int rq_store_intel_upsert(rq_store *s, int64_t source_id, const rq_intel_indicator *ind, int64_t now,
			  int *out_new)
{
	rq_stmt *st = NULL;
	int64_t id = 0;
	int created = 0;
	/* insert unless it exists (ON CONFLICT: a concurrent import of the same
	 * value on PostgreSQL makes this an update instead of a unique violation) */
	int rc = rq_store_prepare(s, &st,
				  "INSERT INTO intel_indicators (type, value, name, description, body, confidence,"
				  " first_seen, last_seen, imported_at, expires_at)"
				  " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
				  " ON CONFLICT (type, value) DO NOTHING RETURNING id");
	if (rc == 0 && (rc = bind_indicator(st, ind, now)) == 0)
		rc = rq_stmt_step_int64(st, &id);
	created = rc == 0;
	rq_stmt_finalize(st);
	st = NULL;
	if (rc == RQ_ENOTFOUND) {
		rc = rq_store_prepare(s, &st,
				      "UPDATE intel_indicators SET"
				      " name = CASE WHEN name = '' THEN $3 ELSE name END,"
				      " description = CASE WHEN description = '' THEN $4 ELSE description END,"
				      " body = COALESCE($5, body),"
				      " confidence = CASE WHEN $6 > confidence THEN $6 ELSE confidence END,"
				      " first_seen = CASE WHEN $7 < first_seen THEN $7 ELSE first_seen END,"
				      " last_seen = CASE WHEN $8 > last_seen THEN $8 ELSE last_seen END,"
				      " imported_at = $9, expires_at = $10"
				      " WHERE type = $1 AND value = $2 RETURNING id");
		if (rc == 0 && (rc = bind_indicator(st, ind, now)) == 0)
			rc = rq_stmt_step_int64(st, &id);
	}
	rq_stmt_finalize(st);
	st = NULL;
	if (rc < 0)
		goto done;
	rc = rq_store_prepare(s, &st,
			      "INSERT INTO intel_indicator_sources (indicator_id, source_id, confidence, first_seen,"
			      " last_seen, imported_at, ref) VALUES ($1, $2, $3, $4, $5, $6, $7)"
			      " ON CONFLICT (indicator_id, source_id) DO UPDATE SET confidence = excluded.confidence,"
			      " last_seen = excluded.last_seen, imported_at = excluded.imported_at, ref = excluded.ref");
	if (rc < 0)
		goto done;
	int64_t first = ind->first_seen ? ind->first_seen : now, last = ind->last_seen ? ind->last_seen : now;
	if ((rc = rq_stmt_bind_int64(st, 1, id)) < 0 || (rc = rq_stmt_bind_int64(st, 2, source_id)) < 0 ||
	    (rc = rq_stmt_bind_int64(st, 3, ind->confidence)) < 0 || (rc = rq_stmt_bind_int64(st, 4, first)) < 0 ||
	    (rc = rq_stmt_bind_int64(st, 5, last < first ? first : last)) < 0 ||
	    (rc = rq_stmt_bind_int64(st, 6, now)) < 0 || (rc = rq_stmt_bind_text(st, 7, ind->ref)) < 0)
		goto done;
	rc = rq_stmt_step(st);
done:
	rq_stmt_finalize(st);
	if (rc >= 0 && out_new)
		*out_new = created;
	return rc < 0 ? rc : 0;
}

int rq_store_intel_touch(rq_store *s, int64_t now)
{
	int64_t p[1] = { now };
	return rq_store_run(s, NULL, "UPDATE intel_state SET generation = generation + 1, changed_at = $1 WHERE id = 1",
			    p, 1);
}

int rq_store_intel_allow(rq_store *s, rq_intel_type type, const char *value, const char *name, int64_t now,
			 int64_t *out_id)
{
	int64_t source = 0, changes = 0;
	rq_intel_indicator ind = { .type = type, .value = (char *)value, .name = (char *)(name ? name : ""),
				   .description = "", .ref = "allow-list", .confidence = 100 };
	int rc = rq_store_intel_source(s, "local", "local", "", now, &source);
	if (rc == 0)
		rc = rq_store_intel_upsert(s, source, &ind, now, NULL);
	if (rc == 0)
		rc = find(s, rq_intel_type_name(type), value, out_id);
	if (rc == 0) {
		int64_t p[2] = { *out_id, now };
		rc = rq_store_run(s, &changes, "UPDATE intel_indicators SET allowlisted = 1, imported_at = $2 WHERE id = $1",
				  p, 2);
	}
	return rc;
}

int rq_store_intel_unallow(rq_store *s, int64_t id)
{
	int64_t changes = 0, p[1] = { id };
	int rc = rq_store_run(s, &changes, "UPDATE intel_indicators SET allowlisted = 0 WHERE id = $1 AND allowlisted = 1",
			      p, 1);
	if (rc == 0 && changes == 0)
		rc = rq_fail(RQ_ENOTFOUND, "store: indicator %lld is not allow-listed", (long long)id);
	if (rc == 0) /* made by the allow-list alone: nothing else vouches for it */
		rc = rq_store_run(s, NULL,
				  "DELETE FROM intel_indicators WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM"
				  " intel_indicator_sources l JOIN intel_sources src ON src.id = l.source_id"
				  " WHERE l.indicator_id = $1 AND src.kind <> 'local')",
				  p, 1);
	return rc;
}

int rq_store_intel_delete(rq_store *s, int64_t id)
{
	int64_t changes = 0, p[1] = { id };
	int rc = rq_store_run(s, NULL, "DELETE FROM intel_indicator_sources WHERE indicator_id = $1", p, 1);
	if (rc == 0)
		rc = rq_store_run(s, &changes, "DELETE FROM intel_indicators WHERE id = $1", p, 1);
	if (rc == 0 && changes == 0)
		rc = rq_fail(RQ_ENOTFOUND, "store: no indicator %lld", (long long)id);
	return rc;
}

/* Step `st` to the end, calling fn(st, ctx) per row; a non-zero return stops with RQ_ESTOPPED. */
static int each_row(rq_stmt *st, int (*fn)(rq_stmt *st, void *ctx), void *ctx, const char *what)
{
	int rc;
	while ((rc = rq_stmt_step(st)) == RQ_STORE_ROW)
		if (fn(st, ctx) != 0)
			return rq_fail(RQ_ESTOPPED, "store: intel %s: stopped by the caller", what);
	return rc < 0 ? rc : 0;
}

typedef struct row_cb {
	int (*cb)(const rq_intel_row *r, void *payload);
	void *payload;
	int with_body; /* column 11: the body (else the source names) */
} row_cb;

static void read_row(rq_stmt *st, rq_intel_row *r)
{
	memset(r, 0, sizeof(*r));
	r->id = rq_stmt_column_int64(st, 0);
	r->type = text_of(st, 1);
	r->value = text_of(st, 2);
	r->name = text_of(st, 3);
	r->description = text_of(st, 4);
	r->confidence = rq_stmt_column_int64(st, 5);
	r->allowlisted = (int)rq_stmt_column_int64(st, 6);
	r->first_seen = rq_stmt_column_int64(st, 7);
	r->last_seen = rq_stmt_column_int64(st, 8);
	r->imported_at = rq_stmt_column_int64(st, 9);
	r->expires_at = rq_stmt_column_int64(st, 10);
}

static int indicator_row(rq_stmt *st, void *ctx)
{
	row_cb *c = ctx;
	rq_intel_row r;
	read_row(st, &r);
	if (c->with_body)
		r.body = rq_stmt_column_text(st, 11);
	else
		r.sources = text_of(st, 11);
	return c->cb(&r, c->payload);
}

#define ROW_COLUMNS \
	"i.id, i.type, i.value, i.name, i.description, i.confidence, i.allowlisted, i.first_seen, i.last_seen," \
	" i.imported_at, i.expires_at"
#define LIST_WHERE \
	" WHERE ($1 = '' OR i.type = $1)" \
	" AND ($2 = '' OR EXISTS (SELECT 1 FROM intel_indicator_sources l JOIN intel_sources src" \
	" ON src.id = l.source_id WHERE l.indicator_id = i.id AND src.name = $2))" \
	" AND ($3 = '' OR i.value %1$s $3 ESCAPE '\\' OR i.name %1$s $3 ESCAPE '\\'" \
	" OR i.description %1$s $3 ESCAPE '\\') AND ($4 < 0 OR i.allowlisted = $4)" \
	" AND ($5 = 0 OR $5 = CASE WHEN i.expires_at IS NOT NULL AND i.expires_at <= $6 THEN 2 ELSE 1 END)"

/* '%q%' with LIKE's metacharacters escaped; "" for no q. */
static char *like_pattern(const char *q)
{
	size_t n = q ? strlen(q) : 0;
	char *out = malloc(2 * n + 3), *p = out;
	if (!out || !n) {
		if (out)
			*out = '\0';
		return out;
	}
	*p++ = '%';
	for (size_t i = 0; i < n; i++) {
		if (q[i] == '%' || q[i] == '_' || q[i] == '\\')
			*p++ = '\\';
		*p++ = q[i];
	}
	*p++ = '%';
	*p = '\0';
	return out;
}

static int bind_filter(rq_stmt *st, const rq_intel_filter *f, const char *like)
{
	int rc;
	if ((rc = rq_stmt_bind_text(st, 1, f->type ? f->type : "")) < 0 ||
	    (rc = rq_stmt_bind_text(st, 2, f->source ? f->source : "")) < 0 || (rc = rq_stmt_bind_text(st, 3, like)) < 0)
		return rc;
	if ((rc = rq_stmt_bind_int64(st, 4, f->allowlisted)) < 0 || (rc = rq_stmt_bind_int64(st, 5, f->expiry)) < 0)
		return rc;
	return rq_stmt_bind_int64(st, 6, f->now);
}

int rq_store_intel_list(rq_store *s, const rq_intel_filter *f, int64_t limit, int64_t offset, int64_t *out_total,
			int (*cb)(const rq_intel_row *r, void *payload), void *payload)
{
	int pg = rq_store_dialect_of(s) == RQ_STORE_POSTGRES;
	const char *like_op = pg ? "ILIKE" : "LIKE";
	char sql[2048], where[1024];
	rq_stmt *st = NULL;
	char *like = like_pattern(f->q);
	int rc = like ? 0 : rq_fail(RQ_ENOMEM, "out of memory");
	if (rc < 0)
		goto done;
	snprintf(where, sizeof(where), LIST_WHERE, like_op);
	snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM intel_indicators i%s", where);
	if ((rc = rq_store_prepare(s, &st, sql)) < 0 || (rc = bind_filter(st, f, like)) < 0 ||
	    (rc = rq_stmt_step_int64(st, out_total)) < 0)
		goto done;
	rq_stmt_finalize(st);
	st = NULL;
	snprintf(sql, sizeof(sql),
		 "SELECT " ROW_COLUMNS ", (SELECT %s FROM (SELECT src.name FROM intel_indicator_sources l"
		 " JOIN intel_sources src ON src.id = l.source_id WHERE l.indicator_id = i.id ORDER BY src.name) n)"
		 " FROM intel_indicators i%s ORDER BY i.imported_at DESC, i.id DESC LIMIT $7 OFFSET $8",
		 /* SQLite concatenates in the subquery's order */
		 pg ? "string_agg(n.name, ',' ORDER BY n.name)" : "group_concat(n.name, ',')", where);
	if ((rc = rq_store_prepare(s, &st, sql)) < 0 || (rc = bind_filter(st, f, like)) < 0 ||
	    (rc = rq_stmt_bind_int64(st, 7, limit)) < 0 || (rc = rq_stmt_bind_int64(st, 8, offset)) < 0)
		goto done;
	row_cb c = { cb, payload, 0 };
	rc = each_row(st, indicator_row, &c, "list");
done:
	rq_stmt_finalize(st);
	free(like);
	return rc < 0 ? rc : 0;
}

int rq_store_intel_active(rq_store *s, int64_t now, int (*cb)(const rq_intel_row *r, void *payload),
			  void *payload)
{
	rq_stmt *st = NULL;
	int rc = rq_store_prepare(s, &st,
				  "SELECT " ROW_COLUMNS ", i.body FROM intel_indicators i"
				  " WHERE i.expires_at IS NULL OR i.expires_at > $1 ORDER BY i.type, i.value");
	if (rc < 0 || (rc = rq_stmt_bind_int64(st, 1, now)) < 0)
		goto done;
	row_cb c = { cb, payload, 1 };
	rc = each_row(st, indicator_row, &c, "indicators");
done:
	rq_stmt_finalize(st);
	return rc < 0 ? rc : 0;
}

typedef struct source_cb {
	int (*cb)(const rq_intel_source_row *r, void *payload);
	void *payload;
} source_cb;

static int source_row(rq_stmt *st, void *ctx)
{
	source_cb *c = ctx;
	rq_intel_source_row r = {
		.id = rq_stmt_column_int64(st, 0),
		.name = text_of(st, 1),
		.kind = text_of(st, 2),
		.location = text_of(st, 3),
		.created_at = rq_stmt_column_int64(st, 4),
		.last_import = rq_stmt_column_int64(st, 5),
		.indicators = rq_stmt_column_int64(st, 6),
	};
	return c->cb(&r, c->payload);
}

int rq_store_intel_sources(rq_store *s, int (*cb)(const rq_intel_source_row *r, void *payload), void *payload)
{
	rq_stmt *st = NULL;
	int rc = rq_store_prepare(s, &st,
				  "SELECT src.id, src.name, src.kind, src.location, src.created_at, src.last_import,"
				  " (SELECT COUNT(*) FROM intel_indicator_sources l WHERE l.source_id = src.id)"
				  " FROM intel_sources src ORDER BY src.name");
	if (rc < 0)
		goto done;
	source_cb c = { cb, payload };
	rc = each_row(st, source_row, &c, "sources");
done:
	rq_stmt_finalize(st);
	return rc < 0 ? rc : 0;
}

int rq_store_intel_feed_key(rq_store *s, const char *source, const char *uuid, char out[80])
{
	rq_stmt *st = NULL;
	int rc = rq_store_prepare(s, &st,
				  "SELECT f.digest FROM intel_feed_events f JOIN intel_sources src ON src.id = f.source_id"
				  " WHERE src.name = $1 AND f.uuid = $2");
	if (rc < 0 || (rc = rq_stmt_bind_text(st, 1, source)) < 0 || (rc = rq_stmt_bind_text(st, 2, uuid)) < 0)
		goto done;
	rc = rq_stmt_step(st);
	if (rc == RQ_STORE_ROW) {
		snprintf(out, 80, "%s", text_of(st, 0));
		rc = 0;
	} else if (rc == RQ_STORE_DONE) {
		rc = RQ_ENOTFOUND;
	}
done:
	rq_stmt_finalize(st);
	return rc;
}

int rq_store_intel_feed_mark(rq_store *s, int64_t source_id, const char *uuid, const char *info,
			     int64_t threat_level, const char *digest, int64_t now)
{
	rq_stmt *st = NULL;
	int rc = rq_store_prepare(s, &st,
				  "INSERT INTO intel_feed_events (source_id, uuid, info, threat_level, digest, imported_at)"
				  " VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (source_id, uuid) DO UPDATE SET"
				  " info = excluded.info, threat_level = excluded.threat_level, digest = excluded.digest,"
				  " imported_at = excluded.imported_at");
	if (rc < 0)
		goto done;
	if ((rc = rq_stmt_bind_int64(st, 1, source_id)) < 0 || (rc = rq_stmt_bind_text(st, 2, uuid)) < 0 ||
	    (rc = rq_stmt_bind_text(st, 3, info ? info : "")) < 0 ||
	    (rc = threat_level ? rq_stmt_bind_int64(st, 4, threat_level) : rq_stmt_bind_null(st, 4)) < 0 ||
	    (rc = rq_stmt_bind_text(st, 5, digest)) < 0 || (rc = rq_stmt_bind_int64(st, 6, now)) < 0)
		goto done;
	rc = rq_stmt_step(st);
done:
	rq_stmt_finalize(st);
	return rc < 0 ? rc : 0;
}

int rq_store_intel_state(rq_store *s, rq_intel_state *out)
{
	rq_stmt *st = NULL;
	memset(out, 0, sizeof(*out));
	int rc = rq_store_prepare(s, &st,
				  "SELECT generation, changed_at, published_generation, published_version, published_at,"
				  " last_error FROM intel_state WHERE id = 1");
	if (rc < 0)
		goto done;
	rc = rq_stmt_step(st);
	if (rc == RQ_STORE_ROW) {
		out->generation = rq_stmt_column_int64(st, 0);
		out->changed_at = rq_stmt_column_int64(st, 1);
		out->published_generation = rq_stmt_column_int64(st, 2);
		out->published_version = rq_stmt_column_int64(st, 3);
		out->published_at = rq_stmt_column_int64(st, 4);
		snprintf(out->last_error, sizeof(out->last_error), "%s", text_of(st, 5));
		rc = 0;
	} else if (rc == RQ_STORE_DONE) {
		rc = rq_fail(RQ_ENOTFOUND, "store: intel_state has no row");
	}
done:
	rq_stmt_finalize(st);
	return rc;
}

int rq_store_intel_published(rq_store *s, int64_t generation, int64_t version, int64_t now, const char *error)
{
	rq_stmt *st = NULL;
	int ok = !error || !*error;
	int rc = rq_store_prepare(s, &st,
				  ok ? "UPDATE intel_state SET published_generation = $1, published_version = $2,"
				       " published_at = $3, last_error = $4 WHERE id = 1"
				     : "UPDATE intel_state SET published_at = $3, last_error = $4"
				       " WHERE id = 1 AND $1 >= 0 AND $2 >= 0");
	if (rc < 0)
		goto done;
	if ((rc = rq_stmt_bind_int64(st, 1, generation)) < 0 || (rc = rq_stmt_bind_int64(st, 2, version)) < 0 ||
	    (rc = rq_stmt_bind_int64(st, 3, now)) < 0 || (rc = rq_stmt_bind_text(st, 4, ok ? "" : error)) < 0)
		goto done;
	rc = rq_stmt_step(st);
done:
	rq_stmt_finalize(st);
	return rc < 0 ? rc : 0;
}

int rq_store_intel_expired_since(rq_store *s, int64_t since, int64_t now, int *out)
{
	int64_t n = 0;
	rq_stmt *st = NULL;
	int rc = rq_store_prepare(s, &st, "SELECT COUNT(*) FROM intel_indicators WHERE expires_at > $1 AND expires_at <= $2");
	if (rc == 0 && (rc = rq_stmt_bind_int64(st, 1, since)) == 0 && (rc = rq_stmt_bind_int64(st, 2, now)) == 0)
		rc = rq_stmt_step_int64(st, &n);
	rq_stmt_finalize(st);
	*out = n > 0;
	return rc;
}
