/*
 * Secrets handed to clients -- agent secrets, API tokens, session ids,
 * enrollment tokens, CSRF tokens: random, printable, and stored server-side
 * only as their SHA-256 (a stolen database gives no usable credential).
 */
#ifndef RQ_SERVER_AUTH_TOKEN_H
#define RQ_SERVER_AUTH_TOKEN_H

#include <stddef.h>
#include <stdint.h>

/* 32 random bytes in unpadded base64url: 43 characters, plus the prefix. */
#define RQ_TOKEN_MAX 64
/* SHA-256 in lower-case hex, NUL included. */
#define RQ_TOKEN_HASH_LEN 65

/*
 * A new token "PREFIX_<43 base64url chars>" (prefix: a few lower-case
 * letters naming the kind, e.g. "rqa" agent secret, "rqt" API token,
 * "rqe" enrollment token, "rqs" session; lets leaked tokens be recognised).
 */
int rq_token_new(const char *prefix, char out[RQ_TOKEN_MAX]);

/* What the store keeps: SHA-256 of the token text, in hex. 0 or RQ_ERROR. */
int rq_token_hash(const char *token, size_t len, char out[RQ_TOKEN_HASH_LEN]);

/* Constant-time comparison of two equal-length strings (0 if lengths differ). */
int rq_token_equal(const char *a, size_t alen, const char *b, size_t blen);

/* Whether `token` has the shape rq_token_new makes for `prefix` (cheap pre-check). */
int rq_token_well_formed(const char *prefix, const char *token, size_t len);

/*
 * The CSRF token of a session: HMAC-SHA256(server key, session token),
 * base64url. Stateless: the server recomputes it to check a request.
 */
int rq_csrf_token(const uint8_t key[32], const char *session, size_t len, char out[RQ_TOKEN_MAX]);

#endif
