/*
 * The admin API's sharing downloads (docs/api-admin/sharing.md): what the
 * province saw in a period, as a STIX 2.1 bundle or a MISP event, for
 * administrators and province-wide viewers (the data is the whole
 * province's). The TAXII 2.1 server is api/taxii.h.
 *   GET /api/v1/sharing/stix?from=&to=    a STIX 2.1 bundle (download)
 *   GET /api/v1/sharing/misp?from=&to=    a MISP event (download)
 */
#ifndef RQ_SERVER_API_SHARING_H
#define RQ_SERVER_API_SHARING_H

#include "api/admin.h"
#include "http/router.h"

/* Longest period of one download, seconds. */
#define RQ_SHARING_MAX_PERIOD (367 * 86400LL)
/* The period when `from` is not given: this long before `to`. */
#define RQ_SHARING_DEFAULT_PERIOD (30 * 86400LL)

/*
 * 0 when the caller may read the whole province's shared data (its unit is
 * the whole province and the rule lets it read there); -1 with a 403.
 */
int rq_api_sharing_allow(const rq_caller *c, rq_http_resp *resp);

int rq_api_sharing_routes(rq_http_router *router, const rq_api_ctx *ctx);

#endif
