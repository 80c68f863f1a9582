/*
 * MISP event JSON (parse.h): the event's own fields and the attributes of
 * it and of its objects that are indicators here. Errors name the JSON
 * path of the bad value; a bad attribute fails the whole event.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/error.h"
#include "db/dbfs.h"
#include "intel/limits.h"
#include "intel/parse.h"

/* MISP writes numbers as strings ("1") or numbers: either is accepted. */
static int64_t number_of(const json_t *v)
{
	if (json_is_integer(v))
		return (int64_t)json_integer_value(v);
	if (json_is_string(v)) {
		const char *s = json_string_value(v);
		char *end = NULL;
		long long n = strtoll(s, &end, 10);
		return end != s && *end == '\0' ? (int64_t)n : -1;
	}
	return -1;
}

/* to_ids: true, 1, "1", "true" -- or absent (MISP's feeds only carry what is meant for detection). */
static int for_ids(const json_t *v)
{
	if (!v)
		return 1;
	if (json_is_boolean(v))
		return json_is_true(v);
	if (json_is_string(v))
		return !strcmp(json_string_value(v), "1") || !strcmp(json_string_value(v), "true");
	return number_of(v) == 1;
}

static const char *string_at(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);
	return json_is_string(v) ? json_string_value(v) : "";
}

typedef struct walk {
	rq_intel_batch *out;
	rq_misp_event_info *info;
	const char *file;
	int confidence;
	char uuid[37];
	char event_info[256];
} walk;

static int bad_at(const walk *w, const char *path, const char *why)
{
	return rq_fail(RQ_EPARSE, "%s: %s: %s; nothing imported", w->file, path, why);
}

/* Add `value` of `type` (NULL: told by its form) with the attribute's labels. */
static int add(walk *w, const char *path, const char *type_name, const char *value, size_t len, const char *label,
	       const char *body)
{
	char norm[RQ_INTEL_VALUE_MAX + 1], why[256];
	rq_intel_type type;
	int rc;
	if (!type_name)
		rc = memchr(value, ':', len) ? rq_intel_normalise(type = RQ_INTEL_IPV6, value, len, norm)
					     : rq_intel_normalise(type = RQ_INTEL_IPV4, value, len, norm);
	else if ((rc = rq_intel_type_parse(type_name, &type)) == 0)
		rc = rq_intel_normalise(type, value, len, norm);
	if (rc < 0) {
		snprintf(why, sizeof(why), "%s", rq_error_last());
		return bad_at(w, path, why);
	}
	rq_intel_indicator ind = { .type = type, .value = norm, .name = (char *)label, .description = w->event_info,
				   .body = (char *)body, .ref = w->uuid, .confidence = w->confidence };
	return rq_intel_batch_add(w->out, &ind);
}

/* The part after '|' of a composite value ("file.exe|HASH"), with the first part as label. */
static int composite(walk *w, const char *path, const char *type, const char *value, const char *comment,
		     int second_is_value)
{
	const char *bar = strchr(value, '|');
	char label[RQ_INTEL_MAX_TEXT + 1];
	if (!bar)
		return bad_at(w, path, "a composite value without '|'");
	if (second_is_value) {
		size_t n = (size_t)(bar - value);
		snprintf(label, sizeof(label), "%.*s", (int)(n > RQ_INTEL_MAX_TEXT ? RQ_INTEL_MAX_TEXT : n), value);
		return add(w, path, type, bar + 1, strlen(bar + 1), *comment ? comment : label, NULL);
	}
	return add(w, path, type, value, (size_t)(bar - value), comment, NULL);
}

