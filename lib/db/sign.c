/*
 * Ed25519 signing and verification of databases and mirror indexes with
 * OpenSSL 3: key pairs in PEM files (PKCS#8 private, SPKI public), the
 * keyring of trusted public keys and the 80-byte signature trailer.
 * Contract in sign.h; trailer format in docs/formats/rqdb.md and docs/mirror.md.
 */
#include "db/sign.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/sha.h>

#include "core/error.h"
#include "core/limits.h"
#include "core/util.h"
#include "db/dbfs.h"

#define ED25519_RAW_LEN 32
#define ED25519_SIG_LEN 64
#define MAGIC_LEN 8

struct rq_signkey {
	EVP_PKEY *pkey;
	uint8_t key_id[RQ_KEYID_LEN];
};

typedef struct ring_key {
	EVP_PKEY *pkey;
	uint8_t key_id[RQ_KEYID_LEN];
} ring_key;

struct rq_keyring {
	ring_key *keys;
	size_t count, cap;
};

/* The last OpenSSL error as text, for messages (the queue is then cleared). */
static const char *ossl_reason(void)
{
	static _Thread_local char buf[160];
	unsigned long e = ERR_peek_last_error();
	if (!e)
		snprintf(buf, sizeof buf, "unknown OpenSSL error");
	else
		ERR_error_string_n(e, buf, sizeof buf);
	ERR_clear_error();
	return buf;
}

static int key_id_of(EVP_PKEY *pkey, uint8_t out[RQ_KEYID_LEN], const char *where)
{
	uint8_t raw[ED25519_RAW_LEN], digest[SHA256_DIGEST_LENGTH];
	size_t raw_len = sizeof raw;
	if (EVP_PKEY_get_raw_public_key(pkey, raw, &raw_len) != 1 || raw_len != sizeof raw)
		return rq_fail(RQ_ERROR, "%s: cannot read the raw public key: %s", where,
			       ossl_reason());
	SHA256(raw, raw_len, digest);
	memcpy(out, digest, RQ_KEYID_LEN);
	return 0;
}

/* Refuse anything but Ed25519, naming what the key is. */
static int check_ed25519(EVP_PKEY *pkey, const char *where)
{
	if (EVP_PKEY_is_a(pkey, "ED25519"))
		return 0;
	const char *type = EVP_PKEY_get0_type_name(pkey);
	return rq_fail(RQ_EUNSUPPORTED, "%s: not an Ed25519 key (%s); make one with 'raquet db keygen'",
		       where, type ? type : "unknown type");
}

/* PEM text of the private (PKCS#8) or public (SPKI) key into a malloc'd buffer. */
static int pem_text(EVP_PKEY *pkey, int private, char **out, size_t *out_len)
{
	int rc = 0;
	*out = NULL;
	BIO *bio = BIO_new(BIO_s_mem());
	if (!bio)
		return rq_fail(RQ_ENOMEM, "keygen: out of memory");
	int ok = private ? PEM_write_bio_PrivateKey(bio, pkey, NULL, NULL, 0, NULL, NULL)
			 : PEM_write_bio_PUBKEY(bio, pkey);
	char *mem = NULL;
	long n = BIO_get_mem_data(bio, &mem);
	if (ok != 1 || n <= 0) {
		rc = rq_fail(RQ_ERROR, "keygen: cannot encode the key: %s", ossl_reason());
		goto done;
	}
	*out = malloc((size_t)n);
	if (!*out) {
		rc = rq_fail(RQ_ENOMEM, "keygen: out of memory");
		goto done;
	}
	memcpy(*out, mem, (size_t)n);
	*out_len = (size_t)n;
done:
	BIO_free(bio);
	return rc;
}

int rq_sign_keygen(const char *priv_path, const char *pub_path)
{
	int rc = 0;
	char *priv = NULL, *pub = NULL;
	size_t priv_len = 0, pub_len = 0;
	struct stat st;
	if (lstat(pub_path, &st) == 0)
		return rq_fail(RQ_EINVAL, "%s: already exists", pub_path);
	if (lstat(priv_path, &st) == 0)
		return rq_fail(RQ_EINVAL, "%s: already exists", priv_path);
	EVP_PKEY *pkey = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	if (!pkey)
		return rq_fail(RQ_ERROR, "keygen: %s", ossl_reason());
	rc = pem_text(pkey, 1, &priv, &priv_len);
	if (rc == 0)
		rc = pem_text(pkey, 0, &pub, &pub_len);
	if (rc == 0)
		rc = rq_write_synced(AT_FDCWD, NULL, priv_path, priv, priv_len, 0600, 1);
	if (rc == 0) {
		rc = rq_write_synced(AT_FDCWD, NULL, pub_path, pub, pub_len, 0644, 1);
		if (rc != 0)
			unlink(priv_path);
	}
	if (priv)
		OPENSSL_cleanse(priv, priv_len);
	free(priv);
	free(pub);
	EVP_PKEY_free(pkey);
	return rc;
}

