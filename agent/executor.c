/*
 * Tasks and scheduled scans (executor.h). A scan task or a due scheduled
 * scan starts a scanjob; the file tasks (quarantine, restore, delete) work
 * on the vault through libraquet, on the file itself, never through a
 * symlink; an update calls the daemon's updater.
 */
#include "executor.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agent_limits.h"
#include "core/error.h"
#include "raquet/vault.h"
#include "scanjob.h"
#include "schedule.h"

struct rq_executor {
	rq_executor_env env;
	rq_scanjob *job;
	rq_task job_task;          /* the task of the running scan (id 0: scheduled) */
};

/* The name a file quarantined or deleted by an officer's task carries in the vault. */
#define TASK_DETECTION_NAME "Officer.Task"

static int scan_ended(rq_executor *x, json_t *status, int *changed);

int rq_executor_new(rq_executor **out, const rq_executor_env *env)
{
	*out = calloc(1, sizeof(**out));
	if (!*out)
		return rq_fail(RQ_ENOMEM, "out of memory");
	(*out)->env = *env;
	return 0;
}

void rq_executor_free(rq_executor *x)
{
	if (!x)
		return;
	if (x->job) { /* stopped: its summary (interrupted) and its task's end are recorded */
		json_t *scratch = json_object();
		int changed = 0;
		rq_scanjob_cancel(x->job);
		for (int i = 0; i < RQ_AGENT_SCAN_STOP_MS / 50 && rq_scanjob_poll(x->job) == 0; i++) {
			struct timespec ts = { 0, 50 * 1000 * 1000 };
			nanosleep(&ts, NULL);
		}
		if (rq_scanjob_summary(x->job))
			scan_ended(x, scratch, &changed);
		json_decref(scratch);
	}
	rq_scanjob_free(x->job);
	rq_task_clear(&x->job_task);
	free(x);
}

const char *rq_executor_scanning(const rq_executor *x)
{
	return x->job ? rq_scanjob_kind(x->job) : NULL;
}

/* An "action" event for a file task; `p` consumed. */
static int put_action(rq_executor *x, int64_t task_id, json_t *p)
{
	if (!p)
		return rq_fail(RQ_ENOMEM, "out of memory");
	json_object_set_new(p, "task_id", json_integer((json_int_t)task_id));
	int rc = rq_outbox_put_json(x->env.ob, "action", RQ_EVENT_DETAIL, p);
	json_decref(p);
	return rc;
}

static const char *param(const rq_task *t, const char *key)
{
	return json_string_value(json_object_get(t->params, key));
}

/* The vault item a restore names: `vault_item`, or the newest item taken from `path` with `sha256`. */
static int find_item(rq_vault *v, const rq_task *t, char id[RQ_VAULT_ID_LEN + 1])
{
	const char *want = param(t, "vault_item"), *path = param(t, "path"), *sha = param(t, "sha256");
	if (want) {
		snprintf(id, RQ_VAULT_ID_LEN + 1, "%s", want);
		return 0;
	}
	if (!path)
		return rq_fail(RQ_EINVAL, "the task names neither a vault item nor a path");
	rq_vault_item **items = NULL;
	size_t n = 0;
	int64_t newest = -1;
	int rc = rq_vault_list(v, &items, &n);
	if (rc)
		return rc;
	for (size_t i = 0; i < n; i++) {
		const rq_vault_item *it = items[i];
		if (it->damaged || strcmp(it->original_path, path) || (sha && strcmp(it->sha256, sha)))
			continue;
		if (it->quarantined > newest) {
			newest = it->quarantined;
			snprintf(id, RQ_VAULT_ID_LEN + 1, "%s", it->id);
		}
	}
	rq_vault_items_free(items, n);
	return newest < 0 ? rq_fail(RQ_ENOTFOUND, "no quarantined copy of %s%s%s in the vault", path,
				    sha ? " with SHA-256 " : "", sha ? sha : "")
			  : 0;
}

