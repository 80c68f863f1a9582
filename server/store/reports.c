/*
 * The figures of the official reports and the kept reports (reports.h).
 * The figures are four grouped queries over the scope -- machines by
 * unit, machines scanned by unit, detections by unit, detections by
 * name -- whatever the number of units, merged here into the units of the
 * scope in tree order, plus the declared machines by unit and product
 * (store/declared.c); the same SQL on both backends.
 */
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "store/declared.h"
#include "store/reports.h"
#include "store/units.h"

/* The units of the scope as sub(id, depth): a subtree ($1, $2 levels), or
 * every unit for unit 0 ($1, $2 then unused but named so both take the
 * same parameters). */
#define ALL_UNITS_CTE "WITH sub(id, depth) AS (SELECT id, 0 FROM units WHERE CAST($1 AS BIGINT) = 0 AND CAST($2 AS BIGINT) >= 0)"
#define IN_SCOPE " e.unit_id IN (SELECT id FROM sub)"

#define UNITS_SQL " SELECT u.id, COALESCE(u.parent_id, 0), u.name, u.code FROM units u WHERE u.id IN (SELECT id FROM sub)"
/* $3 to, $4 protected_since, $5 updated_since */
#define MACHINES_SQL                                                                                   \
	" SELECT e.unit_id, COUNT(*),"                                                                 \
	" SUM(CASE WHEN e.kind = 'server' THEN 1 ELSE 0 END),"                                        \
	" SUM(CASE WHEN e.kind = 'workstation' THEN 1 ELSE 0 END),"                                   \
	" SUM(CASE WHEN e.kind = 'other' THEN 1 ELSE 0 END),"                                         \
	" SUM(CASE WHEN e.last_seen >= $4 THEN 1 ELSE 0 END),"                                        \
	" SUM(CASE WHEN e.db_newest_build >= $5 THEN 1 ELSE 0 END)"                                   \
	" FROM endpoints e WHERE" IN_SCOPE " AND e.created_at < $3 GROUP BY e.unit_id"
/* $3 from, $4 to */
#define SCANNED_SQL                                                                                    \
	" SELECT e.unit_id, COUNT(DISTINCT x.endpoint_id) FROM scan_summaries x"                      \
	" JOIN endpoints e ON e.id = x.endpoint_id"                                                    \
	" WHERE x.finished_at >= $3 AND x.finished_at < $4 AND" IN_SCOPE " GROUP BY e.unit_id"
#define DETECTED_SQL                                                                                   \
	" SELECT e.unit_id, COUNT(DISTINCT x.endpoint_id), COUNT(*),"                                 \
	" SUM(CASE WHEN x.state IN ('quarantined', 'removed') THEN 1 ELSE 0 END),"                    \
	" SUM(CASE WHEN x.state = 'active' THEN 1 ELSE 0 END)"                                        \
	" FROM detections x JOIN endpoints e ON e.id = x.endpoint_id"                                  \
	" WHERE x.first_seen >= $3 AND x.first_seen < $4 AND" IN_SCOPE " GROUP BY e.unit_id"
/* $5 rows at most */
#define MALWARE_SQL                                                                                    \
	" SELECT x.name, COUNT(DISTINCT x.endpoint_id), COUNT(DISTINCT NULLIF(x.sha256, '')), COUNT(*)" \
	" FROM detections x JOIN endpoints e ON e.id = x.endpoint_id"                                  \
	" WHERE x.first_seen >= $3 AND x.first_seen < $4 AND" IN_SCOPE                                 \
	" GROUP BY x.name ORDER BY 2 DESC, 4 DESC, 1 LIMIT $5"

static const char *const units_sql[2] = {RQ_STORE_SUBTREE_CTE UNITS_SQL, ALL_UNITS_CTE UNITS_SQL};
static const char *const machines_sql[2] = {RQ_STORE_SUBTREE_CTE MACHINES_SQL, ALL_UNITS_CTE MACHINES_SQL};
static const char *const scanned_sql[2] = {RQ_STORE_SUBTREE_CTE SCANNED_SQL, ALL_UNITS_CTE SCANNED_SQL};
static const char *const detected_sql[2] = {RQ_STORE_SUBTREE_CTE DETECTED_SQL, ALL_UNITS_CTE DETECTED_SQL};
static const char *const malware_sql[2] = {RQ_STORE_SUBTREE_CTE MALWARE_SQL, ALL_UNITS_CTE MALWARE_SQL};

