/*
 * Handlers of the NCSC submissions (ncsc.h). A report holds every machine
 * of the province, so reading the log is a read of the whole province
 * (allowed to callers whose unit is the whole province, through the authz
 * table), and making one is a system action (administrators).
 */
#include "api/ncsc.h"

#include <stdlib.h>
#include <string.h>

#include "api/admin.h"
#include "config/config.h"
#include "ncsc/queue.h"
#include "store/ncsc.h"

static json_t *time_or_null(int64_t t)
{
	return t > 0 ? json_integer((json_int_t)t) : json_null();
}

static json_t *submission_json(const rq_ncsc_submission *r)
{
	return json_pack("{s:I, s:s, s:s, s:o, s:I, s:I, s:I, s:o, s:o, s:o, s:s, s:I, s:s, s:o, s:s, s:s}", "id",
			 (json_int_t)r->id, "state", r->state, "made_by", r->made_by, "schedule_slot",
			 time_or_null(r->schedule_slot), "report_time", (json_int_t)r->report_time, "created_at",
			 (json_int_t)r->created_at, "attempts", (json_int_t)r->attempts, "next_attempt_at",
			 time_or_null(r->next_attempt_at), "last_attempt_at", time_or_null(r->last_attempt_at), "sent_at",
			 time_or_null(r->sent_at), "url", r->url, "size", (json_int_t)r->size, "sha256", r->sha256,
			 "http_status", r->http_status ? json_integer((json_int_t)r->http_status) : json_null(),
			 "response_excerpt", r->response_excerpt, "last_error", r->last_error);
}

/*
 * 0 when the caller may read the whole province's report; -1 with a 403.
 * The report's scope is the caller's own when the caller's unit is the
 * whole province (unit 0), another's otherwise.
 */
static int allow_province_read(const rq_caller *c, rq_http_resp *resp)
{
	rq_scope scope = c->unit_id == 0 ? RQ_SCOPE_OWN : RQ_SCOPE_OTHER;
	if (rq_authz_allows(c->role, RQ_ACT_READ, scope))
		return 0;
	rq_http_resp_error(resp, 403, "forbidden",
			   "reports to the national centre cover the whole province: only administrators and "
			   "province-wide viewers may read them");
	return -1;
}

static int append_submission(const rq_ncsc_submission *r, void *payload)
{
	json_t *o = submission_json(r);
	return o && !json_array_append_new(payload, o) ? 0 : -1;
}

static int list_submissions(const rq_http_req *req, rq_http_resp *resp, void *arg)
{
	rq_caller c;
	int64_t limit = 0, offset = 0, total = 0;
	json_t *items = NULL;
	int rc;
	if (rq_admin_begin(arg, req, resp, &c) || allow_province_read(&c, resp) ||
	    rq_admin_paging(req, resp, &limit, &offset))
		goto done;
	items = json_array();
	rc = items ? rq_store_ncsc_list(c.store, limit, offset, &total, append_submission, items) : RQ_ENOMEM;
	if (rc < 0)
		rq_api_store_error(resp, rc, "listing the reports to the national centre");
	else
		rq_admin_list_reply(resp, json_incref(items), total, limit, offset);
done:
	json_decref(items);
	return 0;
}

typedef struct one {
	json_t *json;
	char *document;
	size_t len;
} one;

static int keep_one(const rq_ncsc_submission *r, void *payload)
{
	one *o = payload;
	o->json = submission_json(r);
	if (r->document) {
		o->len = strlen(r->document);
		o->document = strdup(r->document);
		if (!o->document)
			return -1;
	}
	return o->json ? 0 : -1;
}

/* The submission {id} (with its document if asked) when the caller may read it. */
static int load_one(const rq_http_req *req, rq_http_resp *resp, void *arg, int with_document, one *o)
{
	rq_caller c;
	int64_t id = 0;
	int rc;
	memset(o, 0, sizeof(*o));
	if (rq_admin_begin(arg, req, resp, &c) || allow_province_read(&c, resp) ||
	    rq_admin_id_param(req, resp, "id", &id))
		return -1;
	rc = rq_store_ncsc_get(c.store, id, with_document, keep_one, o);
	if (rc == RQ_ENOTFOUND) {
		rq_http_resp_error(resp, 404, "not_found", "no submission %lld", (long long)id);
		return -1;
	}
	if (rc < 0) {
		rq_api_store_error(resp, rc, "reading the submission");
		return -1;
	}
	return 0;
}

static int get_submission(const rq_http_req *req, rq_http_resp *resp, void *arg)
{
	one o;
	if (!load_one(req, resp, arg, 0, &o))
		rq_http_resp_json(resp, 200, json_incref(o.json));
	json_decref(o.json);
	free(o.document);
	return 0;
}

static int get_document(const rq_http_req *req, rq_http_resp *resp, void *arg)
{
	one o;
	if (!load_one(req, resp, arg, 1, &o))
		rq_http_resp_bytes(resp, 200, "text/xml; charset=utf-8", o.document, o.len);
	json_decref(o.json);
	free(o.document);
	return 0;
}

typedef struct audit_args {
	const rq_caller *c;
} audit_args;

static int audit_submission(rq_store *s, int64_t id, void *payload)
{
	audit_args *a = payload;
	return rq_admin_audit(s, a->c, "ncsc.submit", "ncsc_submission", id, 0, NULL);
}

static int create_submission(const rq_http_req *req, rq_http_resp *resp, void *arg)
{
	const rq_api_ctx *ctx = arg;
	rq_caller c;
	audit_args a = { &c };
	int64_t id = 0;
	one o;
	int rc;
	memset(&o, 0, sizeof(o));
	if (rq_admin_begin(ctx, req, resp, &c) || rq_admin_allow(&c, resp, RQ_ACT_SYSTEM, 0))
		goto done;
	if (!ctx->config || !ctx->config->ncsc_url || !*ctx->config->ncsc_url) {
		rq_http_resp_error(resp, 409, "not_configured",
				   "reporting to the national centre is off: set [ncsc] url and the agency's identity "
				   "and certificate in the configuration (docs/ncsc.md)");
		goto done;
	}
	rc = rq_ncsc_enqueue(c.store, ctx->config, rq_api_now(), c.login, 0, &id, audit_submission, &a);
	if (rc == RQ_EINVAL || rc == RQ_ERROR) { /* signing or schema: not the store */
		rq_http_resp_error(resp, 500, "report_failed", "%s", rq_error_last());
		goto done;
	}
	if (rc == 0)
		rc = rq_store_ncsc_get(c.store, id, 0, keep_one, &o);
	if (rc < 0) {
		rq_api_store_error(resp, rc, "queueing the report");
		goto done;
	}
	rq_http_resp_json(resp, 201, json_incref(o.json));
done:
	json_decref(o.json);
	return 0;
}

int rq_api_ncsc_routes(rq_http_router *router, const rq_api_ctx *ctx)
{
	void *c = (void *)ctx;
	int rc;
	if ((rc = rq_http_router_add(router, "GET", "/api/v1/ncsc/submissions", list_submissions, c)) ||
	    (rc = rq_http_router_add(router, "POST", "/api/v1/ncsc/submissions", create_submission, c)) ||
	    (rc = rq_http_router_add(router, "GET", "/api/v1/ncsc/submissions/{id}", get_submission, c)) ||
	    (rc = rq_http_router_add(router, "GET", "/api/v1/ncsc/submissions/{id}/document", get_document, c)))
		return rc;
	return 0;
}
