/*
 * Enrolling this machine with raquet-server (enroll.c): the unit's
 * enrollment token and the machine facts go to /api/v1/agent/enroll; the
 * endpoint id, unit id and credential that come back are stored in
 * STATE_DIR/agent.json with the server key's pin, and the mirror's public
 * keys it hands out are installed (keys.h). Command: `raquet agent enroll`
 * (docs/agent.md).
 */
#ifndef RQ_AGENT_ENROLL_H
#define RQ_AGENT_ENROLL_H

#include "config.h"
#include "keys.h"
#include "state.h"

typedef struct rq_enroll_options {
	const char *server;    /* https://host:port (or http:// on loopback) */
	const char *token;     /* the unit's enrollment token (rqe_...) */
	const char *ca_file;   /* CA the server's certificate must chain to (copied to STATE_DIR) */
	const char *pin;       /* "sha256//BASE64" of the server key, checked at once */
	int force;             /* enroll again although agent.json exists (a new endpoint) */
	const rq_agent_config *cfg; /* state_dir, kind, db_dir, trusted_keys */
	rq_agent_key_cb on_key;     /* told of each mirror key installed (NULL: logged) */
	void *key_payload;
} rq_enroll_options;

/*
 * Enroll. https needs ca_file or pin (else RQ_EINVAL saying how to get the
 * CA): the server is verified before the token leaves the machine, and its
 * key is pinned for every later contact. RQ_EVERIFY when the server
 * refused the token or its certificate did not verify; RQ_EIO when it could
 * not be reached; RQ_EINVAL when already enrolled without `force`. On 0,
 * *out holds what was stored. The mirror keys of the answer go into the
 * trusted keys folder and their digest into status.json; when they are
 * refused or cannot be written the machine is still enrolled (*out filled)
 * and the error says so: raquetd asks for them again at every heartbeat.
 */
int rq_agent_enroll(const rq_enroll_options *o, rq_agent_state *out);

#endif
