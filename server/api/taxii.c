/*
 * The TAXII 2.1 handlers (taxii.h). Each request: credentials (HTTP Basic
 * with an API token as the password, Bearer, or a dashboard session), the
 * province-wide read permission of auth/authz.c, the Accept header, then
 * the API root and collection named in the path. Any refusal is a TAXII
 * error message. The collection is rebuilt per request
 * (sharing/collection.h). Administrators may add objects: their
 * indicators go into the indicator store (intel/stix.h) and the status of
 * each POST is kept (store/taxii_status.h).
 */
#include "api/taxii.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "api/admin.h"
#include "api/sharing.h"
#include "config/config.h"
#include "auth/authz.h"
#include "intel/stix.h"
#include "sharing/collection.h"
#include "store/taxii_status.h"

/* Longest Authorization header value decoded (Basic user:token). */
#define AUTH_MAX 512

/* --- answers --- */

static int taxii_json(rq_http_resp *resp, unsigned status, json_t *body)
{
	int rc = rq_http_resp_json(resp, status, body);
	if (rc == 0)
		snprintf(resp->content_type, sizeof(resp->content_type), "%s", RQ_TAXII_MEDIA);
	return rc;
}

/* A TAXII error message: title, description, http_status. */
static int taxii_error(rq_http_resp *resp, unsigned status, const char *title, const char *description)
{
	char code[16];
	snprintf(code, sizeof(code), "%u", status);
	rq_http_resp_reset(resp);
	json_t *e = json_pack("{s:s, s:s, s:s}", "title", title, "description", description, "http_status", code);
	if (!e)
		return rq_http_resp_error(resp, status, "internal", "out of memory");
	return taxii_json(resp, status, e);
}

/* Turn the admin API's error answer in resp ({"error","reason"}) into a TAXII one. */
static void as_taxii_error(rq_http_resp *resp)
{
	unsigned status = resp->status ? resp->status : 500;
	json_t *old = resp->body ? json_loadb(resp->body, resp->body_len, 0, NULL) : NULL;
	const char *reason = json_string_value(json_object_get(old, "reason"));
	const char *error = json_string_value(json_object_get(old, "error"));
	char title[64], description[512];
	snprintf(title, sizeof(title), "%s", error ? error : "error");
	snprintf(description, sizeof(description), "%s", reason ? reason : "the request failed");
	json_decref(old);
	taxii_error(resp, status, title, description);
}

/* --- who is calling --- */

/* The token of "Basic base64(user:token)" into out; 0 or -1. */
static int basic_token(const char *value, char *out, size_t size)
{
	unsigned char decoded[AUTH_MAX];
	size_t len = strlen(value);
	if (len == 0 || len > 4 * (sizeof(decoded) / 3) - 4 || len % 4)
		return -1;
	int n = EVP_DecodeBlock(decoded, (const unsigned char *)value, (int)len);
	if (n < 0)
		return -1;
	while (n > 0 && len > 0 && value[len - 1] == '=') { /* EVP_DecodeBlock counts the padding */
		n--;
		len--;
	}
	decoded[n] = '\0';
	if (strlen((char *)decoded) != (size_t)n)
		return -1;
	const char *colon = strchr((char *)decoded, ':');
	if (!colon || strlen(colon + 1) >= size)
		return -1;
	snprintf(out, size, "%s", colon + 1);
	return 0;
}

int rq_taxii_accept_fits(const char *accept)
{
	if (!accept)
		return 1;
	for (const char *p = accept; *p;) {
		char range[256];
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		if (len < sizeof(range)) {
			memcpy(range, p, len);
			range[len] = '\0';
			char *params = strchr(range, ';'), *r = range;
			if (params)
				*params++ = '\0';
			while (isspace((unsigned char)*r))
				r++;
			for (char *e = r + strlen(r); e > r && isspace((unsigned char)e[-1]);)
				*--e = '\0';
			int version_ok = 1, q_zero = 0;
			for (char *t = params; t && *t;) {
				char *next = strchr(t, ';');
				if (next)
					*next++ = '\0';
				while (isspace((unsigned char)*t))
					t++;
				if (!strncasecmp(t, "version=", 8))
					version_ok = !strcmp(t + 8, "2.1");
				else if (!strncasecmp(t, "q=", 2))
					q_zero = strtod(t + 2, NULL) <= 0.0;
				t = next;
			}
			if (!q_zero && (!strcmp(r, "*/*") || !strcasecmp(r, "application/*") ||
					(!strcasecmp(r, "application/taxii+json") && version_ok)))
				return 1;
		}
		p = end ? end + 1 : p + len;
	}
	return 0;
}

