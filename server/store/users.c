/*
 * Users, sessions and API tokens of the store (see users.h). Sessions and
 * tokens are found by the hash of the secret only; the checks that end
 * them (expiry, idle time, revocation, a disabled user) are part of the
 * lookup query, so no caller can forget one.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "store/units.h"
#include "store/users.h"

/* The columns every user query reads, in this order (read_user). */
#define USER_COLS                                                                                      \
	"u.id, u.login, u.display_name, u.role, u.unit_id, u.password_hash, u.disabled, u.created_at,"  \
	" u.updated_at, u.last_login, u.email"
#define USER_NCOLS 11

/* "No limit" for a LIMIT clause: both dialects take a large number. */
#define NO_LIMIT INT64_MAX

static char *dup_col(rq_stmt *st, int col)
{
	const char *t = rq_stmt_column_text(st, col);
	return strdup(t ? t : "");
}

void rq_store_user_clear(rq_user *u)
{
	if (!u)
		return;
	free(u->login);
	free(u->display_name);
	free(u->email);
	if (u->password_hash)
		memset(u->password_hash, 0, strlen(u->password_hash));
	free(u->password_hash);
	memset(u, 0, sizeof(*u));
}

/* Columns first..first+USER_NCOLS-1 of the current row into *u (owned). */
static int read_user(rq_stmt *st, int first, rq_user *u)
{
	memset(u, 0, sizeof(*u));
	u->id = rq_stmt_column_int64(st, first);
	u->login = dup_col(st, first + 1);
	u->display_name = dup_col(st, first + 2);
	int role = rq_role_parse(rq_stmt_column_text(st, first + 3));
	u->role = role < 0 ? RQ_ROLE_VIEWER : (rq_role)role;
	u->unit_id = rq_stmt_column_int64(st, first + 4);
	u->password_hash = dup_col(st, first + 5);
	u->disabled = rq_stmt_column_int64(st, first + 6) != 0;
	u->created_at = rq_stmt_column_int64(st, first + 7);
	u->updated_at = rq_stmt_column_int64(st, first + 8);
	u->last_login = rq_stmt_column_int64(st, first + 9);
	u->email = dup_col(st, first + 10);
	if (!u->login || !u->display_name || !u->password_hash || !u->email) {
		rq_store_user_clear(u);
		return rq_fail(RQ_ENOMEM, "store: out of memory reading a user");
	}
	return 0;
}

static int bind_unit(rq_stmt *st, int idx, int64_t unit_id)
{
	return unit_id > 0 ? rq_stmt_bind_int64(st, idx, unit_id) : rq_stmt_bind_null(st, idx);
}

int rq_store_user_create(rq_store *s, int64_t *out_id, const char *login, const char *display_name, rq_role role,
			 int64_t unit_id, const char *password_hash, int64_t now)
{
	rq_stmt *st = NULL;
	int rc;
	*out_id = 0;
	if (!login || !*login || !password_hash || (unsigned)role >= RQ_ROLE_COUNT)
		return rq_fail(RQ_EINVAL, "store: a user needs a login, a role and a password hash");
	rc = rq_store_prepare(s, &st,
			      "INSERT INTO users (login, display_name, role, unit_id, password_hash, created_at,"
			      " updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id");
	if (rc < 0)
		goto done;
	if ((rc = rq_stmt_bind_text(st, 1, login)) < 0 ||
	    (rc = rq_stmt_bind_text(st, 2, display_name ? display_name : "")) < 0 ||
	    (rc = rq_stmt_bind_text(st, 3, rq_role_name(role))) < 0 || (rc = bind_unit(st, 4, unit_id)) < 0 ||
	    (rc = rq_stmt_bind_text(st, 5, password_hash)) < 0 || (rc = rq_stmt_bind_int64(st, 6, now)) < 0)
		goto done;
	rc = rq_stmt_step_int64(st, out_id);
done:
	rq_stmt_finalize(st);
	return rc;
}

/* The one user `sql` finds with its text or integer parameter $1. */
static int user_one(rq_store *s, const char *sql, const char *text, int64_t id, rq_user *out)
{
	rq_stmt *st = NULL;
	memset(out, 0, sizeof(*out));
	int rc = rq_store_prepare(s, &st, sql);
	if (rc < 0)
		goto done;
	rc = text ? rq_stmt_bind_text(st, 1, text) : rq_stmt_bind_int64(st, 1, id);
	if (rc < 0)
		goto done;
	rc = rq_stmt_step(st);
	if (rc == RQ_STORE_ROW)
		rc = read_user(st, 0, out);
	else if (rc == RQ_STORE_DONE)
		rc = rq_fail(RQ_ENOTFOUND, "store: no such user");
done:
	rq_stmt_finalize(st);
	return rc;
}

