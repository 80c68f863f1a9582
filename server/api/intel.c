/*
 * Handlers of the threat-intelligence routes (intel.h). An import is one
 * transaction with its audit record (intel/import.h); the publisher
 * (intel/publish.h) notices the change on its own.
 */
#include "api/intel.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/admin.h"
#include "api/endpoints.h"
#include "api/taxii_pulls.h"
#include "config/config.h"
#include "http/json.h"
#include "intel/import.h"
#include "intel/limits.h"
#include "intel/stix.h"
#include "store/intel.h"

static json_t *time_or_null(int64_t t)
{
	return t > 0 ? json_integer((json_int_t)t) : json_null();
}

typedef struct import_audit {
	const rq_caller *c;
	const char *kind, *file;
} import_audit;

static int audit_import(rq_store *s, const rq_intel_result *r, void *payload)
{
	import_audit *a = payload;
	json_t *d = json_pack("{s:s, s:s, s:I, s:I, s:I}", "kind", a->kind, "file", a->file, "indicators",
			      (json_int_t)r->indicators, "created", (json_int_t)r->created, "events",
			      (json_int_t)r->events);
	return rq_admin_audit(s, a->c, "intel.import", "intel_source", r->source_id, 0, d);
}

/* The error of a refused import: the input's fault (400/413) or the store's. */
static void import_error(rq_http_resp *resp, int rc)
{
	if (rc == RQ_EPARSE || rc == RQ_EINVAL)
		rq_http_resp_error(resp, 400, "bad_input", "%s", rq_error_last());
	else if (rc == RQ_ELIMIT)
		rq_http_resp_error(resp, 413, "too_large", "%s", rq_error_last());
	else if (rc == RQ_ENOTFOUND || rc == RQ_EIO)
		rq_http_resp_error(resp, 422, "unreadable", "%s", rq_error_last());
	else
		rq_api_store_error(resp, rc, "importing the indicators");
}

/* A STIX import's objects, skipped indicators and their first reasons. */
static void stix_summary(json_t *answer, const rq_stix_info *st)
{
	json_t *reasons = json_array();
	for (size_t i = 0, n = 0; reasons && i < st->outcome_count && n < RQ_INTEL_MAX_STIX_REASONS; i++)
		if (!st->outcomes[i].imported && st->outcomes[i].indicator) {
			json_array_append_new(reasons, json_pack("{s:s, s:s}", "id", st->outcomes[i].id, "reason",
								 st->outcomes[i].reason));
			n++;
		}
	json_object_set_new(answer, "objects", json_integer((json_int_t)st->objects));
	json_object_set_new(answer, "stix_indicators", json_integer((json_int_t)st->indicators));
	json_object_set_new(answer, "skipped", json_integer((json_int_t)st->skipped));
	json_object_set_new(answer, "skipped_reasons", reasons ? reasons : json_array());
}

