/*
 * The admin API's signature route: GET /api/v1/signatures, for each
 * database the server's mirror publishes (api/mirror_latest.h), how many
 * endpoints of the caller's scope report its newest version (or newer),
 * an older one, or none. Also the mirror's databases as a list, for the
 * endpoint list's outdated filter (api/endpoints.c). Reference:
 * docs/api-admin/dashboard.md.
 */
#ifndef RQ_SERVER_API_SIGNATURES_H
#define RQ_SERVER_API_SIGNATURES_H

#include <jansson.h>

#include "api/ctx.h"
#include "http/router.h"
#include "store/fleet.h"

int rq_api_signatures_routes(rq_http_router *router, const rq_api_ctx *ctx);

/*
 * The databases the mirror publishes, sorted by name, into out[0..*count)
 * (at most RQ_FLEET_OUTDATED_MAX; names borrowed from *latest, the
 * mirror's answer, which the caller json_decref's). RQ_ELIMIT when the
 * mirror publishes more, RQ_ENOMEM.
 */
int rq_api_mirror_dbs(const rq_api_ctx *ctx, json_t **latest, rq_fleet_db out[RQ_FLEET_OUTDATED_MAX],
		      size_t *count);

#endif
