/*
 * Users of the admin API: GET/POST /api/v1/users, GET/PATCH/DELETE
 * /api/v1/users/{id}. Officers manage the users of their unit subtree and
 * never grant a role above their own; nobody disables or deletes
 * themselves or the last enabled administrator. Reference:
 * docs/api-admin/auth.md.
 */
#ifndef RQ_SERVER_API_USERS_H
#define RQ_SERVER_API_USERS_H

#include <jansson.h>

#include "api/ctx.h"
#include "http/router.h"
#include "store/users.h"

int rq_api_users_routes(rq_http_router *router, const rq_api_ctx *ctx);

/* A user as the API shows it (never the password hash); NULL on OOM. */
json_t *rq_api_user_json(const rq_user *u);

#endif
