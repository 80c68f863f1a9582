/*
 * Admin API handlers of the information systems (systems.h). The
 * inventory is written with RQ_ACT_OPERATE at the system's unit (its
 * officers, administrators) and only while the dossier is a draft (the
 * level is what the dossier proposes); the regulation may be recorded at
 * any time. A dossier step needs the scope (RQ_ACT_READ at the unit: the
 * department records decisions of units it does not operate) and then
 * rq_dossier_allows for the caller's role and the system's level. Approval
 * needs the decision's number and date and an issued regulation (it is
 * approved before the dossier).
 */
#include "api/systems.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/admin.h"
#include "api/campaigns.h"
#include "api/evidence.h"
#include "api/units.h"
#include "campaign/deadline.h"
#include "campaign/dossier.h"
#include "http/json.h"
#include "store/evidence.h"
#include "store/systems.h"

#define ID_MAX 9007199254740992LL
#define TEXT_MAX RQ_CAMPAIGN_TEXT_MAX
#define LONG_TEXT_MAX 2000

static const rq_json_field create_spec[] = {
	{.name = "unit", .type = RQ_JSON_INT, .required = 1, .min = 1, .max = ID_MAX},
	{.name = "name", .type = RQ_JSON_STRING, .required = 1, .max = TEXT_MAX},
	{.name = "purpose", .type = RQ_JSON_STRING, .max = LONG_TEXT_MAX},
	{.name = "owner", .type = RQ_JSON_STRING, .max = TEXT_MAX},
	{.name = "operator", .type = RQ_JSON_STRING, .max = TEXT_MAX},
	{.name = "info_type", .type = RQ_JSON_STRING, .max = LONG_TEXT_MAX},
	{.name = "users", .type = RQ_JSON_STRING, .max = TEXT_MAX},
	{.name = "level", .type = RQ_JSON_INT, .required = 1, .min = RQ_LEVEL_MIN, .max = RQ_LEVEL_MAX},
	{.name = "regulation_number", .type = RQ_JSON_STRING, .max = TEXT_MAX},
	{.name = "regulation_on", .type = RQ_JSON_STRING, .nullable = 1, .max = 10},
	{.name = NULL},
};

/* The same fields, none required, no unit. */
static const rq_json_field patch_spec[] = {
	{.name = "name", .type = RQ_JSON_STRING, .max = TEXT_MAX},
	{.name = "purpose", .type = RQ_JSON_STRING, .max = LONG_TEXT_MAX},
	{.name = "owner", .type = RQ_JSON_STRING, .max = TEXT_MAX},
	{.name = "operator", .type = RQ_JSON_STRING, .max = TEXT_MAX},
	{.name = "info_type", .type = RQ_JSON_STRING, .max = LONG_TEXT_MAX},
	{.name = "users", .type = RQ_JSON_STRING, .max = TEXT_MAX},
	{.name = "level", .type = RQ_JSON_INT, .min = RQ_LEVEL_MIN, .max = RQ_LEVEL_MAX},
	{.name = "regulation_number", .type = RQ_JSON_STRING, .max = TEXT_MAX},
	{.name = "regulation_on", .type = RQ_JSON_STRING, .nullable = 1, .max = 10},
	{.name = NULL},
};

static const rq_json_field step_spec[] = {
	{.name = "to", .type = RQ_JSON_STRING, .required = 1, .max = 16},
	{.name = "on", .type = RQ_JSON_STRING, .nullable = 1, .max = 10},
	{.name = "decision_number", .type = RQ_JSON_STRING, .max = TEXT_MAX},
	{.name = NULL},
};

/* The text fields of a system, in the order of the specs above. */
static const char *const text_fields[] = {"name", "purpose", "owner", "operator", "info_type", "users",
					  "regulation_number"};
#define TEXT_FIELDS (sizeof(text_fields) / sizeof(text_fields[0]))

/* A system copied for a handler. */
typedef struct sys_copy {
	int64_t id, unit_id, level, updated_at;
	char unit_name[640];
	char text[TEXT_FIELDS][LONG_TEXT_MAX + 1];
	char state[16], appraised_on[16], decision_number[TEXT_MAX + 1], decision_on[16], regulation_on[16];
} sys_copy;

