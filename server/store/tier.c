/*
 * The national tier in the store (tier.h): credentials, a downstream's
 * report applied to the mirrored tree, the views' reads, and the queue of
 * reports to the upstream. Both dialects run the same SQL text.
 */
#include "store/tier.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "store/bind.h"
#include "store/units.h"

/* Reports' batch ids are remembered this long (a resent report older than
 * this would be applied again -- harmlessly, being a whole snapshot). */
#define BATCH_KEEP_S (30 * 86400LL)

/* Prepare `sql` into *st and bind by `fmt` (bind.h): 0 or the first error
 * (*st then still needs rq_stmt_finalize, which takes NULL). */
static int prepare_bind(rq_store *s, rq_stmt **st, const char *sql, const char *fmt, ...)
{
	va_list ap;
	int rc = rq_store_prepare(s, st, sql);
	if (rc < 0)
		return rc;
	va_start(ap, fmt);
	rc = rq_stmt_bind_vfmt(*st, fmt, ap);
	va_end(ap);
	return rc;
}
#define PREPARE_BIND(s, st, sql, ...) prepare_bind((s), &(st), (sql), __VA_ARGS__)

static int run_fmt_done(rq_stmt *st, int rc)
{
	if (rc == 0)
		rc = rq_stmt_step(st);
	rq_stmt_finalize(st);
	return rc < 0 ? rc : 0;
}

/* --- credentials --- */

int rq_store_tier_cred_create(rq_store *s, int64_t *out_id, int64_t unit_id, const char *token_hash,
			      const char *label, int64_t expires_at, int64_t created_by, int64_t now)
{
	rq_stmt *st = NULL;
	int rc = PREPARE_BIND(s, st,
			      "INSERT INTO tier_credentials (unit_id, label, token_hash, created_by, created_at, expires_at)"
			      " VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
			      "iTtIii", unit_id, label, token_hash, created_by, now, expires_at);
	if (rc == 0)
		rc = rq_stmt_step_int64(st, out_id);
	rq_stmt_finalize(st);
	return rc;
}

int rq_store_tier_cred_auth(rq_store *s, const char *token_hash, int64_t now, int64_t *out_unit_id)
{
	rq_stmt *st = NULL;
	int rc = PREPARE_BIND(s, st,
			      "UPDATE tier_credentials SET last_used = $2 WHERE token_hash = $1 AND revoked = 0"
			      " AND expires_at > $2 RETURNING unit_id",
			      "ti", token_hash, now);
	if (rc == 0)
		rc = rq_stmt_step_int64(st, out_unit_id);
	rq_stmt_finalize(st);
	if (rc == RQ_ENOTFOUND)
		rc = rq_fail(RQ_ENOTFOUND, "store: no such downstream credential");
	return rc;
}

#define CRED_COLUMNS "id, unit_id, label, created_by, created_at, expires_at, last_used, revoked"

static void cred_row(rq_stmt *st, rq_tier_cred *c)
{
	c->id = rq_stmt_column_int64(st, 0);
	c->unit_id = rq_stmt_column_int64(st, 1);
	c->label = rq_stmt_column_str(st, 2);
	c->created_by = rq_stmt_column_int64(st, 3);
	c->created_at = rq_stmt_column_int64(st, 4);
	c->expires_at = rq_stmt_column_int64(st, 5);
	c->last_used = rq_stmt_column_int64(st, 6);
	c->revoked = (int)rq_stmt_column_int64(st, 7);
}

int rq_store_tier_cred_get(rq_store *s, int64_t id, rq_tier_cred *out)
{
	rq_stmt *st = NULL;
	memset(out, 0, sizeof(*out));
	int rc = PREPARE_BIND(s, st, "SELECT " CRED_COLUMNS " FROM tier_credentials WHERE id = $1", "i", id);
	if (rc == 0)
		rc = rq_stmt_step(st);
	if (rc == RQ_STORE_DONE)
		rc = rq_fail(RQ_ENOTFOUND, "store: downstream credential %lld not found", (long long)id);
	if (rc == RQ_STORE_ROW) {
		cred_row(st, out);
		out->label = strdup(out->label);
		rc = out->label ? 0 : rq_fail(RQ_ENOMEM, "store: out of memory");
	}
	rq_stmt_finalize(st);
	return rc;
}

