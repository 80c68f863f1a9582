/*
 * The fleet as the admin API reads it: endpoint, detection and connection
 * lists filtered by unit subtree and other criteria, sorted from a fixed
 * set of keys and paged with a total, and an endpoint's detail pieces
 * (recent scans). Also the small SQL builder these filtered lists (and the
 * task list of tasks.c) share. Implemented in fleet.c.
 */
#ifndef RQ_SERVER_STORE_FLEET_H
#define RQ_SERVER_STORE_FLEET_H

#include "store/store.h"

/* Longest substring searched by a list's `q`/`name` filter: a hostname is
 * at most 253 bytes; longer needles are refused, not truncated. */
#define RQ_FLEET_NEEDLE_MAX 256

/* --- endpoints --- */

typedef enum rq_endpoint_sort {
	RQ_EP_SORT_HOSTNAME = 0,
	RQ_EP_SORT_LAST_SEEN,
	RQ_EP_SORT_UNIT,       /* unit name, then hostname */
	RQ_EP_SORT_OS,         /* OS name and version, then hostname */
	RQ_EP_SORT_ACTIVE_DETECTIONS,
	RQ_EP_SORT_DB_NEWEST_BUILD,
	RQ_EP_SORT_COUNT
} rq_endpoint_sort;

/* Databases an endpoint list can compare against (the mirror's newest of
 * each): a mirror publishes a handful (main, daily, local...). */
#define RQ_FLEET_OUTDATED_MAX 8

/* A database and the version an endpoint should run at least. */
typedef struct rq_fleet_db {
	const char *name;
	int64_t version;
} rq_fleet_db;

/* What a list keeps. Zero / NULL / -1 (the tri-states) mean "no filter". */
typedef struct rq_endpoint_filter {
	int64_t unit_id;       /* this unit and every unit below it; 0: all */
	const char *kind;      /* exact */
	const char *status;    /* exact */
	int64_t seen_before;   /* > 0: last seen before this time, or never */
	int64_t sig_before;    /* > 0: newest database built before this time, or none */
	int infected;          /* 1: active detections, 0: none, -1: any */
	int realtime;          /* 1 on, 0 off, -1 any */
	const char *q;         /* substring of the hostname or an IP (case-insensitive) */
	/* 1: reporting an older version than outdated_dbs[i].version of some
	 * database outdated_dbs[i].name (endpoint_dbs); 2: of none; 0: any */
	int outdated;
	const rq_fleet_db *outdated_dbs;
	size_t outdated_count; /* at most RQ_FLEET_OUTDATED_MAX */
	rq_endpoint_sort sort;
	int desc;
	int64_t limit, offset;
} rq_endpoint_filter;

/* One endpoint as listed; strings borrowed for the callback only. Times
 * are 0 when never set; the vault sizes mean something only when
 * vault_known (0 free bytes is a full disk). */
typedef struct rq_endpoint_row {
	int64_t id, unit_id;
	const char *unit_name, *unit_code;
	const char *hostname, *kind, *machine_id, *os_name, *os_version;
	const char *ips_json, *macs_json, *agent_version, *db_versions_json, *status;
	int64_t db_newest_build, created_at, last_seen, last_full_scan, last_update;
	int realtime, firewall;
	int64_t active_detections;
	int vault_known;
	int64_t vault_free, vault_total; /* bytes of the quarantine vault's file system */
} rq_endpoint_row;

typedef int (*rq_endpoint_row_cb)(const rq_endpoint_row *row, void *payload);

/*
 * The page of endpoints matching `f` (sorted by f->sort, then id), and in
 * *out_total how many match in all. cb's non-zero return stops with
 * RQ_ESTOPPED. RQ_EINVAL for a needle over RQ_FLEET_NEEDLE_MAX.
 */
int rq_store_fleet_endpoints(rq_store *s, const rq_endpoint_filter *f, int64_t *out_total, rq_endpoint_row_cb cb,
			     void *payload);

/* One endpoint (cb called once); RQ_ENOTFOUND when there is none. */
int rq_store_fleet_endpoint(rq_store *s, int64_t id, rq_endpoint_row_cb cb, void *payload);

