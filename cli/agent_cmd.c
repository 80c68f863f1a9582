/*
 * `raquet agent enroll|status` (agent_cmd.h): the officer's side of the
 * endpoint agent. Enrollment itself is agent/enroll.c; status reads the
 * state folder (agent.json, status.json, the outbox and task queue, the
 * installed databases) without writing anything but the outbox's own files.
 */
#include "agent_cmd.h"

#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "cmd_args.h"
#include "config.h"
#include "enroll.h"
#include "facts.h"
#include "outbox.h"
#include "raquet/errors.h"
#include "state.h"
#include "tasks.h"

#define CMD "raquet agent"

void agent_help(FILE *f)
{
	fputs("Usage: raquet agent enroll --server URL --token TOKEN [--ca FILE] [OPTIONS]\n"
	      "       raquet agent status [--json] [OPTIONS]\n"
	      "\n"
	      "enroll registers this machine with raquet-server in the unit of the token,\n"
	      "pins the server's key and installs the public keys of the server's signature\n"
	      "mirror into the trusted keys folder ([update] trusted_keys of --config);\n"
	      "raquetd then reports and updates on its own. status shows what the agent\n"
	      "knows: server, ids, last contact, queued events, databases, real-time.\n"
	      "\n"
	      "Options:\n"
	      "  --server URL           enroll: https://host:port (http:// only on loopback);\n"
	      "                         default the configuration's [server] url\n"
	      "  --token TOKEN          enroll: the unit's enrollment token (rqe_...)\n"
	      "  --ca FILE              enroll: the server's CA certificate (ca.crt of\n"
	      "                         'raquet-server tls-init'); default [server] ca_file\n"
	      "  --pin-sha256 PIN       enroll: the server key's pin (sha256//BASE64), checked\n"
	      "                         on top of the CA, or alone for a publicly trusted server\n"
	      "  --force                enroll: enroll again although already enrolled\n"
	      "  --json                 status: one JSON object\n"
	      "  --config FILE          agent configuration (default /etc/raquet/agent.conf)\n"
	      "  --state-dir DIR        state folder (default the configuration's, /var/lib/raquet)\n"
	      "  -h, --help             print this help\n"
	      "\n"
	      "Exit status: 0 done (status: enrolled), 1 failed or not enrolled, 2 usage error.\n"
	      "See docs/agent.md.\n",
	      f);
}

typedef struct aopts {
	const char *server, *token, *ca, *pin, *config, *state_dir;
	int force, json;
} aopts;

static int usage_error(const char *msg, const char *arg)
{
	fprintf(stderr, CMD ": %s%s%s (see 'raquet help agent')\n", msg, arg ? ": " : "", arg ? arg : "");
	return 2;
}

/* 0 parsed, 1 help printed, 2 usage error. */
static int parse(aopts *o, int enroll, int argc, char **argv)
{
	static const char *const names[] = { "--server", "--token", "--ca", "--pin-sha256", "--config", "--state-dir" };
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = NULL;
		int got = 0;
		size_t k = 0;
		for (; k < sizeof(names) / sizeof(names[0]); k++)
			if ((got = cmd_arg_value(CMD, argc, argv, &i, names[k], &v)))
				break;
		if (got < 0)
			return 2;
		if (got) {
			if (k < 4 && !enroll)
				return usage_error("this option goes with enroll", names[k]);
			const char **slot[] = { &o->server, &o->token, &o->ca, &o->pin, &o->config, &o->state_dir };
			*slot[k] = v;
		} else if (!strcmp(a, "--force") && enroll) {
			o->force = 1;
		} else if (!strcmp(a, "--json") && !enroll) {
			o->json = 1;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			agent_help(stdout);
			return 1;
		} else {
			return usage_error(a[0] == '-' ? "unknown option" : "unexpected argument", a);
		}
	}
	return 0;
}

/* The configuration for `o`; 0 or 1 (message printed). */
static int load_config(const aopts *o, rq_agent_config *cfg)
{
	rq_agent_config_defaults(cfg);
	int rc = rq_agent_config_load(cfg, o->config ? o->config : RQ_AGENT_DEFAULT_CONFIG);
	if (rc && !(rc == RQ_ENOTFOUND && !o->config)) {
		fprintf(stderr, CMD ": %s\n", rq_error_last());
		return 1;
	}
	if (o->state_dir)
		snprintf(cfg->state_dir, sizeof(cfg->state_dir), "%s", o->state_dir);
	return 0;
}

