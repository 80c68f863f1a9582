/*
 * Tests of endpoints on both backends: creation with defaults, every text
 * field round-tripping SQL metacharacters, heartbeats changing only what
 * they carry (the vault's disk too: 0 free is kept as a value, a heartbeat
 * without it keeps the stored one), and the constraints on kind and unit.
 */
#include "store_fixture.h"
#include "store/endpoints.h"
#include "store/units.h"

static void test_create_and_roundtrip(void **state)
{
	fx *f = *state;
	int64_t unit, id, id2;
	rq_endpoint e;
	rq_endpoint_status all = {
		.hostname = fx_nasty, .kind = "server", .machine_id = fx_nasty, .os_name = fx_nasty,
		.os_version = fx_nasty, .ips_json = fx_nasty, .macs_json = fx_nasty, .agent_version = fx_nasty,
		.db_versions_json = fx_nasty, .db_newest_build = 1234, .realtime = 1, .firewall = 0,
		.status = fx_nasty, .last_full_scan = 77, .last_update = 88,
	};
	FX_OK(rq_store_unit_create(f->s, &unit, 0, "U", "u", "", 1));
	FX_OK(rq_store_endpoint_create(f->s, &id, unit, &all, 500));
	FX_OK(rq_store_endpoint_get(f->s, id, &e));
	const char *got[] = {e.st.hostname, e.st.machine_id, e.st.os_name, e.st.os_version, e.st.ips_json,
			     e.st.macs_json, e.st.agent_version, e.st.db_versions_json, e.st.status};
	for (size_t i = 0; i < sizeof(got) / sizeof(got[0]); i++)
		assert_string_equal(got[i], fx_nasty);
	assert_string_equal(e.st.kind, "server");
	assert_true(e.unit_id == unit && e.id == id);
	assert_true(e.created_at == 500 && e.last_seen == 500);
	assert_true(e.st.db_newest_build == 1234 && e.st.last_full_scan == 77 && e.st.last_update == 88);
	assert_int_equal(e.st.realtime, 1);
	assert_int_equal(e.st.firewall, 0);
	rq_store_endpoint_clear(&e);

	/* only a hostname: defaults */
	rq_endpoint_status bare = {.hostname = "pc", .realtime = -1, .firewall = -1};
	FX_OK(rq_store_endpoint_create(f->s, &id2, unit, &bare, 600));
	FX_OK(rq_store_endpoint_get(f->s, id2, &e));
	assert_string_equal(e.st.kind, "workstation");
	assert_string_equal(e.st.ips_json, "[]");
	assert_string_equal(e.st.db_versions_json, "{}");
	assert_string_equal(e.st.status, "unknown");
	assert_true(e.st.db_newest_build == 0 && e.st.realtime == 0 && e.st.firewall == 0);
	rq_store_endpoint_clear(&e);
	assert_int_equal(fx_int(f->s, "SELECT COUNT(*) FROM endpoints WHERE db_newest_build IS NULL"), 1);

	rq_endpoint_status bad_kind = {.hostname = "pc", .kind = "toaster", .realtime = -1, .firewall = -1};
	assert_int_equal(rq_store_endpoint_create(f->s, &id2, unit, &bad_kind, 1), RQ_STORE_ECONSTRAINT);
	assert_int_equal(rq_store_endpoint_create(f->s, &id2, 999, &bare, 1), RQ_STORE_ECONSTRAINT);
	assert_int_equal(rq_store_endpoint_get(f->s, 999, &e), RQ_ENOTFOUND);
	/* a unit with endpoints cannot be deleted */
	assert_int_equal(rq_store_unit_delete(f->s, unit), RQ_STORE_ECONSTRAINT);
}

static void test_heartbeat(void **state)
{
	fx *f = *state;
	int64_t unit, id;
	rq_endpoint e;
	rq_endpoint_status first = {.hostname = "pc-7", .os_name = "Windows", .os_version = "10",
				    .agent_version = "0.1.0", .realtime = 1, .firewall = 1, .db_newest_build = 50};
	FX_OK(rq_store_unit_create(f->s, &unit, 0, "U", "u", "", 1));
	FX_OK(rq_store_endpoint_create(f->s, &id, unit, &first, 100));
	/* a heartbeat carrying a few fields: the others stay */
	rq_endpoint_status hb = {.agent_version = fx_nasty, .realtime = 0, .firewall = -1, .db_newest_build = 90,
				 .db_versions_json = "{\"main\":{\"version\":7,\"built\":90}}", .status = "ok"};
	FX_OK(rq_store_endpoint_heartbeat(f->s, id, &hb, 200));
	FX_OK(rq_store_endpoint_get(f->s, id, &e));
	assert_string_equal(e.st.hostname, "pc-7");
	assert_string_equal(e.st.os_name, "Windows");
	assert_string_equal(e.st.agent_version, fx_nasty);
	assert_string_equal(e.st.status, "ok");
	assert_string_equal(e.st.db_versions_json, "{\"main\":{\"version\":7,\"built\":90}}");
	assert_int_equal(e.st.realtime, 0);
	assert_int_equal(e.st.firewall, 1);
	assert_true(e.st.db_newest_build == 90);
	assert_true(e.last_seen == 200 && e.created_at == 100);
	rq_store_endpoint_clear(&e);
	assert_int_equal(rq_store_endpoint_heartbeat(f->s, id + 100, &hb, 300), RQ_ENOTFOUND);

	/* the same facts again: only last_seen moves; again in the same second:
	 * nothing to write, still found */
	FX_OK(rq_store_endpoint_heartbeat(f->s, id, &hb, 300));
	FX_OK(rq_store_endpoint_heartbeat(f->s, id, &hb, 300));
	/* changed facts, a value back to what it was before, a hostname that
	 * is the same as stored */
	rq_endpoint_status hb2 = {.hostname = "pc-7", .realtime = 1, .firewall = 0, .os_version = "11",
				  .last_full_scan = 250, .last_update = 260};
	FX_OK(rq_store_endpoint_heartbeat(f->s, id, &hb2, 300));
	FX_OK(rq_store_endpoint_get(f->s, id, &e));
	assert_true(e.last_seen == 300);
	assert_string_equal(e.st.hostname, "pc-7");
	assert_string_equal(e.st.os_version, "11");
	assert_string_equal(e.st.agent_version, fx_nasty);
	assert_int_equal(e.st.realtime, 1);
	assert_int_equal(e.st.firewall, 0);
	assert_true(e.st.db_newest_build == 90);
	assert_true(e.st.last_full_scan == 250 && e.st.last_update == 260);
	rq_store_endpoint_clear(&e);
	assert_int_equal(fx_int(f->s, "SELECT COUNT(*) FROM endpoints WHERE hostname = 'pc-7'"), 1);
}

