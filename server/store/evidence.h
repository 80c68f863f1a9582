/*
 * Evidence files kept in the store (table evidence, schema version 9): the
 * bytes (BLOB on SQLite, BYTEA on PostgreSQL) with their cleaned name,
 * sniffed media type, size and SHA-256, attached either to the item of a
 * campaign and unit (subject training, response_plan, report) or to an
 * information system (subject dossier, regulation). The checks of type
 * and name are campaign/evidence.c's. Implemented in evidence.c.
 */
#ifndef RQ_SERVER_STORE_EVIDENCE_H
#define RQ_SERVER_STORE_EVIDENCE_H

#include <stddef.h>

#include "store/store.h"

typedef struct rq_evidence {
	int64_t id, unit_id;
	int64_t campaign_id;         /* 0 when attached to a system */
	int64_t system_id;           /* 0 when attached to a campaign item */
	const char *subject;
	const char *file_name, *media_type, *sha256;
	int64_t size;
	int64_t uploaded_by;         /* 0: none */
	const char *uploaded_by_login; /* read only; NULL when none */
	int64_t uploaded_at;
	const void *content;         /* rq_store_evidence_add; and rq_store_evidence_get with content */
	size_t content_len;
} rq_evidence;

/* Keep a file (e->id ignored) into *out_id. */
int rq_store_evidence_add(rq_store *s, const rq_evidence *e, int64_t *out_id);
/* One file to cb, its bytes too when with_content; RQ_ENOTFOUND. */
int rq_store_evidence_get(rq_store *s, int64_t id, int with_content,
			  int (*cb)(const rq_evidence *e, void *payload), void *payload);
/* The files (no bytes) of a campaign's unit (system_id 0) or of a system
 * (campaign_id 0), oldest first. */
int rq_store_evidence_list(rq_store *s, int64_t campaign_id, int64_t unit_id, int64_t system_id,
			   int (*cb)(const rq_evidence *e, void *payload), void *payload);
/* Delete one file. RQ_ENOTFOUND. */
int rq_store_evidence_delete(rq_store *s, int64_t id);

#endif
