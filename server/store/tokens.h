/*
 * Enrollment tokens of the store: a unit's token lets agents enroll into
 * that unit until it expires, is used up or is revoked. Only a hash of the
 * token is stored; the caller hashes. Implemented in tokens.c.
 */
#ifndef RQ_SERVER_STORE_TOKENS_H
#define RQ_SERVER_STORE_TOKENS_H

#include "store/store.h"

/* A new token of `unit_id` (created_by: a user id, 0 for none). A
 * duplicate hash or unknown unit is RQ_STORE_ECONSTRAINT. */
int rq_store_token_create(rq_store *s, int64_t *out_id, int64_t unit_id, const char *token_hash, const char *label,
			  int64_t expires_at, int64_t max_uses, int64_t created_by, int64_t now);

/*
 * Use a token once, atomically (one UPDATE ... RETURNING: two agents can
 * never both take the last use). Gives the token's unit and id. Unknown,
 * expired, revoked and used-up tokens are all RQ_ENOTFOUND, so an answer
 * tells a guesser nothing.
 */
int rq_store_token_consume(rq_store *s, const char *token_hash, int64_t now, int64_t *out_unit_id,
			   int64_t *out_token_id);

/* Revoke a token; RQ_ENOTFOUND when there is none. */
int rq_store_token_revoke(rq_store *s, int64_t id);

/* What the store knows of a token -- never its value, nor its hash. */
typedef struct rq_enroll_token {
	int64_t id, unit_id;
	const char *label;
	int64_t created_by;  /* user id, 0: none (made by the operator command) */
	int64_t created_at, expires_at, max_uses, uses;
	int revoked;
} rq_enroll_token;

/* One token into *out (label owned by *out: rq_store_token_clear).
 * RQ_ENOTFOUND when there is none. */
int rq_store_token_get(rq_store *s, int64_t id, rq_enroll_token *out);
void rq_store_token_clear(rq_enroll_token *t);

/*
 * One page of the tokens of `unit_id` (that unit only), newest first;
 * *out_total gets their number. The token passed to cb is borrowed for the
 * call; a non-zero return from cb stops with RQ_ESTOPPED.
 */
int rq_store_token_list(rq_store *s, int64_t unit_id, int64_t limit, int64_t offset, int64_t *out_total,
			int (*cb)(const rq_enroll_token *t, void *payload), void *payload);

#endif
