/*
 * The health endpoint of raquet-server (see health.h). It answers without
 * touching the store, so it says the process serves HTTP, nothing more.
 */
#include "http/health.h"

#include "raquet/engine.h"

int rq_http_health(const rq_http_req *req, rq_http_resp *resp, void *ctx)
{
	json_t *body = json_pack("{s:s, s:s}", "status", "ok", "version", rq_version());
	if (!body)
		return rq_fail(RQ_ENOMEM, "out of memory");
	return rq_http_resp_json(resp, 200, body);
}
