/*
 * Sharing in the store (sharing.h): the read-only listings a STIX bundle
 * or a MISP event is made of, and the TAXII registry of date_added. Both
 * dialects run the same SQL text; the period test is a CASE so one scan
 * gives the period's figures and the all-time first sighting together.
 */
#include "store/sharing.h"

#include <stdlib.h>
#include <string.h>

#include "core/error.h"

/* The states a detection is shared in: not a false positive. */
#define SEEN_STATES "d.state IN ('active', 'quarantined', 'removed')"
/* A detection overlapping [$1, $2). */
#define IN_PERIOD "d.first_seen < $2 AND d.last_seen >= $1"
/* A connection within [$1, $2). */
#define CONN_IN_PERIOD "c.seen_at >= $1 AND c.seen_at < $2"

static const char *text_of(rq_stmt *st, int col)
{
	const char *t = rq_stmt_column_text(st, col);
	return t ? t : "";
}

typedef int (*row_fn)(rq_stmt *st, void *ctx);

/* Run `sql` with the integer parameters and call fn per row; non-zero stops. */
static int each_row(rq_store *s, const char *sql, const int64_t *params, int count, row_fn fn, void *ctx,
		    const char *what)
{
	rq_stmt *st = NULL;
	int rc = rq_store_prepare(s, &st, sql);
	for (int i = 0; rc == 0 && i < count; i++)
		rc = rq_stmt_bind_int64(st, i + 1, params[i]);
	if (rc < 0)
		goto done;
	while ((rc = rq_stmt_step(st)) == RQ_STORE_ROW) {
		if (fn(st, ctx) != 0) {
			rc = rq_fail(RQ_ESTOPPED, "store: sharing %s: stopped by the caller", what);
			goto done;
		}
	}
done:
	rq_stmt_finalize(st);
	return rc < 0 ? rc : 0;
}

typedef struct file_cb {
	int (*cb)(const rq_shared_file *f, void *payload);
	void *payload;
	int per_unit;
} file_cb;

static int file_row(rq_stmt *st, void *ctx)
{
	file_cb *c = ctx;
	rq_shared_file f = {
		.sha256 = text_of(st, 0),
		.md5 = text_of(st, 1),
		.name = text_of(st, 2),
		.type = text_of(st, 3),
		.count = rq_stmt_column_int64(st, 4),
		.first_seen = rq_stmt_column_int64(st, 5),
		.last_seen = rq_stmt_column_int64(st, 6),
		.ever = rq_stmt_column_int64(st, 7),
		.path = text_of(st, 8),
		.name_ever = rq_stmt_column_int64(st, 9),
		.unit_id = c->per_unit ? rq_stmt_column_int64(st, 10) : 0,
	};
	return c->cb(&f, c->payload);
}

int rq_store_shared_files(rq_store *s, int64_t from, int64_t to, int per_unit,
			  int (*cb)(const rq_shared_file *f, void *payload), void *payload)
{
	static const char province[] =
		"SELECT d.sha256, d.md5, d.name, d.type,"
		" SUM(CASE WHEN " IN_PERIOD " THEN 1 ELSE 0 END),"
		" MIN(CASE WHEN " IN_PERIOD " THEN d.first_seen END),"
		" MAX(CASE WHEN " IN_PERIOD " THEN d.last_seen END),"
		" MIN(d.first_seen), MIN(CASE WHEN " IN_PERIOD " THEN d.path END), MIN(n.ever)"
		" FROM detections d"
		" JOIN (SELECT name, MIN(first_seen) AS ever FROM detections d WHERE " SEEN_STATES
		" GROUP BY name) n ON n.name = d.name"
		" WHERE " SEEN_STATES " AND (d.sha256 <> '' OR d.md5 <> '')"
		" GROUP BY d.sha256, d.md5, d.name, d.type"
		" HAVING SUM(CASE WHEN " IN_PERIOD " THEN 1 ELSE 0 END) > 0"
		" ORDER BY d.sha256, d.md5, d.name, d.type";
	static const char units[] =
		"SELECT d.sha256, d.md5, d.name, d.type,"
		" SUM(CASE WHEN " IN_PERIOD " THEN 1 ELSE 0 END),"
		" MIN(CASE WHEN " IN_PERIOD " THEN d.first_seen END),"
		" MAX(CASE WHEN " IN_PERIOD " THEN d.last_seen END),"
		" MIN(f.ever), MIN(CASE WHEN " IN_PERIOD " THEN d.path END), MIN(n.ever), e.unit_id"
		" FROM detections d JOIN endpoints e ON e.id = d.endpoint_id"
		" JOIN (SELECT name, MIN(first_seen) AS ever FROM detections d WHERE " SEEN_STATES
		" GROUP BY name) n ON n.name = d.name"
		" JOIN (SELECT sha256, md5, MIN(first_seen) AS ever FROM detections d WHERE " SEEN_STATES
		" GROUP BY sha256, md5) f ON f.sha256 = d.sha256 AND f.md5 = d.md5"
		" WHERE " SEEN_STATES " AND (d.sha256 <> '' OR d.md5 <> '')"
		" GROUP BY d.sha256, d.md5, d.name, d.type, e.unit_id"
		" HAVING SUM(CASE WHEN " IN_PERIOD " THEN 1 ELSE 0 END) > 0"
		" ORDER BY d.sha256, d.md5, d.name, d.type, e.unit_id";
	file_cb c = { cb, payload, per_unit };
	int64_t params[2] = { from, to };
	return each_row(s, per_unit ? units : province, params, 2, file_row, &c, "files");
}