static int copy_system(const rq_info_system *x, void *payload)
{
	sys_copy *o = payload;
	const char *texts[TEXT_FIELDS] = {x->name, x->purpose, x->owner, x->operator_name, x->info_type, x->users,
					  x->regulation_number};
	o->id = x->id;
	o->unit_id = x->unit_id;
	o->level = x->level;
	o->updated_at = x->updated_at;
	snprintf(o->unit_name, sizeof(o->unit_name), "%s", x->unit_name);
	for (size_t i = 0; i < TEXT_FIELDS; i++)
		snprintf(o->text[i], sizeof(o->text[i]), "%s", texts[i]);
	snprintf(o->state, sizeof(o->state), "%s", x->state);
	snprintf(o->appraised_on, sizeof(o->appraised_on), "%s", x->appraised_on);
	snprintf(o->decision_number, sizeof(o->decision_number), "%s", x->decision_number);
	snprintf(o->decision_on, sizeof(o->decision_on), "%s", x->decision_on);
	snprintf(o->regulation_on, sizeof(o->regulation_on), "%s", x->regulation_on);
	return 0;
}

static rq_info_system view_of(const sys_copy *o)
{
	rq_info_system x = {.id = o->id,
			    .unit_id = o->unit_id,
			    .name = o->text[0],
			    .purpose = o->text[1],
			    .owner = o->text[2],
			    .operator_name = o->text[3],
			    .info_type = o->text[4],
			    .users = o->text[5],
			    .regulation_number = o->text[6],
			    .level = o->level,
			    .state = o->state,
			    .appraised_on = o->appraised_on,
			    .decision_number = o->decision_number,
			    .decision_on = o->decision_on,
			    .regulation_on = o->regulation_on};
	return x;
}

/* The states the caller's role may move this dossier to. */
static json_t *next_states(rq_role role, const rq_info_system *x)
{
	json_t *next = json_array();
	int from = rq_dossier_state_parse(x->state);
	for (int to = 0; next && from >= 0 && to < RQ_DOSSIER_STATE_COUNT; to++)
		if (rq_dossier_allows(role, (int)x->level, (rq_dossier_state)from, (rq_dossier_state)to))
			json_array_append_new(next, json_string(rq_dossier_state_name((rq_dossier_state)to)));
	return next;
}

static json_t *system_json(const rq_info_system *x, rq_role role)
{
	int appraiser = rq_dossier_appraiser((int)x->level), approver = rq_dossier_approver((int)x->level);
	return json_pack("{s:I, s:{s:I, s:s}, s:s, s:s, s:s, s:s, s:s, s:s, s:I,"
			 " s:{s:s, s:s, s:s, s:s, s:s, s:s, s:o}, s:{s:s, s:s}, s:I}",
			 "id", (json_int_t)x->id, "unit", "id", (json_int_t)x->unit_id, "name",
			 x->unit_name ? x->unit_name : "", "name", x->name, "purpose", x->purpose, "owner", x->owner,
			 "operator", x->operator_name, "info_type", x->info_type, "users", x->users, "level",
			 (json_int_t)x->level, "dossier", "state", x->state, "appraised_on", x->appraised_on,
			 "decision_number", x->decision_number, "decision_on", x->decision_on, "appraiser",
			 rq_authority_name((rq_authority)appraiser), "approver",
			 rq_authority_name((rq_authority)approver), "next", next_states(role, x), "regulation",
			 "number", x->regulation_number, "issued_on", x->regulation_on, "updated_at",
			 (json_int_t)x->updated_at);
}

/* Load system {id} for the caller doing `action` at its unit. */
static int load(const rq_http_req *req, rq_http_resp *resp, void *arg, rq_caller *c, rq_action action, sys_copy *o)
{
	int64_t id;
	int rc;
	memset(o, 0, sizeof(*o));
	if (rq_admin_begin(arg, req, resp, c) || rq_admin_id_param(req, resp, "id", &id))
		return -1;
	if ((rc = rq_store_system_get(c->store, id, copy_system, o)) == RQ_ENOTFOUND) {
		rq_http_resp_error(resp, 404, "not_found", "no system %lld", (long long)id);
		return -1;
	}
	if (rc < 0) {
		rq_api_store_error(resp, rc, "reading the system");
		return -1;
	}
	return rq_admin_allow(c, resp, action, o->unit_id);
}

