/*
 * The admin API's read queries over the fleet (see fleet.h): filtered,
 * sorted, paged lists of endpoints, detections and connections with their
 * totals, built by rq_sqlb from fixed fragments (values are always bound)
 * so that each filter combination is plain indexable SQL, the same on both
 * backends but for case-insensitive LIKE and the order of NULLs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "store/fleet.h"
#include "store/units.h"

/* --- the SQL builder --- */

void rq_sqlb_init(rq_sqlb *b)
{
	memset(b, 0, sizeof(*b));
}

static void put(rq_sqlb *b, const char *text, size_t n)
{
	if (b->failed || b->len + n >= sizeof(b->sql)) {
		b->failed = 1;
		return;
	}
	memcpy(b->sql + b->len, text, n);
	b->len += n;
	b->sql[b->len] = '\0';
}

/* Append `fragment` with each '?' as $N, N the next parameter's number. */
static void add_with(rq_sqlb *b, const char *fragment, const char *text, int64_t value)
{
	char num[16];
	if (b->count >= RQ_SQLB_MAX_PARAMS) {
		b->failed = 1;
		return;
	}
	b->params[b->count].text = text;
	b->params[b->count].value = value;
	b->count++;
	snprintf(num, sizeof(num), "$%d", b->count);
	for (const char *p = fragment; *p; p++) {
		const char *q = strchr(p, '?');
		size_t n = q ? (size_t)(q - p) : strlen(p);
		put(b, p, n);
		if (!q)
			break;
		put(b, num, strlen(num));
		p = q;
	}
}

void rq_sqlb_add(rq_sqlb *b, const char *fragment)
{
	if (strchr(fragment, '?'))
		b->failed = 1;
	else
		put(b, fragment, strlen(fragment));
}

void rq_sqlb_int(rq_sqlb *b, const char *fragment, int64_t value)
{
	add_with(b, fragment, NULL, value);
}

void rq_sqlb_text(rq_sqlb *b, const char *fragment, const char *value)
{
	add_with(b, fragment, value ? value : "", 0);
}

void rq_sqlb_subtree(rq_sqlb *b, int64_t unit_id)
{
	if (unit_id <= 0)
		return;
	rq_sqlb_int(b, "WITH RECURSIVE sub(id, depth) AS (SELECT id, 0 FROM units WHERE id = ?", unit_id);
	rq_sqlb_int(b,
		    " UNION ALL SELECT u.id, sub.depth + 1 FROM units u JOIN sub ON u.parent_id = sub.id"
		    " WHERE sub.depth < ?) ",
		    RQ_STORE_MAX_UNIT_DEPTH - 1);
}

void rq_sqlb_in_subtree(rq_sqlb *b, const rq_store *s, const char *column, int of_endpoint)
{
	int pg = rq_store_dialect_of(s) == RQ_STORE_POSTGRES;
	rq_sqlb_add(b, " AND ");
	rq_sqlb_add(b, column);
	if (of_endpoint)
		rq_sqlb_add(b, pg ? " = ANY (ARRAY(SELECT id FROM endpoints WHERE unit_id = ANY (ARRAY(SELECT id FROM sub))))"
				  : " IN (SELECT id FROM endpoints WHERE unit_id IN (SELECT id FROM sub))");
	else
		rq_sqlb_add(b, pg ? " = ANY (ARRAY(SELECT id FROM sub))" : " IN (SELECT id FROM sub)");
}

int rq_sqlb_prepare(rq_sqlb *b, rq_store *s, rq_stmt **out)
{
	int rc;
	*out = NULL;
	if (b->failed)
		return rq_fail(RQ_ELIMIT, "store: a list query outgrew its builder");
	rc = rq_store_prepare(s, out, b->sql);
	for (int i = 0; rc == 0 && i < b->count; i++)
		rc = b->params[i].text ? rq_stmt_bind_text(*out, i + 1, b->params[i].text)
				       : rq_stmt_bind_int64(*out, i + 1, b->params[i].value);
	if (rc < 0) {
		rq_stmt_finalize(*out);
		*out = NULL;
	}
	return rc;
}

