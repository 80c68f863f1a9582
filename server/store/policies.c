/*
 * Policies (see policies.h): checking a document field by field, resolving
 * a unit's effective policy from the documents along its path to the top
 * (nearest first, then the built-in defaults), and writing a unit's own
 * fields while ticking the one-row policy clock that versions them.
 */
#include "store/policies.h"

#include <stdarg.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "core/error.h"

const char *const rq_policy_fields[] = {
	"scan_schedule", "action_on_detection", "exclusions", "realtime", "update_interval_minutes",
	"heartbeat_interval_seconds", NULL,
};

static const char *const weekdays[] = { "mon", "tue", "wed", "thu", "fri", "sat", "sun", NULL };

/* The nearest-first path of a unit with each row's document and version. */
#define PATH_SQL                                                                                       \
	"WITH RECURSIVE up(id, parent_id, depth) AS ("                                                 \
	" SELECT id, parent_id, 0 FROM units WHERE id = $1"                                            \
	" UNION ALL"                                                                                   \
	" SELECT u.id, u.parent_id, up.depth + 1 FROM units u JOIN up ON u.id = up.parent_id"        \
	" WHERE up.depth < $2)"                                                                        \
	" SELECT up.id, p.document, p.version FROM up LEFT JOIN policies p ON p.unit_id = up.id"      \
	" ORDER BY up.depth"

static int refuse(char *why, size_t n, const char *fmt, ...) RQ_PRINTF(3, 4);
static int refuse(char *why, size_t n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, n, fmt, ap);
	va_end(ap);
	return RQ_EINVAL;
}

json_t *rq_policy_defaults(void)
{
	return json_pack("{s:{s:{s:s, s:s}, s:{s:s, s:s, s:s}}, s:s, s:[], s:b, s:i, s:i}",
			 "scan_schedule", "quick", "every", "day", "time", RQ_POLICY_DEFAULT_QUICK_TIME,
			 "full", "every", "week", "day", RQ_POLICY_DEFAULT_FULL_DAY, "time",
			 RQ_POLICY_DEFAULT_FULL_TIME, "action_on_detection", RQ_POLICY_DEFAULT_ACTION,
			 "exclusions", "realtime", RQ_POLICY_DEFAULT_REALTIME, "update_interval_minutes",
			 RQ_POLICY_DEFAULT_UPDATE_MINUTES, "heartbeat_interval_seconds",
			 RQ_POLICY_DEFAULT_HEARTBEAT_SECONDS);
}

static int is_weekday(const char *s)
{
	for (int i = 0; weekdays[i]; i++)
		if (!strcmp(s, weekdays[i]))
			return 1;
	return 0;
}

/* "HH:MM", 00:00..23:59. */
static int is_time(const char *s)
{
	if (strlen(s) != 5 || s[2] != ':')
		return 0;
	for (int i = 0; i < 5; i++)
		if (i != 2 && (s[i] < '0' || s[i] > '9'))
			return 0;
	return (s[0] - '0') * 10 + (s[1] - '0') < 24 && s[3] < '6';
}

/*
 * One schedule, {"every": E, "day": D, "time": "HH:MM"}: a quick scan runs
 * every "day" or "week" (day: mon..sun), a full scan every "week" or
 * "month" (day: 1..RQ_POLICY_MAX_MONTH_DAY).
 */
