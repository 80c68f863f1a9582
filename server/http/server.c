/*
 * The libmicrohttpd daemon behind raquet-server (see server.h): collects
 * each request's body within the limit, matches the route, calls the
 * handler, turns its rq_http_resp into an MHD response, and logs one line
 * per request when it completes.
 */
#include "http/server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "core/util.h"
#include "http/log.h"

/* TLS 1.2 and 1.3 only: every supported agent OS speaks 1.2. */
#define TLS_PRIORITIES "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2"
/* Certificate and key files are a few KiB. */
#define TLS_FILE_MAX (1024 * 1024)
/*
 * Worker threads per CPU when [server] threads is 0. A handler blocks while
 * the store commits its work. On SQLite that is a group commit with the
 * other threads' requests, so more threads make larger groups and keep the
 * CPUs busy meanwhile (bench/server_load.sh, 2 cores, 1,000 keep-alive
 * connections: 2 threads 4,650 heartbeats/s, 16 threads 5,400-5,900/s
 * before the other changes of that round). On PostgreSQL each thread is a
 * connection and a server process: 16 of them on 2 cores lost a third of
 * the heartbeats to 2, while event batches gained from 4.
 */
#define THREADS_PER_CPU_SQLITE 8
#define THREADS_PER_CPU_OTHER 2

struct rq_http_server {
	struct MHD_Daemon *daemon;
	const rq_http_router *router;
	unsigned long long body_limit;
	unsigned request_timeout;
	unsigned port;
	atomic_int in_flight;
	atomic_int stopping;
	char *cert_pem, *key_pem;
	size_t key_len;
};

/* Per-request state, from the first call of the access handler to completion. */
typedef struct request {
	struct timespec start;
	char *body;
	size_t len, cap;
	int too_large, timed_out, answered;
	unsigned status;
	char method[16];
	char client[INET6_ADDRSTRLEN];
	char path[256];          /* for the log line only, truncated */
} request;

static double elapsed_ms(const struct timespec *start)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - start->tv_sec) * 1000.0 +
	       (double)(now.tv_nsec - start->tv_nsec) / 1e6;
}

static void client_address(struct MHD_Connection *conn, char *out, size_t size)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	snprintf(out, size, "?");
	if (!ci || !ci->client_addr)
		return;
	const struct sockaddr *sa = ci->client_addr;
	if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, out,
			  (socklen_t)size);
	else if (sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr,
			  out, (socklen_t)size);
}

