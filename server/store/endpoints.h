/*
 * Endpoints of the store: machines running the agent, created by
 * enrollment (token consumed, endpoint and credential written in one
 * transaction) and updated by each heartbeat. Implemented in endpoints.c.
 */
#ifndef RQ_SERVER_STORE_ENDPOINTS_H
#define RQ_SERVER_STORE_ENDPOINTS_H

#include "store/store.h"

/*
 * What an agent reports about its machine. In a heartbeat, NULL strings and
 * 0 times leave the stored value as it was; -1 for realtime/firewall too.
 * JSON fields are stored as given (the API layer validates them).
 */
typedef struct rq_endpoint_status {
	const char *hostname;
	const char *kind;          /* "server", "workstation" or "other" */
	const char *machine_id;
	const char *os_name, *os_version;
	const char *ips_json;      /* ["10.0.0.5", ...] */
	const char *macs_json;     /* ["00:11:22:33:44:55", ...] */
	const char *agent_version;
	const char *db_versions_json; /* {"main": {"version": 3, "built": 1764000000}} */
	int64_t db_newest_build;   /* newest "built" of db_versions_json */
	int realtime, firewall;    /* 0 off, 1 on, -1 unknown/unchanged */
	const char *status;
	int64_t last_full_scan, last_update;
	int vault_known;           /* 0: vault_* not reported (unknown / unchanged) */
	int64_t vault_free, vault_total; /* bytes of the quarantine vault's file system */
} rq_endpoint_status;

typedef struct rq_endpoint {
	int64_t id, unit_id;
	int64_t created_at, last_seen;
	rq_endpoint_status st;     /* strings owned: rq_store_endpoint_clear */
} rq_endpoint;

/* A new endpoint of `unit_id` (last_seen = now) into *out_id. hostname is
 * required; other NULL fields get their defaults. */
int rq_store_endpoint_create(rq_store *s, int64_t *out_id, int64_t unit_id, const rq_endpoint_status *st,
			     int64_t now);

/* Record a heartbeat: the given fields and last_seen = now. RQ_ENOTFOUND
 * when the endpoint does not exist. */
int rq_store_endpoint_heartbeat(rq_store *s, int64_t id, const rq_endpoint_status *st, int64_t now);

/* Read one endpoint; free with rq_store_endpoint_clear. RQ_ENOTFOUND. */
int rq_store_endpoint_get(rq_store *s, int64_t id, rq_endpoint *out);
void rq_store_endpoint_clear(rq_endpoint *e);

/*
 * Enrollment in one transaction (retried on busy): consume the token
 * (rq_store_token_consume), create the endpoint in the token's unit and
 * store the agent's secret hash. Always a new endpoint: a cloned machine
 * enrolling again never merges into the original. RQ_ENOTFOUND for an
 * unusable token (nothing written).
 */
int rq_store_enroll(rq_store *s, const char *token_hash, const rq_endpoint_status *st, const char *secret_hash,
		    int64_t now, int64_t *out_endpoint_id, int64_t *out_unit_id);

/* Store another secret hash for an endpoint (re-keying). */
int rq_store_credential_add(rq_store *s, int64_t *out_id, int64_t endpoint_id, const char *secret_hash, int64_t now);

/*
 * The endpoint's current (newest, not revoked) secret hash, copied into
 * buf (size bytes); RQ_ENOTFOUND when it has none, RQ_ELIMIT when buf is
 * too small. The caller compares in constant time.
 */
int rq_store_credential_current(rq_store *s, int64_t endpoint_id, char *buf, size_t size);
/* The same, and the endpoint's unit into *out_unit_id (may be NULL). */
int rq_store_credential_lookup(rq_store *s, int64_t endpoint_id, char *buf, size_t size, int64_t *out_unit_id);

#endif
