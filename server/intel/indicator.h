/*
 * The indicator model shared by every importer (plain lists, MISP events
 * and feeds, YARA uploads, STIX bundles and TAXII): the types, their normalised
 * values, and a batch of parsed indicators that rq_intel_import
 * (intel/import.h) stores in one transaction. Overview: docs/intel.md.
 */
#ifndef RQ_SERVER_INTEL_INDICATOR_H
#define RQ_SERVER_INTEL_INDICATOR_H

#include <stddef.h>
#include <stdint.h>

typedef enum rq_intel_type {
	RQ_INTEL_MD5 = 0,
	RQ_INTEL_SHA1,
	RQ_INTEL_SHA256,
	RQ_INTEL_IPV4,
	RQ_INTEL_IPV6,
	RQ_INTEL_DOMAIN,
	RQ_INTEL_YARA,
	RQ_INTEL_TYPE_COUNT
} rq_intel_type;

/* Confidence given when a source says nothing (0..100). */
#define RQ_INTEL_DEFAULT_CONFIDENCE 50

/* "md5", "sha1", "sha256", "ipv4", "ipv6", "domain", "yara". */
const char *rq_intel_type_name(rq_intel_type type);
/* The type named `name`: 0, or RQ_ENOTFOUND. */
int rq_intel_type_parse(const char *name, rq_intel_type *out);

/* Longest normalised value (a domain: 253; a YARA digest: 64). */
#define RQ_INTEL_VALUE_MAX 253

/*
 * Check and normalise value[0..len) as a `type` indicator into out (NUL-
 * terminated): hashes lower-case hex of the right length; addresses as
 * inet_ntop writes them; domains lower-case, defanged forms ("[.]")
 * undone, a trailing dot dropped, 2+ labels of letters, digits, '-' or
 * '_', the last with a letter. 0, or RQ_EPARSE with the reason in the
 * last-error message (no file or line: the caller adds them).
 */
int rq_intel_normalise(rq_intel_type type, const char *value, size_t len, char out[RQ_INTEL_VALUE_MAX + 1]);

/*
 * A value whose type the caller does not know (a plain list's line): a
 * hash told by its length (32, 40, 64 hex digits), an IPv4 or IPv6
 * address, or a domain. 0 with *type and out set, or RQ_EPARSE.
 */
int rq_intel_classify(const char *value, size_t len, rq_intel_type *type, char out[RQ_INTEL_VALUE_MAX + 1]);

/* 1 when `s` is a UUID in its 36-character text form (MISP event ids). */
int rq_intel_uuid_ok(const char *s);

/* One parsed indicator. Strings are owned by the batch holding it. */
typedef struct rq_intel_indicator {
	rq_intel_type type;
	char *value;        /* normalised; a YARA rule: the SHA-256 of body */
	char *name;         /* detection label, "" if none */
	char *description;  /* "" if none */
	char *body;         /* YARA rule text; NULL otherwise */
	char *ref;          /* where in the source: "line 12", an event uuid; "" if none */
	int confidence;     /* 0..100 */
	int64_t first_seen, last_seen; /* 0: the import's time */
	int64_t expires_at;            /* 0: never */
} rq_intel_indicator;

/* Indicators parsed from one input, freed together. */
typedef struct rq_intel_batch {
	rq_intel_indicator *items;
	size_t count, cap;
} rq_intel_batch;

/*
 * Append a copy of `in` (value already normalised; name and description
 * cut to RQ_INTEL_MAX_TEXT bytes, control bytes replaced by spaces; NULL
 * texts become ""). RQ_ELIMIT past RQ_INTEL_MAX_INDICATORS, RQ_ENOMEM.
 */
int rq_intel_batch_add(rq_intel_batch *b, const rq_intel_indicator *in);
/* Free every indicator; the batch is empty and reusable. */
void rq_intel_batch_clear(rq_intel_batch *b);

#endif
