/*
 * The resident engine, real-time protection and the network watch
 * (protection.h). The real-time thread calls back here for each detected
 * file: the policy's action is taken there and then, and the finding put
 * into the outbox through a handle only that thread uses.
 */
#include "protection.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "agent_limits.h"
#include "core/error.h"
#include "log.h"
#include "netwatch.h"
#include "raquet/raquet.h"
#include "raquet/vault.h"
#include "realtime.h"
#include "scan/digest.h"

enum rt_action { RT_REPORT, RT_QUARANTINE, RT_DELETE };

struct rq_protection {
	char *db_dir, *trusted_keys, *vault_dir, *proc_root;
	char **rt_paths;
	size_t rt_path_count;
	int rt_whole_mounts, rt_off_here;
	rq_engine *engine;
	char load_error[512];      /* why a database did not load ("" when all did) */
	rq_realtime *rt;
	int rt_wanted;
	char rt_reason[512];       /* why it is off or unavailable */
	time_t rt_tried;
	atomic_int action;         /* enum rt_action, read by the real-time thread */
	rq_outbox *rt_ob;          /* used by the real-time thread only */
	rq_netwatch *nw;
};

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

/* A new engine from the database folder; load problems named in p->load_error. */
static int load_engine(rq_protection *p, rq_engine **out)
{
	rq_engine_options eo = { .trusted_keys = p->trusted_keys };
	rq_engine *e = NULL;
	struct stat sb;
	int rc = rq_engine_new(&e, &eo);
	p->load_error[0] = '\0';
	if (!rc && stat(p->db_dir, &sb) == 0 && rq_engine_load_path(e, p->db_dir))
		snprintf(p->load_error, sizeof(p->load_error), "%s", rq_error_last());
	if (!rc && p->load_error[0]) {
		/* what failed is named; start again with the built-in signature alone */
		rq_engine_free(e);
		e = NULL;
		rc = rq_engine_new(&e, &eo);
	}
	if (!rc)
		rc = rq_engine_compile(e);
	if (rc) {
		rq_engine_free(e);
		return rc;
	}
	*out = e;
	return 0;
}

int rq_protection_new(rq_protection **out, const rq_protection_options *o)
{
	rq_protection *p = calloc(1, sizeof(*p));
	int rc = 0;
	*out = NULL;
	if (!p)
		return rq_fail(RQ_ENOMEM, "out of memory");
	p->db_dir = strdup(o->db_dir);
	p->trusted_keys = dup_or_null(o->trusted_keys);
	p->vault_dir = strdup(o->vault_dir);
	p->proc_root = strdup(o->proc_root ? o->proc_root : "/");
	p->rt_paths = calloc(o->rt_path_count + 1, sizeof(char *));
	p->rt_whole_mounts = o->rt_whole_mounts;
	p->rt_off_here = o->rt_off_here;
	int bad = !p->db_dir || !p->vault_dir || !p->proc_root || !p->rt_paths || (o->trusted_keys && !p->trusted_keys);
	for (size_t i = 0; !bad && i < o->rt_path_count; i++, p->rt_path_count++)
		bad = !(p->rt_paths[i] = strdup(o->rt_paths[i]));
	if (bad)
		rc = rq_fail(RQ_ENOMEM, "out of memory");
	snprintf(p->rt_reason, sizeof(p->rt_reason), "not started yet");
	if (!rc)
		rc = rq_outbox_open(&p->rt_ob, o->outbox_path, NULL);
	if (!rc)
		rc = rq_netwatch_new(&p->nw);
	if (!rc)
		rc = load_engine(p, &p->engine);
	if (rc) {
		rq_protection_free(p);
		return rc;
	}
	if (p->load_error[0])
		rq_alog(RQ_ALOG_ERROR, "signature databases not loaded: %s", p->load_error);
	*out = p;
	return 0;
}

void rq_protection_free(rq_protection *p)
{
	if (!p)
		return;
	rq_realtime_stop(p->rt);
	rq_engine_free(p->engine);
	rq_outbox_close(p->rt_ob);
	rq_netwatch_free(p->nw);
	for (size_t i = 0; i < p->rt_path_count; i++)
		free(p->rt_paths[i]);
	free(p->rt_paths);
	free(p->db_dir);
	free(p->trusted_keys);
	free(p->vault_dir);
	free(p->proc_root);
	free(p);
}

/* Put an event from the real-time thread; `ev` consumed. */
static void rt_put(rq_protection *p, json_t *ev)
{
	if (rq_outbox_put_json(p->rt_ob, "detection", RQ_EVENT_DETAIL, ev))
		rq_alog(RQ_ALOG_ERROR, "a real-time finding could not be queued: %s", rq_error_last());
	json_decref(ev);
}