/*
 * Retire an endpoint: its credentials are revoked and the endpoint is
 * removed with everything it reported (scans, detections, connections,
 * tasks, events), so it no longer counts in coverage. *out_unit gets its
 * unit (for the audit). RQ_ENOTFOUND when there is none.
 */
int rq_store_fleet_endpoint_retire(rq_store *s, int64_t id, int64_t now, int64_t *out_unit);

/* The unit of an endpoint into *out_unit; RQ_ENOTFOUND. */
int rq_store_fleet_endpoint_unit(rq_store *s, int64_t id, int64_t *out_unit);

/* --- scans of one endpoint --- */

typedef struct rq_scan_row {
	int64_t id;
	const char *kind, *result;
	int64_t started_at, finished_at, files_scanned, detections, errors;
} rq_scan_row;

/* The endpoint's newest `limit` scan summaries, newest first. */
int rq_store_fleet_scans(rq_store *s, int64_t endpoint_id, int64_t limit,
			 int (*cb)(const rq_scan_row *row, void *payload), void *payload);

/* --- detections --- */

typedef enum rq_detection_sort {
	RQ_DET_SORT_LAST_SEEN = 0,
	RQ_DET_SORT_FIRST_SEEN,
	RQ_DET_SORT_NAME,
	RQ_DET_SORT_HOSTNAME,
	RQ_DET_SORT_STATE,
	RQ_DET_SORT_COUNT
} rq_detection_sort;

typedef struct rq_detection_filter {
	int64_t unit_id;       /* subtree; 0: all */
	int64_t endpoint_id;   /* 0: any */
	const char *state;     /* exact */
	const char *name;      /* substring of the detection name (case-insensitive) */
	const char *sha256;    /* exact (lower-case hex) */
	int64_t since;         /* > 0: last seen at or after */
	int64_t until;         /* > 0: first seen before */
	rq_detection_sort sort;
	int desc;
	int64_t limit, offset;
} rq_detection_filter;

typedef struct rq_detection_row {
	int64_t id, endpoint_id, unit_id;
	const char *hostname, *unit_name, *unit_code;
	const char *path, *sha256, *md5, *name, *type, *action, *state;
	int64_t first_seen, last_seen;
} rq_detection_row;

typedef int (*rq_detection_row_cb)(const rq_detection_row *row, void *payload);

int rq_store_fleet_detections(rq_store *s, const rq_detection_filter *f, int64_t *out_total,
			      rq_detection_row_cb cb, void *payload);
/* One detection; RQ_ENOTFOUND. */
int rq_store_fleet_detection(rq_store *s, int64_t id, rq_detection_row_cb cb, void *payload);

/* How many endpoints and distinct units of the subtree of `unit_id` (0:
 * all) hold a detection of `sha256`. */
int rq_store_fleet_sha256_spread(rq_store *s, const char *sha256, int64_t unit_id, int64_t *out_endpoints,
				 int64_t *out_units);

/* --- connections to malicious addresses --- */

typedef struct rq_connection_filter {
	int64_t unit_id, endpoint_id; /* 0: any */
	int64_t since;                /* > 0: seen at or after */
	int64_t limit, offset;
} rq_connection_filter;

typedef struct rq_connection_row {
	int64_t id, endpoint_id, unit_id;
	const char *hostname, *unit_name, *unit_code;
	const char *remote_addr, *remote_host, *process_path, *indicator, *action;
	int64_t remote_port, pid, seen_at; /* port, pid 0: unknown */
} rq_connection_row;

/* Newest first (seen_at, then id). */
int rq_store_fleet_connections(rq_store *s, const rq_connection_filter *f, int64_t *out_total,
			       int (*cb)(const rq_connection_row *row, void *payload), void *payload);

/* --- units --- */

/* Call cb(id, name, code) for each direct child of `unit_id` (0: the
 * top-level units), by name; strings borrowed for the call. */
int rq_store_fleet_child_units(rq_store *s, int64_t unit_id,
			       int (*cb)(int64_t id, const char *name, const char *code, void *payload),
			       void *payload);

/* --- the SQL builder of filtered lists --- */

