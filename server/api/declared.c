/*
 * Admin API handlers of declared machines (declared.h). Every write runs
 * in one transaction with its audit record; an import checks the whole
 * file first (inventory/declared_csv.c) and writes nothing when a row is
 * wrong, answering each bad row's number, column and reason.
 */
#include "api/declared.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/admin.h"
#include "http/json.h"
#include "inventory/declared_csv.h"
#include "store/declared.h"

#define ID_MAX 9007199254740992LL

static const rq_json_field create_spec[] = {
	{.name = "unit", .type = RQ_JSON_INT, .required = 1, .min = 1, .max = ID_MAX},
	{.name = "hostname", .type = RQ_JSON_STRING, .required = 1, .max = RQ_DECLARED_HOSTNAME_MAX},
	{.name = "kind", .type = RQ_JSON_STRING, .required = 1, .max = 32},
	{.name = "product", .type = RQ_JSON_STRING, .required = 1, .max = RQ_DECLARED_PRODUCT_MAX},
	{.name = "sig_updated", .type = RQ_JSON_STRING, .nullable = 1, .max = 10},
	{.name = "last_scan", .type = RQ_JSON_STRING, .nullable = 1, .max = 10},
	{.name = "infections_found", .type = RQ_JSON_INT, .min = 0, .max = RQ_DECLARED_COUNT_MAX},
	{.name = "infections_cleaned", .type = RQ_JSON_INT, .min = 0, .max = RQ_DECLARED_COUNT_MAX},
	{.name = NULL},
};

/* The same, none required, no unit (a machine stays in its unit). */
static const rq_json_field patch_spec[] = {
	{.name = "hostname", .type = RQ_JSON_STRING, .max = RQ_DECLARED_HOSTNAME_MAX},
	{.name = "kind", .type = RQ_JSON_STRING, .max = 32},
	{.name = "product", .type = RQ_JSON_STRING, .max = RQ_DECLARED_PRODUCT_MAX},
	{.name = "sig_updated", .type = RQ_JSON_STRING, .nullable = 1, .max = 10},
	{.name = "last_scan", .type = RQ_JSON_STRING, .nullable = 1, .max = 10},
	{.name = "infections_found", .type = RQ_JSON_INT, .min = 0, .max = RQ_DECLARED_COUNT_MAX},
	{.name = "infections_cleaned", .type = RQ_JSON_INT, .min = 0, .max = RQ_DECLARED_COUNT_MAX},
	{.name = NULL},
};

/* A declared machine copied for a handler. */
typedef struct machine {
	rq_declared x;
	char unit_name[640], hostname[RQ_DECLARED_HOSTNAME_MAX + 1], kind[16], product[RQ_DECLARED_PRODUCT_MAX + 1];
} machine;

static int copy_machine(const rq_declared *x, void *payload)
{
	machine *m = payload;
	m->x = *x;
	snprintf(m->unit_name, sizeof(m->unit_name), "%s", x->unit_name);
	snprintf(m->hostname, sizeof(m->hostname), "%s", x->hostname);
	snprintf(m->kind, sizeof(m->kind), "%s", x->kind);
	snprintf(m->product, sizeof(m->product), "%s", x->product);
	m->x.unit_name = m->unit_name;
	m->x.hostname = m->hostname;
	m->x.kind = m->kind;
	m->x.product = m->product;
	return 0;
}

static json_t *time_or_null(int64_t t)
{
	return t > 0 ? json_integer(t) : json_null();
}

static json_t *machine_json(const rq_declared *x)
{
	return json_pack("{s:I, s:{s:I, s:s}, s:s, s:s, s:s, s:o, s:o, s:I, s:I, s:o, s:I, s:I}", "id",
			 (json_int_t)x->id, "unit", "id", (json_int_t)x->unit_id, "name", x->unit_name ? x->unit_name : "",
			 "hostname", x->hostname, "kind", x->kind, "product", x->product, "sig_updated",
			 time_or_null(x->sig_updated), "last_scan", time_or_null(x->last_scan), "infections_found",
			 (json_int_t)x->infections_found, "infections_cleaned", (json_int_t)x->infections_cleaned,
			 "superseded_by", x->superseded_by > 0 ? json_integer(x->superseded_by) : json_null(),
			 "created_at", (json_int_t)x->created_at, "updated_at", (json_int_t)x->updated_at);
}