int rq_fleet_like_pattern(char *buf, size_t size, const char *needle)
{
	size_t n = 0, len = strlen(needle);
	if (len > RQ_FLEET_NEEDLE_MAX || size < 2 * len + 3)
		return rq_fail(RQ_EINVAL, "store: search text over %d bytes", RQ_FLEET_NEEDLE_MAX);
	buf[n++] = '%';
	for (const char *p = needle; *p; p++) {
		if (*p == '%' || *p == '_' || *p == '\\')
			buf[n++] = '\\';
		buf[n++] = *p;
	}
	buf[n++] = '%';
	buf[n] = '\0';
	return 0;
}

const char *rq_fleet_ilike(const rq_store *s)
{
	/* SQLite's LIKE ignores ASCII case already */
	return rq_store_dialect_of(s) == RQ_STORE_POSTGRES ? "ILIKE" : "LIKE";
}

/* " ASC"/" DESC", with NULLs as the smallest value on both backends
 * (SQLite's own order; PostgreSQL puts them last by default). */
static void order_dir(rq_sqlb *b, const rq_store *s, int desc, int nullable)
{
	rq_sqlb_add(b, desc ? " DESC" : " ASC");
	if (nullable && rq_store_dialect_of(s) == RQ_STORE_POSTGRES)
		rq_sqlb_add(b, desc ? " NULLS LAST" : " NULLS FIRST");
}

/* Step `st` to the end, row(st, payload) for each row; *rows counts them. */
static int each_row(rq_stmt *st, int (*row)(rq_stmt *st, void *payload), void *payload, int64_t *rows)
{
	int rc;
	while ((rc = rq_stmt_step(st)) == RQ_STORE_ROW) {
		(*rows)++;
		if (row(st, payload) != 0) {
			rc = rq_fail(RQ_ESTOPPED, "store: list stopped by the caller");
			break;
		}
	}
	return rc < 0 ? rc : 0;
}

/* Prepare `b` and call row() for each of its rows. */
static int run_rows(rq_store *s, rq_sqlb *b, int (*row)(rq_stmt *st, void *payload), void *payload, int64_t *rows)
{
	rq_stmt *st = NULL;
	int rc = rq_sqlb_prepare(b, s, &st);
	if (rc == 0)
		rc = each_row(st, row, payload, rows);
	rq_stmt_finalize(st);
	return rc;
}

int rq_sqlb_list_run(rq_store *s, const rq_sqlb_list *l, int64_t *out_total, int (*row)(rq_stmt *st, void *payload),
		     void *payload)
{
	rq_sqlb b;
	rq_stmt *st = NULL;
	int64_t rows = 0;
	int rc;
	*out_total = 0;
	rq_sqlb_init(&b);
	rq_sqlb_subtree(&b, l->unit_id);
	rq_sqlb_add(&b, "SELECT COUNT(*) FROM ");
	rq_sqlb_add(&b, l->from);
	l->where(&b, s, l->filter);
	rc = rq_sqlb_prepare(&b, s, &st);
	if (rc == 0)
		rc = rq_stmt_step_int64(st, out_total);
	rq_stmt_finalize(st);
	if (rc < 0)
		return rc;
	/* the page's ids first, sorted from narrow rows (or an index alone),
	 * then the wide rows of those few: sorting whole rows of 100,000
	 * endpoints by OS costs ten times more */
	rq_sqlb_init(&b);
	rq_sqlb_subtree(&b, l->unit_id);
	rq_sqlb_add(&b, l->columns);
	rq_sqlb_add(&b, " WHERE ");
	rq_sqlb_add(&b, l->id);
	rq_sqlb_add(&b, " IN (SELECT ");
	rq_sqlb_add(&b, l->id);
	rq_sqlb_add(&b, " FROM ");
	rq_sqlb_add(&b, l->from);
	if (l->sort_join)
		rq_sqlb_add(&b, l->sort_join);
	l->where(&b, s, l->filter);
	l->order(&b, s, l->filter);
	rq_sqlb_int(&b, " LIMIT ?", l->limit);
	rq_sqlb_int(&b, " OFFSET ?)", l->offset);
	l->order(&b, s, l->filter);
	return run_rows(s, &b, row, payload, &rows);
}

int rq_sqlb_get(rq_store *s, const char *columns, const char *id_column, int64_t id, const char *what,
		int (*row)(rq_stmt *st, void *payload), void *payload)
{
	rq_sqlb b;
	int64_t rows = 0;
	int rc;
	rq_sqlb_init(&b);
	rq_sqlb_add(&b, columns);
	rq_sqlb_add(&b, " WHERE ");
	rq_sqlb_add(&b, id_column);
	rq_sqlb_int(&b, " = ?", id);
	rc = run_rows(s, &b, row, payload, &rows);
	if (rc == 0 && rows == 0)
		rc = rq_fail(RQ_ENOTFOUND, "store: %s %lld not found", what, (long long)id);
	return rc;
}

