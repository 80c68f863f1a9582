/*
 * Samples (samples.h) in two steps. The page: the filtered detections
 * grouped by sha256, read from the covering index detections_sample
 * (sha256, endpoint_id, state, first_seen, last_seen, name, type) alone
 * unless the sort is by units (a join to endpoints), sorted and cut to
 * limit/offset, the number of files counted by the same pass (a window
 * over the groups). Then, for the page's files only (one query, their
 * hashes bound as one JSON array), their names, types and units. The
 * subtree is a test of d.endpoint_id against the subtree's endpoints, as
 * in the detection list (fleet.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "store/coverage.h"
#include "store/fleet.h"
#include "store/samples.h"

/*
 * PostgreSQL: memory for the grouping's sorts and hashes. With the default
 * 4 MB, grouping 1,000,000 detections spilled to disk: 1.26 s for the
 * province's page, 0.44 s with 64 MB (measured); one admin request at a
 * time uses it, not every connection.
 */
#define SAMPLES_WORK_MEM_MB 64

/* A file of the page, between the two steps. */
typedef struct page_row {
	char *sha256;      /* malloc: stored text, not necessarily 64 hex digits */
	int64_t endpoints, detections, active, first_seen, last_seen;
	int64_t units;     /* the second step's */
	char *name, *type; /* the second step's (malloc) */
} page_row;

typedef struct query {
	const rq_sample_filter *f;
	const char *like; /* LIKE pattern of f->name, or NULL */
	const char *sha256; /* one file, or NULL */
	const char *shas_json; /* or the files of this JSON array, or NULL */
} query;

/* " WHERE ..." over detections d (endpoints e when `joined`). */
static void sample_where(rq_sqlb *b, rq_store *s, const query *q)
{
	const rq_sample_filter *f = q->f;
	if (q->sha256)
		rq_sqlb_text(b, " WHERE d.sha256 = ?", q->sha256);
	else if (q->shas_json)
		rq_sqlb_text(b,
			     rq_store_dialect_of(s) == RQ_STORE_POSTGRES
				     ? " WHERE d.sha256 = ANY (ARRAY(SELECT jsonb_array_elements_text(CAST(? AS jsonb))))"
				     : " WHERE d.sha256 IN (SELECT value FROM json_each(?))",
			     q->shas_json);
	else
		rq_sqlb_add(b, " WHERE d.sha256 <> ''");
	if (f->unit_id > 0)
		rq_sqlb_in_subtree(b, s, "d.endpoint_id", 1);
	if (f->state)
		rq_sqlb_text(b, " AND d.state = ?", f->state);
	if (f->since > 0)
		rq_sqlb_int(b, " AND d.last_seen >= ?", f->since);
	if (f->until > 0)
		rq_sqlb_int(b, " AND d.first_seen < ?", f->until);
	if (q->like) {
		char frag[96];
		snprintf(frag, sizeof(frag), " AND d.name %s ? ESCAPE '\\'", rq_fleet_ilike(s));
		rq_sqlb_text(b, frag, q->like);
	}
}

#define GROUP_COLUMNS                                                                                  \
	"d.sha256, COUNT(DISTINCT d.endpoint_id) AS endpoints, COUNT(*) AS detections,"                \
	" COUNT(DISTINCT CASE WHEN d.state = 'active' THEN d.endpoint_id END) AS active,"             \
	" MIN(d.first_seen) AS first_seen, MAX(d.last_seen) AS last_seen"

static int count_files(rq_store *s, const query *q, int64_t *out)
{
	rq_sqlb b;
	rq_stmt *st = NULL;
	rq_sqlb_init(&b);
	rq_sqlb_subtree(&b, q->f->unit_id);
	rq_sqlb_add(&b, "SELECT COUNT(*) FROM (SELECT d.sha256 FROM detections d");
	sample_where(&b, s, q);
	rq_sqlb_add(&b, " GROUP BY d.sha256) g");
	int rc = rq_sqlb_prepare(&b, s, &st);
	if (rc == 0)
		rc = rq_stmt_step_int64(st, out);
	rq_stmt_finalize(st);
	return rc;
}

/* The page's files into rows[0..*n) (at most f->limit of them), and the
 * number of files in all into *total (when the page is not empty: the
 * same pass counts them). */
