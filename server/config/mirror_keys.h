/*
 * The public keys of the server's mirror ([mirror] keys), handed to agents
 * at enrollment and whenever their copy differs (docs/api-agent.md): loaded
 * and checked once at start-up -- they are configuration -- with their
 * digest computed then, so a heartbeat only compares two strings.
 */
#ifndef RQ_SERVER_CONFIG_MIRROR_KEYS_H
#define RQ_SERVER_CONFIG_MIRROR_KEYS_H

#include <stddef.h>

#include <jansson.h>

typedef struct rq_mirror_keys rq_mirror_keys;

/*
 * Read every `*.pub` of folder `dir` (hidden files and other names are
 * skipped, as the agents' keyring does). Each must be a name agents accept
 * (rq_keyfile_name_ok), ASCII text of at most RQ_SRV_MAX_MIRROR_KEY_FILE
 * bytes that parses as an Ed25519 public key, and there must be 1 to
 * RQ_SRV_MAX_MIRROR_KEYS of them. Errors name the file: RQ_EIO (folder or
 * file unreadable), RQ_EINVAL (no key at all, a name refused), RQ_ELIMIT,
 * RQ_EPARSE / RQ_EUNSUPPORTED (not an Ed25519 public key). Free *out with
 * rq_mirror_keys_free.
 */
int rq_mirror_keys_load(rq_mirror_keys **out, const char *dir);

/* Free; NULL is a no-op. */
void rq_mirror_keys_free(rq_mirror_keys *keys);

/* Number of keys (0 for NULL). */
size_t rq_mirror_keys_count(const rq_mirror_keys *keys);

/* The digest of the set (rq_keyfiles_digest, 64 hex digits), owned by `keys`. */
const char *rq_mirror_keys_digest(const rq_mirror_keys *keys);

/* A new {"NAME.pub": "PEM text", ...} (json_decref it); NULL when out of memory. */
json_t *rq_mirror_keys_json(const rq_mirror_keys *keys);

#endif
