/*
 * The campaign tables of the store (schema version 9) on SQLite and
 * PostgreSQL: campaigns written and read back with hostile text; items
 * upserted on their key with the campaign's due second, which follows the
 * campaign's deadline; the index a reminder job uses; information systems
 * and the compare-and-set of a dossier's state; evidence bytes (with NULs
 * and every byte value) round-tripped with their SHA-256; cascades on
 * deleting a campaign or a system; a unit with systems not deletable.
 */
#include <string.h>

#include "store_fixture.h"
#include "store/campaigns.h"
#include "store/evidence.h"
#include "store/systems.h"
#include "store/units.h"

static int64_t unit(fx *f, const char *code, int64_t parent)
{
	int64_t id = 0;
	FX_OK(rq_store_unit_create(f->s, &id, parent, code, code, "", 1000));
	return id;
}

static int64_t campaign(fx *f, const char *name, int64_t unit_id, int64_t due)
{
	rq_campaign c = {.name = name,
			 .unit_id = unit_id,
			 .from = 1000,
			 .to = 2000000,
			 .unit_deadline = "2023-06-25",
			 .unit_due_at = due,
			 .dept_deadline = "2023-06-30",
			 .dept_due_at = due + 5 * 86400,
			 .status = "active",
			 .created_at = 1000,
			 .updated_at = 1000};
	int64_t id = 0;
	FX_OK(rq_store_campaign_create(f->s, &c, &id));
	return id;
}

typedef struct seen {
	int n;
	char name[256], status[16], kind[16], number[64], details[256], login[64];
	int64_t unit_id, due_at, due2;
} seen;

static int see_campaign(const rq_campaign *c, void *payload)
{
	seen *s = payload;
	s->n++;
	snprintf(s->name, sizeof(s->name), "%s", c->name);
	snprintf(s->status, sizeof(s->status), "%s", c->status);
	s->unit_id = c->unit_id;
	s->due_at = c->unit_due_at;
	s->due2 = c->dept_due_at;
	return 0;
}

static int see_item(const rq_campaign_item *it, void *payload)
{
	seen *s = payload;
	s->n++;
	snprintf(s->kind, sizeof(s->kind), "%s", it->kind);
	snprintf(s->status, sizeof(s->status), "%s", it->status);
	snprintf(s->number, sizeof(s->number), "%s", it->number);
	snprintf(s->details, sizeof(s->details), "%s", it->details);
	s->due_at = it->due_at;
	s->unit_id = it->unit_id;
	return 0;
}

static void test_campaigns_and_items(void **state)
{
	fx *f = *state;
	int64_t p = unit(f, "P", 0), a = unit(f, "A", p);
	int64_t c1 = campaign(f, fx_nasty, 0, 1687712400), c2 = campaign(f, "B", a, 1687712400);
	seen s = {0};
	FX_OK(rq_store_campaign_get(f->s, c1, see_campaign, &s));
	assert_string_equal(s.name, fx_nasty);
	assert_int_equal(s.unit_id, 0);
	assert_int_equal(s.due_at, 1687712400);
	memset(&s, 0, sizeof(s));
	FX_OK(rq_store_campaign_list(f->s, see_campaign, &s));
	assert_int_equal(s.n, 2);
	assert_int_equal(rq_store_campaign_get(f->s, 999, see_campaign, &s), RQ_ENOTFOUND);
	rq_campaign bad = {.name = "x", .unit_id = 999, .from = 1, .to = 2, .unit_deadline = "2023-06-25",
			   .dept_deadline = "2023-06-25", .status = "active"};
	int64_t id;
	assert_int_equal(rq_store_campaign_create(f->s, &bad, &id), RQ_STORE_ECONSTRAINT);
	bad.unit_id = 0;
	bad.status = "open";
	assert_int_equal(rq_store_campaign_create(f->s, &bad, &id), RQ_STORE_ECONSTRAINT);

	/* items: an upsert on (campaign, unit, kind), due with the campaign */
	rq_campaign_item it = {.campaign_id = c1, .unit_id = a, .kind = "training", .status = "pending",
			       .details = "{\"topic\":\"x\"}", .recorded_at = 5};
	FX_OK(rq_store_campaign_item_put(f->s, &it));
	it.status = "done";
	it.done_on = "2023-06-01";
	it.number = fx_nasty;
	FX_OK(rq_store_campaign_item_put(f->s, &it));
	it.kind = "response_plan";
	FX_OK(rq_store_campaign_item_put(f->s, &it));
	it.kind = "sweep";
	assert_int_equal(rq_store_campaign_item_put(f->s, &it), RQ_STORE_ECONSTRAINT);
	it.kind = "training";
	it.campaign_id = 999;
	assert_int_equal(rq_store_campaign_item_put(f->s, &it), RQ_ENOTFOUND);
	memset(&s, 0, sizeof(s));
	FX_OK(rq_store_campaign_items(f->s, c1, a, see_item, &s));
	assert_int_equal(s.n, 2);
	assert_string_equal(s.kind, "training"); /* by kind: response_plan, training */
	assert_string_equal(s.status, "done");
	assert_string_equal(s.details, "{\"topic\":\"x\"}");
	assert_int_equal(s.due_at, 1687712400);
	assert_int_equal(fx_int(f->s, "SELECT COUNT(*) FROM campaign_items"), 2);

	/* a deadline moved: the items follow */
	rq_campaign c = {.id = c1, .name = "Rà quét 2023", .from = 1000, .to = 2000000,
			 .unit_deadline = "2023-06-26", .unit_due_at = 1687798800, .dept_deadline = "2023-06-30",
			 .dept_due_at = 1688144400, .status = "closed", .updated_at = 7};
	FX_OK(rq_store_campaign_update(f->s, &c));
	memset(&s, 0, sizeof(s));
	FX_OK(rq_store_campaign_items(f->s, c1, 0, see_item, &s));
	assert_int_equal(s.due_at, 1687798800);
	/* what a reminder job asks: items not done, due before t -- by the index */
	assert_int_equal(fx_int(f->s, "SELECT COUNT(*) FROM campaign_items WHERE status <> 'done' AND due_at < 1687800000"),
			 0);
	c.id = 999;
	assert_int_equal(rq_store_campaign_update(f->s, &c), RQ_ENOTFOUND);

	/* deleting a campaign takes its items and files */
	rq_evidence e = {.unit_id = a, .campaign_id = c1, .subject = "training", .file_name = "a.pdf",
			 .media_type = "application/pdf", .sha256 = "00", .uploaded_at = 1, .content = "%PDF-",
			 .content_len = 5};
	FX_OK(rq_store_evidence_add(f->s, &e, &id));
	FX_OK(rq_store_campaign_delete(f->s, c1));
	assert_int_equal(fx_int(f->s, "SELECT COUNT(*) FROM campaign_items"), 0);
	assert_int_equal(fx_int(f->s, "SELECT COUNT(*) FROM evidence"), 0);
	assert_int_equal(rq_store_campaign_delete(f->s, c1), RQ_ENOTFOUND);
	(void)c2;
}