int rq_store_user_get(rq_store *s, int64_t id, rq_user *out)
{
	return user_one(s, "SELECT " USER_COLS " FROM users u WHERE u.id = $1", NULL, id, out);
}

int rq_store_user_by_login(rq_store *s, const char *login, rq_user *out)
{
	if (!login) {
		memset(out, 0, sizeof(*out));
		return rq_fail(RQ_EINVAL, "store: no login given");
	}
	return user_one(s, "SELECT " USER_COLS " FROM users u WHERE u.login = $1", login, 0, out);
}

int rq_store_user_list(rq_store *s, int64_t root_unit, int64_t limit, int64_t offset,
		       int (*cb)(const rq_user *u, void *payload), void *payload, int64_t *total)
{
	rq_stmt *st = NULL;
	int rc, p = 1;
	if (total)
		*total = 0;
	if (limit < 0 || offset < 0)
		return rq_fail(RQ_EINVAL, "store: negative limit or offset");
	if (total) {
		rc = rq_store_prepare(s, &st, root_unit > 0 ? RQ_STORE_SUBTREE_CTE
					  " SELECT COUNT(*) FROM users WHERE unit_id IN (SELECT id FROM sub)"
						      : "SELECT COUNT(*) FROM users");
		if (rc < 0)
			goto done;
		if (root_unit > 0 && ((rc = rq_stmt_bind_int64(st, 1, root_unit)) < 0 ||
				      (rc = rq_stmt_bind_int64(st, 2, RQ_STORE_MAX_UNIT_DEPTH)) < 0))
			goto done;
		if ((rc = rq_stmt_step_int64(st, total)) < 0)
			goto done;
		rq_stmt_finalize(st);
		st = NULL;
	}
	rc = rq_store_prepare(s, &st, root_unit > 0 ? RQ_STORE_SUBTREE_CTE " SELECT " USER_COLS " FROM users u"
				  " WHERE u.unit_id IN (SELECT id FROM sub) ORDER BY u.login LIMIT $3 OFFSET $4"
					      : "SELECT " USER_COLS " FROM users u ORDER BY u.login LIMIT $1 OFFSET $2");
	if (rc < 0)
		goto done;
	if (root_unit > 0) {
		if ((rc = rq_stmt_bind_int64(st, 1, root_unit)) < 0 ||
		    (rc = rq_stmt_bind_int64(st, 2, RQ_STORE_MAX_UNIT_DEPTH)) < 0)
			goto done;
		p = 3;
	}
	if ((rc = rq_stmt_bind_int64(st, p, limit ? limit : NO_LIMIT)) < 0 ||
	    (rc = rq_stmt_bind_int64(st, p + 1, offset)) < 0)
		goto done;
	while ((rc = rq_stmt_step(st)) == RQ_STORE_ROW) {
		rq_user u;
		if ((rc = read_user(st, 0, &u)) < 0)
			goto done;
		int stop = cb(&u, payload);
		rq_store_user_clear(&u);
		if (stop) {
			rc = rq_fail(RQ_ESTOPPED, "store: user listing stopped by the caller");
			goto done;
		}
	}
done:
	rq_stmt_finalize(st);
	return rc < 0 ? rc : 0;
}