static int page(rq_store *s, const query *q, page_row *rows, int64_t *n, int64_t *total)
{
	static const char *const keys[RQ_SAMPLE_SORT_COUNT] = {
		[RQ_SAMPLE_SORT_ENDPOINTS] = "endpoints", [RQ_SAMPLE_SORT_UNITS] = "units",
		[RQ_SAMPLE_SORT_DETECTIONS] = "detections", [RQ_SAMPLE_SORT_LAST_SEEN] = "last_seen",
		[RQ_SAMPLE_SORT_NAME] = "name",
	};
	const rq_sample_filter *f = q->f;
	rq_sample_sort sort = f->sort < RQ_SAMPLE_SORT_COUNT ? f->sort : RQ_SAMPLE_SORT_ENDPOINTS;
	const char *dir = f->desc ? " DESC" : " ASC";
	rq_sqlb b;
	rq_stmt *st = NULL;
	int rc;
	*n = 0;
	rq_sqlb_init(&b);
	rq_sqlb_subtree(&b, f->unit_id);
	rq_sqlb_add(&b, "SELECT " GROUP_COLUMNS ", COUNT(*) OVER () AS files");
	if (sort == RQ_SAMPLE_SORT_UNITS)
		rq_sqlb_add(&b, ", COUNT(DISTINCT e.unit_id) AS units FROM detections d JOIN endpoints e ON e.id = d.endpoint_id");
	else if (sort == RQ_SAMPLE_SORT_NAME)
		rq_sqlb_add(&b, ", MAX(d.name) AS name FROM detections d");
	else
		rq_sqlb_add(&b, " FROM detections d");
	sample_where(&b, s, q);
	rq_sqlb_add(&b, " GROUP BY d.sha256 ORDER BY ");
	rq_sqlb_add(&b, keys[sort]);
	rq_sqlb_add(&b, dir);
	rq_sqlb_add(&b, ", d.sha256");
	rq_sqlb_add(&b, dir);
	rq_sqlb_int(&b, " LIMIT ?", f->limit);
	rq_sqlb_int(&b, " OFFSET ?", f->offset);
	if ((rc = rq_sqlb_prepare(&b, s, &st)) < 0)
		goto done;
	while ((rc = rq_stmt_step(st)) == RQ_STORE_ROW && *n < f->limit) {
		page_row *r = &rows[(*n)++];
		const char *sha = rq_stmt_column_text(st, 0);
		if (!(r->sha256 = strdup(sha ? sha : ""))) {
			rc = rq_fail(RQ_ENOMEM, "store: out of memory listing samples");
			break;
		}
		r->endpoints = rq_stmt_column_int64(st, 1);
		r->detections = rq_stmt_column_int64(st, 2);
		r->active = rq_stmt_column_int64(st, 3);
		r->first_seen = rq_stmt_column_int64(st, 4);
		r->last_seen = rq_stmt_column_int64(st, 5);
		*total = rq_stmt_column_int64(st, 6);
	}
done:
	rq_stmt_finalize(st);
	return rc < 0 ? rc : 0;
}

/* `text` as a JSON string at `o`; the end of what was written. The
 * agents' hashes are stored as sent, so not only hex digits. */
static char *json_string(char *o, const char *text)
{
	*o++ = '"';
	for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
		if (*p == '"' || *p == '\\') {
			*o++ = '\\';
			*o++ = (char)*p;
		} else if (*p < 0x20) {
			o += sprintf(o, "\\u%04x", *p);
		} else {
			*o++ = (char)*p;
		}
	}
	*o++ = '"';
	return o;
}

/* The page row of `sha256`, or NULL. */
static page_row *row_of(page_row *rows, int64_t n, const char *sha256)
{
	for (int64_t i = 0; sha256 && i < n; i++)
		if (!strcmp(rows[i].sha256, sha256))
			return &rows[i];
	return NULL;
}

/*
 * The second step, one query for the page's files (a JSON array of their
 * hashes, bound as one value): their names, types and units.
 */
static int finish_page(rq_store *s, const query *q, page_row *rows, int64_t n)
{
	query page = *q;
	rq_sqlb b;
	rq_stmt *st = NULL;
	size_t size = 3;
	for (int64_t i = 0; i < n; i++)
		size += 6 * strlen(rows[i].sha256) + 3; /* each byte escaped at worst as \u00XX */
	char *json = malloc(size), *o = json;
	int rc = 0;
	if (!json)
		return rq_fail(RQ_ENOMEM, "store: out of memory listing samples");
	*o++ = '[';
	for (int64_t i = 0; i < n; i++) {
		if (i)
			*o++ = ',';
		o = json_string(o, rows[i].sha256);
	}
	strcpy(o, "]");
	page.shas_json = json;
	rq_sqlb_init(&b);
	rq_sqlb_subtree(&b, q->f->unit_id);
	rq_sqlb_add(&b, "SELECT d.sha256, MAX(d.name), MAX(d.type), COUNT(DISTINCT e.unit_id) FROM detections d"
			" JOIN endpoints e ON e.id = d.endpoint_id");
	sample_where(&b, s, &page);
	rq_sqlb_add(&b, " GROUP BY d.sha256");
	if ((rc = rq_sqlb_prepare(&b, s, &st)) < 0)
		goto done;
	while ((rc = rq_stmt_step(st)) == RQ_STORE_ROW) {
		page_row *r = row_of(rows, n, rq_stmt_column_text(st, 0));
		const char *name = rq_stmt_column_text(st, 1), *type = rq_stmt_column_text(st, 2);
		rc = 0;
		if (!r || r->name)
			continue;
		r->units = rq_stmt_column_int64(st, 3);
		r->name = strdup(name ? name : "");
		r->type = strdup(type ? type : "");
		if (!r->name || !r->type) {
			rc = rq_fail(RQ_ENOMEM, "store: out of memory listing samples");
			break;
		}
	}
done:
	rq_stmt_finalize(st);
	free(json);
	return rc < 0 ? rc : 0;
}