/* Apply the fields present in `body` onto *m, checked: 0 or -1 with resp. */
static int apply_body(rq_http_resp *resp, json_t *body, machine *m, int64_t now)
{
	const char *why = NULL, *field = NULL, *kind = NULL;
	json_t *v;
	if ((v = json_object_get(body, "hostname")) &&
	    (why = rq_declared_check_hostname(json_string_value(v), m->hostname)))
		field = "hostname";
	else if ((v = json_object_get(body, "kind")) && !(why = rq_declared_check_kind(json_string_value(v), &kind)))
		snprintf(m->kind, sizeof(m->kind), "%s", kind);
	else if (v && why)
		field = "kind";
	if (!why && (v = json_object_get(body, "product"))) {
		if ((why = rq_declared_check_product(json_string_value(v))))
			field = "product";
		else
			snprintf(m->product, sizeof(m->product), "%s", json_string_value(v));
	}
	if (!why && (v = json_object_get(body, "sig_updated")) &&
	    (why = rq_declared_check_date(json_string_value(v), now, &m->x.sig_updated)))
		field = "sig_updated";
	if (!why && (v = json_object_get(body, "last_scan")) &&
	    (why = rq_declared_check_date(json_string_value(v), now, &m->x.last_scan)))
		field = "last_scan";
	if (!why && (v = json_object_get(body, "infections_found")))
		m->x.infections_found = json_integer_value(v);
	if (!why && (v = json_object_get(body, "infections_cleaned")))
		m->x.infections_cleaned = json_integer_value(v);
	if (!why && (why = rq_declared_check_counts(m->x.infections_found, m->x.infections_cleaned)))
		field = "infections_cleaned";
	if (why) {
		rq_http_resp_error(resp, 400, "out_of_range", "%s: %s", field, why);
		return -1;
	}
	m->x.hostname = m->hostname;
	m->x.kind = m->kind;
	m->x.product = m->product;
	return 0;
}

typedef struct write_args {
	const rq_caller *c;
	machine *m;
	const char *action;
	int64_t id;
	int created;
} write_args;

static int write_tx(rq_store *s, void *payload)
{
	write_args *a = payload;
	rq_declared *x = &a->m->x;
	int64_t existing = 0;
	int rc;
	if (!strcmp(a->action, "declared.create")) {
		/* a form's second declaration of a hostname is refused, not merged */
		rq_stmt *st = NULL;
		rc = rq_store_prepare(s, &st, "SELECT COUNT(*) FROM declared_machines WHERE unit_id = $1 AND hostname = $2");
		if (rc == 0 && (rc = rq_stmt_bind_int64(st, 1, x->unit_id)) == 0 &&
		    (rc = rq_stmt_bind_text(st, 2, x->hostname)) == 0)
			rc = rq_stmt_step_int64(st, &existing);
		rq_stmt_finalize(st);
		if (rc == 0 && existing)
			rc = RQ_STORE_ECONSTRAINT;
		if (rc == 0)
			rc = rq_store_declared_put(s, x, &x->id, &a->created);
	} else if (!strcmp(a->action, "declared.update")) {
		rc = rq_store_declared_update(s, x);
	} else {
		rc = rq_store_declared_delete(s, x->id);
	}
	if (rc == 0)
		rc = rq_admin_audit(s, a->c, a->action, "declared_machine", x->id, x->unit_id,
				    json_pack("{s:s, s:s, s:s}", "hostname", x->hostname, "kind", x->kind, "product",
					      x->product));
	return rc;
}

static int write_error(rq_http_resp *resp, int rc)
{
	if (rc == RQ_STORE_ECONSTRAINT)
		return rq_http_resp_error(resp, 409, "conflict",
					  "the unit has a machine of this hostname already (edit it), or there is no such unit");
	if (rc == RQ_ENOTFOUND)
		return rq_http_resp_error(resp, 404, "not_found", "no such declared machine");
	return rq_api_store_error(resp, rc, "writing the declared machine");
}

/* Answer machine `id` as stored now. */
static int answer(const rq_caller *c, rq_http_resp *resp, int64_t id, unsigned status)
{
	machine m;
	int rc = rq_store_declared_get(c->store, id, copy_machine, &m);
	if (rc < 0)
		return write_error(resp, rc);
	return rq_http_resp_json(resp, status, machine_json(&m.x));
}

/* Load machine {id} for the caller doing `action` at its unit. */
static int load(const rq_http_req *req, rq_http_resp *resp, void *arg, rq_caller *c, rq_action action, machine *m)
{
	int64_t id;
	int rc;
	memset(m, 0, sizeof(*m));
	if (rq_admin_begin(arg, req, resp, c) || rq_admin_id_param(req, resp, "id", &id))
		return -1;
	if ((rc = rq_store_declared_get(c->store, id, copy_machine, m)) < 0) {
		write_error(resp, rc);
		return -1;
	}
	return rq_admin_allow(c, resp, action, m->x.unit_id);
}

