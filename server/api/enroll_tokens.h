/*
 * Enrollment tokens of the admin API: list a unit's tokens (never their
 * values), create one (the value shown once, with the command to run on a
 * machine) and revoke one. Registered by rq_api_units_routes (units.h).
 * Reference: docs/api-admin/units.md.
 */
#ifndef RQ_SERVER_API_ENROLL_TOKENS_H
#define RQ_SERVER_API_ENROLL_TOKENS_H

#include "api/ctx.h"
#include "http/router.h"

/* Validity of a new token, in days: a campaign of installing agents, not
 * forever (the operator command `raquet-server token create` has the
 * same bound). */
#define RQ_ENROLL_DEFAULT_DAYS 7
#define RQ_ENROLL_MAX_DAYS 366
/* Uses of one token: a unit's machines, enrolled from one script; a
 * larger number is a token nobody will ever notice leaking. */
#define RQ_ENROLL_MAX_USES 100000
/* A token's label (bytes). */
#define RQ_ENROLL_LABEL_MAX 200

int rq_api_enroll_tokens_routes(rq_http_router *router, const rq_api_ctx *ctx);

#endif