/*
 * quarantine, delete and restore. A delete goes through the vault too
 * (quarantine, then the item deleted): the vault's careful open -- no
 * symlink, the same inode as read -- is what removes the file, and the
 * report names the SHA-256 of what was removed.
 */
static int file_task(rq_executor *x, const rq_task *t, json_t **result)
{
	rq_vault *v = NULL;
	rq_vault_item *item = NULL;
	char id[RQ_VAULT_ID_LEN + 1] = "", *restored = NULL;
	const char *path = param(t, "path"), *names[] = { TASK_DETECTION_NAME };
	int restore = !strcmp(t->kind, "restore"), del = !strcmp(t->kind, "delete");
	int rc = rq_vault_open(&v, x->env.vault_dir);
	if (rc)
		goto done;
	if (restore) {
		if (!(rc = find_item(v, t, id)) && !(rc = rq_vault_get(v, id, &item)))
			rc = rq_vault_restore(v, id, NULL, 0, &restored);
	} else if (!path) {
		rc = rq_fail(RQ_EINVAL, "the task names no path");
	} else if (!(rc = rq_vault_quarantine_path(v, path, names, 1, id)) && !(rc = rq_vault_get(v, id, &item)) &&
		   del) {
		rc = rq_vault_delete(v, id);
	}
	if (rc)
		goto done;
	const char *state = restore ? "restored" : del ? "removed" : "quarantined";
	*result = json_pack("{s:s, s:s, s:s}", "path", restore ? restored : item->original_path, "sha256",
			    item->sha256, "state", state);
	if (*result && !del)
		json_object_set_new(*result, "vault_id", json_string(id));
	rc = put_action(x, t->id, json_pack("{s:s, s:s, s:s, s:s}", "path", item->original_path, "sha256",
					    item->sha256, "action", t->kind, "state", state));
done:
	free(restored);
	rq_vault_item_free(item);
	rq_vault_close(v);
	return rc;
}

/* Record a task's end: done with `result`, or failed with the last error. */
static int task_end(rq_executor *x, int64_t id, int rc, json_t *result)
{
	if (rc) {
		json_decref(result);
		result = json_pack("{s:s}", "error", rq_error_last());
	}
	int set = rq_taskq_set(x->env.tq, id, rc ? "failed" : "done", result);
	json_decref(result);
	return set;
}

static int start_scan(rq_executor *x, const char *kind, const char *path, const json_t *policy, int64_t task_id)
{
	rq_scanjob_spec spec = {
		.raquet = x->env.raquet,
		.scan_kind = kind,
		.path = path,
		.action = json_string_value(json_object_get(policy, "action_on_detection")),
		.db_dir = x->env.db_dir,
		.trusted_keys = x->env.trusted_keys,
		.vault_dir = x->env.vault_dir,
		.exclusions = json_object_get(policy, "exclusions"),
		.skip_dirs = x->env.skip_dirs,
		.task_id = task_id,
	};
	return rq_scanjob_start(&x->job, &spec, x->env.ob);
}

/* The running scan ended: its task's result, the last-scan times. */
static int scan_ended(rq_executor *x, json_t *status, int *changed)
{
	const json_t *sum = rq_scanjob_summary(x->job);
	const char *kind = rq_scanjob_kind(x->job), *result = json_string_value(json_object_get(sum, "result"));
	int rc = 0;
	if (strcmp(result, "error") && strcmp(result, "interrupted")) {
		const char *key = !strcmp(kind, "full") ? "last_full_scan" : !strcmp(kind, "quick") ? "last_quick_scan"
												   : NULL;
		if (key) {
			json_object_set(status, key, json_object_get(sum, "finished"));
			*changed = 1;
		}
	}
	if (x->job_task.id) {
		int failed = !strcmp(result, "error") || !strcmp(result, "interrupted");
		rc = rq_taskq_set(x->env.tq, x->job_task.id, failed ? "failed" : "done", sum);
	}
	rq_scanjob_free(x->job);
	x->job = NULL;
	rq_task_clear(&x->job_task);
	return rc;
}

