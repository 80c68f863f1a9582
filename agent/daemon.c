/*
 * The agent loop (daemon.h). One thread: two deadlines on CLOCK_MONOTONIC
 * (next heartbeat, next outbox look), slept towards in short ticks so a
 * signal is seen within a quarter second. What the loop learns -- last
 * contact, its error, events sent -- is written to status.json for
 * `raquet agent status`.
 */
#include "daemon.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "client.h"
#include "config.h"
#include "core/error.h"
#include "executor.h"
#include "facts.h"
#include "keys.h"
#include "log.h"
#include "outbox.h"
#include "protection.h"
#include "raquet/raquet.h"
#include "state.h"
#include "tasks.h"
#include "updater.h"

static volatile sig_atomic_t stop_requested, reload_requested, contact_requested;

void rq_daemon_signal(int sig)
{
	if (sig == SIGHUP)
		reload_requested = 1;
	else if (sig == SIGUSR1)
		contact_requested = 1;
	else
		stop_requested = 1;
}

typedef struct agentd {
	const rq_daemon_options *o;
	const char *config_path;
	rq_agent_config cfg;
	rq_agent_state st;
	rq_client *client;
	rq_outbox *ob;
	rq_taskq *tq;
	rq_executor *ex;
	rq_protection *prot;
	char raquet[PATH_MAX + 16]; /* the scanner program the executor runs */
	char db_dir[PATH_MAX], vault_dir[PATH_MAX + 16];
	const char *skip_dirs[3]; /* the agent's own folders: never scanned */
	json_t *status;          /* status.json as kept in memory */
	long policy_interval;    /* seconds, from the server's answer; 0: none yet */
	unsigned hb_failures, up_failures;
	int64_t next_hb, next_up; /* monotonic ms */
	int64_t next_work, next_update, next_netwatch, next_report;
	int server_mirror;       /* the server's last answer listed databases: its mirror is there */
	unsigned report_failures, update_failures;
	size_t batch_events;     /* events per batch now: narrowed by 413 and refusals */
	size_t batch_max;        /* and at most */
	int64_t backoff_max_ms;
} agentd;

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static long env_long(const char *name, long def, long min, long max)
{
	const char *v = getenv(name);
	char *end = NULL;
	long n = v && *v ? strtol(v, &end, 10) : def;
	return end && *end ? def : n < min ? min : n > max ? max : n;
}

/* nice and ionice of [agent]: the scans this process runs inherit them. */
static void apply_priority(const rq_agent_config *cfg)
{
	errno = 0;
	if (setpriority(PRIO_PROCESS, 0, (int)cfg->nice))
		rq_alog(RQ_ALOG_WARN, "cannot set nice %ld: %s", cfg->nice, strerror(errno));
	if (cfg->ionice != RQ_IONICE_NONE) {
		/* ioprio_set(IOPRIO_WHO_PROCESS, self, class << 13 | level): no glibc wrapper */
		long cls = cfg->ionice == RQ_IONICE_IDLE ? 3 : 2;
		long prio = cls << 13 | (cfg->ionice == RQ_IONICE_IDLE ? 0 : cfg->ionice_level);
		if (syscall(SYS_ioprio_set, 1, 0, prio))
			rq_alog(RQ_ALOG_WARN, "cannot set the I/O priority: %s", strerror(errno));
	}
}

static long interval_s(const agentd *d)
{
	if (d->cfg.heartbeat_fixed)
		return d->cfg.heartbeat_interval;
	return d->policy_interval ? d->policy_interval : d->cfg.heartbeat_interval;
}

static void save_status(agentd *d)
{
	if (rq_agent_json_write(d->status, d->cfg.state_dir, RQ_AGENT_STATUS_FILE))
		rq_alog(RQ_ALOG_WARN, "%s", rq_error_last());
}

/* Record the outcome of a contact (`what`: "heartbeat", "upload") in status.json. */
static void record_contact(agentd *d, const char *what, int ok, const char *error)
{
	json_int_t now = (json_int_t)time(NULL);
	json_t *c = json_pack("{s:I, s:b, s:s}", "time", now, "ok", ok, "what", what);
	if (c && !ok)
		json_object_set_new(c, "error", json_string(error));
	json_object_set_new(d->status, "last_contact", c);
	if (ok)
		json_object_set_new(d->status, "last_ok", json_integer(now));
	save_status(d);
}