void rq_store_tier_cred_clear(rq_tier_cred *c)
{
	if (!c)
		return;
	free((char *)c->label);
	memset(c, 0, sizeof(*c));
}

int rq_store_tier_cred_list(rq_store *s, int64_t unit_id, int (*cb)(const rq_tier_cred *c, void *payload),
			    void *payload)
{
	rq_stmt *st = NULL;
	rq_tier_cred c;
	int rc = PREPARE_BIND(s, st,
			      "SELECT " CRED_COLUMNS " FROM tier_credentials WHERE unit_id = $1 ORDER BY id DESC", "i",
			      unit_id);
	while (rc == 0 && (rc = rq_stmt_step(st)) == RQ_STORE_ROW) {
		cred_row(st, &c);
		rc = cb(&c, payload) ? rq_fail(RQ_ESTOPPED, "store: listing stopped by the caller") : 0;
	}
	rq_stmt_finalize(st);
	return rc < 0 ? rc : 0;
}

int rq_store_tier_cred_revoke(rq_store *s, int64_t id)
{
	int64_t changes = 0;
	int rc = rq_store_run(s, &changes, "UPDATE tier_credentials SET revoked = 1 WHERE id = $1", &id, 1);
	if (rc == 0 && changes == 0)
		rc = rq_fail(RQ_ENOTFOUND, "store: downstream credential %lld not found", (long long)id);
	return rc;
}

/* --- applying a report --- */

typedef struct code_index {
	const rq_tier_unit_in *units;
	size_t *order; /* indexes into units, sorted by code */
	size_t count;
	int64_t *ids;  /* this server's id of each unit, by report index */
} code_index;

static const rq_tier_unit_in *sort_units;

static int by_code(const void *a, const void *b)
{
	return strcmp(sort_units[*(const size_t *)a].code, sort_units[*(const size_t *)b].code);
}

