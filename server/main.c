/*
 * raquet-server's program: reads the configuration (file + flags), runs
 * `--check-config` and `tls-init`, or starts the HTTP(S) server and waits
 * for SIGTERM/SIGINT to stop it cleanly. Operator guide: docs/server.md.
 */
#include <errno.h>
#include <malloc.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api/agent.h"
#include "api/apitokens.h"
#include "api/auth.h"
#include "api/campaigns.h"
#include "api/declared.h"
#include "api/endpoints.h"
#include "api/evidence.h"
#include "api/intel.h"
#include "api/mirror.h"
#include "api/ncsc.h"
#include "api/reminders.h"
#include "api/reports.h"
#include "api/sharing.h"
#include "api/systems.h"
#include "api/taxii.h"
#include "api/tier.h"
#include "api/units.h"
#include "api/users.h"
#include "auth/throttle.h"
#include "bootstrap.h"
#include "cli/cli.h"
#include "cli/intel_cmd.h"
#include "cli/ncsc_cmd.h"
#include "cli/tls_init.h"
#include "config/config.h"
#include "coverage_recorder.h"
#include "http/health.h"
#include "http/json.h"
#include "http/log.h"
#include "http/router.h"
#include "http/server.h"
#include "http/static.h"
#include "intel/publish.h"
#include "intel/taxii_pull.h"
#include "campaign/remind_worker.h"
#include "ncsc/scheduler.h"
#include "tier/worker.h"
#include "ncsc/sign.h"
#include "raquet/engine.h"
#include "report/render.h"
#include "report/schedule.h"

/*
 * POST /api/v1/_test/echo/{id}, served only when RAQUET_SERVER_TEST_ROUTES=1
 * (tests/server/test_http.sh): checks the body against a small spec and
 * answers what it read, so the shell tests reach the JSON helpers over real
 * HTTP before the store-backed APIs exist.
 */
static int test_echo(const rq_http_req *req, rq_http_resp *resp, void *ctx)
{
	static const rq_json_field tag = { "", RQ_JSON_STRING, .max = 32 };
	static const rq_json_field spec[] = {
		{ "name", RQ_JSON_STRING, .required = 1, .max = 64 },
		{ "count", RQ_JSON_INT, .min = 0, .max = 100 },
		{ "tags", RQ_JSON_ARRAY, .max = 8, .elem = &tag },
		{ .name = NULL },
	};
	json_t *body = NULL;
	unsigned long long limit = 0;
	int rc = rq_http_query_uint(req, resp, "limit", 1, 100, 50, &limit);
	if (rc < 0)
		goto done;
	rc = rq_http_json_body(req, resp, spec, &body);
	if (rc < 0)
		goto done;
	const char *agent = rq_http_header_get(req, "User-Agent");
	const char *q = rq_http_query(req, "q");
	const char *cookie = rq_http_cookie(req, "session");
	json_t *answer = json_pack("{s:s, s:O, s:s?, s:s?, s:s?, s:s, s:I}", "id",
				   rq_http_param(req, "id"), "body", body, "user_agent", agent,
				   "q", q, "cookie", cookie, "client", rq_http_client_addr(req),
				   "limit", (json_int_t)limit);
	if (!answer) {
		rc = rq_fail(RQ_ENOMEM, "out of memory");
		goto done;
	}
	rc = rq_http_resp_json(resp, 200, answer);
done:
	json_decref(body);
	return rc;
}

/*
 * RAQUET_SERVER_TEST_RECORD_SKEW=SECONDS, honoured only with
 * RAQUET_SERVER_TEST_ROUTES=1: the coverage recorder's clock is moved by
 * that much, so that a test records the snapshots of other days
 * (tests/server/test_admin_dashboard.sh) without waiting for them.
 */
static int64_t test_record_skew(void)
{
	const char *test_routes = getenv("RAQUET_SERVER_TEST_ROUTES"), *skew = getenv("RAQUET_SERVER_TEST_RECORD_SKEW");
	if (!test_routes || strcmp(test_routes, "1") || !skew)
		return 0;
	return (int64_t)strtoll(skew, NULL, 10);
}