static void free_unit(rq_report_unit *u)
{
	free(u->name);
	free(u->code);
	for (size_t i = 0; i < u->product_count; i++)
		free(u->products[i].name);
	free(u->products);
}

void rq_report_data_free(rq_report_data *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->unit_count; i++)
		free_unit(&d->units[i]);
	for (size_t i = 0; i < d->malware_count; i++)
		free(d->malware[i].name);
	free(d->units);
	free(d->malware);
	memset(d, 0, sizeof(*d));
}

/* Prepare `sql` with $1 unit, $2 depth, then extra[] as $3... */
static int prepare(rq_store *s, rq_stmt **st, const char *sql, int64_t unit_id, const int64_t *extra, int n)
{
	int rc = rq_store_prepare(s, st, sql);
	if (rc == 0)
		rc = rq_stmt_bind_int64(*st, 1, unit_id);
	if (rc == 0)
		rc = rq_stmt_bind_int64(*st, 2, RQ_STORE_MAX_UNIT_DEPTH - 1);
	for (int i = 0; rc == 0 && i < n; i++)
		rc = rq_stmt_bind_int64(*st, 3 + i, extra[i]);
	return rc;
}

static int by_id(const void *a, const void *b)
{
	const rq_report_unit *x = a, *y = b;
	return (x->id > y->id) - (x->id < y->id);
}

static rq_report_unit *find_unit(rq_report_data *d, int64_t id)
{
	rq_report_unit key = {.id = id};
	if (d->unit_count == 0) /* units NULL: not a valid bsearch argument */
		return NULL;
	return bsearch(&key, d->units, d->unit_count, sizeof(key), by_id);
}

static int read_units(rq_store *s, const char *sql, int64_t unit_id, rq_report_data *d)
{
	rq_stmt *st = NULL;
	size_t cap = 0;
	int rc = prepare(s, &st, sql, unit_id, NULL, 0);
	while (rc == 0 && (rc = rq_stmt_step(st)) == RQ_STORE_ROW) {
		rc = 0;
		if (d->unit_count == cap) {
			size_t ncap = cap ? cap * 2 : 64;
			rq_report_unit *n = realloc(d->units, ncap * sizeof(*n));
			if (!n) {
				rc = rq_fail(RQ_ENOMEM, "store: out of memory reading report units");
				break;
			}
			d->units = n;
			cap = ncap;
		}
		rq_report_unit *u = &d->units[d->unit_count];
		memset(u, 0, sizeof(*u));
		d->unit_count++;
		u->id = rq_stmt_column_int64(st, 0);
		u->parent_id = rq_stmt_column_int64(st, 1);
		u->name = strdup(rq_stmt_column_text(st, 2) ? rq_stmt_column_text(st, 2) : "");
		u->code = strdup(rq_stmt_column_text(st, 3) ? rq_stmt_column_text(st, 3) : "");
		if (!u->name || !u->code)
			rc = rq_fail(RQ_ENOMEM, "store: out of memory reading report units");
	}
	rq_stmt_finalize(st);
	return rc < 0 ? rc : 0;
}

/* Which grouped query a row belongs to. */
enum { Q_MACHINES, Q_SCANNED, Q_DETECTED };

static void merge_row(rq_report_unit *u, int which, rq_stmt *st)
{
	rq_report_counts *n = &u->n;
	switch (which) {
	case Q_MACHINES:
		n->machines = rq_stmt_column_int64(st, 1);
		n->raquet = n->machines;
		n->servers = rq_stmt_column_int64(st, 2);
		n->workstations = rq_stmt_column_int64(st, 3);
		n->others = rq_stmt_column_int64(st, 4);
		n->protected_n = rq_stmt_column_int64(st, 5);
		n->auto_update = rq_stmt_column_int64(st, 6);
		break;
	case Q_SCANNED:
		n->scanned = rq_stmt_column_int64(st, 1);
		break;
	default:
		n->infected = rq_stmt_column_int64(st, 1);
		n->detections = rq_stmt_column_int64(st, 2);
		n->cleaned = rq_stmt_column_int64(st, 3);
		n->remaining = rq_stmt_column_int64(st, 4);
	}
}