int rq_store_user_update(rq_store *s, int64_t id, const rq_user_change *c, int64_t now)
{
	rq_stmt *st = NULL;
	int rc;
	if (c->role >= RQ_ROLE_COUNT || c->disabled > 1)
		return rq_fail(RQ_EINVAL, "store: bad role or disabled flag for a user");
	/* one statement: each column keeps its value unless its "set" flag is 1 */
	rc = rq_store_prepare(s, &st,
			      "UPDATE users SET"
			      " display_name = CASE WHEN $2 = 1 THEN $3 ELSE display_name END,"
			      " role = CASE WHEN $4 = 1 THEN $5 ELSE role END,"
			      " unit_id = CASE WHEN $6 = 1 THEN $7 ELSE unit_id END,"
			      " disabled = CASE WHEN $8 = 1 THEN $9 ELSE disabled END,"
			      " password_hash = CASE WHEN $10 = 1 THEN $11 ELSE password_hash END,"
			      " email = CASE WHEN $13 = 1 THEN $14 ELSE email END,"
			      " updated_at = $12 WHERE id = $1");
	if (rc < 0)
		goto done;
	if ((rc = rq_stmt_bind_int64(st, 1, id)) < 0 || (rc = rq_stmt_bind_int64(st, 2, c->display_name != NULL)) < 0 ||
	    (rc = rq_stmt_bind_text(st, 3, c->display_name ? c->display_name : "")) < 0 ||
	    (rc = rq_stmt_bind_int64(st, 4, c->role >= 0)) < 0 ||
	    (rc = rq_stmt_bind_text(st, 5, rq_role_name(c->role >= 0 ? (rq_role)c->role : RQ_ROLE_VIEWER))) < 0 ||
	    (rc = rq_stmt_bind_int64(st, 6, c->set_unit != 0)) < 0 || (rc = bind_unit(st, 7, c->unit_id)) < 0 ||
	    (rc = rq_stmt_bind_int64(st, 8, c->disabled >= 0)) < 0 ||
	    (rc = rq_stmt_bind_int64(st, 9, c->disabled > 0)) < 0 ||
	    (rc = rq_stmt_bind_int64(st, 10, c->password_hash != NULL)) < 0 ||
	    (rc = rq_stmt_bind_text(st, 11, c->password_hash ? c->password_hash : "")) < 0 ||
	    (rc = rq_stmt_bind_int64(st, 12, now)) < 0 || (rc = rq_stmt_bind_int64(st, 13, c->email != NULL)) < 0 ||
	    (rc = rq_stmt_bind_text(st, 14, c->email ? c->email : "")) < 0)
		goto done;
	rc = rq_stmt_step(st);
	if (rc == RQ_STORE_DONE && rq_stmt_changes(st) == 0)
		rc = rq_fail(RQ_ENOTFOUND, "store: user %lld not found", (long long)id);
done:
	rq_stmt_finalize(st);
	return rc < 0 ? rc : 0;
}

int rq_store_user_set_last_login(rq_store *s, int64_t id, int64_t now)
{
	int64_t p[2] = { id, now }, changes = 0;
	int rc = rq_store_run(s, &changes, "UPDATE users SET last_login = $2 WHERE id = $1", p, 2);
	if (rc == 0 && changes == 0)
		rc = rq_fail(RQ_ENOTFOUND, "store: user %lld not found", (long long)id);
	return rc;
}

int rq_store_user_delete(rq_store *s, int64_t id)
{
	int64_t changes = 0;
	/* sessions and tokens cascade; audit rows keep the login as text */
	int rc = rq_store_run(s, &changes, "DELETE FROM users WHERE id = $1", &id, 1);
	if (rc == 0 && changes == 0)
		rc = rq_fail(RQ_ENOTFOUND, "store: user %lld not found", (long long)id);
	return rc;
}

static int count_of(rq_store *s, const char *sql, int64_t *out)
{
	rq_stmt *st = NULL;
	*out = 0;
	int rc = rq_store_prepare(s, &st, sql);
	if (rc == 0)
		rc = rq_stmt_step_int64(st, out);
	rq_stmt_finalize(st);
	return rc;
}

int rq_store_user_count(rq_store *s, int64_t *out)
{
	return count_of(s, "SELECT COUNT(*) FROM users", out);
}

int rq_store_user_count_enabled_admins(rq_store *s, int64_t *out)
{
	return count_of(s, "SELECT COUNT(*) FROM users WHERE role = 'admin' AND disabled = 0", out);
}

/* --- sessions --- */

void rq_store_session_clear(rq_session *se)
{
	if (!se)
		return;
	rq_store_user_clear(&se->user);
	free(se->csrf_token);
	memset(se, 0, sizeof(*se));
}

