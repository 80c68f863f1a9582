/*
 * libFuzzer harness for raquet-server's JSON request bodies
 * (server/http/json.c): arbitrary bytes through the parser and a nested
 * field spec, then the 400/413 error response built from the refusal.
 * Accepted bodies must satisfy the spec's types.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const rq_json_field detection[] = {
	{ "path", RQ_JSON_STRING, .required = 1, .max = 4096 },
	{ "sha256", RQ_JSON_STRING, .required = 1, .max = 64 },
	{ "size", RQ_JSON_INT, .min = 0, .max = 1LL << 40 },
	{ "state", RQ_JSON_STRING, .nullable = 1 },
	{ .name = NULL },
};
static const rq_json_field detection_elem = { "", RQ_JSON_OBJECT, .fields = detection };
static const rq_json_field tag_elem = { "", RQ_JSON_STRING, .max = 32 };
static const rq_json_field host[] = {
	{ "name", RQ_JSON_STRING, .required = 1 },
	{ "ips", RQ_JSON_ARRAY, .max = 16, .elem = &tag_elem },
	{ .name = NULL },
};
static const rq_json_field spec[] = {
	{ "id", RQ_JSON_STRING, .required = 1, .max = 36 },
	{ "seq", RQ_JSON_INT, .min = 1, .max = 1000 },
	{ "load", RQ_JSON_NUMBER, .required = 0 },
	{ "realtime", RQ_JSON_BOOL, .required = 0 },
	{ "extra", RQ_JSON_ANY, .required = 0 },
	{ "host", RQ_JSON_OBJECT, .fields = host },
	{ "detections", RQ_JSON_ARRAY, .max = 1000, .elem = &detection_elem },
	{ .name = NULL },
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *obj = NULL;
	rq_json_error err;
	rq_http_req req = { .method = "POST", .path = "/fuzz", .body = (const char *)data,
			    .body_len = size };
	rq_http_resp resp = { 0 };

	int rc = rq_json_parse_object((const char *)data, size, 60000, spec, &obj, &err);
	if (rc == 0) {
		if (!json_is_object(obj) || !json_is_string(json_object_get(obj, "id")))
			abort();
		json_t *seq = json_object_get(obj, "seq");
		if (seq && (!json_is_integer(seq) || json_integer_value(seq) < 1 ||
			    json_integer_value(seq) > 1000))
			abort();
		json_decref(obj);
	} else if (obj || (err.status != 400 && err.status != 413) || !err.error ||
		   !memchr(err.reason, '\0', sizeof(err.reason))) {
		abort();
	}
	/* the same through the handler helper: a filled 400/413 or a parsed body */
	obj = NULL;
	rc = rq_http_json_body(&req, &resp, spec, &obj);
	if (rc < 0 && (resp.status < 400 || !resp.body))
		abort();
	json_decref(obj);
	rq_http_resp_reset(&resp);
	return 0;
}