static int save(const rq_caller *c, rq_http_resp *resp, machine *m, const char *action, unsigned status)
{
	write_args a = {.c = c, .m = m, .action = action};
	m->x.updated_at = rq_api_now();
	m->x.updated_by = c->user_id;
	int rc = rq_store_transact(c->store, write_tx, &a);
	if (rc < 0)
		return write_error(resp, rc);
	if (status == 204)
		return rq_http_resp_bytes(resp, 204, "application/json", "", 0);
	return answer(c, resp, m->x.id, status);
}

static int create_machine(const rq_http_req *req, rq_http_resp *resp, void *arg)
{
	rq_caller c;
	json_t *body = NULL;
	machine m;
	int rc = 0;
	memset(&m, 0, sizeof(m));
	if (rq_admin_begin(arg, req, resp, &c) || (rc = rq_http_json_body(req, resp, create_spec, &body)))
		goto done;
	m.x.unit_id = json_integer_value(json_object_get(body, "unit"));
	if (rq_admin_allow(&c, resp, RQ_ACT_OPERATE, m.x.unit_id) || apply_body(resp, body, &m, rq_api_now()))
		goto done;
	rc = save(&c, resp, &m, "declared.create", 201);
done:
	json_decref(body);
	return rc;
}

static int get_machine(const rq_http_req *req, rq_http_resp *resp, void *arg)
{
	rq_caller c;
	machine m;
	if (load(req, resp, arg, &c, RQ_ACT_READ, &m) == 0)
		return rq_http_resp_json(resp, 200, machine_json(&m.x));
	return 0;
}

static int patch_machine(const rq_http_req *req, rq_http_resp *resp, void *arg)
{
	rq_caller c;
	json_t *body = NULL;
	machine m;
	int rc = 0;
	if (load(req, resp, arg, &c, RQ_ACT_OPERATE, &m) || (rc = rq_http_json_body(req, resp, patch_spec, &body)) ||
	    apply_body(resp, body, &m, rq_api_now()))
		goto done;
	rc = save(&c, resp, &m, "declared.update", 200);
done:
	json_decref(body);
	return rc;
}

static int delete_machine(const rq_http_req *req, rq_http_resp *resp, void *arg)
{
	rq_caller c;
	machine m;
	if (load(req, resp, arg, &c, RQ_ACT_OPERATE, &m))
		return 0;
	return save(&c, resp, &m, "declared.delete", 204);
}

static int list_one(const rq_declared *x, void *payload)
{
	return json_array_append_new(payload, machine_json(x)) < 0;
}

static int list_machines(const rq_http_req *req, rq_http_resp *resp, void *arg)
{
	rq_caller c;
	int64_t root;
	int rc;
	if (rq_admin_begin(arg, req, resp, &c) || rq_admin_list_root(&c, resp, &root))
		return 0;
	json_t *items = json_array();
	if (!items)
		return RQ_ENOMEM;
	if ((rc = rq_store_declared_list(c.store, root, list_one, items)) < 0) {
		json_decref(items);
		return rq_api_store_error(resp, rc == RQ_ESTOPPED ? RQ_ENOMEM : rc, "listing declared machines");
	}
	size_t n = json_array_size(items);
	return rq_admin_list_reply(resp, items, (int64_t)n, (int64_t)n, 0);
}

/* --- the CSV import --- */

typedef struct import_args {
	const rq_caller *c;
	int64_t unit_id, now;
	const rq_declared_csv *csv;
	int64_t created, updated;
} import_args;

static int import_tx(rq_store *s, void *payload)
{
	import_args *a = payload;
	int rc = 0;
	a->created = a->updated = 0;
	for (size_t i = 0; rc == 0 && i < a->csv->row_count; i++) {
		const rq_declared_row *r = &a->csv->rows[i];
		rq_declared x = {.unit_id = a->unit_id,
				 .hostname = r->hostname,
				 .kind = r->kind,
				 .product = r->product,
				 .sig_updated = r->sig_updated,
				 .last_scan = r->last_scan,
				 .infections_found = r->infections_found,
				 .infections_cleaned = r->infections_cleaned,
				 .updated_at = a->now,
				 .updated_by = a->c->user_id};
		int64_t id = 0;
		int created = 0;
		if ((rc = rq_store_declared_put(s, &x, &id, &created)) == 0)
			*(created ? &a->created : &a->updated) += 1;
	}
	if (rc == 0)
		rc = rq_admin_audit(s, a->c, "declared.import", "unit", a->unit_id, a->unit_id,
				    json_pack("{s:I, s:I, s:I}", "rows", (json_int_t)a->csv->row_count, "created",
					      (json_int_t)a->created, "updated", (json_int_t)a->updated));
	return rc;
}

