/*
 * What the province saw, as STIX 2.1 objects (docs/sharing.md): an
 * identity for the province (and one per unit when configured), an
 * indicator per malicious file (its hashes) and per malicious address
 * (IPv4, IPv6, domain name), a malware object per detection name with the
 * `indicates` relationships, and a sighting of each indicator with its
 * count and first and last time seen. Nothing about our own machines:
 * no host names, no addresses of ours, no user names, no paths.
 */
#ifndef RQ_SERVER_SHARING_STIX_H
#define RQ_SERVER_SHARING_STIX_H

#include <stdint.h>

#include <jansson.h>

#include "sharing/stix_id.h"
#include "store/store.h"

/* The STIX `count` of a sighting is at most this. */
#define RQ_STIX_COUNT_MAX 999999999LL

typedef struct rq_stix_options {
	const char *province;  /* the province's identity name ([report] agency) */
	int per_unit;          /* a sighting per unit, each unit an identity ([sharing] unit_identities) */
	int64_t from, to;      /* the period [from, to), seconds */
	int whole;             /* the TAXII collection: all time; sightings' ids without the period */
} rq_stix_options;

/* The province's namespace of ids: UUIDv5 of its name in raquet's. */
int rq_stix_namespace(const char *province, rq_uuid *out);

/* The objects (a new JSON array), in a stable order. */
int rq_stix_objects(rq_store *s, const rq_stix_options *o, json_t **out);

/* A bundle of `objects` (stolen); its id is derived from their content. */
int rq_stix_bundle(const rq_stix_options *o, json_t *objects, json_t **out);

/* The `malware_types` entry of a detection: from the category in its name
 * (Win.Trojan.X: "trojan"), else "unknown". */
const char *rq_stix_malware_type(const char *name);

/* 1 when `addr` is a global unicast IPv4/IPv6 address (not private,
 * loopback, link-local, shared, multicast or unspecified); *out_v6 says
 * which family. */
int rq_stix_public_address(const char *addr, int *out_v6);

/* 1 when `name` is a plausible DNS name (letters, digits, '-', '.', 2+ labels). */
int rq_stix_domain_name(const char *name);

#endif