static int open_client(agentd *d)
{
	rq_client *c = NULL;
	rq_client_options co = {
		.url = d->cfg.server_url[0] ? d->cfg.server_url : d->st.server_url,
		.ca_file = d->cfg.ca_file[0] ? d->cfg.ca_file : d->st.ca_file,
		.pin = d->st.pin,
		.credential = d->st.credential,
		.cancel = &stop_requested,
	};
	int rc = rq_client_new(&c, &co);
	if (rc)
		return rc;
	rq_client_free(d->client);
	d->client = c;
	return 0;
}

/* An answer that is not a success, as one line; 401 says what to do. */
static const char *refusal(long status, const json_t *answer, char *buf, size_t size)
{
	if (status == 401)
		snprintf(buf, size, "the server does not accept this agent's credential (endpoint removed?): "
			 "enroll again with 'raquet agent enroll --force'");
	else
		snprintf(buf, size, "the server answered %ld: %s", status, rq_client_reason(answer, "no reason given"));
	return buf;
}

/*
 * The real-time state as the heartbeat carries it ({"state", "source",
 * "reason"}: the server's fields) and the protection's counters beside it,
 * in status.json. Saved only when it changed.
 */
static void record_protection(agentd *d)
{
	json_t *ps = rq_protection_status(d->prot);
	if (!ps)
		return;
	const char *why = json_string_value(json_object_get(ps, "reason"));
	char reason[300]; /* the server's limit for a reason */
	snprintf(reason, sizeof(reason), "%s", why ? why : "");
	json_t *rt = json_pack("{s:O, s:s}", "state", json_object_get(ps, "state"), "source", "fanotify");
	if (rt && reason[0])
		json_object_set_new(rt, "reason", json_string(reason));
	int changed = !json_equal(rt, json_object_get(d->status, "realtime")) ||
		      !json_equal(ps, json_object_get(d->status, "protection"));
	json_object_set_new(d->status, "realtime", rt);
	json_object_set_new(d->status, "protection", ps);
	if (changed)
		save_status(d);
}

/*
 * The policy the server sent last (status.json "policy", the admin API's
 * effective policy document): the heartbeat interval here, real-time on or
 * off and its action in the protection; the executor reads the schedule,
 * action and exclusions at each step, the updater loop the update interval.
 */
static void apply_policy(agentd *d)
{
	const json_t *policy = json_object_get(d->status, "policy");
	json_t *iv = json_object_get(policy, "heartbeat_interval_seconds");
	if (json_is_integer(iv) && json_integer_value(iv) >= RQ_AGENT_MIN_HEARTBEAT &&
	    json_integer_value(iv) <= RQ_AGENT_MAX_HEARTBEAT)
		d->policy_interval = (long)json_integer_value(iv);
	if (d->prot)
		rq_protection_apply(d->prot, policy);
}

/*
 * The heartbeat answer lists the newest databases of the server's mirror:
 * one newer than what is installed is fetched at once, not at the next
 * update interval, so what the province publishes protects every machine
 * within a heartbeat. An empty list: the server has no mirror. `installed`
 * is the heartbeat's own "databases".
 */
static void newer_databases(agentd *d, const json_t *offered, const json_t *installed)
{
	d->server_mirror = json_object_size(offered) > 0;
	if (!d->prot || !d->server_mirror)
		return;
	const char *name;
	json_t *v;
	json_object_foreach((json_t *)offered, name, v) {
		json_int_t have = json_integer_value(json_object_get(json_object_get(installed, name), "version"));
		if (json_integer_value(json_object_get(v, "version")) > have) {
			rq_alog(RQ_ALOG_INFO, "the server offers %s version %" JSON_INTEGER_FORMAT ": updating now", name,
				json_integer_value(json_object_get(v, "version")));
			d->next_update = 0;
			break;
		}
	}
}