/*
 * Authenticate, authorise (the whole province's data: administrators and
 * province-wide viewers) and check Accept: 0, or -1 with a TAXII error.
 */
static int taxii_begin(const rq_api_ctx *ctx, const rq_http_req *req, rq_http_resp *resp, rq_caller *c)
{
	const char *auth = rq_http_header_get(req, "Authorization");
	char token[AUTH_MAX];
	int rc;
	if (auth && !strncasecmp(auth, "Basic ", 6)) {
		rc = basic_token(auth + 6, token, sizeof(token)) == 0 ? rq_admin_begin_token(ctx, req, resp, token, c)
								      : (rq_http_resp_error(resp, 401, "unauthenticated",
											    "malformed Basic credentials"),
									 -1);
	} else
		rc = rq_admin_begin(ctx, req, resp, c);
	if (rc < 0) {
		unsigned status = resp->status;
		as_taxii_error(resp);
		if (status == 401)
			rq_http_resp_header(resp, "WWW-Authenticate", "Basic realm=\"raquet TAXII\", Bearer realm=\"raquet TAXII\"");
		return -1;
	}
	if (rq_api_sharing_allow(c, resp) < 0) { /* the whole province's data */
		as_taxii_error(resp);
		return -1;
	}
	if (!rq_taxii_accept_fits(rq_http_header_get(req, "Accept"))) {
		taxii_error(resp, 406, "not acceptable", "this server answers " RQ_TAXII_MEDIA " only");
		return -1;
	}
	return 0;
}

/* The collection's id: UUIDv5 in the province's namespace. */
static int collection_id(const rq_api_ctx *ctx, char out[RQ_UUID_TEXT])
{
	rq_uuid ns, u;
	int rc = rq_stix_namespace(ctx->report_agency, &ns);
	if (rc == 0)
		rc = rq_uuid5(&ns, "taxii|collection|sightings", &u);
	if (rc == 0)
		rq_uuid_text(&u, out);
	return rc;
}

/* taxii_begin (c: the caller), then the API root (and the collection when `want_collection`). */
static int taxii_enter(const rq_api_ctx *ctx, const rq_http_req *req, rq_http_resp *resp, int want_collection,
		       rq_caller *c)
{
	char id[RQ_UUID_TEXT];
	if (taxii_begin(ctx, req, resp, c) < 0)
		return -1;
	const char *root = rq_http_param(req, "root");
	if (root && strcmp(root, RQ_TAXII_ROOT)) {
		taxii_error(resp, 404, "not found", "no such API root (this server has /taxii2/" RQ_TAXII_ROOT "/)");
		return -1;
	}
	if (!want_collection)
		return 0;
	if (collection_id(ctx, id) < 0) {
		taxii_error(resp, 500, "internal", "cannot name the collection");
		return -1;
	}
	if (strcmp(rq_http_param(req, "id"), id)) {
		taxii_error(resp, 404, "not found", "no such collection");
		return -1;
	}
	return 0;
}

/* --- discovery, API root, collections --- */

/* "http(s)://host" of this request, into out. */
static void base_url(const rq_api_ctx *ctx, const rq_http_req *req, char *out, size_t size)
{
	const char *host = rq_http_header_get(req, "Host");
	int ok = host && *host && strlen(host) < 256;
	for (const char *p = host; ok && *p; p++)
		ok = isalnum((unsigned char)*p) || strchr(".-:[]", *p);
	snprintf(out, size, "%s://%s", ctx->secure_cookies ? "https" : "http", ok ? host : "localhost");
}

