/*
 * Evidence files in the store (evidence.h): one row per file, bytes
 * included; listings never read the bytes.
 */
#include "store/evidence.h"

#include "core/error.h"
#include "store/bind.h"

#define EVIDENCE_COLUMNS                                                                               \
	"SELECT e.id, e.unit_id, COALESCE(e.campaign_id, 0), COALESCE(e.system_id, 0), e.subject,"     \
	" e.file_name, e.media_type, e.sha256, e.size, COALESCE(e.uploaded_by, 0), u.login,"          \
	" e.uploaded_at"

static int each_evidence(rq_stmt *st, int one, int with_content, int (*cb)(const rq_evidence *e, void *payload),
			 void *payload)
{
	int rc, rows = 0;
	while ((rc = rq_stmt_step(st)) == RQ_STORE_ROW) {
		rq_evidence e = {
			.id = rq_stmt_column_int64(st, 0),
			.unit_id = rq_stmt_column_int64(st, 1),
			.campaign_id = rq_stmt_column_int64(st, 2),
			.system_id = rq_stmt_column_int64(st, 3),
			.subject = rq_stmt_column_str(st, 4),
			.file_name = rq_stmt_column_str(st, 5),
			.media_type = rq_stmt_column_str(st, 6),
			.sha256 = rq_stmt_column_str(st, 7),
			.size = rq_stmt_column_int64(st, 8),
			.uploaded_by = rq_stmt_column_int64(st, 9),
			.uploaded_by_login = rq_stmt_column_text(st, 10),
			.uploaded_at = rq_stmt_column_int64(st, 11),
		};
		if (with_content)
			e.content = rq_stmt_column_blob(st, 12, &e.content_len);
		rows++;
		if (cb(&e, payload))
			return RQ_ESTOPPED;
	}
	if (rc < 0)
		return rc;
	return one && rows == 0 ? RQ_ENOTFOUND : 0;
}

int rq_store_evidence_add(rq_store *s, const rq_evidence *e, int64_t *out_id)
{
	rq_stmt *st = NULL;
	int rc = rq_store_prepare(s, &st,
				  "INSERT INTO evidence (unit_id, campaign_id, system_id, subject, file_name, media_type,"
				  " size, sha256, uploaded_by, uploaded_at, content)"
				  " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id");
	if (rc == 0)
		rc = rq_stmt_bind_fmt(st, "iIItttitIi", e->unit_id, e->campaign_id, e->system_id, e->subject, e->file_name,
				      e->media_type, (int64_t)e->content_len, e->sha256, e->uploaded_by, e->uploaded_at);
	if (rc == 0)
		rc = rq_stmt_bind_blob(st, 11, e->content ? e->content : "", e->content_len);
	if (rc == 0)
		rc = rq_stmt_step_int64(st, out_id);
	rq_stmt_finalize(st);
	return rc;
}

int rq_store_evidence_get(rq_store *s, int64_t id, int with_content,
			  int (*cb)(const rq_evidence *e, void *payload), void *payload)
{
	rq_stmt *st = NULL;
	int rc = rq_store_prepare(s, &st,
				  with_content ? EVIDENCE_COLUMNS ", e.content FROM evidence e"
								  " LEFT JOIN users u ON u.id = e.uploaded_by WHERE e.id = $1"
					       : EVIDENCE_COLUMNS " FROM evidence e"
								  " LEFT JOIN users u ON u.id = e.uploaded_by WHERE e.id = $1");
	if (rc == 0 && (rc = rq_stmt_bind_int64(st, 1, id)) == 0)
		rc = each_evidence(st, 1, with_content, cb, payload);
	rq_stmt_finalize(st);
	return rc;
}

int rq_store_evidence_list(rq_store *s, int64_t campaign_id, int64_t unit_id, int64_t system_id,
			   int (*cb)(const rq_evidence *e, void *payload), void *payload)
{
	rq_stmt *st = NULL;
	int rc = rq_store_prepare(s, &st,
				  EVIDENCE_COLUMNS " FROM evidence e LEFT JOIN users u ON u.id = e.uploaded_by"
						   " WHERE ((e.campaign_id = $1 AND e.unit_id = $2)"
						   " OR e.system_id = $3) ORDER BY e.uploaded_at, e.id");
	if (rc == 0)
		rc = rq_stmt_bind_fmt(st, "iii", campaign_id, unit_id, system_id);
	if (rc == 0)
		rc = each_evidence(st, 0, 0, cb, payload);
	rq_stmt_finalize(st);
	return rc;
}

int rq_store_evidence_delete(rq_store *s, int64_t id)
{
	int64_t changes = 0;
	int rc = rq_store_run(s, &changes, "DELETE FROM evidence WHERE id = $1", &id, 1);
	if (rc == 0 && changes == 0)
		rc = rq_fail(RQ_ENOTFOUND, "store: no evidence %lld", (long long)id);
	return rc;
}