int rq_store_session_create(rq_store *s, const char *token_hash, int64_t user_id, const char *csrf_token,
			    int64_t now, int64_t expires_at, const char *ip, const char *user_agent)
{
	rq_stmt *st = NULL;
	int rc;
	if (!token_hash || !csrf_token)
		return rq_fail(RQ_EINVAL, "store: a session needs a token hash and a CSRF token");
	rc = rq_store_run(s, NULL, "DELETE FROM sessions WHERE expires_at <= $1", &now, 1);
	if (rc < 0)
		goto done;
	rc = rq_store_prepare(s, &st,
			      "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, last_seen, expires_at,"
			      " ip, user_agent) VALUES ($1, $2, $3, $4, $4, $5, $6, $7)");
	if (rc < 0)
		goto done;
	if ((rc = rq_stmt_bind_text(st, 1, token_hash)) < 0 || (rc = rq_stmt_bind_int64(st, 2, user_id)) < 0 ||
	    (rc = rq_stmt_bind_text(st, 3, csrf_token)) < 0 || (rc = rq_stmt_bind_int64(st, 4, now)) < 0 ||
	    (rc = rq_stmt_bind_int64(st, 5, expires_at)) < 0 || (rc = rq_stmt_bind_text(st, 6, ip ? ip : "")) < 0 ||
	    (rc = rq_stmt_bind_text(st, 7, user_agent ? user_agent : "")) < 0)
		goto done;
	rc = rq_stmt_step(st);
done:
	rq_stmt_finalize(st);
	return rc < 0 ? rc : 0;
}

int rq_store_session_lookup(rq_store *s, const char *token_hash, int64_t now, int64_t idle_s, rq_session *out)
{
	rq_stmt *st = NULL;
	int rc;
	memset(out, 0, sizeof(*out));
	if (!token_hash)
		return rq_fail(RQ_EINVAL, "store: no session given");
	rc = rq_store_prepare(s, &st,
			      "SELECT " USER_COLS ", se.csrf_token, se.created_at, se.last_seen, se.expires_at"
			      " FROM sessions se JOIN users u ON u.id = se.user_id"
			      " WHERE se.token_hash = $1 AND se.expires_at > $2 AND u.disabled = 0"
			      " AND se.last_seen > $3");
	if (rc < 0)
		goto done;
	if ((rc = rq_stmt_bind_text(st, 1, token_hash)) < 0 || (rc = rq_stmt_bind_int64(st, 2, now)) < 0 ||
	    (rc = rq_stmt_bind_int64(st, 3, idle_s > 0 ? now - idle_s : INT64_MIN)) < 0)
		goto done;
	rc = rq_stmt_step(st);
	if (rc == RQ_STORE_DONE) {
		rc = rq_fail(RQ_ENOTFOUND, "store: no live session");
		goto done;
	}
	if (rc < 0 || (rc = read_user(st, 0, &out->user)) < 0)
		goto done;
	out->csrf_token = dup_col(st, USER_NCOLS);
	out->created_at = rq_stmt_column_int64(st, USER_NCOLS + 1);
	out->last_seen = rq_stmt_column_int64(st, USER_NCOLS + 2);
	out->expires_at = rq_stmt_column_int64(st, USER_NCOLS + 3);
	if (!out->csrf_token) {
		rc = rq_fail(RQ_ENOMEM, "store: out of memory reading a session");
		goto done;
	}
	rq_stmt_finalize(st);
	st = NULL;
	int64_t touch = idle_s > 0 && idle_s / 8 < RQ_SESSION_TOUCH_S ? idle_s / 8 : RQ_SESSION_TOUCH_S;
	if (now - out->last_seen > touch) {
		rc = rq_store_prepare(s, &st, "UPDATE sessions SET last_seen = $2 WHERE token_hash = $1");
		if (rc < 0 || (rc = rq_stmt_bind_text(st, 1, token_hash)) < 0 ||
		    (rc = rq_stmt_bind_int64(st, 2, now)) < 0 || (rc = rq_stmt_step(st)) < 0)
			goto done;
		out->last_seen = now;
	}
	rc = 0;
done:
	rq_stmt_finalize(st);
	if (rc < 0)
		rq_store_session_clear(out);
	return rc < 0 ? rc : 0;
}

int rq_store_session_delete(rq_store *s, const char *token_hash)
{
	rq_stmt *st = NULL;
	int rc = rq_store_prepare(s, &st, "DELETE FROM sessions WHERE token_hash = $1");
	if (rc == 0 && (rc = rq_stmt_bind_text(st, 1, token_hash)) == 0)
		rc = rq_stmt_step(st);
	if (rc == RQ_STORE_DONE && rq_stmt_changes(st) == 0)
		rc = rq_fail(RQ_ENOTFOUND, "store: no such session");
	rq_stmt_finalize(st);
	return rc < 0 ? rc : 0;
}

