/*
 * Handlers of the units area of the admin API (units.h): list, create,
 * read, change and delete units. Every body is checked against a field
 * spec, every permission asked of rq_admin_allow, and every change written
 * with its audit record in one transaction.
 */
#include "api/units.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "api/audit_log.h"
#include "api/enroll_tokens.h"
#include "api/policies.h"
#include "api/policy_cache.h"
#include "api/tier.h"
#include "http/json.h"
#include "store/policies.h"
#include "store/tier.h"
#include "store/units.h"

/* Ids in bodies: what JSON numbers hold exactly (and admin.c accepts). */
#define ID_MAX (1LL << 53)

static const rq_json_field create_spec[] = {
	{ .name = "name", .type = RQ_JSON_STRING, .required = 1, .max = RQ_UNIT_NAME_MAX },
	{ .name = "code", .type = RQ_JSON_STRING, .required = 1, .max = RQ_UNIT_CODE_MAX },
	{ .name = "contact", .type = RQ_JSON_STRING, .max = RQ_UNIT_CONTACT_MAX },
	{ .name = "parent_id", .type = RQ_JSON_INT, .nullable = 1, .min = 1, .max = ID_MAX },
	{ .name = NULL },
};

static const rq_json_field patch_spec[] = {
	{ .name = "name", .type = RQ_JSON_STRING, .max = RQ_UNIT_NAME_MAX },
	{ .name = "code", .type = RQ_JSON_STRING, .max = RQ_UNIT_CODE_MAX },
	{ .name = "contact", .type = RQ_JSON_STRING, .max = RQ_UNIT_CONTACT_MAX },
	{ .name = "parent_id", .type = RQ_JSON_INT, .nullable = 1, .min = 1, .max = ID_MAX },
	{ .name = NULL },
};

int rq_api_check_text(rq_http_resp *resp, const char *field, const char *value, int may_be_empty)
{
	const unsigned char *p = (const unsigned char *)value;
	int visible = 0;
	for (; *p; p++) {
		if (*p < 0x20 || *p == 0x7f || (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)) {
			rq_http_resp_error(resp, 400, "out_of_range", "%s: control characters are not allowed", field);
			return -1;
		}
		if (*p != ' ')
			visible = 1;
	}
	if (!visible && !may_be_empty) {
		rq_http_resp_error(resp, 400, "out_of_range", "%s: must not be empty", field);
		return -1;
	}
	return 0;
}

/* Codes are identifiers typed in commands: letters, digits, '.', '_', '-'. */
static int check_code(rq_http_resp *resp, const char *code)
{
	size_t n = strlen(code);
	if (n == 0 || strspn(code, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") != n) {
		rq_http_resp_error(resp, 400, "out_of_range",
				   "code: expected 1..%d letters, digits, '.', '_' or '-'", RQ_UNIT_CODE_MAX);
		return -1;
	}
	return 0;
}

static json_t *unit_json(const rq_unit *u)
{
	json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:i, s:I, s:I}", "id", (json_int_t)u->id, "name", u->name,
			      "code", u->code, "contact", u->contact ? u->contact : "", "depth", u->depth,
			      "created_at", (json_int_t)u->created_at, "updated_at", (json_int_t)u->updated_at);
	if (o && json_object_set_new(o, "parent_id", u->parent_id > 0 ? json_integer(u->parent_id) : json_null())) {
		json_decref(o);
		o = NULL;
	}
	return o;
}

/* A refusal found inside a transaction: the handler answers with it. */
typedef struct refusal {
	unsigned status;
	const char *error;
	char reason[256];
} refusal;

#define REFUSED RQ_ESTOPPED

static int refuse(refusal *r, unsigned status, const char *error, const char *fmt, ...) RQ_PRINTF(4, 5);
static int refuse(refusal *r, unsigned status, const char *error, const char *fmt, ...)
{
	va_list ap;
	r->status = status;
	r->error = error;
	va_start(ap, fmt);
	vsnprintf(r->reason, sizeof(r->reason), fmt, ap);
	va_end(ap);
	return REFUSED;
}

