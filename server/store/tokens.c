/*
 * Enrollment tokens (see tokens.h): creation, revocation and the atomic
 * consume that enrollment starts with. Expiry, use count and revocation
 * are checked in the same UPDATE that counts the use.
 */
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "store/tokens.h"

#define TOKEN_COLUMNS "id, unit_id, label, created_by, created_at, expires_at, max_uses, uses, revoked"

int rq_store_token_create(rq_store *s, int64_t *out_id, int64_t unit_id, const char *token_hash, const char *label,
			  int64_t expires_at, int64_t max_uses, int64_t created_by, int64_t now)
{
	rq_stmt *st = NULL;
	int rc;
	*out_id = 0;
	if (!token_hash || max_uses < 1)
		return rq_fail(RQ_EINVAL, "store: an enrollment token needs a hash and at least one use");
	rc = rq_store_prepare(s, &st,
			      "INSERT INTO enrollment_tokens (unit_id, token_hash, label, created_by, created_at,"
			      " expires_at, max_uses) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id");
	if (rc < 0)
		goto done;
	if ((rc = rq_stmt_bind_int64(st, 1, unit_id)) < 0 || (rc = rq_stmt_bind_text(st, 2, token_hash)) < 0 ||
	    (rc = rq_stmt_bind_text(st, 3, label ? label : "")) < 0 ||
	    (rc = created_by > 0 ? rq_stmt_bind_int64(st, 4, created_by) : rq_stmt_bind_null(st, 4)) < 0 ||
	    (rc = rq_stmt_bind_int64(st, 5, now)) < 0 || (rc = rq_stmt_bind_int64(st, 6, expires_at)) < 0 ||
	    (rc = rq_stmt_bind_int64(st, 7, max_uses)) < 0)
		goto done;
	rc = rq_stmt_step_int64(st, out_id);
done:
	rq_stmt_finalize(st);
	return rc;
}

int rq_store_token_consume(rq_store *s, const char *token_hash, int64_t now, int64_t *out_unit_id,
			   int64_t *out_token_id)
{
	rq_stmt *st = NULL;
	int rc;
	*out_unit_id = 0;
	if (out_token_id)
		*out_token_id = 0;
	if (!token_hash)
		return rq_fail(RQ_EINVAL, "store: no enrollment token given");
	rc = rq_store_prepare(s, &st,
			      "UPDATE enrollment_tokens SET uses = uses + 1"
			      " WHERE token_hash = $1 AND revoked = 0 AND expires_at > $2 AND uses < max_uses"
			      " RETURNING unit_id, id");
	if (rc < 0)
		goto done;
	if ((rc = rq_stmt_bind_text(st, 1, token_hash)) < 0 || (rc = rq_stmt_bind_int64(st, 2, now)) < 0)
		goto done;
	rc = rq_stmt_step(st);
	if (rc == RQ_STORE_ROW) {
		*out_unit_id = rq_stmt_column_int64(st, 0);
		if (out_token_id)
			*out_token_id = rq_stmt_column_int64(st, 1);
		rc = 0;
	} else if (rc == RQ_STORE_DONE) {
		rc = rq_fail(RQ_ENOTFOUND, "store: no usable enrollment token (unknown, expired, used up or revoked)");
	}
done:
	rq_stmt_finalize(st);
	return rc;
}

int rq_store_token_revoke(rq_store *s, int64_t id)
{
	int64_t changes = 0;
	int rc = rq_store_run(s, &changes, "UPDATE enrollment_tokens SET revoked = 1 WHERE id = $1", &id, 1);
	if (rc == 0 && changes == 0)
		rc = rq_fail(RQ_ENOTFOUND, "store: enrollment token %lld not found", (long long)id);
	return rc;
}

static void fill_token(rq_stmt *st, rq_enroll_token *t)
{
	t->id = rq_stmt_column_int64(st, 0);
	t->unit_id = rq_stmt_column_int64(st, 1);
	t->label = rq_stmt_column_text(st, 2);
	t->created_by = rq_stmt_column_int64(st, 3);
	t->created_at = rq_stmt_column_int64(st, 4);
	t->expires_at = rq_stmt_column_int64(st, 5);
	t->max_uses = rq_stmt_column_int64(st, 6);
	t->uses = rq_stmt_column_int64(st, 7);
	t->revoked = rq_stmt_column_int64(st, 8) != 0;
}

void rq_store_token_clear(rq_enroll_token *t)
{
	if (!t)
		return;
	free((char *)t->label);
	memset(t, 0, sizeof(*t));
}

int rq_store_token_get(rq_store *s, int64_t id, rq_enroll_token *out)
{
	rq_stmt *st = NULL;
	int rc;
	memset(out, 0, sizeof(*out));
	rc = rq_store_prepare(s, &st, "SELECT " TOKEN_COLUMNS " FROM enrollment_tokens WHERE id = $1");
	if (rc < 0 || (rc = rq_stmt_bind_int64(st, 1, id)) < 0)
		goto done;
	rc = rq_stmt_step(st);
	if (rc == RQ_STORE_DONE)
		rc = rq_fail(RQ_ENOTFOUND, "store: enrollment token %lld not found", (long long)id);
	if (rc < 0)
		goto done;
	fill_token(st, out);
	out->label = strdup(out->label ? out->label : "");
	rc = 0;
	if (!out->label) {
		memset(out, 0, sizeof(*out));
		rc = rq_fail(RQ_ENOMEM, "store: out of memory reading an enrollment token");
	}
done:
	rq_stmt_finalize(st);
	return rc;
}

int rq_store_token_list(rq_store *s, int64_t unit_id, int64_t limit, int64_t offset, int64_t *out_total,
			int (*cb)(const rq_enroll_token *t, void *payload), void *payload)
{
	rq_stmt *st = NULL;
	rq_enroll_token t;
	int rc;
	*out_total = 0;
	rc = rq_store_prepare(s, &st, "SELECT COUNT(*) FROM enrollment_tokens WHERE unit_id = $1");
	if (rc < 0 || (rc = rq_stmt_bind_int64(st, 1, unit_id)) < 0 || (rc = rq_stmt_step_int64(st, out_total)) < 0)
		goto done;
	rq_stmt_finalize(st);
	st = NULL;
	rc = rq_store_prepare(s, &st,
			      "SELECT " TOKEN_COLUMNS " FROM enrollment_tokens WHERE unit_id = $1"
			      " ORDER BY created_at DESC, id DESC LIMIT $2 OFFSET $3");
	if (rc < 0)
		goto done;
	if ((rc = rq_stmt_bind_int64(st, 1, unit_id)) < 0 || (rc = rq_stmt_bind_int64(st, 2, limit)) < 0 ||
	    (rc = rq_stmt_bind_int64(st, 3, offset)) < 0)
		goto done;
	while ((rc = rq_stmt_step(st)) == RQ_STORE_ROW) {
		fill_token(st, &t);
		if (cb(&t, payload) != 0) {
			rc = rq_fail(RQ_ESTOPPED, "store: token listing stopped by the caller");
			goto done;
		}
	}
done:
	rq_stmt_finalize(st);
	return rc < 0 ? rc : 0;
}
