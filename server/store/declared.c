/*
 * Machines protected by other products (declared.h): rows of
 * declared_machines, and their share of the coverage summary and of the
 * reports. "Superseded" is one probe per declared machine of the index
 * endpoints_unit_host (unit_id, lower(hostname)): declared machines are
 * few (a unit's handful of machines without an agent), so the cost
 * follows them, not the endpoints.
 */
#include "store/declared.h"

#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "store/bind.h"
#include "store/units.h"

/* An endpoint of d's unit with d's hostname. Both sides lower-cased: SQLite
 * uses the expression index for "lower(e.hostname) = <an expression>" but,
 * against the bare TEXT column d.hostname, only its unit_id part (the
 * column's affinity applies to the comparison) -- a walk of the unit's
 * endpoints per declared machine: 150 ms instead of 1 for 2,000 of them
 * among 100,000 endpoints. */
#define SAME_HOST_IN(unit) "e.unit_id = " unit " AND lower(e.hostname) = lower(d.hostname)"
#define SUPERSEDING "(SELECT MIN(e.id) FROM endpoints e WHERE " SAME_HOST_IN("d.unit_id") ")"
/* A scalar subquery, not NOT EXISTS: PostgreSQL turns NOT EXISTS into a
 * hash anti-join over every endpoint (35-50 ms for the province), where a
 * subquery stays one index probe per declared machine (3 ms). For a
 * subtree the probe names the unit by sub.id, so that it runs after the
 * join with the subtree's units rather than on every declared machine. */
#define NOT_SUPERSEDED_IN(unit) " COALESCE((SELECT 1 FROM endpoints e WHERE " SAME_HOST_IN(unit) " LIMIT 1), 0) = 0"
#define NOT_SUPERSEDED NOT_SUPERSEDED_IN("d.unit_id")

#define DECLARED_COLUMNS                                                                               \
	" SELECT d.id, d.unit_id, u.name, d.hostname, d.kind, d.product, COALESCE(d.sig_updated, 0),"  \
	" COALESCE(d.last_scan, 0), d.infections_found, d.infections_cleaned, d.created_at, d.updated_at," \
	" COALESCE(d.updated_by, 0), COALESCE(" SUPERSEDING ", 0)"                                      \
	" FROM declared_machines d JOIN units u ON u.id = d.unit_id"

static int each_declared(rq_stmt *st, int one, int (*cb)(const rq_declared *x, void *payload), void *payload)
{
	int rc, rows = 0;
	while ((rc = rq_stmt_step(st)) == RQ_STORE_ROW) {
		rq_declared x = {
			.id = rq_stmt_column_int64(st, 0),
			.unit_id = rq_stmt_column_int64(st, 1),
			.unit_name = rq_stmt_column_str(st, 2),
			.hostname = rq_stmt_column_str(st, 3),
			.kind = rq_stmt_column_str(st, 4),
			.product = rq_stmt_column_str(st, 5),
			.sig_updated = rq_stmt_column_int64(st, 6),
			.last_scan = rq_stmt_column_int64(st, 7),
			.infections_found = rq_stmt_column_int64(st, 8),
			.infections_cleaned = rq_stmt_column_int64(st, 9),
			.created_at = rq_stmt_column_int64(st, 10),
			.updated_at = rq_stmt_column_int64(st, 11),
			.updated_by = rq_stmt_column_int64(st, 12),
			.superseded_by = rq_stmt_column_int64(st, 13),
		};
		rows++;
		if (cb(&x, payload))
			return RQ_ESTOPPED;
	}
	if (rc < 0)
		return rc;
	return one && rows == 0 ? RQ_ENOTFOUND : 0;
}

