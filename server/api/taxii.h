/*
 * raquet-server's TAXII 2.1 server (docs/sharing.md): one API root with one
 * read-only collection, what the province saw (sharing/collection.h), for
 * partners holding an API token of a province-wide viewer (HTTP Basic with
 * the token as password, or Bearer). Every answer is
 * application/taxii+json;version=2.1, errors are TAXII error messages.
 *   GET /taxii2/                                          discovery
 *   GET /taxii2/{root}/                                   the API root
 *   GET /taxii2/{root}/collections/                       its collections
 *   GET /taxii2/{root}/collections/{id}/                  one collection
 *   GET /taxii2/{root}/collections/{id}/objects/          objects (paged)
 *   POST /taxii2/{root}/collections/{id}/objects/         403: not writable (yet)
 *   GET /taxii2/{root}/collections/{id}/objects/{object}/ one object
 *   GET /taxii2/{root}/collections/{id}/objects/{object}/versions/
 *   GET /taxii2/{root}/collections/{id}/manifest/         the manifest (paged)
 *   GET /taxii2/{root}/status/{status}/                   404: no status kept (no uploads yet)
 */
#ifndef RQ_SERVER_API_TAXII_H
#define RQ_SERVER_API_TAXII_H

#include "api/ctx.h"
#include "http/router.h"

/* The media type of every TAXII 2.1 message, and of the STIX content. */
#define RQ_TAXII_MEDIA "application/taxii+json;version=2.1"
#define RQ_STIX_MEDIA "application/stix+json;version=2.1"
/* The one API root's name: /taxii2/raquet/. */
#define RQ_TAXII_ROOT "raquet"

/*
 * 1 when the Accept header value `accept` (NULL: absent) allows TAXII 2.1
 * answers: a range "any" (star/star), application/star or
 * application/taxii+json with no version or version=2.1, not with q=0.
 */
int rq_taxii_accept_fits(const char *accept);

int rq_api_taxii_routes(rq_http_router *router, const rq_api_ctx *ctx);

#endif