/* The mirror keys enrollment installed, a line each, printed after the enrollment's own. */
typedef struct key_lines {
	char text[RQ_AGENT_MAX_MIRROR_KEYS][PATH_MAX + 40];
	size_t count;
} key_lines;

static void note_key(const char *path, int written, void *payload)
{
	key_lines *k = payload;
	if (k->count < RQ_AGENT_MAX_MIRROR_KEYS)
		snprintf(k->text[k->count++], sizeof(k->text[0]), "trusted key %s: %s",
			 written ? "installed" : "already installed", path);
}

static int enroll_main(int argc, char **argv)
{
	aopts o = { 0 };
	rq_agent_config cfg;
	static key_lines keys;
	int rc = parse(&o, 1, argc, argv);
	if (rc)
		return rc == 1 ? 0 : rc;
	if (load_config(&o, &cfg))
		return 1;
	rq_enroll_options eo = {
		.server = o.server ? o.server : cfg.server_url,
		.token = o.token,
		.ca_file = o.ca ? o.ca : cfg.ca_file,
		.pin = o.pin,
		.force = o.force,
		.cfg = &cfg,
		.on_key = note_key,
		.key_payload = &keys,
	};
	if (!*eo.server)
		return usage_error("--server URL is required (or [server] url in the configuration)", NULL);
	if (!o.token)
		return usage_error("--token TOKEN is required", NULL);
	rq_agent_state st;
	rc = rq_agent_enroll(&eo, &st) ? 1 : 0;
	if (rc == 0) {
		printf("enrolled: endpoint %lld in unit %lld of %s\n", (long long)st.endpoint_id,
		       (long long)st.unit_id, st.server_url);
		if (st.pin[0])
			printf("server key pinned: %s\n", st.pin);
		printf("state: %s/%s (mode 0600)\n", cfg.state_dir, RQ_AGENT_STATE_FILE);
	}
	for (size_t i = 0; i < keys.count; i++) /* also those written before a failure */
		printf("%s\n", keys.text[i]);
	if (rc)
		fprintf(stderr, CMD " enroll: %s\n", rq_error_last());
	explicit_bzero(&st, sizeof(st));
	return rc;
}

/* 1 when a raquetd holds the state folder's lock, 0 when none does. */
static int daemon_running(const char *state_dir)
{
	char path[PATH_MAX + 32];
	snprintf(path, sizeof(path), "%s/%s", state_dir, RQ_AGENT_LOCK_FILE);
	int fd = open(path, O_RDONLY | O_CLOEXEC), running = 0;
	if (fd >= 0) {
		running = flock(fd, LOCK_SH | LOCK_NB) != 0;
		close(fd);
	}
	return running;
}

static void fmt_time(json_int_t t, char *buf, size_t size)
{
	if (t <= 0) {
		snprintf(buf, size, "never");
		return;
	}
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	strftime(buf, size, "%Y-%m-%d %H:%M:%S UTC", &tm);
}