/* The routes served. */
static int build_routes(rq_http_router **out, const rq_api_ctx *api, const char *mirror_dir)
{
	const char *test_routes = getenv("RAQUET_SERVER_TEST_ROUTES");
	int rc = rq_http_router_new(out);
	if (rc < 0)
		goto done;
	rc = rq_http_router_add(*out, "GET", "/api/v1/health", rq_http_health, NULL);
	if (rc < 0 || (rc = rq_api_agent_routes(*out, api)) < 0 ||
	    (rc = rq_api_auth_routes(*out, api)) < 0 || (rc = rq_api_users_routes(*out, api)) < 0 ||
	    (rc = rq_api_apitokens_routes(*out, api)) < 0 ||
	    (rc = rq_api_fleet_routes(*out, api)) < 0 ||
	    (rc = rq_api_units_routes(*out, api)) < 0 || (rc = rq_api_reports_routes(*out, api)) < 0 ||
	    (rc = rq_api_campaigns_routes(*out, api)) < 0 || (rc = rq_api_systems_routes(*out, api)) < 0 ||
	    (rc = rq_api_evidence_routes(*out, api)) < 0 || (rc = rq_api_declared_routes(*out, api)) < 0 ||
	    (rc = rq_api_reminders_routes(*out, api)) < 0 ||
	    (rc = rq_api_ncsc_routes(*out, api)) < 0 || (rc = rq_api_sharing_routes(*out, api)) < 0 ||
	    (rc = rq_api_taxii_routes(*out, api)) < 0 || (rc = rq_api_intel_routes(*out, api)) < 0 ||
	    (rc = rq_api_tier_routes(*out, api)) < 0 ||
	    (rc = rq_api_mirror_routes(*out, mirror_dir)) < 0 ||
	    (rc = rq_http_static_routes(*out)) < 0)
		goto done;
	if (test_routes && !strcmp(test_routes, "1"))
		rc = rq_http_router_add(*out, "POST", "/api/v1/_test/echo/{id}", test_echo, NULL);
done:
	return rc;
}

/* `raquet-server routes`: every route served, "METHOD PATTERN" a line (the
 * OpenAPI document is checked against this list: tests/server/test_openapi.sh). */
static int print_routes(void)
{
	static rq_api_ctx api;
	rq_http_router *router = NULL;
	int status = 1;
	if (build_routes(&router, &api, "") < 0) {
		fprintf(stderr, "raquet-server: routes: %s\n", rq_error_last());
		goto done;
	}
	for (size_t i = 0; i < rq_http_router_count(router); i++) {
		const char *method, *pattern;
		rq_http_router_route(router, i, &method, &pattern);
		printf("%s %s\n", method, pattern);
	}
	status = 0;
done:
	rq_http_router_free(router);
	return status;
}

/*
 * Detach from the terminal: the parent waits until the child reports that
 * it listens (exit 0) or failed (exit 1), so `raquet-server` in a script
 * still fails loudly. Returns the write end of the report pipe in the child.
 */
static int detach(int *report_fd)
{
	int rc = 0;
	int fds[2];
	if (pipe(fds) < 0) {
		rc = rq_fail_errno(RQ_EIO, errno, "pipe");
		goto done;
	}
	pid_t pid = fork();
	if (pid < 0) {
		rc = rq_fail_errno(RQ_EIO, errno, "fork");
		goto done;
	}
	if (pid > 0) {
		char ok = 0;
		close(fds[1]);
		ssize_t n;
		do
			n = read(fds[0], &ok, 1);
		while (n < 0 && errno == EINTR);
		_exit(n == 1 && ok == 1 ? 0 : 1);
	}
	close(fds[0]);
	setsid();
	*report_fd = fds[1];
	if (chdir("/") < 0)
		rc = rq_fail_errno(RQ_EIO, errno, "chdir /");
done:
	return rc;
}

/*
 * Each connection is a descriptor: raise the soft limit (often 1024) toward
 * max_connections plus room for the store and logs, within the hard limit.
 */
static void raise_fd_limit(unsigned max_connections)
{
	struct rlimit lim;
	rlim_t want = (rlim_t)max_connections + 256;
	if (getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < want) {
		lim.rlim_cur = lim.rlim_max == RLIM_INFINITY || lim.rlim_max > want ? want
										     : lim.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &lim) < 0 || lim.rlim_cur < want)
			rq_log(RQ_LOG_WARNING, "open files limited to %llu: fewer than "
			       "max_connections = %u can be served", (unsigned long long)lim.rlim_cur,
			       max_connections);
	}
}

static void report_started(int fd, char ok)
{
	if (fd < 0)
		return;
	if (write(fd, &ok, 1) != 1)
		rq_log(RQ_LOG_WARNING, "cannot report start-up to the parent process");
	close(fd);
	if (ok) { /* the terminal is gone from here on */
		int null = open("/dev/null", O_RDWR);
		if (null >= 0) {
			dup2(null, 0);
			dup2(null, 1);
			dup2(null, 2);
			if (null > 2)
				close(null);
		}
	}
}

