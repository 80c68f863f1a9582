/*
 * The mirror's public keys from the server (keys.c): the enrollment answer
 * and, when they change, a heartbeat answer carry "mirror_keys" ({"NAME.pub":
 * PEM text}) and "mirror_keys_digest"; the agent writes them into its
 * trusted keys folder (update.trusted_keys) so that updates from the
 * province's mirror verify with no key copied by hand. Keys the server no
 * longer lists are left in place. docs/agent.md ("Signature updates").
 */
#ifndef RQ_AGENT_KEYS_H
#define RQ_AGENT_KEYS_H

#include <jansson.h>

#include "config.h"

/*
 * Told of each key file of a set: `written` 1 when it was written, 0 when
 * the folder already held it byte for byte. `path` lives for the call.
 */
typedef void (*rq_agent_key_cb)(const char *path, int written, void *payload);

/*
 * Install the keys of `answer` (an enrollment or heartbeat answer) into
 * rq_agent_config_keys_dir(cfg), created 0755 when missing. Nothing to do
 * (0) when the answer has no "mirror_keys". Every name and content is
 * checked before anything is written -- a name agents accept
 * (rq_keyfile_name_ok: no path), an Ed25519 public key PEM, at most
 * RQ_AGENT_MAX_MIRROR_KEYS, the digest matching them -- so a refused set
 * writes nothing (RQ_EVERIFY, RQ_ELIMIT). Each file is then written
 * beside its final name, fsync'd, made mode 0644 and renamed into place,
 * and the folder fsync'd (RQ_EIO when that fails; keys already renamed
 * stay). On 0, status["mirror_keys"] records the set: its digest, the
 * folder and the file names (the caller saves status.json). `cb` NULL logs
 * each installed key at info level.
 */
int rq_agent_keys_apply(const rq_agent_config *cfg, const json_t *answer, json_t *status, rq_agent_key_cb cb,
			void *payload);

/*
 * The digest the heartbeat sends (facts.c): the one `status` recorded,
 * while the trusted keys folder in effect is the one written to and every
 * file of the set is still there; NULL otherwise, so the server hands the
 * keys out again (a folder moved in the configuration, a key deleted by
 * hand). Points into `status`.
 */
const char *rq_agent_keys_digest(const rq_agent_config *cfg, const json_t *status);

#endif
