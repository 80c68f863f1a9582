/*
 * Handlers of the agent API (agent.h). Each validates its body against a
 * field spec (unknown fields, wrong types and oversize values refused with
 * the field's name), finds the calling endpoint from its credential -- never
 * from the body -- and speaks to the store in one transaction.
 */
#include "api/agent.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/mirror_latest.h"
#include "api/policy_cache.h"
#include "auth/token.h"
#include "config/config.h"
#include "config/mirror_keys.h"
#include "db/keyfiles.h"
#include "http/json.h"
#include "http/log.h"
#include "store/endpoints.h"
#include "store/events.h"
#include "store/tasks.h"
#include "store/tokens.h"

#define SECRET_PREFIX "rqa"
#define ENROLL_PREFIX "rqe"

/* --- body specs --- */

static const rq_json_field os_spec[] = {
	{ .name = "name", .type = RQ_JSON_STRING, .max = 128 },
	{ .name = "version", .type = RQ_JSON_STRING, .max = 64 },
	{ .name = "pretty", .type = RQ_JSON_STRING, .max = 256 },
	{ .name = NULL },
};

static const rq_json_field state_spec[] = {
	{ .name = "state", .type = RQ_JSON_STRING, .required = 1, .max = 16 },
	{ .name = "source", .type = RQ_JSON_STRING, .max = 32 },
	{ .name = "reason", .type = RQ_JSON_STRING, .max = 300 },
	{ .name = NULL },
};

static const rq_json_field string_elem[] = { { .name = "", .type = RQ_JSON_STRING, .max = 64 }, { .name = NULL } };

static const rq_json_field iface_fields[] = {
	{ .name = "name", .type = RQ_JSON_STRING, .required = 1, .max = 64 },
	{ .name = "mac", .type = RQ_JSON_STRING, .max = 64 },
	{ .name = "addresses", .type = RQ_JSON_ARRAY, .max = 64, .elem = string_elem },
	{ .name = NULL },
};
static const rq_json_field iface_elem[] = { { .name = "", .type = RQ_JSON_OBJECT, .fields = iface_fields }, { .name = NULL } };

/* The free and total bytes of the quarantine vault's file system (agent/facts.c). */
static const rq_json_field vault_spec[] = {
	{ .name = "free_bytes", .type = RQ_JSON_INT, .required = 1, .min = 0, .max = INT64_MAX },
	{ .name = "total_bytes", .type = RQ_JSON_INT, .required = 1, .min = 0, .max = INT64_MAX },
	{ .name = NULL },
};

/* The machine facts both enroll and heartbeat carry (agent/sysinfo.c and facts.c write them). */
#define MACHINE_FIELDS                                                                        \
	{ .name = "hostname", .type = RQ_JSON_STRING, .max = 253 },                           \
	{ .name = "kind", .type = RQ_JSON_STRING, .max = 16 },                                \
	{ .name = "machine_id", .type = RQ_JSON_STRING, .max = 64 },                          \
	{ .name = "kernel", .type = RQ_JSON_STRING, .max = 128 },                             \
	{ .name = "os", .type = RQ_JSON_OBJECT, .fields = os_spec },                          \
	{ .name = "interfaces", .type = RQ_JSON_ARRAY, .max = 64, .elem = iface_elem },       \
	{ .name = "agent_version", .type = RQ_JSON_STRING, .max = 32 },                       \
	{ .name = "firewall", .type = RQ_JSON_OBJECT, .fields = state_spec },                 \
	{ .name = "realtime", .type = RQ_JSON_OBJECT, .fields = state_spec },                 \
	{ .name = "databases", .type = RQ_JSON_OBJECT },                                      \
	{ .name = "status", .type = RQ_JSON_STRING, .max = 32 },                              \
	{ .name = "last_full_scan", .type = RQ_JSON_INT, .min = 0, .max = 1LL << 40 },        \
	{ .name = "last_update", .type = RQ_JSON_INT, .min = 0, .max = 1LL << 40 },       \
	{ .name = "vault", .type = RQ_JSON_OBJECT, .fields = vault_spec }

