/*
 * Importing indicators into the store (docs/intel.md): the one entry point
 * every importer ends in -- parsed indicators plus their source, stored in
 * one transaction with the change counted for the publisher -- and the
 * importers of uploaded inputs (plain lists, MISP events, YARA rules) and
 * of MISP feeds (a folder or an HTTPS URL). STIX import builds a batch and
 * calls rq_intel_import the same way.
 */
#ifndef RQ_SERVER_INTEL_IMPORT_H
#define RQ_SERVER_INTEL_IMPORT_H

#include <stddef.h>
#include <stdint.h>

#include "intel/indicator.h"
#include "store/store.h"

/* A MISP feed event to record as imported with the indicators. */
typedef struct rq_intel_feed_event {
	char uuid[37];
	char info[256];
	int64_t threat_level;
	char key[80];   /* "ts:TIMESTAMP" from the manifest, else the file's SHA-256 */
} rq_intel_feed_event;

/* What an import did. */
typedef struct rq_intel_result {
	int64_t source_id;
	size_t indicators;     /* in the input */
	size_t created;        /* new (type, value) rows; the rest updated existing ones */
	size_t events;         /* feed events imported */
	size_t events_skipped; /* feed events unchanged since the last import */
} rq_intel_result;

/*
 * When the indicators of one import expire (docs/intel.md, "Expiry"):
 * `expires_at` (a Unix time; 0: none) is every indicator's expiry, over
 * their own; otherwise an indicator without its own (STIX valid_until)
 * expires `max_age` seconds after the import (0: never). The last import
 * of an indicator sets its expiry.
 */
typedef struct rq_intel_expiry {
	int64_t expires_at;
	int64_t max_age;
} rq_intel_expiry;

typedef struct rq_intel_import_req {
	const char *source_name;   /* 1..RQ_INTEL_MAX_SOURCE_NAME bytes */
	const char *source_kind;   /* rq_store_intel_kind_ok */
	const char *location;      /* path or URL; may be NULL */
	const rq_intel_batch *batch;
	const rq_intel_feed_event *events; /* may be NULL */
	size_t event_count;
	const rq_intel_expiry *expiry; /* may be NULL: the indicators' own */
	int64_t now;
	/* run inside the transaction after the indicators (the audit record);
	 * may be NULL; a negative return rolls everything back */
	int (*audit)(rq_store *s, const rq_intel_result *r, void *payload);
	void *audit_payload;
} rq_intel_import_req;

/*
 * Store req->batch under its source in one transaction (all or nothing),
 * count the change for the publisher when anything was imported, and fill
 * *out (may be NULL).
 */
int rq_intel_import(rq_store *s, const rq_intel_import_req *req, rq_intel_result *out);

/* The kinds of rq_intel_import_input. */
#define RQ_INTEL_INPUT_KINDS "ioc-list, misp-event, yara"

/*
 * Parse one uploaded input of `kind` ("ioc-list", "misp-event", "yara";
 * RQ_EINVAL otherwise) named `file` (in errors) and import it as source
 * `source_name` (NULL: `file`) with `confidence` (-1: the kind's default)
 * and `expiry` (may be NULL).
 */
int rq_intel_import_input(rq_store *s, const char *kind, const char *file, const void *data, size_t len,
			  const char *source_name, int confidence, const rq_intel_expiry *expiry, int64_t now,
			  int (*audit)(rq_store *s, const rq_intel_result *r, void *payload), void *audit_payload,
			  rq_intel_result *out);

/*
 * Import the MISP feed at `location`: a folder (a USB key) or an https://
 * URL holding manifest.json and <uuid>.json per event -- or, without a
 * manifest, a hashes.csv naming the events (its first column is MISP's
 * MD5 of each attribute's value, a correlation key, not a file hash: only
 * the event uuids of its second column are used). Events whose
 * manifest timestamp (or, without one, whose file) is unchanged since the
 * last import of `source_name` (NULL: the location) are skipped. One
 * transaction for the whole run: a bad event file refuses the run, naming
 * the file and JSON path. `ca_file` (may be NULL) verifies HTTPS.
 */
int rq_intel_import_feed(rq_store *s, const char *location, const char *source_name, int confidence,
			 const char *ca_file, const rq_intel_expiry *expiry, int64_t now,
			 int (*audit)(rq_store *s, const rq_intel_result *r, void *payload), void *audit_payload,
			 rq_intel_result *out);

#endif