static int create_import(const rq_http_req *req, rq_http_resp *resp, void *arg)
{
	static const char *const kinds[] = { "ioc-list", "misp-event", "yara", "misp-feed", "stix-bundle", NULL };
	const rq_api_ctx *ctx = arg;
	rq_caller c;
	const char *file = NULL, *source = NULL, *location = NULL;
	unsigned long long confidence = 0, expires_at = 0, expires_days = 0;
	int kind = -1, rc;
	int64_t now = rq_api_now();
	rq_intel_result r;
	rq_stix_info stix = { 0 };
	if (rq_admin_begin(ctx, req, resp, &c) || rq_admin_allow(&c, resp, RQ_ACT_SYSTEM, 0) ||
	    rq_fleet_query_choice(req, resp, "kind", kinds, -1, &kind) ||
	    rq_fleet_query_text(req, resp, "name", 200, &file) ||
	    rq_fleet_query_text(req, resp, "source", RQ_INTEL_MAX_SOURCE_NAME, &source) ||
	    rq_fleet_query_text(req, resp, "location", RQ_INTEL_MAX_LOCATION, &location) ||
	    rq_http_query_uint(req, resp, "confidence", 0, 100, 1000, &confidence) < 0 ||
	    rq_http_query_uint(req, resp, "expires_at", 1, (unsigned long long)now + RQ_INTEL_MAX_EXPIRY_DAYS * 86400ULL,
			       0, &expires_at) < 0 ||
	    rq_http_query_uint(req, resp, "expires_days", 1, RQ_INTEL_MAX_EXPIRY_DAYS, 0, &expires_days) < 0)
		return 0;
	if (expires_at && expires_days) {
		rq_http_resp_error(resp, 400, "bad_request", "give expires_at or expires_days, not both");
		return 0;
	}
	if (expires_at && (int64_t)expires_at <= now) {
		rq_http_resp_error(resp, 400, "bad_request", "expires_at %llu is already past", expires_at);
		return 0;
	}
	rq_intel_expiry expiry = { .expires_at = expires_days ? now + (int64_t)expires_days * 86400 : (int64_t)expires_at,
				   .max_age = ctx->config ? (int64_t)ctx->config->intel_max_age : 0 };
	if (kind < 0) {
		rq_http_resp_error(resp, 400, "bad_request",
				   "kind is required: ioc-list, misp-event, yara, misp-feed or stix-bundle");
		return 0;
	}
	import_audit a = { &c, kinds[kind], file ? file : "" };
	int conf = confidence == 1000 ? -1 : (int)confidence;
	if (kind == 3) { /* a feed is read by the server from a folder or URL */
		if (!location) {
			rq_http_resp_error(resp, 400, "bad_request",
					   "a misp-feed import needs location: a folder on the server or an https:// URL");
			return 0;
		}
		a.file = location;
		rc = rq_intel_import_feed(c.store, location, source, conf, NULL, &expiry, now, audit_import, &a, &r);
	} else {
		if (req->body_len == 0) {
			rq_http_resp_error(resp, 400, "bad_request", "the file to import is the request body: it is empty");
			return 0;
		}
		if (!file)
			file = kinds[kind];
		a.file = file;
		if (kind == 4)
			rc = rq_intel_import_stix(c.store, file, req->body, req->body_len, NULL, source, conf, &expiry,
						  now, audit_import, &a, &r, &stix);
		else
			rc = rq_intel_import_input(c.store, kinds[kind], file, req->body, req->body_len, source, conf,
						   &expiry, now, audit_import, &a, &r);
	}
	if (rc < 0) {
		import_error(resp, rc);
		goto done;
	}
	json_t *answer = json_pack("{s:I, s:I, s:I, s:I, s:I, s:I}", "source_id", (json_int_t)r.source_id,
				   "indicators", (json_int_t)r.indicators, "created", (json_int_t)r.created, "updated",
				   (json_int_t)(r.indicators - r.created), "events", (json_int_t)r.events,
				   "events_skipped", (json_int_t)r.events_skipped);
	if (answer && kind == 4)
		stix_summary(answer, &stix);
	rq_http_resp_json(resp, 201, answer);
done:
	rq_stix_info_free(&stix);
	return 0;
}

static json_t *row_json(const rq_intel_row *r, int64_t now)
{
	json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:s, s:I, s:b, s:I, s:I, s:I, s:o, s:b}", "id", (json_int_t)r->id,
			      "type", r->type, "value", r->value, "name", r->name, "description", r->description,
			      "confidence", (json_int_t)r->confidence, "allowlisted", r->allowlisted, "first_seen",
			      (json_int_t)r->first_seen, "last_seen", (json_int_t)r->last_seen, "imported_at",
			      (json_int_t)r->imported_at, "expires_at", time_or_null(r->expires_at), "expired",
			      r->expires_at > 0 && r->expires_at <= now);
	if (o && r->sources) {
		json_t *list = json_array();
		char *copy = strdup(r->sources), *save = NULL;
		for (char *t = copy ? strtok_r(copy, ",", &save) : NULL; list && t; t = strtok_r(NULL, ",", &save))
			json_array_append_new(list, json_string(t));
		free(copy);
		json_object_set_new(o, "sources", list ? list : json_array());
	}
	return o;
}

typedef struct row_list {
	json_t *items;
	int64_t now;
} row_list;

static int append_row(const rq_intel_row *r, void *payload)
{
	row_list *l = payload;
	return rq_fleet_append(l->items, row_json(r, l->now));
}

