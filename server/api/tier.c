/*
 * Handlers of the national tier (tier.h). A downstream server is
 * authenticated by its credential ("Authorization: Bearer rqd_...", only
 * its SHA-256 stored) and authorised by the one table of auth/authz.c: it
 * reports for the unit the credential is bound to and nothing else. Its
 * report is checked whole before anything is written, then applied in one
 * transaction with its audit record.
 */
#include "api/tier.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/admin.h"
#include "api/detections.h"
#include "api/endpoints.h"
#include "api/units.h"
#include "auth/token.h"
#include "config/config.h"
#include "http/json.h"
#include "store/coverage.h"
#include "store/tier.h"
#include "store/units.h"
#include "tier/upward.h"

/* ---------------------------------------------------------------- markers */

static json_t *downstream_json(const rq_tier_downstream *d)
{
	return json_pack("{s:o, s:s, s:I, s:I, s:I, s:I, s:I}", "unit",
			 rq_fleet_json_unit(d->unit_id, d->unit_name, d->unit_code), "server", d->server_name,
			 "snapshot_at", (json_int_t)d->snapshot_at, "reported_at", (json_int_t)d->reported_at,
			 "window_days", (json_int_t)d->window_days, "units", (json_int_t)d->units, "sightings",
			 (json_int_t)d->sightings);
}

static int append_downstream(const rq_tier_downstream *d, void *payload)
{
	return rq_fleet_append(payload, downstream_json(d));
}

int rq_api_tier_coverage(rq_store *s, int64_t unit_id, struct rq_coverage *v, json_t **out_marker)
{
	json_t *by = json_array();
	int rc = by ? rq_store_tier_coverage_add(s, unit_id, v, append_downstream, by) : RQ_ENOMEM;
	*out_marker = NULL;
	if (rc == 0 && json_array_size(by) > 0) {
		*out_marker = by;
		by = NULL;
	}
	json_decref(by);
	return rc == RQ_ESTOPPED ? RQ_ENOMEM : rc;
}

json_t *rq_api_tier_unit_marker(rq_store *s, int64_t unit_id)
{
	rq_stmt *st = NULL;
	json_t *o = NULL;
	if (rq_store_prepare(s, &st,
			     "SELECT t.bound_id, t.remote_code, d.reported_at, d.snapshot_at FROM tier_units t"
			     " JOIN tier_downstreams d ON d.unit_id = t.bound_id WHERE t.unit_id = $1") == 0 &&
	    rq_stmt_bind_int64(st, 1, unit_id) == 0 && rq_stmt_step(st) == RQ_STORE_ROW)
		o = json_pack("{s:I, s:s, s:I, s:I}", "bound_unit_id", (json_int_t)rq_stmt_column_int64(st, 0),
			      "remote_code", rq_stmt_column_text(st, 1) ? rq_stmt_column_text(st, 1) : "", "reported_at",
			      (json_int_t)rq_stmt_column_int64(st, 2), "snapshot_at",
			      (json_int_t)rq_stmt_column_int64(st, 3));
	rq_stmt_finalize(st);
	return o;
}

/* ------------------------------------------------ the downstream's caller */

/*
 * Authenticate a downstream server: 0 with its bound unit in *bound, or
 * -1 with `resp` filled (401 the same whatever failed; 503 store down).
 */
