/*
 * Cryptography of the quarantine vault through OpenSSL's EVP: subkey
 * derivation, HMAC of metadata, and one AES-256-GCM stream per item's
 * content (tag at the end, item ID as AAD). Overview: docs/quarantine.md.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "core/error.h"
#include "core/limits.h"
#include "vault_impl.h"

int vault_random(void *out, size_t len)
{
	if (RAND_bytes(out, (int)len) != 1)
		return rq_fail(RQ_ERROR, "vault: no random bytes from OpenSSL");
	return 0;
}

int vault_hmac(uint8_t out[32], const uint8_t key[VAULT_KEY_LEN], const void *data, size_t len)
{
	unsigned int out_len = 0;
	if (!HMAC(EVP_sha256(), key, VAULT_KEY_LEN, data, len, out, &out_len) || out_len != 32)
		return rq_fail(RQ_ERROR, "vault: HMAC-SHA256 failed");
	return 0;
}

int vault_keys_derive(vault_keys *out, const uint8_t master[VAULT_KEY_LEN])
{
	static const char content_label[] = "raquet vault content v1";
	static const char meta_label[] = "raquet vault metadata v1";
	int rc = vault_hmac(out->content, master, content_label, sizeof content_label - 1);
	if (rc == 0)
		rc = vault_hmac(out->meta, master, meta_label, sizeof meta_label - 1);
	return rc;
}

int vault_write_all(int fd, const void *buf, size_t len, const char *what)
{
	const uint8_t *p = buf;
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return rq_fail_errno(RQ_EIO, errno, "%s: write failed", what);
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int read_some(int fd, uint64_t off, uint8_t *buf, size_t len, size_t *got, const char *what)
{
	for (;;) {
		ssize_t n = pread(fd, buf, len, (off_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return rq_fail_errno(RQ_EIO, errno, "%s: read failed", what);
		*got = (size_t)n;
		return 0;
	}
}

int vault_encrypt(int in_fd, int out_fd, const uint8_t key[VAULT_KEY_LEN], const char *id,
		  uint8_t sha_out[32], uint64_t *size_out)
{
	int rc = 0, n = 0;
	uint8_t nonce[VAULT_NONCE_LEN], tag[VAULT_TAG_LEN];
	uint8_t *in = malloc(RQ_VAULT_CHUNK), *out = malloc(RQ_VAULT_CHUNK + 32);
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	EVP_MD_CTX *h = EVP_MD_CTX_new();
	uint64_t off = 0;
	if (!in || !out || !c || !h) {
		rc = rq_fail(RQ_ENOMEM, "vault: out of memory encrypting");
		goto done;
	}
	if ((rc = vault_random(nonce, sizeof nonce)) != 0)
		goto done;
	if (EVP_EncryptInit_ex(c, EVP_aes_256_gcm(), NULL, NULL, NULL) != 1 ||
	    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_IVLEN, VAULT_NONCE_LEN, NULL) != 1 ||
	    EVP_EncryptInit_ex(c, NULL, NULL, key, nonce) != 1 ||
	    EVP_EncryptUpdate(c, NULL, &n, (const uint8_t *)id, (int)strlen(id)) != 1 ||
	    EVP_DigestInit_ex(h, EVP_sha256(), NULL) != 1) {
		rc = rq_fail(RQ_ERROR, "vault: cannot set up AES-256-GCM");
		goto done;
	}
	if ((rc = vault_write_all(out_fd, VAULT_MAGIC, VAULT_MAGIC_LEN, "vault content")) != 0 ||
	    (rc = vault_write_all(out_fd, nonce, sizeof nonce, "vault content")) != 0)
		goto done;
	for (;;) {
		size_t got = 0;
		if ((rc = read_some(in_fd, off, in, RQ_VAULT_CHUNK, &got, "quarantined file")) != 0)
			goto done;
		if (got == 0)
			break;
		off += got;
		if (EVP_DigestUpdate(h, in, got) != 1 ||
		    EVP_EncryptUpdate(c, out, &n, in, (int)got) != 1) {
			rc = rq_fail(RQ_ERROR, "vault: encryption failed");
			goto done;
		}
		if ((rc = vault_write_all(out_fd, out, (size_t)n, "vault content")) != 0)
			goto done;
	}
	if (EVP_EncryptFinal_ex(c, out, &n) != 1 ||
	    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, VAULT_TAG_LEN, tag) != 1 ||
	    EVP_DigestFinal_ex(h, sha_out, NULL) != 1) {
		rc = rq_fail(RQ_ERROR, "vault: encryption failed");
		goto done;
	}
	if ((rc = vault_write_all(out_fd, out, (size_t)n, "vault content")) != 0 ||
	    (rc = vault_write_all(out_fd, tag, sizeof tag, "vault content")) != 0)
		goto done;
	*size_out = off;
done:
	EVP_CIPHER_CTX_free(c);
	EVP_MD_CTX_free(h);
	free(in);
	free(out);
	return rc;
}

/* Write decrypted data, leaving a hole for all-zero pieces of RQ_SPARSE_BLOCK
 * bytes, so sparse files (disk images, VM disks) come back sparse. */