static int get_discovery(const rq_http_req *req, rq_http_resp *resp, void *arg)
{
	rq_caller c;
	const rq_api_ctx *ctx = arg;
	char base[300], root[400];
	if (taxii_enter(ctx, req, resp, 0, &c) < 0)
		return 0;
	base_url(ctx, req, base, sizeof(base));
	snprintf(root, sizeof(root), "%s/taxii2/" RQ_TAXII_ROOT "/", base);
	return taxii_json(resp, 200,
			  json_pack("{s:s, s:s, s:s, s:[s]}", "title", "raquet-server TAXII 2.1", "description",
				    "What the province's machines saw: malicious files and addresses, as STIX 2.1",
				    "default", root, "api_roots", root));
}

static int get_api_root(const rq_http_req *req, rq_http_resp *resp, void *arg)
{
	rq_caller c;
	const rq_api_ctx *ctx = arg;
	if (taxii_enter(ctx, req, resp, 0, &c) < 0)
		return 0;
	json_int_t max = ctx->config ? (json_int_t)ctx->config->body_limit : 4 * 1024 * 1024;
	return taxii_json(resp, 200,
			  json_pack("{s:s, s:s, s:[s], s:I}", "title", ctx->report_agency ? ctx->report_agency : "",
				    "description", "raquet-server: the province's sightings", "versions", RQ_TAXII_MEDIA,
				    "max_content_length", max));
}

/* Administrators add objects to the collection (imported as indicators). */
static int can_write(const rq_caller *c)
{
	return c->unit_id == 0 && rq_authz_allows(c->role, RQ_ACT_SYSTEM, RQ_SCOPE_OWN);
}

static json_t *collection_json(const rq_api_ctx *ctx, const char *id, int can_write)
{
	return json_pack("{s:s, s:s, s:s, s:b, s:b, s:[s]}", "id", id, "title", "Sightings",
			 "description",
			 ctx->report_agency ? "Malicious files and addresses the province's machines saw, with counts "
					      "and first and last time seen"
					    : "",
			 "can_read", 1, "can_write", can_write, "media_types", RQ_STIX_MEDIA);
}

static int get_collections(const rq_http_req *req, rq_http_resp *resp, void *arg)
{
	rq_caller c;
	const rq_api_ctx *ctx = arg;
	char id[RQ_UUID_TEXT];
	if (taxii_enter(ctx, req, resp, 0, &c) < 0)
		return 0;
	if (collection_id(ctx, id) < 0)
		return taxii_error(resp, 500, "internal", "cannot name the collection");
	return taxii_json(resp, 200, json_pack("{s:[o]}", "collections", collection_json(ctx, id, can_write(&c))));
}

static int get_collection(const rq_http_req *req, rq_http_resp *resp, void *arg)
{
	rq_caller c;
	const rq_api_ctx *ctx = arg;
	if (taxii_enter(ctx, req, resp, 1, &c) < 0)
		return 0;
	return taxii_json(resp, 200, collection_json(ctx, rq_http_param(req, "id"), can_write(&c)));
}

static int get_status(const rq_http_req *req, rq_http_resp *resp, void *arg)
{
	rq_caller c;
	char *text = NULL;
	rq_uuid u;
	if (taxii_enter(arg, req, resp, 0, &c) < 0)
		return 0;
	const char *id = rq_http_param(req, "status");
	int rc = rq_uuid_parse(id, &u) < 0 ? RQ_ENOTFOUND : rq_store_taxii_status_get(c.store, id, &text);
	json_t *body = rc == 0 ? json_loads(text, 0, NULL) : NULL;
	if (rc == RQ_ENOTFOUND)
		taxii_error(resp, 404, "not found", "no such status");
	else if (!body)
		taxii_error(resp, 500, "internal", "cannot read the status");
	else
		taxii_json(resp, 200, body);
	free(text);
	return 0;
}

/* Content-Type application/taxii+json, with version=2.1 if it has a version. */
static int taxii_content_type(const char *ct)
{
	if (!ct || strncasecmp(ct, "application/taxii+json", 22))
		return 0;
	for (ct += 22; *ct == ' ' || *ct == ';'; ct++)
		;
	return !*ct || !strcasecmp(ct, "version=2.1");
}