int rq_store_declared_put(rq_store *s, const rq_declared *x, int64_t *out_id, int *out_created)
{
	rq_stmt *st = NULL;
	int rc = rq_store_prepare(s, &st, "SELECT id FROM declared_machines WHERE unit_id = $1 AND hostname = $2");
	*out_id = 0;
	*out_created = 0;
	if (rc == 0)
		rc = rq_stmt_bind_fmt(st, "it", x->unit_id, x->hostname);
	if (rc == 0)
		rc = rq_stmt_step_int64(st, out_id);
	rq_stmt_finalize(st);
	st = NULL;
	if (rc == 0) {
		rq_declared y = *x;
		y.id = *out_id;
		return rq_store_declared_update(s, &y);
	}
	if (rc != RQ_ENOTFOUND)
		return rc;
	rc = rq_store_prepare(s, &st,
			      "INSERT INTO declared_machines (unit_id, hostname, kind, product, sig_updated, last_scan,"
			      " infections_found, infections_cleaned, created_at, updated_at, updated_by)"
			      " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $10) RETURNING id");
	if (rc == 0)
		rc = rq_stmt_bind_fmt(st, "itttIIiiiI", x->unit_id, x->hostname, x->kind, x->product, x->sig_updated,
				      x->last_scan, x->infections_found, x->infections_cleaned, x->updated_at,
				      x->updated_by);
	if (rc == 0 && (rc = rq_stmt_step_int64(st, out_id)) == 0)
		*out_created = 1;
	rq_stmt_finalize(st);
	return rc;
}

int rq_store_declared_update(rq_store *s, const rq_declared *x)
{
	rq_stmt *st = NULL;
	int rc = rq_store_prepare(s, &st,
				  "UPDATE declared_machines SET hostname = $2, kind = $3, product = $4, sig_updated = $5,"
				  " last_scan = $6, infections_found = $7, infections_cleaned = $8, updated_at = $9,"
				  " updated_by = $10 WHERE id = $1");
	if (rc == 0)
		rc = rq_stmt_bind_fmt(st, "itttIIiiiI", x->id, x->hostname, x->kind, x->product, x->sig_updated,
				      x->last_scan, x->infections_found, x->infections_cleaned, x->updated_at,
				      x->updated_by);
	if (rc == 0 && (rc = rq_stmt_step(st)) >= 0 && rq_stmt_changes(st) == 0)
		rc = rq_fail(RQ_ENOTFOUND, "store: no declared machine %lld", (long long)x->id);
	rq_stmt_finalize(st);
	return rc < 0 ? rc : 0;
}

int rq_store_declared_delete(rq_store *s, int64_t id)
{
	int64_t changes = 0;
	int rc = rq_store_run(s, &changes, "DELETE FROM declared_machines WHERE id = $1", &id, 1);
	if (rc == 0 && changes == 0)
		rc = rq_fail(RQ_ENOTFOUND, "store: no declared machine %lld", (long long)id);
	return rc;
}

int rq_store_declared_get(rq_store *s, int64_t id, int (*cb)(const rq_declared *x, void *payload), void *payload)
{
	rq_stmt *st = NULL;
	int rc = rq_store_prepare(s, &st, DECLARED_COLUMNS " WHERE d.id = $1");
	if (rc == 0 && (rc = rq_stmt_bind_int64(st, 1, id)) == 0)
		rc = each_declared(st, 1, cb, payload);
	rq_stmt_finalize(st);
	return rc;
}

int rq_store_declared_list(rq_store *s, int64_t root, int (*cb)(const rq_declared *x, void *payload),
			   void *payload)
{
	rq_stmt *st = NULL;
	int rc = rq_store_prepare(s, &st,
				  root > 0 ? RQ_STORE_SUBTREE_CTE DECLARED_COLUMNS
				  " WHERE d.unit_id IN (SELECT id FROM sub) ORDER BY u.name, d.unit_id, d.hostname"
					   : DECLARED_COLUMNS " WHERE CAST($1 AS BIGINT) = 0 AND CAST($2 AS BIGINT) >= 0"
					     " ORDER BY u.name, d.unit_id, d.hostname");
	if (rc == 0)
		rc = rq_stmt_bind_fmt(st, "ii", root, (int64_t)RQ_STORE_MAX_UNIT_DEPTH - 1);
	if (rc == 0)
		rc = each_declared(st, 0, cb, payload);
	rq_stmt_finalize(st);
	return rc;
}

int rq_store_declared_count(rq_store *s, int64_t unit_id, int64_t *out)
{
	rq_stmt *st = NULL;
	int rc = rq_store_prepare(s, &st, "SELECT COUNT(*) FROM declared_machines WHERE unit_id = $1");
	if (rc == 0 && (rc = rq_stmt_bind_int64(st, 1, unit_id)) == 0)
		rc = rq_stmt_step_int64(st, out);
	rq_stmt_finalize(st);
	return rc;
}