static int read_grouped(rq_store *s, const char *sql, int which, int64_t unit_id, const int64_t *extra, int n,
			rq_report_data *d)
{
	rq_stmt *st = NULL;
	int rc = prepare(s, &st, sql, unit_id, extra, n);
	while (rc == 0 && (rc = rq_stmt_step(st)) == RQ_STORE_ROW) {
		rq_report_unit *u = find_unit(d, rq_stmt_column_int64(st, 0));
		if (u)
			merge_row(u, which, st);
		rc = 0;
	}
	rq_stmt_finalize(st);
	return rc < 0 ? rc : 0;
}

static int read_malware(rq_store *s, const char *sql, int64_t unit_id, const int64_t *extra, rq_report_data *d)
{
	rq_stmt *st = NULL;
	int rc = extra[2] > 0 ? prepare(s, &st, sql, unit_id, extra, 3) : 0;
	if (rc == 0 && extra[2] > 0 && !(d->malware = calloc((size_t)extra[2], sizeof(*d->malware))))
		rc = rq_fail(RQ_ENOMEM, "store: out of memory reading notable malware");
	while (rc == 0 && st && (rc = rq_stmt_step(st)) == RQ_STORE_ROW) {
		rc = 0;
		if ((int64_t)d->malware_count == extra[2])
			continue;
		rq_report_malware *m = &d->malware[d->malware_count++];
		const char *name = rq_stmt_column_text(st, 0);
		m->name = strdup(name ? name : "");
		m->machines = rq_stmt_column_int64(st, 1);
		m->sha256s = rq_stmt_column_int64(st, 2);
		m->detections = rq_stmt_column_int64(st, 3);
		if (!m->name)
			rc = rq_fail(RQ_ENOMEM, "store: out of memory reading notable malware");
	}
	rq_stmt_finalize(st);
	return rc < 0 ? rc : 0;
}

/*
 * Tree order: the scope's top units (those whose parent is outside the
 * scope) and, after each unit, its sub-units, siblings by name then code.
 */
typedef struct tree_ctx {
	rq_report_data *d;
	rq_report_unit **sorted; /* units by (parent, name, code) */
	rq_report_unit *out;
	size_t out_count;
} tree_ctx;

static int by_parent_name(const void *a, const void *b)
{
	const rq_report_unit *x = *(rq_report_unit *const *)a, *y = *(rq_report_unit *const *)b;
	int c;
	if (x->parent_id != y->parent_id)
		return (x->parent_id > y->parent_id) - (x->parent_id < y->parent_id);
	if ((c = strcmp(x->name, y->name)) != 0)
		return c;
	return strcmp(x->code, y->code);
}

static void place(tree_ctx *t, rq_report_unit *u, int depth)
{
	if (depth >= RQ_STORE_MAX_UNIT_DEPTH)
		return;
	rq_report_unit copy = *u;
	copy.depth = depth;
	size_t at = t->out_count++;
	t->out[at] = copy;
	for (size_t i = 0; i < t->d->unit_count; i++)
		if (t->sorted[i]->parent_id == u->id) {
			t->out[at].has_children = 1;
			place(t, t->sorted[i], depth + 1);
		}
}

static int tree_order(rq_report_data *d)
{
	tree_ctx t = {d, NULL, NULL, 0};
	int rc = 0;
	t.sorted = malloc((d->unit_count ? d->unit_count : 1) * sizeof(*t.sorted));
	t.out = malloc((d->unit_count ? d->unit_count : 1) * sizeof(*t.out));
	if (!t.sorted || !t.out) {
		rc = rq_fail(RQ_ENOMEM, "store: out of memory ordering report units");
		goto done;
	}
	for (size_t i = 0; i < d->unit_count; i++)
		t.sorted[i] = &d->units[i];
	qsort(t.sorted, d->unit_count, sizeof(*t.sorted), by_parent_name);
	for (size_t i = 0; i < d->unit_count; i++)
		if (!find_unit(d, t.sorted[i]->parent_id))
			place(&t, t.sorted[i], 0);
	/* a unit never placed (a cyclic parent chain) keeps its strings in
	 * d->units: free those not moved to out */
	for (size_t i = 0; i < d->unit_count; i++) {
		int placed = 0;
		for (size_t j = 0; j < t.out_count && !placed; j++)
			placed = t.out[j].name == d->units[i].name;
		if (!placed)
			free_unit(&d->units[i]);
	}
	free(d->units);
	d->units = t.out;
	d->unit_count = t.out_count;
	t.out = NULL;
done:
	free(t.sorted);
	free(t.out);
	return rc;
}