/* Read a PEM file (bounded) into a BIO. */
static int pem_bio(const char *path, BIO **out)
{
	uint8_t *data = NULL;
	size_t len = 0;
	*out = NULL;
	int rc = rq_read_file(path, RQ_MAX_KEY_FILE, &data, &len);
	if (rc != 0)
		return rc;
	*out = BIO_new(BIO_s_mem());
	if (!*out || BIO_write(*out, data, (int)len) != (int)len) {
		BIO_free(*out);
		*out = NULL;
		rc = rq_fail(RQ_ENOMEM, "%s: out of memory", path);
	}
	OPENSSL_cleanse(data, len);
	free(data);
	return rc;
}

int rq_signkey_load(rq_signkey **out, const char *priv_path)
{
	int rc = 0;
	rq_signkey *key = NULL;
	BIO *bio = NULL;
	*out = NULL;
	rc = pem_bio(priv_path, &bio);
	if (rc != 0)
		goto done;
	EVP_PKEY *pkey = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
	if (!pkey) {
		rc = rq_fail(RQ_EPARSE, "%s: not a PEM private key: %s", priv_path, ossl_reason());
		goto done;
	}
	key = calloc(1, sizeof *key);
	if (!key) {
		EVP_PKEY_free(pkey);
		rc = rq_fail(RQ_ENOMEM, "%s: out of memory", priv_path);
		goto done;
	}
	key->pkey = pkey;
	rc = check_ed25519(pkey, priv_path);
	if (rc == 0)
		rc = key_id_of(pkey, key->key_id, priv_path);
done:
	BIO_free(bio);
	if (rc != 0)
		rq_signkey_free(key);
	else
		*out = key;
	return rc;
}

void rq_signkey_free(rq_signkey *key)
{
	if (!key)
		return;
	EVP_PKEY_free(key->pkey);
	free(key);
}

int rq_sign_trailer(const rq_signkey *key, const uint8_t *data, size_t len,
		    uint8_t trailer[RQ_SIGTRAILER_LEN])
{
	int rc = 0;
	size_t sig_len = ED25519_SIG_LEN;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	if (!ctx)
		return rq_fail(RQ_ENOMEM, "sign: out of memory");
	memcpy(trailer, RQ_SIGTRAILER_MAGIC, MAGIC_LEN);
	memcpy(trailer + MAGIC_LEN, key->key_id, RQ_KEYID_LEN);
	if (EVP_DigestSignInit(ctx, NULL, NULL, NULL, key->pkey) != 1 ||
	    EVP_DigestSign(ctx, trailer + MAGIC_LEN + RQ_KEYID_LEN, &sig_len, data, len) != 1 ||
	    sig_len != ED25519_SIG_LEN)
		rc = rq_fail(RQ_ERROR, "sign: %s", ossl_reason());
	EVP_MD_CTX_free(ctx);
	return rc;
}

int rq_keyring_new(rq_keyring **out)
{
	*out = calloc(1, sizeof **out);
	return *out ? 0 : rq_fail(RQ_ENOMEM, "keyring: out of memory");
}

void rq_keyring_free(rq_keyring *ring)
{
	if (!ring)
		return;
	for (size_t i = 0; i < ring->count; i++)
		EVP_PKEY_free(ring->keys[i].pkey);
	free(ring->keys);
	free(ring);
}

static const ring_key *find_key(const rq_keyring *ring, const uint8_t id[RQ_KEYID_LEN])
{
	for (size_t i = 0; i < ring->count; i++)
		if (!memcmp(ring->keys[i].key_id, id, RQ_KEYID_LEN))
			return &ring->keys[i];
	return NULL;
}

/* Take ownership of `pkey` (freed on every path); the same key twice is kept once. */
static int ring_add(rq_keyring *ring, EVP_PKEY *pkey, const char *where)
{
	int rc = 0;
	uint8_t id[RQ_KEYID_LEN];
	rc = check_ed25519(pkey, where);
	if (rc == 0)
		rc = key_id_of(pkey, id, where);
	if (rc == 0 && find_key(ring, id))
		goto done; /* already trusted */
	if (rc == 0 && ring->count >= RQ_MAX_TRUSTED_KEYS)
		rc = rq_fail(RQ_ELIMIT, "%s: more than %d trusted keys", where, RQ_MAX_TRUSTED_KEYS);
	if (rc == 0)
		rc = rq_grow((void **)&ring->keys, &ring->cap, ring->count + 1, sizeof *ring->keys);
	if (rc != 0)
		goto done;
	ring->keys[ring->count].pkey = pkey;
	memcpy(ring->keys[ring->count].key_id, id, RQ_KEYID_LEN);
	ring->count++;
	pkey = NULL;
done:
	EVP_PKEY_free(pkey);
	return rc;
}