typedef struct sys_seen {
	int n;
	char name[256], state[16], decision[64], unit_name[64];
	int64_t level;
} sys_seen;

static int see_system(const rq_info_system *x, void *payload)
{
	sys_seen *s = payload;
	s->n++;
	snprintf(s->name, sizeof(s->name), "%s", x->name);
	snprintf(s->state, sizeof(s->state), "%s", x->state);
	snprintf(s->decision, sizeof(s->decision), "%s", x->decision_number);
	snprintf(s->unit_name, sizeof(s->unit_name), "%s", x->unit_name);
	s->level = x->level;
	return 0;
}

static void test_systems(void **state)
{
	fx *f = *state;
	int64_t p = unit(f, "P", 0), a = unit(f, "A", p), b = unit(f, "B", p), id = 0, id2 = 0;
	rq_info_system x = {.unit_id = a, .name = fx_nasty, .purpose = "Dịch vụ công", .level = 3, .updated_at = 1};
	FX_OK(rq_store_system_create(f->s, &x, &id));
	assert_int_equal(rq_store_system_create(f->s, &x, &id2), RQ_STORE_ECONSTRAINT); /* same name, same unit */
	x.unit_id = b;
	FX_OK(rq_store_system_create(f->s, &x, &id2));
	x.level = 6;
	x.name = "other";
	assert_int_equal(rq_store_system_create(f->s, &x, &id2), RQ_STORE_ECONSTRAINT);
	sys_seen s = {0};
	FX_OK(rq_store_system_get(f->s, id, see_system, &s));
	assert_string_equal(s.name, fx_nasty);
	assert_string_equal(s.state, "draft");
	assert_string_equal(s.unit_name, "A");
	memset(&s, 0, sizeof(s));
	FX_OK(rq_store_system_list(f->s, a, see_system, &s));
	assert_int_equal(s.n, 1);
	memset(&s, 0, sizeof(s));
	FX_OK(rq_store_system_list(f->s, p, see_system, &s));
	assert_int_equal(s.n, 2);
	memset(&s, 0, sizeof(s));
	FX_OK(rq_store_system_list(f->s, 0, see_system, &s));
	assert_int_equal(s.n, 2);

	/* the dossier moves only from the state it is in */
	rq_info_system step = {.id = id, .state = "submitted", .updated_at = 2};
	FX_OK(rq_store_system_set_state(f->s, &step, "draft"));
	assert_int_equal(rq_store_system_set_state(f->s, &step, "draft"), RQ_EINVAL);
	step.state = "approved";
	step.decision_number = "45/QĐ-UBND";
	FX_OK(rq_store_system_set_state(f->s, &step, "submitted"));
	step.state = "nowhere";
	assert_int_equal(rq_store_system_set_state(f->s, &step, "approved"), RQ_STORE_ECONSTRAINT);
	step.id = 999;
	assert_int_equal(rq_store_system_set_state(f->s, &step, "draft"), RQ_ENOTFOUND);
	memset(&s, 0, sizeof(s));
	FX_OK(rq_store_system_get(f->s, id, see_system, &s));
	assert_string_equal(s.state, "approved");
	assert_string_equal(s.decision, "45/QĐ-UBND");

	rq_info_system upd = {.id = id, .name = "Cổng", .level = 2, .regulation_number = "1/QC", .regulation_on = "2023-01-01",
			      .updated_at = 3};
	FX_OK(rq_store_system_update(f->s, &upd));
	memset(&s, 0, sizeof(s));
	FX_OK(rq_store_system_get(f->s, id, see_system, &s));
	assert_int_equal(s.level, 2);
	assert_string_equal(s.state, "approved"); /* the update leaves the dossier alone */

	/* files of a system; a unit with systems is not deleted */
	unsigned char bytes[256];
	for (int i = 0; i < 256; i++)
		bytes[i] = (unsigned char)i;
	rq_evidence e = {.unit_id = a, .system_id = id, .subject = "dossier", .file_name = "hồ sơ.pdf",
			 .media_type = "application/pdf", .sha256 = "ab", .uploaded_at = 1, .content = bytes,
			 .content_len = sizeof(bytes)};
	int64_t eid;
	FX_OK(rq_store_evidence_add(f->s, &e, &eid));
	assert_int_equal(rq_store_unit_delete(f->s, a), RQ_STORE_ECONSTRAINT);
	FX_OK(rq_store_system_delete(f->s, id));
	assert_int_equal(fx_int(f->s, "SELECT COUNT(*) FROM evidence"), 0);
	assert_int_equal(rq_store_system_delete(f->s, id), RQ_ENOTFOUND);
	FX_OK(rq_store_unit_delete(f->s, a));
}