/* The status resource of a POST: each object a success or a failure with its reason. */
static json_t *status_json(const char *id, int64_t now_ms, const rq_stix_info *info)
{
	char at[RQ_STIX_TIME_TEXT];
	json_t *ok = json_array(), *bad = json_array();
	size_t n_ok = 0, n_bad = 0;
	rq_stix_time(now_ms, at);
	for (size_t i = 0; ok && bad && i < info->outcome_count; i++) {
		const rq_stix_outcome *o = &info->outcomes[i];
		json_t *e = json_pack("{s:s, s:s}", "id", o->id, "version", o->version);
		if (e && !o->imported)
			json_object_set_new(e, "message", json_string(o->reason));
		json_array_append_new(o->imported ? ok : bad, e);
		*(o->imported ? &n_ok : &n_bad) += 1;
	}
	if (!ok || !bad) {
		json_decref(ok);
		json_decref(bad);
		return NULL;
	}
	return json_pack("{s:s, s:s, s:s, s:I, s:I, s:o, s:I, s:o, s:I}", "id", id, "status", "complete",
			 "request_timestamp", at, "total_count", (json_int_t)info->outcome_count, "success_count",
			 (json_int_t)n_ok, "successes", ok, "failure_count", (json_int_t)n_bad, "failures", bad,
			 "pending_count", (json_int_t)0);
}

typedef struct post_tx {
	const rq_caller *c;
	const rq_stix_info *info;
	char id[RQ_UUID_TEXT];
	int64_t now_ms;
	json_t *status;
} post_tx;

/* Inside the import's transaction: the status row and the audit record. */
static int keep_status(rq_store *s, const rq_intel_result *r, void *payload)
{
	post_tx *p = payload;
	json_decref(p->status); /* a retried transaction builds it anew */
	p->status = status_json(p->id, p->now_ms, p->info);
	char *text = p->status ? json_dumps(p->status, JSON_COMPACT) : NULL;
	int rc = text ? rq_store_taxii_status_put(s, p->id, p->now_ms / 1000, text) : RQ_ENOMEM;
	free(text);
	if (rc == 0)
		rc = rq_admin_audit(s, p->c, "intel.import", "intel_source", r->source_id, 0,
				    json_pack("{s:s, s:s, s:I, s:I, s:I}", "kind", "taxii", "status", p->id, "objects",
					      (json_int_t)p->info->objects, "indicators", (json_int_t)r->indicators,
					      "skipped", (json_int_t)p->info->skipped));
	return rc;
}

/*
 * Objects added to the collection by an administrator: the envelope's
 * indicators imported into the indicator store (intel/stix.h) in one
 * transaction with the status kept; 202 with the status.
 */
static int post_objects(const rq_http_req *req, rq_http_resp *resp, void *arg)
{
	rq_caller c;
	rq_uuid u;
	rq_stix_info info = { 0 };
	rq_intel_result r;
	json_error_t jerr;
	json_t *env = NULL;
	post_tx p = { .c = &c, .info = &info, .now_ms = rq_api_now() * 1000 };
	char source[RQ_INTEL_MAX_SOURCE_NAME + 1];
	if (taxii_enter(arg, req, resp, 1, &c) < 0)
		goto done;
	if (rq_admin_allow_province(&c, resp, RQ_ACT_SYSTEM) < 0) {
		as_taxii_error(resp);
		goto done;
	}
	if (!taxii_content_type(rq_http_header_get(req, "Content-Type"))) {
		taxii_error(resp, 415, "unsupported media type", "send the envelope as " RQ_TAXII_MEDIA);
		goto done;
	}
	if (!(env = json_loadb((const char *)req->body, req->body_len, JSON_REJECT_DUPLICATES, &jerr)) ||
	    !json_is_object(env)) {
		taxii_error(resp, 400, "bad request", env ? "the envelope is not a JSON object" : "the envelope is not JSON");
		goto done;
	}
	if (RAND_bytes(u.b, sizeof(u.b)) != 1) {
		taxii_error(resp, 500, "internal", "no random bytes for the status id");
		goto done;
	}
	u.b[6] = (unsigned char)((u.b[6] & 0x0f) | 0x40); /* a random (version 4) UUID */
	u.b[8] = (unsigned char)((u.b[8] & 0x3f) | 0x80);
	rq_uuid_text(&u, p.id);
	snprintf(source, sizeof(source), "TAXII %s", c.login);
	const rq_api_ctx *ctx = arg;
	rq_intel_expiry expiry = { .max_age = ctx->config ? (int64_t)ctx->config->intel_max_age : 0 };
	int rc = rq_intel_import_stix(c.store, source, NULL, 0, json_object_get(env, "objects"), NULL, -1, &expiry,
				      rq_api_now(), keep_status, &p, &r, &info);
	if (rc == RQ_EPARSE || rc == RQ_EINVAL)
		taxii_error(resp, 400, "bad request", rq_error_last());
	else if (rc == RQ_ELIMIT)
		taxii_error(resp, 413, "too large", rq_error_last());
	else if (rc < 0)
		taxii_error(resp, 500, "internal", "the objects could not be stored");
	else
		taxii_json(resp, 202, json_incref(p.status));
done:
	json_decref(p.status);
	json_decref(env);
	rq_stix_info_free(&info);
	return 0;
}

