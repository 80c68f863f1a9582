/*
 * The request and response of raquet-server's HTTP layer, as handlers see
 * them: the handler type, read-only accessors for path parameters, headers,
 * cookies, query parameters and the client address, and the helpers that
 * fill a response (JSON, errors, headers). Overview: docs/server.md.
 */
#ifndef RQ_SERVER_HTTP_H
#define RQ_SERVER_HTTP_H

#include <stddef.h>

#include <jansson.h>

#include "config/limits.h"
#include "core/error.h"

struct MHD_Connection;

/*
 * One request. Every pointer is owned by the HTTP layer and valid until the
 * handler returns; copy what must live longer.
 */
typedef struct rq_http_req {
	const char *method;      /* "GET", "POST", ... */
	const char *path;        /* decoded path, no query string */
	const char *body;        /* NUL-terminated (the NUL is not counted); "" if none */
	size_t body_len;
	size_t param_count;      /* path parameters matched by the router */
	const char *param_names[RQ_HTTP_MAX_PARAMS];
	const char *param_values[RQ_HTTP_MAX_PARAMS];
	const char *client_addr; /* numeric peer address ("127.0.0.1", "::1") */
	struct MHD_Connection *conn; /* private to the HTTP layer (NULL in unit tests) */
} rq_http_req;

/* One response header set by a handler (copies, freed by the layer). */
typedef struct rq_http_header {
	char *name, *value;
} rq_http_header;

/*
 * The response a handler fills. status 0 means "not filled". The layer
 * frees body and headers with rq_http_resp_reset after sending.
 */
typedef struct rq_http_resp {
	unsigned status;
	int has_file;            /* send file_fd (owned) instead of body: rq_http_resp_file */
	int file_fd;
	unsigned long long file_size;
	int cacheable;           /* leave out "Cache-Control: no-store" (static files with ETag) */
	char *body;              /* malloc'd, may be NULL */
	size_t body_len;
	char content_type[128];     /* long enough for the XLSX media type */
	size_t header_count;
	rq_http_header headers[RQ_HTTP_MAX_RESP_HEADERS];
} rq_http_resp;

/*
 * A request handler. Return 0 after filling `resp`. A negative RQ_E* code
 * with `resp` filled (status != 0, e.g. by a JSON body helper that found a
 * bad field) sends that response; with `resp` unfilled it logs
 * rq_error_last() and sends 500 {"error":"internal",...} (no detail leaks).
 */
typedef int (*rq_http_handler)(const rq_http_req *req, rq_http_resp *resp, void *ctx);

/* --- reading the request (values are decoded; NULL when absent or
 *     longer than RQ_HTTP_MAX_VALUE) --- */

/* Path parameter `{name}` of the matched route. */
const char *rq_http_param(const rq_http_req *req, const char *name);
/* Request header (case-insensitive name). */
const char *rq_http_header_get(const rq_http_req *req, const char *name);
/* Cookie value. */
const char *rq_http_cookie(const rq_http_req *req, const char *name);
/* Query parameter (`?name=value`, percent-decoded). */
const char *rq_http_query(const rq_http_req *req, const char *name);
/*
 * Query parameter as a whole number within [min, max]; `def` when absent.
 * On a malformed or out-of-range value fills `resp` with 400 naming the
 * parameter and returns RQ_EINVAL.
 */
int rq_http_query_uint(const rq_http_req *req, rq_http_resp *resp, const char *name,
		       unsigned long long min, unsigned long long max, unsigned long long def,
		       unsigned long long *out);
/* The numeric client address (never NULL). */
const char *rq_http_client_addr(const rq_http_req *req);

/* --- filling the response --- */

/* Free what `resp` holds and make it unfilled again. */
void rq_http_resp_reset(rq_http_resp *resp);

/*
 * Send `json` (any JSON value) with `status`; the reference to `json` is
 * stolen (decref'd here, also on failure). RQ_ENOMEM on failure.
 */
int rq_http_resp_json(rq_http_resp *resp, unsigned status, json_t *json);

/*
 * Send {"error":error,"reason":formatted reason} with `status`. `error` is a
 * short stable code for programs ("not_found", "bad_request",
 * "too_large"...), `reason` one line for people. Returns 0 (RQ_ENOMEM only
 * if even that failed, then the layer sends a bare 500).
 */
int rq_http_resp_error(rq_http_resp *resp, unsigned status, const char *error,
		       const char *reason_fmt, ...) RQ_PRINTF(4, 5);

/* Send `len` bytes (copied) of `content_type`. */
int rq_http_resp_bytes(rq_http_resp *resp, unsigned status, const char *content_type,
		       const void *data, size_t len);

/* Add a response header (copied). RQ_ELIMIT past RQ_HTTP_MAX_RESP_HEADERS;
 * RQ_EINVAL if name or value holds CR, LF or NUL. */
int rq_http_resp_header(rq_http_resp *resp, const char *name, const char *value);

/*
 * Send `size` bytes of the open file `fd` (ownership passes to the response,
 * also on failure) without copying it into memory; cacheable (the handler
 * sets ETag / Last-Modified).
 */
int rq_http_resp_file(rq_http_resp *resp, unsigned status, const char *content_type, int fd,
		      unsigned long long size);

#endif
