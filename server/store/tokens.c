/*
 * Enrollment tokens (see tokens.h): creation, revocation and the atomic
 * consume that enrollment starts with. Expiry, use count and revocation
 * are checked in the same UPDATE that counts the use.
 */
#include "core/error.h"
#include "store/tokens.h"

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
