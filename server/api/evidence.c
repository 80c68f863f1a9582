/*
 * Admin API handlers of the evidence files (evidence.h). Uploading is
 * RQ_ACT_OPERATE at the file's unit, reading and downloading RQ_ACT_READ,
 * deleting RQ_ACT_OPERATE (auth/authz.c). The bytes are checked before
 * anything is kept: size (413), type by content (415), name cleaned; the
 * SHA-256 is computed here and kept with them. A download is always
 * "Content-Disposition: attachment" with the kept media type, and the
 * server adds "X-Content-Type-Options: nosniff" to every answer.
 */
#include "api/evidence.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/admin.h"
#include "api/attachment.h"
#include "api/campaigns.h"
#include "campaign/evidence.h"
#include "db/dbfs.h"
#include "store/systems.h"

json_t *rq_api_evidence_json(const rq_evidence *e)
{
	return json_pack("{s:I, s:s, s:s, s:s, s:I, s:s, s:o, s:I}", "id", (json_int_t)e->id, "subject", e->subject,
			 "file_name", e->file_name, "media_type", e->media_type, "size", (json_int_t)e->size, "sha256",
			 e->sha256, "uploaded_by",
			 e->uploaded_by_login ? json_string(e->uploaded_by_login) : json_null(), "uploaded_at",
			 (json_int_t)e->uploaded_at);
}

int rq_api_evidence_list_add(const rq_evidence *e, void *payload)
{
	return json_array_append_new(payload, rq_api_evidence_json(e)) < 0;
}

typedef struct add_args {
	const rq_caller *c;
	rq_evidence e;
	int64_t id;
} add_args;

static int add_tx(rq_store *s, void *payload)
{
	add_args *a = payload;
	int rc = rq_store_evidence_add(s, &a->e, &a->id);
	if (rc == 0)
		rc = rq_admin_audit(s, a->c, "evidence.upload", "evidence", a->id, a->e.unit_id,
				    json_pack("{s:s, s:s, s:I, s:s, s:I, s:I}", "subject", a->e.subject, "file_name",
					      a->e.file_name, "size", (json_int_t)a->e.content_len, "sha256", a->e.sha256,
					      "campaign", (json_int_t)a->e.campaign_id, "system",
					      (json_int_t)a->e.system_id));
	return rc;
}

/* Check and keep the request's body as evidence of `subject`. */
static int upload(const rq_caller *c, const rq_http_req *req, rq_http_resp *resp, int64_t unit_id,
		  int64_t campaign_id, int64_t system_id, const char *subject)
{
	char name[RQ_EVIDENCE_NAME_MAX + 1], sha[65];
	if (req->body_len == 0) {
		rq_http_resp_error(resp, 400, "bad_request", "the body must be the file");
		return 0;
	}
	if (req->body_len > RQ_EVIDENCE_MAX_BYTES) {
		rq_http_resp_error(resp, 413, "too_large", "files of at most %u bytes", RQ_EVIDENCE_MAX_BYTES);
		return 0;
	}
	int type = rq_evidence_sniff((const unsigned char *)req->body, req->body_len);
	if (type < 0) {
		rq_http_resp_error(resp, 415, "unsupported_type",
				   "the file is not a PDF, PNG, JPEG, DOCX, XLSX or ODT document");
		return 0;
	}
	rq_evidence_clean_name(rq_http_query(req, "name"), (rq_evidence_type)type, name);
	rq_sha256_hex((const uint8_t *)req->body, req->body_len, sha);
	add_args a = {.c = c,
		      .e = {.unit_id = unit_id,
			    .campaign_id = campaign_id,
			    .system_id = system_id,
			    .subject = subject,
			    .file_name = name,
			    .media_type = rq_evidence_media_type((rq_evidence_type)type),
			    .sha256 = sha,
			    .size = (int64_t)req->body_len,
			    .uploaded_by = c->user_id,
			    .uploaded_by_login = c->login,
			    .uploaded_at = rq_api_now(),
			    .content = req->body,
			    .content_len = req->body_len}};
	int rc = rq_store_transact(c->store, add_tx, &a);
	if (rc < 0)
		return rq_api_store_error(resp, rc, "keeping the file");
	a.e.id = a.id;
	return rq_http_resp_json(resp, 201, rq_api_evidence_json(&a.e));
}

