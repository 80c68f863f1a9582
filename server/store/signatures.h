/*
 * Signature standing of a unit subtree: for one database the mirror
 * publishes, how many endpoints report its newest version or newer, an
 * older one, or none at all -- range counts of endpoint_dbs (schema 6,
 * kept from endpoints.db_versions by triggers). Implemented in
 * signatures.c; the admin API is server/api/signatures.c.
 */
#ifndef RQ_SERVER_STORE_SIGNATURES_H
#define RQ_SERVER_STORE_SIGNATURES_H

#include "store/fleet.h"

typedef struct rq_db_standing {
	int64_t current; /* report `version` or newer */
	int64_t behind;  /* report an older version */
	int64_t unknown; /* do not report the database */
} rq_db_standing;

/* Endpoints of the subtree of `unit_id` (0: all) into *out. */
int rq_store_signature_endpoints(rq_store *s, int64_t unit_id, int64_t *out);

/* The standing of the subtree of `unit_id` (0: all) toward db->version of
 * db->name; `endpoints` is rq_store_signature_endpoints' count (unknown
 * is what current and behind leave of it). */
int rq_store_signature_standing(rq_store *s, int64_t unit_id, const rq_fleet_db *db, int64_t endpoints,
				rq_db_standing *out);

#endif