/* Answer system `id` as stored now, with its files. */
static int answer(const rq_caller *c, rq_http_resp *resp, int64_t id, unsigned status)
{
	sys_copy *o = calloc(1, sizeof(*o));
	json_t *files = json_array();
	int rc = o && files ? rq_store_system_get(c->store, id, copy_system, o) : RQ_ENOMEM;
	if (rc == 0)
		rc = rq_store_evidence_list(c->store, 0, 0, id, rq_api_evidence_list_add, files);
	if (rc < 0) {
		rc = rq_api_store_error(resp, rc, "reading the system");
	} else {
		rq_info_system x = view_of(o);
		x.unit_name = o->unit_name;
		json_t *obj = system_json(&x, c->role);
		json_object_set_new(obj, "evidence", files);
		files = NULL;
		rc = rq_http_resp_json(resp, status, obj);
	}
	json_decref(files);
	free(o);
	return rc;
}

typedef struct write_args {
	const rq_caller *c;
	rq_info_system x;
	const char *action, *from;
	int64_t id;
} write_args;

static int write_tx(rq_store *s, void *payload)
{
	write_args *a = payload;
	int rc;
	if (!strcmp(a->action, "system.create"))
		rc = rq_store_system_create(s, &a->x, &a->id);
	else if (!strcmp(a->action, "system.update"))
		rc = rq_store_system_update(s, &a->x);
	else if (!strcmp(a->action, "system.delete"))
		rc = rq_store_system_delete(s, a->x.id);
	else
		rc = rq_store_system_set_state(s, &a->x, a->from);
	if (rc == 0 && a->x.id == 0)
		a->x.id = a->id;
	if (rc == 0)
		rc = rq_admin_audit(s, a->c, a->action, "system", a->x.id, a->x.unit_id,
				    json_pack("{s:s, s:I, s:s, s:s}", "name", a->x.name ? a->x.name : "", "level",
					      (json_int_t)a->x.level, "state", a->x.state ? a->x.state : "",
					      "decision_number", a->x.decision_number ? a->x.decision_number : ""));
	return rc;
}

static int write_error(rq_http_resp *resp, int rc)
{
	if (rc == RQ_STORE_ECONSTRAINT)
		return rq_http_resp_error(resp, 409, "conflict", "the unit has a system of this name already (or there is no such unit)");
	if (rc == RQ_ENOTFOUND)
		return rq_http_resp_error(resp, 404, "not_found", "no such system");
	if (rc == RQ_EINVAL)
		return rq_http_resp_error(resp, 409, "conflict", "%s", rq_error_last());
	return rq_api_store_error(resp, rc, "writing the system");
}

/* Write system *o by `action` (from: the dossier's state before a step)
 * and answer it with `status` (204 with no body for a deletion). */
static int save(const rq_caller *c, rq_http_resp *resp, const sys_copy *o, const char *action, const char *from,
		unsigned status)
{
	write_args a = {.c = c, .x = view_of(o), .action = action, .from = from};
	a.x.updated_at = rq_api_now();
	a.x.updated_by = c->user_id;
	int rc = rq_store_transact(c->store, write_tx, &a);
	if (rc < 0)
		return write_error(resp, rc);
	if (status == 204)
		return rq_http_resp_bytes(resp, 204, "application/json", "", 0);
	return answer(c, resp, a.x.id, status);
}

/* Apply the fields present in `body` onto *o (checked). */
static int apply_body(rq_http_resp *resp, json_t *body, sys_copy *o)
{
	json_t *v;
	for (size_t i = 0; i < TEXT_FIELDS; i++)
		if ((v = json_object_get(body, text_fields[i]))) {
			if (rq_api_check_text(resp, text_fields[i], json_string_value(v), i != 0))
				return -1;
			snprintf(o->text[i], sizeof(o->text[i]), "%s", json_string_value(v));
		}
	if ((v = json_object_get(body, "level")))
		o->level = json_integer_value(v);
	if (json_object_get(body, "regulation_on")) {
		char date[16];
		if (rq_api_date_field(resp, body, "regulation_on", 0, date))
			return -1;
		snprintf(o->regulation_on, sizeof(o->regulation_on), "%s", date);
	}
	if (!o->text[6][0] != !o->regulation_on[0]) {
		rq_http_resp_error(resp, 400, "missing_field",
				   "regulation_number, regulation_on: an issued regulation has both");
		return -1;
	}
	return 0;
}

