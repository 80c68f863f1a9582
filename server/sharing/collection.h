/*
 * The TAXII collection of what the province saw (all time): the STIX
 * objects of sharing/stix.h, each with its `date_added` from the store's
 * registry, in TAXII order (date_added, then id), and the filtering and
 * paging TAXII's objects and manifest endpoints share.
 */
#ifndef RQ_SERVER_SHARING_COLLECTION_H
#define RQ_SERVER_SHARING_COLLECTION_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "sharing/stix.h"
#include "store/store.h"

/* Objects of one page: 1..RQ_TAXII_PAGE_MAX, RQ_TAXII_PAGE_DEFAULT if not asked. */
#define RQ_TAXII_PAGE_DEFAULT 100
#define RQ_TAXII_PAGE_MAX 1000

typedef struct rq_collection_item {
	json_t *object;          /* borrowed from the collection */
	const char *id, *type;
	char modified[RQ_STIX_TIME_TEXT];
	int64_t modified_ms, date_added_ms;
} rq_collection_item;

typedef struct rq_collection {
	json_t *objects;         /* owned */
	rq_collection_item *items; /* sorted by (date_added, id) */
	size_t n;
} rq_collection;

/* Make the collection and register its objects' versions (now_ms for new ones). */
int rq_collection_load(rq_store *s, const rq_stix_options *o, int64_t now_ms, rq_collection *out);
void rq_collection_free(rq_collection *c);

/* What a request asks for; NULL / -1 fields ask nothing. */
typedef struct rq_collection_query {
	int64_t added_after_ms;  /* -1: any */
	const char *types;       /* match[type]: comma-separated */
	const char *ids;         /* match[id]: comma-separated */
	const char *versions;    /* match[version]: last, first, all or timestamps, comma-separated */
	const char *spec_versions; /* match[spec_version] */
	int64_t after_ms;        /* `next`: after (after_ms, after_id); after_id NULL: from the start */
	const char *after_id;
	size_t limit;
} rq_collection_query;

/*
 * The items of the page: indexes into c->items (written to `out`, room for
 * q->limit), their number and whether more follow. RQ_EINVAL (with a
 * reason in rq_error_last) for a malformed match[version].
 */
int rq_collection_page(const rq_collection *c, const rq_collection_query *q, size_t *out, size_t *out_count,
		       int *out_more);

/* The `next` token of item i ("MS.ID"), and back (0, or RQ_EINVAL). */
void rq_collection_next(const rq_collection_item *it, char *out, size_t size);
int rq_collection_next_parse(const char *text, int64_t *out_ms, char *id_out, size_t id_size);

#endif
