/*
 * Internals shared by the quarantine vault's files: the content cipher
 * (vault_crypto.c), the metadata file format (vault_meta.c) and small
 * file helpers. The protocol itself is in vault.c; docs/quarantine.md.
 */
#ifndef RQ_REMEDY_VAULT_IMPL_H
#define RQ_REMEDY_VAULT_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include "raquet/vault.h"

#define VAULT_KEY_LEN 32
#define VAULT_NONCE_LEN 12
#define VAULT_TAG_LEN 16
#define VAULT_MAGIC "RQVAULT1"
#define VAULT_MAGIC_LEN 8
#define VAULT_FORMAT 1

/* Subkeys derived from the vault key, one per purpose. */
typedef struct vault_keys {
	uint8_t content[VAULT_KEY_LEN]; /* AES-256-GCM of item content */
	uint8_t meta[VAULT_KEY_LEN];    /* HMAC-SHA256 of item metadata */
} vault_keys;

int vault_keys_derive(vault_keys *out, const uint8_t master[VAULT_KEY_LEN]);
int vault_random(void *out, size_t len);

/* HMAC-SHA256 of data under key. */
int vault_hmac(uint8_t out[32], const uint8_t key[VAULT_KEY_LEN], const void *data, size_t len);

/*
 * Encrypt everything readable from in_fd (from offset 0) into out_fd as
 * magic | nonce | ciphertext | tag, with the item ID as AAD; the SHA-256
 * and size of the plaintext go to sha_out / size_out.
 */
int vault_encrypt(int in_fd, int out_fd, const uint8_t key[VAULT_KEY_LEN], const char *id,
		  uint8_t sha_out[32], uint64_t *size_out);

/*
 * Decrypt an item's content file into out_fd (-1: only check it; else a new
 * empty file: all-zero blocks are left as holes), checking the tag; RQ_EPARSE if the file is truncated, reordered or altered. Output
 * already written must be discarded by the caller on failure.
 */
int vault_decrypt(int in_fd, int out_fd, const uint8_t key[VAULT_KEY_LEN], const char *id,
		  uint8_t sha_out[32], uint64_t *size_out);

/* Write all of buf (EINTR and short writes handled). */
int vault_write_all(int fd, const void *buf, size_t len, const char *what);

/* Metadata file: serialise (malloc'd text, free()) and parse+verify. */
int vault_meta_encode(char **out, const rq_vault_item *item, uint64_t dev, uint64_t ino,
		      const uint8_t key[VAULT_KEY_LEN]);
int vault_meta_decode(rq_vault_item **out, uint64_t *dev, uint64_t *ino, const char *text,
		      size_t len, const char *id, const uint8_t key[VAULT_KEY_LEN]);

/*
 * Journal of a rewrite by persist_disable.c: after the backup item `id` is
 * stored, vault_rewrite_begin takes the vault lock and creates ID.rewrite;
 * the caller writes VAULT_REWRITE_PREFIX + ID beside the original and
 * renames it over the original; vault_rewrite_end removes the marker and
 * unlocks. If a crash comes in between, recovery removes that file (the
 * original was not replaced, or was and the name is gone).
 */
#define VAULT_REWRITE_PREFIX ".raquet-disable-"
int vault_rewrite_begin(rq_vault *v, const char *id);
void vault_rewrite_end(rq_vault *v, const char *id);

#endif