int rq_keyring_add_pem(rq_keyring *ring, const void *pem, size_t len, const char *where)
{
	if (len > RQ_MAX_KEY_FILE)
		return rq_fail(RQ_ELIMIT, "%s: %zu bytes: larger than a key file can be (%d)", where, len,
			       RQ_MAX_KEY_FILE);
	BIO *bio = BIO_new_mem_buf(pem, (int)len);
	if (!bio)
		return rq_fail(RQ_ENOMEM, "%s: out of memory", where);
	EVP_PKEY *pkey = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
	BIO_free(bio);
	if (!pkey)
		return rq_fail(RQ_EPARSE, "%s: not a PEM public key: %s", where, ossl_reason());
	return ring_add(ring, pkey, where);
}

int rq_keyring_add_file(rq_keyring *ring, const char *pub_path)
{
	uint8_t *data = NULL;
	size_t len = 0;
	int rc = rq_read_file(pub_path, RQ_MAX_KEY_FILE, &data, &len);
	if (rc == 0)
		rc = rq_keyring_add_pem(ring, data, len, pub_path);
	free(data);
	return rc;
}

int rq_keyring_add_signkey(rq_keyring *ring, const rq_signkey *key)
{
	if (!EVP_PKEY_up_ref(key->pkey))
		return rq_fail(RQ_ERROR, "keyring: %s", ossl_reason());
	return ring_add(ring, key->pkey, "signing key");
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int rq_keyring_add_dir(rq_keyring *ring, const char *dir)
{
	int rc = 0;
	char **names = NULL;
	size_t n = 0, cap = 0;
	DIR *d = opendir(dir);
	if (!d) {
		if (errno == ENOENT)
			return 0;
		return rq_fail_errno(RQ_EIO, errno, "%s", dir);
	}
	/* sorted, so that errors and limits hit the same file every time */
	for (struct dirent *e; (e = readdir(d));) {
		size_t len = strlen(e->d_name);
		if (e->d_name[0] == '.' || len < 5 || strcmp(e->d_name + len - 4, ".pub"))
			continue;
		rc = rq_grow((void **)&names, &cap, n + 1, sizeof *names);
		if (rc == 0 && !(names[n] = strdup(e->d_name)))
			rc = rq_fail(RQ_ENOMEM, "%s: out of memory", dir);
		if (rc != 0)
			goto done;
		n++;
	}
	qsort(names, n, sizeof *names, by_name);
	for (size_t i = 0; i < n && rc == 0; i++) {
		char path[4096];
		if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, names[i]) >= sizeof path)
			rc = rq_fail(RQ_EINVAL, "%s/%s: path too long", dir, names[i]);
		else
			rc = rq_keyring_add_file(ring, path);
	}
done:
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	closedir(d);
	return rc;
}

size_t rq_keyring_count(const rq_keyring *ring) { return ring ? ring->count : 0; }

int rq_keyring_verify(const rq_keyring *ring, const uint8_t *data, size_t len,
		      const uint8_t trailer[RQ_SIGTRAILER_LEN])
{
	int rc = 0;
	if (memcmp(trailer, RQ_SIGTRAILER_MAGIC, MAGIC_LEN))
		return rq_fail(RQ_EVERIFY, "no signature");
	const uint8_t *id = trailer + MAGIC_LEN;
	const ring_key *k = ring ? find_key(ring, id) : NULL;
	if (!k) {
		char hex[2 * RQ_KEYID_LEN + 1];
		rq_hex_encode(hex, id, RQ_KEYID_LEN);
		return rq_fail(RQ_EVERIFY, "unknown key %s (not among the %zu trusted keys)", hex,
			       rq_keyring_count(ring));
	}
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	if (!ctx)
		return rq_fail(RQ_ENOMEM, "verify: out of memory");
	if (EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, k->pkey) != 1) {
		rc = rq_fail(RQ_ERROR, "verify: %s", ossl_reason());
		goto done;
	}
	if (EVP_DigestVerify(ctx, trailer + MAGIC_LEN + RQ_KEYID_LEN, ED25519_SIG_LEN, data, len) != 1) {
		ERR_clear_error();
		rc = rq_fail(RQ_EVERIFY, "bad signature");
	}
done:
	EVP_MD_CTX_free(ctx);
	return rc;
}

int rq_keyring_verify_signed(const rq_keyring *ring, const uint8_t *data, size_t len)
{
	if (len < RQ_SIGTRAILER_LEN)
		return rq_fail(RQ_EVERIFY, "too short to be signed (%zu bytes)", len);
	return rq_keyring_verify(ring, data, len - RQ_SIGTRAILER_LEN,
				 data + len - RQ_SIGTRAILER_LEN);
}

const char *rq_keyring_default_dir(void)
{
	const char *env = getenv("RAQUET_KEYS");
	return env && *env ? env : "/etc/raquet/keys";
}
