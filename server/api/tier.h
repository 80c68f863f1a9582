/*
 * The national tier's routes (docs/tier.md, docs/api-admin/tier.md). On an
 * upstream server: credentials for downstream servers (administrators),
 * what a downstream calls with its credential (who am I, my report), and
 * the views of what downstreams reported. On a downstream server: the
 * state of its queue of reports to the upstream.
 */
#ifndef RQ_SERVER_API_TIER_H
#define RQ_SERVER_API_TIER_H

#include <jansson.h>

#include "api/ctx.h"
#include "http/router.h"
#include "store/store.h"

/* Longest credential label. */
#define RQ_TIER_LABEL_MAX 200
/* Default and longest validity of a credential, in days. */
#define RQ_TIER_CRED_DEFAULT_DAYS 365
#define RQ_TIER_CRED_MAX_DAYS 1825

int rq_api_tier_routes(rq_http_router *router, const rq_api_ctx *ctx);

/*
 * The marker of figures reported by downstream servers, added to a
 * coverage answer: `unit_id`'s reported figures added to *v (see
 * rq_store_tier_coverage_add) and, when any downstream contributed, a
 * "reported_by" array of them set on `o`. 0 or a store error.
 */
struct rq_coverage;
int rq_api_tier_coverage(rq_store *s, int64_t unit_id, struct rq_coverage *v, json_t **out_marker);

/* {"bound_unit_id", "remote_code", "reported_at"} when `unit_id` is
 * mirrored from a downstream, else NULL (also on a store error). */
json_t *rq_api_tier_unit_marker(rq_store *s, int64_t unit_id);

#endif