/* The status as one JSON object (also the source of the text form). */
static json_t *gather(const rq_agent_config *cfg, const rq_agent_state *st)
{
	char path[PATH_MAX + 32], db_dir[PATH_MAX];
	json_t *status = NULL;
	rq_agent_json_read(&status, cfg->state_dir, RQ_AGENT_STATUS_FILE);
	json_t *out = json_pack("{s:s, s:I, s:I, s:I, s:s, s:s, s:b}", "server",
				cfg->server_url[0] ? cfg->server_url : st->server_url, "endpoint_id",
				(json_int_t)st->endpoint_id, "unit_id", (json_int_t)st->unit_id, "enrolled_at",
				(json_int_t)st->enrolled_at, "pin", st->pin, "state_dir", cfg->state_dir, "daemon_running",
				daemon_running(cfg->state_dir));
	if (!out)
		return NULL;
	json_t *lc = json_object_get(status, "last_contact");
	json_object_set(out, "last_contact", lc ? lc : json_null());
	json_object_set_new(out, "last_ok", json_integer(json_integer_value(json_object_get(status, "last_ok"))));
	json_object_set_new(out, "events_sent", json_integer(json_integer_value(json_object_get(status, "events_sent"))));
	snprintf(path, sizeof(path), "%s/%s", cfg->state_dir, RQ_AGENT_OUTBOX_FILE);
	rq_outbox *ob = NULL;
	rq_outbox_stats os = { 0 };
	if (access(path, F_OK) == 0 && rq_outbox_open(&ob, path, NULL) == 0 && rq_outbox_stats_get(ob, &os) == 0)
		json_object_set_new(out, "outbox", json_pack("{s:I, s:I, s:I}", "events", (json_int_t)os.events,
							     "bytes", (json_int_t)os.bytes, "dropped",
							     (json_int_t)os.dropped));
	else
		json_object_set_new(out, "outbox", json_pack("{s:i, s:i, s:i}", "events", 0, "bytes", 0, "dropped", 0));
	rq_outbox_close(ob);
	snprintf(path, sizeof(path), "%s/%s", cfg->state_dir, RQ_AGENT_TASKS_FILE);
	rq_taskq *tq = NULL;
	uint64_t pending = 0, all = 0;
	if (access(path, F_OK) == 0 && rq_taskq_open(&tq, path) == 0) {
		rq_taskq_count(tq, "pending", &pending);
		rq_taskq_count(tq, NULL, &all);
	}
	rq_taskq_close(tq);
	json_object_set_new(out, "tasks", json_pack("{s:I, s:I}", "pending", (json_int_t)pending, "total", (json_int_t)all));
	json_object_set_new(out, "db_dir", json_string(rq_agent_config_db_dir(cfg, db_dir, sizeof(db_dir))));
	json_object_set_new(out, "databases", rq_agent_databases(db_dir));
	json_t *rt = json_object_get(status, "realtime");
	json_object_set_new(out, "realtime", rt ? json_incref(rt)
					       : json_pack("{s:s, s:s}", "state", "off", "reason",
							   "real-time protection is not started by this raquetd"));
	json_t *iv = json_object_get(json_object_get(status, "policy"), "heartbeat_interval_seconds");
	int from_policy = json_is_integer(iv) && json_integer_value(iv) >= RQ_AGENT_MIN_HEARTBEAT &&
			  json_integer_value(iv) <= RQ_AGENT_MAX_HEARTBEAT;
	json_object_set_new(out, "heartbeat_interval",
			    json_integer(from_policy ? json_integer_value(iv) : (json_int_t)cfg->heartbeat_interval));
	json_object_set_new(out, "heartbeat_interval_from", json_string(from_policy ? "policy" : "configuration"));
	json_object_set_new(out, "last_full_scan",
			    json_integer(json_integer_value(json_object_get(status, "last_full_scan"))));
	json_object_set_new(out, "last_quick_scan",
			    json_integer(json_integer_value(json_object_get(status, "last_quick_scan"))));
	json_object_set_new(out, "last_update", json_integer(json_integer_value(json_object_get(status, "last_update"))));
	json_decref(status);
	return out;
}

static json_int_t geti(const json_t *o, const char *k)
{
	return json_integer_value(json_object_get(o, k));
}