static int attribute(walk *w, const json_t *a, const char *path)
{
	char vpath[160];
	const char *type = string_at(a, "type");
	const json_t *jv = json_object_get(a, "value");
	const char *comment = string_at(a, "comment");
	const char *label = *comment ? comment : w->event_info;
	int rc = 0;
	if (!json_is_object(a))
		return bad_at(w, path, "not an object");
	w->info->attributes++;
	snprintf(vpath, sizeof(vpath), "%s.value", path);
	if (!json_is_string(jv))
		return bad_at(w, vpath, "missing or not a string");
	if (!for_ids(json_object_get(a, "to_ids"))) {
		w->info->skipped++;
		return 0;
	}
	const char *v = json_string_value(jv);
	size_t vlen = json_string_length(jv);
	if (!strcmp(type, "md5") || !strcmp(type, "sha1") || !strcmp(type, "sha256"))
		rc = add(w, vpath, type, v, vlen, label, NULL);
	else if (!strncmp(type, "filename|", 9) &&
		 (!strcmp(type + 9, "md5") || !strcmp(type + 9, "sha1") || !strcmp(type + 9, "sha256")))
		rc = composite(w, vpath, type + 9, v, comment, 1);
	else if (!strcmp(type, "ip-src") || !strcmp(type, "ip-dst"))
		rc = add(w, vpath, NULL, v, vlen, label, NULL);
	else if (!strcmp(type, "ip-src|port") || !strcmp(type, "ip-dst|port"))
		rc = composite(w, vpath, NULL, v, label, 0);
	else if (!strcmp(type, "domain") || !strcmp(type, "hostname"))
		rc = add(w, vpath, "domain", v, vlen, label, NULL);
	else if (!strcmp(type, "domain|ip")) {
		if ((rc = composite(w, vpath, "domain", v, label, 0)) == 0)
			rc = composite(w, vpath, NULL, v, label, 1);
	} else if (!strcmp(type, "yara")) {
		char digest[65];
		if (vlen > RQ_INTEL_MAX_YARA)
			return rq_fail(RQ_ELIMIT, "%s: %s: a YARA rule over %d bytes", w->file, vpath, RQ_INTEL_MAX_YARA);
		if ((rc = rq_intel_yara_check(vpath, v, vlen)) < 0) {
			char why[256];
			snprintf(why, sizeof(why), "%s", rq_error_last());
			return rq_fail(RQ_EPARSE, "%s: %s; nothing imported", w->file, why);
		}
		rq_sha256_hex((const uint8_t *)v, vlen, digest);
		rc = add(w, vpath, "yara", digest, 64, label, v);
	} else {
		w->info->skipped++;
	}
	return rc;
}

static int attributes(walk *w, const json_t *list, const char *where)
{
	char path[128];
	size_t i;
	const json_t *a;
	if (!list)
		return 0;
	if (!json_is_array(list))
		return bad_at(w, where, "not an array");
	json_array_foreach(list, i, a) {
		int rc;
		snprintf(path, sizeof(path), "%s[%zu]", where, i);
		if ((rc = attribute(w, a, path)) < 0)
			return rc;
	}
	return 0;
}

int rq_intel_parse_misp_event(rq_intel_batch *out, rq_misp_event_info *info, const char *name, const void *data,
			      size_t len, int confidence)
{
	rq_misp_event_info own;
	json_error_t jerr;
	walk w = { .out = out, .info = info ? info : &own, .file = name };
	int rc = 0;
	const char *root = "Event";
	memset(w.info, 0, sizeof(*w.info));
	json_t *doc = json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!doc) {
		rc = rq_fail(RQ_EPARSE, "%s:%d: not JSON: %s; nothing imported", name, jerr.line, jerr.text);
		goto done;
	}
	const json_t *ev = json_object_get(doc, "Event");
	if (!ev) {
		ev = doc;
		root = "(event)";
	}
	if (!json_is_object(ev)) {
		rc = bad_at(&w, root, "not an object");
		goto done;
	}
	const char *uuid = string_at(ev, "uuid");
	if (!rq_intel_uuid_ok(uuid)) {
		rc = bad_at(&w, "Event.uuid", "missing or not a UUID");
		goto done;
	}
	snprintf(w.uuid, sizeof(w.uuid), "%s", uuid);
	snprintf(w.event_info, sizeof(w.event_info), "%s", string_at(ev, "info"));
	for (char *p = w.event_info; *p; p++) /* a label: no control bytes */
		if ((unsigned char)*p < 0x20)
			*p = ' ';
	memcpy(w.info->uuid, w.uuid, sizeof(w.uuid));
	memcpy(w.info->info, w.event_info, sizeof(w.event_info));
	int64_t level = number_of(json_object_get(ev, "threat_level_id"));
	w.info->threat_level = level >= 1 && level <= 4 ? level : 0;
	w.info->timestamp = number_of(json_object_get(ev, "timestamp"));
	if (w.info->timestamp < 0)
		w.info->timestamp = 0;
	static const int by_level[5] = { RQ_INTEL_DEFAULT_CONFIDENCE, 90, 70, 50, 30 };
	w.confidence = confidence >= 0 ? confidence : by_level[w.info->threat_level];
	if ((rc = attributes(&w, json_object_get(ev, "Attribute"), "Event.Attribute")) < 0)
		goto done;
	const json_t *objects = json_object_get(ev, "Object");
	if (objects && !json_is_array(objects)) {
		rc = bad_at(&w, "Event.Object", "not an array");
		goto done;
	}
	size_t i;
	const json_t *o;
	json_array_foreach(objects, i, o) {
		char path[96];
		snprintf(path, sizeof(path), "Event.Object[%zu].Attribute", i);
		if ((rc = attributes(&w, json_object_get(o, "Attribute"), path)) < 0)
			goto done;
	}
done:
	json_decref(doc);
	if (rc < 0)
		rq_intel_batch_clear(out);
	return rc;
}
