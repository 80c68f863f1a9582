/*
 * Key file names and the digest of a set of key files (keyfiles.h): the
 * rules raquet-server checks when it loads its mirror's keys and agents
 * check before writing them (server/config/mirror_keys.c, agent/keys.c).
 */
#include "db/keyfiles.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "core/error.h"

int rq_keyfile_name_ok(const char *name)
{
	size_t len = strlen(name);
	if (len <= 4 || len > RQ_KEYFILE_MAX_NAME || name[0] == '.' || strcmp(name + len - 4, ".pub"))
		return 0;
	return strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") == len;
}

int rq_keyfiles_digest(char out[RQ_KEYFILES_DIGEST_HEX + 1], const char *const *names,
		       const char *const *texts, const size_t *lens, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	int rc = 0;
	size_t *order = NULL;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned md_len = 0;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	if (!ctx || (n && !(order = calloc(n, sizeof(*order))))) {
		rc = rq_fail(RQ_ENOMEM, "key digest: out of memory");
		goto done;
	}
	for (size_t i = 0; i < n; i++)
		order[i] = i;
	/* the order of the names, by insertion: a set is a handful of keys */
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && strcmp(names[order[j - 1]], names[order[j]]) > 0; j--) {
			size_t t = order[j];
			order[j] = order[j - 1];
			order[j - 1] = t;
		}
	if (EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1)
		goto failed;
	for (size_t i = 0; i < n; i++) {
		size_t k = order[i];
		if (EVP_DigestUpdate(ctx, names[k], strlen(names[k]) + 1) != 1 ||
		    EVP_DigestUpdate(ctx, texts[k], lens[k]) != 1 || EVP_DigestUpdate(ctx, "", 1) != 1)
			goto failed;
	}
	if (EVP_DigestFinal_ex(ctx, md, &md_len) != 1 || md_len * 2 != RQ_KEYFILES_DIGEST_HEX)
		goto failed;
	for (unsigned i = 0; i < md_len; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[RQ_KEYFILES_DIGEST_HEX] = '\0';
	goto done;
failed:
	rc = rq_fail(RQ_ERROR, "key digest: SHA-256 failed");
done:
	EVP_MD_CTX_free(ctx);
	free(order);
	return rc;
}
