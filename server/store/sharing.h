/*
 * The store's side of sharing what the province saw (server/sharing/,
 * docs/sharing.md): the files and malicious addresses seen in a period,
 * read-only from the detections and connections tables, and the TAXII
 * registry (table taxii_objects, migration 11) that keeps when each
 * version of a shared STIX object was first served, so `date_added` is
 * stable and paging by it is exact.
 */
#ifndef RQ_SERVER_STORE_SHARING_H
#define RQ_SERVER_STORE_SHARING_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

/* One file (sha256, md5, detection name, type) seen in the period, per unit
 * when asked; rows are borrowed for the callback's call. */
typedef struct rq_shared_file {
	const char *sha256, *md5;    /* lower-case hex, either may be "" */
	const char *name, *type;     /* detection name and signature type */
	int64_t unit_id;             /* 0 unless per unit */
	int64_t count;               /* detections (files on machines) in the period */
	int64_t first_seen, last_seen; /* within the period's detections */
	int64_t ever;                /* the province's first detection of this file, any time */
	int64_t name_ever;           /* ... and of this detection name */
	const char *path;            /* one path of the file (the smallest): only for file names */
} rq_shared_file;

/*
 * Files detected on the province's machines whose detection overlaps
 * [from, to) (first_seen < to and last_seen >= from). Ignored and restored
 * detections (false positives) are left out. Ordered by sha256, md5, name,
 * type (and unit). A non-zero return from cb stops with RQ_ESTOPPED.
 */
int rq_store_shared_files(rq_store *s, int64_t from, int64_t to, int per_unit,
			  int (*cb)(const rq_shared_file *f, void *payload), void *payload);

/* One remote address (or host name) machines connected to in the period. */
typedef struct rq_shared_address {
	const char *value;           /* the remote address, or the host name */
	int64_t unit_id;             /* 0 unless per unit */
	int64_t count;               /* connections in the period */
	int64_t first_seen, last_seen;
	int64_t ever;                /* the first connection to it, any time */
} rq_shared_address;

/*
 * Connections to malicious addresses seen in [from, to): by remote address
 * (hosts 0) or by remote host name (hosts 1; empty names left out).
 */
int rq_store_shared_addresses(rq_store *s, int64_t from, int64_t to, int per_unit, int hosts,
			      int (*cb)(const rq_shared_address *a, void *payload), void *payload);

/* The units that saw something (per-unit identities): id, name, code,
 * created_at, updated_at; and the province's oldest unit's creation time. */
typedef struct rq_shared_unit {
	int64_t id;
	const char *name, *code;
	int64_t created_at, updated_at;
} rq_shared_unit;
int rq_store_shared_unit(rq_store *s, int64_t id, int (*cb)(const rq_shared_unit *u, void *payload),
			 void *payload);
int rq_store_shared_province_since(rq_store *s, int64_t *out);

/* --- the TAXII registry --- */

/* One object version: its STIX id, `modified` and (read back) `date_added`,
 * both in milliseconds since the epoch. */
typedef struct rq_taxii_entry {
	const char *id;
	int64_t modified_ms;
	int64_t date_added_ms;
} rq_taxii_entry;

/*
 * Give each of entries[0..n-1] its date_added: the time its version
 * (id, modified) was first registered. Versions not yet known are
 * registered with `now_ms`, or just after the latest date_added already
 * registered if that is later (so date_added only grows in commit order);
 * a newer modified replaces an older one, with a new date_added; an older
 * one never replaces a newer. Concurrent servers agree: the first
 * registration wins.
 */
int rq_store_taxii_register(rq_store *s, rq_taxii_entry *entries, size_t n, int64_t now_ms);

#endif
