/*
 * People of the store and how they prove who they are: users (login, role,
 * unit, argon2id hash), browser sessions (keyed by the SHA-256 of the
 * cookie, with their CSRF token, idle and absolute expiry) and API tokens
 * for scripts (hashed too). Implemented in users.c; the caller hashes.
 */
#ifndef RQ_SERVER_STORE_USERS_H
#define RQ_SERVER_STORE_USERS_H

#include "auth/authz.h"
#include "store/store.h"

/* A session's last_seen is written at most this often (seconds), and at
 * least eight times per idle period, so a busy dashboard does not turn
 * every read into a write while the idle expiry stays accurate. */
#define RQ_SESSION_TOUCH_S 60
/* An API token's last_used is written at most this often (seconds). */
#define RQ_APITOKEN_TOUCH_S 60

typedef struct rq_user {
	int64_t id;
	char *login;
	char *display_name;
	char *email;          /* "" when none (reminders: docs/campaigns.md) */
	rq_role role;
	int64_t unit_id;      /* 0: province-wide */
	char *password_hash;  /* argon2id encoded */
	int disabled;
	int64_t created_at, updated_at;
	int64_t last_login;   /* 0: never */
} rq_user;

/* Free the strings of *u and zero it; NULL is a no-op. */
void rq_store_user_clear(rq_user *u);

/* A new user into *out_id. A duplicate login or unknown unit is
 * RQ_STORE_ECONSTRAINT. unit_id 0: province-wide. */
int rq_store_user_create(rq_store *s, int64_t *out_id, const char *login, const char *display_name, rq_role role,
			 int64_t unit_id, const char *password_hash, int64_t now);

/* One user into *out (rq_store_user_clear after); RQ_ENOTFOUND when none. */
int rq_store_user_get(rq_store *s, int64_t id, rq_user *out);
int rq_store_user_by_login(rq_store *s, const char *login, rq_user *out);

/*
 * Users ordered by login, `limit` from `offset` (limit 0: all): those of
 * unit `root_unit` and below it, or every user (province-wide ones too)
 * for root_unit 0. The user passed to cb is borrowed for the call; a
 * non-zero return stops the walk with RQ_ESTOPPED. *total (may be NULL)
 * gets the count of all matching users, whatever the page.
 */
int rq_store_user_list(rq_store *s, int64_t root_unit, int64_t limit, int64_t offset,
		       int (*cb)(const rq_user *u, void *payload), void *payload, int64_t *total);

/* What rq_store_user_update changes; fields left at "keep" stay. */
typedef struct rq_user_change {
	const char *display_name;  /* NULL: keep */
	int role;                  /* rq_role, or -1: keep */
	int set_unit;              /* 1: unit_id below is the new unit */
	int64_t unit_id;           /* 0: province-wide */
	int disabled;              /* 0/1, or -1: keep */
	const char *password_hash; /* NULL: keep */
	const char *email;         /* NULL: keep; "": none */
} rq_user_change;

/* An rq_user_change that keeps everything. */
#define RQ_USER_KEEP { .display_name = NULL, .role = -1, .set_unit = 0, .unit_id = 0, .disabled = -1, \
		       .password_hash = NULL, .email = NULL }

/* Apply `c`; RQ_ENOTFOUND when the user does not exist. */
int rq_store_user_update(rq_store *s, int64_t id, const rq_user_change *c, int64_t now);

/* Record a successful login. */
int rq_store_user_set_last_login(rq_store *s, int64_t id, int64_t now);

/* Delete a user (sessions and API tokens go with it); RQ_ENOTFOUND if none. */
int rq_store_user_delete(rq_store *s, int64_t id);

/* All users; enabled administrators (the last one is protected). */
int rq_store_user_count(rq_store *s, int64_t *out);
int rq_store_user_count_enabled_admins(rq_store *s, int64_t *out);

/* --- sessions --- */

typedef struct rq_session {
	rq_user user;
	char *csrf_token;
	int64_t created_at, last_seen, expires_at;
} rq_session;

void rq_store_session_clear(rq_session *se);

/* A new session of `user_id` until `expires_at`; expired sessions of every
 * user are purged on the way. ip and user_agent may be NULL. */
int rq_store_session_create(rq_store *s, const char *token_hash, int64_t user_id, const char *csrf_token,
			    int64_t now, int64_t expires_at, const char *ip, const char *user_agent);

/*
 * The session of `token_hash` with its user, at `now`: RQ_ENOTFOUND when
 * unknown, past expires_at, unused for idle_s seconds or more (0: no idle
 * limit), or when its user is disabled. Refreshes last_seen (see
 * RQ_SESSION_TOUCH_S). rq_store_session_clear after.
 */
int rq_store_session_lookup(rq_store *s, const char *token_hash, int64_t now, int64_t idle_s, rq_session *out);

/* End one session (RQ_ENOTFOUND if none); end all of a user's sessions but
 * the one of `keep_hash` (NULL: all), *out_count (may be NULL) ended. */
int rq_store_session_delete(rq_store *s, const char *token_hash);
int rq_store_session_delete_user(rq_store *s, int64_t user_id, const char *keep_hash, int64_t *out_count);

/* --- API tokens --- */

typedef struct rq_apitoken {
	int64_t id;
	int64_t user_id;
	char *login;          /* the owner's */
	char *name;
	int64_t created_at;
	int64_t expires_at;   /* 0: never */
	int64_t last_used;    /* 0: never */
	int revoked;
} rq_apitoken;

void rq_store_apitoken_clear(rq_apitoken *t);

/* A new token of `user_id` (expires_at 0: never). A duplicate hash or
 * unknown user is RQ_STORE_ECONSTRAINT. */
int rq_store_apitoken_create(rq_store *s, int64_t *out_id, int64_t user_id, const char *name, const char *token_hash,
			     int64_t now, int64_t expires_at);

/*
 * The user of the token of `token_hash` at `now` into *user and the token's
 * id into *token_id: RQ_ENOTFOUND when unknown, revoked, expired or its
 * user disabled. Refreshes last_used (see RQ_APITOKEN_TOUCH_S).
 */
int rq_store_apitoken_lookup(rq_store *s, const char *token_hash, int64_t now, rq_user *user, int64_t *token_id);

/* One token (rq_store_apitoken_clear after); RQ_ENOTFOUND when none. */
int rq_store_apitoken_get(rq_store *s, int64_t id, rq_apitoken *out);

/*
 * Tokens of `user_id` (0: of every user), newest first, `limit` from
 * `offset` (limit 0: all); revoked ones too. cb as rq_store_user_list.
 */
int rq_store_apitoken_list(rq_store *s, int64_t user_id, int64_t limit, int64_t offset,
			   int (*cb)(const rq_apitoken *t, void *payload), void *payload, int64_t *total);

/* Revoke one token (RQ_ENOTFOUND if none, also when revoked already);
 * every token of a user, *out_count (may be NULL) revoked. */
int rq_store_apitoken_revoke(rq_store *s, int64_t id);
int rq_store_apitoken_revoke_user(rq_store *s, int64_t user_id, int64_t *out_count);

#endif
