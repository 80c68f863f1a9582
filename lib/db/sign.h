/*
 * Ed25519 signing of database files and mirror indexes (OpenSSL): key pairs
 * in PEM files, a keyring of trusted public keys (one folder), and the
 * signature trailer appended to a signed file (or kept alone as a detached
 * `.sig` file). Format: docs/formats/rqdb.md ("Signature trailer").
 */
#ifndef RQ_DB_SIGN_H
#define RQ_DB_SIGN_H

#include <stddef.h>
#include <stdint.h>

/*
 * The trailer: 8 bytes magic "RQSIG01\n", 8 bytes key id (the first 8 bytes
 * of SHA-256 over the raw 32-byte public key), 64 bytes Ed25519 signature
 * over everything before the trailer (for a detached .sig file: over the
 * whole signed file).
 */
#define RQ_SIGTRAILER_LEN 80
#define RQ_SIGTRAILER_MAGIC "RQSIG01\n"
#define RQ_KEYID_LEN 8

typedef struct rq_signkey rq_signkey; /* a private key */
typedef struct rq_keyring rq_keyring; /* trusted public keys */

/* Create a key pair: private key PEM (mode 0600, refused if it exists) and public key PEM. */
int rq_sign_keygen(const char *priv_path, const char *pub_path);

int rq_signkey_load(rq_signkey **out, const char *priv_path);
void rq_signkey_free(rq_signkey *key);

/* Fill `trailer` with the signature of data[0..len) by `key`. */
int rq_sign_trailer(const rq_signkey *key, const uint8_t *data, size_t len,
		    uint8_t trailer[RQ_SIGTRAILER_LEN]);

/* An empty keyring; keys are added from files or folders. */
int rq_keyring_new(rq_keyring **out);
void rq_keyring_free(rq_keyring *ring);
/* Add one public key PEM file. */
int rq_keyring_add_file(rq_keyring *ring, const char *pub_path);
/*
 * Add the public key of PEM text pem[0..len) (at most RQ_MAX_KEY_FILE bytes;
 * need not be NUL-terminated); `where` names it in errors. RQ_EPARSE when it
 * is not a PEM public key, RQ_EUNSUPPORTED when not Ed25519.
 */
int rq_keyring_add_pem(rq_keyring *ring, const void *pem, size_t len, const char *where);
/* Add every *.pub file of `dir`; a missing folder adds nothing and is not an error. */
int rq_keyring_add_dir(rq_keyring *ring, const char *dir);
size_t rq_keyring_count(const rq_keyring *ring);
/* Trust the public half of a private key too (mirror publish checks files against it). */
int rq_keyring_add_signkey(rq_keyring *ring, const rq_signkey *key);

/*
 * Check that `trailer` is a well-formed trailer whose key is in `ring` and
 * whose signature covers data[0..len). Returns 0, or RQ_EVERIFY with the
 * reason ("unknown key 0123abcd...", "bad signature", "no signature").
 */
int rq_keyring_verify(const rq_keyring *ring, const uint8_t *data, size_t len,
		      const uint8_t trailer[RQ_SIGTRAILER_LEN]);

/*
 * A file whose last RQ_SIGTRAILER_LEN bytes are a trailer over the rest:
 * verify it; 0 or RQ_EVERIFY ("too short to be signed" etc.).
 */
int rq_keyring_verify_signed(const rq_keyring *ring, const uint8_t *data, size_t len);

/* The default folder of trusted keys: $RAQUET_KEYS, else /etc/raquet/keys. */
const char *rq_keyring_default_dir(void);

#endif