typedef struct address_cb {
	int (*cb)(const rq_shared_address *a, void *payload);
	void *payload;
	int per_unit;
} address_cb;

static int address_row(rq_stmt *st, void *ctx)
{
	address_cb *c = ctx;
	rq_shared_address a = {
		.value = text_of(st, 0),
		.count = rq_stmt_column_int64(st, 1),
		.first_seen = rq_stmt_column_int64(st, 2),
		.last_seen = rq_stmt_column_int64(st, 3),
		.ever = rq_stmt_column_int64(st, 4),
		.unit_id = c->per_unit ? rq_stmt_column_int64(st, 5) : 0,
	};
	return c->cb(&a, c->payload);
}

/* The listing by `column` (a fixed name, never input). */
#define ADDRESS_SQL(column, unit_col, unit_join, unit_group)                                              \
	"SELECT c." column ", SUM(CASE WHEN " CONN_IN_PERIOD " THEN 1 ELSE 0 END),"                        \
	" MIN(CASE WHEN " CONN_IN_PERIOD " THEN c.seen_at END),"                                         \
	" MAX(CASE WHEN " CONN_IN_PERIOD " THEN c.seen_at END), MIN(a.ever)" unit_col                      \
	" FROM connections c" unit_join " JOIN (SELECT " column ", MIN(c.seen_at) AS ever FROM connections c" \
	" GROUP BY " column ") a ON a." column " = c." column " WHERE c." column " <> ''"                \
	" GROUP BY c." column unit_group " HAVING SUM(CASE WHEN " CONN_IN_PERIOD " THEN 1 ELSE 0 END) > 0" \
	" ORDER BY c." column unit_group

int rq_store_shared_addresses(rq_store *s, int64_t from, int64_t to, int per_unit, int hosts,
			      int (*cb)(const rq_shared_address *a, void *payload), void *payload)
{
	static const char *const sql[2][2] = {
		{ ADDRESS_SQL("remote_addr", "", "", ""),
		  ADDRESS_SQL("remote_addr", ", e.unit_id", " JOIN endpoints e ON e.id = c.endpoint_id",
			      ", e.unit_id") },
		{ ADDRESS_SQL("remote_host", "", "", ""),
		  ADDRESS_SQL("remote_host", ", e.unit_id", " JOIN endpoints e ON e.id = c.endpoint_id",
			      ", e.unit_id") },
	};
	address_cb c = { cb, payload, per_unit };
	int64_t params[2] = { from, to };
	return each_row(s, sql[hosts ? 1 : 0][per_unit ? 1 : 0], params, 2, address_row, &c, "addresses");
}

typedef struct unit_cb {
	int (*cb)(const rq_shared_unit *u, void *payload);
	void *payload;
	int found;
} unit_cb;

static int unit_row(rq_stmt *st, void *ctx)
{
	unit_cb *c = ctx;
	rq_shared_unit u = {
		.id = rq_stmt_column_int64(st, 0),
		.name = text_of(st, 1),
		.code = text_of(st, 2),
		.created_at = rq_stmt_column_int64(st, 3),
		.updated_at = rq_stmt_column_int64(st, 4),
	};
	c->found = 1;
	return c->cb(&u, c->payload);
}

int rq_store_shared_unit(rq_store *s, int64_t id, int (*cb)(const rq_shared_unit *u, void *payload),
			 void *payload)
{
	unit_cb c = { cb, payload, 0 };
	int rc = each_row(s, "SELECT id, name, code, created_at, updated_at FROM units WHERE id = $1", &id, 1,
			  unit_row, &c, "unit");
	if (rc == 0 && !c.found)
		rc = rq_fail(RQ_ENOTFOUND, "store: no unit %lld", (long long)id);
	return rc;
}

int rq_store_shared_province_since(rq_store *s, int64_t *out)
{
	rq_stmt *st = NULL;
	int rc = rq_store_prepare(s, &st, "SELECT COALESCE(MIN(created_at), 0) FROM units");
	*out = 0;
	if (rc == 0)
		rc = rq_stmt_step_int64(st, out);
	rq_stmt_finalize(st);
	return rc;
}

/* --- the registry --- */

typedef struct known {
	char *id;
	int64_t modified_ms, date_added_ms;
} known;

typedef struct known_set {
	known *rows;
	size_t n, cap;
} known_set;

static void known_free(known_set *k)
{
	for (size_t i = 0; i < k->n; i++)
		free(k->rows[i].id);
	free(k->rows);
	memset(k, 0, sizeof(*k));
}