static int list_indicators(const rq_http_req *req, rq_http_resp *resp, void *arg)
{
	static const char *const types[] = { "md5", "sha1", "sha256", "ipv4", "ipv6", "domain", "yara", NULL };
	static const char *const flags[] = { "false", "true", NULL };
	rq_caller c;
	int64_t limit = 0, offset = 0, total = 0;
	int type = -1, allow = -1, expired = -1;
	rq_intel_filter f = { .allowlisted = -1, .now = rq_api_now() };
	json_t *items = NULL;
	if (rq_admin_begin(arg, req, resp, &c) || rq_admin_allow(&c, resp, RQ_ACT_READ, 0) ||
	    rq_admin_paging(req, resp, &limit, &offset) || rq_fleet_query_choice(req, resp, "type", types, -1, &type) ||
	    rq_fleet_query_choice(req, resp, "allowlisted", flags, -1, &allow) ||
	    rq_fleet_query_choice(req, resp, "expired", flags, -1, &expired) ||
	    rq_fleet_query_text(req, resp, "source", RQ_INTEL_MAX_SOURCE_NAME, &f.source) ||
	    rq_fleet_query_text(req, resp, "q", 200, &f.q))
		goto done;
	f.type = type >= 0 ? types[type] : NULL;
	f.allowlisted = allow;
	f.expiry = expired < 0 ? 0 : expired ? 2 : 1;
	items = json_array();
	row_list l = { items, f.now };
	int rc = items ? rq_store_intel_list(c.store, &f, limit, offset, &total, append_row, &l) : RQ_ENOMEM;
	if (rc < 0)
		rq_api_store_error(resp, rc, "listing the indicators");
	else
		rq_admin_list_reply(resp, json_incref(items), total, limit, offset);
done:
	json_decref(items);
	return 0;
}

static int append_source(const rq_intel_source_row *r, void *payload)
{
	return rq_fleet_append(payload, json_pack("{s:I, s:s, s:s, s:s, s:I, s:o, s:I}", "id", (json_int_t)r->id, "name",
						  r->name, "kind", r->kind, "location", r->location, "created_at",
						  (json_int_t)r->created_at, "last_import", time_or_null(r->last_import),
						  "indicators", (json_int_t)r->indicators));
}

static int list_sources(const rq_http_req *req, rq_http_resp *resp, void *arg)
{
	rq_caller c;
	json_t *items = NULL;
	if (rq_admin_begin(arg, req, resp, &c) || rq_admin_allow(&c, resp, RQ_ACT_READ, 0))
		goto done;
	items = json_array();
	int rc = items ? rq_store_intel_sources(c.store, append_source, items) : RQ_ENOMEM;
	if (rc < 0)
		rq_api_store_error(resp, rc, "listing the sources");
	else
		rq_http_resp_json(resp, 200, json_pack("{s:O}", "items", items));
done:
	json_decref(items);
	return 0;
}

static int get_status(const rq_http_req *req, rq_http_resp *resp, void *arg)
{
	const rq_api_ctx *ctx = arg;
	rq_caller c;
	rq_intel_state st;
	if (rq_admin_begin(ctx, req, resp, &c) || rq_admin_allow(&c, resp, RQ_ACT_READ, 0))
		return 0;
	int rc = rq_store_intel_state(c.store, &st);
	if (rc < 0) {
		rq_api_store_error(resp, rc, "reading the publish state");
		return 0;
	}
	int on = ctx->config && *ctx->config->intel_signing_key && *ctx->config->mirror_dir;
	rq_http_resp_json(resp, 200,
			  json_pack("{s:b, s:s, s:I, s:o, s:I, s:I, s:o, s:s, s:b}", "publishing", on, "database",
				    ctx->config ? ctx->config->intel_database : "daily", "generation",
				    (json_int_t)st.generation, "changed_at", time_or_null(st.changed_at),
				    "published_generation", (json_int_t)st.published_generation, "published_version",
				    (json_int_t)st.published_version, "published_at", time_or_null(st.published_at),
				    "last_error", st.last_error, "pending", st.generation != st.published_generation));
	return 0;
}

typedef struct allow_tx {
	const rq_caller *c;
	rq_intel_type type;
	char value[RQ_INTEL_VALUE_MAX + 1];
	const char *name;
	int64_t id;
} allow_tx;

static int allow_in_tx(rq_store *s, void *payload)
{
	allow_tx *a = payload;
	int rc = rq_store_intel_allow(s, a->type, a->value, a->name, rq_api_now(), &a->id);
	if (rc == 0)
		rc = rq_store_intel_touch(s, rq_api_now());
	if (rc == 0)
		rc = rq_admin_audit(s, a->c, "intel.allowlist", "intel_indicator", a->id, 0,
				    json_pack("{s:s, s:s}", "type", rq_intel_type_name(a->type), "value", a->value));
	return rc;
}

