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
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "client.h"
#include "config.h"
#include "core/error.h"
#include "facts.h"
#include "log.h"
#include "outbox.h"
#include "raquet/raquet.h"
#include "state.h"
#include "tasks.h"

static volatile sig_atomic_t stop_requested, reload_requested;

void rq_daemon_signal(int sig)
{
	if (sig == SIGHUP)
		reload_requested = 1;
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
	json_t *status;          /* status.json as kept in memory */
	long policy_interval;    /* seconds, from the server's answer; 0: none yet */
	unsigned hb_failures, up_failures;
	int64_t next_hb, next_up; /* monotonic ms */
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
 * The policy the server sent last (status.json "policy", the admin API's
 * effective policy document): for now its heartbeat interval; the scan
 * schedule, action, exclusions, real-time and update interval are for the
 * scheduler and executor.
 */
static void apply_policy(agentd *d)
{
	json_t *iv = json_object_get(json_object_get(d->status, "policy"), "heartbeat_interval_seconds");
	if (json_is_integer(iv) && json_integer_value(iv) >= RQ_AGENT_MIN_HEARTBEAT &&
	    json_integer_value(iv) <= RQ_AGENT_MAX_HEARTBEAT)
		d->policy_interval = (long)json_integer_value(iv);
}

/* One heartbeat; 0 or -1 (recorded and logged). */
static int heartbeat(agentd *d)
{
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
		json_t *policy = json_object_get(answer, "policy");
		json_t *version = json_object_get(answer, "policy_version");
		if (json_is_object(policy)) { /* kept for the scheduler, and across restarts */
			json_object_set(d->status, "policy", policy);
			if (json_is_integer(version))
				json_object_set(d->status, "policy_version", version);
			apply_policy(d);
		}
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
		char *text = p ? json_dumps(p, JSON_COMPACT) : NULL;
		rc = text ? rq_outbox_put(d->ob, "error", RQ_EVENT_DETAIL, text, (int64_t)time(NULL), NULL)
			  : rq_fail(RQ_ENOMEM, "out of memory");
		free(text);
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
	apply_policy(d); /* the last one known, until the server says otherwise */
	json_object_set_new(d->status, "pid", json_integer(getpid()));
	json_object_set_new(d->status, "started", json_integer((json_int_t)time(NULL)));
	if ((rc = open_client(d)))
		return rc;
	apply_priority(&d->cfg);
	d->batch_max = (size_t)env_long("RQ_AGENT_BATCH_EVENTS", RQ_AGENT_BATCH_EVENTS, 1, RQ_AGENT_BATCH_EVENTS);
	d->batch_events = d->batch_max;
	d->backoff_max_ms = env_long("RQ_AGENT_BACKOFF_MAX_MS", RQ_AGENT_BACKOFF_MAX_MS, 1, RQ_AGENT_BACKOFF_MAX_MS);
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

static void run_loop(agentd *d)
{
	int64_t now = mono_ms();
	d->next_hb = d->next_up = now;
	while (!stop_requested) {
		if (reload_requested) {
			reload_requested = 0;
			reload(d);
		}
		now = mono_ms();
		if (now >= d->next_hb) {
			if (heartbeat(d) == 0) {
				d->hb_failures = 0;
				d->next_hb = mono_ms() + (int64_t)interval_s(d) * 1000;
			} else {
				d->next_hb = mono_ms() + RQ_AGENT_BACKOFF_BASE_MS / 2 +
					     rq_backoff_ms(d->hb_failures++, RQ_AGENT_BACKOFF_BASE_MS, d->backoff_max_ms);
			}
		}
		if (!stop_requested && mono_ms() >= d->next_up) {
			int r = upload(d, RQ_AGENT_BATCHES_PER_FLUSH);
			if (r < 0)
				d->next_up = mono_ms() + RQ_AGENT_BACKOFF_BASE_MS / 2 +
					     rq_backoff_ms(d->up_failures++, RQ_AGENT_BACKOFF_BASE_MS, d->backoff_max_ms);
			else
				d->up_failures = 0, d->next_up = mono_ms() + (r ? RQ_AGENT_OUTBOX_POLL_MS : 0);
		}
		int64_t wake = d->next_hb < d->next_up ? d->next_hb : d->next_up, left = wake - mono_ms();
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
	rq_client_free(d.client);
	rq_outbox_close(d.ob);
	rq_taskq_close(d.tq);
	json_decref(d.status);
	explicit_bzero(&d.st, sizeof(d.st));
	if (lock_fd >= 0)
		close(lock_fd);
	return rc;
}