static int downstream_begin(const rq_api_ctx *ctx, const rq_http_req *req, rq_http_resp *resp, rq_store **out_s,
			    int64_t *bound)
{
	const char *h = rq_http_header_get(req, "Authorization");
	char hash[RQ_TOKEN_HASH_LEN];
	rq_store *s = rq_api_store(ctx);
	int rc;
	if (!s) {
		rq_api_store_down(resp);
		return -1;
	}
	*out_s = s;
	if (!h || strncmp(h, "Bearer ", 7) != 0 || !rq_token_well_formed(RQ_TIER_TOKEN_PREFIX, h + 7, strlen(h + 7)) ||
	    rq_token_hash(h + 7, strlen(h + 7), hash) < 0) {
		rq_http_resp_error(resp, 401, "unauthenticated", "a downstream credential is needed");
		return -1;
	}
	rc = rq_store_tier_cred_auth(s, hash, rq_api_now(), bound);
	if (rc == RQ_ENOTFOUND) {
		rq_http_resp_error(resp, 401, "unauthenticated", "a downstream credential is needed");
		return -1;
	}
	if (rc < 0) {
		rq_api_store_error(resp, rc, "checking the credential");
		return -1;
	}
	return 0;
}

/* GET /api/v1/tier/self: the unit this credential reports for. */
static int get_self(const rq_http_req *req, rq_http_resp *resp, void *arg)
{
	rq_store *s = NULL;
	rq_unit u;
	int64_t bound = 0;
	memset(&u, 0, sizeof(u));
	if (downstream_begin(arg, req, resp, &s, &bound))
		return 0;
	int rc = rq_store_unit_get(s, bound, &u);
	if (rc < 0)
		rq_api_store_error(resp, rc, "reading the unit");
	else
		rq_http_resp_json(resp, 200, json_pack("{s:o}", "unit", rq_fleet_json_unit(u.id, u.name, u.code)));
	rq_store_unit_clear(&u);
	return 0;
}

static const rq_json_field figures_spec[] = {
	{ .name = "endpoints", .type = RQ_JSON_INT, .required = 1, .min = 0, .max = 1LL << 40 },
	{ .name = "reporting", .type = RQ_JSON_INT, .required = 1, .min = 0, .max = 1LL << 40 },
	{ .name = "realtime_on", .type = RQ_JSON_INT, .required = 1, .min = 0, .max = 1LL << 40 },
	{ .name = "fresh_1d", .type = RQ_JSON_INT, .required = 1, .min = 0, .max = 1LL << 40 },
	{ .name = "fresh_3d", .type = RQ_JSON_INT, .required = 1, .min = 0, .max = 1LL << 40 },
	{ .name = "fresh_7d", .type = RQ_JSON_INT, .required = 1, .min = 0, .max = 1LL << 40 },
	{ .name = "fresh_15d", .type = RQ_JSON_INT, .required = 1, .min = 0, .max = 1LL << 40 },
	{ .name = "older_15d", .type = RQ_JSON_INT, .required = 1, .min = 0, .max = 1LL << 40 },
	{ .name = "sig_unknown", .type = RQ_JSON_INT, .required = 1, .min = 0, .max = 1LL << 40 },
	{ .name = "infected", .type = RQ_JSON_INT, .required = 1, .min = 0, .max = 1LL << 40 },
	{ .name = NULL },
};

static const rq_json_field unit_spec[] = {
	{ .name = "code", .type = RQ_JSON_STRING, .required = 1, .max = 2 * RQ_UNIT_CODE_MAX + 1 },
	{ .name = "name", .type = RQ_JSON_STRING, .required = 1, .max = 512 },
	{ .name = "parent", .type = RQ_JSON_STRING, .required = 1, .max = 2 * RQ_UNIT_CODE_MAX + 1 },
	{ .name = "figures", .type = RQ_JSON_OBJECT, .required = 1, .fields = figures_spec },
	{ .name = NULL },
};

static const rq_json_field sighting_spec[] = {
	{ .name = "sha256", .type = RQ_JSON_STRING, .required = 1, .max = RQ_SHA256_HEX },
	{ .name = "name", .type = RQ_JSON_STRING, .required = 1, .max = 512 },
	{ .name = "endpoints", .type = RQ_JSON_INT, .required = 1, .min = 0, .max = 1LL << 40 },
	{ .name = "units", .type = RQ_JSON_INT, .required = 1, .min = 0, .max = 1LL << 40 },
	{ .name = "first_seen", .type = RQ_JSON_INT, .required = 1, .min = 0, .max = 1LL << 40 },
	{ .name = "last_seen", .type = RQ_JSON_INT, .required = 1, .min = 0, .max = 1LL << 40 },
	{ .name = NULL },
};