int rq_store_session_delete_user(rq_store *s, int64_t user_id, const char *keep_hash, int64_t *out_count)
{
	rq_stmt *st = NULL;
	int rc = rq_store_prepare(s, &st, "DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2");
	if (out_count)
		*out_count = 0;
	if (rc == 0 && (rc = rq_stmt_bind_int64(st, 1, user_id)) == 0 &&
	    (rc = rq_stmt_bind_text(st, 2, keep_hash ? keep_hash : "")) == 0)
		rc = rq_stmt_step(st);
	if (rc == RQ_STORE_DONE && out_count)
		*out_count = rq_stmt_changes(st);
	rq_stmt_finalize(st);
	return rc < 0 ? rc : 0;
}

/* --- API tokens --- */

#define TOKEN_COLS "t.id, t.user_id, u.login, t.name, t.created_at, t.expires_at, t.last_used, t.revoked"

void rq_store_apitoken_clear(rq_apitoken *t)
{
	if (!t)
		return;
	free(t->login);
	free(t->name);
	memset(t, 0, sizeof(*t));
}

static int read_token(rq_stmt *st, rq_apitoken *t)
{
	memset(t, 0, sizeof(*t));
	t->id = rq_stmt_column_int64(st, 0);
	t->user_id = rq_stmt_column_int64(st, 1);
	t->login = dup_col(st, 2);
	t->name = dup_col(st, 3);
	t->created_at = rq_stmt_column_int64(st, 4);
	t->expires_at = rq_stmt_column_int64(st, 5);
	t->last_used = rq_stmt_column_int64(st, 6);
	t->revoked = rq_stmt_column_int64(st, 7) != 0;
	if (!t->login || !t->name) {
		rq_store_apitoken_clear(t);
		return rq_fail(RQ_ENOMEM, "store: out of memory reading an API token");
	}
	return 0;
}

int rq_store_apitoken_create(rq_store *s, int64_t *out_id, int64_t user_id, const char *name, const char *token_hash,
			     int64_t now, int64_t expires_at)
{
	rq_stmt *st = NULL;
	int rc;
	*out_id = 0;
	if (!token_hash)
		return rq_fail(RQ_EINVAL, "store: an API token needs a hash");
	rc = rq_store_prepare(s, &st,
			      "INSERT INTO api_tokens (user_id, name, token_hash, created_at, expires_at)"
			      " VALUES ($1, $2, $3, $4, $5) RETURNING id");
	if (rc < 0)
		goto done;
	if ((rc = rq_stmt_bind_int64(st, 1, user_id)) < 0 || (rc = rq_stmt_bind_text(st, 2, name ? name : "")) < 0 ||
	    (rc = rq_stmt_bind_text(st, 3, token_hash)) < 0 || (rc = rq_stmt_bind_int64(st, 4, now)) < 0 ||
	    (rc = expires_at > 0 ? rq_stmt_bind_int64(st, 5, expires_at) : rq_stmt_bind_null(st, 5)) < 0)
		goto done;
	rc = rq_stmt_step_int64(st, out_id);
done:
	rq_stmt_finalize(st);
	return rc;
}

int rq_store_apitoken_lookup(rq_store *s, const char *token_hash, int64_t now, rq_user *user, int64_t *token_id)
{
	rq_stmt *st = NULL;
	int rc;
	int64_t last_used = 0;
	memset(user, 0, sizeof(*user));
	*token_id = 0;
	if (!token_hash)
		return rq_fail(RQ_EINVAL, "store: no API token given");
	rc = rq_store_prepare(s, &st,
			      "SELECT " USER_COLS ", t.id, t.last_used FROM api_tokens t JOIN users u ON u.id = t.user_id"
			      " WHERE t.token_hash = $1 AND t.revoked = 0 AND (t.expires_at IS NULL OR t.expires_at > $2)"
			      " AND u.disabled = 0");
	if (rc < 0)
		goto done;
	if ((rc = rq_stmt_bind_text(st, 1, token_hash)) < 0 || (rc = rq_stmt_bind_int64(st, 2, now)) < 0)
		goto done;
	rc = rq_stmt_step(st);
	if (rc == RQ_STORE_DONE) {
		rc = rq_fail(RQ_ENOTFOUND, "store: no usable API token");
		goto done;
	}
	if (rc < 0 || (rc = read_user(st, 0, user)) < 0)
		goto done;
	*token_id = rq_stmt_column_int64(st, USER_NCOLS);
	last_used = rq_stmt_column_int64(st, USER_NCOLS + 1);
	rq_stmt_finalize(st);
	st = NULL;
	rc = 0;
	if (now - last_used >= RQ_APITOKEN_TOUCH_S) {
		int64_t p[2] = { *token_id, now };
		rc = rq_store_run(s, NULL, "UPDATE api_tokens SET last_used = $2 WHERE id = $1", p, 2);
	}
done:
	rq_stmt_finalize(st);
	if (rc < 0) {
		rq_store_user_clear(user);
		*token_id = 0;
	}
	return rc < 0 ? rc : 0;
}

