/*
 * Campaigns and their recorded items (campaigns.h): plain rows, the same
 * SQL on both backends; an item is written by one upsert on its
 * (campaign, unit, kind) key.
 */
#include "store/campaigns.h"

#include <string.h>

#include "core/error.h"
#include "store/bind.h"

#define CAMPAIGN_COLUMNS                                                                               \
	"SELECT c.id, c.name, COALESCE(c.unit_id, 0), u.name, c.period_from, c.period_to,"             \
	" c.unit_deadline, c.dept_deadline, c.unit_due_at, c.dept_due_at, c.status, c.created_at,"    \
	" COALESCE(c.created_by, 0), c.updated_at FROM campaigns c LEFT JOIN units u ON u.id = c.unit_id"

static void read_campaign(rq_stmt *st, rq_campaign *c)
{
	c->id = rq_stmt_column_int64(st, 0);
	c->name = rq_stmt_column_str(st, 1);
	c->unit_id = rq_stmt_column_int64(st, 2);
	c->unit_name = rq_stmt_column_text(st, 3);
	c->from = rq_stmt_column_int64(st, 4);
	c->to = rq_stmt_column_int64(st, 5);
	c->unit_deadline = rq_stmt_column_str(st, 6);
	c->dept_deadline = rq_stmt_column_str(st, 7);
	c->unit_due_at = rq_stmt_column_int64(st, 8);
	c->dept_due_at = rq_stmt_column_int64(st, 9);
	c->status = rq_stmt_column_str(st, 10);
	c->created_at = rq_stmt_column_int64(st, 11);
	c->created_by = rq_stmt_column_int64(st, 12);
	c->updated_at = rq_stmt_column_int64(st, 13);
}

/* Step `st` to the end, each row to cb; RQ_ENOTFOUND when `one` and no row. */
static int each_campaign(rq_stmt *st, int one, int (*cb)(const rq_campaign *c, void *payload), void *payload)
{
	int rc, rows = 0;
	while ((rc = rq_stmt_step(st)) == RQ_STORE_ROW) {
		rq_campaign c;
		rows++;
		read_campaign(st, &c);
		if (cb(&c, payload))
			return RQ_ESTOPPED;
	}
	if (rc < 0)
		return rc;
	return one && rows == 0 ? RQ_ENOTFOUND : 0;
}

int rq_store_campaign_create(rq_store *s, const rq_campaign *c, int64_t *out_id)
{
	rq_stmt *st = NULL;
	int rc = rq_store_prepare(s, &st,
				  "INSERT INTO campaigns (name, unit_id, period_from, period_to, unit_deadline, unit_due_at,"
				  " dept_deadline, dept_due_at, status, created_at, created_by, updated_at)"
				  " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $10) RETURNING id");
	if (rc == 0)
		rc = rq_stmt_bind_fmt(st, "tIiitititiI", c->name, c->unit_id, c->from, c->to, c->unit_deadline,
				      c->unit_due_at, c->dept_deadline, c->dept_due_at, c->status, c->created_at,
				      c->created_by);
	if (rc == 0)
		rc = rq_stmt_step_int64(st, out_id);
	rq_stmt_finalize(st);
	return rc;
}

int rq_store_campaign_update(rq_store *s, const rq_campaign *c)
{
	rq_stmt *st = NULL;
	int rc = rq_store_prepare(s, &st,
				  "UPDATE campaigns SET name = $2, unit_id = $3, period_from = $4, period_to = $5,"
				  " unit_deadline = $6, unit_due_at = $7, dept_deadline = $8, dept_due_at = $9,"
				  " status = $10, updated_at = $11 WHERE id = $1");
	if (rc == 0)
		rc = rq_stmt_bind_fmt(st, "itIiitititi", c->id, c->name, c->unit_id, c->from, c->to, c->unit_deadline,
				      c->unit_due_at, c->dept_deadline, c->dept_due_at, c->status, c->updated_at);
	if (rc == 0 && (rc = rq_stmt_step(st)) >= 0 && rq_stmt_changes(st) == 0)
		rc = rq_fail(RQ_ENOTFOUND, "store: no campaign %lld", (long long)c->id);
	rq_stmt_finalize(st);
	if (rc >= 0) {
		int64_t p[2] = {c->unit_due_at, c->id};
		rc = rq_store_run(s, NULL, "UPDATE campaign_items SET due_at = $1 WHERE campaign_id = $2", p, 2);
	}
	return rc < 0 ? rc : 0;
}