static int create_allow(const rq_http_req *req, rq_http_resp *resp, void *arg)
{
	static const rq_json_field spec[] = {
		{ "sha256", RQ_JSON_STRING, .max = 64 },
		{ "sha1", RQ_JSON_STRING, .max = 40 },
		{ "md5", RQ_JSON_STRING, .max = 32 },
		{ "name", RQ_JSON_STRING, .max = RQ_INTEL_MAX_TEXT },
		{ .name = NULL },
	};
	static const char *const keys[] = { "md5", "sha1", "sha256" };
	rq_caller c;
	json_t *body = NULL;
	allow_tx a = { .c = &c };
	const char *given = NULL;
	int count = 0;
	if (rq_admin_begin(arg, req, resp, &c) || rq_admin_allow(&c, resp, RQ_ACT_SYSTEM, 0) ||
	    rq_http_json_body(req, resp, spec, &body) < 0)
		goto done;
	for (int i = 0; i < 3; i++)
		if (json_object_get(body, keys[i])) {
			count++;
			a.type = (rq_intel_type)(RQ_INTEL_MD5 + i);
			given = json_string_value(json_object_get(body, keys[i]));
		}
	if (count != 1) {
		rq_http_resp_error(resp, 400, "bad_request", "give exactly one of sha256, sha1 or md5");
		goto done;
	}
	if (rq_intel_normalise(a.type, given, strlen(given), a.value) < 0) {
		rq_http_resp_error(resp, 400, "bad_request", "%s: %s", keys[a.type], rq_error_last());
		goto done;
	}
	a.name = json_string_value(json_object_get(body, "name"));
	int rc = rq_store_transact(c.store, allow_in_tx, &a);
	if (rc < 0) {
		rq_api_store_error(resp, rc, "allow-listing");
		goto done;
	}
	rq_http_resp_json(resp, 201, json_pack("{s:I, s:s, s:s, s:b}", "id", (json_int_t)a.id, "type", keys[a.type],
					       "value", a.value, "allowlisted", 1));
done:
	json_decref(body);
	return 0;
}

typedef struct delete_tx {
	const rq_caller *c;
	int64_t id;
	int allow_only;
} delete_tx;

static int delete_in_tx(rq_store *s, void *payload)
{
	delete_tx *d = payload;
	int rc = d->allow_only ? rq_store_intel_unallow(s, d->id) : rq_store_intel_delete(s, d->id);
	if (rc == 0)
		rc = rq_store_intel_touch(s, rq_api_now());
	if (rc == 0)
		rc = rq_admin_audit(s, d->c, d->allow_only ? "intel.unallowlist" : "intel.delete", "intel_indicator",
				    d->id, 0, NULL);
	return rc;
}

static int delete_common(const rq_http_req *req, rq_http_resp *resp, void *arg, int allow_only)
{
	rq_caller c;
	delete_tx d = { .c = &c, .allow_only = allow_only };
	if (rq_admin_begin(arg, req, resp, &c) || rq_admin_allow(&c, resp, RQ_ACT_SYSTEM, 0) ||
	    rq_admin_id_param(req, resp, "id", &d.id))
		return 0;
	int rc = rq_store_transact(c.store, delete_in_tx, &d);
	if (rc == RQ_ENOTFOUND)
		rq_http_resp_error(resp, 404, "not_found", "%s %lld", allow_only ? "no allow-list entry" : "no indicator",
				   (long long)d.id);
	else if (rc < 0)
		rq_api_store_error(resp, rc, "deleting");
	else
		rq_http_resp_bytes(resp, 204, "application/json", "", 0);
	return 0;
}

static int delete_indicator(const rq_http_req *req, rq_http_resp *resp, void *arg)
{
	return delete_common(req, resp, arg, 0);
}

static int delete_allow(const rq_http_req *req, rq_http_resp *resp, void *arg)
{
	return delete_common(req, resp, arg, 1);
}

int rq_api_intel_routes(rq_http_router *router, const rq_api_ctx *ctx)
{
	void *c = (void *)ctx;
	int rc;
	if ((rc = rq_http_router_add(router, "POST", "/api/v1/intel/imports", create_import, c)) ||
	    (rc = rq_http_router_add(router, "GET", "/api/v1/intel/indicators", list_indicators, c)) ||
	    (rc = rq_http_router_add(router, "DELETE", "/api/v1/intel/indicators/{id}", delete_indicator, c)) ||
	    (rc = rq_http_router_add(router, "GET", "/api/v1/intel/sources", list_sources, c)) ||
	    (rc = rq_http_router_add(router, "POST", "/api/v1/intel/allowlist", create_allow, c)) ||
	    (rc = rq_http_router_add(router, "DELETE", "/api/v1/intel/allowlist/{id}", delete_allow, c)) ||
	    (rc = rq_http_router_add(router, "GET", "/api/v1/intel/status", get_status, c)))
		return rc;
	return rq_api_taxii_pull_routes(router, ctx);
}