static int create_system(const rq_http_req *req, rq_http_resp *resp, void *arg)
{
	rq_caller c;
	json_t *body = NULL;
	sys_copy *o = calloc(1, sizeof(*o));
	int rc = o ? 0 : RQ_ENOMEM;
	if (rc || rq_admin_begin(arg, req, resp, &c) || (rc = rq_http_json_body(req, resp, create_spec, &body)))
		goto done;
	o->unit_id = json_integer_value(json_object_get(body, "unit"));
	if (apply_body(resp, body, o) || rq_admin_allow(&c, resp, RQ_ACT_OPERATE, o->unit_id))
		goto done;
	rc = save(&c, resp, o, "system.create", NULL, 201);
done:
	json_decref(body);
	free(o);
	return rc;
}

static int get_system(const rq_http_req *req, rq_http_resp *resp, void *arg)
{
	rq_caller c;
	sys_copy *o = calloc(1, sizeof(*o));
	int rc = o ? 0 : RQ_ENOMEM;
	if (rc == 0 && load(req, resp, arg, &c, RQ_ACT_READ, o) == 0)
		rc = answer(&c, resp, o->id, 200);
	free(o);
	return rc;
}

static int patch_system(const rq_http_req *req, rq_http_resp *resp, void *arg)
{
	rq_caller c;
	json_t *body = NULL;
	sys_copy *o = calloc(1, sizeof(*o));
	int rc = o ? 0 : RQ_ENOMEM;
	if (rc || load(req, resp, arg, &c, RQ_ACT_OPERATE, o) ||
	    (rc = rq_http_json_body(req, resp, patch_spec, &body)))
		goto done;
	int inventory = 0;
	for (size_t i = 0; i < TEXT_FIELDS - 1; i++)
		inventory |= json_object_get(body, text_fields[i]) != NULL;
	inventory |= json_object_get(body, "level") != NULL;
	if (inventory && strcmp(o->state, "draft")) {
		rq_http_resp_error(resp, 409, "dossier_not_draft",
				   "the dossier is %s: the inventory and level change only in a draft", o->state);
		goto done;
	}
	if (apply_body(resp, body, o))
		goto done;
	rc = save(&c, resp, o, "system.update", NULL, 200);
done:
	json_decref(body);
	free(o);
	return rc;
}

static int delete_system(const rq_http_req *req, rq_http_resp *resp, void *arg)
{
	rq_caller c;
	sys_copy *o = calloc(1, sizeof(*o));
	int rc = o ? 0 : RQ_ENOMEM;
	if (rc || load(req, resp, arg, &c, RQ_ACT_OPERATE, o))
		goto done;
	if (!strcmp(o->state, "approved") && c.role != RQ_ROLE_ADMIN) {
		rq_http_resp_error(resp, 409, "dossier_approved", "an approved system is removed by the department");
		goto done;
	}
	rc = save(&c, resp, o, "system.delete", NULL, 204);
done:
	free(o);
	return rc;
}