/*
 * The coverage figures of the declared machines, in this order: known,
 * protected (signatures updated within the window, $3), signatures at most
 * 1, 3, 7, 15 days old ($4-$7), older, unknown, infected now (found more
 * than cleaned); then over the period [$8, $9): last scan in it, of those
 * with infections, the infections found and cleaned.
 */
#define IN_PERIOD "d.last_scan >= $8 AND d.last_scan < $9"
#define DECLARED_SUMS                                                                                  \
	"SELECT COUNT(*), SUM(CASE WHEN d.sig_updated >= $3 THEN 1 ELSE 0 END),"                      \
	" SUM(CASE WHEN d.sig_updated >= $4 THEN 1 ELSE 0 END), SUM(CASE WHEN d.sig_updated >= $5 THEN 1 ELSE 0 END)," \
	" SUM(CASE WHEN d.sig_updated >= $6 THEN 1 ELSE 0 END), SUM(CASE WHEN d.sig_updated >= $7 THEN 1 ELSE 0 END)," \
	" SUM(CASE WHEN d.sig_updated < $7 THEN 1 ELSE 0 END), SUM(CASE WHEN d.sig_updated IS NULL THEN 1 ELSE 0 END)," \
	" SUM(CASE WHEN d.infections_found > d.infections_cleaned THEN 1 ELSE 0 END),"                \
	" SUM(CASE WHEN " IN_PERIOD " THEN 1 ELSE 0 END),"                                             \
	" SUM(CASE WHEN " IN_PERIOD " AND d.infections_found > 0 THEN 1 ELSE 0 END),"                 \
	" SUM(CASE WHEN " IN_PERIOD " THEN d.infections_found ELSE 0 END),"                           \
	" SUM(CASE WHEN " IN_PERIOD " THEN d.infections_cleaned ELSE 0 END)"                          \
	" FROM"
static const char coverage_all[] = DECLARED_SUMS " declared_machines d WHERE CAST($1 AS BIGINT) = 0"
				   " AND CAST($2 AS BIGINT) >= 0 AND" NOT_SUPERSEDED;
static const char coverage_sub[] = RQ_STORE_SUBTREE_CTE " " DECLARED_SUMS
				   " sub JOIN declared_machines d ON d.unit_id = sub.id WHERE" NOT_SUPERSEDED_IN("sub.id");

int rq_store_declared_coverage(rq_store *s, int64_t unit_id, int64_t now, int64_t window_s, int64_t from,
			       int64_t to, rq_coverage *out)
{
	rq_stmt *st = NULL;
	int64_t v[13];
	int rc = rq_store_prepare(s, &st, unit_id ? coverage_sub : coverage_all);
	if (rc == 0)
		rc = rq_stmt_bind_fmt(st, "iiiiiiiii", unit_id, (int64_t)RQ_STORE_MAX_UNIT_DEPTH - 1, now - window_s,
				      now - 1 * RQ_DAY_SECONDS, now - 3 * RQ_DAY_SECONDS, now - 7 * RQ_DAY_SECONDS,
				      now - 15 * RQ_DAY_SECONDS, from, to);
	if (rc == 0 && (rc = rq_stmt_step(st)) == RQ_STORE_ROW) {
		for (int i = 0; i < 13; i++)
			v[i] = rq_stmt_column_int64(st, i); /* NULL sums (no row) read as 0 */
		rc = 0;
	} else if (rc == RQ_STORE_DONE) {
		rc = rq_fail(RQ_ERROR, "store: declared machines' coverage returned no row");
	}
	rq_stmt_finalize(st);
	if (rc < 0)
		return rc;
	out->declared += v[0];
	out->declared_protected += v[1];
	out->endpoints += v[0];
	out->reporting += v[1];
	out->fresh_1d += v[2];
	out->fresh_3d += v[3];
	out->fresh_7d += v[4];
	out->fresh_15d += v[5];
	out->older_15d += v[6];
	out->sig_unknown += v[7];
	out->infected += v[8];
	if (from < to) {
		out->scanned += v[9];
		out->infected_period += v[10];
		out->files_found += v[11];
		out->files_cleaned += v[12];
		out->files_active += v[11] - v[12];
	}
	return 0;
}

/* --- the reports --- */

static int by_unit_id(const void *a, const void *b)
{
	const rq_report_unit *x = a, *y = b;
	return (x->id > y->id) - (x->id < y->id);
}