static const rq_json_field report_spec[] = {
	{ .name = "batch_id", .type = RQ_JSON_STRING, .required = 1, .max = 64 },
	{ .name = "server", .type = RQ_JSON_STRING, .required = 1, .max = 512 },
	{ .name = "snapshot_at", .type = RQ_JSON_INT, .required = 1, .min = 1, .max = 1LL << 40 },
	{ .name = "window_days", .type = RQ_JSON_INT, .required = 1, .min = 1, .max = 366 },
	{ .name = "units", .type = RQ_JSON_ARRAY, .required = 1, .max = RQ_TIER_MAX_UNITS,
	  .elem = &(const rq_json_field){ .name = "", .type = RQ_JSON_OBJECT, .fields = unit_spec } },
	{ .name = "sightings", .type = RQ_JSON_ARRAY, .required = 1, .max = RQ_TIER_MAX_SIGHTINGS,
	  .elem = &(const rq_json_field){ .name = "", .type = RQ_JSON_OBJECT, .fields = sighting_spec } },
	{ .name = NULL },
};

/* A downstream's own unit code: what units accept, plus '/' (its own
 * downstreams' units, a tier further down). */
static int remote_code_ok(const char *code)
{
	size_t n = strlen(code);
	return n > 0 && strspn(code, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-/") == n;
}

static int64_t int_of(const json_t *o, const char *name)
{
	return (int64_t)json_integer_value(json_object_get(o, name));
}

/* The checked body as the store's report: 0, or -1 with `resp` filled
 * (400 naming the first bad element). */
static int read_report(const json_t *body, rq_http_resp *resp, rq_tier_report *r, rq_tier_unit_in *units,
		       rq_tier_sighting *sightings)
{
	const json_t *ju = json_object_get(body, "units"), *js = json_object_get(body, "sightings");
	r->batch_id = json_string_value(json_object_get(body, "batch_id"));
	r->server_name = json_string_value(json_object_get(body, "server"));
	r->snapshot_at = int_of(body, "snapshot_at");
	r->window_days = int_of(body, "window_days");
	r->unit_count = json_array_size(ju);
	r->sighting_count = json_array_size(js);
	r->units = units;
	r->sightings = sightings;
	if (!*r->batch_id) {
		rq_http_resp_error(resp, 400, "out_of_range", "batch_id: must not be empty");
		return -1;
	}
	for (size_t i = 0; i < r->unit_count; i++) {
		const json_t *u = json_array_get(ju, i), *f = json_object_get(u, "figures");
		rq_tier_unit_in *in = &units[i];
		memset(in, 0, sizeof(*in));
		in->code = json_string_value(json_object_get(u, "code"));
		in->name = json_string_value(json_object_get(u, "name"));
		in->parent = json_string_value(json_object_get(u, "parent"));
		if (!remote_code_ok(in->code) || (*in->parent && !remote_code_ok(in->parent)) ||
		    rq_api_check_text(resp, "units[].name", in->name, 0)) {
			if (!resp->status || resp->status == 200)
				rq_http_resp_error(resp, 400, "out_of_range",
						   "units[%zu].code: expected letters, digits, '.', '_', '-' or '/'", i);
			return -1;
		}
		in->figures.endpoints = int_of(f, "endpoints");
		in->figures.reporting = int_of(f, "reporting");
		in->figures.realtime_on = int_of(f, "realtime_on");
		in->figures.fresh_1d = int_of(f, "fresh_1d");
		in->figures.fresh_3d = int_of(f, "fresh_3d");
		in->figures.fresh_7d = int_of(f, "fresh_7d");
		in->figures.fresh_15d = int_of(f, "fresh_15d");
		in->figures.older_15d = int_of(f, "older_15d");
		in->figures.sig_unknown = int_of(f, "sig_unknown");
		in->figures.infected = int_of(f, "infected");
	}
	for (size_t i = 0; i < r->sighting_count; i++) {
		const json_t *g = json_array_get(js, i);
		rq_tier_sighting *out = &sightings[i];
		char sha[RQ_SHA256_HEX + 1];
		out->sha256 = json_string_value(json_object_get(g, "sha256"));
		out->name = json_string_value(json_object_get(g, "name"));
		if (rq_fleet_sha256(out->sha256, sha) < 0 || strcmp(sha, out->sha256)) {
			rq_http_resp_error(resp, 400, "out_of_range", "sightings[%zu].sha256: expected 64 lower-case hex digits",
					   i);
			return -1;
		}
		if (rq_api_check_text(resp, "sightings[].name", out->name, 0))
			return -1;
		out->endpoints = int_of(g, "endpoints");
		out->units = int_of(g, "units");
		out->first_seen = int_of(g, "first_seen");
		out->last_seen = int_of(g, "last_seen");
	}
	return 0;
}

typedef struct apply_txn {
	const rq_caller *c;
	int64_t bound;
	const rq_tier_report *r;
	int outcome;
	char why[256];
} apply_txn;

static int apply_in_txn(rq_store *s, void *payload)
{
	apply_txn *t = payload;
	int rc = rq_store_tier_apply(s, t->bound, t->r, rq_api_now(), &t->outcome);
	if (rc == RQ_EINVAL)
		snprintf(t->why, sizeof(t->why), "%s", rq_error_last());
	if (rc || t->outcome == RQ_TIER_DUPLICATE)
		return rc;
	json_t *details = json_pack("{s:s, s:I, s:I, s:I, s:b}", "batch_id", t->r->batch_id, "snapshot_at",
				    (json_int_t)t->r->snapshot_at, "units", (json_int_t)t->r->unit_count, "sightings",
				    (json_int_t)t->r->sighting_count, "stale", t->outcome == RQ_TIER_STALE);
	return rq_admin_audit(s, t->c, "tier.report", "unit", t->bound, t->bound, details);
}

/* POST /api/v1/tier/units/{id}/report */
static int post_report(const rq_http_req *req, rq_http_resp *resp, void *arg)
{
	static const char *const outcomes[] = { "applied", "duplicate", "stale" };
	rq_store *s = NULL;
	rq_caller c;
	int64_t unit = 0, bound = 0;
	json_t *body = NULL;
	rq_tier_unit_in *units = NULL;
	rq_tier_sighting *sightings = NULL;
	rq_tier_report r;
	rq_unit bu;
	memset(&bu, 0, sizeof(bu));
	if (rq_admin_id_param(req, resp, "id", &unit) || downstream_begin(arg, req, resp, &s, &bound))
		return 0;
	if (!rq_authz_allows(RQ_ROLE_DOWNSTREAM, RQ_ACT_REPORT, unit == bound ? RQ_SCOPE_OWN : RQ_SCOPE_OTHER)) {
		rq_http_resp_error(resp, 403, "forbidden",
				   "this credential reports for unit %lld only, not for unit %lld", (long long)bound,
				   (long long)unit);
		return 0;
	}
	int rc = rq_http_json_body(req, resp, report_spec, &body);
	if (rc)
		return rc;
	units = calloc(json_array_size(json_object_get(body, "units")) + 1, sizeof(*units));
	sightings = calloc(json_array_size(json_object_get(body, "sightings")) + 1, sizeof(*sightings));
	if (!units || !sightings) {
		rq_api_store_error(resp, RQ_ENOMEM, "reading the report");
		goto done;
	}
	memset(&r, 0, sizeof(r));
	if (read_report(body, resp, &r, units, sightings))
		goto done;
	if ((rc = rq_store_unit_get(s, bound, &bu)) < 0) {
		rq_api_store_error(resp, rc, "reading the unit");
		goto done;
	}
	memset(&c, 0, sizeof(c));
	c.role = RQ_ROLE_DOWNSTREAM;
	c.unit_id = bound;
	c.store = s;
	c.req = req;
	snprintf(c.login, sizeof(c.login), "downstream:%.50s", bu.code);
	apply_txn t = { .c = &c, .bound = bound, .r = &r };
	rc = rq_store_transact(s, apply_in_txn, &t);
	if (rc == RQ_EINVAL) {
		rq_http_resp_error(resp, 400, "bad_request", "%s", t.why);
		goto done;
	}
	if (rc < 0) {
		rq_api_store_error(resp, rc, "applying the report");
		goto done;
	}
	rq_http_resp_json(resp, 200,
			  json_pack("{s:s, s:s, s:I}", "batch_id", r.batch_id, "outcome", outcomes[t.outcome], "received_at",
				    (json_int_t)rq_api_now()));
done:
	rq_store_unit_clear(&bu);
	free(units);
	free(sightings);
	json_decref(body);
	return 0;
}

/* ------------------------------------------------------------ credentials */

static const char *cred_state(const rq_tier_cred *t, int64_t now)
{
	return t->revoked ? "revoked" : t->expires_at <= now ? "expired" : "active";
}

static json_t *cred_json(const rq_tier_cred *t, int64_t now)
{
	json_t *o = json_pack("{s:I, s:I, s:s, s:I, s:I, s:b, s:s}", "id", (json_int_t)t->id, "unit_id",
			      (json_int_t)t->unit_id, "label", t->label ? t->label : "", "created_at",
			      (json_int_t)t->created_at, "expires_at", (json_int_t)t->expires_at, "revoked", t->revoked,
			      "state", cred_state(t, now));
	if (o && (json_object_set_new(o, "last_used", t->last_used > 0 ? json_integer(t->last_used) : json_null()) ||
		  json_object_set_new(o, "created_by", t->created_by > 0 ? json_integer(t->created_by) : json_null()))) {
		json_decref(o);
		o = NULL;
	}
	return o;
}

typedef struct list_acc {
	json_t *items;
	int64_t now;
} list_acc;

static int add_cred(const rq_tier_cred *t, void *payload)
{
	list_acc *a = payload;
	return rq_fleet_append(a->items, cred_json(t, a->now));
}

/* The unit of the path exists and is not itself mirrored (a downstream's
 * unit cannot be given a downstream of its own here). */
static int bindable_unit(rq_caller *c, rq_http_resp *resp, int64_t unit)
{
	int64_t depth = 0, mirrored = 0;
	int rc = rq_store_unit_depth(c->store, unit, &depth);
	if (rc == 0)
		rc = rq_store_tier_mirrored(c->store, unit, &mirrored);
	if (rc == RQ_ENOTFOUND)
		rq_http_resp_error(resp, 404, "not_found", "no such unit");
	else if (rc)
		rq_api_store_error(resp, rc, "reading the unit");
	else if (mirrored)
		rq_http_resp_error(resp, 409, "read_only", "unit %lld is reported by a downstream server",
				   (long long)unit);
	return rc || mirrored ? -1 : 0;
}

static int list_creds(const rq_http_req *req, rq_http_resp *resp, void *arg)
{
	rq_caller c;
	int64_t unit;
	if (rq_admin_id_param(req, resp, "id", &unit) || rq_admin_begin(arg, req, resp, &c) ||
	    rq_admin_allow(&c, resp, RQ_ACT_SYSTEM, unit) || bindable_unit(&c, resp, unit))
		return 0;
	list_acc a = { json_array(), rq_api_now() };
	int rc = a.items ? rq_store_tier_cred_list(c.store, unit, add_cred, &a) : RQ_ENOMEM;
	if (rc)
		rq_api_store_error(resp, rc, "listing downstream credentials");
	else
		rq_http_resp_json(resp, 200, json_pack("{s:O}", "items", a.items));
	json_decref(a.items);
	return 0;
}

static const rq_json_field create_spec[] = {
	{ .name = "label", .type = RQ_JSON_STRING, .max = RQ_TIER_LABEL_MAX },
	{ .name = "expires_in_days", .type = RQ_JSON_INT, .min = 1, .max = RQ_TIER_CRED_MAX_DAYS },
	{ .name = NULL },
};

typedef struct create_txn {
	const rq_caller *c;
	int64_t unit, expires_at, id;
	const char *label, *hash;
} create_txn;

static int create_in_txn(rq_store *s, void *payload)
{
	create_txn *t = payload;
	int rc = rq_store_tier_cred_create(s, &t->id, t->unit, t->hash, t->label, t->expires_at, t->c->user_id,
					   rq_api_now());
	if (rc)
		return rc;
	return rq_admin_audit(s, t->c, "tier.credential.create", "downstream_credential", t->id, t->unit,
			      json_pack("{s:s, s:I}", "label", t->label, "expires_at", (json_int_t)t->expires_at));
}

static int create_cred(const rq_http_req *req, rq_http_resp *resp, void *arg)
{
	rq_caller c;
	int64_t unit;
	json_t *body = NULL;
	char token[RQ_TOKEN_MAX] = "", hash[RQ_TOKEN_HASH_LEN];
	if (rq_admin_id_param(req, resp, "id", &unit) || rq_admin_begin(arg, req, resp, &c))
		return 0;
	int rc = rq_http_json_body(req, resp, create_spec, &body);
	if (rc)
		return rc;
	json_t *days = json_object_get(body, "expires_in_days");
	create_txn t = { .c = &c, .unit = unit };
	t.label = json_object_get(body, "label") ? json_string_value(json_object_get(body, "label")) : "";
	t.expires_at = rq_api_now() + (days ? json_integer_value(days) : RQ_TIER_CRED_DEFAULT_DAYS) * 86400;
	if (rq_api_check_text(resp, "label", t.label, 1) || rq_admin_allow(&c, resp, RQ_ACT_SYSTEM, unit) ||
	    bindable_unit(&c, resp, unit))
		goto done;
	if (rq_token_new(RQ_TIER_TOKEN_PREFIX, token) || rq_token_hash(token, strlen(token), hash)) {
		rq_api_store_error(resp, RQ_ERROR, "making the credential");
		goto done;
	}
	t.hash = hash;
	if ((rc = rq_store_transact(c.store, create_in_txn, &t))) {
		rq_api_store_error(resp, rc, "creating the downstream credential");
		goto done;
	}
	rq_tier_cred made = { .id = t.id, .unit_id = unit, .label = t.label, .created_by = c.user_id,
			      .created_at = rq_api_now(), .expires_at = t.expires_at };
	json_t *o = cred_json(&made, rq_api_now());
	if (!o || json_object_set_new(o, "credential", json_string(token))) {
		json_decref(o);
		rq_api_store_error(resp, RQ_ENOMEM, "answering");
		goto done;
	}
	rq_http_resp_json(resp, 201, o);
done:
	memset(token, 0, sizeof(token));
	json_decref(body);
	return 0;
}

typedef struct revoke_txn {
	const rq_caller *c;
	const rq_tier_cred *cred;
} revoke_txn;

static int revoke_in_txn(rq_store *s, void *payload)
{
	revoke_txn *t = payload;
	int rc = rq_store_tier_cred_revoke(s, t->cred->id);
	if (rc)
		return rc;
	return rq_admin_audit(s, t->c, "tier.credential.revoke", "downstream_credential", t->cred->id,
			      t->cred->unit_id, json_pack("{s:s}", "label", t->cred->label));
}

static int revoke_cred(const rq_http_req *req, rq_http_resp *resp, void *arg)
{
	rq_caller c;
	rq_tier_cred cred;
	int64_t id;
	memset(&cred, 0, sizeof(cred));
	if (rq_admin_id_param(req, resp, "id", &id) || rq_admin_begin(arg, req, resp, &c))
		return 0;
	int rc = rq_store_tier_cred_get(c.store, id, &cred);
	if (rc == RQ_ENOTFOUND) {
		rq_http_resp_error(resp, 404, "not_found", "no such downstream credential");
		goto done;
	}
	if (rc) {
		rq_api_store_error(resp, rc, "reading the downstream credential");
		goto done;
	}
	if (rq_admin_allow(&c, resp, RQ_ACT_SYSTEM, cred.unit_id))
		goto done;
	revoke_txn t = { &c, &cred };
	if ((rc = rq_store_transact(c.store, revoke_in_txn, &t))) {
		rq_api_store_error(resp, rc, "revoking the downstream credential");
		goto done;
	}
	cred.revoked = 1;
	rq_http_resp_json(resp, 200, cred_json(&cred, rq_api_now()));
done:
	rq_store_tier_cred_clear(&cred);
	return 0;
}

/* ------------------------------------------------------------------ views */

/* GET /api/v1/downstreams: the downstream servers reporting within the caller's scope. */
static int list_downstreams(const rq_http_req *req, rq_http_resp *resp, void *arg)
{
	rq_caller c;
	int64_t root = 0;
	if (rq_admin_begin(arg, req, resp, &c) || rq_admin_list_root(&c, resp, &root))
		return 0;
	json_t *items = json_array();
	int rc = items ? rq_store_tier_downstreams(c.store, root, append_downstream, items) : RQ_ENOMEM;
	if (rc)
		rq_api_store_error(resp, rc == RQ_ESTOPPED ? RQ_ENOMEM : rc, "listing downstream servers");
	else
		rq_http_resp_json(resp, 200, json_pack("{s:O}", "items", items));
	json_decref(items);
	return 0;
}

static json_t *tier_sample_json(const rq_tier_sample *r)
{
	return json_pack("{s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:I}", "sha256", r->sha256, "name", r->name, "endpoints",
			 (json_int_t)r->endpoints, "units", (json_int_t)r->units, "downstreams",
			 (json_int_t)r->downstreams, "first_seen", (json_int_t)r->first_seen, "last_seen",
			 (json_int_t)r->last_seen, "reported_at", (json_int_t)r->reported_at);
}

static int append_tier_sample(const rq_tier_sample *r, void *payload)
{
	return rq_fleet_append(payload, tier_sample_json(r));
}

/* GET /api/v1/downstreams/samples: files downstreams sighted, summed. */
static int list_samples(const rq_http_req *req, rq_http_resp *resp, void *arg)
{
	rq_caller c;
	int64_t root = 0, limit, offset, total = 0;
	if (rq_admin_begin(arg, req, resp, &c) || rq_admin_list_root(&c, resp, &root) ||
	    rq_admin_paging(req, resp, &limit, &offset))
		return 0;
	json_t *items = json_array();
	int rc = items ? rq_store_tier_samples(c.store, root, limit, offset, &total, append_tier_sample, items)
		       : RQ_ENOMEM;
	rq_fleet_list_answer(resp, rc, items, total, limit, offset, "listing reported samples");
	return 0;
}

static int append_sighting_by(const rq_tier_sample *r, const rq_tier_downstream *d, void *payload)
{
	json_t *o = tier_sample_json(r);
	if (o)
		json_object_del(o, "downstreams");
	if (o && json_object_set_new(o, "downstream", downstream_json(d))) {
		json_decref(o);
		o = NULL;
	}
	return rq_fleet_append(payload, o);
}

/* GET /api/v1/downstreams/samples/{sha256}: each downstream's sighting of a file. */
static int get_sample(const rq_http_req *req, rq_http_resp *resp, void *arg)
{
	rq_caller c;
	char sha[RQ_SHA256_HEX + 1];
	int64_t root = 0;
	if (rq_admin_begin(arg, req, resp, &c) || rq_admin_list_root(&c, resp, &root))
		return 0;
	if (rq_fleet_sha256(rq_http_param(req, "sha256"), sha) < 0) {
		rq_http_resp_error(resp, 400, "bad_request", "sha256: expected 64 hex digits");
		return 0;
	}
	json_t *items = json_array();
	int rc = items ? rq_store_tier_sample_by(c.store, sha, root, append_sighting_by, items) : RQ_ENOMEM;
	if (rc)
		rq_api_store_error(resp, rc == RQ_ESTOPPED ? RQ_ENOMEM : rc, "reading reported sightings");
	else if (json_array_size(items) == 0)
		rq_http_resp_error(resp, 404, "not_found", "no downstream reported file %s", sha);
	else
		rq_http_resp_json(resp, 200, json_pack("{s:s, s:O}", "sha256", sha, "by_downstream", items));
	json_decref(items);
	return 0;
}

/* GET /api/v1/upstream: this server's reports to its upstream. */
static int get_upstream(const rq_http_req *req, rq_http_resp *resp, void *arg)
{
	const rq_api_ctx *ctx = arg;
	rq_caller c;
	rq_upstream_state st;
	const char *url = ctx->config && ctx->config->upstream_url ? ctx->config->upstream_url : "";
	if (rq_admin_begin(arg, req, resp, &c) || rq_admin_allow_province(&c, resp, RQ_ACT_READ))
		return 0;
	int rc = rq_store_upstream_state(c.store, &st);
	if (rc) {
		rq_api_store_error(resp, rc, "reading the upstream queue");
		return 0;
	}
	json_t *o = json_pack("{s:b, s:s, s:I, s:I, s:I, s:s}", "configured", *url != '\0', "url", url, "queued",
			      (json_int_t)st.queued, "attempts", (json_int_t)st.attempts, "last_status",
			      (json_int_t)st.last_status, "last_error", st.last_error);
	if (o && (json_object_set_new(o, "last_sent_at", rq_fleet_json_time(st.last_sent_at)) ||
		  json_object_set_new(o, "next_attempt", st.queued ? rq_fleet_json_time(st.next_attempt) : json_null()) ||
		  json_object_set_new(o, "databases",
				      json_pack("{s:b, s:o, s:I, s:s}", "configured",
						ctx->config && ctx->config->upstream_keys_dir && *ctx->config->upstream_keys_dir,
						"synced_at", rq_fleet_json_time(st.synced_at), "published",
						(json_int_t)st.published, "last_error", st.sync_error)))) {
		json_decref(o);
		o = NULL;
	}
	rq_http_resp_json(resp, 200, o);
	return 0;
}

int rq_api_tier_routes(rq_http_router *router, const rq_api_ctx *ctx)
{
	static const struct {
		const char *method, *pattern;
		rq_http_handler fn;
	} routes[] = {
		{ "GET", "/api/v1/tier/self", get_self },
		{ "POST", "/api/v1/tier/units/{id}/report", post_report },
		{ "GET", "/api/v1/units/{id}/downstream-credentials", list_creds },
		{ "POST", "/api/v1/units/{id}/downstream-credentials", create_cred },
		{ "DELETE", "/api/v1/downstream-credentials/{id}", revoke_cred },
		{ "GET", "/api/v1/downstreams", list_downstreams },
		{ "GET", "/api/v1/downstreams/samples", list_samples },
		{ "GET", "/api/v1/downstreams/samples/{sha256}", get_sample },
		{ "GET", "/api/v1/upstream", get_upstream },
	};
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < sizeof(routes) / sizeof(routes[0]); i++)
		rc = rq_http_router_add(router, routes[i].method, routes[i].pattern, routes[i].fn, (void *)ctx);
	return rc;
}