int rq_store_report_figures(rq_store *s, const rq_report_query *q, rq_report_data *out)
{
	int all = q->unit_id == 0, rc, began = 0;
	const int64_t machines[] = {q->to, q->protected_since, q->updated_since};
	const int64_t period[] = {q->from, q->to, q->malware_max};
	memset(out, 0, sizeof(*out));
	if (q->unit_id < 0 || q->from >= q->to || q->malware_max < 0) {
		rc = rq_fail(RQ_EINVAL, "store: report figures of unit %lld over [%lld, %lld): bad unit or period",
			     (long long)q->unit_id, (long long)q->from, (long long)q->to);
		goto done;
	}
	/* one read transaction: every figure from the same state */
	if (!rq_store_in_transaction(s)) {
		if ((rc = rq_store_exec(s, rq_store_dialect_of(s) == RQ_STORE_POSTGRES ? "BEGIN" : "BEGIN DEFERRED")) < 0)
			goto done;
		began = 1;
	}
	if ((rc = read_units(s, units_sql[all], q->unit_id, out)) < 0)
		goto done;
	if (!all && out->unit_count == 0) {
		rc = rq_fail(RQ_ENOTFOUND, "store: no unit %lld", (long long)q->unit_id);
		goto done;
	}
	if (out->unit_count) /* a province without units: units is NULL */
		qsort(out->units, out->unit_count, sizeof(*out->units), by_id);
	if ((rc = read_grouped(s, machines_sql[all], Q_MACHINES, q->unit_id, machines, 3, out)) < 0 ||
	    (rc = read_grouped(s, scanned_sql[all], Q_SCANNED, q->unit_id, period, 2, out)) < 0 ||
	    (rc = read_grouped(s, detected_sql[all], Q_DETECTED, q->unit_id, period, 2, out)) < 0 ||
	    (rc = read_malware(s, malware_sql[all], q->unit_id, period, out)) < 0 ||
	    (rc = rq_store_declared_report(s, q, out)) < 0)
		goto done;
	rc = tree_order(out);
done:
	if (began)
		rq_store_exec(s, "COMMIT");
	return rc;
}

/* --- kept reports --- */

int rq_store_report_add(rq_store *s, const rq_report_rec *r, int64_t *out_id)
{
	rq_stmt *st = NULL;
	int rc = rq_store_prepare(s, &st,
				  "INSERT INTO reports (kind, unit_id, period_from, period_to, lang, created_at,"
				  " created_by, source, figures) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
				  " ON CONFLICT DO NOTHING RETURNING id");
	*out_id = 0;
	if (rc < 0)
		goto done;
	if ((rc = rq_stmt_bind_text(st, 1, r->kind)) < 0 ||
	    (rc = r->unit_id > 0 ? rq_stmt_bind_int64(st, 2, r->unit_id) : rq_stmt_bind_null(st, 2)) < 0 ||
	    (rc = rq_stmt_bind_int64(st, 3, r->from)) < 0 || (rc = rq_stmt_bind_int64(st, 4, r->to)) < 0 ||
	    (rc = rq_stmt_bind_text(st, 5, r->lang)) < 0 || (rc = rq_stmt_bind_int64(st, 6, r->created_at)) < 0 ||
	    (rc = r->created_by > 0 ? rq_stmt_bind_int64(st, 7, r->created_by) : rq_stmt_bind_null(st, 7)) < 0 ||
	    (rc = rq_stmt_bind_text(st, 8, r->source)) < 0 || (rc = rq_stmt_bind_text(st, 9, r->figures)) < 0)
		goto done;
	rc = rq_stmt_step_int64(st, out_id);
	if (rc == RQ_ENOTFOUND) /* the conflict: a scheduled report of that period is kept */
		rc = 1;
done:
	rq_stmt_finalize(st);
	return rc;
}

#define REC_COLUMNS                                                                                    \
	"r.id, r.kind, COALESCE(r.unit_id, 0), u.name, u.code, r.period_from, r.period_to, r.lang,"   \
	" r.created_at, COALESCE(r.created_by, 0), r.source"