static rq_report_unit *unit_of(rq_report_data *d, int64_t id)
{
	rq_report_unit key = {.id = id};
	return d->unit_count ? bsearch(&key, d->units, d->unit_count, sizeof(key), by_unit_id) : NULL;
}

#define REPORT_SCOPE_ALL "WITH sub(id, depth) AS (SELECT id, 0 FROM units WHERE CAST($1 AS BIGINT) = 0 AND CAST($2 AS BIGINT) >= 0)"
/* $3 to, $4 protected_since, $5 updated_since, $6 from */
#define REPORT_IN_PERIOD "d.last_scan >= $6 AND d.last_scan < $3"
#define REPORT_SUMS                                                                                    \
	" SELECT d.unit_id, d.product, d.kind, COUNT(*),"                                              \
	" SUM(CASE WHEN d.sig_updated >= $4 THEN 1 ELSE 0 END),"                                      \
	" SUM(CASE WHEN d.sig_updated >= $5 THEN 1 ELSE 0 END),"                                      \
	" SUM(CASE WHEN " REPORT_IN_PERIOD " THEN 1 ELSE 0 END),"                                      \
	" SUM(CASE WHEN " REPORT_IN_PERIOD " AND d.infections_found > 0 THEN 1 ELSE 0 END),"          \
	" SUM(CASE WHEN " REPORT_IN_PERIOD " THEN d.infections_found ELSE 0 END),"                    \
	" SUM(CASE WHEN " REPORT_IN_PERIOD " THEN d.infections_cleaned ELSE 0 END)"                   \
	" FROM declared_machines d WHERE d.unit_id IN (SELECT id FROM sub) AND d.created_at < $3 AND" \
	NOT_SUPERSEDED " GROUP BY d.unit_id, d.product, d.kind ORDER BY d.unit_id, d.product"
static const char *const report_sql[2] = {RQ_STORE_SUBTREE_CTE REPORT_SUMS, REPORT_SCOPE_ALL REPORT_SUMS};

/* Add `machines` of `product` to u's products (kept in the order met:
 * the query gives them sorted). */
static int add_product(rq_report_unit *u, const char *product, int64_t machines)
{
	if (u->product_count && !strcmp(u->products[u->product_count - 1].name, product)) {
		u->products[u->product_count - 1].machines += machines;
		return 0;
	}
	rq_report_product *n = realloc(u->products, (u->product_count + 1) * sizeof(*n));
	if (!n)
		return rq_fail(RQ_ENOMEM, "store: out of memory reading products");
	u->products = n;
	n[u->product_count].machines = machines;
	if (!(n[u->product_count].name = strdup(product)))
		return rq_fail(RQ_ENOMEM, "store: out of memory reading products");
	u->product_count++;
	return 0;
}

int rq_store_declared_report(rq_store *s, const rq_report_query *q, rq_report_data *d)
{
	rq_stmt *st = NULL;
	int rc = rq_store_prepare(s, &st, report_sql[q->unit_id == 0]);
	if (rc == 0)
		rc = rq_stmt_bind_fmt(st, "iiiiii", q->unit_id, (int64_t)RQ_STORE_MAX_UNIT_DEPTH - 1, q->to,
				      q->protected_since, q->updated_since, q->from);
	while (rc == 0 && (rc = rq_stmt_step(st)) == RQ_STORE_ROW) {
		rc = 0;
		rq_report_unit *u = unit_of(d, rq_stmt_column_int64(st, 0));
		if (!u)
			continue;
		const char *kind = rq_stmt_column_str(st, 2);
		int64_t n = rq_stmt_column_int64(st, 3), found = rq_stmt_column_int64(st, 8),
			cleaned = rq_stmt_column_int64(st, 9);
		rq_report_counts *c = &u->n;
		c->machines += n;
		c->other_products += n;
		if (!strcmp(kind, "server"))
			c->servers += n;
		else if (!strcmp(kind, "workstation"))
			c->workstations += n;
		else
			c->others += n;
		c->protected_n += rq_stmt_column_int64(st, 4);
		c->auto_update += rq_stmt_column_int64(st, 5);
		c->scanned += rq_stmt_column_int64(st, 6);
		c->infected += rq_stmt_column_int64(st, 7);
		c->detections += found;
		c->cleaned += cleaned;
		c->remaining += found - cleaned;
		rc = add_product(u, rq_stmt_column_str(st, 1), n);
	}
	rq_stmt_finalize(st);
	return rc < 0 ? rc : 0;
}