int rq_store_campaign_delete(rq_store *s, int64_t id)
{
	int64_t changes = 0;
	int rc = rq_store_run(s, &changes, "DELETE FROM campaigns WHERE id = $1", &id, 1);
	if (rc == 0 && changes == 0)
		rc = rq_fail(RQ_ENOTFOUND, "store: no campaign %lld", (long long)id);
	return rc;
}

int rq_store_campaign_get(rq_store *s, int64_t id, int (*cb)(const rq_campaign *c, void *payload), void *payload)
{
	rq_stmt *st = NULL;
	int rc = rq_store_prepare(s, &st, CAMPAIGN_COLUMNS " WHERE c.id = $1");
	if (rc == 0 && (rc = rq_stmt_bind_int64(st, 1, id)) == 0)
		rc = each_campaign(st, 1, cb, payload);
	rq_stmt_finalize(st);
	return rc;
}

int rq_store_campaign_list(rq_store *s, int (*cb)(const rq_campaign *c, void *payload), void *payload)
{
	rq_stmt *st = NULL;
	int rc = rq_store_prepare(s, &st, CAMPAIGN_COLUMNS " ORDER BY c.period_from DESC, c.id DESC");
	if (rc == 0)
		rc = each_campaign(st, 0, cb, payload);
	rq_stmt_finalize(st);
	return rc;
}

int rq_store_campaign_item_put(rq_store *s, const rq_campaign_item *it)
{
	rq_stmt *st = NULL;
	int rc = rq_store_prepare(
		s, &st,
		"INSERT INTO campaign_items (campaign_id, unit_id, kind, status, done_on, number, details, report_id,"
		" due_at, recorded_by, recorded_at)"
		" SELECT $1, $2, $3, $4, $5, $6, $7, $8, c.unit_due_at, $9, $10 FROM campaigns c WHERE c.id = $1"
		" ON CONFLICT (campaign_id, unit_id, kind) DO UPDATE SET status = excluded.status,"
		" done_on = excluded.done_on, number = excluded.number, details = excluded.details,"
		" report_id = excluded.report_id, due_at = excluded.due_at, recorded_by = excluded.recorded_by,"
		" recorded_at = excluded.recorded_at");
	if (rc == 0)
		rc = rq_stmt_bind_fmt(st, "iittTTtIIi", it->campaign_id, it->unit_id, it->kind, it->status, it->done_on,
				      it->number, it->details ? it->details : "{}", it->report_id, it->recorded_by,
				      it->recorded_at);
	if (rc == 0 && (rc = rq_stmt_step(st)) >= 0 && rq_stmt_changes(st) == 0)
		rc = rq_fail(RQ_ENOTFOUND, "store: no campaign %lld", (long long)it->campaign_id);
	rq_stmt_finalize(st);
	return rc < 0 ? rc : 0;
}

int rq_store_campaign_items(rq_store *s, int64_t campaign_id, int64_t unit_id,
			    int (*cb)(const rq_campaign_item *it, void *payload), void *payload)
{
	rq_stmt *st = NULL;
	int rc = rq_store_prepare(
		s, &st,
		"SELECT i.id, i.campaign_id, i.unit_id, i.kind, i.status, i.done_on, i.number, i.details,"
		" COALESCE(i.report_id, 0), i.due_at, COALESCE(i.recorded_by, 0), u.login, i.recorded_at"
		" FROM campaign_items i LEFT JOIN users u ON u.id = i.recorded_by"
		" WHERE i.campaign_id = $1 AND (i.unit_id = $2 OR $2 = 0) ORDER BY i.unit_id, i.kind");
	if (rc == 0)
		rc = rq_stmt_bind_fmt(st, "ii", campaign_id, unit_id);
	while (rc == 0 && (rc = rq_stmt_step(st)) == RQ_STORE_ROW) {
		rq_campaign_item it = {
			.id = rq_stmt_column_int64(st, 0),
			.campaign_id = rq_stmt_column_int64(st, 1),
			.unit_id = rq_stmt_column_int64(st, 2),
			.kind = rq_stmt_column_str(st, 3),
			.status = rq_stmt_column_str(st, 4),
			.done_on = rq_stmt_column_str(st, 5),
			.number = rq_stmt_column_str(st, 6),
			.details = rq_stmt_column_str(st, 7),
			.report_id = rq_stmt_column_int64(st, 8),
			.due_at = rq_stmt_column_int64(st, 9),
			.recorded_by = rq_stmt_column_int64(st, 10),
			.recorded_by_login = rq_stmt_column_text(st, 11),
			.recorded_at = rq_stmt_column_int64(st, 12),
		};
		rc = cb(&it, payload) ? RQ_ESTOPPED : 0;
	}
	rq_stmt_finalize(st);
	return rc < 0 ? rc : 0;
}