int main(int argc, char **argv)
{
	int status = 1, help = 0, report_fd = -1;
	rq_srv_config cfg;
	rq_http_router *router = NULL;
	rq_http_server *server = NULL;
	rq_report_scheduler *scheduler = NULL;
	rq_ncsc_scheduler *ncsc = NULL;
	rq_coverage_recorder *recorder = NULL;
	rq_intel_publisher *intel = NULL;
	rq_taxii_puller *puller = NULL;
	rq_tier_worker *upstream = NULL;
	rq_remind_worker *reminders = NULL;
	sigset_t stop_signals;

	memset(&cfg, 0, sizeof(cfg));
	if (argc > 1 && !strcmp(argv[1], "tls-init")) {
		status = rq_tls_init_main(argc - 1, argv + 1);
		goto done;
	}
	if (argc > 1 && (!strcmp(argv[1], "unit") || !strcmp(argv[1], "token") || !strcmp(argv[1], "user") ||
			 !strcmp(argv[1], "downstream") ||
			 !strcmp(argv[1], "task") || !strcmp(argv[1], "report"))) {
		status = rq_cli_main(argc - 1, argv + 1);
		goto done;
	}
	if (argc > 1 && !strcmp(argv[1], "ncsc")) {
		status = rq_ncsc_cmd_main(argc - 1, argv + 1);
		goto done;
	}
	if (argc > 1 && !strcmp(argv[1], "intel")) {
		status = rq_intel_cmd_main(argc - 1, argv + 1);
		goto done;
	}
	if (argc > 1 && !strcmp(argv[1], "routes")) {
		status = print_routes();
		goto done;
	}
	if (argc > 1 && !strcmp(argv[1], "--version")) {
		printf("raquet-server %s\n", rq_version());
		status = 0;
		goto done;
	}
	if (rq_srv_config_from_args(&cfg, argc, argv, 1, &help) < 0) {
		fprintf(stderr, "raquet-server: %s\n", rq_error_last());
		goto done;
	}
	if (help) {
		rq_srv_config_usage(stdout);
		status = 0;
		goto done;
	}
	if (cfg.check_config) {
		printf("raquet-server: configuration OK (%s)\n",
		       cfg.config_path ? cfg.config_path : "defaults and flags");
		status = 0;
		goto done;
	}
	/*
	 * Keep freed memory in the process: every request allocates and frees
	 * buffers (connection pools, JSON, SQLite pages) that glibc would
	 * otherwise hand back and fault in again -- measured: 2,600 -> 4,100
	 * heartbeats/s (bench/server_load.sh). One arena per worker thread.
	 */
	mallopt(M_TRIM_THRESHOLD, 256 * 1024 * 1024);
	mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);
	/* daemons log to syslog: stderr is closed once detached */
	rq_log_init(cfg.log_level, cfg.log_syslog || !cfg.foreground);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&stop_signals);
	sigaddset(&stop_signals, SIGTERM);
	sigaddset(&stop_signals, SIGINT);
	/* blocked before any thread starts, so only sigwait below sees them */
	pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);
	raise_fd_limit(cfg.max_connections);
	/* the schema is brought up to date before anything is served; handlers
	 * then open one connection per server thread (api/ctx.c) */
	rq_store *store = NULL;
	if (!strncmp(cfg.store_url, "sqlite:", 7)) { /* a first start: create the folder (0700) */
		char dir[4096];
		snprintf(dir, sizeof(dir), "%s", cfg.store_url + 7);
		char *slash = strrchr(dir, '/');
		if (slash && slash != dir) {
			*slash = '\0';
			mkdir(dir, 0700);
		}
	}
	if (rq_store_open(&store, cfg.store_url) < 0 || rq_store_migrate(store) < 0 ||
	    rq_bootstrap_admin(store, stdout) < 0) {
		fprintf(stderr, "raquet-server: store %s: %s\n", cfg.store_url, rq_error_last());
		rq_store_close(store);
		goto done;
	}
	rq_store_close(store);
	static rq_api_ctx api;
	api.store_url = cfg.store_url;
	api.mirror_dir = cfg.mirror_dir;
	api.mirror_keys = cfg.mirror_keys; /* loaded with the configuration */
	api.secure_cookies = !cfg.plain_http;
	api.session_idle_s = (int64_t)cfg.session_idle;
	api.session_max_s = (int64_t)cfg.session_max;
	api.report_agency = cfg.report_agency;
	api.config = &cfg;
	if (cfg.ncsc_url && *cfg.ncsc_url && rq_ncsc_sign_init() < 0) { /* before any thread */
		fprintf(stderr, "raquet-server: %s\n", rq_error_last());
		goto done;
	}
	if (rq_throttle_new(&api.throttle) < 0) {
		fprintf(stderr, "raquet-server: %s\n", rq_error_last());
		goto done;
	}
	if (build_routes(&router, &api, cfg.mirror_dir) < 0) {
		fprintf(stderr, "raquet-server: %s\n", rq_error_last());
		goto done;
	}
	if (!cfg.foreground && detach(&report_fd) < 0) {
		fprintf(stderr, "raquet-server: %s\n", rq_error_last());
		goto done;
	}
	if (rq_http_server_start(&server, &cfg, router) < 0) {
		rq_log(RQ_LOG_ERROR, "%s", rq_error_last());
		if (!cfg.foreground || cfg.log_syslog)
			fprintf(stderr, "raquet-server: %s\n", rq_error_last());
		report_started(report_fd, 0);
		goto done;
	}
	rq_log(RQ_LOG_INFO, "raquet-server %s listening on %s://%s%s%s:%u (store %s)",
	       rq_version(), cfg.plain_http ? "http" : "https",
	       strchr(cfg.listen_addr, ':') ? "[" : "", cfg.listen_addr,
	       strchr(cfg.listen_addr, ':') ? "]" : "", rq_http_server_port(server),
	       cfg.store_url);
	report_started(report_fd, 1);
	if (rq_report_scheduler_start(&scheduler, cfg.store_url, cfg.report_schedule, cfg.report_agency) < 0)
		rq_log(RQ_LOG_ERROR, "%s", rq_error_last());
	/* after detaching: the worker is a thread of the daemon, not of the parent */
	if (rq_ncsc_scheduler_start(&ncsc, &cfg) < 0)
		rq_log(RQ_LOG_ERROR, "%s: reports to the national centre are not sent", rq_error_last());
	else if (ncsc)
		rq_log(RQ_LOG_INFO, "ncsc: reporting to %s (schedule %s)", cfg.ncsc_url, cfg.ncsc_schedule);
	/* after the server is up: a recorder that cannot start costs the
	 * history, not the service */
	if (rq_coverage_recorder_start(&recorder, cfg.store_url, RQ_COVERAGE_RECORD_INTERVAL_S, test_record_skew()) < 0)
		rq_log(RQ_LOG_WARNING, "%s", rq_error_last());
	if (rq_intel_publisher_start(&intel, &cfg) < 0)
		rq_log(RQ_LOG_ERROR, "%s: indicators are not published", rq_error_last());
	else if (intel)
		rq_log(RQ_LOG_INFO, "intel: indicators are published as the %s database into %s", cfg.intel_database,
		       cfg.mirror_dir);
	if (rq_taxii_puller_start(&puller, &cfg) < 0)
		rq_log(RQ_LOG_ERROR, "%s: TAXII collections are not pulled", rq_error_last());
	else if (puller)
		rq_log(RQ_LOG_INFO, "taxii-pull: %zu TAXII source(s) configured", cfg.taxii_pull_count);
	if (rq_tier_worker_start(&upstream, &cfg) < 0)
		rq_log(RQ_LOG_ERROR, "%s: nothing is reported to the upstream", rq_error_last());
	else if (upstream)
		rq_log(RQ_LOG_INFO, "upstream: reporting to %s every %llu s", cfg.upstream_url, cfg.upstream_interval);
	if (rq_remind_worker_start(&reminders, &cfg) < 0)
		rq_log(RQ_LOG_ERROR, "%s: reminder e-mails are not sent", rq_error_last());
	else if (reminders)
		rq_log(RQ_LOG_INFO, "reminders: e-mails through %s, checked every %llu s", cfg.smtp_url,
		       cfg.reminders_interval);
	int sig = 0;
	while (sigwait(&stop_signals, &sig) != 0)
		;
	rq_log(RQ_LOG_INFO, "signal %d: stopping (finishing requests in flight)", sig);
	rq_report_scheduler_stop(scheduler);
	scheduler = NULL;
	rq_ncsc_scheduler_stop(ncsc);
	ncsc = NULL;
	rq_coverage_recorder_stop(recorder);
	recorder = NULL;
	rq_taxii_puller_stop(puller);
	puller = NULL;
	rq_intel_publisher_stop(intel);
	intel = NULL;
	rq_tier_worker_stop(upstream);
	upstream = NULL;
	rq_remind_worker_stop(reminders);
	reminders = NULL;
	rq_http_server_stop(server);
	server = NULL;
	rq_log(RQ_LOG_INFO, "stopped");
	status = 0;
done:
	rq_report_scheduler_stop(scheduler);
	rq_ncsc_scheduler_stop(ncsc);
	rq_coverage_recorder_stop(recorder);
	rq_taxii_puller_stop(puller);
	rq_intel_publisher_stop(intel);
	rq_tier_worker_stop(upstream);
	rq_remind_worker_stop(reminders);
	rq_http_server_stop(server);
	rq_http_router_free(router);
	rq_ncsc_sign_shutdown();
	rq_throttle_free(api.throttle);
	rq_srv_config_free(&cfg);
	rq_report_render_cleanup(); /* every thread that rendered has ended */
	return status;
}
