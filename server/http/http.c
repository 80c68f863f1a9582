/*
 * Request accessors and response builders of raquet-server's HTTP layer
 * (see http.h). Values come from libmicrohttpd, which has already
 * percent-decoded them within its per-connection memory bound.
 */
#include "http/http.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <microhttpd.h>

static const char *bounded(const char *v)
{
	if (v && strnlen(v, RQ_HTTP_MAX_VALUE + 1) > RQ_HTTP_MAX_VALUE)
		return NULL;
	return v;
}

const char *rq_http_param(const rq_http_req *req, const char *name)
{
	for (size_t i = 0; i < req->param_count; i++)
		if (!strcmp(req->param_names[i], name))
			return req->param_values[i];
	return NULL;
}

static const char *lookup(const rq_http_req *req, enum MHD_ValueKind kind, const char *name)
{
	if (!req->conn)
		return NULL;
	return bounded(MHD_lookup_connection_value(req->conn, kind, name));
}

const char *rq_http_header_get(const rq_http_req *req, const char *name)
{
	return lookup(req, MHD_HEADER_KIND, name);
}

const char *rq_http_cookie(const rq_http_req *req, const char *name)
{
	return lookup(req, MHD_COOKIE_KIND, name);
}

const char *rq_http_query(const rq_http_req *req, const char *name)
{
	return lookup(req, MHD_GET_ARGUMENT_KIND, name);
}

int rq_http_query_uint(const rq_http_req *req, rq_http_resp *resp, const char *name,
		       unsigned long long min, unsigned long long max, unsigned long long def,
		       unsigned long long *out)
{
	int rc = 0;
	const char *v = rq_http_query(req, name);
	*out = def;
	if (!v)
		goto done;
	size_t digits = strspn(v, "0123456789");
	unsigned long long n = 0;
	errno = 0;
	if (digits > 0 && digits == strlen(v) && digits <= 19)
		n = strtoull(v, NULL, 10);
	if (digits == 0 || digits != strlen(v) || digits > 19 || errno || n < min || n > max) {
		rq_http_resp_error(resp, 400, "bad_request",
				   "query parameter %s: expected a whole number from %llu to %llu",
				   name, min, max);
		rc = rq_fail(RQ_EINVAL, "query parameter %s out of range", name);
		goto done;
	}
	*out = n;
done:
	return rc;
}

const char *rq_http_client_addr(const rq_http_req *req)
{
	return req->client_addr ? req->client_addr : "?";
}

void rq_http_resp_reset(rq_http_resp *resp)
{
	if (resp->has_file)
		close(resp->file_fd);
	free(resp->body);
	for (size_t i = 0; i < resp->header_count; i++) {
		free(resp->headers[i].name);
		free(resp->headers[i].value);
	}
	memset(resp, 0, sizeof(*resp));
}

/* Replace the body, keeping the headers already set. */
static void set_body(rq_http_resp *resp, unsigned status, const char *type, char *body,
		     size_t len)
{
	free(resp->body);
	resp->body = body;
	resp->body_len = len;
	resp->status = status;
	snprintf(resp->content_type, sizeof(resp->content_type), "%s", type);
}

int rq_http_resp_json(rq_http_resp *resp, unsigned status, json_t *json)
{
	int rc = 0;
	char *text = json ? json_dumps(json, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
	if (!text) {
		rc = rq_fail(RQ_ENOMEM, "cannot encode the JSON response");
		goto done;
	}
	set_body(resp, status, "application/json", text, strlen(text));
done:
	json_decref(json);
	return rc;
}

int rq_http_resp_error(rq_http_resp *resp, unsigned status, const char *error,
		       const char *reason_fmt, ...)
{
	char reason[512];
	va_list ap;
	va_start(ap, reason_fmt);
	vsnprintf(reason, sizeof(reason), reason_fmt, ap);
	va_end(ap);
	json_t *obj = json_pack("{s:s, s:s}", "error", error, "reason", reason);
	if (!obj) /* reason not UTF-8 (it quoted hostile input): keep the code */
		obj = json_pack("{s:s, s:s}", "error", error, "reason", "(reason not UTF-8)");
	return rq_http_resp_json(resp, status, obj);
}

int rq_http_resp_bytes(rq_http_resp *resp, unsigned status, const char *content_type,
		       const void *data, size_t len)
{
	char *copy = malloc(len ? len : 1);
	if (!copy)
		return rq_fail(RQ_ENOMEM, "out of memory");
	if (len)
		memcpy(copy, data, len);
	set_body(resp, status, content_type, copy, len);
	return 0;
}

int rq_http_resp_file(rq_http_resp *resp, unsigned status, const char *content_type, int fd,
		      unsigned long long size)
{
	if (resp->has_file)
		close(resp->file_fd);
	free(resp->body);
	resp->body = NULL;
	resp->body_len = 0;
	resp->status = status;
	snprintf(resp->content_type, sizeof(resp->content_type), "%s", content_type);
	resp->has_file = 1;
	resp->file_fd = fd;
	resp->file_size = size;
	resp->cacheable = 1;
	return 0;
}

int rq_http_resp_header(rq_http_resp *resp, const char *name, const char *value)
{
	int rc = 0;
	if (strpbrk(name, "\r\n: ") || strpbrk(value, "\r\n") || !*name) {
		rc = rq_fail(RQ_EINVAL, "response header %s: bad name or value", name);
		goto done;
	}
	if (resp->header_count == RQ_HTTP_MAX_RESP_HEADERS) {
		rc = rq_fail(RQ_ELIMIT, "more than %d response headers", RQ_HTTP_MAX_RESP_HEADERS);
		goto done;
	}
	rq_http_header *h = &resp->headers[resp->header_count];
	h->name = strdup(name);
	h->value = strdup(value);
	if (!h->name || !h->value) {
		free(h->name);
		free(h->value);
		h->name = h->value = NULL;
		rc = rq_fail(RQ_ENOMEM, "out of memory");
		goto done;
	}
	resp->header_count++;
done:
	return rc;
}