static int dossier_step(const rq_http_req *req, rq_http_resp *resp, void *arg)
{
	rq_caller c;
	json_t *body = NULL;
	sys_copy *o = calloc(1, sizeof(*o));
	char on[16], from[16];
	int rc = o ? 0 : RQ_ENOMEM;
	if (rc || load(req, resp, arg, &c, RQ_ACT_READ, o) || (rc = rq_http_json_body(req, resp, step_spec, &body)))
		goto done;
	const char *to_name = json_string_value(json_object_get(body, "to"));
	int to = rq_dossier_state_parse(to_name), cur = rq_dossier_state_parse(o->state);
	if (to < 0) {
		rq_http_resp_error(resp, 400, "out_of_range", "to: expected draft, submitted, appraised or approved");
		goto done;
	}
	if (!rq_dossier_allows(c.role, (int)o->level, (rq_dossier_state)cur, (rq_dossier_state)to)) {
		int who = to == RQ_DOSSIER_APPROVED	 ? rq_dossier_approver((int)o->level)
			  : to == RQ_DOSSIER_APPRAISED ? rq_dossier_appraiser((int)o->level)
						       : -1;
		rq_http_resp_error(resp, 403, "forbidden", "a level-%lld dossier in state %s cannot be moved to %s by a%s %s%s%s",
				   (long long)o->level, o->state, to_name, c.role == RQ_ROLE_VIEWER ? "" : "n",
				   rq_role_name(c.role), who >= 0 ? ": that is for " : "",
				   who >= 0 ? rq_authority_name((rq_authority)who) : "");
		goto done;
	}
	if (rq_api_date_field(resp, body, "on", 0, on))
		goto done;
	if (!on[0])
		rq_date_format(rq_date_today(rq_api_now()), on);
	snprintf(from, sizeof(from), "%s", o->state);
	snprintf(o->state, sizeof(o->state), "%s", to_name);
	if (to == RQ_DOSSIER_DRAFT) {
		o->appraised_on[0] = o->decision_number[0] = o->decision_on[0] = '\0';
	} else if (to == RQ_DOSSIER_APPRAISED) {
		snprintf(o->appraised_on, sizeof(o->appraised_on), "%s", on);
	} else if (to == RQ_DOSSIER_APPROVED) {
		const char *number = json_string_value(json_object_get(body, "decision_number"));
		if (!number || rq_api_check_text(resp, "decision_number", number, 0)) {
			if (!number)
				rq_http_resp_error(resp, 400, "missing_field", "decision_number: the approval's decision number");
			goto done;
		}
		if (!o->text[6][0]) {
			rq_http_resp_error(resp, 409, "no_regulation",
					   "the security regulation is issued before the dossier is approved");
			goto done;
		}
		snprintf(o->decision_number, sizeof(o->decision_number), "%s", number);
		snprintf(o->decision_on, sizeof(o->decision_on), "%s", on);
	}
	rc = save(&c, resp, o, "system.dossier", from, 200);
done:
	json_decref(body);
	free(o);
	return rc;
}

typedef struct list_args {
	rq_role role;
	json_t *items;
} list_args;

static int list_one(const rq_info_system *x, void *payload)
{
	list_args *a = payload;
	return json_array_append_new(a->items, system_json(x, a->role)) < 0;
}

static int list_systems(const rq_http_req *req, rq_http_resp *resp, void *arg)
{
	rq_caller c;
	int64_t root;
	int rc;
	if (rq_admin_begin(arg, req, resp, &c) || rq_admin_list_root(&c, resp, &root))
		return 0;
	list_args a = {.role = c.role, .items = json_array()};
	if (!a.items)
		return RQ_ENOMEM;
	if ((rc = rq_store_system_list(c.store, root, list_one, &a)) < 0) {
		json_decref(a.items);
		return rq_api_store_error(resp, rc == RQ_ESTOPPED ? RQ_ENOMEM : rc, "listing systems");
	}
	size_t n = json_array_size(a.items);
	return rq_admin_list_reply(resp, a.items, (int64_t)n, (int64_t)n, 0);
}

int rq_api_systems_routes(rq_http_router *router, const rq_api_ctx *ctx)
{
	void *arg = (void *)ctx;
	int rc;
	if ((rc = rq_http_router_add(router, "GET", "/api/v1/systems", list_systems, arg)) < 0 ||
	    (rc = rq_http_router_add(router, "POST", "/api/v1/systems", create_system, arg)) < 0 ||
	    (rc = rq_http_router_add(router, "GET", "/api/v1/systems/{id}", get_system, arg)) < 0 ||
	    (rc = rq_http_router_add(router, "PATCH", "/api/v1/systems/{id}", patch_system, arg)) < 0 ||
	    (rc = rq_http_router_add(router, "DELETE", "/api/v1/systems/{id}", delete_system, arg)) < 0)
		return rc;
	return rq_http_router_add(router, "POST", "/api/v1/systems/{id}/dossier", dossier_step, arg);
}