static int write_sparse(int fd, const uint8_t *buf, size_t len)
{
	static const uint8_t zeros[RQ_SPARSE_BLOCK];
	int rc = 0;
	for (size_t at = 0; rc == 0 && at < len; at += RQ_SPARSE_BLOCK) {
		size_t piece = len - at < RQ_SPARSE_BLOCK ? len - at : RQ_SPARSE_BLOCK;
		if (piece == RQ_SPARSE_BLOCK && memcmp(buf + at, zeros, piece) == 0) {
			if (lseek(fd, (off_t)piece, SEEK_CUR) < 0)
				rc = rq_fail_errno(RQ_EIO, errno, "restored file: seek failed");
		} else {
			rc = vault_write_all(fd, buf + at, piece, "restored file");
		}
	}
	return rc;
}

int vault_decrypt(int in_fd, int out_fd, const uint8_t key[VAULT_KEY_LEN], const char *id,
		  uint8_t sha_out[32], uint64_t *size_out)
{
	int rc = 0, n = 0;
	uint8_t head[VAULT_MAGIC_LEN + VAULT_NONCE_LEN], tag[VAULT_TAG_LEN];
	uint8_t *in = malloc(RQ_VAULT_CHUNK), *out = malloc(RQ_VAULT_CHUNK + 32);
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	EVP_MD_CTX *h = EVP_MD_CTX_new();
	struct stat st;
	size_t got = 0;
	uint64_t off = sizeof head, end = 0;
	if (!in || !out || !c || !h) {
		rc = rq_fail(RQ_ENOMEM, "vault: out of memory decrypting");
		goto done;
	}
	if (fstat(in_fd, &st) != 0) {
		rc = rq_fail_errno(RQ_EIO, errno, "vault item %s: stat failed", id);
		goto done;
	}
	if ((uint64_t)st.st_size < sizeof head + VAULT_TAG_LEN) {
		rc = rq_fail(RQ_EPARSE, "vault item %s: content file truncated", id);
		goto done;
	}
	end = (uint64_t)st.st_size - VAULT_TAG_LEN;
	if ((rc = read_some(in_fd, 0, head, sizeof head, &got, "vault content")) != 0 ||
	    (got == sizeof head &&
	     (rc = read_some(in_fd, end, tag, sizeof tag, &got, "vault content")) != 0))
		goto done;
	if (got != VAULT_TAG_LEN || memcmp(head, VAULT_MAGIC, VAULT_MAGIC_LEN) != 0) {
		rc = rq_fail(RQ_EPARSE, "vault item %s: content file has a bad header", id);
		goto done;
	}
	if (EVP_DecryptInit_ex(c, EVP_aes_256_gcm(), NULL, NULL, NULL) != 1 ||
	    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_IVLEN, VAULT_NONCE_LEN, NULL) != 1 ||
	    EVP_DecryptInit_ex(c, NULL, NULL, key, head + VAULT_MAGIC_LEN) != 1 ||
	    EVP_DecryptUpdate(c, NULL, &n, (const uint8_t *)id, (int)strlen(id)) != 1 ||
	    EVP_DigestInit_ex(h, EVP_sha256(), NULL) != 1) {
		rc = rq_fail(RQ_ERROR, "vault: cannot set up AES-256-GCM");
		goto done;
	}
	while (off < end) {
		size_t want = end - off < RQ_VAULT_CHUNK ? (size_t)(end - off) : RQ_VAULT_CHUNK;
		if ((rc = read_some(in_fd, off, in, want, &got, "vault content")) != 0)
			goto done;
		if (got == 0) {
			rc = rq_fail(RQ_EPARSE, "vault item %s: content file shrank while read", id);
			goto done;
		}
		off += got;
		if (EVP_DecryptUpdate(c, out, &n, in, (int)got) != 1 ||
		    EVP_DigestUpdate(h, out, (size_t)n) != 1) {
			rc = rq_fail(RQ_ERROR, "vault: decryption failed");
			goto done;
		}
		if (out_fd >= 0 && (rc = write_sparse(out_fd, out, (size_t)n)) != 0)
			goto done;
	}
	/* a trailing hole needs the size set explicitly */
	if (out_fd >= 0 && ftruncate(out_fd, (off_t)(end - sizeof head)) != 0) {
		rc = rq_fail_errno(RQ_EIO, errno, "restored file: cannot set its size");
		goto done;
	}
	if (EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, VAULT_TAG_LEN, tag) != 1 ||
	    EVP_DecryptFinal_ex(c, out, &n) != 1) {
		rc = rq_fail(RQ_EPARSE, "vault item %s: content fails authentication (tampered or truncated)", id);
		goto done;
	}
	if (EVP_DigestFinal_ex(h, sha_out, NULL) != 1) {
		rc = rq_fail(RQ_ERROR, "vault: SHA-256 failed");
		goto done;
	}
	*size_out = end - sizeof head;
done:
	EVP_CIPHER_CTX_free(c);
	EVP_MD_CTX_free(h);
	free(in);
	free(out);
	return rc;
}
