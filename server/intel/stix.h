/*
 * STIX 2.1 import (docs/intel.md, "STIX bundles"): the indicator objects
 * of a bundle (or of a TAXII envelope's object list) whose pattern is a
 * comparison we can represent -- file hashes, IPv4/IPv6 addresses, domain
 * names, joined by OR -- become indicators; every other indicator is
 * skipped with its reason, never refusing the rest. Only a malformed
 * bundle (not JSON, objects without type or id) is refused whole, naming
 * the JSON path.
 */
#ifndef RQ_SERVER_INTEL_STIX_H
#define RQ_SERVER_INTEL_STIX_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "intel/import.h"
#include "intel/indicator.h"
#include "intel/limits.h"

/* What became of one STIX object (a TAXII status entry). */
typedef struct rq_stix_outcome {
	char id[RQ_INTEL_MAX_REF + 1];
	char version[40]; /* its `modified` (else `created`) as written; "" if none */
	int indicator; /* an indicator object */
	int imported; /* 1: an indicator imported, or context used (malware, relationship, identity) */
	char reason[192];
} rq_stix_outcome;

/* What an import of STIX objects found; zero it before the first use. */
typedef struct rq_stix_info {
	char producer[RQ_INTEL_MAX_SOURCE_NAME + 1]; /* the creating identity's name; "" if none */
	size_t objects;                               /* read */
	size_t indicators;                            /* indicator objects */
	size_t skipped;                               /* indicator objects not imported */
	rq_stix_outcome *outcomes;                    /* one per object, in order */
	size_t outcome_count;
} rq_stix_info;

void rq_stix_info_free(rq_stix_info *info);

/*
 * Parse the object list `objects` (found at JSON path `path`, e.g.
 * "objects") of input `name` into *out. `confidence` >= 0 overrides the
 * objects' own. RQ_EPARSE ("name: objects[3].type: missing or not a
 * string") or RQ_ELIMIT refuse everything (out left empty).
 */
int rq_intel_parse_stix_objects(rq_intel_batch *out, rq_stix_info *info, const char *name, const json_t *objects,
				const char *path, int confidence);

/* The same for a whole bundle document ({"type": "bundle", "objects": [...]}). */
int rq_intel_parse_stix_bundle(rq_intel_batch *out, rq_stix_info *info, const char *name, const void *data,
			       size_t len, int confidence);

/*
 * Parse and import, as source `source_name` (NULL: the producer's name,
 * else `name`) of kind "stix": a bundle (`objects` NULL, data/len the
 * document) or an object list. One transaction, as rq_intel_import.
 * *info is filled (free it with rq_stix_info_free) even on error.
 */
int rq_intel_import_stix(rq_store *s, const char *name, const void *data, size_t len, const json_t *objects,
			 const char *source_name, int confidence, const rq_intel_expiry *expiry, int64_t now,
			 int (*audit)(rq_store *s, const rq_intel_result *r, void *payload), void *audit_payload,
			 rq_intel_result *out, rq_stix_info *info);

#endif