static int check_schedule(const json_t *v, const char *where, int full, char *why, size_t n)
{
	const char *key, *every, *time;
	json_t *val, *day;
	if (!json_is_object(v))
		return refuse(why, n, "%s: expected an object", where);
	json_object_foreach((json_t *)v, key, val)
		if (strcmp(key, "every") && strcmp(key, "day") && strcmp(key, "time"))
			return refuse(why, n, "%s.%.64s: unknown field", where, key);
	every = json_string_value(json_object_get(v, "every"));
	time = json_string_value(json_object_get(v, "time"));
	day = json_object_get(v, "day");
	if (!every)
		return refuse(why, n, "%s.every: expected %s", where,
			      full ? "\"week\" or \"month\"" : "\"day\" or \"week\"");
	if (!time || !is_time(time))
		return refuse(why, n, "%s.time: expected \"HH:MM\" (00:00..23:59)", where);
	if (!full && !strcmp(every, "day")) {
		if (day)
			return refuse(why, n, "%s.day: not used with \"every\": \"day\"", where);
	} else if (!strcmp(every, "week")) {
		if (!json_is_string(day) || !is_weekday(json_string_value(day)))
			return refuse(why, n, "%s.day: expected mon, tue, wed, thu, fri, sat or sun", where);
	} else if (full && !strcmp(every, "month")) {
		if (!json_is_integer(day) || json_integer_value(day) < 1 ||
		    json_integer_value(day) > RQ_POLICY_MAX_MONTH_DAY)
			return refuse(why, n, "%s.day: expected a day of the month, 1..%d", where,
				      RQ_POLICY_MAX_MONTH_DAY);
	} else {
		return refuse(why, n, "%s.every: expected %s", where,
			      full ? "\"week\" or \"month\"" : "\"day\" or \"week\"");
	}
	return 0;
}

static int check_scan_schedule(const json_t *v, char *why, size_t n)
{
	const char *key;
	json_t *val;
	int rc = 0;
	if (!json_is_object(v))
		return refuse(why, n, "scan_schedule: expected an object");
	json_object_foreach((json_t *)v, key, val) {
		if (!strcmp(key, "quick"))
			rc = check_schedule(val, "scan_schedule.quick", 0, why, n);
		else if (!strcmp(key, "full"))
			rc = check_schedule(val, "scan_schedule.full", 1, why, n);
		else
			rc = refuse(why, n, "scan_schedule.%.64s: unknown field", key);
		if (rc < 0)
			break;
	}
	return rc;
}

static int has_control(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return 1;
	return 0;
}

static int check_exclusions(const json_t *v, char *why, size_t n)
{
	size_t i;
	json_t *e;
	if (!json_is_array(v))
		return refuse(why, n, "exclusions: expected an array of path globs");
	if (json_array_size(v) > RQ_POLICY_MAX_EXCLUSIONS)
		return refuse(why, n, "exclusions: more than %d elements", RQ_POLICY_MAX_EXCLUSIONS);
	json_array_foreach(v, i, e) {
		if (!json_is_string(e))
			return refuse(why, n, "exclusions[%zu]: expected a string", i);
		size_t len = json_string_length(e);
		if (len == 0 || len > RQ_POLICY_MAX_GLOB)
			return refuse(why, n, "exclusions[%zu]: expected 1..%d bytes", i, RQ_POLICY_MAX_GLOB);
		if (strlen(json_string_value(e)) != len || has_control(json_string_value(e)))
			return refuse(why, n, "exclusions[%zu]: control characters are not allowed", i);
	}
	return 0;
}

static int check_int(const json_t *v, const char *name, long long min, long long max, char *why, size_t n)
{
	if (!json_is_integer(v))
		return refuse(why, n, "%s: expected an integer", name);
	if (json_integer_value(v) < min || json_integer_value(v) > max)
		return refuse(why, n, "%s: outside %lld..%lld", name, min, max);
	return 0;
}

int rq_policy_check_field(const char *name, const json_t *value, char *why, size_t why_size)
{
	if (!value)
		return refuse(why, why_size, "%s: no value", name);
	if (!strcmp(name, "scan_schedule"))
		return check_scan_schedule(value, why, why_size);
	if (!strcmp(name, "action_on_detection")) {
		const char *a = json_string_value(value);
		if (!a || (strcmp(a, "report") && strcmp(a, "quarantine") && strcmp(a, "delete")))
			return refuse(why, why_size,
				      "action_on_detection: expected \"report\", \"quarantine\" or \"delete\"");
		return 0;
	}
	if (!strcmp(name, "exclusions"))
		return check_exclusions(value, why, why_size);
	if (!strcmp(name, "realtime"))
		return json_is_boolean(value) ? 0 : refuse(why, why_size, "realtime: expected true or false");
	if (!strcmp(name, "update_interval_minutes"))
		return check_int(value, name, RQ_POLICY_MIN_UPDATE_MINUTES, RQ_POLICY_MAX_UPDATE_MINUTES, why,
				 why_size);
	if (!strcmp(name, "heartbeat_interval_seconds"))
		return check_int(value, name, RQ_POLICY_MIN_HEARTBEAT_SECONDS, RQ_POLICY_MAX_HEARTBEAT_SECONDS,
				 why, why_size);
	return refuse(why, why_size, "%.64s: unknown field", name);
}