/* One heartbeat; 0 or -1 (recorded and logged). */
static int heartbeat(agentd *d)
{
	if (d->prot)
		record_protection(d); /* the real-time state as it is now */
	json_t *facts = rq_agent_facts(&d->cfg, d->status), *answer = NULL;
	char why[600];
	long status = 0;
	int rc = facts ? rq_client_post(d->client, "/api/v1/agent/heartbeat", facts, &status, &answer)
		       : rq_fail(RQ_ENOMEM, "out of memory");
	if (rc == RQ_ESTOPPED)
		goto done;
	if (rc) {
		snprintf(why, sizeof(why), "%s", rq_error_last());
	} else if (status != 200) {
		refusal(status, answer, why, sizeof(why));
		rc = RQ_ERROR;
	} else {
		size_t added = 0;
		if (rq_taskq_add(d->tq, json_object_get(answer, "tasks"), (int64_t)time(NULL), &added)) {
			/* the server marked them sent: say loudly that they were not kept */
			snprintf(why, sizeof(why), "tasks received but not stored: %s", rq_error_last());
			rc = RQ_ERROR;
		} else if (added) {
			rq_alog(RQ_ALOG_INFO, "%zu new task(s) queued", added);
		}
		/* what is installed, as this heartbeat just reported it */
		newer_databases(d, json_object_get(answer, "databases"), json_object_get(facts, "databases"));
		json_t *policy = json_object_get(answer, "policy");
		json_t *version = json_object_get(answer, "policy_version");
		if (json_is_object(policy)) { /* kept for the scheduler, and across restarts */
			json_object_set(d->status, "policy", policy);
			if (json_is_integer(version))
				json_object_set(d->status, "policy_version", version);
			apply_policy(d);
			if (d->prot)
				record_protection(d);
		}
		/* new mirror keys into the trusted keys folder; a refusal does not fail the heartbeat */
		if (rq_agent_keys_apply(&d->cfg, answer, d->status, NULL, NULL))
			rq_alog(RQ_ALOG_WARN, "the server's mirror keys were not installed: %s", rq_error_last());
	}
	record_contact(d, "heartbeat", rc == 0, rc ? why : NULL);
	if (rc)
		rq_alog(RQ_ALOG_WARN, "heartbeat failed: %s", why);
	else
		rq_alog(RQ_ALOG_DEBUG, "heartbeat ok");
done:
	json_decref(facts);
	json_decref(answer);
	return rc ? -1 : 0;
}

/* The events of a batch as the API's body. NULL on out-of-memory. */
static json_t *batch_body(const rq_outbox_batch *b)
{
	json_t *list = json_array(), *body = json_pack("{s:o}", "events", list);
	for (size_t i = 0; body && i < b->count; i++) {
		const rq_outbox_event *e = &b->events[i];
		json_t *payload = json_loads(e->payload, JSON_DECODE_ANY, NULL);
		if (!json_is_object(payload)) { /* never put by this agent; still delivered, as text */
			json_decref(payload);
			payload = json_pack("{s:s}", "text", e->payload);
		}
		json_t *ev = json_pack("{s:s, s:s, s:I, s:o}", "uuid", e->uuid, "kind", e->kind, "time",
				       (json_int_t)(e->when > 0 ? e->when : 0), "payload", payload);
		if (!ev || json_array_append_new(list, ev)) {
			json_decref(body);
			return NULL;
		}
	}
	return body;
}

/* Remove from the outbox the UUIDs of `b` that `answer` acknowledged; the count acked. */
static int ack_batch(agentd *d, const rq_outbox_batch *b, const json_t *answer, size_t *acked)
{
	const json_t *list = json_object_get(answer, "acked");
	const char **uuids = calloc(b->count ? b->count : 1, sizeof(*uuids));
	size_t n = 0;
	*acked = 0;
	if (!uuids)
		return rq_fail(RQ_ENOMEM, "out of memory");
	/* only what was both sent and acknowledged: a confused server cannot remove other events */
	for (size_t i = 0; i < b->count; i++) {
		size_t k;
		json_t *v;
		json_array_foreach(list, k, v) {
			if (json_is_string(v) && !strcmp(json_string_value(v), b->events[i].uuid)) {
				uuids[n++] = b->events[i].uuid;
				break;
			}
		}
	}
	int rc = n ? rq_outbox_ack(d->ob, uuids, n) : 0;
	free(uuids);
	if (!rc)
		*acked = n;
	return rc;
}

/*
 * The server refused a batch for its content (400 or 422: nothing of it
 * kept). Blocking the queue behind one event the server will never take
 * (an agent newer than its server, a damaged payload) would stop every
 * report, so: narrow the batch until the refused event is alone, then
 * replace it by an "error" event that names it and the server's reason
 * (reported like any other), and remove it. 0, or an error (the outbox).
 */
