/*
 * `raquet-server task add`: queue a scan or an update for one machine,
 * audited like the admin API's tasks, and optionally wait for the agent's
 * report; `task wait`: wait for a task's report (or show its state).
 */
#include "cli/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "api/tasks.h"
#include "core/error.h"
#include "store/tasks.h"

/* The endpoint named by a decimal id or a hostname (which must be unique):
 * its id (and *unit its unit), 0 after printing why. */
static int64_t endpoint_named(rq_store *s, const char *name, int64_t *unit)
{
	rq_stmt *st = NULL;
	int64_t id = 0, n = 0;
	int by_id = name[0] && strspn(name, "0123456789") == strlen(name) && strlen(name) < 19;
	int rc = rq_store_prepare(s, &st, by_id ? "SELECT COUNT(*), MIN(id), MIN(unit_id) FROM endpoints WHERE id = $1"
						: "SELECT COUNT(*), MIN(id), MIN(unit_id) FROM endpoints WHERE hostname = $1");
	if (!rc)
		rc = by_id ? rq_stmt_bind_int64(st, 1, strtoll(name, NULL, 10)) : rq_stmt_bind_text(st, 1, name);
	if (!rc && (rc = rq_stmt_step(st)) == RQ_STORE_ROW) {
		n = rq_stmt_column_int64(st, 0);
		id = rq_stmt_column_int64(st, 1);
		*unit = rq_stmt_column_int64(st, 2);
		rc = 0;
	}
	rq_stmt_finalize(st);
	if (rc < 0)
		fprintf(stderr, "raquet-server task add: %s\n", rq_error_last());
	else if (n == 0)
		fprintf(stderr, "raquet-server task add: no endpoint '%s'\n", name);
	else if (n > 1)
		fprintf(stderr, "raquet-server task add: %lld endpoints are called '%s': give the id\n", (long long)n,
			name);
	return rc < 0 || n != 1 ? 0 : id;
}

typedef struct task_seen {
	char state[16];
	char *result;
} task_seen;

static int keep_state(const rq_task_row *r, void *payload)
{
	task_seen *t = payload;
	snprintf(t->state, sizeof(t->state), "%s", r->t.state);
	free(t->result);
	t->result = strdup(r->result_json);
	return 0;
}

/* Poll the task until it is finished or `seconds` pass; 0 when done. */
static int wait_task(rq_store *s, int64_t id, long seconds)
{
	task_seen t = {"", NULL};
	int status = 1;
	for (long tick = 0; tick <= seconds * 4; tick++) {
		if (rq_store_task_get(s, id, keep_state, &t)) {
			fprintf(stderr, "raquet-server task: %s\n", rq_error_last());
			goto done;
		}
		if (strcmp(t.state, "pending") && strcmp(t.state, "sent") && strcmp(t.state, "running"))
			break;
		usleep(250000);
	}
	printf("task %lld: %s%s%s\n", (long long)id, t.state, t.result && *t.result ? " " : "",
	       t.result ? t.result : "");
	status = strcmp(t.state, "done") ? 1 : 0;
done:
	free(t.result);
	return status;
}

int rq_cli_task_add(const rq_cli_args *a)
{
	static const char *const kinds[] = {"scan_quick", "scan_full", "scan_path", "update", NULL};
	size_t k = 0;
	while (a->kind && kinds[k] && strcmp(kinds[k], a->kind))
		k++;
	if (!a->endpoint || !a->kind) {
		fputs("raquet-server task add: --endpoint and --kind are required\n", stderr);
		return 2;
	}
	if (!kinds[k]) { /* file tasks need a detection's checks: the dashboard or the admin API */
		fputs("raquet-server task add: --kind is scan_quick, scan_full, scan_path or update\n", stderr);
		return 2;
	}
	const char *why = !a->path ? (!strcmp(a->kind, "scan_path") ? "scan_path needs --path" : NULL)
				   : strcmp(a->kind, "scan_path") ? "--path goes with --kind scan_path only"
				   : strlen(a->path) > RQ_TASK_PATH_MAX ? "--path is too long"
									: rq_task_path_problem(a->path, strlen(a->path));
	if (why) {
		fprintf(stderr, "raquet-server task add: %s\n", why);
		return 2;
	}
	rq_store *s = rq_cli_open_store(a, NULL);
	if (!s)
		return 1;
	int status = 1;
	int64_t unit = 0, endpoint = endpoint_named(s, a->endpoint, &unit), id = 0, now = (int64_t)time(NULL);
	json_t *params = a->path ? json_pack("{s:s}", "path", a->path) : json_object();
	char *params_json = params ? json_dumps(params, JSON_COMPACT) : NULL;
	if (!endpoint)
		goto done;
	if (!params_json || rq_store_begin(s) ||
	    rq_store_task_create(s, &id, endpoint, a->kind, params_json, 0, now,
				 now + RQ_TASK_DEFAULT_EXPIRY_HOURS * 3600LL) ||
	    rq_store_commit(s)) {
		fprintf(stderr, "raquet-server task add: %s\n", params_json ? rq_error_last() : "out of memory");
		rq_store_rollback(s);
		goto done;
	}
	char details[64];
	snprintf(details, sizeof(details), "{\"kind\":\"%s\",\"endpoint_id\":%lld}", a->kind, (long long)endpoint);
	rq_cli_audit(s, "task.create", "task", id, unit, details);
	fprintf(stderr, "task %lld queued for endpoint %lld (%s)\n", (long long)id, (long long)endpoint, a->kind);
	status = a->wait ? wait_task(s, id, a->wait) : (printf("%lld\n", (long long)id), 0);
done:
	free(params_json);
	json_decref(params);
	rq_store_close(s);
	return status;
}


int rq_cli_task_wait(const rq_cli_args *a)
{
	char *end = NULL;
	long long id = a->id ? strtoll(a->id, &end, 10) : 0;
	if (!a->id || !end || *end || id <= 0) {
		fputs("raquet-server task wait: --id TASK_ID is required (a whole number)\n", stderr);
		return 2;
	}
	rq_store *s = rq_cli_open_store(a, NULL);
	if (!s)
		return 1;
	int status = wait_task(s, (int64_t)id, a->wait);
	rq_store_close(s);
	return status;
}
