/*
 * What the province saw in a period as one MISP event (JSON, the format
 * MISP imports: {"Event": {...}}): the hashes of the malicious files
 * (md5, sha256; filename|sha256 only when [sharing] file_names allows
 * file names) and the malicious addresses machines connected to (ip-dst,
 * domain). Same data and same privacy rules as the STIX export
 * (sharing/stix.h).
 */
#ifndef RQ_SERVER_SHARING_MISP_H
#define RQ_SERVER_SHARING_MISP_H

#include <stdint.h>

#include <jansson.h>

#include "store/store.h"

typedef struct rq_misp_options {
	const char *province;  /* the creating organisation ([report] agency) */
	int file_names;        /* filename|sha256 attributes */
	int64_t from, to;      /* the period [from, to), seconds */
	int64_t now;           /* the event's timestamp */
} rq_misp_options;

/* The event; ids (event and attributes) are UUIDv5 in the province's namespace. */
int rq_misp_event(rq_store *s, const rq_misp_options *o, json_t **out);

#endif