static int refused_batch(agentd *d, const rq_outbox_batch *b, long status, const json_t *answer)
{
	const char *reason = rq_client_reason(answer, "no reason given");
	if (b->count > 1) {
		d->batch_events = b->count / 2;
		rq_alog(RQ_ALOG_WARN, "the server refused a batch (%ld: %s): narrowing to %zu event(s)", status,
			reason, d->batch_events);
		return 0;
	}
	const rq_outbox_event *e = &b->events[0];
	int rc = 0;
	/* a refused report of a refusal is only logged: no loop of replacements */
	if (strcmp(e->kind, "error") || !strstr(e->payload, "\"refused_uuid\"")) {
		json_t *p = json_pack("{s:s, s:s, s:s, s:I, s:s}", "message", "the server refused this event; it "
				      "was removed from the outbox", "refused_uuid", e->uuid, "refused_kind", e->kind,
				      "status", (json_int_t)status, "reason", reason);
		rc = rq_outbox_put_json(d->ob, "error", RQ_EVENT_DETAIL, p);
		json_decref(p);
	}
	const char *uuid = e->uuid;
	if (!rc)
		rc = rq_outbox_ack(d->ob, &uuid, 1);
	if (!rc)
		rq_alog(RQ_ALOG_ERROR, "the server refused event %s (%s): %s; removed, and reported as an error",
			e->uuid, e->kind, reason);
	return rc;
}

/*
 * Send batches until the outbox is empty (1), `max_batches` were sent (0),
 * or one failed (-1, recorded and logged).
 */
static int upload(agentd *d, int max_batches)
{
	int result = 0;
	char why[600];
	for (int sent = 0; !stop_requested && (max_batches <= 0 || sent < max_batches); sent++) {
		rq_outbox_batch b;
		json_t *body = NULL, *answer = NULL;
		long status = 0;
		size_t acked = 0;
		int rc = rq_outbox_next(d->ob, d->batch_events, RQ_AGENT_BATCH_BYTES, &b);
		if (rc) {
			snprintf(why, sizeof(why), "%s", rq_error_last());
			result = -1;
			break;
		}
		if (!b.count) {
			rq_outbox_batch_free(&b);
			return 1;
		}
		if (!(body = batch_body(&b)))
			rc = rq_fail(RQ_ENOMEM, "out of memory");
		if (!rc)
			rc = rq_client_post(d->client, "/api/v1/agent/events", body, &status, &answer);
		if (!rc && status == 413 && d->batch_events > 1) {
			d->batch_events /= 2; /* the server takes smaller bodies: retry at once, smaller */
			rq_alog(RQ_ALOG_INFO, "batch too large for the server: now %zu events", d->batch_events);
		} else if (!rc && status == 200) {
			if ((rc = ack_batch(d, &b, answer, &acked)))
				snprintf(why, sizeof(why), "%s", rq_error_last());
			else
				rq_alog(RQ_ALOG_DEBUG, "%zu event(s) delivered", acked);
			json_t *total = json_object_get(d->status, "events_sent");
			json_object_set_new(d->status, "events_sent",
					    json_integer(json_integer_value(total) + (json_int_t)acked));
			if (!rc && d->batch_events < d->batch_max) /* narrowed before: grow back */
				d->batch_events = d->batch_events * 2 < d->batch_max ? d->batch_events * 2 : d->batch_max;
		} else if (!rc && (status == 400 || status == 422)) {
			if ((rc = refused_batch(d, &b, status, answer)))
				snprintf(why, sizeof(why), "%s", rq_error_last());
		} else if (!rc) {
			refusal(status, answer, why, sizeof(why));
			rc = RQ_ERROR;
		} else if (rc != RQ_ESTOPPED) {
			snprintf(why, sizeof(why), "%s", rq_error_last());
		}
		json_decref(body);
		json_decref(answer);
		rq_outbox_batch_free(&b);
		if (rc == RQ_ESTOPPED)
			return 0;
		if (rc) {
			result = -1;
			break;
		}
	}
	record_contact(d, "upload", result == 0, result ? why : NULL);
	if (result)
		rq_alog(RQ_ALOG_WARN, "event upload failed: %s", why);
	return result;
}

/* An "error" event (something the province should see): logged when it cannot be queued. */
static void report_error(agentd *d, const char *what, const char *message)
{
	json_t *p = json_pack("{s:s, s:s}", "what", what, "message", message);
	if (rq_outbox_put_json(d->ob, "error", RQ_EVENT_DETAIL, p))
		rq_alog(RQ_ALOG_ERROR, "an error report could not be queued: %s", message);
	json_decref(p);
}

/*
 * Bring the databases up to date from the mirror; the engine is reloaded
 * when one was installed. Used by the update loop and the "update" task
 * (the executor's callback): 0 or an error; *result (may be NULL) the
 * report as the task's result.
 */