static const rq_json_field enroll_spec[] = {
	{ .name = "token", .type = RQ_JSON_STRING, .required = 1, .max = 128 },
	MACHINE_FIELDS,
	{ .name = NULL },
};

static const rq_json_field heartbeat_spec[] = {
	MACHINE_FIELDS,
	{ .name = "policy_version", .type = RQ_JSON_INT, .min = 0, .max = 1LL << 53 },
	{ .name = "mirror_keys_digest", .type = RQ_JSON_STRING, .max = RQ_KEYFILES_DIGEST_HEX },
	{ .name = NULL },
};

static const rq_json_field event_fields[] = {
	{ .name = "uuid", .type = RQ_JSON_STRING, .required = 1, .max = 36 },
	{ .name = "kind", .type = RQ_JSON_STRING, .required = 1, .max = 32 },
	{ .name = "time", .type = RQ_JSON_INT, .required = 1, .min = 0, .max = 1LL << 40 },
	{ .name = "payload", .type = RQ_JSON_OBJECT },
	{ .name = NULL },
};
static const rq_json_field event_elem[] = { { .name = "", .type = RQ_JSON_OBJECT, .fields = event_fields }, { .name = NULL } };

static const rq_json_field events_spec[] = {
	{ .name = "events", .type = RQ_JSON_ARRAY, .required = 1, .max = RQ_STORE_MAX_BATCH, .elem = event_elem },
	{ .name = NULL },
};

static const rq_json_field result_spec[] = {
	{ .name = "state", .type = RQ_JSON_STRING, .required = 1, .max = 16 },
	{ .name = "result", .type = RQ_JSON_OBJECT },
	{ .name = NULL },
};

/* --- machine facts -> store fields --- */

