/*
 * Tests of policies on both backends: the checks of every field (each
 * refusal naming the field), inheritance over three levels with overrides
 * and removals, and the effective version strictly increasing on every
 * change along a unit's path -- and only then.
 */
#include "store_fixture.h"
#include "store/policies.h"
#include "store/units.h"

static json_t *parse(const char *text)
{
	json_error_t err;
	json_t *v = json_loads(text, 0, &err);
	if (!v)
		fail_msg("bad test JSON %s: %s", text, err.text);
	return v;
}

/* rq_policy_check on `text`: expect refusal mentioning `field` (NULL: accepted). */
static void check_doc(const char *text, const char *field)
{
	char why[256] = "";
	json_t *doc = parse(text);
	int rc = rq_policy_check(doc, why, sizeof(why));
	json_decref(doc);
	if (!field) {
		if (rc != 0)
			fail_msg("%s refused: %s", text, why);
		return;
	}
	if (rc != RQ_EINVAL)
		fail_msg("%s accepted, expected a refusal naming %s", text, field);
	if (strncmp(why, field, strlen(field)))
		fail_msg("%s: reason '%s' does not start with %s", text, why, field);
}

static void test_checks(void **state)
{
	(void)state;
	check_doc("{}", NULL);
	check_doc("{\"scan_schedule\":{\"quick\":{\"every\":\"day\",\"time\":\"00:00\"},"
		  "\"full\":{\"every\":\"month\",\"day\":28,\"time\":\"23:59\"}}}", NULL);
	check_doc("{\"scan_schedule\":{\"quick\":{\"every\":\"week\",\"day\":\"sun\",\"time\":\"07:05\"}}}", NULL);
	check_doc("{\"scan_schedule\":{}}", NULL);
	check_doc("{\"action_on_detection\":\"report\",\"realtime\":false,\"exclusions\":[\"/srv/*.iso\","
		  "\"C:\\\\Kế toán\\\\*.mdb\"],\"update_interval_minutes\":15,\"heartbeat_interval_seconds\":3600}",
		  NULL);
	json_t *defaults = rq_policy_defaults();
	char why[256];
	assert_non_null(defaults);
	assert_int_equal(rq_policy_check(defaults, why, sizeof(why)), 0);
	for (int i = 0; rq_policy_fields[i]; i++)
		assert_non_null(json_object_get(defaults, rq_policy_fields[i]));
	assert_int_equal(json_object_size(defaults), 6);
	json_decref(defaults);

	check_doc("{\"surprise\":1}", "surprise");
	check_doc("{\"scan_schedule\":[]}", "scan_schedule");
	check_doc("{\"scan_schedule\":{\"hourly\":{}}}", "scan_schedule.hourly");
	check_doc("{\"scan_schedule\":{\"quick\":{\"every\":\"month\",\"day\":1,\"time\":\"10:00\"}}}",
		  "scan_schedule.quick.every");
	check_doc("{\"scan_schedule\":{\"full\":{\"every\":\"day\",\"time\":\"10:00\"}}}", "scan_schedule.full.every");
	check_doc("{\"scan_schedule\":{\"quick\":{\"every\":\"day\",\"time\":\"24:00\"}}}", "scan_schedule.quick.time");
	check_doc("{\"scan_schedule\":{\"quick\":{\"every\":\"day\",\"time\":\"12:60\"}}}", "scan_schedule.quick.time");
	check_doc("{\"scan_schedule\":{\"quick\":{\"every\":\"day\",\"time\":\"1:00\"}}}", "scan_schedule.quick.time");
	check_doc("{\"scan_schedule\":{\"quick\":{\"every\":\"day\"}}}", "scan_schedule.quick.time");
	check_doc("{\"scan_schedule\":{\"quick\":{\"every\":\"day\",\"day\":\"mon\",\"time\":\"10:00\"}}}",
		  "scan_schedule.quick.day");
	check_doc("{\"scan_schedule\":{\"quick\":{\"every\":\"week\",\"day\":\"monday\",\"time\":\"10:00\"}}}",
		  "scan_schedule.quick.day");
	check_doc("{\"scan_schedule\":{\"full\":{\"every\":\"month\",\"day\":29,\"time\":\"10:00\"}}}",
		  "scan_schedule.full.day");
	check_doc("{\"scan_schedule\":{\"full\":{\"every\":\"month\",\"day\":\"1\",\"time\":\"10:00\"}}}",
		  "scan_schedule.full.day");
	check_doc("{\"scan_schedule\":{\"full\":{\"every\":\"week\",\"day\":\"fri\",\"time\":\"10:00\",\"x\":1}}}",
		  "scan_schedule.full.x");
	check_doc("{\"scan_schedule\":{\"full\":null}}", "scan_schedule.full");
	check_doc("{\"action_on_detection\":\"ignore\"}", "action_on_detection");
	check_doc("{\"action_on_detection\":1}", "action_on_detection");
	check_doc("{\"exclusions\":\"/tmp\"}", "exclusions");
	check_doc("{\"exclusions\":[\"/tmp\",3]}", "exclusions[1]");
	check_doc("{\"exclusions\":[\"\"]}", "exclusions[0]");
	check_doc("{\"exclusions\":[\"/tmp\\n/etc\"]}", "exclusions[0]");
	check_doc("{\"realtime\":1}", "realtime");
	check_doc("{\"realtime\":\"true\"}", "realtime");
	check_doc("{\"update_interval_minutes\":14}", "update_interval_minutes");
	check_doc("{\"update_interval_minutes\":1441}", "update_interval_minutes");
	check_doc("{\"update_interval_minutes\":60.5}", "update_interval_minutes");
	check_doc("{\"heartbeat_interval_seconds\":29}", "heartbeat_interval_seconds");
	check_doc("{\"heartbeat_interval_seconds\":3601}", "heartbeat_interval_seconds");

	/* the bound on exclusions, and on one glob's length */
	json_t *many = json_array();
	for (int i = 0; i <= RQ_POLICY_MAX_EXCLUSIONS; i++)
		json_array_append_new(many, json_string("/x/*"));
	assert_int_equal(rq_policy_check_field("exclusions", many, why, sizeof(why)), RQ_EINVAL);
	json_array_remove(many, 0);
	assert_int_equal(rq_policy_check_field("exclusions", many, why, sizeof(why)), 0);
	json_decref(many);
	char glob[RQ_POLICY_MAX_GLOB + 2];
	memset(glob, 'a', sizeof(glob) - 1);
	glob[sizeof(glob) - 1] = '\0';
	json_t *long_one = json_pack("[s]", glob);
	assert_int_equal(rq_policy_check_field("exclusions", long_one, why, sizeof(why)), RQ_EINVAL);
	json_decref(long_one);
	glob[RQ_POLICY_MAX_GLOB] = '\0';
	long_one = json_pack("[s]", glob);
	assert_int_equal(rq_policy_check_field("exclusions", long_one, why, sizeof(why)), 0);
	json_decref(long_one);
}

