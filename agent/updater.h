/*
 * The agent's signature updates (updater.c): bring the database folder up to
 * date from the mirror -- by default the enrolled server's /mirror, trusted
 * exactly as the agent's API calls (the enrollment's CA and pinned key) --
 * through rq_update_run (lib/db/update.h), and report per database what
 * happened, for the "update" event and the result of an "update" task.
 * Guide: docs/agent.md, "Signature updates".
 */
#ifndef RQ_AGENT_UPDATER_H
#define RQ_AGENT_UPDATER_H

#include <signal.h>
#include <stddef.h>

#include <jansson.h>

#include "config.h"
#include "state.h"

typedef struct rq_agent_update_report {
	/* the mirror used, URL (without any user:password@) or folder; "" when none could be chosen */
	char mirror[PATH_MAX];
	int server_trust; /* 1: the mirror is the server over https, checked with its CA and pin */
	/* databases of the mirror's index by outcome; installed > 0: reload the engine */
	size_t installed, current, refused, failed;
	/*
	 * JSON array, one object per database of the mirror's index, in the
	 * index's order: {"name", "old_version", "new_version", "status", "reason"}
	 * with status "current", "updated", "refused" or "failed"
	 * (rq_update_status_name), old_version 0 when none was installed,
	 * new_version the version installed or offered, reason only for
	 * "refused" and "failed". Empty when the run stopped before any
	 * database. Owned by the report (rq_agent_update_report_clear);
	 * json_incref it to keep it longer.
	 */
	json_t *databases;
	/* why the run did not return 0 (the last error, one line); "" when it did */
	char error[1024];
} rq_agent_update_report;

/*
 * Bring the agent's database folder (rq_agent_config_db_dir) up to date from
 * its mirror:
 *   - cfg->update_mirror when set (an http(s):// or file:// URL or a
 *     folder), else the server's URL (cfg->server_url, else st->server_url)
 *     + "/mirror", served by raquet-server's [mirror] dir;
 *   - when the mirror has the server's origin (scheme, host and port), no
 *     proxy is used and, over https, its certificate must chain to the
 *     server's CA (cfg->ca_file, else st->ca_file, else the system's) and
 *     its key match st->pin: the trust of the agent's API calls (client.h).
 *     Any other mirror is checked with the system's CAs, proxies honoured;
 *   - the index and every database must be signed by a key of
 *     rq_agent_config_keys_dir(cfg); a version older than the installed one
 *     is refused (rollback attack).
 * `st` may be NULL (not enrolled): then only cfg's mirror or server URL,
 * without a pin. `cancel`, when non-NULL, stops the run within about a
 * second once it is non-zero (RQ_ESTOPPED; nothing half-installed).
 * Blocking: a download may take up to RQ_UPDATE_DEFAULT_TIMEOUT seconds and
 * is retried RQ_UPDATE_DEFAULT_RETRIES times; it may run on a thread of its
 * own (the last error is the calling thread's). Concurrent runs on one
 * database folder (or a `raquet update`) wait for each other (a lock file).
 *
 * Returns 0 when every database is current or was installed; RQ_EVERIFY
 * when one was refused or failed (others may have been installed); or an
 * error before any database was looked at: RQ_EINVAL (no mirror: not
 * enrolled and no [update] mirror), RQ_ENOTFOUND (no trusted key in the
 * keys folder, or no mirror at that address), RQ_EVERIFY (the index's
 * signature, or the mirror's certificate or pinned key, refused), RQ_EIO
 * (the mirror could not be reached). The last error and out->error say why.
 *
 * `out` is always filled (written over, not freed: clear a previous report
 * first) and must be freed with rq_agent_update_report_clear, whatever the
 * return code.
 */
int rq_agent_update(const rq_agent_config *cfg, const rq_agent_state *st, const volatile sig_atomic_t *cancel,
		    rq_agent_update_report *out);

/* Free what the report holds and zero it; a zeroed report is fine. */
void rq_agent_update_report_clear(rq_agent_update_report *r);

/*
 * The report as one JSON object, for the event's payload and the task's
 * result: {"mirror", "server_trust", "installed", "current", "refused",
 * "failed", "databases", "error" (only when set)}. A new reference
 * (json_decref it; it shares `databases` with the report), NULL when out
 * of memory.
 */
json_t *rq_agent_update_report_json(const rq_agent_update_report *r);

#endif