/* Index of `code` in the report, or -1. */
static long find_code(const code_index *ix, const char *code)
{
	size_t lo = 0, hi = ix->count;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(ix->units[ix->order[mid]].code, code);
		if (c == 0)
			return (long)ix->order[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

/* The check that sort_units (a file-level variable for qsort) needs no
 * lock: reports are applied one at a time per connection, and the index
 * is built without yielding. */
static int build_index(code_index *ix, const rq_tier_report *r)
{
	ix->units = r->units;
	ix->count = r->unit_count;
	ix->order = calloc(r->unit_count ? r->unit_count : 1, sizeof(size_t));
	ix->ids = calloc(r->unit_count ? r->unit_count : 1, sizeof(int64_t));
	if (!ix->order || !ix->ids)
		return rq_fail(RQ_ENOMEM, "tier: out of memory");
	for (size_t i = 0; i < r->unit_count; i++)
		ix->order[i] = i;
	sort_units = r->units;
	qsort(ix->order, r->unit_count, sizeof(size_t), by_code);
	sort_units = NULL;
	for (size_t i = 1; i < r->unit_count; i++)
		if (!strcmp(r->units[ix->order[i]].code, r->units[ix->order[i - 1]].code))
			return rq_fail(RQ_EINVAL, "units: code '%s' given twice", r->units[ix->order[i]].code);
	return 0;
}

static int set_figures(rq_store *s, int64_t id, const rq_tier_unit_in *u, int top, int64_t seen)
{
	rq_stmt *st = NULL;
	const rq_coverage *v = &u->figures;
	int rc = PREPARE_BIND(s, st,
			      "UPDATE tier_units SET top = $2, seen_at = $3, endpoints = $4, reporting = $5,"
			      " realtime_on = $6, fresh_1d = $7, fresh_3d = $8, fresh_7d = $9, fresh_15d = $10,"
			      " older_15d = $11, sig_unknown = $12, infected = $13 WHERE unit_id = $1",
			      "iiiiiiiiiiiii", id, (int64_t)top, seen, v->endpoints, v->reporting, v->realtime_on,
			      v->fresh_1d, v->fresh_3d, v->fresh_7d, v->fresh_15d, v->older_15d, v->sig_unknown,
			      v->infected);
	return run_fmt_done(st, rc);
}

/* Mirror one reported unit: its id into ix->ids[i]. */
static int mirror_unit(rq_store *s, int64_t bound_id, const char *bound_code, code_index *ix, size_t i, int64_t now)
{
	const rq_tier_unit_in *u = &ix->units[i];
	rq_stmt *st = NULL;
	int64_t parent = bound_id, id = 0;
	size_t n = strlen(bound_code) + strlen(u->code) + 2;
	char *code = malloc(n);
	int rc = 0;
	if (!code)
		return rq_fail(RQ_ENOMEM, "tier: out of memory");
	snprintf(code, n, "%s/%s", bound_code, u->code);
	if (*u->parent) {
		long p = find_code(ix, u->parent);
		if (p < 0 || ix->ids[p] == 0) {
			rc = rq_fail(RQ_EINVAL, "units: '%s' names parent '%s', which is not listed before it", u->code,
				     u->parent);
			goto done;
		}
		parent = ix->ids[p];
	}
	rc = PREPARE_BIND(s, st, "SELECT unit_id FROM tier_units WHERE bound_id = $1 AND remote_code = $2", "it",
			  bound_id, u->code);
	if (rc == 0)
		rc = rq_stmt_step_int64(st, &id);
	rq_stmt_finalize(st);
	st = NULL;
	if (rc == 0) {
		rc = rq_store_unit_update(s, id, parent, u->name, code, "", now);
	} else if (rc == RQ_ENOTFOUND) {
		rc = rq_store_unit_create(s, &id, parent, u->name, code, "", now);
		if (rc == RQ_STORE_ECONSTRAINT)
			rc = rq_fail(RQ_EINVAL, "units: code '%s' is already a unit of this server", code);
		if (rc == 0) {
			rc = PREPARE_BIND(s, st,
					  "INSERT INTO tier_units (unit_id, bound_id, remote_code, top, seen_at)"
					  " VALUES ($1, $2, $3, 0, 0)",
					  "iit", id, bound_id, u->code);
			rc = run_fmt_done(st, rc);
		}
	}
	if (rc == 0)
		rc = set_figures(s, id, u, !*u->parent, now);
	ix->ids[i] = id;
done:
	free(code);
	return rc < 0 ? rc : 0;
}

/* Remove the mirrored units no longer reported (seen_at 0), leaves first,
 * keeping any that something of this server still refers to. The list
 * below is every table whose rows refer to a unit without ON DELETE
 * CASCADE / SET NULL: a table added with such a reference belongs in it
 * (else PostgreSQL would abort the report's transaction). */
static int prune_units(rq_store *s, int64_t bound_id)
{
	int64_t changes = 1;
	int rc = rq_store_run(s, NULL,
			      "UPDATE tier_units SET top = 0, endpoints = 0, reporting = 0, realtime_on = 0, fresh_1d = 0,"
			      " fresh_3d = 0, fresh_7d = 0, fresh_15d = 0, older_15d = 0, sig_unknown = 0, infected = 0"
			      " WHERE bound_id = $1 AND seen_at = 0",
			      &bound_id, 1);
	for (int round = 0; rc == 0 && changes > 0 && round < RQ_STORE_MAX_UNIT_DEPTH; round++)
		rc = rq_store_run(s, &changes,
				  "DELETE FROM units WHERE id IN (SELECT t.unit_id FROM tier_units t WHERE t.bound_id = $1"
				  " AND t.seen_at = 0"
				  " AND NOT EXISTS (SELECT 1 FROM units c WHERE c.parent_id = t.unit_id)"
				  " AND NOT EXISTS (SELECT 1 FROM endpoints e WHERE e.unit_id = t.unit_id)"
				  " AND NOT EXISTS (SELECT 1 FROM users x WHERE x.unit_id = t.unit_id)"
				  " AND NOT EXISTS (SELECT 1 FROM campaigns x WHERE x.unit_id = t.unit_id)"
				  " AND NOT EXISTS (SELECT 1 FROM campaign_items x WHERE x.unit_id = t.unit_id)"
				  " AND NOT EXISTS (SELECT 1 FROM info_systems x WHERE x.unit_id = t.unit_id)"
				  " AND NOT EXISTS (SELECT 1 FROM evidence x WHERE x.unit_id = t.unit_id)"
				  " AND NOT EXISTS (SELECT 1 FROM declared_machines x WHERE x.unit_id = t.unit_id)"
				  " AND NOT EXISTS (SELECT 1 FROM tier_credentials x WHERE x.unit_id = t.unit_id))",
				  &bound_id, 1);
	return rc;
}

static int upsert_sighting(rq_store *s, int64_t bound_id, const rq_tier_sighting *g, int64_t now)
{
	rq_stmt *st = NULL;
	int rc = PREPARE_BIND(s, st,
			      "INSERT INTO tier_sightings (bound_id, sha256, name, endpoints, units, first_seen, last_seen,"
			      " reported_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
			      " ON CONFLICT (bound_id, sha256) DO UPDATE SET name = excluded.name,"
			      " endpoints = excluded.endpoints, units = excluded.units, first_seen = excluded.first_seen,"
			      " last_seen = excluded.last_seen, reported_at = excluded.reported_at",
			      "ittiiiii", bound_id, g->sha256, g->name, g->endpoints, g->units, g->first_seen,
			      g->last_seen, now);
	return run_fmt_done(st, rc);
}

static int record_batch(rq_store *s, int64_t bound_id, const char *batch_id, int64_t now)
{
	rq_stmt *st = NULL;
	int rc = PREPARE_BIND(s, st, "INSERT INTO tier_batches (unit_id, batch_id, received_at) VALUES ($1, $2, $3)",
			      "iti", bound_id, batch_id, now);
	rc = run_fmt_done(st, rc);
	if (rc == 0)
		rc = PREPARE_BIND(s, st, "DELETE FROM tier_batches WHERE unit_id = $1 AND received_at < $2", "ii",
				  bound_id, now - BATCH_KEEP_S),
		rc = run_fmt_done(st, rc);
	return rc;
}

int rq_store_tier_apply(rq_store *s, int64_t bound_id, const rq_tier_report *r, int64_t now, int *out_outcome)
{
	rq_stmt *st = NULL;
	rq_unit bound;
	code_index ix;
	int64_t seen = 0, last_snapshot = 0;
	int rc;
	memset(&bound, 0, sizeof(bound));
	memset(&ix, 0, sizeof(ix));
	*out_outcome = RQ_TIER_APPLIED;
	rc = PREPARE_BIND(s, st, "SELECT COUNT(*) FROM tier_batches WHERE unit_id = $1 AND batch_id = $2", "it",
			  bound_id, r->batch_id);
	if (rc == 0)
		rc = rq_stmt_step_int64(st, &seen);
	rq_stmt_finalize(st);
	st = NULL;
	if (rc < 0)
		goto done;
	if (seen) {
		*out_outcome = RQ_TIER_DUPLICATE;
		goto done;
	}
	rc = PREPARE_BIND(s, st, "SELECT snapshot_at FROM tier_downstreams WHERE unit_id = $1", "i", bound_id);
	if (rc == 0)
		rc = rq_stmt_step_int64(st, &last_snapshot);
	rq_stmt_finalize(st);
	st = NULL;
	if (rc == RQ_ENOTFOUND)
		rc = 0;
	else if (rc == 0 && last_snapshot > r->snapshot_at) {
		*out_outcome = RQ_TIER_STALE;
		rc = record_batch(s, bound_id, r->batch_id, now);
		goto done;
	}
	if (rc < 0 || (rc = rq_store_unit_get(s, bound_id, &bound)) < 0 || (rc = build_index(&ix, r)) < 0)
		goto done;
	rc = rq_store_run(s, NULL, "UPDATE tier_units SET seen_at = 0 WHERE bound_id = $1", &bound_id, 1);
	for (size_t i = 0; rc == 0 && i < r->unit_count; i++)
		rc = mirror_unit(s, bound_id, bound.code, &ix, i, now);
	if (rc == 0)
		rc = prune_units(s, bound_id);
	for (size_t i = 0; rc == 0 && i < r->sighting_count; i++)
		rc = upsert_sighting(s, bound_id, &r->sightings[i], now);
	if (rc < 0)
		goto done;
	rc = PREPARE_BIND(s, st,
			  "INSERT INTO tier_downstreams (unit_id, server_name, snapshot_at, reported_at, window_days, units,"
			  " sightings) VALUES ($1, $2, $3, $4, $5, $6, (SELECT COUNT(*) FROM tier_sightings WHERE bound_id = $1))"
			  " ON CONFLICT (unit_id) DO UPDATE SET server_name = excluded.server_name,"
			  " snapshot_at = excluded.snapshot_at, reported_at = excluded.reported_at,"
			  " window_days = excluded.window_days, units = excluded.units, sightings = excluded.sightings",
			  "iTiiii", bound_id, r->server_name, r->snapshot_at, now, r->window_days, (int64_t)r->unit_count);
	rc = run_fmt_done(st, rc);
	if (rc == 0)
		rc = record_batch(s, bound_id, r->batch_id, now);
done:
	free(ix.order);
	free(ix.ids);
	rq_store_unit_clear(&bound);
	return rc < 0 ? rc : 0;
}

/* --- views --- */

#define DOWNSTREAM_COLUMNS \
	"d.unit_id, u.name, u.code, d.server_name, d.snapshot_at, d.reported_at, d.window_days, d.units, d.sightings"

static void downstream_row(rq_stmt *st, int first, rq_tier_downstream *d)
{
	d->unit_id = rq_stmt_column_int64(st, first);
	d->unit_name = rq_stmt_column_str(st, first + 1);
	d->unit_code = rq_stmt_column_str(st, first + 2);
	d->server_name = rq_stmt_column_str(st, first + 3);
	d->snapshot_at = rq_stmt_column_int64(st, first + 4);
	d->reported_at = rq_stmt_column_int64(st, first + 5);
	d->window_days = rq_stmt_column_int64(st, first + 6);
	d->units = rq_stmt_column_int64(st, first + 7);
	d->sightings = rq_stmt_column_int64(st, first + 8);
}

static int each_downstream(rq_stmt *st, int rc, int (*cb)(const rq_tier_downstream *d, void *payload), void *payload)
{
	rq_tier_downstream d;
	while (rc == 0 && (rc = rq_stmt_step(st)) == RQ_STORE_ROW) {
		downstream_row(st, 0, &d);
		rc = cb && cb(&d, payload) ? rq_fail(RQ_ESTOPPED, "store: listing stopped by the caller") : 0;
	}
	rq_stmt_finalize(st);
	return rc < 0 ? rc : 0;
}

int rq_store_tier_mirrored(rq_store *s, int64_t unit_id, int64_t *out_bound)
{
	rq_stmt *st = NULL;
	*out_bound = 0;
	int rc = PREPARE_BIND(s, st, "SELECT bound_id FROM tier_units WHERE unit_id = $1", "i", unit_id);
	if (rc == 0)
		rc = rq_stmt_step_int64(st, out_bound);
	rq_stmt_finalize(st);
	if (rc == RQ_ENOTFOUND) {
		*out_bound = 0;
		rc = 0;
	}
	return rc;
}

#define FIGURE_SUMS \
	"SELECT COALESCE(SUM(t.endpoints), 0), COALESCE(SUM(t.reporting), 0), COALESCE(SUM(t.realtime_on), 0)," \
	" COALESCE(SUM(t.fresh_1d), 0), COALESCE(SUM(t.fresh_3d), 0), COALESCE(SUM(t.fresh_7d), 0),"          \
	" COALESCE(SUM(t.fresh_15d), 0), COALESCE(SUM(t.older_15d), 0), COALESCE(SUM(t.sig_unknown), 0),"      \
	" COALESCE(SUM(t.infected), 0) FROM tier_units t"

int rq_store_tier_coverage_add(rq_store *s, int64_t unit_id, rq_coverage *v,
			       int (*cb)(const rq_tier_downstream *d, void *payload), void *payload)
{
	rq_stmt *st = NULL;
	int64_t bound = 0;
	int rc = unit_id > 0 ? rq_store_tier_mirrored(s, unit_id, &bound) : 0;
	if (rc < 0)
		return rc;
	if (bound)
		rc = PREPARE_BIND(s, st, FIGURE_SUMS " WHERE t.unit_id = $1", "i", unit_id);
	else if (unit_id > 0)
		rc = PREPARE_BIND(s, st, RQ_STORE_SUBTREE_CTE " " FIGURE_SUMS " JOIN sub ON sub.id = t.unit_id WHERE t.top = 1",
				  "ii", unit_id, (int64_t)RQ_STORE_MAX_UNIT_DEPTH - 1);
	else
		rc = rq_store_prepare(s, &st, FIGURE_SUMS " WHERE t.top = 1");
	if (rc == 0 && (rc = rq_stmt_step(st)) == RQ_STORE_ROW) {
		int64_t *f[] = { &v->endpoints, &v->reporting, &v->realtime_on, &v->fresh_1d, &v->fresh_3d,
				 &v->fresh_7d, &v->fresh_15d, &v->older_15d, &v->sig_unknown, &v->infected };
		for (int i = 0; i < 10; i++)
			*f[i] += rq_stmt_column_int64(st, i);
		rc = 0;
	}
	rq_stmt_finalize(st);
	st = NULL;
	if (rc < 0)
		return rc;
	/* who contributed: the mirrored unit's downstream, or those bound in the subtree */
	if (bound)
		rc = PREPARE_BIND(s, st,
				  "SELECT " DOWNSTREAM_COLUMNS " FROM tier_downstreams d JOIN units u ON u.id = d.unit_id"
				  " WHERE d.unit_id = $1",
				  "i", bound);
	else
		return rq_store_tier_downstreams(s, unit_id, cb, payload);
	return each_downstream(st, rc, cb, payload);
}

int rq_store_tier_downstreams(rq_store *s, int64_t root, int (*cb)(const rq_tier_downstream *d, void *payload),
			      void *payload)
{
	rq_stmt *st = NULL;
	int rc;
	if (root > 0)
		rc = PREPARE_BIND(s, st,
				  RQ_STORE_SUBTREE_CTE " SELECT " DOWNSTREAM_COLUMNS
						       " FROM tier_downstreams d JOIN sub ON sub.id = d.unit_id"
						       " JOIN units u ON u.id = d.unit_id ORDER BY u.name, u.id",
				  "ii", root, (int64_t)RQ_STORE_MAX_UNIT_DEPTH - 1);
	else
		rc = rq_store_prepare(s, &st,
				      "SELECT " DOWNSTREAM_COLUMNS " FROM tier_downstreams d JOIN units u ON u.id = d.unit_id"
				      " ORDER BY u.name, u.id");
	return each_downstream(st, rc, cb, payload);
}

/* The sightings in scope: of downstreams bound within $1's subtree, or
 * all ($1 = 0; both texts take $1 and $2, compared to integers so that
 * PostgreSQL knows their type). */
#define SIGHTINGS_IN_SCOPE(root)                                                                        \
	((root) > 0 ? RQ_STORE_SUBTREE_CTE ", g AS (SELECT t.* FROM tier_sightings t JOIN sub ON sub.id = t.bound_id)" \
		    : "WITH g AS (SELECT * FROM tier_sightings WHERE $1 = 0 AND $2 > 0)")

int rq_store_tier_samples(rq_store *s, int64_t root, int64_t limit, int64_t offset, int64_t *out_total,
			  int (*cb)(const rq_tier_sample *r, void *payload), void *payload)
{
	char sql[1024];
	rq_stmt *st = NULL;
	rq_tier_sample r;
	int rc;
	*out_total = 0;
	snprintf(sql, sizeof(sql), "%s SELECT COUNT(DISTINCT sha256) FROM g",
		 SIGHTINGS_IN_SCOPE(root));
	rc = PREPARE_BIND(s, st, sql, "ii", root, (int64_t)RQ_STORE_MAX_UNIT_DEPTH - 1);
	if (rc == 0)
		rc = rq_stmt_step_int64(st, out_total);
	rq_stmt_finalize(st);
	st = NULL;
	if (rc < 0)
		return rc;
	snprintf(sql, sizeof(sql),
		 "%s SELECT sha256, MAX(name), SUM(endpoints), SUM(units), COUNT(*), MIN(first_seen), MAX(last_seen),"
		 " MAX(reported_at) FROM g GROUP BY sha256"
		 " ORDER BY MAX(last_seen) DESC, sha256 LIMIT $3 OFFSET $4",
		 SIGHTINGS_IN_SCOPE(root));
	rc = PREPARE_BIND(s, st, sql, "iiii", root, (int64_t)RQ_STORE_MAX_UNIT_DEPTH - 1, limit, offset);
	while (rc == 0 && (rc = rq_stmt_step(st)) == RQ_STORE_ROW) {
		r.sha256 = rq_stmt_column_str(st, 0);
		r.name = rq_stmt_column_str(st, 1);
		r.endpoints = rq_stmt_column_int64(st, 2);
		r.units = rq_stmt_column_int64(st, 3);
		r.downstreams = rq_stmt_column_int64(st, 4);
		r.first_seen = rq_stmt_column_int64(st, 5);
		r.last_seen = rq_stmt_column_int64(st, 6);
		r.reported_at = rq_stmt_column_int64(st, 7);
		rc = cb(&r, payload) ? rq_fail(RQ_ESTOPPED, "store: listing stopped by the caller") : 0;
	}
	rq_stmt_finalize(st);
	return rc < 0 ? rc : 0;
}

int rq_store_tier_sample_by(rq_store *s, const char *sha256, int64_t root,
			    int (*cb)(const rq_tier_sample *r, const rq_tier_downstream *d, void *payload),
			    void *payload)
{
	char sql[1024];
	rq_stmt *st = NULL;
	rq_tier_sample r;
	rq_tier_downstream d;
	snprintf(sql, sizeof(sql),
		 "%s SELECT g.sha256, g.name, g.endpoints, g.units, g.first_seen, g.last_seen, g.reported_at, "
		 DOWNSTREAM_COLUMNS " FROM g JOIN tier_downstreams d ON d.unit_id = g.bound_id"
		 " JOIN units u ON u.id = d.unit_id WHERE g.sha256 = $3 ORDER BY u.name, u.id",
		 SIGHTINGS_IN_SCOPE(root));
	int rc = PREPARE_BIND(s, st, sql, "iit", root, (int64_t)RQ_STORE_MAX_UNIT_DEPTH - 1, sha256);
	while (rc == 0 && (rc = rq_stmt_step(st)) == RQ_STORE_ROW) {
		r.sha256 = rq_stmt_column_str(st, 0);
		r.name = rq_stmt_column_str(st, 1);
		r.endpoints = rq_stmt_column_int64(st, 2);
		r.units = rq_stmt_column_int64(st, 3);
		r.first_seen = rq_stmt_column_int64(st, 4);
		r.last_seen = rq_stmt_column_int64(st, 5);
		r.reported_at = rq_stmt_column_int64(st, 6);
		r.downstreams = 1;
		downstream_row(st, 7, &d);
		rc = cb(&r, &d, payload) ? rq_fail(RQ_ESTOPPED, "store: listing stopped by the caller") : 0;
	}
	rq_stmt_finalize(st);
	return rc < 0 ? rc : 0;
}

/* --- the queue to the upstream --- */

int rq_store_upstream_enqueue(rq_store *s, const char *batch_id, const char *body, int64_t now, int64_t keep_sent_s)
{
	rq_stmt *st = NULL;
	int64_t before = now - keep_sent_s;
	int rc = rq_store_run(s, NULL,
			      "DELETE FROM upstream_outbox WHERE state = 'queued' OR (state = 'sent' AND sent_at < $1)",
			      &before, 1);
	if (rc == 0)
		rc = PREPARE_BIND(s, st,
				  "INSERT INTO upstream_outbox (batch_id, created_at, body, state, next_attempt)"
				  " VALUES ($1, $2, $3, 'queued', $2)",
				  "tit", batch_id, now, body),
		rc = run_fmt_done(st, rc);
	return rc;
}

int rq_store_upstream_due(rq_store *s, int64_t now, rq_upstream_item *out)
{
	rq_stmt *st = NULL;
	memset(out, 0, sizeof(*out));
	int rc = PREPARE_BIND(s, st,
			      "SELECT id, created_at, attempts, batch_id, body FROM upstream_outbox"
			      " WHERE state = 'queued' AND next_attempt <= $1 ORDER BY id LIMIT 1",
			      "i", now);
	if (rc == 0)
		rc = rq_stmt_step(st);
	if (rc == RQ_STORE_DONE)
		rc = RQ_ENOTFOUND;
	if (rc == RQ_STORE_ROW) {
		out->id = rq_stmt_column_int64(st, 0);
		out->created_at = rq_stmt_column_int64(st, 1);
		out->attempts = rq_stmt_column_int64(st, 2);
		out->batch_id = strdup(rq_stmt_column_str(st, 3));
		out->body = strdup(rq_stmt_column_str(st, 4));
		rc = out->batch_id && out->body ? 0 : rq_fail(RQ_ENOMEM, "store: out of memory");
		if (rc)
			rq_store_upstream_item_clear(out);
	}
	rq_stmt_finalize(st);
	return rc;
}

void rq_store_upstream_item_clear(rq_upstream_item *it)
{
	if (!it)
		return;
	free(it->batch_id);
	free(it->body);
	memset(it, 0, sizeof(*it));
}

int rq_store_upstream_result(rq_store *s, int64_t id, int sent, long status, const char *error, int64_t next_attempt,
			     int64_t now)
{
	rq_stmt *st = NULL;
	int rc;
	if (sent)
		rc = PREPARE_BIND(s, st,
				  "UPDATE upstream_outbox SET state = 'sent', attempts = attempts + 1, sent_at = $2,"
				  " last_status = $3, last_error = '' WHERE id = $1",
				  "iii", id, now, (int64_t)status);
	else
		rc = PREPARE_BIND(s, st,
				  "UPDATE upstream_outbox SET attempts = attempts + 1, next_attempt = $2, last_status = $3,"
				  " last_error = $4 WHERE id = $1",
				  "iiiT", id, next_attempt, (int64_t)status, error);
	return run_fmt_done(st, rc);
}

int rq_store_upstream_state(rq_store *s, rq_upstream_state *out)
{
	rq_stmt *st = NULL;
	memset(out, 0, sizeof(*out));
	int rc = rq_store_prepare(s, &st,
				  "SELECT (SELECT COUNT(*) FROM upstream_outbox WHERE state = 'queued'),"
				  " (SELECT MAX(sent_at) FROM upstream_outbox WHERE state = 'sent'),"
				  " q.attempts, q.next_attempt, q.last_status, q.last_error"
				  " FROM (SELECT 1 AS one) o LEFT JOIN (SELECT attempts, next_attempt, last_status, last_error"
				  " FROM upstream_outbox WHERE state = 'queued' ORDER BY id LIMIT 1) q ON 1 = 1");
	if (rc == 0 && (rc = rq_stmt_step(st)) == RQ_STORE_ROW) {
		out->queued = rq_stmt_column_int64(st, 0);
		out->last_sent_at = rq_stmt_column_int64(st, 1);
		out->attempts = rq_stmt_column_int64(st, 2);
		out->next_attempt = rq_stmt_column_int64(st, 3);
		out->last_status = rq_stmt_column_int64(st, 4);
		snprintf(out->last_error, sizeof(out->last_error), "%s", rq_stmt_column_str(st, 5));
		rc = 0;
	}
	rq_stmt_finalize(st);
	st = NULL;
	if (rc == 0)
		rc = rq_store_prepare(s, &st, "SELECT synced_at, published, last_error FROM upstream_sync WHERE id = 1");
	if (rc == 0 && (rc = rq_stmt_step(st)) == RQ_STORE_ROW) {
		out->synced_at = rq_stmt_column_int64(st, 0);
		out->published = rq_stmt_column_int64(st, 1);
		snprintf(out->sync_error, sizeof(out->sync_error), "%s", rq_stmt_column_str(st, 2));
		rc = 0;
	}
	rq_stmt_finalize(st);
	return rc < 0 ? rc : 0;
}

int rq_store_upstream_synced(rq_store *s, int64_t now, int64_t published, const char *error)
{
	rq_stmt *st = NULL;
	int rc = PREPARE_BIND(s, st, "UPDATE upstream_sync SET synced_at = $1, published = $2, last_error = $3 WHERE id = 1",
			      "iiT", now, published, error);
	return run_fmt_done(st, rc);
}