/* Answer a transaction's outcome that is not success. */
static int answer_failure(rq_http_resp *resp, int rc, const refusal *r, const char *what)
{
	if (rc == REFUSED && r->status)
		return rq_http_resp_error(resp, r->status, r->error, "%s", r->reason);
	if (rc == RQ_ENOTFOUND)
		return rq_http_resp_error(resp, 404, "not_found", "no such unit");
	return rq_api_store_error(resp, rc, what);
}

/* `code` free for unit `self` (0: a new unit)? Refuses with 409 otherwise. */
static int code_free(rq_store *s, const char *code, int64_t self, refusal *r)
{
	int64_t other = 0;
	int rc = rq_store_unit_by_code(s, code, &other);
	if (rc == RQ_ENOTFOUND)
		return 0;
	if (rc < 0)
		return rc;
	return other == self ? 0 : refuse(r, 409, "conflict", "code: already used by unit %lld", (long long)other);
}

/* The parent named by a body must exist: 409 naming it otherwise. */
static int parent_exists(rq_store *s, int64_t parent, refusal *r)
{
	int64_t depth;
	int rc = parent > 0 ? rq_store_unit_depth(s, parent, &depth) : 0;
	if (rc == RQ_ENOTFOUND)
		rc = refuse(r, 409, "conflict", "parent_id: no unit %lld", (long long)parent);
	return rc;
}

/* A unit mirrored from a downstream server is read-only here (its server
 * reports it): 409 naming it. */
static int not_mirrored(rq_store *s, int64_t id, refusal *r)
{
	int64_t bound = 0;
	int rc = id > 0 ? rq_store_tier_mirrored(s, id, &bound) : 0;
	if (rc == 0 && bound)
		rc = refuse(r, 409, "read_only", "unit %lld is reported by a downstream server and changes only there",
			    (long long)id);
	return rc;
}

/* The unit's "reported_by_downstream" marker (null for a unit of this server). */
static int set_marker(json_t *o, rq_store *s, int64_t id)
{
	json_t *m = rq_api_tier_unit_marker(s, id);
	return json_object_set_new(o, "reported_by_downstream", m ? m : json_null());
}

/* --- GET /api/v1/units --- */

typedef struct list_acc {
	json_t *items;
	rq_store *s;
} list_acc;

static int add_listed(const rq_unit *u, void *payload)
{
	list_acc *acc = payload;
	json_t *o = unit_json(u);
	if (!o || json_object_set_new(o, "endpoint_count", json_integer(u->endpoint_count)) ||
	    set_marker(o, acc->s, u->id) ||
	    json_array_append_new(acc->items, o))
		return -1;
	return 0;
}

static int list_units(const rq_http_req *req, rq_http_resp *resp, void *arg)
{
	rq_caller c;
	int64_t root = 0, limit = 0, offset = 0, total = 0;
	list_acc acc = { NULL, NULL };
	if (rq_admin_begin(arg, req, resp, &c) || rq_admin_list_root(&c, resp, &root) ||
	    rq_admin_allow(&c, resp, RQ_ACT_READ, root) || rq_admin_paging(req, resp, &limit, &offset))
		return 0;
	acc.s = c.store;
	if (!(acc.items = json_array()))
		return rq_fail(RQ_ENOMEM, "units: out of memory");
	int rc = rq_store_unit_list(c.store, root, limit, offset, &total, add_listed, &acc);
	if (rc == RQ_ENOTFOUND)
		rq_http_resp_error(resp, 404, "not_found", "unit: no such unit");
	else if (rc)
		rq_api_store_error(resp, rc, "listing units");
	else
		rq_admin_list_reply(resp, json_incref(acc.items), total, limit, offset);
	json_decref(acc.items);
	return 0;
}

/* --- POST /api/v1/units --- */

typedef struct create_txn {
	const rq_caller *c;
	int64_t parent;
	const char *name, *code, *contact;
	int64_t id;
	refusal r;
} create_txn;

