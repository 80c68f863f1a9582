/*
 * Deterministic STIX identifiers and STIX timestamps (RFC 4122 UUIDv5,
 * RFC 3339 with milliseconds, UTC). The same content under the same
 * namespace always gets the same id, so an object keeps its id from one
 * export to the next (TAXII paging, partners' deduplication).
 */
#ifndef RQ_SERVER_SHARING_STIX_ID_H
#define RQ_SERVER_SHARING_STIX_ID_H

#include <stdint.h>

/* "xxxxxxxx-xxxx-5xxx-yxxx-xxxxxxxxxxxx" plus its NUL. */
#define RQ_UUID_TEXT 37
/* "indicator--" + a UUID: the longest STIX type we make is "relationship". */
#define RQ_STIX_ID_MAX 64
/* "2026-12-07T06:00:00.000Z" plus its NUL. */
#define RQ_STIX_TIME_TEXT 25

/* The 16 bytes of a UUID. */
typedef struct rq_uuid {
	unsigned char b[16];
} rq_uuid;

/* raquet's fixed namespace, under which each province's namespace is made. */
extern const rq_uuid rq_uuid_raquet_ns;

/* UUIDv5 (SHA-1) of `name` in namespace `ns`. */
int rq_uuid5(const rq_uuid *ns, const char *name, rq_uuid *out);

/* Its text form, lower case. */
void rq_uuid_text(const rq_uuid *u, char out[RQ_UUID_TEXT]);

/* Parse the text form (any version); 0, or RQ_EINVAL. */
int rq_uuid_parse(const char *text, rq_uuid *out);

/* "<type>--<UUIDv5 of `content` in ns>" into out. */
int rq_stix_id(const rq_uuid *ns, const char *type, const char *content, char out[RQ_STIX_ID_MAX]);

/* A STIX timestamp of `ms` milliseconds since the epoch (UTC). */
void rq_stix_time(int64_t ms, char out[RQ_STIX_TIME_TEXT]);

/*
 * Parse an RFC 3339 timestamp ("2026-12-07T06:00:00Z", fractions of a
 * second and an offset accepted) into milliseconds since the epoch; 0, or
 * RQ_EINVAL.
 */
int rq_stix_time_parse(const char *text, int64_t *out_ms);

#endif