static int bad_rows(rq_http_resp *resp, const rq_declared_csv *csv)
{
	json_t *errors = json_array();
	for (size_t i = 0; errors && i < csv->error_count; i++) {
		const rq_declared_csv_error *e = &csv->errors[i];
		json_t *o = json_pack("{s:i, s:s, s:s}", "row", e->row, "column", e->column, "reason", e->reason);
		if (!o) /* a column named by hostile bytes: not UTF-8 */
			o = json_pack("{s:i, s:s, s:s}", "row", e->row, "column", "?", "reason", e->reason);
		json_array_append_new(errors, o);
	}
	char reason[128];
	snprintf(reason, sizeof(reason), "%zu problem%s in the file: nothing was imported", csv->error_count,
		 csv->error_count == 1 ? "" : "s");
	return rq_http_resp_json(resp, 400,
				 json_pack("{s:s, s:s, s:o}", "error", "bad_rows", "reason", reason, "errors",
					   errors ? errors : json_array()));
}

/* POST /api/v1/declared-machines/import?unit=ID, the CSV file as the body. */
static int import_machines(const rq_http_req *req, rq_http_resp *resp, void *arg)
{
	rq_caller c;
	rq_declared_csv csv;
	unsigned long long unit = 0;
	int rc = 0;
	memset(&csv, 0, sizeof(csv));
	if (rq_admin_begin(arg, req, resp, &c) ||
	    rq_http_query_uint(req, resp, "unit", 1, (unsigned long long)ID_MAX, 0, &unit) < 0)
		goto done;
	if (unit == 0) {
		rq_http_resp_error(resp, 400, "bad_request", "query parameter unit: the unit the machines belong to is required");
		goto done;
	}
	if (rq_admin_allow(&c, resp, RQ_ACT_OPERATE, (int64_t)unit))
		goto done;
	int64_t now = rq_api_now();
	rc = rq_declared_csv_read(req->body, req->body_len, now, &csv);
	if (rc == RQ_ELIMIT) {
		rq_http_resp_error(resp, 413, "too_large", "%s: nothing was imported", rq_error_last());
		rc = 0;
		goto done;
	}
	if (rc < 0) {
		rq_api_store_error(resp, rc, "reading the inventory");
		goto done;
	}
	if (csv.error_count) {
		rc = bad_rows(resp, &csv);
		goto done;
	}
	import_args a = {.c = &c, .unit_id = (int64_t)unit, .now = now, .csv = &csv};
	if ((rc = rq_store_transact(c.store, import_tx, &a)) < 0) {
		if (rc == RQ_STORE_ECONSTRAINT)
			rq_http_resp_error(resp, 404, "not_found", "no unit %llu", unit);
		else
			rq_api_store_error(resp, rc, "importing the inventory");
		rc = 0;
		goto done;
	}
	rc = rq_http_resp_json(resp, 200,
			       json_pack("{s:I, s:I, s:I}", "rows", (json_int_t)csv.row_count, "created",
					 (json_int_t)a.created, "updated", (json_int_t)a.updated));
done:
	rq_declared_csv_free(&csv);
	return rc;
}

int rq_api_declared_routes(rq_http_router *router, const rq_api_ctx *ctx)
{
	void *arg = (void *)ctx;
	int rc;
	if ((rc = rq_http_router_add(router, "GET", "/api/v1/declared-machines", list_machines, arg)) < 0 ||
	    (rc = rq_http_router_add(router, "POST", "/api/v1/declared-machines", create_machine, arg)) < 0 ||
	    (rc = rq_http_router_add(router, "POST", "/api/v1/declared-machines/import", import_machines, arg)) < 0 ||
	    (rc = rq_http_router_add(router, "GET", "/api/v1/declared-machines/{id}", get_machine, arg)) < 0 ||
	    (rc = rq_http_router_add(router, "PATCH", "/api/v1/declared-machines/{id}", patch_machine, arg)) < 0)
		return rc;
	return rq_http_router_add(router, "DELETE", "/api/v1/declared-machines/{id}", delete_machine, arg);
}