static int known_cmp(const void *a, const void *b)
{
	return strcmp(((const known *)a)->id, ((const known *)b)->id);
}

static int known_row(rq_stmt *st, void *ctx)
{
	known_set *k = ctx;
	if (k->n == k->cap) {
		size_t cap = k->cap ? k->cap * 2 : 256;
		known *rows = realloc(k->rows, cap * sizeof(*rows));
		if (!rows)
			return -1;
		k->rows = rows;
		k->cap = cap;
	}
	known *r = &k->rows[k->n];
	r->id = strdup(text_of(st, 0));
	r->modified_ms = rq_stmt_column_int64(st, 1);
	r->date_added_ms = rq_stmt_column_int64(st, 2);
	if (!r->id)
		return -1;
	k->n++;
	return 0;
}

/* Every registered version, sorted by id (in C: the SQL collation may differ). */
static int known_load(rq_store *s, known_set *k)
{
	known_free(k);
	int rc = each_row(s, "SELECT stix_id, modified, date_added FROM taxii_objects", NULL, 0, known_row, k,
			  "registry");
	if (rc == RQ_ESTOPPED)
		rc = rq_fail(RQ_ENOMEM, "store: out of memory reading the TAXII registry");
	if (rc == 0 && k->n)
		qsort(k->rows, k->n, sizeof(*k->rows), known_cmp);
	return rc;
}

static const known *known_find(const known_set *k, const char *id)
{
	known key = { .id = (char *)id };
	return k->n ? bsearch(&key, k->rows, k->n, sizeof(*k->rows), known_cmp) : NULL;
}

typedef struct register_args {
	rq_taxii_entry *entries;
	size_t n;
	const known_set *k;
	int64_t now_ms;
} register_args;

/* A constant key of pg_advisory_xact_lock: one registration at a time
 * ("rqtaxi" in ASCII). */
#define PG_REGISTER_LOCK "SELECT pg_advisory_xact_lock(125831609415785)"

/*
 * The date_added of versions registered now: the clock, but always after
 * every date_added already committed -- a partner who has read up to some
 * date_added must never see a later registration get an earlier one (it
 * would miss it with added_after or next). Registrations are serialised
 * (SQLite: the one writer; PostgreSQL: an advisory lock), so this holds
 * across threads and servers whatever their clocks.
 */
static int next_date_added(rq_store *s, int64_t now_ms, int64_t *out)
{
	rq_stmt *st = NULL;
	int64_t max = 0;
	int rc = rq_store_dialect_of(s) == RQ_STORE_POSTGRES ? rq_store_exec(s, PG_REGISTER_LOCK) : 0;
	if (rc == 0)
		rc = rq_store_prepare(s, &st, "SELECT COALESCE(MAX(date_added), 0) FROM taxii_objects");
	if (rc == 0)
		rc = rq_stmt_step_int64(st, &max);
	rq_stmt_finalize(st);
	*out = now_ms > max ? now_ms : max + 1;
	return rc;
}

static int register_tx(rq_store *s, void *payload)
{
	register_args *a = payload;
	rq_stmt *st = NULL;
	int64_t added = 0;
	int rc = next_date_added(s, a->now_ms, &added);
	if (rc == 0)
		rc = rq_store_prepare(s, &st,
				  "INSERT INTO taxii_objects (stix_id, modified, date_added) VALUES ($1, $2, $3)"
				  " ON CONFLICT (stix_id) DO UPDATE SET modified = excluded.modified,"
				  " date_added = excluded.date_added WHERE taxii_objects.modified < excluded.modified");
	for (size_t i = 0; rc == 0 && i < a->n; i++) {
		const known *r = known_find(a->k, a->entries[i].id);
		if (r && r->modified_ms >= a->entries[i].modified_ms)
			continue;
		if ((rc = rq_stmt_reset(st)) < 0 || (rc = rq_stmt_bind_text(st, 1, a->entries[i].id)) < 0 ||
		    (rc = rq_stmt_bind_int64(st, 2, a->entries[i].modified_ms)) < 0 ||
		    (rc = rq_stmt_bind_int64(st, 3, added)) < 0)
			break;
		rc = rq_stmt_step(st);
		if (rc > 0)
			rc = 0;
	}
	rq_stmt_finalize(st);
	return rc;
}

int rq_store_taxii_register(rq_store *s, rq_taxii_entry *entries, size_t n, int64_t now_ms)
{
	known_set k = { 0 };
	size_t missing = 0;
	int rc = known_load(s, &k);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		const known *r = known_find(&k, entries[i].id);
		if (!r || r->modified_ms < entries[i].modified_ms)
			missing++;
	}
	if (rc == 0 && missing) {
		register_args a = { entries, n, &k, now_ms };
		if ((rc = rq_store_transact(s, register_tx, &a)) == 0)
			rc = known_load(s, &k);
	}
	for (size_t i = 0; rc == 0 && i < n; i++) {
		const known *r = known_find(&k, entries[i].id);
		entries[i].date_added_ms = r ? r->date_added_ms : now_ms;
	}
	known_free(&k);
	return rc;
}