static int update_now(void *ctx, json_t **result)
{
	agentd *d = ctx;
	rq_agent_update_report r;
	int rc = rq_agent_update(&d->cfg, &d->st, &stop_requested, &r);
	if (r.installed) {
		int lr = rq_protection_reload(d->prot);
		if (lr)
			report_error(d, "update", rq_error_last());
		record_protection(d);
	}
	if (!rc) {
		json_object_set_new(d->status, "last_update", json_integer((json_int_t)time(NULL)));
		save_status(d);
	}
	if (result)
		*result = rq_agent_update_report_json(&r);
	if (rc)
		rq_fail(rc, "%s", r.error[0] ? r.error : "the update failed");
	rq_agent_update_report_clear(&r);
	return rc;
}

/* Minutes between automatic updates: the policy's, else the default. */
static int64_t update_interval_ms(const agentd *d)
{
	json_t *m = json_object_get(json_object_get(d->status, "policy"), "update_interval_minutes");
	json_int_t min = json_is_integer(m) && json_integer_value(m) > 0 ? json_integer_value(m)
									  : RQ_AGENT_DEFAULT_UPDATE_MINUTES;
	return (int64_t)min * 60 * 1000;
}

static void update_loop(agentd *d)
{
	if (!d->cfg.update_mirror[0] && !d->server_mirror) {
		/* no mirror here: nothing to fetch, nothing to report; the next heartbeat tells */
		d->next_update = mono_ms() + update_interval_ms(d);
		return;
	}
	if (update_now(d, NULL) == 0) {
		d->update_failures = 0;
		d->next_update = mono_ms() + update_interval_ms(d);
	} else {
		char why[600];
		snprintf(why, sizeof(why), "%s", rq_error_last());
		rq_alog(RQ_ALOG_WARN, "signature update failed: %s", why);
		if (d->update_failures == 0) /* once per outage, not at every retry */
			report_error(d, "update", why);
		d->next_update = mono_ms() + RQ_AGENT_BACKOFF_BASE_MS +
				 rq_backoff_ms(d->update_failures++, RQ_AGENT_BACKOFF_BASE_MS * 15, update_interval_ms(d));
	}
}

/*
 * Tell the server the task states it does not have yet. A 404 means the
 * task is gone there (cancelled, or already final): nothing more to say.
 * 0, or -1 when the server could not be reached (tried again later).
 */
static int report_tasks(agentd *d)
{
	for (int n = 0; n < RQ_AGENT_REPORTS_PER_ROUND && !stop_requested; n++) {
		rq_task t;
		int found = 0;
		if (rq_taskq_unreported(d->tq, &t, &found) || !found)
			return 0;
		char path[96];
		long status = 0;
		json_t *answer = NULL, *body = json_pack("{s:s}", "state", t.state);
		if (body && json_is_object(t.result))
			json_object_set(body, "result", t.result);
		snprintf(path, sizeof(path), "/api/v1/agent/tasks/%lld/result", (long long)t.id);
		int rc = body ? rq_client_post(d->client, path, body, &status, &answer) : RQ_ENOMEM;
		if (!rc && (status == 200 || status == 404 || status == 400)) {
			if (status != 200)
				rq_alog(RQ_ALOG_WARN, "task %lld: the server did not take its %s report (%ld: %s)",
					(long long)t.id, t.state, status, rq_client_reason(answer, "no reason given"));
			rc = rq_taskq_reported(d->tq, t.id, t.state);
			if (rc)
				rq_alog(RQ_ALOG_ERROR, "%s", rq_error_last());
		} else {
			rc = -1;
		}
		rq_task_clear(&t);
		json_decref(body);
		json_decref(answer);
		if (rc)
			return -1;
	}
	return 0;
}

/* Tasks and scheduled scans: one executor step. */
static void work(agentd *d)
{
	int changed = 0;
	int rc = rq_executor_step(d->ex, json_object_get(d->status, "policy"), d->status, (int64_t)time(NULL), &changed);
	if (rc)
		rq_alog(RQ_ALOG_ERROR, "tasks: %s", rq_error_last());
	if (changed)
		save_status(d);
}

static void netwatch(agentd *d)
{
	size_t found = 0;
	if (rq_protection_netwatch(d->prot, d->ob, &found))
		rq_alog(RQ_ALOG_WARN, "network watch: %s", rq_error_last());
	else if (found)
		rq_alog(RQ_ALOG_WARN, "network watch: %zu connection(s) to malicious addresses reported", found);
}