static int create_in_txn(rq_store *s, void *payload)
{
	create_txn *t = payload;
	int rc;
	memset(&t->r, 0, sizeof(t->r));
	if ((rc = code_free(s, t->code, 0, &t->r)) || (rc = parent_exists(s, t->parent, &t->r)) ||
	    (rc = not_mirrored(s, t->parent, &t->r)))
		return rc;
	rc = rq_store_unit_create(s, &t->id, t->parent, t->name, t->code, t->contact, rq_api_now());
	if (rc == RQ_ELIMIT)
		return refuse(&t->r, 409, "conflict", "parent_id: %s", rq_error_last());
	if (rc)
		return rc;
	json_t *details = json_pack("{s:s, s:s, s:o}", "name", t->name, "code", t->code, "parent_id",
				    t->parent > 0 ? json_integer(t->parent) : json_null());
	return rq_admin_audit(s, t->c, "unit.create", "unit", t->id, t->id, details);
}

/* Answer 200/201 with the unit as it is now, with its counts. */
static int reply_unit(rq_http_resp *resp, rq_store *s, int64_t id, unsigned status)
{
	rq_unit u;
	rq_unit_usage use;
	int64_t depth = 0;
	int rc = rq_store_unit_get(s, id, &u);
	if (rc == RQ_ENOTFOUND)
		return rq_http_resp_error(resp, 404, "not_found", "no such unit");
	if (rc)
		return rq_api_store_error(resp, rc, "reading the unit");
	if ((rc = rq_store_unit_depth(s, id, &depth)) == 0 && (rc = rq_store_unit_usage(s, id, &use)) == 0) {
		u.depth = (int)depth;
		json_t *o = unit_json(&u);
		if (o && !json_object_set_new(o, "endpoint_count", json_integer(use.endpoints)) && !set_marker(o, s, id) &&
		    !json_object_set_new(o, "subunit_count", json_integer(use.subunits)) &&
		    !json_object_set_new(o, "user_count", json_integer(use.users)))
			rc = rq_http_resp_json(resp, status, o);
		else {
			json_decref(o);
			rc = rq_fail(RQ_ENOMEM, "units: out of memory");
		}
	}
	if (rc && !resp->status)
		rq_api_store_error(resp, rc, "reading the unit");
	rq_store_unit_clear(&u);
	return 0;
}

static int create_unit(const rq_http_req *req, rq_http_resp *resp, void *arg)
{
	rq_caller c;
	json_t *body = NULL;
	if (rq_admin_begin(arg, req, resp, &c))
		return 0;
	int rc = rq_http_json_body(req, resp, create_spec, &body);
	if (rc)
		return rc;
	create_txn t = { .c = &c };
	t.name = json_string_value(json_object_get(body, "name"));
	t.code = json_string_value(json_object_get(body, "code"));
	t.contact = json_string_value(json_object_get(body, "contact"));
	t.parent = json_integer_value(json_object_get(body, "parent_id")); /* null, absent: 0 */
	if (rq_api_check_text(resp, "name", t.name, 0) || check_code(resp, t.code) ||
	    (t.contact && rq_api_check_text(resp, "contact", t.contact, 1)) ||
	    rq_admin_allow(&c, resp, RQ_ACT_UNITS, t.parent))
		goto done;
	rc = rq_store_transact(c.store, create_in_txn, &t);
	if (rc)
		answer_failure(resp, rc, &t.r, "creating the unit");
	else
		reply_unit(resp, c.store, t.id, 201);
done:
	json_decref(body);
	return 0;
}

/* --- GET /api/v1/units/{id} --- */

static int get_unit(const rq_http_req *req, rq_http_resp *resp, void *arg)
{
	rq_caller c;
	int64_t id;
	if (rq_admin_id_param(req, resp, "id", &id) || rq_admin_begin(arg, req, resp, &c) ||
	    rq_admin_allow(&c, resp, RQ_ACT_READ, id))
		return 0;
	return reply_unit(resp, c.store, id, 200);
}

