/*
 * Random tokens, their stored hashes and CSRF tokens (token.h).
 */
#include "auth/token.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include "core/error.h"
#include "core/util.h"

#define RAW_LEN 32
#define B64_LEN 43 /* 32 bytes, unpadded base64url */

static void b64url(const uint8_t *in, size_t n, char *out)
{
	static const char alphabet[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	size_t o = 0;
	uint32_t acc = 0;
	int bits = 0;
	for (size_t i = 0; i < n; i++) {
		acc = acc << 8 | in[i];
		bits += 8;
		while (bits >= 6) {
			out[o++] = alphabet[(acc >> (bits - 6)) & 63];
			bits -= 6;
		}
	}
	if (bits)
		out[o++] = alphabet[(acc << (6 - bits)) & 63];
	out[o] = '\0';
}

static int prefix_ok(const char *prefix)
{
	size_t n = strlen(prefix);
	if (n < 1 || n > 8)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (prefix[i] < 'a' || prefix[i] > 'z')
			return 0;
	return 1;
}

int rq_token_new(const char *prefix, char out[RQ_TOKEN_MAX])
{
	uint8_t raw[RAW_LEN];
	if (!prefix_ok(prefix))
		return rq_fail(RQ_EINVAL, "token prefix '%s': 1 to 8 lower-case letters", prefix);
	if (getrandom(raw, sizeof(raw), 0) != (ssize_t)sizeof(raw))
		return rq_fail(RQ_ERROR, "no random bytes for a token");
	size_t n = strlen(prefix);
	memcpy(out, prefix, n);
	out[n] = '_';
	b64url(raw, sizeof(raw), out + n + 1);
	OPENSSL_cleanse(raw, sizeof(raw));
	return 0;
}

int rq_token_hash(const char *token, size_t len, char out[RQ_TOKEN_HASH_LEN])
{
	uint8_t d[32];
	unsigned int dl = 0;
	out[0] = '\0';
	if (!EVP_Digest(token, len, d, &dl, EVP_sha256(), NULL))
		return rq_fail(RQ_ERROR, "SHA-256 failed");
	rq_hex_encode(out, d, 32);
	return 0;
}

int rq_token_equal(const char *a, size_t alen, const char *b, size_t blen)
{
	return alen == blen && CRYPTO_memcmp(a, b, alen) == 0;
}

int rq_token_well_formed(const char *prefix, const char *token, size_t len)
{
	size_t n = strlen(prefix);
	if (len != n + 1 + B64_LEN || strncmp(token, prefix, n) || token[n] != '_')
		return 0;
	for (size_t i = n + 1; i < len; i++) {
		char c = token[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_'))
			return 0;
	}
	return 1;
}

int rq_csrf_token(const uint8_t key[32], const char *session, size_t len, char out[RQ_TOKEN_MAX])
{
	uint8_t mac[32];
	unsigned int ml = 0;
	out[0] = '\0';
	if (!HMAC(EVP_sha256(), key, 32, (const unsigned char *)session, len, mac, &ml))
		return rq_fail(RQ_ERROR, "HMAC-SHA256 failed");
	b64url(mac, sizeof(mac), out);
	return 0;
}
