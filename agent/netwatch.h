/*
 * The agent's network watch: looks at this machine's connections
 * (/proc/net through rq_netconn_each) and reports each one to an address
 * listed by a loaded IOC list, with its process and the executable's MD5
 * and SHA-256, once -- as the payload of a "connection" event. Behaviour
 * and event fields: docs/agent.md ("Network watch").
 */
#ifndef RQ_AGENT_NETWATCH_H
#define RQ_AGENT_NETWATCH_H

#include <stddef.h>

#include <jansson.h>

#include "raquet/raquet.h"

/* What was already reported, between looks. Not thread-safe: one caller. */
typedef struct rq_netwatch rq_netwatch;

/* A new watch that has reported nothing yet. 0 or RQ_ENOMEM. Free with rq_netwatch_free. */
int rq_netwatch_new(rq_netwatch **out);
/* NULL is a no-op. */
void rq_netwatch_free(rq_netwatch *nw);

/* What one look saw. */
typedef struct rq_netwatch_counts {
	size_t connections; /* sockets with a remote end looked at */
	size_t malicious;   /* of them, to a listed address (reported now or before) */
	size_t reported;    /* new reports: calls of the callback that returned 0 */
	size_t over_limit;  /* new ones left for a later look: RQ_AGENT_MAX_NETWATCH_REPORTED reached */
} rq_netwatch_counts;

/*
 * Called per new report with the payload of a "connection" event (borrowed:
 * valid during the call; json_deep_copy it to keep it). Return 0 once the
 * event is safely taken (queued in the outbox). Anything else means it was
 * not: that connection and the look's remaining new ones are not
 * remembered (the next look reports them), and rq_netwatch_scan returns
 * the code when it is a negative RQ_E*, else RQ_ESTOPPED.
 */
typedef int (*rq_netwatch_cb)(const json_t *event, void *payload);

/*
 * One look at the connections under `root` ("/" for the machine; tests use
 * a folder laid out like /proc, see rq_netconn_each), matched with
 * rq_engine_match_ip against `engine` (compiled; borrowed for the call).
 * A connection is known by its process id, socket inode, protocol and
 * remote address and port: one reported before and still seen is not
 * reported again; one a complete listing no longer sees is forgotten, so a
 * reconnection later is reported anew. The callbacks come after the
 * listing, in its order; executables are hashed through ROOT/proc/PID/exe.
 * `out` (may be NULL) gets the counts, also after an error. Returns 0,
 * RQ_EINVAL, RQ_ENOMEM, RQ_ESTOPPED or the callback's error; when the
 * listing itself fails nothing is reported or forgotten.
 */
int rq_netwatch_scan(rq_netwatch_counts *out, rq_netwatch *nw, const rq_engine *engine,
		     const char *root, rq_netwatch_cb cb, void *payload);

#endif