static json_t *eff_of(const rq_policy_view *v, const char *field)
{
	return json_object_get(v->effective, field);
}

static int64_t from_of(const rq_policy_view *v, const char *field)
{
	json_t *f = json_object_get(v->inherited_from, field);
	assert_non_null(f);
	return json_is_null(f) ? 0 : (int64_t)json_integer_value(f);
}

static int64_t version_of(rq_store *s, int64_t unit)
{
	json_t *eff = NULL;
	int64_t version = -1;
	FX_OK(rq_store_policy_effective(s, unit, &eff, &version));
	assert_int_equal(json_object_size(eff), 6);
	json_decref(eff);
	return version;
}

static void set_doc(rq_store *s, int64_t unit, const char *text)
{
	json_t *doc = parse(text);
	FX_OK(rq_store_policy_set(s, unit, doc, 0, 100, NULL));
	json_decref(doc);
}

static void test_inheritance(void **state)
{
	fx *f = *state;
	int64_t prov, dept, sub, other;
	rq_policy_view v;
	FX_OK(rq_store_unit_create(f->s, &prov, 0, "Tỉnh", "prov", "", 1));
	FX_OK(rq_store_unit_create(f->s, &dept, prov, "Sở", "dept", "", 1));
	FX_OK(rq_store_unit_create(f->s, &sub, dept, "Phòng", "sub", "", 1));
	FX_OK(rq_store_unit_create(f->s, &other, prov, "Huyện", "other", "", 1));

	/* nothing set anywhere: the defaults, version 0 */
	FX_OK(rq_store_policy_view(f->s, sub, &v));
	assert_int_equal(v.version, 0);
	assert_int_equal(json_object_size(v.own), 0);
	assert_string_equal(json_string_value(eff_of(&v, "action_on_detection")), RQ_POLICY_DEFAULT_ACTION);
	assert_int_equal(json_integer_value(eff_of(&v, "heartbeat_interval_seconds")), RQ_POLICY_DEFAULT_HEARTBEAT_SECONDS);
	assert_true(json_is_true(eff_of(&v, "realtime")));
	for (int i = 0; rq_policy_fields[i]; i++)
		assert_int_equal(from_of(&v, rq_policy_fields[i]), 0);
	rq_policy_view_clear(&v);

	set_doc(f->s, prov, "{\"action_on_detection\":\"delete\",\"realtime\":false,\"exclusions\":[\"/srv/backup/*\"]}");
	set_doc(f->s, dept, "{\"action_on_detection\":\"report\",\"update_interval_minutes\":30}");
	set_doc(f->s, sub, "{\"exclusions\":[]}");
	FX_OK(rq_store_policy_view(f->s, sub, &v));
	assert_string_equal(json_string_value(eff_of(&v, "action_on_detection")), "report");
	assert_int_equal(from_of(&v, "action_on_detection"), dept);
	assert_true(json_is_false(eff_of(&v, "realtime")));
	assert_int_equal(from_of(&v, "realtime"), prov);
	assert_int_equal(json_array_size(eff_of(&v, "exclusions")), 0); /* overridden by an empty list */
	assert_int_equal(from_of(&v, "exclusions"), sub);
	assert_int_equal(json_integer_value(eff_of(&v, "update_interval_minutes")), 30);
	assert_int_equal(from_of(&v, "heartbeat_interval_seconds"), 0);
	assert_int_equal(json_object_size(v.own), 1);
	assert_true(v.own_version > 0 && v.own_version == v.version); /* sub was written last */
	rq_policy_view_clear(&v);

	/* the sibling branch sees only the province */
	FX_OK(rq_store_policy_view(f->s, other, &v));
	assert_string_equal(json_string_value(eff_of(&v, "action_on_detection")), "delete");
	assert_int_equal(from_of(&v, "action_on_detection"), prov);
	assert_string_equal(json_string_value(json_array_get(eff_of(&v, "exclusions"), 0)), "/srv/backup/*");
	assert_int_equal(v.own_version, 0);
	rq_policy_view_clear(&v);

	/* removing the department's override: the province's value comes down */
	set_doc(f->s, dept, "{\"update_interval_minutes\":30}");
	FX_OK(rq_store_policy_view(f->s, sub, &v));
	assert_string_equal(json_string_value(eff_of(&v, "action_on_detection")), "delete");
	assert_int_equal(from_of(&v, "action_on_detection"), prov);
	rq_policy_view_clear(&v);

	/* refusals */
	json_t *bad = parse("{\"realtime\":\"yes\"}");
	assert_int_equal(rq_store_policy_set(f->s, sub, bad, 0, 1, NULL), RQ_EINVAL);
	json_decref(bad);
	json_t *empty = json_object();
	assert_int_equal(rq_store_policy_set(f->s, 987654, empty, 0, 1, NULL), RQ_STORE_ECONSTRAINT);
	json_decref(empty);
	assert_int_equal(rq_store_policy_view(f->s, 987654, &v), RQ_ENOTFOUND);
	json_t *eff = NULL;
	int64_t version = 7;
	assert_int_equal(rq_store_policy_effective(f->s, 987654, &eff, &version), RQ_ENOTFOUND);
	assert_null(eff);

	/* a unit with a policy (and no sub-units) can still be deleted */
	assert_int_equal(rq_store_unit_delete(f->s, dept), RQ_STORE_ECONSTRAINT);
	FX_OK(rq_store_unit_delete(f->s, sub));
	assert_int_equal(fx_int(f->s, "SELECT COUNT(*) FROM policies"), 2);
}