/* Both steps for the query q: *out_total files, the page through cb. */
static int run(rq_store *s, const query *q, int64_t *out_total, rq_sample_row_cb cb, void *payload)
{
	rq_sample_filter f = *q->f;
	query scoped = *q;
	page_row *rows = NULL;
	int64_t n = 0;
	int began = 0, rc;
	*out_total = 0;
	if (f.limit <= 0 || f.offset < 0)
		return rq_fail(RQ_EINVAL, "store: samples: bad limit or offset");
	if (!(rows = calloc((size_t)f.limit, sizeof(*rows))))
		return rq_fail(RQ_ENOMEM, "store: out of memory listing samples");
	scoped.f = &f;
	if ((rc = rq_store_analytic_begin(s, SAMPLES_WORK_MEM_MB, &began)) < 0 ||
	    (rc = rq_store_province_scope(s, f.unit_id, &f.unit_id)) < 0 ||
	    (rc = page(s, &scoped, rows, &n, out_total)) < 0)
		goto done;
	/* past the last page: the total needs its own count */
	if (n == 0 && f.offset > 0 && (rc = count_files(s, &scoped, out_total)) < 0)
		goto done;
	if (n > 0 && (rc = finish_page(s, &scoped, rows, n)) < 0)
		goto done;
	for (int64_t i = 0; i < n; i++) {
		const page_row *p = &rows[i];
		rq_sample_row r = {.sha256 = p->sha256, .name = p->name ? p->name : "", .type = p->type ? p->type : "",
				   .endpoints = p->endpoints, .units = p->units, .detections = p->detections,
				   .active = p->active, .first_seen = p->first_seen, .last_seen = p->last_seen};
		if (cb(&r, payload) != 0) {
			rc = rq_fail(RQ_ESTOPPED, "store: samples stopped by the caller");
			break;
		}
	}
done:
	rq_store_analytic_end(s, began);
	for (int64_t i = 0; rows && i < f.limit; i++) {
		free(rows[i].sha256);
		free(rows[i].name);
		free(rows[i].type);
	}
	free(rows);
	return rc;
}

int rq_store_samples(rq_store *s, const rq_sample_filter *f, int64_t *out_total, rq_sample_row_cb cb,
		     void *payload)
{
	char like[2 * RQ_FLEET_NEEDLE_MAX + 3];
	query q = {f, f->name ? like : NULL, NULL, NULL};
	int rc;
	*out_total = 0;
	if (f->name && (rc = rq_fleet_like_pattern(like, sizeof(like), f->name)) < 0)
		return rc;
	return run(s, &q, out_total, cb, payload);
}

int rq_store_sample(rq_store *s, const char *sha256, int64_t unit_id, rq_sample_row_cb cb, void *payload)
{
	rq_sample_filter f = {.unit_id = unit_id, .limit = 1};
	query q = {&f, NULL, sha256, NULL};
	int64_t total = 0;
	int rc = run(s, &q, &total, cb, payload);
	if (rc == 0 && total == 0)
		rc = rq_fail(RQ_ENOTFOUND, "store: no detection of that file");
	return rc;
}

int rq_store_sample_units(rq_store *s, const char *sha256, int64_t unit_id,
			  int (*cb)(int64_t unit, const char *name, const char *code, int64_t endpoints,
				    int64_t active, void *payload),
			  void *payload)
{
	rq_sample_filter f = {.unit_id = unit_id};
	query q = {&f, NULL, sha256, NULL};
	rq_sqlb b;
	rq_stmt *st = NULL;
	int rc;
	rq_sqlb_init(&b);
	rq_sqlb_subtree(&b, unit_id);
	rq_sqlb_add(&b, "SELECT g.unit_id, u.name, u.code, g.endpoints, g.active FROM (SELECT e.unit_id,"
			" COUNT(DISTINCT d.endpoint_id) AS endpoints,"
			" COUNT(DISTINCT CASE WHEN d.state = 'active' THEN d.endpoint_id END) AS active"
			" FROM detections d JOIN endpoints e ON e.id = d.endpoint_id");
	sample_where(&b, s, &q);
	rq_sqlb_add(&b, " GROUP BY e.unit_id) g JOIN units u ON u.id = g.unit_id"
			" ORDER BY g.endpoints DESC, u.name, u.id");
	if ((rc = rq_sqlb_prepare(&b, s, &st)) < 0)
		goto done;
	while ((rc = rq_stmt_step(st)) == RQ_STORE_ROW) {
		const char *name = rq_stmt_column_text(st, 1), *code = rq_stmt_column_text(st, 2);
		if (cb(rq_stmt_column_int64(st, 0), name ? name : "", code ? code : "", rq_stmt_column_int64(st, 3),
		       rq_stmt_column_int64(st, 4), payload) != 0) {
			rc = rq_fail(RQ_ESTOPPED, "store: samples stopped by the caller");
			break;
		}
	}
done:
	rq_stmt_finalize(st);
	return rc < 0 ? rc : 0;
}