/* The raquet program beside this one (a build tree), else in ../bin (/usr/sbin -> /usr/bin). */
static void find_scanner(agentd *d)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (d->cfg.scanner[0]) {
		snprintf(d->raquet, sizeof(d->raquet), "%s", d->cfg.scanner);
		return;
	}
	snprintf(d->raquet, sizeof(d->raquet), "%s", RQ_AGENT_DEFAULT_SCANNER);
	if (n <= 0)
		return;
	self[n] = '\0';
	char *slash = strrchr(self, '/');
	if (!slash)
		return;
	*slash = '\0';
	char try[PATH_MAX + 16];
	snprintf(try, sizeof(try), "%s/raquet", self);
	if (access(try, X_OK) == 0) {
		snprintf(d->raquet, sizeof(d->raquet), "%s", try);
		return;
	}
	snprintf(try, sizeof(try), "%s/../bin/raquet", self);
	if (access(try, X_OK) == 0)
		snprintf(d->raquet, sizeof(d->raquet), "%s", try);
}

/* The protection and the executor (after the state, outbox and queue are open). */
static int start_work(agentd *d)
{
	char path[PATH_MAX + 64];
	size_t interrupted = 0;
	int rc = rq_taskq_fail_interrupted(d->tq, &interrupted);
	if (rc)
		return rc;
	if (interrupted)
		rq_alog(RQ_ALOG_WARN, "%zu task(s) were running when the agent stopped: reported as failed", interrupted);
	find_scanner(d);
	rq_agent_config_db_dir(&d->cfg, d->db_dir, sizeof(d->db_dir));
	rq_agent_config_vault_dir(&d->cfg, d->vault_dir, sizeof(d->vault_dir));
	d->skip_dirs[0] = d->cfg.state_dir;
	d->skip_dirs[1] = d->vault_dir;
	d->skip_dirs[2] = NULL;
	/* the folder updates install into; scans of an empty one use the built-in signature */
	if (mkdir(d->db_dir, 0755) && errno != EEXIST)
		rq_alog(RQ_ALOG_WARN, "cannot create %s: %s", d->db_dir, strerror(errno));
	snprintf(path, sizeof(path), "%s/%s", d->cfg.state_dir, RQ_AGENT_OUTBOX_FILE);
	char rt_list[sizeof(d->cfg.realtime_paths)];
	const char *rt_paths[RQ_AGENT_MAX_REALTIME_PATHS];
	size_t n_rt = 0;
	snprintf(rt_list, sizeof(rt_list), "%s", d->cfg.realtime_paths);
	for (char *save = NULL, *tok = strtok_r(rt_list, ", ", &save); tok && n_rt < RQ_AGENT_MAX_REALTIME_PATHS;
	     tok = strtok_r(NULL, ", ", &save))
		rt_paths[n_rt++] = tok;
	rq_protection_options po = {
		.db_dir = d->db_dir,
		.trusted_keys = rq_agent_config_keys_dir(&d->cfg),
		.vault_dir = d->vault_dir,
		.outbox_path = path,
		.rt_paths = rt_paths,
		.rt_path_count = n_rt,
		.rt_whole_mounts = d->cfg.realtime_whole_mounts,
		.rt_off_here = !d->cfg.realtime_enabled,
		.proc_root = "/",
	};
	if ((rc = rq_protection_new(&d->prot, &po)))
		return rc;
	rq_executor_env env = {
		.raquet = d->raquet,
		.db_dir = d->db_dir,
		.trusted_keys = rq_agent_config_keys_dir(&d->cfg),
		.vault_dir = d->vault_dir,
		.skip_dirs = d->skip_dirs,
		.no_schedule = !d->cfg.scheduled_scans,
		.ob = d->ob,
		.tq = d->tq,
		.update = update_now,
		.update_ctx = d,
	};
	return rq_executor_new(&d->ex, &env);
}

/* The configuration anew (SIGHUP); the old one stays when the new one is bad. */
static void reload(agentd *d)
{
	rq_agent_config next;
	rq_agent_config_defaults(&next);
	int rc = rq_agent_config_load(&next, d->config_path);
	if (rc == RQ_ENOTFOUND && !d->o->config_path)
		rc = 0;
	if (rc) {
		rq_alog(RQ_ALOG_ERROR, "reload refused, configuration kept: %s", rq_error_last());
		return;
	}
	if (d->o->state_dir)
		snprintf(next.state_dir, sizeof(next.state_dir), "%s", d->o->state_dir);
	if (strcmp(next.state_dir, d->cfg.state_dir)) {
		rq_alog(RQ_ALOG_WARN, "state_dir changes only with a restart; kept %s", d->cfg.state_dir);
		snprintf(next.state_dir, sizeof(next.state_dir), "%s", d->cfg.state_dir);
	}
	/* agent.json too: `raquet agent enroll --force` then SIGHUP, without a restart */
	rq_agent_state st;
	if (rq_agent_state_load(&st, next.state_dir)) {
		rq_alog(RQ_ALOG_ERROR, "reload refused, configuration kept: %s", rq_error_last());
		return;
	}
	rq_agent_config old = d->cfg;
	rq_agent_state old_st = d->st;
	d->cfg = next;
	d->st = st;
	explicit_bzero(&st, sizeof(st));
	if (open_client(d)) {
		rq_alog(RQ_ALOG_ERROR, "reload refused, configuration kept: %s", rq_error_last());
		d->cfg = old;
		d->st = old_st;
		explicit_bzero(&old_st, sizeof(old_st));
		return;
	}
	explicit_bzero(&old_st, sizeof(old_st));
	rq_alog_setup(d->cfg.log_level, d->cfg.log_syslog);
	apply_priority(&d->cfg);
	rq_alog(RQ_ALOG_INFO, "configuration reloaded from %s", d->config_path);
}