/* The `subject` query parameter among `allowed`: its index, or -1 with 400. */
static int subject_param(const rq_http_req *req, rq_http_resp *resp, const char *const *allowed)
{
	const char *v = rq_http_query(req, "subject");
	for (int i = 0; v && allowed[i]; i++)
		if (!strcmp(v, allowed[i]))
			return i;
	rq_http_resp_error(resp, 400, "bad_request", "query parameter subject: expected %s or %s", allowed[0],
			   allowed[1]);
	return -1;
}

static int upload_item(const rq_http_req *req, rq_http_resp *resp, void *arg)
{
	static const char *const subjects[] = {"training", "response_plan", "report", NULL};
	rq_caller c;
	rq_campaign_copy camp;
	int64_t id, unit;
	int subject;
	if (rq_admin_begin(arg, req, resp, &c) || rq_admin_id_param(req, resp, "id", &id) ||
	    rq_admin_id_param(req, resp, "unit", &unit) ||
	    rq_api_campaign_unit(&c, resp, id, unit, RQ_ACT_OPERATE, &camp) || rq_api_campaign_open(&camp, resp) ||
	    (subject = subject_param(req, resp, subjects)) < 0)
		return 0;
	return upload(&c, req, resp, unit, id, 0, subjects[subject]);
}

typedef struct sys_unit {
	int64_t unit_id;
} sys_unit;

static int take_unit(const rq_info_system *x, void *payload)
{
	((sys_unit *)payload)->unit_id = x->unit_id;
	return 0;
}

static int upload_system(const rq_http_req *req, rq_http_resp *resp, void *arg)
{
	static const char *const subjects[] = {"dossier", "regulation", NULL};
	rq_caller c;
	sys_unit su = {0};
	int64_t id;
	int subject, rc;
	if (rq_admin_begin(arg, req, resp, &c) || rq_admin_id_param(req, resp, "id", &id))
		return 0;
	if ((rc = rq_store_system_get(c.store, id, take_unit, &su)) == RQ_ENOTFOUND) {
		rq_http_resp_error(resp, 404, "not_found", "no system %lld", (long long)id);
		return 0;
	}
	if (rc < 0)
		return rq_api_store_error(resp, rc, "reading the system");
	if (rq_admin_allow(&c, resp, RQ_ACT_OPERATE, su.unit_id) || (subject = subject_param(req, resp, subjects)) < 0)
		return 0;
	return upload(&c, req, resp, su.unit_id, 0, id, subjects[subject]);
}

/* A file's metadata and (with_content) bytes, copied for the handler. */
typedef struct one_file {
	int with_content;
	json_t *meta;
	int64_t unit_id, campaign_id;
	char name[RQ_EVIDENCE_NAME_MAX + 1], media_type[128];
	void *content;
	size_t len;
} one_file;

static int take_file(const rq_evidence *e, void *payload)
{
	one_file *f = payload;
	f->meta = rq_api_evidence_json(e);
	f->unit_id = e->unit_id;
	f->campaign_id = e->campaign_id;
	snprintf(f->name, sizeof(f->name), "%s", e->file_name);
	snprintf(f->media_type, sizeof(f->media_type), "%s", e->media_type);
	if (f->with_content && e->content_len) {
		f->content = malloc(e->content_len);
		if (!f->content)
			return 1;
		memcpy(f->content, e->content, e->content_len);
		f->len = e->content_len;
	}
	return f->meta == NULL;
}

