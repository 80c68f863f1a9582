/*
 * The agent's state folder (STATE_DIR, default /var/lib/raquet): the
 * enrollment in agent.json (server, ids, credential, pinned server key, CA)
 * and what the daemon last saw in status.json (last contact, realtime,
 * databases), both written atomically (temporary file, fsync, rename,
 * folder fsync) with mode 0600, and refused when readable by others or
 * owned by someone else. The outbox (outbox.db) and the task queue
 * (tasks.db) live beside them.
 */
#ifndef RQ_AGENT_STATE_H
#define RQ_AGENT_STATE_H

#include <limits.h>
#include <stdint.h>

#include <jansson.h>

#include "agent_limits.h"

#define RQ_AGENT_STATE_FILE "agent.json"
#define RQ_AGENT_STATUS_FILE "status.json"
#define RQ_AGENT_OUTBOX_FILE "outbox.db"
#define RQ_AGENT_TASKS_FILE "tasks.db"
#define RQ_AGENT_CA_FILE "server-ca.pem"
#define RQ_AGENT_LOCK_FILE "raquetd.lock"

typedef struct rq_agent_state {
	char server_url[RQ_AGENT_MAX_URL];
	int64_t endpoint_id, unit_id;
	char credential[RQ_AGENT_MAX_CREDENTIAL]; /* "ID.SECRET": never logged or printed */
	char pin[RQ_AGENT_PIN_LEN + 1];  /* "sha256//BASE64" of the server key; "" over plain http */
	char ca_file[PATH_MAX];          /* CA the server must chain to; "" : the system's */
	int64_t enrolled_at;
} rq_agent_state;

/* Create STATE_DIR (0700) if missing; 0 or RQ_EIO. */
int rq_agent_state_dir_make(const char *state_dir);

/*
 * Read STATE_DIR/agent.json. RQ_ENOTFOUND when the machine is not enrolled;
 * RQ_EVERIFY when the file is group/world-accessible or owned by another
 * user than root or the caller (a credential others can read is refused);
 * RQ_EPARSE when damaged.
 */
int rq_agent_state_load(rq_agent_state *st, const char *state_dir);

/* Write STATE_DIR/agent.json atomically, mode 0600. */
int rq_agent_state_save(const rq_agent_state *st, const char *state_dir);

/*
 * The JSON file `name` of STATE_DIR with the same checks (*out NULL and
 * RQ_ENOTFOUND when missing); free with json_decref.
 */
int rq_agent_json_read(json_t **out, const char *state_dir, const char *name);
/* Write `obj` as STATE_DIR/name atomically, mode 0600. */
int rq_agent_json_write(const json_t *obj, const char *state_dir, const char *name);

#endif