int rq_policy_check(const json_t *own, char *why, size_t why_size)
{
	const char *key;
	json_t *val;
	int rc = 0;
	if (!json_is_object(own))
		return refuse(why, why_size, "policy: expected an object");
	json_object_foreach((json_t *)own, key, val)
		if ((rc = rq_policy_check_field(key, val, why, why_size)) < 0)
			break;
	return rc;
}

void rq_policy_view_clear(rq_policy_view *v)
{
	if (!v)
		return;
	json_decref(v->effective);
	json_decref(v->own);
	json_decref(v->inherited_from);
	memset(v, 0, sizeof(*v));
}

/* Take, for each field still unresolved, the value `doc` (of unit `unit`) sets. */
static int apply_doc(rq_policy_view *v, const json_t *doc, int64_t unit)
{
	for (int i = 0; rq_policy_fields[i]; i++) {
		const char *f = rq_policy_fields[i];
		json_t *val = json_object_get(doc, f);
		if (!val || json_object_get(v->inherited_from, f))
			continue;
		if (json_object_set(v->effective, f, val) ||
		    json_object_set_new(v->inherited_from, f, json_integer((json_int_t)unit)))
			return rq_fail(RQ_ENOMEM, "store: out of memory resolving a policy");
	}
	return 0;
}

int rq_store_policy_view(rq_store *s, int64_t unit_id, rq_policy_view *out)
{
	rq_stmt *st = NULL;
	json_t *defaults = NULL;
	int rc, rows = 0;
	memset(out, 0, sizeof(*out));
	out->effective = json_object();
	out->inherited_from = json_object();
	defaults = rq_policy_defaults();
	if (!out->effective || !out->inherited_from || !defaults) {
		rc = rq_fail(RQ_ENOMEM, "store: out of memory resolving a policy");
		goto done;
	}
	rc = rq_store_prepare(s, &st, PATH_SQL);
	if (rc < 0)
		goto done;
	if ((rc = rq_stmt_bind_int64(st, 1, unit_id)) < 0 ||
	    (rc = rq_stmt_bind_int64(st, 2, RQ_STORE_MAX_UNIT_DEPTH)) < 0)
		goto done;
	while ((rc = rq_stmt_step(st)) == RQ_STORE_ROW) {
		int64_t unit = rq_stmt_column_int64(st, 0), version = rq_stmt_column_int64(st, 2);
		const char *text = rq_stmt_column_text(st, 1);
		json_t *doc = NULL;
		if (text) {
			json_error_t jerr;
			doc = json_loads(text, JSON_REJECT_DUPLICATES, &jerr);
			if (!json_is_object(doc)) {
				json_decref(doc);
				rc = rq_fail(RQ_EPARSE, "store: policy of unit %lld: not a JSON object (%s)",
					     (long long)unit, jerr.text);
				goto done;
			}
		}
		if (rows++ == 0) {
			out->own = doc ? json_incref(doc) : json_object();
			out->own_version = version;
		}
		if (version > out->version)
			out->version = version;
		rc = doc ? apply_doc(out, doc, unit) : 0;
		json_decref(doc);
		if (rc < 0)
			goto done;
	}
	if (rc < 0)
		goto done;
	if (rows == 0) {
		rc = rq_fail(RQ_ENOTFOUND, "store: unit %lld not found", (long long)unit_id);
		goto done;
	}
	if (!out->own) {
		rc = rq_fail(RQ_ENOMEM, "store: out of memory resolving a policy");
		goto done;
	}
	for (int i = 0; rq_policy_fields[i]; i++) {
		const char *f = rq_policy_fields[i];
		if (json_object_get(out->inherited_from, f))
			continue;
		if (json_object_set(out->effective, f, json_object_get(defaults, f)) ||
		    json_object_set_new(out->inherited_from, f, json_null())) {
			rc = rq_fail(RQ_ENOMEM, "store: out of memory resolving a policy");
			goto done;
		}
	}
	rc = 0;
done:
	rq_stmt_finalize(st);
	json_decref(defaults);
	if (rc < 0)
		rq_policy_view_clear(out);
	return rc;
}