int rq_store_apitoken_get(rq_store *s, int64_t id, rq_apitoken *out)
{
	rq_stmt *st = NULL;
	memset(out, 0, sizeof(*out));
	int rc = rq_store_prepare(s, &st, "SELECT " TOKEN_COLS " FROM api_tokens t JOIN users u ON u.id = t.user_id"
				  " WHERE t.id = $1");
	if (rc == 0 && (rc = rq_stmt_bind_int64(st, 1, id)) == 0)
		rc = rq_stmt_step(st);
	if (rc == RQ_STORE_ROW)
		rc = read_token(st, out);
	else if (rc == RQ_STORE_DONE)
		rc = rq_fail(RQ_ENOTFOUND, "store: API token %lld not found", (long long)id);
	rq_stmt_finalize(st);
	return rc;
}

int rq_store_apitoken_list(rq_store *s, int64_t user_id, int64_t limit, int64_t offset,
			   int (*cb)(const rq_apitoken *t, void *payload), void *payload, int64_t *total)
{
	rq_stmt *st = NULL;
	int rc;
	if (total)
		*total = 0;
	if (limit < 0 || offset < 0)
		return rq_fail(RQ_EINVAL, "store: negative limit or offset");
	if (total) {
		rc = rq_store_prepare(s, &st, "SELECT COUNT(*) FROM api_tokens WHERE user_id = $1 OR $2 = 1");
		if (rc < 0 || (rc = rq_stmt_bind_int64(st, 1, user_id)) < 0 ||
		    (rc = rq_stmt_bind_int64(st, 2, user_id == 0)) < 0 || (rc = rq_stmt_step_int64(st, total)) < 0)
			goto done;
		rq_stmt_finalize(st);
		st = NULL;
	}
	rc = rq_store_prepare(s, &st, "SELECT " TOKEN_COLS " FROM api_tokens t JOIN users u ON u.id = t.user_id"
			      " WHERE t.user_id = $1 OR $4 = 1 ORDER BY t.id DESC LIMIT $2 OFFSET $3");
	if (rc < 0)
		goto done;
	if ((rc = rq_stmt_bind_int64(st, 1, user_id)) < 0 ||
	    (rc = rq_stmt_bind_int64(st, 2, limit ? limit : NO_LIMIT)) < 0 ||
	    (rc = rq_stmt_bind_int64(st, 3, offset)) < 0 || (rc = rq_stmt_bind_int64(st, 4, user_id == 0)) < 0)
		goto done;
	while ((rc = rq_stmt_step(st)) == RQ_STORE_ROW) {
		rq_apitoken t;
		if ((rc = read_token(st, &t)) < 0)
			goto done;
		int stop = cb(&t, payload);
		rq_store_apitoken_clear(&t);
		if (stop) {
			rc = rq_fail(RQ_ESTOPPED, "store: API token listing stopped by the caller");
			goto done;
		}
	}
done:
	rq_stmt_finalize(st);
	return rc < 0 ? rc : 0;
}

int rq_store_apitoken_revoke(rq_store *s, int64_t id)
{
	int64_t changes = 0;
	int rc = rq_store_run(s, &changes, "UPDATE api_tokens SET revoked = 1 WHERE id = $1 AND revoked = 0", &id, 1);
	if (rc == 0 && changes == 0)
		rc = rq_fail(RQ_ENOTFOUND, "store: API token %lld not found or revoked already", (long long)id);
	return rc;
}

int rq_store_apitoken_revoke_user(rq_store *s, int64_t user_id, int64_t *out_count)
{
	int64_t changes = 0;
	int rc = rq_store_run(s, &changes, "UPDATE api_tokens SET revoked = 1 WHERE user_id = $1 AND revoked = 0",
			      &user_id, 1);
	if (out_count)
		*out_count = rc == 0 ? changes : 0;
	return rc;
}