/* Open everything the loop needs; 0 or an error with its message. */
static int start(agentd *d, int *lock_fd)
{
	char path[PATH_MAX + 64];
	rq_agent_config_defaults(&d->cfg);
	int rc = rq_agent_config_load(&d->cfg, d->config_path);
	if (rc == RQ_ENOTFOUND && !d->o->config_path)
		rc = 0; /* no file at the default place: the defaults */
	if (rc)
		return rc;
	if (d->o->state_dir)
		snprintf(d->cfg.state_dir, sizeof(d->cfg.state_dir), "%s", d->o->state_dir);
	rq_alog_setup(d->cfg.log_level, d->cfg.log_syslog);
	if ((rc = rq_agent_state_load(&d->st, d->cfg.state_dir))) {
		if (rc == RQ_ENOTFOUND)
			rc = rq_fail(RQ_ENOTFOUND, "this machine is not enrolled (no %s/%s): run 'raquet agent enroll "
				     "--server URL --token TOKEN --ca FILE'", d->cfg.state_dir, RQ_AGENT_STATE_FILE);
		return rc;
	}
	snprintf(path, sizeof(path), "%s/%s", d->cfg.state_dir, RQ_AGENT_LOCK_FILE);
	if ((*lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) < 0)
		return rq_fail_errno(RQ_EIO, errno, "%s: cannot open", path);
	if (flock(*lock_fd, LOCK_EX | LOCK_NB))
		return rq_fail(RQ_EINVAL, "another raquetd is running on %s", d->cfg.state_dir);
	snprintf(path, sizeof(path), "%s/%s", d->cfg.state_dir, RQ_AGENT_OUTBOX_FILE);
	if ((rc = rq_outbox_open(&d->ob, path, NULL)))
		return rc;
	snprintf(path, sizeof(path), "%s/%s", d->cfg.state_dir, RQ_AGENT_TASKS_FILE);
	if ((rc = rq_taskq_open(&d->tq, path)))
		return rc;
	if (rq_agent_json_read(&d->status, d->cfg.state_dir, RQ_AGENT_STATUS_FILE))
		d->status = json_object(); /* missing or unreadable: start afresh */
	if (!d->status)
		return rq_fail(RQ_ENOMEM, "out of memory");
	json_object_set_new(d->status, "pid", json_integer(getpid()));
	json_object_set_new(d->status, "started", json_integer((json_int_t)time(NULL)));
	if ((rc = open_client(d)))
		return rc;
	apply_priority(&d->cfg);
	d->batch_max = (size_t)env_long("RQ_AGENT_BATCH_EVENTS", RQ_AGENT_BATCH_EVENTS, 1, RQ_AGENT_BATCH_EVENTS);
	d->batch_events = d->batch_max;
	d->backoff_max_ms = env_long("RQ_AGENT_BACKOFF_MAX_MS", RQ_AGENT_BACKOFF_MAX_MS, 1, RQ_AGENT_BACKOFF_MAX_MS);
	if (d->o->once)
		return 0; /* one contact: no protection, no scans */
	if ((rc = start_work(d)))
		return rc;
	apply_policy(d); /* the last one known, until the server says otherwise */
	record_protection(d);
	return 0;
}

static void sleep_ms(int64_t ms)
{
	struct timespec ts = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000 };
	nanosleep(&ts, NULL); /* a signal cuts it short: the loop looks at its flags */
}

/* One heartbeat and the whole outbox: 0 or RQ_EIO. */
static int run_once(agentd *d)
{
	int hb = heartbeat(d);
	int up = stop_requested ? -1 : upload(d, 0);
	return hb || up < 0 ? rq_fail(RQ_EIO, "%s", "contact failed (see the messages above)") : 0;
}