/* A list's filter with its LIKE pattern (NULL: no substring search). */
typedef struct filter_like {
	const void *f;
	const char *like;
} filter_like;

static const char *text_or_empty(rq_stmt *st, int col)
{
	const char *v = rq_stmt_column_text(st, col);
	return v ? v : "";
}

/* --- endpoints --- */

#define ENDPOINT_COLUMNS                                                                               \
	"SELECT e.id, e.unit_id, u.name, u.code, e.hostname, e.kind, e.machine_id, e.os_name,"         \
	" e.os_version, e.ips, e.macs, e.agent_version, e.db_versions, e.status, e.db_newest_build,"   \
	" e.created_at, e.last_seen, e.last_full_scan, e.last_update, e.realtime, e.firewall,"         \
	" e.active_detections, e.vault_free, e.vault_total FROM endpoints e JOIN units u ON u.id = e.unit_id"

typedef struct endpoint_cb {
	rq_endpoint_row_cb cb;
	void *payload;
} endpoint_cb;

static int endpoint_row(rq_stmt *st, void *payload)
{
	endpoint_cb *c = payload;
	rq_endpoint_row r;
	r.id = rq_stmt_column_int64(st, 0);
	r.unit_id = rq_stmt_column_int64(st, 1);
	r.unit_name = text_or_empty(st, 2);
	r.unit_code = text_or_empty(st, 3);
	r.hostname = text_or_empty(st, 4);
	r.kind = text_or_empty(st, 5);
	r.machine_id = text_or_empty(st, 6);
	r.os_name = text_or_empty(st, 7);
	r.os_version = text_or_empty(st, 8);
	r.ips_json = text_or_empty(st, 9);
	r.macs_json = text_or_empty(st, 10);
	r.agent_version = text_or_empty(st, 11);
	r.db_versions_json = text_or_empty(st, 12);
	r.status = text_or_empty(st, 13);
	r.db_newest_build = rq_stmt_column_int64(st, 14);
	r.created_at = rq_stmt_column_int64(st, 15);
	r.last_seen = rq_stmt_column_int64(st, 16);
	r.last_full_scan = rq_stmt_column_int64(st, 17);
	r.last_update = rq_stmt_column_int64(st, 18);
	r.realtime = (int)rq_stmt_column_int64(st, 19);
	r.firewall = (int)rq_stmt_column_int64(st, 20);
	r.active_detections = rq_stmt_column_int64(st, 21);
	r.vault_known = !rq_stmt_column_is_null(st, 22);
	r.vault_free = rq_stmt_column_int64(st, 22);
	r.vault_total = rq_stmt_column_int64(st, 23);
	return c->cb(&r, c->payload);
}

/* The WHERE of an endpoint list (the table is "e"). */
static void endpoint_where(rq_sqlb *b, rq_store *s, const void *query)
{
	const rq_endpoint_filter *f = ((const filter_like *)query)->f;
	const char *like = ((const filter_like *)query)->like;
	rq_sqlb_add(b, " WHERE 1 = 1");
	if (f->unit_id > 0)
		rq_sqlb_in_subtree(b, s, "e.unit_id", 0);
	if (f->kind)
		rq_sqlb_text(b, " AND e.kind = ?", f->kind);
	if (f->status)
		rq_sqlb_text(b, " AND e.status = ?", f->status);
	if (f->seen_before > 0)
		rq_sqlb_int(b, " AND (e.last_seen IS NULL OR e.last_seen < ?)", f->seen_before);
	if (f->sig_before > 0)
		rq_sqlb_int(b, " AND (e.db_newest_build IS NULL OR e.db_newest_build < ?)", f->sig_before);
	if (f->infected == 1)
		rq_sqlb_add(b, " AND e.active_detections > 0");
	else if (f->infected == 0)
		rq_sqlb_add(b, " AND e.active_detections = 0");
	if (f->realtime == 0 || f->realtime == 1)
		rq_sqlb_int(b, " AND e.realtime = ?", f->realtime);
	if (f->outdated == 1 || f->outdated == 2) {
		rq_sqlb_add(b, f->outdated == 1 ? " AND e.id IN" : " AND e.id NOT IN");
		rq_sqlb_add(b, " (SELECT x.endpoint_id FROM endpoint_dbs x WHERE 1 = 0");
		for (size_t i = 0; i < f->outdated_count && i < RQ_FLEET_OUTDATED_MAX; i++) {
			rq_sqlb_text(b, " OR (x.name = ?", f->outdated_dbs[i].name);
			rq_sqlb_int(b, " AND x.version < ?)", f->outdated_dbs[i].version);
		}
		rq_sqlb_add(b, ")");
	}
	if (like) {
		char frag[160];
		snprintf(frag, sizeof(frag), " AND (e.hostname %s ? ESCAPE '\\' OR e.ips LIKE ? ESCAPE '\\')",
			 rq_fleet_ilike(s));
		rq_sqlb_text(b, frag, like);
	}
}