/* Parameters of one built statement: more than any list uses. */
#define RQ_SQLB_MAX_PARAMS 24
/* Length of one built statement: the longest list query is ~1.5 KB. */
#define RQ_SQLB_MAX_SQL 4096

/*
 * SQL text assembled from fixed fragments, each '?' in a fragment becoming
 * the next $N (every '?' of one fragment the same $N), the values kept to
 * bind later: values never become SQL text. An overflow marks the builder
 * failed (rq_sqlb_prepare then says so).
 */
typedef struct rq_sqlb {
	char sql[RQ_SQLB_MAX_SQL];
	size_t len;
	int count, failed;
	struct {
		const char *text; /* NULL: integer */
		int64_t value;
	} params[RQ_SQLB_MAX_PARAMS];
} rq_sqlb;

void rq_sqlb_init(rq_sqlb *b);
/* Append `fragment` with no parameter ('?' not allowed). */
void rq_sqlb_add(rq_sqlb *b, const char *fragment);
/* Append `fragment`, its '?' standing for `value` (borrowed until prepare). */
void rq_sqlb_int(rq_sqlb *b, const char *fragment, int64_t value);
void rq_sqlb_text(rq_sqlb *b, const char *fragment, const char *value);
/* Prepare the text and bind every value. */
int rq_sqlb_prepare(rq_sqlb *b, rq_store *s, rq_stmt **out);
/* Append the subtree CTE of `unit_id` ("sub(id)"; nothing when 0). */
void rq_sqlb_subtree(rq_sqlb *b, int64_t unit_id);
/*
 * Append " AND `column` is in the subtree": `column` a unit id, or with
 * `of_endpoint` an endpoint id whose endpoint is in the subtree. On
 * PostgreSQL as "= ANY (ARRAY(...))": the planner cannot estimate a
 * recursive CTE and takes it for the whole table (a hash of 1,000,000
 * detections for one small unit), while an array is probed per element.
 */
void rq_sqlb_in_subtree(rq_sqlb *b, const rq_store *s, const char *column, int of_endpoint);

/*
 * One filtered, sorted, paged list with its total: the COUNT(*) of `from`
 * with where(), then the page, whose ids are picked from narrow rows
 * (`from`, `sort_join`, where(), order(), LIMIT, OFFSET) before the wide
 * rows (`columns`) of those ids are read, in order(). where() appends
 * " WHERE ..." (and may test the subtree "sub" of unit_id), order()
 * " ORDER BY ...", both reading `filter`.
 */
typedef struct rq_sqlb_list {
	const char *from;      /* "endpoints e" */
	const char *id;        /* "e.id" */
	const char *sort_join; /* a join the sort key needs (" JOIN units u ..."), or NULL */
	const char *columns;   /* "SELECT ... FROM endpoints e JOIN ..." */
	void (*where)(rq_sqlb *b, rq_store *s, const void *filter);
	void (*order)(rq_sqlb *b, rq_store *s, const void *filter);
	const void *filter;
	int64_t unit_id, limit, offset;
} rq_sqlb_list;

/* Run a list: *out_total, and row(st, payload) for each row of the page (a
 * non-zero return stops with RQ_ESTOPPED). */
int rq_sqlb_list_run(rq_store *s, const rq_sqlb_list *l, int64_t *out_total, int (*row)(rq_stmt *st, void *payload),
		     void *payload);

/* The row of `columns` whose `id_column` is `id`: row() called once, or
 * RQ_ENOTFOUND ("store: WHAT ID not found"). */
int rq_sqlb_get(rq_store *s, const char *columns, const char *id_column, int64_t id, const char *what,
		int (*row)(rq_stmt *st, void *payload), void *payload);

/*
 * A LIKE pattern "%needle%" with '%', '_' and '\' escaped by '\' (use with
 * ESCAPE '\') into buf; RQ_EINVAL when the needle is over
 * RQ_FLEET_NEEDLE_MAX. And the case-insensitive LIKE of the dialect.
 */
int rq_fleet_like_pattern(char *buf, size_t size, const char *needle);
const char *rq_fleet_ilike(const rq_store *s);

#endif