/* --- PATCH /api/v1/units/{id} --- */

typedef struct patch_txn {
	const rq_caller *c;
	int64_t id;
	const json_t *body;
	refusal r;
} patch_txn;

static int patch_in_txn(rq_store *s, void *payload)
{
	patch_txn *t = payload;
	rq_unit u;
	int rc;
	memset(&t->r, 0, sizeof(t->r));
	if ((rc = rq_store_unit_get(s, t->id, &u)))
		return rc;
	const json_t *b = t->body;
	json_t *jp = json_object_get(b, "parent_id");
	const char *name = json_object_get(b, "name") ? json_string_value(json_object_get(b, "name")) : u.name;
	const char *code = json_object_get(b, "code") ? json_string_value(json_object_get(b, "code")) : u.code;
	const char *contact = json_object_get(b, "contact") ? json_string_value(json_object_get(b, "contact"))
							     : u.contact;
	int64_t parent = jp ? (int64_t)json_integer_value(jp) : u.parent_id;
	int moved = parent != u.parent_id;
	if ((rc = not_mirrored(s, t->id, &t->r)) || (rc = code_free(s, code, t->id, &t->r)) ||
	    (moved && ((rc = parent_exists(s, parent, &t->r)) || (rc = not_mirrored(s, parent, &t->r)))))
		goto done;
	rc = rq_store_unit_update(s, t->id, parent, name, code, contact, rq_api_now());
	if (rc == RQ_EINVAL) {
		rc = refuse(&t->r, 409, "cycle", "parent_id: unit %lld cannot move under itself or one of its own "
			    "sub-units", (long long)t->id);
		goto done;
	}
	if (rc == RQ_ELIMIT) {
		rc = refuse(&t->r, 409, "conflict", "parent_id: %s", rq_error_last());
		goto done;
	}
	/* a new place in the tree is a new inherited policy for every agent below */
	if (rc || (moved && (rc = rq_store_policy_touch(s, t->id, rq_api_now()))))
		goto done;
	json_t *details = json_pack("{s:O, s:s, s:s}", "changes", b, "old_name", u.name, "old_code", u.code);
	if (details && moved)
		json_object_set_new(details, "old_parent_id", u.parent_id > 0 ? json_integer(u.parent_id) : json_null());
	rc = rq_admin_audit(s, t->c, "unit.update", "unit", t->id, t->id, details);
done:
	rq_store_unit_clear(&u);
	return rc;
}

static int patch_unit(const rq_http_req *req, rq_http_resp *resp, void *arg)
{
	rq_caller c;
	int64_t id;
	json_t *body = NULL;
	if (rq_admin_id_param(req, resp, "id", &id) || rq_admin_begin(arg, req, resp, &c))
		return 0;
	int rc = rq_http_json_body(req, resp, patch_spec, &body);
	if (rc)
		return rc;
	json_t *name = json_object_get(body, "name"), *code = json_object_get(body, "code");
	json_t *contact = json_object_get(body, "contact"), *parent = json_object_get(body, "parent_id");
	if ((name && rq_api_check_text(resp, "name", json_string_value(name), 0)) ||
	    (code && check_code(resp, json_string_value(code))) ||
	    (contact && rq_api_check_text(resp, "contact", json_string_value(contact), 1)) ||
	    rq_admin_allow(&c, resp, RQ_ACT_UNITS, id) ||
	    (parent && rq_admin_allow(&c, resp, RQ_ACT_UNITS, json_integer_value(parent))))
		goto done;
	patch_txn t = { .c = &c, .id = id, .body = body };
	rc = rq_store_transact(c.store, patch_in_txn, &t);
	if (rc) {
		answer_failure(resp, rc, &t.r, "changing the unit");
	} else {
		rq_policy_cache_bump(); /* a move changes the policies it inherits */
		reply_unit(resp, c.store, id, 200);
	}
done:
	json_decref(body);
	return 0;
}

/* --- DELETE /api/v1/units/{id} --- */