static void endpoint_order(rq_sqlb *b, rq_store *s, const void *query)
{
	const rq_endpoint_filter *f = ((const filter_like *)query)->f;
	int d = f->desc;
	rq_sqlb_add(b, " ORDER BY ");
	switch (f->sort) {
	case RQ_EP_SORT_LAST_SEEN:
		rq_sqlb_add(b, "e.last_seen");
		order_dir(b, s, d, 1);
		break;
	case RQ_EP_SORT_UNIT:
		rq_sqlb_add(b, "u.name");
		order_dir(b, s, d, 0);
		rq_sqlb_add(b, ", u.id");
		order_dir(b, s, d, 0);
		rq_sqlb_add(b, ", e.hostname");
		order_dir(b, s, d, 0);
		break;
	case RQ_EP_SORT_OS:
		rq_sqlb_add(b, "e.os_name");
		order_dir(b, s, d, 0);
		rq_sqlb_add(b, ", e.os_version");
		order_dir(b, s, d, 0);
		rq_sqlb_add(b, ", e.hostname");
		order_dir(b, s, d, 0);
		break;
	case RQ_EP_SORT_ACTIVE_DETECTIONS:
		rq_sqlb_add(b, "e.active_detections");
		order_dir(b, s, d, 0);
		break;
	case RQ_EP_SORT_DB_NEWEST_BUILD:
		rq_sqlb_add(b, "e.db_newest_build");
		order_dir(b, s, d, 1);
		break;
	default:
		rq_sqlb_add(b, "e.hostname");
		order_dir(b, s, d, 0);
		break;
	}
	rq_sqlb_add(b, ", e.id");
	order_dir(b, s, d, 0);
}

/* Where a page sorted by unit lies: the units it spans, as the first and
 * last (name, id) in the sort order, and how many rows of the first unit
 * it skips. */
typedef struct unit_span {
	char *first_name, *last_name;
	int64_t first_id, last_id, skip;
	int empty;
} unit_span;

/* Keep (name, id) of the current row of `st` in *name, *id. */
static int keep_unit(rq_stmt *st, char **name, int64_t *id)
{
	free(*name);
	*name = strdup(text_or_empty(st, 0));
	*id = rq_stmt_column_int64(st, 1);
	return *name ? 0 : rq_fail(RQ_ENOMEM, "store: out of memory listing endpoints");
}

/*
 * The endpoints matching f per unit, in the page's unit order: the total,
 * and the span of units the page [offset, offset + limit) falls in.
 */
static int unit_span_of(rq_store *s, const filter_like *q, int64_t *out_total, unit_span *span)
{
	const rq_endpoint_filter *f = (const rq_endpoint_filter *)q->f;
	rq_sqlb b;
	rq_stmt *st = NULL;
	int64_t seen = 0, end = f->offset + f->limit;
	int rc;
	span->empty = 1;
	rq_sqlb_init(&b);
	rq_sqlb_subtree(&b, f->unit_id);
	rq_sqlb_add(&b, "SELECT u.name, u.id, g.n FROM (SELECT e.unit_id, COUNT(*) AS n FROM endpoints e");
	endpoint_where(&b, s, q);
	rq_sqlb_add(&b, " GROUP BY e.unit_id) g JOIN units u ON u.id = g.unit_id ORDER BY u.name");
	order_dir(&b, s, f->desc, 0);
	rq_sqlb_add(&b, ", u.id");
	order_dir(&b, s, f->desc, 0);
	if ((rc = rq_sqlb_prepare(&b, s, &st)) < 0)
		goto done;
	while ((rc = rq_stmt_step(st)) == RQ_STORE_ROW) {
		int64_t n = rq_stmt_column_int64(st, 2);
		if (seen + n > f->offset && seen < end) {
			if (span->empty) {
				span->empty = 0;
				span->skip = f->offset - seen;
				if ((rc = keep_unit(st, &span->first_name, &span->first_id)) < 0)
					break;
			}
			if ((rc = keep_unit(st, &span->last_name, &span->last_id)) < 0)
				break;
		}
		seen += n;
	}
	*out_total = seen;
done:
	rq_stmt_finalize(st);
	return rc < 0 ? rc : 0;
}