/* The endpoint's stored vault sizes, -1 each when unknown. */
static void vault_of(fx *f, int64_t id, int64_t *free_bytes, int64_t *total)
{
	rq_endpoint e;
	FX_OK(rq_store_endpoint_get(f->s, id, &e));
	*free_bytes = e.st.vault_known ? e.st.vault_free : -1;
	*total = e.st.vault_known ? e.st.vault_total : -1;
	rq_store_endpoint_clear(&e);
}

static void test_vault(void **state)
{
	fx *f = *state;
	int64_t unit, id, bare_id, fr, tot;
	const int64_t tb5 = 5LL << 40; /* beyond 32 bits */
	FX_OK(rq_store_unit_create(f->s, &unit, 0, "U", "u", "", 1));
	/* enrolled with a full vault disk: 0 is stored, not taken for unknown */
	rq_endpoint_status full = {.hostname = "full", .realtime = -1, .firewall = -1, .vault_known = 1,
				   .vault_free = 0, .vault_total = tb5};
	FX_OK(rq_store_endpoint_create(f->s, &id, unit, &full, 100));
	vault_of(f, id, &fr, &tot);
	assert_true(fr == 0 && tot == tb5);
	/* enrolled without: NULL */
	rq_endpoint_status bare = {.hostname = "bare", .realtime = -1, .firewall = -1};
	FX_OK(rq_store_endpoint_create(f->s, &bare_id, unit, &bare, 100));
	vault_of(f, bare_id, &fr, &tot);
	assert_true(fr == -1 && tot == -1);
	assert_int_equal(fx_int(f->s, "SELECT COUNT(*) FROM endpoints WHERE vault_free IS NULL AND vault_total IS NULL"),
			 1);

	/* a heartbeat carrying only the vault, then one with it among other changes */
	rq_endpoint_status hb = {.realtime = -1, .firewall = -1, .vault_known = 1, .vault_free = 123,
				 .vault_total = 456};
	FX_OK(rq_store_endpoint_heartbeat(f->s, bare_id, &hb, 200));
	vault_of(f, bare_id, &fr, &tot);
	assert_true(fr == 123 && tot == 456);
	rq_endpoint_status hb2 = {.status = "ok", .realtime = 1, .firewall = -1, .last_update = 250, .vault_known = 1,
				  .vault_free = tb5 - 1, .vault_total = tb5};
	FX_OK(rq_store_endpoint_heartbeat(f->s, bare_id, &hb2, 300));
	rq_endpoint e;
	FX_OK(rq_store_endpoint_get(f->s, bare_id, &e));
	assert_string_equal(e.st.status, "ok");
	assert_true(e.st.realtime == 1 && e.st.last_update == 250 && e.last_seen == 300);
	assert_true(e.st.vault_known && e.st.vault_free == tb5 - 1 && e.st.vault_total == tb5);
	rq_store_endpoint_clear(&e);
	/* only the free space changed, then down to 0 */
	hb2.vault_free = 7;
	FX_OK(rq_store_endpoint_heartbeat(f->s, bare_id, &hb2, 310));
	vault_of(f, bare_id, &fr, &tot);
	assert_true(fr == 7 && tot == tb5);
	hb2.vault_free = 0;
	FX_OK(rq_store_endpoint_heartbeat(f->s, bare_id, &hb2, 320));
	vault_of(f, bare_id, &fr, &tot);
	assert_true(fr == 0 && tot == tb5);

	/* a heartbeat without it (an older agent, statvfs failed) keeps the stored value */
	rq_endpoint_status without = {.agent_version = "0.2.0", .realtime = -1, .firewall = -1, .last_update = 400};
	FX_OK(rq_store_endpoint_heartbeat(f->s, bare_id, &without, 400));
	FX_OK(rq_store_endpoint_get(f->s, bare_id, &e));
	assert_string_equal(e.st.agent_version, "0.2.0");
	assert_true(e.st.last_update == 400 && e.last_seen == 400);
	assert_true(e.st.vault_known && e.st.vault_free == 0 && e.st.vault_total == tb5);
	rq_store_endpoint_clear(&e);
	vault_of(f, id, &fr, &tot); /* the other endpoint untouched */
	assert_true(fr == 0 && tot == tb5);
}

int main(void)
{
	struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_and_roundtrip),
		cmocka_unit_test(test_heartbeat),
		cmocka_unit_test(test_vault),
	};
	return RUN_BOTH("endpoints", tests, 0);
}
