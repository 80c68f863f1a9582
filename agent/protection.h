/*
 * The agent's resident protection (protection.c): the signature engine
 * loaded from the database folder and kept in memory, real-time protection
 * (realtime.h) on it as the policy says, and the network watch
 * (netwatch.h). After an update the new engine is built beside the old one
 * and swapped in only when it loaded; real-time protection moves to it
 * without a restart of the agent. Findings are put into the outbox with
 * the policy's action taken. Guide: docs/agent.md.
 */
#ifndef RQ_AGENT_PROTECTION_H
#define RQ_AGENT_PROTECTION_H

#include <stddef.h>

#include <jansson.h>

#include "outbox.h"

typedef struct rq_protection_options {
	const char *db_dir;
	const char *trusted_keys;      /* NULL: the engine's default */
	const char *vault_dir;
	const char *outbox_path;       /* real-time findings go through a handle of their own */
	const char *const *rt_paths;   /* folders (or, with rt_whole_mounts, file systems) watched */
	size_t rt_path_count;
	int rt_whole_mounts;
	int rt_off_here;               /* agent.conf [realtime] enabled = no: off whatever the policy says */
	const char *proc_root;         /* the network watch's /proc root: "/" but in tests */
} rq_protection_options;

typedef struct rq_protection rq_protection;

/*
 * Load the engine. A database that does not load (damaged, unsigned) is
 * not fatal: the engine keeps what did load plus the built-in test
 * signature, and the reason is in rq_protection_status. Strings of `o`
 * are copied. Free with rq_protection_free.
 */
int rq_protection_new(rq_protection **out, const rq_protection_options *o);
void rq_protection_free(rq_protection *p);

/*
 * Follow the policy: real-time protection on or off (`realtime` true or
 * false), the action on what it finds ("report", "quarantine",
 * "delete"). Starting is tried again on each call while it is wanted and
 * not running, at most every RQ_AGENT_REALTIME_RETRY seconds.
 */
void rq_protection_apply(rq_protection *p, const json_t *policy);

/*
 * Load the databases again (after an update) into a new engine; on
 * success it replaces the old one, real-time protection is moved to it.
 * 0, or the load's error (the old engine stays in use).
 */
int rq_protection_reload(rq_protection *p);

/* One look at the connections; new malicious ones are put into `ob`. *found (may be NULL) counts them. */
int rq_protection_netwatch(rq_protection *p, rq_outbox *ob, size_t *found);

/*
 * The real-time state for the heartbeat and status.json: {"state": "on" |
 * "off" | "unavailable", "reason", "signatures", "scanned", "detected",
 * "blocked"}. New reference.
 */
json_t *rq_protection_status(rq_protection *p);

#endif