/*
 * sort=unit: sorting every endpoint by its unit's name would need an index
 * on (unit_id, hostname), which costs heartbeats a third of their speed.
 * Instead the per-unit counts (read from the endpoints_unit index) place
 * the page among the units, and only the endpoints of the few units it
 * spans are sorted: 200 ms become ~10 at 100,000 endpoints.
 */
static int endpoints_by_unit(rq_store *s, const filter_like *q, int64_t *out_total, endpoint_cb *c)
{
	const rq_endpoint_filter *f = (const rq_endpoint_filter *)q->f;
	unit_span span = {0};
	rq_sqlb page;
	int64_t rows = 0;
	const char *lo = f->desc ? " <= (?" : " >= (?", *hi = f->desc ? " >= (?" : " <= (?";
	int rc = unit_span_of(s, q, out_total, &span);
	if (rc < 0 || span.empty)
		goto done;
	rq_sqlb_init(&page);
	rq_sqlb_subtree(&page, f->unit_id);
	rq_sqlb_add(&page, ENDPOINT_COLUMNS " WHERE e.id IN (SELECT e.id FROM endpoints e"
					   " JOIN units u ON u.id = e.unit_id");
	endpoint_where(&page, s, q);
	rq_sqlb_add(&page, " AND (u.name, u.id)");
	rq_sqlb_text(&page, lo, span.first_name);
	rq_sqlb_int(&page, ", ?)", span.first_id);
	rq_sqlb_add(&page, " AND (u.name, u.id)");
	rq_sqlb_text(&page, hi, span.last_name);
	rq_sqlb_int(&page, ", ?)", span.last_id);
	endpoint_order(&page, s, q);
	rq_sqlb_int(&page, " LIMIT ?", f->limit);
	rq_sqlb_int(&page, " OFFSET ?)", span.skip);
	endpoint_order(&page, s, q);
	rc = run_rows(s, &page, endpoint_row, c, &rows);
done:
	free(span.first_name);
	free(span.last_name);
	return rc;
}

int rq_store_fleet_endpoints(rq_store *s, const rq_endpoint_filter *f, int64_t *out_total, rq_endpoint_row_cb cb,
			     void *payload)
{
	char like[2 * RQ_FLEET_NEEDLE_MAX + 3];
	endpoint_cb c = {cb, payload};
	filter_like q = {f, f->q ? like : NULL};
	rq_sqlb_list l = {.from = "endpoints e", .id = "e.id", .columns = ENDPOINT_COLUMNS, .where = endpoint_where,
			  .order = endpoint_order, .filter = &q, .unit_id = f->unit_id, .limit = f->limit,
			  .offset = f->offset};
	int rc = 0;
	*out_total = 0;
	if (f->q && (rc = rq_fleet_like_pattern(like, sizeof(like), f->q)) < 0)
		return rc;
	if (f->sort == RQ_EP_SORT_UNIT)
		return endpoints_by_unit(s, &q, out_total, &c);
	return rq_sqlb_list_run(s, &l, out_total, endpoint_row, &c);
}

int rq_store_fleet_endpoint(rq_store *s, int64_t id, rq_endpoint_row_cb cb, void *payload)
{
	endpoint_cb c = {cb, payload};
	return rq_sqlb_get(s, ENDPOINT_COLUMNS, "e.id", id, "endpoint", endpoint_row, &c);
}