int rq_store_policy_effective(rq_store *s, int64_t unit_id, json_t **out_effective, int64_t *out_version)
{
	rq_policy_view v;
	int rc = rq_store_policy_view(s, unit_id, &v);
	*out_effective = NULL;
	*out_version = 0;
	if (rc == 0) {
		*out_effective = json_incref(v.effective);
		*out_version = v.version;
	}
	rq_policy_view_clear(&v);
	return rc;
}

/* Next value of the policy clock (its row lock orders concurrent writers). */
static int clock_tick(rq_store *s, int64_t *out)
{
	rq_stmt *st = NULL;
	int rc = rq_store_prepare(s, &st, "UPDATE policy_clock SET version = version + 1 WHERE id = 1 RETURNING version");
	if (rc == 0)
		rc = rq_stmt_step_int64(st, out);
	if (rc == RQ_ENOTFOUND)
		rc = rq_fail(RQ_ERROR, "store: the policy clock row is missing");
	rq_stmt_finalize(st);
	return rc;
}

/* Write the row of `unit_id`: its document (NULL: keep the present one,
 * '{}' for a new row) and the next clock value. */
static int write_row(rq_store *s, int64_t unit_id, const char *doc, int64_t updated_by, int64_t now,
		     int64_t *out_version)
{
	rq_stmt *st = NULL;
	int64_t version = 0;
	int rc = clock_tick(s, &version);
	if (rc < 0)
		goto done;
	rc = rq_store_prepare(s, &st,
			      doc ? "INSERT INTO policies (unit_id, document, version, updated_by, updated_at)"
				    " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (unit_id) DO UPDATE SET"
				    " document = excluded.document, version = excluded.version,"
				    " updated_by = excluded.updated_by, updated_at = excluded.updated_at"
				  : "INSERT INTO policies (unit_id, document, version, updated_by, updated_at)"
				    " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (unit_id) DO UPDATE SET"
				    " version = excluded.version");
	if (rc < 0)
		goto done;
	if ((rc = rq_stmt_bind_int64(st, 1, unit_id)) < 0 || (rc = rq_stmt_bind_text(st, 2, doc ? doc : "{}")) < 0 ||
	    (rc = rq_stmt_bind_int64(st, 3, version)) < 0 ||
	    (rc = updated_by > 0 ? rq_stmt_bind_int64(st, 4, updated_by) : rq_stmt_bind_null(st, 4)) < 0 ||
	    (rc = rq_stmt_bind_int64(st, 5, now)) < 0)
		goto done;
	rc = rq_stmt_step(st);
	if (rc == RQ_STORE_ECONSTRAINT)
		rc = rq_fail(rc, "store: policy of unit %lld: no such unit", (long long)unit_id);
	if (rc >= 0 && out_version)
		*out_version = version;
done:
	rq_stmt_finalize(st);
	return rc < 0 ? rc : 0;
}

int rq_store_policy_set(rq_store *s, int64_t unit_id, const json_t *own, int64_t updated_by, int64_t now,
			int64_t *out_version)
{
	char why[256];
	char *text = NULL;
	int rc = rq_policy_check(own, why, sizeof(why));
	if (rc < 0) {
		rc = rq_fail(RQ_EINVAL, "%s", why);
		goto done;
	}
	text = json_dumps(own, JSON_COMPACT | JSON_SORT_KEYS);
	if (!text) {
		rc = rq_fail(RQ_ENOMEM, "store: out of memory writing a policy");
		goto done;
	}
	rc = write_row(s, unit_id, text, updated_by, now, out_version);
done:
	free(text);
	return rc;
}

int rq_store_policy_touch(rq_store *s, int64_t unit_id, int64_t now)
{
	return write_row(s, unit_id, NULL, 0, now, NULL);
}