static int64_t earliest(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

static void run_loop(agentd *d)
{
	int64_t now = mono_ms();
	d->next_hb = d->next_up = d->next_work = d->next_report = d->next_update = d->next_netwatch = now;
	while (!stop_requested) {
		if (reload_requested) {
			reload_requested = 0;
			reload(d);
		}
		now = mono_ms();
		if (contact_requested) { /* SIGUSR1: heartbeat now (new tasks, policy) */
			contact_requested = 0;
			d->next_hb = now;
		}
		if (now >= d->next_hb) {
			if (heartbeat(d) == 0) {
				d->hb_failures = 0;
				d->next_hb = mono_ms() + (int64_t)interval_s(d) * 1000;
			} else {
				d->next_hb = mono_ms() + RQ_AGENT_BACKOFF_BASE_MS / 2 +
					     rq_backoff_ms(d->hb_failures++, RQ_AGENT_BACKOFF_BASE_MS, d->backoff_max_ms);
			}
		}
		if (!stop_requested && mono_ms() >= d->next_work) {
			work(d);
			/* a running scan is followed closely (its output pipe), an idle queue looked at each second */
			d->next_work = mono_ms() + (rq_executor_scanning(d->ex) ? RQ_AGENT_TICK_MS : RQ_AGENT_WORK_POLL_MS);
		}
		if (!stop_requested && mono_ms() >= d->next_report) {
			if (report_tasks(d) == 0)
				d->report_failures = 0, d->next_report = mono_ms() + RQ_AGENT_WORK_POLL_MS;
			else
				d->next_report = mono_ms() + RQ_AGENT_BACKOFF_BASE_MS / 2 +
						 rq_backoff_ms(d->report_failures++, RQ_AGENT_BACKOFF_BASE_MS, d->backoff_max_ms);
		}
		if (!stop_requested && mono_ms() >= d->next_update)
			update_loop(d);
		if (!stop_requested && mono_ms() >= d->next_netwatch) {
			if (d->cfg.netwatch_interval)
				netwatch(d);
			d->next_netwatch = mono_ms() + (int64_t)(d->cfg.netwatch_interval ? d->cfg.netwatch_interval
											   : RQ_AGENT_NETWATCH_INTERVAL) * 1000;
		}
		if (!stop_requested && mono_ms() >= d->next_up) {
			int r = upload(d, RQ_AGENT_BATCHES_PER_FLUSH);
			if (r < 0)
				d->next_up = mono_ms() + RQ_AGENT_BACKOFF_BASE_MS / 2 +
					     rq_backoff_ms(d->up_failures++, RQ_AGENT_BACKOFF_BASE_MS, d->backoff_max_ms);
			else
				d->up_failures = 0, d->next_up = mono_ms() + (r ? RQ_AGENT_OUTBOX_POLL_MS : 0);
		}
		int64_t wake = earliest(earliest(earliest(d->next_hb, d->next_up), earliest(d->next_work, d->next_report)),
					earliest(d->next_update, d->next_netwatch));
		int64_t left = wake - mono_ms();
		if (left > 0)
			sleep_ms(left < RQ_AGENT_TICK_MS ? left : RQ_AGENT_TICK_MS);
	}
}

int rq_daemon_run(const rq_daemon_options *o)
{
	agentd d;
	int lock_fd = -1;
	memset(&d, 0, sizeof(d));
	d.o = o;
	d.config_path = o->config_path ? o->config_path : RQ_AGENT_DEFAULT_CONFIG;
	int rc = start(&d, &lock_fd);
	if (rc)
		goto done;
	rq_alog(RQ_ALOG_INFO, "raquetd %s: endpoint %lld of %s, state in %s", rq_version(),
		(long long)d.st.endpoint_id, d.cfg.server_url[0] ? d.cfg.server_url : d.st.server_url,
		d.cfg.state_dir);
	if (o->once) {
		rc = run_once(&d);
	} else {
		run_loop(&d);
		rq_alog(RQ_ALOG_INFO, "stopping");
	}
	json_object_del(d.status, "pid");
	save_status(&d);
done:
	rq_executor_free(d.ex); /* stops a running scan: its summary says interrupted */
	rq_protection_free(d.prot);
	rq_client_free(d.client);
	rq_outbox_close(d.ob);
	rq_taskq_close(d.tq);
	json_decref(d.status);
	explicit_bzero(&d.st, sizeof(d.st));
	if (lock_fd >= 0)
		close(lock_fd);
	return rc;
}