/* Read file {id} for the caller doing `action`: 0, or -1 with resp. */
static int read_file(const rq_http_req *req, rq_http_resp *resp, void *arg, rq_caller *c, rq_action action,
		     one_file *f)
{
	int64_t id;
	int rc;
	if (rq_admin_begin(arg, req, resp, c) || rq_admin_id_param(req, resp, "id", &id))
		return -1;
	rc = rq_store_evidence_get(c->store, id, f->with_content, take_file, f);
	if (rc == RQ_ENOTFOUND) {
		rq_http_resp_error(resp, 404, "not_found", "no file %lld", (long long)id);
		return -1;
	}
	if (rc < 0) {
		rq_api_store_error(resp, rc == RQ_ESTOPPED ? RQ_ENOMEM : rc, "reading the file");
		return -1;
	}
	return rq_admin_allow(c, resp, action, f->unit_id);
}

static int download(const rq_http_req *req, rq_http_resp *resp, void *arg)
{
	rq_caller c;
	one_file f = {.with_content = 1};
	int rc = 0;
	if (read_file(req, resp, arg, &c, RQ_ACT_READ, &f))
		goto done;
	if ((rc = rq_http_resp_bytes(resp, 200, f.media_type, f.content ? f.content : "", f.len)) == 0)
		rc = rq_api_attachment(resp, NULL, f.name);
done:
	json_decref(f.meta);
	free(f.content);
	return rc;
}

static int get_meta(const rq_http_req *req, rq_http_resp *resp, void *arg)
{
	rq_caller c;
	one_file f = {.with_content = 0};
	if (read_file(req, resp, arg, &c, RQ_ACT_READ, &f) == 0) {
		rq_http_resp_json(resp, 200, f.meta);
		f.meta = NULL;
	}
	json_decref(f.meta);
	return 0;
}

typedef struct del_args {
	const rq_caller *c;
	int64_t id, unit_id;
} del_args;

static int delete_tx(rq_store *s, void *payload)
{
	del_args *a = payload;
	int rc = rq_store_evidence_delete(s, a->id);
	if (rc == 0)
		rc = rq_admin_audit(s, a->c, "evidence.delete", "evidence", a->id, a->unit_id, NULL);
	return rc;
}

static int delete_file(const rq_http_req *req, rq_http_resp *resp, void *arg)
{
	rq_caller c;
	one_file f = {.with_content = 0};
	int rc = 0;
	rq_campaign_copy camp;
	/* the files of a campaign go only while it takes records */
	if (read_file(req, resp, arg, &c, RQ_ACT_OPERATE, &f) == 0 &&
	    (f.campaign_id == 0 ||
	     (rq_api_campaign_unit(&c, resp, f.campaign_id, f.unit_id, RQ_ACT_OPERATE, &camp) == 0 &&
	      rq_api_campaign_open(&camp, resp) == 0))) {
		del_args a = {.c = &c, .id = json_integer_value(json_object_get(f.meta, "id")), .unit_id = f.unit_id};
		if ((rc = rq_store_transact(c.store, delete_tx, &a)) < 0)
			rc = rq_api_store_error(resp, rc, "deleting the file");
		else
			rc = rq_http_resp_bytes(resp, 204, "application/json", "", 0);
	}
	json_decref(f.meta);
	return rc;
}

int rq_api_evidence_routes(rq_http_router *router, const rq_api_ctx *ctx)
{
	void *arg = (void *)ctx;
	int rc;
	if ((rc = rq_http_router_add(router, "POST", "/api/v1/campaigns/{id}/units/{unit}/evidence", upload_item,
				     arg)) < 0 ||
	    (rc = rq_http_router_add(router, "POST", "/api/v1/systems/{id}/evidence", upload_system, arg)) < 0 ||
	    (rc = rq_http_router_add(router, "GET", "/api/v1/evidence/{id}", get_meta, arg)) < 0 ||
	    (rc = rq_http_router_add(router, "GET", "/api/v1/evidence/{id}/file", download, arg)) < 0)
		return rc;
	return rq_http_router_add(router, "DELETE", "/api/v1/evidence/{id}", delete_file, arg);
}