typedef struct delete_txn {
	const rq_caller *c;
	int64_t id;
	refusal r;
} delete_txn;

/* "2 sub-units, 5 endpoints and 1 user" into r->reason. */
static int refuse_in_use(refusal *r, int64_t id, const rq_unit_usage *use)
{
	char parts[3][48];
	int n = 0;
	if (use->subunits)
		snprintf(parts[n++], sizeof(parts[0]), "%lld sub-unit%s", (long long)use->subunits,
			 use->subunits > 1 ? "s" : "");
	if (use->endpoints)
		snprintf(parts[n++], sizeof(parts[0]), "%lld endpoint%s", (long long)use->endpoints,
			 use->endpoints > 1 ? "s" : "");
	if (use->users)
		snprintf(parts[n++], sizeof(parts[0]), "%lld user%s", (long long)use->users, use->users > 1 ? "s" : "");
	return refuse(r, 409, "in_use", "unit %lld still has %s%s%s%s%s: move or remove them first", (long long)id,
		      parts[0], n > 2 ? ", " : n > 1 ? " and " : "", n > 1 ? parts[1] : "", n > 2 ? " and " : "",
		      n > 2 ? parts[2] : "");
}

static int delete_in_txn(rq_store *s, void *payload)
{
	delete_txn *t = payload;
	rq_unit u;
	rq_unit_usage use;
	int rc;
	memset(&t->r, 0, sizeof(t->r));
	if ((rc = rq_store_unit_get(s, t->id, &u)))
		return rc;
	if ((rc = not_mirrored(s, t->id, &t->r)) || (rc = rq_store_unit_usage(s, t->id, &use)))
		goto done;
	if (use.subunits || use.endpoints || use.users) {
		rc = refuse_in_use(&t->r, t->id, &use);
		goto done;
	}
	if ((rc = rq_store_unit_delete(s, t->id)))
		goto done;
	json_t *details = json_pack("{s:s, s:s, s:o}", "name", u.name, "code", u.code, "parent_id",
				    u.parent_id > 0 ? json_integer(u.parent_id) : json_null());
	/* filed under the parent: the unit is gone, its parent's subtree still shows it */
	rc = rq_admin_audit(s, t->c, "unit.delete", "unit", t->id, u.parent_id, details);
done:
	rq_store_unit_clear(&u);
	return rc;
}

static int delete_unit(const rq_http_req *req, rq_http_resp *resp, void *arg)
{
	rq_caller c;
	int64_t id;
	if (rq_admin_id_param(req, resp, "id", &id) || rq_admin_begin(arg, req, resp, &c) ||
	    rq_admin_allow(&c, resp, RQ_ACT_UNITS, id))
		return 0;
	delete_txn t = { .c = &c, .id = id };
	int rc = rq_store_transact(c.store, delete_in_txn, &t);
	if (rc)
		answer_failure(resp, rc, &t.r, "deleting the unit");
	else
		rq_http_resp_json(resp, 200, json_pack("{s:I, s:b}", "id", (json_int_t)id, "deleted", 1));
	return 0;
}

int rq_api_units_routes(rq_http_router *router, const rq_api_ctx *ctx)
{
	void *x = (void *)ctx;
	int rc;
	if ((rc = rq_http_router_add(router, "GET", "/api/v1/units", list_units, x)) ||
	    (rc = rq_http_router_add(router, "POST", "/api/v1/units", create_unit, x)) ||
	    (rc = rq_http_router_add(router, "GET", "/api/v1/units/{id}", get_unit, x)) ||
	    (rc = rq_http_router_add(router, "PATCH", "/api/v1/units/{id}", patch_unit, x)) ||
	    (rc = rq_http_router_add(router, "DELETE", "/api/v1/units/{id}", delete_unit, x)) ||
	    (rc = rq_api_enroll_tokens_routes(router, ctx)) || (rc = rq_api_policies_routes(router, ctx)) ||
	    (rc = rq_api_audit_log_routes(router, ctx)))
		return rc;
	return 0;
}