/* --- objects and manifest --- */

/* What the request asks of the collection, or -1 with a TAXII 400. */
static int read_query(const rq_http_req *req, rq_http_resp *resp, rq_collection_query *q, char *after_id,
		      size_t after_size)
{
	unsigned long long limit = RQ_TAXII_PAGE_DEFAULT;
	const char *added_after = rq_http_query(req, "added_after"), *next = rq_http_query(req, "next");
	memset(q, 0, sizeof(*q));
	q->added_after_ms = -1;
	if (rq_http_query_uint(req, resp, "limit", 1, RQ_TAXII_PAGE_MAX, RQ_TAXII_PAGE_DEFAULT, &limit) < 0) {
		as_taxii_error(resp);
		return -1;
	}
	q->limit = (size_t)limit;
	if (added_after && rq_stix_time_parse(added_after, &q->added_after_ms) < 0) {
		taxii_error(resp, 400, "bad request", "added_after: expected an RFC 3339 timestamp");
		return -1;
	}
	if (next) {
		if (rq_collection_next_parse(next, &q->after_ms, after_id, after_size) < 0) {
			taxii_error(resp, 400, "bad request", "next: not a value this server gave");
			return -1;
		}
		q->after_id = after_id;
	}
	q->types = rq_http_query(req, "match[type]");
	q->ids = rq_http_query(req, "match[id]");
	q->versions = rq_http_query(req, "match[version]");
	q->spec_versions = rq_http_query(req, "match[spec_version]");
	return 0;
}

typedef enum { PAGE_OBJECTS, PAGE_MANIFEST, PAGE_VERSIONS } page_kind;

static json_t *page_entry(const rq_collection_item *it, page_kind kind)
{
	char added[RQ_STIX_TIME_TEXT];
	if (kind == PAGE_OBJECTS)
		return json_incref(it->object);
	if (kind == PAGE_VERSIONS)
		return json_string(it->modified);
	rq_stix_time(it->date_added_ms, added);
	return json_pack("{s:s, s:s, s:s, s:s}", "id", it->id, "date_added", added, "version", it->modified,
			 "media_type", RQ_STIX_MEDIA);
}