/* A scheduled scan due now, started: 1, 0 (none due) or an error. */
static int scheduled(rq_executor *x, const json_t *policy, json_t *status, int64_t now, int *changed)
{
	rq_schedule sched[RQ_SCAN_KINDS];
	static const char *const kinds[RQ_SCAN_KINDS] = { "quick", "full" };
	if (rq_schedule_parse(sched, json_object_get(policy, "scan_schedule")))
		return 0; /* the server checks policies; a bad one is not run (see the status) */
	json_t *runs = json_object_get(status, "schedule");
	if (!json_is_object(runs)) {
		runs = json_object();
		json_object_set_new(status, "schedule", runs);
	}
	/* the full scan first: it covers what the quick one would find */
	for (int k = RQ_SCAN_KINDS - 1; k >= 0; k--) {
		int64_t last = (int64_t)json_integer_value(json_object_get(runs, kinds[k])), was = last;
		int due = rq_schedule_due(&last, &sched[k], now);
		if (last != was) { /* the clock went back: the corrected start is kept */
			json_object_set_new(runs, kinds[k], json_integer((json_int_t)last));
			*changed = 1;
		}
		if (!due)
			continue;
		/* recorded first: a scan that crashes the machine is not started again at once */
		json_object_set_new(runs, kinds[k], json_integer((json_int_t)now));
		*changed = 1;
		int rc = start_scan(x, kinds[k], NULL, policy, 0);
		return rc ? rc : 1;
	}
	return 0;
}

int rq_executor_step(rq_executor *x, const json_t *policy, json_t *status, int64_t now, int *status_changed)
{
	int rc = 0, found = 0;
	*status_changed = 0;
	if (x->job) {
		int r = rq_scanjob_poll(x->job);
		if (r < 0)
			return r;
		if (r == 1 && (rc = scan_ended(x, status, status_changed)))
			return rc;
	}
	/* file tasks and updates: at once, also during a scan */
	for (;;) {
		rq_task t;
		if ((rc = rq_taskq_next(x->env.tq, 1, &t, &found)) || !found)
			break;
		json_t *result = NULL;
		int r;
		if (!strcmp(t.kind, "update"))
			r = x->env.update ? x->env.update(x->env.update_ctx, &result)
					  : rq_fail(RQ_EUNSUPPORTED, "this agent has no updater");
		else if (!strcmp(t.kind, "quarantine") || !strcmp(t.kind, "restore") || !strcmp(t.kind, "delete"))
			r = file_task(x, &t, &result);
		else
			r = rq_fail(RQ_EUNSUPPORTED, "unknown task kind '%s' (a newer server?)", t.kind);
		rc = task_end(x, t.id, r, result);
		rq_task_clear(&t);
		if (rc)
			return rc;
	}
	if (rc || x->job)
		return rc;
	/* a scan task, else a scheduled scan */
	if ((rc = rq_taskq_next(x->env.tq, 0, &x->job_task, &found)))
		return rc;
	if (!found) {
		rc = x->env.no_schedule ? 0 : scheduled(x, policy, status, now, status_changed);
		return rc < 0 ? rc : 0;
	}
	const char *kind = !strcmp(x->job_task.kind, "scan_quick") ? "quick"
			 : !strcmp(x->job_task.kind, "scan_full") ? "full" : "path";
	int64_t id = x->job_task.id;
	const char *path = param(&x->job_task, "path");
	if (!strcmp(kind, "path") && (!path || path[0] != '/'))
		rc = rq_fail(RQ_EINVAL, "scan_path: the task names no absolute path");
	if (!rc)
		rc = start_scan(x, kind, path, policy, id);
	if (!rc)
		return rq_taskq_set(x->env.tq, id, "running", NULL);
	rq_task_clear(&x->job_task);
	return task_end(x, id, rc, NULL);
}