typedef struct file_seen {
	int n;
	unsigned char bytes[300];
	size_t len;
	char name[64], login[64];
	int64_t size, campaign_id;
} file_seen;

static int see_file(const rq_evidence *e, void *payload)
{
	file_seen *s = payload;
	s->n++;
	s->len = e->content_len;
	if (e->content && e->content_len <= sizeof(s->bytes))
		memcpy(s->bytes, e->content, e->content_len);
	snprintf(s->name, sizeof(s->name), "%s", e->file_name);
	snprintf(s->login, sizeof(s->login), "%s", e->uploaded_by_login ? e->uploaded_by_login : "");
	s->size = e->size;
	s->campaign_id = e->campaign_id;
	return 0;
}

static void test_evidence(void **state)
{
	fx *f = *state;
	int64_t a = unit(f, "A", 0), c = campaign(f, "C", 0, 1687712400), id, id2;
	unsigned char bytes[256];
	for (int i = 0; i < 256; i++)
		bytes[i] = (unsigned char)(255 - i);
	rq_evidence e = {.unit_id = a, .campaign_id = c, .subject = "training", .file_name = fx_nasty,
			 .media_type = "image/png", .sha256 = "cd", .uploaded_at = 1, .content = bytes,
			 .content_len = sizeof(bytes)};
	FX_OK(rq_store_evidence_add(f->s, &e, &id));
	FX_OK(rq_store_evidence_add(f->s, &e, &id2));
	file_seen s = {0};
	FX_OK(rq_store_evidence_get(f->s, id, 1, see_file, &s));
	assert_int_equal(s.len, 256);
	assert_memory_equal(s.bytes, bytes, 256);
	assert_int_equal(s.size, 256);
	memset(&s, 0, sizeof(s));
	FX_OK(rq_store_evidence_get(f->s, id, 0, see_file, &s));
	assert_int_equal(s.len, 0); /* no bytes asked for */
	memset(&s, 0, sizeof(s));
	FX_OK(rq_store_evidence_list(f->s, c, a, 0, see_file, &s));
	assert_int_equal(s.n, 2);
	assert_int_equal(s.campaign_id, c);
	memset(&s, 0, sizeof(s));
	FX_OK(rq_store_evidence_list(f->s, c, a + 1, 0, see_file, &s));
	assert_int_equal(s.n, 0);
	/* attached to both or neither: refused */
	e.system_id = 0;
	e.campaign_id = 0;
	assert_int_equal(rq_store_evidence_add(f->s, &e, &id2), RQ_STORE_ECONSTRAINT);
	FX_OK(rq_store_evidence_delete(f->s, id));
	assert_int_equal(rq_store_evidence_delete(f->s, id), RQ_ENOTFOUND);
	assert_int_equal(rq_store_evidence_get(f->s, id, 1, see_file, &s), RQ_ENOTFOUND);
}

int main(void)
{
	struct CMUnitTest tests[] = {
		cmocka_unit_test(test_campaigns_and_items),
		cmocka_unit_test(test_systems),
		cmocka_unit_test(test_evidence),
	};
	return RUN_BOTH("campaigns", tests, 0);
}
