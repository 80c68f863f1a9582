/*
 * JSON request bodies checked against a field spec: the parser (jansson)
 * rejects malformed JSON, duplicate keys and NUL characters; the checker
 * rejects unknown fields, wrong types, missing required fields, strings
 * and arrays over their bounds -- each with a reason naming the field
 * ("events[3].sha256: expected a string"). Handlers then read the
 * json_t with jansson's getters, knowing the types hold.
 */
#ifndef RQ_SERVER_HTTP_JSON_H
#define RQ_SERVER_HTTP_JSON_H

#include <stddef.h>

#include <jansson.h>

#include "http/http.h"

typedef enum rq_json_type {
	RQ_JSON_ANY = 0,
	RQ_JSON_STRING,
	RQ_JSON_INT,     /* a JSON integer (no fraction, no exponent) */
	RQ_JSON_NUMBER,  /* integer or real */
	RQ_JSON_BOOL,
	RQ_JSON_OBJECT,  /* checked against `fields` when set */
	RQ_JSON_ARRAY,   /* elements checked against `elem` when set */
} rq_json_type;

/*
 * One field of an object spec; a spec is an array ended by { .name = NULL }.
 * Bounds: `max` is the longest string (bytes; 0: RQ_JSON_DEFAULT_MAX_STRING)
 * or the most array elements (0: unbounded -- the body limit bounds it);
 * `min`/`max` bound RQ_JSON_INT when `max` > `min` (inclusive).
 * `nullable` accepts null in place of the value. Write specs with at least
 * one designated member ({ "load", RQ_JSON_NUMBER, .required = 0 }): gcc's
 * -Wextra flags brace lists that stop early without one.
 */
typedef struct rq_json_field {
	const char *name;
	rq_json_type type;
	int required;
	int nullable;
	long long min, max;
	const struct rq_json_field *fields;  /* RQ_JSON_OBJECT: its spec */
	const struct rq_json_field *elem;    /* RQ_JSON_ARRAY: spec of one element
					      * (name ignored, e.g. {"", RQ_JSON_OBJECT, .fields = ...}) */
} rq_json_field;

/* Why a body was refused: `error` is a stable code, `reason` names the field. */
typedef struct rq_json_error {
	unsigned status;         /* 400 or 413 */
	const char *error;       /* "bad_json", "too_large", "unknown_field",
				  * "wrong_type", "missing_field", "out_of_range" */
	char reason[256];
} rq_json_error;

/*
 * Parse `len` bytes (need not be NUL-terminated) as one JSON object,
 * refusing bodies over `max_len` bytes, and check it against `spec`
 * (NULL: any object). 0 with *out set (free with json_decref); RQ_EPARSE
 * or RQ_ELIMIT with `err` filled and *out NULL. Pure: no I/O, fuzzable.
 */
int rq_json_parse_object(const char *data, size_t len, size_t max_len,
			 const rq_json_field *spec, json_t **out, rq_json_error *err);

/* Check an already parsed value against `spec` ("body" names the root). */
int rq_json_check(const json_t *obj, const rq_json_field *spec, rq_json_error *err);

/*
 * Parse the request body with rq_json_parse_object (max: the body as
 * received, already bounded by the server's body_limit). On failure fills
 * `resp` with the 400/413 error and returns its code, so a handler can
 * simply pass the code up: the layer then sends `resp` as filled.
 */
int rq_http_json_body(const rq_http_req *req, rq_http_resp *resp, const rq_json_field *spec,
		      json_t **out);

#endif
