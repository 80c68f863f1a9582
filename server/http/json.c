/*
 * Parsing and checking JSON request bodies against field specs (see
 * json.h): jansson does the syntax, this file the shape, and every
 * refusal says which field and why.
 */
#include "http/json.h"

#include <stdio.h>
#include <string.h>

static const char *type_name(rq_json_type t)
{
	switch (t) {
	case RQ_JSON_STRING: return "a string";
	case RQ_JSON_INT: return "an integer";
	case RQ_JSON_NUMBER: return "a number";
	case RQ_JSON_BOOL: return "true or false";
	case RQ_JSON_OBJECT: return "an object";
	case RQ_JSON_ARRAY: return "an array";
	default: return "a value";
	}
}

static int refuse(rq_json_error *err, int code, unsigned status, const char *error,
		  const char *fmt, const char *where, const char *extra)
{
	err->status = status;
	err->error = error;
	snprintf(err->reason, sizeof(err->reason), fmt, where, extra);
	return code;
}

static int type_ok(const json_t *v, rq_json_type t)
{
	switch (t) {
	case RQ_JSON_STRING: return json_is_string(v);
	case RQ_JSON_INT: return json_is_integer(v);
	case RQ_JSON_NUMBER: return json_is_number(v);
	case RQ_JSON_BOOL: return json_is_boolean(v);
	case RQ_JSON_OBJECT: return json_is_object(v);
	case RQ_JSON_ARRAY: return json_is_array(v);
	default: return 1;
	}
}

static int check_value(const json_t *v, const rq_json_field *f, const char *where, int depth,
		       rq_json_error *err);

static int check_object(const json_t *obj, const rq_json_field *spec, const char *where,
			int depth, rq_json_error *err)
{
	int rc = 0;
	const char *key;
	json_t *val;
	char sub[192];

	if (!spec)
		goto done;
	json_object_foreach((json_t *)obj, key, val) {
		const rq_json_field *f = NULL;
		for (const rq_json_field *s = spec; s->name; s++)
			if (!strcmp(s->name, key))
				f = s;
		if (*where)
			snprintf(sub, sizeof(sub), "%s.%.64s", where, key);
		else
			snprintf(sub, sizeof(sub), "%.64s", key);
		if (!f) {
			rc = refuse(err, RQ_EPARSE, 400, "unknown_field", "%s: unknown field%s", sub,
				    "");
			goto done;
		}
		rc = check_value(val, f, sub, depth + 1, err);
		if (rc < 0)
			goto done;
	}
	for (const rq_json_field *s = spec; s->name; s++) {
		if (s->required && !json_object_get(obj, s->name)) {
			if (*where)
				snprintf(sub, sizeof(sub), "%s.%s", where, s->name);
			else
				snprintf(sub, sizeof(sub), "%s", s->name);
			rc = refuse(err, RQ_EPARSE, 400, "missing_field", "%s: required field%s",
				    sub, " missing");
			goto done;
		}
	}
done:
	return rc;
}

static int check_value(const json_t *v, const rq_json_field *f, const char *where, int depth,
		       rq_json_error *err)
{
	int rc = 0;
	char sub[192];

	if (depth > RQ_JSON_MAX_DEPTH) {
		rc = refuse(err, RQ_EPARSE, 400, "bad_json", "%s: nested too deeply%s", where, "");
		goto done;
	}
	if (json_is_null(v) && f->nullable)
		goto done;
	if (!type_ok(v, f->type)) {
		rc = refuse(err, RQ_EPARSE, 400, "wrong_type", "%s: expected %s", where,
			    type_name(f->type));
		goto done;
	}
	switch (f->type) {
	case RQ_JSON_STRING: {
		size_t max = f->max > 0 ? (size_t)f->max : RQ_JSON_DEFAULT_MAX_STRING;
		if (json_string_length(v) > max) {
			char lim[32];
			snprintf(lim, sizeof(lim), "%zu", max);
			rc = refuse(err, RQ_EPARSE, 400, "out_of_range",
				    "%s: string longer than %s bytes", where, lim);
		}
		break;
	}
	case RQ_JSON_INT:
		if (f->max > f->min) {
			long long n = json_integer_value(v);
			if (n < f->min || n > f->max) {
				char lim[64];
				snprintf(lim, sizeof(lim), "%lld..%lld", f->min, f->max);
				rc = refuse(err, RQ_EPARSE, 400, "out_of_range",
					    "%s: outside %s", where, lim);
			}
		}
		break;
	case RQ_JSON_OBJECT:
		rc = check_object(v, f->fields, where, depth, err);
		break;
	case RQ_JSON_ARRAY: {
		size_t n = json_array_size(v);
		if (f->max > 0 && n > (size_t)f->max) {
			char lim[32];
			snprintf(lim, sizeof(lim), "%lld", f->max);
			rc = refuse(err, RQ_EPARSE, 400, "out_of_range",
				    "%s: more than %s elements", where, lim);
			goto done;
		}
		if (!f->elem)
			break;
		for (size_t i = 0; i < n; i++) {
			snprintf(sub, sizeof(sub), "%.150s[%zu]", where, i);
			rc = check_value(json_array_get(v, i), f->elem, sub, depth + 1, err);
			if (rc < 0)
				goto done;
		}
		break;
	}
	default:
		break;
	}
done:
	return rc;
}

int rq_json_check(const json_t *obj, const rq_json_field *spec, rq_json_error *err)
{
	if (!json_is_object(obj))
		return refuse(err, RQ_EPARSE, 400, "wrong_type", "%s: expected %s", "body",
			      "a JSON object");
	return check_object(obj, spec, "", 0, err);
}

int rq_json_parse_object(const char *data, size_t len, size_t max_len,
			 const rq_json_field *spec, json_t **out, rq_json_error *err)
{
	int rc = 0;
	json_t *root = NULL;
	json_error_t jerr;

	*out = NULL;
	memset(err, 0, sizeof(*err));
	if (len > max_len) {
		char lim[32];
		snprintf(lim, sizeof(lim), "%zu", max_len);
		rc = refuse(err, RQ_ELIMIT, 413, "too_large", "%s: larger than %s bytes", "body",
			    lim);
		goto done;
	}
	if (len == 0) {
		rc = refuse(err, RQ_EPARSE, 400, "bad_json", "%s: empty, expected %s", "body",
			    "a JSON object");
		goto done;
	}
	root = json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		char where[48];
		snprintf(where, sizeof(where), "body:%d:%d", jerr.line, jerr.column);
		rc = refuse(err, RQ_EPARSE, 400, "bad_json", "%s: %s", where, jerr.text);
		goto done;
	}
	rc = rq_json_check(root, spec, err);
	if (rc < 0)
		goto done;
	*out = root;
	root = NULL;
done:
	json_decref(root);
	return rc;
}

int rq_http_json_body(const rq_http_req *req, rq_http_resp *resp, const rq_json_field *spec,
		      json_t **out)
{
	rq_json_error err;
	int rc = rq_json_parse_object(req->body, req->body_len, req->body_len, spec, out, &err);
	if (rc < 0) {
		int rc2 = rq_http_resp_error(resp, err.status, err.error, "%s", err.reason);
		if (rc2 < 0)
			rc = rc2;
	}
	return rc;
}
