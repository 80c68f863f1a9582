/*
 * The agent API (/api/v1/agent/...): enrollment with a unit's token,
 * heartbeats answered with pending tasks, batches of events acknowledged
 * only after commit, and task results. An agent is authenticated by its own
 * credential ("ENDPOINT_ID.SECRET", stored server-side only as a hash) and
 * can read and write only its own records. Reference: docs/api-agent.md.
 */
#ifndef RQ_SERVER_API_AGENT_H
#define RQ_SERVER_API_AGENT_H

#include "api/ctx.h"
#include "http/router.h"

/* Register the agent routes on `router` (ctx borrowed for the router's life). */
int rq_api_agent_routes(rq_http_router *router, const rq_api_ctx *ctx);

#endif
