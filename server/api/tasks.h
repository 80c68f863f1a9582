/*
 * The admin API's task routes: queue a task for one endpoint
 * (POST /api/v1/endpoints/{id}/tasks) or every endpoint of a unit subtree
 * (POST /api/v1/units/{id}/tasks), list and read tasks, cancel one that
 * has not started. Parameters are checked per kind before anything is
 * stored. Reference: docs/api-admin/fleet.md.
 */
#ifndef RQ_SERVER_API_TASKS_H
#define RQ_SERVER_API_TASKS_H

#include <stddef.h>

#include <jansson.h>

#include "api/ctx.h"
#include "http/router.h"
#include "store/tasks.h"

/* Longest path a task names: PATH_MAX on Linux. */
#define RQ_TASK_PATH_MAX 4096
/* expires_in_hours: default three days (a machine off over a weekend still
 * gets it), at most thirty (a task older than that is stale news). */
#define RQ_TASK_DEFAULT_EXPIRY_HOURS 72
#define RQ_TASK_MAX_EXPIRY_HOURS 720

/* Why the path `p` (len bytes) a task names is not an absolute canonical
 * path, or NULL when it is; the reason is a static string. */
const char *rq_task_path_problem(const char *p, size_t len);

int rq_api_tasks_routes(rq_http_router *router, const rq_api_ctx *ctx);

/* A task as the API shows it (new reference, NULL on out-of-memory). */
json_t *rq_fleet_task_json(const rq_task_row *r);
/* Row callback of the store: append the task's JSON to the array `payload`. */
int rq_fleet_append_task(const rq_task_row *r, void *payload);

#endif