static void test_versions(void **state)
{
	fx *f = *state;
	int64_t prov, dept, sub, other, v0, v1, v2, v3, v4, v5;
	FX_OK(rq_store_unit_create(f->s, &prov, 0, "P", "prov", "", 1));
	FX_OK(rq_store_unit_create(f->s, &dept, prov, "D", "dept", "", 1));
	FX_OK(rq_store_unit_create(f->s, &sub, dept, "S", "sub", "", 1));
	FX_OK(rq_store_unit_create(f->s, &other, 0, "O", "other", "", 1));

	v0 = version_of(f->s, sub);
	assert_int_equal(v0, 0);
	set_doc(f->s, sub, "{\"realtime\":true}");
	v1 = version_of(f->s, sub);
	assert_true(v1 > v0);
	/* a change elsewhere leaves this path's version alone */
	set_doc(f->s, other, "{\"realtime\":false}");
	assert_int_equal(version_of(f->s, sub), v1);
	/* a change at the top, below the sub-unit's own newer row, still shows */
	set_doc(f->s, prov, "{\"action_on_detection\":\"report\"}");
	v2 = version_of(f->s, sub);
	assert_true(v2 > v1);
	assert_int_equal(version_of(f->s, dept), v2);
	/* removing a field (an empty document) is a change too */
	set_doc(f->s, prov, "{}");
	v3 = version_of(f->s, sub);
	assert_true(v3 > v2);
	/* the same document again still counts (someone pressed save) */
	set_doc(f->s, prov, "{}");
	v4 = version_of(f->s, sub);
	assert_true(v4 > v3);
	/* moving the department under another top-level unit: the path changed */
	set_doc(f->s, other, "{\"realtime\":false,\"heartbeat_interval_seconds\":60}");
	int64_t other_v = version_of(f->s, other);
	FX_OK(rq_store_unit_update(f->s, dept, other, "D", "dept", "", 2));
	FX_OK(rq_store_policy_touch(f->s, dept, 2));
	v5 = version_of(f->s, sub);
	assert_true(v5 > v4 && v5 > other_v);
	json_t *eff = NULL;
	int64_t ver = 0;
	FX_OK(rq_store_policy_effective(f->s, sub, &eff, &ver));
	assert_int_equal(ver, v5);
	assert_true(json_is_true(json_object_get(eff, "realtime"))); /* the sub-unit's own value */
	assert_int_equal(json_integer_value(json_object_get(eff, "heartbeat_interval_seconds")), 60);
	json_decref(eff);
	/* touch kept the department's (empty) document */
	assert_int_equal(fx_int_text(f->s, "SELECT COUNT(*) FROM policies WHERE document = $1", "{}"), 2);
	/* a stored document is written with sorted keys, UTF-8 as is */
	set_doc(f->s, sub, "{\"realtime\":true,\"exclusions\":[\"D:\\\\Tài liệu\\\\*\"]}");
	assert_int_equal(fx_int_text(f->s, "SELECT COUNT(*) FROM policies WHERE document = $1",
				     "{\"exclusions\":[\"D:\\\\Tài liệu\\\\*\"],\"realtime\":true}"),
			 1);
}

int main(void)
{
	struct CMUnitTest tests[] = {
		cmocka_unit_test(test_checks),
		cmocka_unit_test(test_inheritance),
		cmocka_unit_test(test_versions),
	};
	return RUN_BOTH("policies", tests, 0);
}