/* Called on the real-time thread for every detected file. */
static void on_rt(const rq_rt_event *ev, void *payload)
{
	rq_protection *p = payload;
	int action = atomic_load(&p->action);
	const char *names[] = { ev->name }, *state = "active", *done = ev->blocked ? "blocked" : "report";
	char id[RQ_VAULT_ID_LEN + 1] = "", md5[33] = "", sha256[65] = "", error[512] = "";
	rq_vault *v = NULL;
	rq_vault_item *item = NULL;
	if (action != RT_REPORT && ev->path[0] == '/') {
		int rc = rq_vault_open(&v, p->vault_dir);
		if (!rc)
			rc = rq_vault_quarantine_path(v, ev->path, names, 1, id);
		if (!rc && !rq_vault_get(v, id, &item))
			snprintf(sha256, sizeof(sha256), "%s", item->sha256);
		if (!rc && action == RT_DELETE)
			rc = rq_vault_delete(v, id);
		if (rc)
			snprintf(error, sizeof(error), "%s", rq_error_last());
		else
			state = action == RT_DELETE ? "removed" : "quarantined",
			done = action == RT_DELETE ? "delete" : "quarantine";
	}
	if (!sha256[0]) /* left in place: its digests still identify it */
		rq_digests_file_hex(ev->path, md5, sha256);
	json_t *e = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:b, s:s}", "path", ev->path, "name", ev->name,
			      "sha256", sha256, "action", done, "state", state, "found_in", "realtime", "pid", ev->pid,
			      "blocked", ev->blocked, "md5", md5);
	if (e && id[0] && action == RT_QUARANTINE && !error[0])
		json_object_set_new(e, "vault_id", json_string(id));
	if (e && error[0])
		json_object_set_new(e, "action_error", json_string(error));
	rq_alog(RQ_ALOG_WARN, "real-time: %s: %s %s%s%s", ev->path, ev->name, state, error[0] ? ": " : "", error);
	rt_put(p, e);
	rq_vault_item_free(item);
	rq_vault_close(v);
}

static int rt_start(rq_protection *p)
{
	rq_rt_options ro = {
		.paths = (const char *const *)p->rt_paths,
		.path_count = p->rt_path_count,
		.whole_mounts = p->rt_whole_mounts,
		.block_exec = 1,
		.cb = on_rt,
		.payload = p,
	};
	p->rt_tried = time(NULL);
	int rc = rq_realtime_start(&p->rt, p->engine, &ro);
	if (rc) {
		snprintf(p->rt_reason, sizeof(p->rt_reason), "%s", rq_error_last());
		rq_alog(RQ_ALOG_WARN, "%s", p->rt_reason);
		p->rt = NULL;
	} else {
		p->rt_reason[0] = '\0';
		rq_alog(RQ_ALOG_INFO, "real-time protection on");
	}
	return rc;
}

void rq_protection_apply(rq_protection *p, const json_t *policy)
{
	const char *a = json_string_value(json_object_get(policy, "action_on_detection"));
	atomic_store(&p->action, !a || !strcmp(a, "quarantine") ? RT_QUARANTINE
				 : !strcmp(a, "delete")		 ? RT_DELETE
								 : RT_REPORT);
	/* on unless the policy says off */
	p->rt_wanted = !json_is_false(json_object_get(policy, "realtime")) && !p->rt_off_here;
	const char *why_off = p->rt_off_here ? "turned off on this machine (agent.conf [realtime] enabled = no)"
					     : "turned off by the unit's policy";
	if (!p->rt_wanted && p->rt) {
		rq_realtime_stop(p->rt);
		p->rt = NULL;
		rq_alog(RQ_ALOG_INFO, "real-time protection off: %s", why_off);
	}
	if (!p->rt_wanted)
		snprintf(p->rt_reason, sizeof(p->rt_reason), "%s", why_off);
	else if (!p->rt && (p->rt_tried == 0 || time(NULL) - p->rt_tried >= RQ_AGENT_REALTIME_RETRY ||
			      time(NULL) < p->rt_tried)) {
		rt_start(p);
	}
}

int rq_protection_reload(rq_protection *p)
{
	rq_engine *next = NULL;
	int rc = load_engine(p, &next);
	if (rc)
		return rc;
	int was_on = p->rt != NULL;
	rq_realtime_stop(p->rt); /* the watcher holds the old engine: stopped before it goes */
	p->rt = NULL;
	rq_engine_free(p->engine);
	p->engine = next;
	if (was_on)
		rt_start(p);
	if (p->load_error[0])
		rq_alog(RQ_ALOG_ERROR, "signature databases not loaded: %s", p->load_error);
	return 0;
}

typedef struct nw_ctx {
	rq_outbox *ob;
	int rc;
} nw_ctx;

static int on_conn(const json_t *ev, void *payload)
{
	nw_ctx *c = payload;
	return c->rc = rq_outbox_put_json(c->ob, "connection", RQ_EVENT_DETAIL, ev);
}

int rq_protection_netwatch(rq_protection *p, rq_outbox *ob, size_t *found)
{
	nw_ctx c = { ob, 0 };
	rq_netwatch_counts counts;
	int rc = rq_netwatch_scan(&counts, p->nw, p->engine, p->proc_root, on_conn, &c);
	if (found)
		*found = rc ? 0 : counts.reported;
	return c.rc ? c.rc : rc;
}

json_t *rq_protection_status(rq_protection *p)
{
	rq_engine_stats es;
	rq_rt_stats rs = { 0 };
	rq_engine_stats_get(p->engine, &es);
	if (p->rt)
		rq_realtime_stats(p->rt, &rs);
	const char *state = p->rt ? "on" : p->rt_wanted ? "unavailable" : "off";
	json_t *o = json_pack("{s:s, s:I, s:I, s:I, s:I}", "state", state, "signatures", (json_int_t)es.total, "scanned",
			      (json_int_t)rs.scanned, "detected", (json_int_t)rs.detected, "blocked",
			      (json_int_t)rs.blocked);
	if (o && !p->rt)
		json_object_set_new(o, "reason", json_string(p->rt_reason));
	if (o && p->load_error[0])
		json_object_set_new(o, "database_error", json_string(p->load_error));
	return o;
}