static void print_text(const json_t *s)
{
	char t[64];
	printf("server:          %s\n", json_string_value(json_object_get(s, "server")));
	printf("endpoint:        %" JSON_INTEGER_FORMAT " (unit %" JSON_INTEGER_FORMAT ")\n", geti(s, "endpoint_id"),
	       geti(s, "unit_id"));
	fmt_time(geti(s, "enrolled_at"), t, sizeof(t));
	printf("enrolled:        %s\n", t);
	const char *pin = json_string_value(json_object_get(s, "pin"));
	printf("server key:      %s\n", pin && *pin ? pin : "not pinned (plain http on loopback)");
	printf("raquetd:         %s\n", json_is_true(json_object_get(s, "daemon_running")) ? "running" : "not running");
	const json_t *lc = json_object_get(s, "last_contact");
	if (json_is_object(lc)) {
		fmt_time(geti(lc, "time"), t, sizeof(t));
		int ok = json_is_true(json_object_get(lc, "ok"));
		printf("last contact:    %s, %s (%s)%s%s\n", ok ? "ok" : "failed", t,
		       json_string_value(json_object_get(lc, "what")), ok ? "" : ": ",
		       ok ? "" : json_string_value(json_object_get(lc, "error")));
	} else {
		printf("last contact:    never\n");
	}
	fmt_time(geti(s, "last_ok"), t, sizeof(t));
	printf("last success:    %s\n", t);
	printf("heartbeat:       every %" JSON_INTEGER_FORMAT " s (%s)\n", geti(s, "heartbeat_interval"),
	       json_string_value(json_object_get(s, "heartbeat_interval_from")));
	const json_t *ob = json_object_get(s, "outbox");
	printf("queued events:   %" JSON_INTEGER_FORMAT " (%" JSON_INTEGER_FORMAT " bytes)", geti(ob, "events"),
	       geti(ob, "bytes"));
	if (geti(ob, "dropped"))
		printf(", %" JSON_INTEGER_FORMAT " dropped by the size cap", geti(ob, "dropped"));
	printf("; %" JSON_INTEGER_FORMAT " delivered by this agent\n", geti(s, "events_sent"));
	const json_t *tk = json_object_get(s, "tasks");
	printf("tasks:           %" JSON_INTEGER_FORMAT " pending, %" JSON_INTEGER_FORMAT " received\n",
	       geti(tk, "pending"), geti(tk, "total"));
	const json_t *dbs = json_object_get(s, "databases");
	if (!json_object_size(dbs)) {
		printf("databases:       none installed in %s\n", json_string_value(json_object_get(s, "db_dir")));
	} else {
		const char *name;
		json_t *v;
		const char *label = "databases:";
		json_object_foreach((json_t *)dbs, name, v) {
			fmt_time(geti(v, "built"), t, sizeof(t));
			printf("%-16s %s version %" JSON_INTEGER_FORMAT ", built %s\n", label, name, geti(v, "version"), t);
			label = "";
		}
	}
	const json_t *rt = json_object_get(s, "realtime");
	const char *reason = json_string_value(json_object_get(rt, "reason"));
	printf("real-time:       %s%s%s\n", json_string_value(json_object_get(rt, "state")), reason && *reason ? ": " : "",
	       reason && *reason ? reason : "");
	fmt_time(geti(s, "last_full_scan"), t, sizeof(t));
	printf("last full scan:  %s\n", t);
	fmt_time(geti(s, "last_quick_scan"), t, sizeof(t));
	printf("last quick scan: %s\n", t);
	fmt_time(geti(s, "last_update"), t, sizeof(t));
	printf("last update:     %s\n", t);
}

static int status_main(int argc, char **argv)
{
	aopts o = { 0 };
	rq_agent_config cfg;
	rq_agent_state st;
	int rc = parse(&o, 0, argc, argv);
	if (rc)
		return rc == 1 ? 0 : rc;
	if (load_config(&o, &cfg))
		return 1;
	rc = rq_agent_state_load(&st, cfg.state_dir);
	if (rc == RQ_ENOTFOUND) {
		if (o.json)
			printf("{\"enrolled\":false,\"state_dir\":\"%s\"}\n", cfg.state_dir);
		else
			printf("not enrolled (no %s/%s): run 'raquet agent enroll'\n", cfg.state_dir, RQ_AGENT_STATE_FILE);
		return 1;
	}
	if (rc) {
		fprintf(stderr, CMD " status: %s\n", rq_error_last());
		return 1;
	}
	json_t *s = gather(&cfg, &st);
	explicit_bzero(&st, sizeof(st));
	if (!s) {
		fprintf(stderr, CMD " status: out of memory\n");
		return 1;
	}
	if (o.json) {
		json_object_set_new(s, "enrolled", json_true());
		char *text = json_dumps(s, JSON_COMPACT | JSON_PRESERVE_ORDER);
		if (text)
			puts(text);
		free(text);
	} else {
		print_text(s);
	}
	json_decref(s);
	return 0;
}

int agent_main(int argc, char **argv)
{
	if (argc < 2) {
		agent_help(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "enroll"))
		return enroll_main(argc - 1, argv + 1);
	if (!strcmp(argv[1], "status"))
		return status_main(argc - 1, argv + 1);
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		agent_help(stdout);
		return 0;
	}
	return usage_error("unknown agent command (enroll, status)", argv[1]);
}