int rq_store_fleet_endpoint_unit(rq_store *s, int64_t id, int64_t *out_unit)
{
	rq_stmt *st = NULL;
	int rc = rq_store_prepare(s, &st, "SELECT unit_id FROM endpoints WHERE id = $1");
	*out_unit = 0;
	if (rc == 0 && (rc = rq_stmt_bind_int64(st, 1, id)) == 0)
		rc = rq_stmt_step_int64(st, out_unit);
	if (rc == RQ_ENOTFOUND)
		rc = rq_fail(RQ_ENOTFOUND, "store: endpoint %lld not found", (long long)id);
	rq_stmt_finalize(st);
	return rc;
}

int rq_store_fleet_endpoint_retire(rq_store *s, int64_t id, int64_t now, int64_t *out_unit)
{
	const int64_t params[] = {id, now};
	int rc = rq_store_fleet_endpoint_unit(s, id, out_unit);
	if (rc < 0)
		goto done;
	/* revoked first: should the delete ever be skipped, the agent is still out */
	rc = rq_store_run(s, NULL, "UPDATE agent_credentials SET revoked_at = $2 WHERE endpoint_id = $1"
				   " AND revoked_at IS NULL", params, 2);
	if (rc < 0)
		goto done;
	rc = rq_store_run(s, NULL, "DELETE FROM endpoints WHERE id = $1", params, 1);
done:
	return rc;
}

/* --- scans --- */

int rq_store_fleet_scans(rq_store *s, int64_t endpoint_id, int64_t limit,
			 int (*cb)(const rq_scan_row *row, void *payload), void *payload)
{
	rq_stmt *st = NULL;
	rq_scan_row r;
	int rc = rq_store_prepare(s, &st,
				  "SELECT id, kind, result, started_at, finished_at, files_scanned, detections, errors"
				  " FROM scan_summaries WHERE endpoint_id = $1 ORDER BY started_at DESC, id DESC LIMIT $2");
	if (rc < 0)
		goto done;
	if ((rc = rq_stmt_bind_int64(st, 1, endpoint_id)) < 0 || (rc = rq_stmt_bind_int64(st, 2, limit)) < 0)
		goto done;
	while ((rc = rq_stmt_step(st)) == RQ_STORE_ROW) {
		r.id = rq_stmt_column_int64(st, 0);
		r.kind = text_or_empty(st, 1);
		r.result = text_or_empty(st, 2);
		r.started_at = rq_stmt_column_int64(st, 3);
		r.finished_at = rq_stmt_column_int64(st, 4);
		r.files_scanned = rq_stmt_column_int64(st, 5);
		r.detections = rq_stmt_column_int64(st, 6);
		r.errors = rq_stmt_column_int64(st, 7);
		if (cb(&r, payload) != 0) {
			rc = rq_fail(RQ_ESTOPPED, "store: list stopped by the caller");
			break;
		}
	}
done:
	rq_stmt_finalize(st);
	return rc < 0 ? rc : 0;
}

/* --- detections --- */

#define DETECTION_COLUMNS                                                                              \
	"SELECT d.id, d.endpoint_id, e.unit_id, e.hostname, u.name, u.code, d.path, d.sha256, d.md5,"  \
	" d.name, d.type, d.action, d.state, d.first_seen, d.last_seen FROM detections d"             \
	" JOIN endpoints e ON e.id = d.endpoint_id JOIN units u ON u.id = e.unit_id"

typedef struct detection_cb {
	rq_detection_row_cb cb;
	void *payload;
} detection_cb;

static int detection_row(rq_stmt *st, void *payload)
{
	detection_cb *c = payload;
	rq_detection_row r;
	r.id = rq_stmt_column_int64(st, 0);
	r.endpoint_id = rq_stmt_column_int64(st, 1);
	r.unit_id = rq_stmt_column_int64(st, 2);
	r.hostname = text_or_empty(st, 3);
	r.unit_name = text_or_empty(st, 4);
	r.unit_code = text_or_empty(st, 5);
	r.path = text_or_empty(st, 6);
	r.sha256 = text_or_empty(st, 7);
	r.md5 = text_or_empty(st, 8);
	r.name = text_or_empty(st, 9);
	r.type = text_or_empty(st, 10);
	r.action = text_or_empty(st, 11);
	r.state = text_or_empty(st, 12);
	r.first_seen = rq_stmt_column_int64(st, 13);
	r.last_seen = rq_stmt_column_int64(st, 14);
	return c->cb(&r, c->payload);
}