/* Load the collection, cut the page, answer it. `object_id`: only that one (404 if absent). */
static int answer_page(const rq_http_req *req, rq_http_resp *resp, const rq_api_ctx *ctx, page_kind kind,
		       const char *object_id)
{
	rq_caller c;
	rq_collection coll;
	rq_collection_query q;
	char after_id[RQ_STIX_ID_MAX + 8], next[RQ_STIX_ID_MAX + 32], first[RQ_STIX_TIME_TEXT],
		last[RQ_STIX_TIME_TEXT];
	size_t *page = NULL, count = 0;
	int more = 0, rc;
	memset(&coll, 0, sizeof(coll));
	if (taxii_enter(ctx, req, resp, 1, &c) < 0 ||
	    read_query(req, resp, &q, after_id, sizeof(after_id)) < 0)
		goto done;
	if (object_id)
		q.ids = object_id;
	rq_stix_options o = { .province = ctx->report_agency ? ctx->report_agency : "",
			      .per_unit = ctx->config ? ctx->config->sharing_unit_identities : 0,
			      .whole = 1 };
	if ((rc = rq_collection_load(c.store, &o, rq_api_now() * 1000, &coll)) < 0) {
		rq_api_store_error(resp, rc, "making the collection");
		as_taxii_error(resp);
		goto done;
	}
	page = calloc(q.limit, sizeof(*page));
	if (!page) {
		taxii_error(resp, 500, "internal", "out of memory");
		goto done;
	}
	if (rq_collection_page(&coll, &q, page, &count, &more) < 0) {
		taxii_error(resp, 400, "bad request", rq_error_last());
		goto done;
	}
	if (object_id && count == 0) {
		taxii_error(resp, 404, "not found", "no such object in the collection");
		goto done;
	}
	json_t *list = json_array(), *body = json_pack("{s:b}", "more", more);
	for (size_t i = 0; list && i < count; i++)
		json_array_append_new(list, page_entry(&coll.items[page[i]], kind));
	if (more) {
		rq_collection_next(&coll.items[page[count - 1]], next, sizeof(next));
		json_object_set_new(body, "next", json_string(next));
	}
	if (count)
		json_object_set(body, kind == PAGE_VERSIONS ? "versions" : "objects", list);
	json_decref(list);
	if (!body) {
		taxii_error(resp, 500, "internal", "out of memory");
		goto done;
	}
	taxii_json(resp, 200, body);
	if (count) {
		rq_stix_time(coll.items[page[0]].date_added_ms, first);
		rq_stix_time(coll.items[page[count - 1]].date_added_ms, last);
		rq_http_resp_header(resp, "X-TAXII-Date-Added-First", first);
		rq_http_resp_header(resp, "X-TAXII-Date-Added-Last", last);
	}
done:
	free(page);
	rq_collection_free(&coll);
	return 0;
}

static int get_objects(const rq_http_req *req, rq_http_resp *resp, void *arg)
{
	return answer_page(req, resp, arg, PAGE_OBJECTS, NULL);
}

static int get_manifest(const rq_http_req *req, rq_http_resp *resp, void *arg)
{
	return answer_page(req, resp, arg, PAGE_MANIFEST, NULL);
}

/* The object id in the path, checked to be one (letters, digits, '-'). */
static const char *object_param(const rq_http_req *req)
{
	const char *id = rq_http_param(req, "object");
	if (!id || !*id || strlen(id) >= RQ_STIX_ID_MAX || strspn(id, "abcdefghijklmnopqrstuvwxyz0123456789-") != strlen(id))
		return "-"; /* matches no object: 404 */
	return id;
}

static int get_object(const rq_http_req *req, rq_http_resp *resp, void *arg)
{
	return answer_page(req, resp, arg, PAGE_OBJECTS, object_param(req));
}

static int get_versions(const rq_http_req *req, rq_http_resp *resp, void *arg)
{
	return answer_page(req, resp, arg, PAGE_VERSIONS, object_param(req));
}

int rq_api_taxii_routes(rq_http_router *router, const rq_api_ctx *ctx)
{
	static const struct {
		const char *method, *pattern;
		rq_http_handler handler;
	} routes[] = {
		{ "GET", "/taxii2/", get_discovery },
		{ "GET", "/taxii2/{root}/", get_api_root },
		{ "GET", "/taxii2/{root}/collections/", get_collections },
		{ "GET", "/taxii2/{root}/collections/{id}/", get_collection },
		{ "GET", "/taxii2/{root}/collections/{id}/objects/", get_objects },
		{ "POST", "/taxii2/{root}/collections/{id}/objects/", post_objects },
		{ "GET", "/taxii2/{root}/collections/{id}/objects/{object}/", get_object },
		{ "GET", "/taxii2/{root}/collections/{id}/objects/{object}/versions/", get_versions },
		{ "GET", "/taxii2/{root}/collections/{id}/manifest/", get_manifest },
		{ "GET", "/taxii2/{root}/status/{status}/", get_status },
	};
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		int rc = rq_http_router_add(router, routes[i].method, routes[i].pattern, routes[i].handler, (void *)ctx);
		if (rc < 0)
			return rc;
	}
	return 0;
}
