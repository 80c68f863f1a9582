/*
 * Admin API of the evidence files (docs/api-admin/campaigns.md): upload
 * to a campaign item of a unit or to an information system, download and
 * delete. The body of an upload is the file itself; its type is decided
 * from the bytes (campaign/evidence.c), its name (query parameter `name`)
 * cleaned; downloads are attachments. Implemented in evidence.c.
 */
#ifndef RQ_SERVER_API_EVIDENCE_H
#define RQ_SERVER_API_EVIDENCE_H

#include <jansson.h>

#include "api/ctx.h"
#include "http/router.h"
#include "store/evidence.h"

/* A file as listed: {"id", "subject", "file_name", "media_type", "size",
 * "sha256", "uploaded_by", "uploaded_at"} (new reference). */
json_t *rq_api_evidence_json(const rq_evidence *e);

/* rq_store_evidence_list callback: append rq_api_evidence_json(e) to the
 * json array `payload`. */
int rq_api_evidence_list_add(const rq_evidence *e, void *payload);

int rq_api_evidence_routes(rq_http_router *router, const rq_api_ctx *ctx);

#endif