/* Queue `resp` (consumed: reset afterwards) on `conn`. */
static enum MHD_Result send_resp(rq_http_server *s, request *r, struct MHD_Connection *conn,
				 rq_http_resp *resp)
{
	enum MHD_Result ok = MHD_NO;
	struct MHD_Response *m;
	if (resp->has_file) { /* MHD reads and closes the descriptor */
		m = MHD_create_response_from_fd64(resp->file_size, resp->file_fd);
		if (m)
			resp->has_file = 0;
	} else {
		m = MHD_create_response_from_buffer(resp->body_len, resp->body ? resp->body : (void *)"",
						    resp->body ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
		if (m)
			resp->body = NULL; /* MHD frees it now */
	}
	if (!m)
		goto done;
	if (resp->content_type[0])
		MHD_add_response_header(m, MHD_HTTP_HEADER_CONTENT_TYPE, resp->content_type);
	if (!resp->cacheable)
		MHD_add_response_header(m, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	MHD_add_response_header(m, "X-Content-Type-Options", "nosniff");
	for (size_t i = 0; i < resp->header_count; i++)
		MHD_add_response_header(m, resp->headers[i].name, resp->headers[i].value);
	if (atomic_load(&s->stopping))
		MHD_add_response_header(m, MHD_HTTP_HEADER_CONNECTION, "close");
	ok = MHD_queue_response(conn, resp->status, m);
	MHD_destroy_response(m);
	r->status = resp->status;
	r->answered = 1;
done:
	rq_http_resp_reset(resp);
	return ok;
}

static enum MHD_Result send_error(rq_http_server *s, request *r, struct MHD_Connection *conn,
				  unsigned status, const char *error, const char *reason)
{
	rq_http_resp resp = { 0 };
	if (rq_http_resp_error(&resp, status, error, "%s", reason) < 0)
		resp.status = status;
	return send_resp(s, r, conn, &resp);
}

static enum MHD_Result send_too_large(rq_http_server *s, request *r, struct MHD_Connection *conn)
{
	char reason[64];
	snprintf(reason, sizeof(reason), "body larger than %llu bytes", s->body_limit);
	return send_error(s, r, conn, MHD_HTTP_CONTENT_TOO_LARGE, "too_large", reason);
}

/* MHD_get_connection_values callback: remember the first query parameter
 * whose value is longer than handlers accept (they would see it as absent). */
static enum MHD_Result find_long_arg(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	const char **found = cls;
	(void)kind;
	if (value && strnlen(value, RQ_HTTP_MAX_VALUE + 1) > RQ_HTTP_MAX_VALUE) {
		*found = key ? key : "";
		return MHD_NO;
	}
	return MHD_YES;
}

/* Route the complete request and send the handler's answer. */
static enum MHD_Result dispatch(rq_http_server *s, request *r, struct MHD_Connection *conn,
				const char *url, const char *method)
{
	enum MHD_Result ok;
	rq_http_match match;
	rq_http_resp resp = { 0 };
	const char *long_arg = NULL;
	int rc = rq_http_router_match(s->router, method, url, &match);

	if (rc == RQ_ENOTFOUND) {
		rq_http_resp_error(&resp, MHD_HTTP_NOT_FOUND, "not_found", "no resource at %.256s",
				   url);
	} else if (rc == RQ_EUNSUPPORTED) {
		rq_http_resp_error(&resp, MHD_HTTP_METHOD_NOT_ALLOWED, "method_not_allowed",
				   "%s is not allowed on %.256s (allowed: %s)", method, url,
				   match.allow);
		rq_http_resp_header(&resp, MHD_HTTP_HEADER_ALLOW, match.allow);
	} else if (conn && (MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, find_long_arg, &long_arg),
			    long_arg)) {
		rq_http_resp_error(&resp, MHD_HTTP_BAD_REQUEST, "too_long",
				   "query parameter %.64s: longer than %d bytes", long_arg, RQ_HTTP_MAX_VALUE);
	} else {
		rq_http_req req = {
			.method = method,
			.path = url,
			.body = r->body ? r->body : "",
			.body_len = r->len,
			.param_count = match.param_count,
			.client_addr = r->client,
			.conn = conn,
		};
		memcpy(req.param_names, match.param_names, sizeof(req.param_names));
		memcpy(req.param_values, match.param_values, sizeof(req.param_values));
		rq_error_clear();
		rc = match.handler(&req, &resp, match.ctx);
		if (resp.status == 0) { /* failed (or forgot to answer): details to the log only */
			rq_log(RQ_LOG_ERROR, "%s %s (%s): handler failed: %s", method, match.pattern,
			       r->client, rc < 0 ? rq_error_last() : "no response");
			rq_http_resp_reset(&resp);
			rq_http_resp_error(&resp, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal",
					   "the server failed to handle the request; see its log");
		}
	}
	if (resp.status == 0) /* even the error body failed: a bare status */
		resp.status = rc == RQ_ENOTFOUND ? MHD_HTTP_NOT_FOUND
			      : rc == RQ_EUNSUPPORTED ? MHD_HTTP_METHOD_NOT_ALLOWED
			      : MHD_HTTP_INTERNAL_SERVER_ERROR;
	ok = send_resp(s, r, conn, &resp);
	return ok;
}

/* First call for a request: set up its state; 413 at once when the
 * announced body is over the limit. */
static enum MHD_Result begin(rq_http_server *s, struct MHD_Connection *conn, const char *url,
			     const char *method, void **con_cls)
{
	enum MHD_Result ok = MHD_YES;
	request *r = calloc(1, sizeof(*r));
	if (!r) {
		ok = MHD_NO;
		goto done;
	}
	*con_cls = r;
	atomic_fetch_add(&s->in_flight, 1);
	clock_gettime(CLOCK_MONOTONIC, &r->start);
	snprintf(r->method, sizeof(r->method), "%s", method);
	snprintf(r->path, sizeof(r->path), "%s", url);
	client_address(conn, r->client, sizeof(r->client));
	const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
						     MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (cl && strtoull(cl, NULL, 10) > s->body_limit) {
		r->too_large = 1;
		ok = send_too_large(s, r, conn);
	}
done:
	return ok;
}

/* A piece of the body: keep it within the limit and the request timeout. */
static enum MHD_Result take_body(rq_http_server *s, request *r, const char *data, size_t n)
{
	enum MHD_Result ok = MHD_YES;
	if (r->timed_out) { /* a response cannot be queued mid-body: close */
		r->status = MHD_HTTP_REQUEST_TIMEOUT; /* for the log line */
		ok = MHD_NO;
	} else if (r->too_large) {
		/* discard the rest; 413 once it has all arrived */
	} else if (r->len + n > s->body_limit) {
		r->too_large = 1; /* a chunked body over the limit */
		free(r->body);
		r->body = NULL;
		r->len = r->cap = 0;
	} else if (rq_grow((void **)&r->body, &r->cap, r->len + n + 1, 1) < 0) {
		ok = MHD_NO;
	} else {
		memcpy(r->body + r->len, data, n);
		r->len += n;
		r->body[r->len] = '\0';
	}
	return ok;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version,
				  const char *upload_data, size_t *upload_data_size, void **con_cls)
{
	rq_http_server *s = cls;
	request *r = *con_cls;
	enum MHD_Result ok = MHD_YES;

	if (!r) {
		ok = begin(s, conn, url, method, con_cls);
	} else if (r->answered) { /* answered early: drop whatever still arrives */
		*upload_data_size = 0;
	} else {
		if (elapsed_ms(&r->start) > s->request_timeout * 1000.0)
			r->timed_out = 1;
		if (*upload_data_size) {
			ok = take_body(s, r, upload_data, *upload_data_size);
			*upload_data_size = 0;
		} else if (r->too_large) {
			ok = send_too_large(s, r, conn);
		} else if (r->timed_out) {
			ok = send_error(s, r, conn, MHD_HTTP_REQUEST_TIMEOUT, "timeout",
					"the request took longer than the server's request_timeout");
		} else {
			ok = dispatch(s, r, conn, url, method);
		}
	}
	return ok;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	rq_http_server *s = cls;
	request *r = *con_cls;
	if (!r)
		return;
	if (rq_log_enabled(RQ_LOG_INFO)) {
		if (toe == MHD_REQUEST_TERMINATED_COMPLETED_OK)
			rq_log(RQ_LOG_INFO, "%s %s %u %.1fms %s", r->method, r->path, r->status,
			       elapsed_ms(&r->start), r->client);
		else
			rq_log(RQ_LOG_INFO, "%s %s %u %.1fms %s (connection closed: %s)",
			       r->method, r->path, r->status, elapsed_ms(&r->start), r->client,
			       toe == MHD_REQUEST_TERMINATED_TIMEOUT_REACHED ? "timeout"
			       : toe == MHD_REQUEST_TERMINATED_DAEMON_SHUTDOWN ? "shutdown"
			       : toe == MHD_REQUEST_TERMINATED_CLIENT_ABORT ? "client abort"
			       : "error");
	}
	free(r->body);
	free(r);
	*con_cls = NULL;
	atomic_fetch_sub(&s->in_flight, 1);
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[512];
	vsnprintf(msg, sizeof(msg), fmt, ap);
	rq_log(RQ_LOG_WARNING, "http: %s", msg);
}

/* Read a PEM file into a NUL-terminated string. */
static int read_pem(const char *path, char **out, size_t *len_out)
{
	uint8_t *data = NULL;
	size_t len = 0;
	int rc = rq_read_file(path, TLS_FILE_MAX, &data, &len);
	if (rc < 0)
		goto done;
	*out = malloc(len + 1);
	if (!*out) {
		rc = rq_fail(RQ_ENOMEM, "out of memory");
		goto done;
	}
	memcpy(*out, data, len);
	(*out)[len] = '\0';
	*len_out = len;
done:
	if (data) {
		explicit_bzero(data, len);
		free(data);
	}
	return rc;
}

static void server_free(rq_http_server *s)
{
	if (s->key_pem) {
		explicit_bzero(s->key_pem, s->key_len);
		free(s->key_pem);
	}
	free(s->cert_pem);
	free(s);
}

int rq_http_server_start(rq_http_server **out, const rq_srv_config *cfg,
			 const rq_http_router *router)
{
	int rc = 0;
	rq_http_server *s = NULL;
	struct sockaddr_storage ss = { 0 };
	struct MHD_OptionItem ops[16];
	size_t n = 0;
	size_t cert_len = 0;
	unsigned flags = MHD_USE_AUTO | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ITC |
			 MHD_USE_ERROR_LOG;

	*out = NULL;
	if (cfg->plain_http && !rq_srv_addr_is_loopback(cfg->listen_addr)) {
		rc = rq_fail(RQ_EINVAL, "refusing plain HTTP on %s: not a loopback address",
			     cfg->listen_addr);
		goto done;
	}
	s = calloc(1, sizeof(*s));
	if (!s) {
		rc = rq_fail(RQ_ENOMEM, "out of memory");
		goto done;
	}
	s->router = router;
	s->body_limit = cfg->body_limit;
	s->request_timeout = cfg->request_timeout;
	if (strchr(cfg->listen_addr, ':')) {
		struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&ss;
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons((uint16_t)cfg->port);
		if (inet_pton(AF_INET6, cfg->listen_addr, &a6->sin6_addr) != 1)
			rc = RQ_EINVAL;
		flags |= MHD_USE_IPv6;
	} else {
		struct sockaddr_in *a4 = (struct sockaddr_in *)&ss;
		a4->sin_family = AF_INET;
		a4->sin_port = htons((uint16_t)cfg->port);
		if (inet_pton(AF_INET, cfg->listen_addr, &a4->sin_addr) != 1)
			rc = RQ_EINVAL;
	}
	if (rc < 0) {
		rc = rq_fail(rc, "listen: bad address '%s'", cfg->listen_addr);
		goto done;
	}
	unsigned threads = cfg->threads;
	if (threads == 0) {
		long cpus = sysconf(_SC_NPROCESSORS_ONLN);
		unsigned per = cfg->store_url && !strncmp(cfg->store_url, "sqlite:", 7) ? THREADS_PER_CPU_SQLITE
											     : THREADS_PER_CPU_OTHER;
		threads = cpus > 0 && cpus <= (long)(RQ_HTTP_MAX_THREADS / per) ? (unsigned)cpus * per : 2 * per;
	}
	ops[n++] = (struct MHD_OptionItem){ MHD_OPTION_EXTERNAL_LOGGER,
					    (intptr_t)on_mhd_log, NULL };
	ops[n++] = (struct MHD_OptionItem){ MHD_OPTION_SOCK_ADDR, 0, &ss };
	ops[n++] = (struct MHD_OptionItem){ MHD_OPTION_CONNECTION_TIMEOUT,
					    (intptr_t)cfg->conn_timeout, NULL };
	ops[n++] = (struct MHD_OptionItem){ MHD_OPTION_CONNECTION_LIMIT,
					    (intptr_t)cfg->max_connections, NULL };
	ops[n++] = (struct MHD_OptionItem){ MHD_OPTION_CONNECTION_MEMORY_LIMIT,
					    (intptr_t)RQ_HTTP_CONN_MEMORY, NULL };
	ops[n++] = (struct MHD_OptionItem){ MHD_OPTION_NOTIFY_COMPLETED,
					    (intptr_t)on_completed, s };
	if (threads > 1)
		ops[n++] = (struct MHD_OptionItem){ MHD_OPTION_THREAD_POOL_SIZE,
						    (intptr_t)threads, NULL };
	if (!cfg->plain_http) {
		if (!MHD_is_feature_supported(MHD_FEATURE_TLS)) {
			rc = rq_fail(RQ_EUNSUPPORTED, "this libmicrohttpd has no TLS support");
			goto done;
		}
		rc = read_pem(cfg->tls_cert, &s->cert_pem, &cert_len);
		if (rc < 0)
			goto done;
		rc = read_pem(cfg->tls_key, &s->key_pem, &s->key_len);
		if (rc < 0)
			goto done;
		flags |= MHD_USE_TLS;
		ops[n++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_CERT, 0, s->cert_pem };
		ops[n++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_KEY, 0, s->key_pem };
		ops[n++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_PRIORITIES, 0,
						    (void *)TLS_PRIORITIES };
	}
	ops[n++] = (struct MHD_OptionItem){ MHD_OPTION_END, 0, NULL };

	s->daemon = MHD_start_daemon(flags, 0, NULL, NULL, on_request, s, MHD_OPTION_ARRAY, ops,
				     MHD_OPTION_END);
	if (!s->daemon) {
		rc = rq_fail_errno(RQ_EIO, errno, "cannot start the HTTP%s server on %s",
				   cfg->plain_http ? "" : "S", cfg->listen);
		goto done;
	}
	const union MHD_DaemonInfo *di = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
	s->port = di ? di->port : cfg->port;
	*out = s;
	s = NULL;
done:
	if (s)
		server_free(s);
	return rc;
}

unsigned rq_http_server_port(const rq_http_server *server) { return server->port; }

void rq_http_server_stop(rq_http_server *server)
{
	if (!server)
		return;
	atomic_store(&server->stopping, 1);
	MHD_socket fd = MHD_quiesce_daemon(server->daemon);
	if (fd != MHD_INVALID_SOCKET)
		close(fd);
	struct timespec start, pause = { 0, 20 * 1000 * 1000 };
	clock_gettime(CLOCK_MONOTONIC, &start);
	while (atomic_load(&server->in_flight) > 0 &&
	       elapsed_ms(&start) < RQ_HTTP_SHUTDOWN_GRACE * 1000.0)
		nanosleep(&pause, NULL);
	if (atomic_load(&server->in_flight) > 0)
		rq_log(RQ_LOG_WARNING, "closing %d request(s) still running after %d s",
		       atomic_load(&server->in_flight), RQ_HTTP_SHUTDOWN_GRACE);
	MHD_stop_daemon(server->daemon);
	server_free(server);
}