static void read_rec(rq_stmt *st, rq_report_rec *r, int with_figures)
{
	r->id = rq_stmt_column_int64(st, 0);
	r->kind = rq_stmt_column_text(st, 1);
	r->unit_id = rq_stmt_column_int64(st, 2);
	r->unit_name = rq_stmt_column_text(st, 3);
	r->unit_code = rq_stmt_column_text(st, 4);
	r->from = rq_stmt_column_int64(st, 5);
	r->to = rq_stmt_column_int64(st, 6);
	r->lang = rq_stmt_column_text(st, 7);
	r->created_at = rq_stmt_column_int64(st, 8);
	r->created_by = rq_stmt_column_int64(st, 9);
	r->source = rq_stmt_column_text(st, 10);
	r->figures = with_figures ? rq_stmt_column_text(st, 11) : NULL;
}

int rq_store_report_get(rq_store *s, int64_t id, int (*cb)(const rq_report_rec *r, void *payload), void *payload)
{
	rq_stmt *st = NULL;
	rq_report_rec r;
	int rc = rq_store_prepare(s, &st, "SELECT " REC_COLUMNS ", r.figures FROM reports r"
					  " LEFT JOIN units u ON u.id = r.unit_id WHERE r.id = $1");
	if (rc == 0)
		rc = rq_stmt_bind_int64(st, 1, id);
	if (rc == 0 && (rc = rq_stmt_step(st)) == RQ_STORE_DONE)
		rc = rq_fail(RQ_ENOTFOUND, "store: no report %lld", (long long)id);
	if (rc == RQ_STORE_ROW) {
		read_rec(st, &r, 1);
		rc = cb(&r, payload) ? RQ_ESTOPPED : 0;
	}
	rq_stmt_finalize(st);
	return rc;
}

/*
 * The list's condition: $1 root, $2 depth, $3 with_province, $4 kind (NULL:
 * any). A unit report whose unit is gone belongs to no subtree: only a
 * province-wide caller (root 0) sees it.
 */
#define LIST_WHERE                                                                                     \
	" WHERE ((r.kind = 'unit' AND (CAST($1 AS BIGINT) = 0 OR r.unit_id IN (SELECT id FROM sub)))"  \
	" OR (r.kind = 'province' AND CAST($3 AS BIGINT) = 1)) AND (CAST($4 AS TEXT) IS NULL OR r.kind = CAST($4 AS TEXT))"

static int bind_filter(rq_stmt *st, const rq_report_filter *f)
{
	int rc = rq_stmt_bind_int64(st, 1, f->root);
	if (rc == 0)
		rc = rq_stmt_bind_int64(st, 2, RQ_STORE_MAX_UNIT_DEPTH - 1);
	if (rc == 0)
		rc = rq_stmt_bind_int64(st, 3, f->with_province ? 1 : 0);
	if (rc == 0)
		rc = f->kind ? rq_stmt_bind_text(st, 4, f->kind) : rq_stmt_bind_null(st, 4);
	return rc;
}

int rq_store_report_list(rq_store *s, const rq_report_filter *f, int64_t *out_total,
			 int (*cb)(const rq_report_rec *r, void *payload), void *payload)
{
	rq_stmt *st = NULL;
	rq_report_rec r;
	int rc = rq_store_prepare(s, &st, RQ_STORE_SUBTREE_CTE " SELECT COUNT(*) FROM reports r" LIST_WHERE);
	*out_total = 0;
	if (rc == 0 && (rc = bind_filter(st, f)) == 0)
		rc = rq_stmt_step_int64(st, out_total);
	rq_stmt_finalize(st);
	st = NULL;
	if (rc < 0)
		goto done;
	rc = rq_store_prepare(s, &st, RQ_STORE_SUBTREE_CTE " SELECT " REC_COLUMNS " FROM reports r"
					  " LEFT JOIN units u ON u.id = r.unit_id" LIST_WHERE
					  " ORDER BY r.created_at DESC, r.id DESC LIMIT $5 OFFSET $6");
	if (rc == 0 && (rc = bind_filter(st, f)) == 0 && (rc = rq_stmt_bind_int64(st, 5, f->limit)) == 0)
		rc = rq_stmt_bind_int64(st, 6, f->offset);
	while (rc == 0 && (rc = rq_stmt_step(st)) == RQ_STORE_ROW) {
		read_rec(st, &r, 0);
		rc = cb(&r, payload) ? RQ_ESTOPPED : 0;
	}
done:
	rq_stmt_finalize(st);
	return rc < 0 ? rc : 0;
}