/* The WHERE of a detection list ("d"; the unit through its endpoints, so
 * the COUNT needs no join). */
static void detection_where(rq_sqlb *b, rq_store *s, const void *query)
{
	const rq_detection_filter *f = ((const filter_like *)query)->f;
	const char *like = ((const filter_like *)query)->like;
	rq_sqlb_add(b, " WHERE 1 = 1");
	if (f->unit_id > 0)
		rq_sqlb_in_subtree(b, s, "d.endpoint_id", 1);
	if (f->endpoint_id > 0)
		rq_sqlb_int(b, " AND d.endpoint_id = ?", f->endpoint_id);
	if (f->state)
		rq_sqlb_text(b, " AND d.state = ?", f->state);
	if (f->sha256)
		rq_sqlb_text(b, " AND d.sha256 = ?", f->sha256);
	if (f->since > 0)
		rq_sqlb_int(b, " AND d.last_seen >= ?", f->since);
	if (f->until > 0)
		rq_sqlb_int(b, " AND d.first_seen < ?", f->until);
	if (like) {
		char frag[96];
		snprintf(frag, sizeof(frag), " AND d.name %s ? ESCAPE '\\'", rq_fleet_ilike(s));
		rq_sqlb_text(b, frag, like);
	}
}

static void detection_order(rq_sqlb *b, rq_store *s, const void *query)
{
	const rq_detection_filter *f = ((const filter_like *)query)->f;
	static const char *const keys[RQ_DET_SORT_COUNT] = {
		[RQ_DET_SORT_LAST_SEEN] = "d.last_seen", [RQ_DET_SORT_FIRST_SEEN] = "d.first_seen",
		[RQ_DET_SORT_NAME] = "d.name",		 [RQ_DET_SORT_HOSTNAME] = "e.hostname",
		[RQ_DET_SORT_STATE] = "d.state",
	};
	rq_sqlb_add(b, " ORDER BY ");
	rq_sqlb_add(b, f->sort < RQ_DET_SORT_COUNT ? keys[f->sort] : keys[0]);
	order_dir(b, s, f->desc, 0);
	rq_sqlb_add(b, ", d.id");
	order_dir(b, s, f->desc, 0);
}

int rq_store_fleet_detections(rq_store *s, const rq_detection_filter *f, int64_t *out_total,
			      rq_detection_row_cb cb, void *payload)
{
	char like[2 * RQ_FLEET_NEEDLE_MAX + 3];
	detection_cb c = {cb, payload};
	filter_like q = {f, f->name ? like : NULL};
	rq_sqlb_list l = {.from = "detections d", .id = "d.id", .columns = DETECTION_COLUMNS,
			  .sort_join = f->sort == RQ_DET_SORT_HOSTNAME ? " JOIN endpoints e ON e.id = d.endpoint_id" : NULL,
			  .where = detection_where, .order = detection_order, .filter = &q, .unit_id = f->unit_id,
			  .limit = f->limit, .offset = f->offset};
	int rc = 0;
	*out_total = 0;
	if (f->name && (rc = rq_fleet_like_pattern(like, sizeof(like), f->name)) < 0)
		return rc;
	return rq_sqlb_list_run(s, &l, out_total, detection_row, &c);
}

int rq_store_fleet_detection(rq_store *s, int64_t id, rq_detection_row_cb cb, void *payload)
{
	detection_cb c = {cb, payload};
	return rq_sqlb_get(s, DETECTION_COLUMNS, "d.id", id, "detection", detection_row, &c);
}

int rq_store_fleet_sha256_spread(rq_store *s, const char *sha256, int64_t unit_id, int64_t *out_endpoints,
				 int64_t *out_units)
{
	rq_sqlb q;
	rq_stmt *st = NULL;
	int rc;
	*out_endpoints = *out_units = 0;
	rq_sqlb_init(&q);
	rq_sqlb_subtree(&q, unit_id);
	rq_sqlb_add(&q, "SELECT COUNT(DISTINCT d.endpoint_id), COUNT(DISTINCT e.unit_id) FROM detections d"
			" JOIN endpoints e ON e.id = d.endpoint_id");
	rq_sqlb_text(&q, " WHERE d.sha256 = ?", sha256);
	if (unit_id > 0)
		rq_sqlb_in_subtree(&q, s, "e.unit_id", 0);
	if ((rc = rq_sqlb_prepare(&q, s, &st)) < 0)
		goto done;
	rc = rq_stmt_step(st);
	if (rc == RQ_STORE_ROW) {
		*out_endpoints = rq_stmt_column_int64(st, 0);
		*out_units = rq_stmt_column_int64(st, 1);
		rc = 0;
	} else if (rc == RQ_STORE_DONE) {
		rc = 0;
	}
done:
	rq_stmt_finalize(st);
	return rc;
}

