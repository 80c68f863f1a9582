/*
 * What the agent reports about its machine (facts.c): the sysinfo facts
 * (host, OS, interfaces, firewall) plus the agent's own -- version, kind,
 * installed signature databases with their build times, the quarantine
 * vault's free and total disk, real-time state, last full scan and last
 * update -- as one JSON object, the body of a
 * heartbeat and of an enrollment (docs/api-agent.md).
 */
#ifndef RQ_AGENT_FACTS_H
#define RQ_AGENT_FACTS_H

#include <jansson.h>

#include "config.h"

/*
 * The installed databases of `db_dir` as {"NAME": {"version": N, "built":
 * UNIX}} (headers only, not verified: the scanner verifies on load); an
 * empty object when the folder is missing. NULL on out-of-memory.
 */
json_t *rq_agent_databases(const char *db_dir);

/*
 * The heartbeat body. `status` (status.json, may be NULL) gives the
 * real-time state and the last full scan and update times the daemon knows.
 * NULL on out-of-memory.
 */
json_t *rq_agent_facts(const rq_agent_config *cfg, const json_t *status);

#endif