static const char *str(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static int onoff(const json_t *o)
{
	const char *s = str(o, "state");
	return !s ? -1 : !strcmp(s, "on") ? 1 : !strcmp(s, "off") ? 0 : -1;
}

typedef struct facts {
	rq_endpoint_status st;
	char *ips, *macs, *dbs; /* owned JSON texts */
} facts;

static void facts_free(facts *f)
{
	free(f->ips);
	free(f->macs);
	free(f->dbs);
}

/* Fill `f` from a validated body; 0, or an HTTP error already set in resp. */
static int read_facts(const json_t *body, facts *f, rq_http_resp *resp)
{
	memset(f, 0, sizeof(*f));
	rq_endpoint_status *st = &f->st;
	st->realtime = st->firewall = -1;
	st->hostname = str(body, "hostname");
	st->kind = str(body, "kind");
	if (st->kind && strcmp(st->kind, "server") && strcmp(st->kind, "workstation") &&
	    strcmp(st->kind, "other")) {
		rq_http_resp_error(resp, 400, "out_of_range",
				   "kind: expected \"server\", \"workstation\" or \"other\"");
		return -1;
	}
	st->machine_id = str(body, "machine_id");
	json_t *os = json_object_get(body, "os");
	st->os_name = str(os, "name");
	st->os_version = str(os, "version");
	st->agent_version = str(body, "agent_version");
	st->status = str(body, "status");
	json_t *lf = json_object_get(body, "last_full_scan"), *lu = json_object_get(body, "last_update");
	st->last_full_scan = lf ? json_integer_value(lf) : 0;
	st->last_update = lu ? json_integer_value(lu) : 0;
	json_t *vault = json_object_get(body, "vault");
	if (vault) {
		st->vault_known = 1;
		st->vault_free = json_integer_value(json_object_get(vault, "free_bytes"));
		st->vault_total = json_integer_value(json_object_get(vault, "total_bytes"));
		if (st->vault_free > st->vault_total) {
			rq_http_resp_error(resp, 400, "out_of_range", "vault.free_bytes: more than vault.total_bytes");
			return -1;
		}
	}
	st->realtime = onoff(json_object_get(body, "realtime"));
	st->firewall = onoff(json_object_get(body, "firewall"));
	json_t *ifs = json_object_get(body, "interfaces");
	if (ifs) {
		json_t *ips = json_array(), *macs = json_array();
		size_t i;
		json_t *e;
		json_array_foreach(ifs, i, e) {
			const char *mac = str(e, "mac");
			if (mac && *mac)
				json_array_append_new(macs, json_string(mac));
			size_t k;
			json_t *a;
			json_array_foreach(json_object_get(e, "addresses"), k, a)
				json_array_append(ips, a);
		}
		f->ips = json_dumps(ips, JSON_COMPACT);
		f->macs = json_dumps(macs, JSON_COMPACT);
		json_decref(ips);
		json_decref(macs);
		st->ips_json = f->ips;
		st->macs_json = f->macs;
	}
	json_t *dbs = json_object_get(body, "databases");
	if (dbs) {
		f->dbs = json_dumps(dbs, JSON_COMPACT);
		st->db_versions_json = f->dbs;
		const char *k;
		json_t *v;
		json_object_foreach(dbs, k, v) {
			json_t *built = json_object_get(v, "built");
			if (json_is_integer(built) && json_integer_value(built) > st->db_newest_build)
				st->db_newest_build = json_integer_value(built);
		}
	}
	return 0;
}

/* --- authentication --- */

/*
 * The credential of the caller, "Authorization: Bearer ID.SECRET": its
 * endpoint id and the SHA-256 of the secret; -1 when malformed. No store
 * access: the hot handlers check it inside their own transaction.
 */
static int read_credential(const rq_http_req *req, int64_t *endpoint, char hash[RQ_TOKEN_HASH_LEN])
{
	const char *h = rq_http_header_get(req, "Authorization");
	char *end = NULL;
	if (!h || strncmp(h, "Bearer ", 7))
		return -1;
	long long id = strtoll(h + 7, &end, 10);
	if (id <= 0 || !end || *end != '.' || !rq_token_well_formed(SECRET_PREFIX, end + 1, strlen(end + 1)))
		return -1;
	if (rq_token_hash(end + 1, strlen(end + 1), hash))
		return -1;
	*endpoint = (int64_t)id;
	return 0;
}

/* Does `hash` match the endpoint's current credential? 0, RQ_EVERIFY when
 * not (unknown endpoint, no credential, another secret), or a store error. */
static int check_credential(rq_store *s, int64_t endpoint, const char *hash, int64_t *out_unit)
{
	char want[RQ_TOKEN_HASH_LEN];
	int rc = rq_store_credential_lookup(s, endpoint, want, sizeof(want), out_unit);
	if (rc == RQ_ENOTFOUND || (rc == 0 && !rq_token_equal(want, strlen(want), hash, strlen(hash))))
		rc = rq_fail(RQ_EVERIFY, "agent credential refused");
	return rc;
}

/* The 401 answer: the same reason whatever failed (no hint for guessing). */
static void refuse(rq_http_resp *resp)
{
	rq_http_resp_header(resp, "WWW-Authenticate", "Bearer realm=\"raquet-agent\"");
	rq_http_resp_error(resp, 401, "unauthorized", "a valid agent credential is required");
}

/*
 * The start of a call whose credential is checked inside its transaction
 * (heartbeat, events): the claimed endpoint and its secret's hash, and the
 * thread's store. -1 with the answer given (401, 503) when it cannot go on.
 */
static int open_call(const rq_api_ctx *ctx, const rq_http_req *req, rq_http_resp *resp, int64_t *endpoint,
		     char hash[RQ_TOKEN_HASH_LEN], rq_store **store)
{
	if (read_credential(req, endpoint, hash)) {
		refuse(resp);
		return -1;
	}
	if (!(*store = rq_api_store(ctx))) {
		rq_api_store_down(resp);
		return -1;
	}
	return 0;
}

/*
 * The endpoint calling, checked against the store before the handler's
 * work. Answers 401 (or 503) itself and returns -1.
 */
static int authenticate(const rq_api_ctx *ctx, const rq_http_req *req, rq_http_resp *resp,
			rq_store **store, int64_t *endpoint)
{
	char hash[RQ_TOKEN_HASH_LEN];
	int64_t id = 0;
	if (open_call(ctx, req, resp, &id, hash, store))
		return -1;
	int rc = check_credential(*store, id, hash, NULL);
	if (rc == RQ_EVERIFY) {
		refuse(resp);
		return -1;
	}
	if (rc) {
		rq_api_store_error(resp, rc, "checking the credential");
		return -1;
	}
	*endpoint = id;
	return 0;
}

/*
 * The mirror's public keys into `answer` -- "mirror_keys" and
 * "mirror_keys_digest" -- unless the server hands out none or the agent's
 * digest `known` (NULL: it sent none) is the current one. 0 or RQ_ENOMEM.
 */
static int add_mirror_keys(json_t *answer, const rq_mirror_keys *keys, const char *known)
{
	if (!keys || (known && !strcmp(known, rq_mirror_keys_digest(keys))))
		return 0;
	json_t *files = rq_mirror_keys_json(keys);
	if (!files || json_object_set_new(answer, "mirror_keys", files) < 0 ||
	    json_object_set_new(answer, "mirror_keys_digest", json_string(rq_mirror_keys_digest(keys))) < 0)
		return rq_fail(RQ_ENOMEM, "out of memory");
	return 0;
}

/* --- handlers --- */

static int enroll(const rq_http_req *req, rq_http_resp *resp, void *arg)
{
	const rq_api_ctx *ctx = arg;
	json_t *body = NULL;
	facts f;
	int rc = rq_http_json_body(req, resp, enroll_spec, &body);
	if (rc)
		return rc;
	if (read_facts(body, &f, resp))
		goto done;
	if (!f.st.hostname || !*f.st.hostname) {
		rq_http_resp_error(resp, 400, "missing_field", "hostname: required to enroll");
		goto done;
	}
	const char *token = str(body, "token");
	rq_store *s = rq_api_store(ctx);
	if (!s) {
		rq_api_store_down(resp);
		goto done;
	}
	char token_hash[RQ_TOKEN_HASH_LEN], secret[RQ_TOKEN_MAX], secret_hash[RQ_TOKEN_HASH_LEN];
	if (rq_token_hash(token, strlen(token), token_hash) || rq_token_new(SECRET_PREFIX, secret) ||
	    rq_token_hash(secret, strlen(secret), secret_hash)) {
		rq_api_store_error(resp, RQ_ERROR, "enrolling");
		goto done;
	}
	int64_t endpoint = 0, unit = 0;
	rc = rq_store_enroll(s, token_hash, &f.st, secret_hash, rq_api_now(), &endpoint, &unit);
	if (rc == RQ_ENOTFOUND) {
		/* unknown, expired, used up or revoked: one answer for all */
		rq_http_resp_error(resp, 403, "bad_token", "the enrollment token is not valid (unknown, "
				   "expired, used up or revoked)");
	} else if (rc) {
		rq_api_store_error(resp, rc, "enrolling");
	} else {
		char cred[RQ_TOKEN_MAX + 32];
		snprintf(cred, sizeof(cred), "%lld.%s", (long long)endpoint, secret);
		rq_log(RQ_LOG_INFO, "endpoint %lld enrolled in unit %lld (%s)", (long long)endpoint,
		       (long long)unit, f.st.hostname);
		json_t *answer = json_pack("{s:I, s:I, s:s, s:I}", "endpoint_id", (json_int_t)endpoint, "unit_id",
					   (json_int_t)unit, "credential", cred, "server_time", (json_int_t)rq_api_now());
		if (answer && add_mirror_keys(answer, ctx->mirror_keys, NULL)) {
			json_decref(answer);
			answer = NULL;
		}
		rq_http_resp_json(resp, 201, answer);
		memset(secret, 0, sizeof(secret));
		memset(cred, 0, sizeof(cred));
	}
done:
	facts_free(&f);
	json_decref(body);
	return 0;
}

static int add_task(const rq_task *t, void *payload)
{
	json_t *list = payload, *params = json_loads(t->params_json ? t->params_json : "{}", 0, NULL);
	json_t *o = json_pack("{s:I, s:s, s:o, s:I}", "id", (json_int_t)t->id, "kind", t->kind,
			      "params", params ? params : json_object(), "expires_at", (json_int_t)t->expires_at);
	return o && !json_array_append_new(list, o) ? 0 : RQ_ENOMEM;
}

/* The heartbeat's writes -- the endpoint's facts, the tasks handed out -- in one
 * transaction: one commit per heartbeat. */
typedef struct heartbeat_txn {
	int64_t endpoint;
	const char *secret_hash;
	const rq_endpoint_status *st;
	int64_t now;
	json_t *tasks;
	int64_t unit;      /* out: the endpoint's unit, for its policy */
} heartbeat_txn;

/* The credential is checked in the same transaction: on SQLite that runs
 * on the group-commit writer, whose page cache is warm, instead of a read
 * transaction of its own on the worker's connection. */
static int heartbeat_in_txn(rq_store *s, void *payload)
{
	heartbeat_txn *hb = payload;
	json_array_clear(hb->tasks); /* a retried transaction starts over */
	int rc = check_credential(s, hb->endpoint, hb->secret_hash, &hb->unit);
	if (rc == 0)
		rc = rq_store_endpoint_heartbeat(s, hb->endpoint, hb->st, hb->now);
	return rc ? rc : rq_store_tasks_deliver(s, hb->endpoint, hb->now, add_task, hb->tasks);
}

static int heartbeat(const rq_http_req *req, rq_http_resp *resp, void *arg)
{
	const rq_api_ctx *ctx = arg;
	rq_store *s = NULL;
	int64_t endpoint = 0;
	json_t *body = NULL, *tasks = NULL, *answer = NULL;
	char hash[RQ_TOKEN_HASH_LEN];
	facts f;
	memset(&f, 0, sizeof(f));
	if (open_call(ctx, req, resp, &endpoint, hash, &s))
		return 0;
	int rc = rq_http_json_body(req, resp, heartbeat_spec, &body);
	if (rc)
		return rc;
	if (read_facts(body, &f, resp))
		goto done;
	int64_t now = rq_api_now();
	if (!(tasks = json_array())) {
		rq_api_store_error(resp, RQ_ENOMEM, "recording the heartbeat");
		goto done;
	}
	heartbeat_txn hb = { endpoint, hash, &f.st, now, tasks, 0 };
	if ((rc = rq_store_transact(s, heartbeat_in_txn, &hb)) == RQ_EVERIFY) {
		refuse(resp);
		goto done;
	}
	if (rc) {
		rq_api_store_error(resp, rc, "recording the heartbeat");
		goto done;
	}
	/* the policy itself only when the agent's copy is not the current one */
	int64_t version = 0;
	json_t *known = json_object_get(body, "policy_version"), *policy = NULL;
	rc = rq_policy_cached(s, hb.unit, &version, NULL);
	if (rc == 0 && (!known || json_integer_value(known) != version))
		rc = rq_policy_cached(s, hb.unit, &version, &policy);
	if (rc) {
		rq_api_store_error(resp, rc, "reading the unit's policy");
		goto done;
	}
	answer = json_pack("{s:O, s:I, s:I, s:o}", "tasks", tasks, "server_time", (json_int_t)now,
			   "policy_version", (json_int_t)version, "databases", rq_mirror_latest(ctx->mirror_dir));
	if (answer && ((policy && json_object_set(answer, "policy", policy) < 0) ||
		       add_mirror_keys(answer, ctx->mirror_keys, str(body, "mirror_keys_digest")))) {
		json_decref(answer);
		answer = NULL;
	}
	json_decref(policy);
	if (!answer) {
		rq_api_store_error(resp, rq_fail(RQ_ENOMEM, "out of memory"), "answering the heartbeat");
		goto done;
	}
	rq_http_resp_json(resp, 200, answer);
done:
	json_decref(tasks);
	facts_free(&f);
	json_decref(body);
	return 0;
}

static const struct {
	const char *name;
	rq_event_kind kind;
} event_kinds[] = {
	{ "scan", RQ_EVENT_SCAN },
	{ "detection", RQ_EVENT_DETECTION },
	{ "action", RQ_EVENT_ACTION },
	{ "connection", RQ_EVENT_CONNECTION },
	{ "error", RQ_EVENT_ERROR },
	{ "outbox-dropped", RQ_EVENT_ERROR }, /* drop counts: kept with the errors */
};

static int64_t int_of(const json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	return json_is_integer(v) ? (int64_t)json_integer_value(v) : 0;
}

/* One event of the batch into the store's form; 0 or -1 (reason in resp). */
static int read_event(const json_t *e, size_t i, rq_store_event *out, char **payload, rq_http_resp *resp)
{
	memset(out, 0, sizeof(*out));
	const char *uuid = str(e, "uuid"), *kind = str(e, "kind");
	size_t k = 0;
	while (k < sizeof(event_kinds) / sizeof(event_kinds[0]) && strcmp(kind, event_kinds[k].name))
		k++;
	if (k == sizeof(event_kinds) / sizeof(event_kinds[0])) {
		rq_http_resp_error(resp, 400, "out_of_range", "events[%zu].kind: unknown kind", i);
		return -1;
	}
	if (strlen(uuid) != 36) {
		rq_http_resp_error(resp, 400, "out_of_range", "events[%zu].uuid: expected a 36-character UUID", i);
		return -1;
	}
	json_t *p = json_object_get(e, "payload");
	out->uuid = uuid;
	out->kind = event_kinds[k].kind;
	out->occurred_at = int_of(e, "time");
	*payload = p ? json_dumps(p, JSON_COMPACT) : NULL;
	out->payload_json = *payload;
	out->scan.kind = str(p, "scan_kind");
	out->scan.started_at = int_of(p, "started");
	out->scan.finished_at = int_of(p, "finished");
	out->scan.files_scanned = int_of(p, "files");
	out->scan.detections = int_of(p, "infected");
	out->scan.errors = int_of(p, "errors");
	out->scan.result = str(p, "result");
	out->file.path = str(p, "path");
	out->file.sha256 = str(p, "sha256");
	out->file.md5 = str(p, "md5");
	out->file.name = str(p, "name");
	out->file.type = str(p, "type");
	out->file.action = str(p, "action");
	out->file.state = str(p, "state");
	out->conn.remote_addr = str(p, "remote");
	out->conn.remote_host = str(p, "remote_host");
	out->conn.process_path = str(p, "exe");
	out->conn.indicator = str(p, "indicator");
	out->conn.action = str(p, "action");
	out->conn.process_md5 = str(p, "md5");
	out->conn.process_sha256 = str(p, "sha256");
	out->conn.remote_port = int_of(p, "remote_port");
	out->conn.pid = int_of(p, "pid");
	return 0;
}

/* A batch and the credential check in one transaction (see heartbeat_in_txn). */
typedef struct events_txn {
	int64_t endpoint, now;
	const char *secret_hash;
	const rq_store_event *evs;
	size_t n, added;
} events_txn;

static int events_in_txn(rq_store *s, void *payload)
{
	events_txn *t = payload;
	int rc = check_credential(s, t->endpoint, t->secret_hash, NULL);
	return rc ? rc : rq_store_ingest_events(s, t->endpoint, t->evs, t->n, t->now, &t->added);
}

static int events(const rq_http_req *req, rq_http_resp *resp, void *arg)
{
	const rq_api_ctx *ctx = arg;
	rq_store *s = NULL;
	int64_t endpoint = 0;
	json_t *body = NULL;
	rq_store_event *evs = NULL;
	char **payloads = NULL;
	char hash[RQ_TOKEN_HASH_LEN];
	size_t n = 0;
	if (open_call(ctx, req, resp, &endpoint, hash, &s))
		return 0;
	int rc = rq_http_json_body(req, resp, events_spec, &body);
	if (rc)
		return rc;
	json_t *list = json_object_get(body, "events");
	n = json_array_size(list);
	if (n && (!(evs = calloc(n, sizeof(*evs))) || !(payloads = calloc(n, sizeof(*payloads))))) {
		rq_api_store_error(resp, RQ_ENOMEM, "reading the events");
		goto done;
	}
	for (size_t i = 0; i < n; i++)
		if (read_event(json_array_get(list, i), i, &evs[i], &payloads[i], resp))
			goto done;
	events_txn t = { endpoint, rq_api_now(), hash, evs, n, 0 };
	rc = rq_store_transact(s, events_in_txn, &t);
	size_t added = t.added;
	if (rc == RQ_EVERIFY) {
		refuse(resp);
		goto done;
	}
	if (rc == RQ_STORE_ECONSTRAINT || rc == RQ_EINVAL || rc == RQ_EPARSE) {
		/* the whole batch is refused and nothing acknowledged: the agent keeps it */
		rq_http_resp_error(resp, 422, "bad_event", "the batch was refused: %s", rq_error_last());
		goto done;
	}
	if (rc) {
		rq_api_store_error(resp, rc, "storing the events");
		goto done;
	}
	/* committed: every UUID of the batch is acknowledged, duplicates included */
	json_t *acked = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(acked, json_string(evs[i].uuid));
	rq_http_resp_json(resp, 200, json_pack("{s:o, s:I}", "acked", acked, "new", (json_int_t)added));
done:
	for (size_t i = 0; payloads && i < n; i++)
		free(payloads[i]);
	free(payloads);
	free(evs);
	json_decref(body);
	return 0;
}

static int task_result(const rq_http_req *req, rq_http_resp *resp, void *arg)
{
	const rq_api_ctx *ctx = arg;
	rq_store *s = NULL;
	int64_t endpoint = 0;
	json_t *body = NULL;
	if (authenticate(ctx, req, resp, &s, &endpoint))
		return 0;
	const char *idtext = rq_http_param(req, "id");
	char *end = NULL;
	long long task = idtext ? strtoll(idtext, &end, 10) : 0;
	if (task <= 0 || !end || *end)
		return rq_http_resp_error(resp, 400, "bad_request", "id: expected a task number");
	int rc = rq_http_json_body(req, resp, result_spec, &body);
	if (rc)
		return rc;
	const char *state = str(body, "state");
	if (strcmp(state, "running") && strcmp(state, "done") && strcmp(state, "failed")) {
		rq_http_resp_error(resp, 400, "out_of_range", "state: expected \"running\", \"done\" or \"failed\"");
		goto done;
	}
	char *result = json_object_get(body, "result") ? json_dumps(json_object_get(body, "result"), JSON_COMPACT) : NULL;
	rc = rq_store_task_report(s, endpoint, (int64_t)task, state, result, rq_api_now());
	free(result);
	if (rc == RQ_ENOTFOUND) /* another endpoint's task looks the same as none */
		rq_http_resp_error(resp, 404, "not_found", "no such task for this endpoint");
	else if (rc)
		rq_api_store_error(resp, rc, "recording the task result");
	else
		rq_http_resp_json(resp, 200, json_pack("{s:I, s:s}", "id", (json_int_t)task, "state", state));
done:
	json_decref(body);
	return 0;
}

int rq_api_agent_routes(rq_http_router *router, const rq_api_ctx *ctx)
{
	void *c = (void *)ctx;
	int rc;
	if ((rc = rq_http_router_add(router, "POST", "/api/v1/agent/enroll", enroll, c)) ||
	    (rc = rq_http_router_add(router, "POST", "/api/v1/agent/heartbeat", heartbeat, c)) ||
	    (rc = rq_http_router_add(router, "POST", "/api/v1/agent/events", events, c)) ||
	    (rc = rq_http_router_add(router, "POST", "/api/v1/agent/tasks/{id}/result", task_result, c)))
		return rc;
	return 0;
}