/* --- connections --- */

typedef struct connection_cb {
	int (*cb)(const rq_connection_row *row, void *payload);
	void *payload;
} connection_cb;

static int connection_row(rq_stmt *st, void *payload)
{
	connection_cb *c = payload;
	rq_connection_row r;
	r.id = rq_stmt_column_int64(st, 0);
	r.endpoint_id = rq_stmt_column_int64(st, 1);
	r.unit_id = rq_stmt_column_int64(st, 2);
	r.hostname = text_or_empty(st, 3);
	r.unit_name = text_or_empty(st, 4);
	r.unit_code = text_or_empty(st, 5);
	r.remote_addr = text_or_empty(st, 6);
	r.remote_port = rq_stmt_column_int64(st, 7);
	r.remote_host = text_or_empty(st, 8);
	r.process_path = text_or_empty(st, 9);
	r.pid = rq_stmt_column_int64(st, 10);
	r.indicator = text_or_empty(st, 11);
	r.action = text_or_empty(st, 12);
	r.seen_at = rq_stmt_column_int64(st, 13);
	return c->cb(&r, c->payload);
}

static void connection_where(rq_sqlb *b, rq_store *s, const void *filter)
{
	const rq_connection_filter *f = filter;
	rq_sqlb_add(b, " WHERE 1 = 1");
	if (f->unit_id > 0)
		rq_sqlb_in_subtree(b, s, "c.endpoint_id", 1);
	if (f->endpoint_id > 0)
		rq_sqlb_int(b, " AND c.endpoint_id = ?", f->endpoint_id);
	if (f->since > 0)
		rq_sqlb_int(b, " AND c.seen_at >= ?", f->since);
}

static void connection_order(rq_sqlb *b, rq_store *s, const void *filter)
{
	(void)s;
	(void)filter;
	rq_sqlb_add(b, " ORDER BY c.seen_at DESC, c.id DESC");
}

int rq_store_fleet_connections(rq_store *s, const rq_connection_filter *f, int64_t *out_total,
			       int (*cb)(const rq_connection_row *row, void *payload), void *payload)
{
	connection_cb c = {cb, payload};
	rq_sqlb_list l = {.from = "connections c", .id = "c.id",
			  .columns = "SELECT c.id, c.endpoint_id, e.unit_id, e.hostname, u.name, u.code, c.remote_addr,"
				     " c.remote_port, c.remote_host, c.process_path, c.pid, c.indicator, c.action,"
				     " c.seen_at FROM connections c JOIN endpoints e ON e.id = c.endpoint_id"
				     " JOIN units u ON u.id = e.unit_id",
			  .where = connection_where, .order = connection_order, .filter = f, .unit_id = f->unit_id,
			  .limit = f->limit, .offset = f->offset};
	return rq_sqlb_list_run(s, &l, out_total, connection_row, &c);
}

/* --- units --- */

int rq_store_fleet_child_units(rq_store *s, int64_t unit_id,
			       int (*cb)(int64_t id, const char *name, const char *code, void *payload),
			       void *payload)
{
	rq_stmt *st = NULL;
	int rc = rq_store_prepare(s, &st,
				  unit_id > 0 ? "SELECT id, name, code FROM units WHERE parent_id = $1 ORDER BY name, id"
					      : "SELECT id, name, code FROM units WHERE parent_id IS NULL ORDER BY name, id");
	if (rc < 0 || (unit_id > 0 && (rc = rq_stmt_bind_int64(st, 1, unit_id)) < 0))
		goto done;
	while ((rc = rq_stmt_step(st)) == RQ_STORE_ROW) {
		if (cb(rq_stmt_column_int64(st, 0), text_or_empty(st, 1), text_or_empty(st, 2), payload) != 0) {
			rc = rq_fail(RQ_ESTOPPED, "store: unit list stopped by the caller");
			break;
		}
	}
done:
	rq_stmt_finalize(st);
	return rc < 0 ? rc : 0;
}
