/*
 * Samples (samples.h) in two steps. The page: the filtered detections
 * grouped by sha256, read from the covering index detections_sample
 * (sha256, endpoint_id, state, first_seen, last_seen, name, type) alone
 * unless the sort is by units (a join to endpoints), sorted and cut to
 * limit/offset, the number of files counted by the same pass (a window
 * over the groups). Then, per file of the page only, its name,
 * type and units from the detections of that one sha256. The subtree is
 * a test of d.endpoint_id against the subtree's endpoints, as in the
 * detection list (fleet.c).
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
	char sha256[65];
	int64_t endpoints, detections, active, first_seen, last_seen;
} page_row;

typedef struct query {
	const rq_sample_filter *f;
	const char *like; /* LIKE pattern of f->name, or NULL */
	const char *sha256; /* one file, or NULL */
} query;

/* " WHERE ..." over detections d (endpoints e when `joined`). */
static void sample_where(rq_sqlb *b, rq_store *s, const query *q)
{
	const rq_sample_filter *f = q->f;
	if (q->sha256)
		rq_sqlb_text(b, " WHERE d.sha256 = ?", q->sha256);
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
		snprintf(r->sha256, sizeof(r->sha256), "%s", sha ? sha : "");
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

/* The second step for one file of the page: name, type, units; then cb. */
static int finish_row(rq_store *s, const query *q, const page_row *p, rq_sample_row_cb cb, void *payload)
{
	query one = *q;
	rq_sqlb b;
	rq_stmt *st = NULL;
	rq_sample_row r = {.sha256 = p->sha256, .name = "", .type = "", .endpoints = p->endpoints,
			   .detections = p->detections, .active = p->active, .first_seen = p->first_seen,
			   .last_seen = p->last_seen};
	int rc;
	one.sha256 = p->sha256;
	rq_sqlb_init(&b);
	rq_sqlb_subtree(&b, q->f->unit_id);
	rq_sqlb_add(&b, "SELECT MAX(d.name), MAX(d.type), COUNT(DISTINCT e.unit_id) FROM detections d"
			" JOIN endpoints e ON e.id = d.endpoint_id");
	sample_where(&b, s, &one);
	if ((rc = rq_sqlb_prepare(&b, s, &st)) < 0)
		goto done;
	if ((rc = rq_stmt_step(st)) == RQ_STORE_ROW) {
		const char *name = rq_stmt_column_text(st, 0), *type = rq_stmt_column_text(st, 1);
		r.name = name ? name : "";
		r.type = type ? type : "";
		r.units = rq_stmt_column_int64(st, 2);
		rc = cb(&r, payload) ? rq_fail(RQ_ESTOPPED, "store: samples stopped by the caller") : 0;
	}
done:
	rq_stmt_finalize(st);
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
	for (int64_t i = 0; rc == 0 && i < n; i++)
		rc = finish_row(s, &scoped, &rows[i], cb, payload);
done:
	rq_store_analytic_end(s, began);
	free(rows);
	return rc;
}

int rq_store_samples(rq_store *s, const rq_sample_filter *f, int64_t *out_total, rq_sample_row_cb cb,
		     void *payload)
{
	char like[2 * RQ_FLEET_NEEDLE_MAX + 3];
	query q = {f, f->name ? like : NULL, NULL};
	int rc;
	*out_total = 0;
	if (f->name && (rc = rq_fleet_like_pattern(like, sizeof(like), f->name)) < 0)
		return rc;
	return run(s, &q, out_total, cb, payload);
}

int rq_store_sample(rq_store *s, const char *sha256, int64_t unit_id, rq_sample_row_cb cb, void *payload)
{
	rq_sample_filter f = {.unit_id = unit_id, .limit = 1};
	query q = {&f, NULL, sha256};
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
	query q = {&f, NULL, sha256};
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
