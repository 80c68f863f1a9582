/*
 * STIX 2.1 bundles and object lists into indicators (stix.h): the pattern
 * reader of the comparisons we represent, the names given by malware
 * objects through `indicates` relationships, and the import in one
 * transaction through rq_intel_import.
 */
#include "intel/stix.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "sharing/stix_id.h"

void rq_stix_info_free(rq_stix_info *info)
{
	free(info->outcomes);
	info->outcomes = NULL;
	info->outcome_count = 0;
}

/* One comparison of a pattern: the type and the value as written. */
typedef struct term {
	rq_intel_type type;
	char value[RQ_INTEL_VALUE_MAX + 1];
} term;

typedef struct cursor {
	const char *p;
	char *why; /* the reason a pattern is skipped */
	size_t why_len;
} cursor;

static int skip(cursor *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->why, c->why_len, fmt, ap);
	va_end(ap);
	return -1;
}

static void blanks(cursor *c)
{
	while (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r')
		c->p++;
}

/* The keyword `kw` followed by a blank or a bracket. */
static int keyword(cursor *c, const char *kw)
{
	size_t n = strlen(kw);
	if (strncmp(c->p, kw, n) || isalnum((unsigned char)c->p[n]) || c->p[n] == '_')
		return 0;
	c->p += n;
	return 1;
}

/* The hash name of "hashes.X" ("MD5", 'SHA-1', 'SHA-256', SHA256, ...). */
static int hash_type(const char *key, size_t n, rq_intel_type *type)
{
	char k[16];
	if (n >= 2 && (key[0] == '\'' || key[0] == '"') && key[n - 1] == key[0]) {
		key++;
		n -= 2;
	}
	if (n >= sizeof(k))
		return -1;
	for (size_t i = 0; i < n; i++)
		k[i] = (char)toupper((unsigned char)key[i]);
	k[n] = '\0';
	if (!strcmp(k, "MD5"))
		*type = RQ_INTEL_MD5;
	else if (!strcmp(k, "SHA-1") || !strcmp(k, "SHA1"))
		*type = RQ_INTEL_SHA1;
	else if (!strcmp(k, "SHA-256") || !strcmp(k, "SHA256"))
		*type = RQ_INTEL_SHA256;
	else
		return -1;
	return 0;
}

/* "object-type:property.path" into its indicator type. */
static int object_path(cursor *c, rq_intel_type *type)
{
	const char *start = c->p;
	while (*c->p && !strchr(" \t\r\n=!<>]", *c->p))
		c->p++;
	size_t n = (size_t)(c->p - start);
	const char *colon = memchr(start, ':', n);
	if (!colon || colon == start)
		return skip(c, "not an object path: '%.*s'", (int)(n > 60 ? 60 : n), start);
	size_t tn = (size_t)(colon - start), pn = n - tn - 1;
	const char *prop = colon + 1;
	if (tn == 4 && !strncmp(start, "file", 4) && pn > 7 && !strncmp(prop, "hashes.", 7)) {
		if (hash_type(prop + 7, pn - 7, type) == 0)
			return 0;
		return skip(c, "hash '%.*s' is not MD5, SHA-1 or SHA-256", (int)(pn - 7 > 40 ? 40 : pn - 7), prop + 7);
	}
	if (pn == 5 && !strncmp(prop, "value", 5)) {
		if (tn == 9 && !strncmp(start, "ipv4-addr", 9))
			*type = RQ_INTEL_IPV4;
		else if (tn == 9 && !strncmp(start, "ipv6-addr", 9))
			*type = RQ_INTEL_IPV6;
		else if (tn == 11 && !strncmp(start, "domain-name", 11))
			*type = RQ_INTEL_DOMAIN;
		else
			return skip(c, "object type '%.*s' is not imported", (int)(tn > 40 ? 40 : tn), start);
		return 0;
	}
	return skip(c, "object path '%.*s' is not imported (file hashes, ipv4-addr, ipv6-addr, domain-name values are)",
		    (int)(n > 60 ? 60 : n), start);
}

/* A quoted string literal, with \' and \\ escapes. */
static int literal(cursor *c, char out[RQ_INTEL_VALUE_MAX + 1])
{
	size_t n = 0;
	if (*c->p != '\'')
		return skip(c, "a comparison with something other than a string (%.12s)", c->p);
	for (c->p++; *c->p != '\''; c->p++) {
		if (!*c->p)
			return skip(c, "an unterminated string");
		if (*c->p == '\\') {
			c->p++;
			if (*c->p != '\\' && *c->p != '\'')
				return skip(c, "a bad escape in a string");
		}
		if (n == RQ_INTEL_VALUE_MAX)
			return skip(c, "a value over %d bytes", RQ_INTEL_VALUE_MAX);
		out[n++] = *c->p;
	}
	c->p++;
	out[n] = '\0';
	return 0;
}

/* A comparison "path = 'value'". */
static int comparison(cursor *c, term *t)
{
	blanks(c);
	if (object_path(c, &t->type) < 0)
		return -1;
	blanks(c);
	if (c->p[0] != '=' || c->p[1] == '=')
		return skip(c, "operator '%.10s' is not imported (only '=' is)", c->p);
	c->p++;
	blanks(c);
	if (literal(c, t->value) < 0)
		return -1;
	blanks(c);
	return 0;
}

/* Terms of "[a = 'x' OR b = 'y'] OR [c = 'z']"; -1 with c->why set otherwise. */
static int read_pattern(cursor *c, term *terms, size_t *count)
{
	*count = 0;
	for (;;) {
		blanks(c);
		if (*c->p != '[')
			return skip(c, "not an observation expression '[...]'");
		c->p++;
		for (;;) {
			if (*count == RQ_INTEL_MAX_STIX_TERMS)
				return skip(c, "more than %d comparisons", RQ_INTEL_MAX_STIX_TERMS);
			if (comparison(c, &terms[*count]) < 0)
				return -1;
			(*count)++;
			if (*c->p == ']')
				break;
			if (keyword(c, "OR"))
				continue;
			if (keyword(c, "AND"))
				return skip(c, "AND of comparisons (a conjunction cannot be one indicator)");
			if (!*c->p)
				return skip(c, "the pattern ends before ']'");
			return skip(c, "unexpected '%.12s' in a comparison expression", c->p);
		}
		c->p++;
		blanks(c);
		if (!*c->p)
			return 0;
		if (keyword(c, "OR"))
			continue;
		return skip(c, "'%.12s' after an observation (only OR of observations is imported)", c->p);
	}
}

/* Normalise a term; CIDR /32 and /128 are single addresses. */
static int term_value(term *t, cursor *c, char norm[RQ_INTEL_VALUE_MAX + 1])
{
	char *slash = strchr(t->value, '/');
	if (slash && (t->type == RQ_INTEL_IPV4 || t->type == RQ_INTEL_IPV6)) {
		if (strcmp(slash + 1, t->type == RQ_INTEL_IPV4 ? "32" : "128"))
			return skip(c, "a network range '%.60s' is not imported", t->value);
		*slash = '\0';
	}
	if (rq_intel_normalise(t->type, t->value, strlen(t->value), norm) < 0)
		return skip(c, "%.150s", rq_error_last());
	return 0;
}

static const char *text_at(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);
	return json_is_string(v) ? json_string_value(v) : "";
}

typedef struct walk {
	rq_intel_batch *out;
	rq_stix_info *info;
	const char *file;
	int confidence;
	json_t *names;      /* malware id -> name */
	json_t *indicates;  /* indicator id -> malware id */
	json_t *identities; /* identity id -> name */
} walk;

static int outcome(walk *w, const json_t *obj, int imported, const char *reason)
{
	rq_stix_info *in = w->info;
	rq_stix_outcome *o = &in->outcomes[in->outcome_count++];
	const char *id = text_at(obj, "id"), *version = text_at(obj, "modified");
	snprintf(o->id, sizeof(o->id), "%s", id);
	snprintf(o->version, sizeof(o->version), "%s", *version ? version : text_at(obj, "created"));
	o->imported = imported;
	snprintf(o->reason, sizeof(o->reason), "%s", reason ? reason : "");
	o->indicator = !strcmp(text_at(obj, "type"), "indicator");
	if (!imported && o->indicator)
		in->skipped++;
	return 0;
}

/* One indicator object: its terms added, or skipped with the reason. */
static int indicator(walk *w, const json_t *o, const char *id)
{
	char why[160] = "", norm[RQ_INTEL_VALUE_MAX + 1];
	term terms[RQ_INTEL_MAX_STIX_TERMS];
	size_t count = 0;
	cursor c = { .why = why, .why_len = sizeof(why) };
	const json_t *pt = json_object_get(o, "pattern_type"), *pat = json_object_get(o, "pattern");
	const json_t *conf = json_object_get(o, "confidence");
	int64_t from_ms = 0, until_ms = 0;
	int confidence = w->confidence;
	w->info->indicators++;
	if (!json_is_string(pt))
		return outcome(w, o, 0, "pattern_type missing or not a string");
	if (strcmp(json_string_value(pt), "stix")) {
		snprintf(why, sizeof(why), "pattern_type '%.40s' is not imported (only stix is)",
			 json_string_value(pt));
		return outcome(w, o, 0, why);
	}
	if (!json_is_string(pat))
		return outcome(w, o, 0, "pattern missing or not a string");
	if (json_string_length(pat) > RQ_INTEL_MAX_STIX_PATTERN)
		return outcome(w, o, 0, "a pattern too long to be a simple comparison");
	if (json_is_true(json_object_get(o, "revoked")))
		return outcome(w, o, 0, "revoked");
	if (*text_at(o, "valid_from") && rq_stix_time_parse(text_at(o, "valid_from"), &from_ms) < 0)
		return outcome(w, o, 0, "valid_from is not an RFC 3339 time");
	if (*text_at(o, "valid_until") && rq_stix_time_parse(text_at(o, "valid_until"), &until_ms) < 0)
		return outcome(w, o, 0, "valid_until is not an RFC 3339 time");
	if (conf && (!json_is_integer(conf) || json_integer_value(conf) < 0 || json_integer_value(conf) > 100))
		return outcome(w, o, 0, "confidence is not an integer 0-100");
	if (confidence < 0)
		confidence = conf ? (int)json_integer_value(conf) : RQ_INTEL_DEFAULT_CONFIDENCE;
	c.p = json_string_value(pat);
	if (read_pattern(&c, terms, &count) < 0)
		return outcome(w, o, 0, why);
	for (size_t i = 0; i < count; i++) {
		if (term_value(&terms[i], &c, norm) < 0)
			return outcome(w, o, 0, why);
		memcpy(terms[i].value, norm, sizeof(norm));
	}
	const char *name = text_at(o, "name");
	if (!*name) {
		const json_t *mal = json_object_get(w->indicates, id);
		name = mal ? text_at(w->names, json_string_value(mal)) : "";
	}
	for (size_t i = 0; i < count; i++) {
		rq_intel_indicator ind = { .type = terms[i].type, .value = terms[i].value, .name = (char *)name,
					   .description = (char *)text_at(o, "description"), .ref = (char *)id,
					   .confidence = confidence, .first_seen = from_ms / 1000,
					   .expires_at = until_ms / 1000 };
		int rc = rq_intel_batch_add(w->out, &ind);
		if (rc < 0)
			return rc;
	}
	return outcome(w, o, 1, NULL);
}

static int bad_at(const walk *w, const char *path, const char *why)
{
	return rq_fail(RQ_EPARSE, "%s: %s: %s; nothing imported", w->file, path, why);
}

/* First pass: every object has a type and an id; the context objects are noted. */
static int context(walk *w, const json_t *objects, const char *path)
{
	char at[96];
	size_t i;
	const json_t *o;
	json_array_foreach(objects, i, o) {
		snprintf(at, sizeof(at), "%s[%zu]", path, i);
		if (!json_is_object(o))
			return bad_at(w, at, "not an object");
		const json_t *type = json_object_get(o, "type"), *id = json_object_get(o, "id");
		if (!json_is_string(type)) {
			snprintf(at, sizeof(at), "%s[%zu].type", path, i);
			return bad_at(w, at, "missing or not a string");
		}
		if (!json_is_string(id) || !strstr(json_string_value(id), "--") ||
		    json_string_length(id) > RQ_INTEL_MAX_REF) {
			snprintf(at, sizeof(at), "%s[%zu].id", path, i);
			return bad_at(w, at, "missing or not a STIX id (type--uuid)");
		}
		const char *t = json_string_value(type), *ids = json_string_value(id);
		int rc = 0;
		if (!strcmp(t, "malware") && *text_at(o, "name"))
			rc = json_object_set_new(w->names, ids, json_string(text_at(o, "name")));
		else if (!strcmp(t, "identity") && *text_at(o, "name"))
			rc = json_object_set_new(w->identities, ids, json_string(text_at(o, "name")));
		else if (!strcmp(t, "relationship") && !strcmp(text_at(o, "relationship_type"), "indicates") &&
			 !strncmp(text_at(o, "source_ref"), "indicator--", 11) &&
			 !strncmp(text_at(o, "target_ref"), "malware--", 9) &&
			 !json_object_get(w->indicates, text_at(o, "source_ref")))
			rc = json_object_set_new(w->indicates, text_at(o, "source_ref"),
						 json_string(text_at(o, "target_ref")));
		if (rc < 0)
			return rq_fail(RQ_ENOMEM, "out of memory reading %s", w->file);
	}
	return 0;
}

int rq_intel_parse_stix_objects(rq_intel_batch *out, rq_stix_info *info, const char *name, const json_t *objects,
				const char *path, int confidence)
{
	walk w = { .out = out, .info = info, .file = name, .confidence = confidence, .names = json_object(),
		   .indicates = json_object(), .identities = json_object() };
	int rc = 0;
	size_t i, n = json_array_size(objects);
	const json_t *o;
	rq_stix_info_free(info);
	memset(info, 0, sizeof(*info));
	if (!w.names || !w.indicates || !w.identities) {
		rc = rq_fail(RQ_ENOMEM, "out of memory reading %s", name);
		goto done;
	}
	if (!json_is_array(objects)) {
		rc = bad_at(&w, path, "missing or not an array");
		goto done;
	}
	if (n > RQ_INTEL_MAX_STIX_OBJECTS) {
		rc = rq_fail(RQ_ELIMIT, "%s: %zu objects, over the limit of %d; nothing imported", name, n,
			     RQ_INTEL_MAX_STIX_OBJECTS);
		goto done;
	}
	if ((rc = context(&w, objects, path)) < 0)
		goto done;
	if (n && !(info->outcomes = calloc(n, sizeof(*info->outcomes)))) {
		rc = rq_fail(RQ_ENOMEM, "out of memory reading %s", name);
		goto done;
	}
	json_array_foreach(objects, i, o) {
		const char *type = text_at(o, "type"), *id = text_at(o, "id");
		char why[96];
		info->objects++;
		if (!*info->producer && *text_at(o, "created_by_ref")) {
			const json_t *who = json_object_get(w.identities, text_at(o, "created_by_ref"));
			snprintf(info->producer, sizeof(info->producer), "%s", who ? json_string_value(who) : "");
		}
		if (!strcmp(type, "indicator"))
			rc = indicator(&w, o, id);
		else if (!strcmp(type, "malware") || !strcmp(type, "relationship") || !strcmp(type, "identity"))
			rc = outcome(&w, o, 1, NULL);
		else {
			snprintf(why, sizeof(why), "object type '%.40s' is not imported", type);
			rc = outcome(&w, o, 0, why);
		}
		if (rc < 0)
			goto done;
	}
done:
	json_decref(w.names);
	json_decref(w.indicates);
	json_decref(w.identities);
	if (rc < 0)
		rq_intel_batch_clear(out);
	return rc;
}

int rq_intel_parse_stix_bundle(rq_intel_batch *out, rq_stix_info *info, const char *name, const void *data,
			       size_t len, int confidence)
{
	json_error_t jerr;
	int rc;
	json_t *doc = json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!doc) {
		rc = rq_fail(RQ_EPARSE, "%s:%d: not JSON: %s; nothing imported", name, jerr.line, jerr.text);
		goto done;
	}
	if (!json_is_object(doc) || strcmp(text_at(doc, "type"), "bundle")) {
		rc = rq_fail(RQ_EPARSE, "%s: type: not a STIX bundle (\"type\": \"bundle\"); nothing imported", name);
		goto done;
	}
	const json_t *objects = json_object_get(doc, "objects");
	json_t *none = NULL;
	if (!objects)
		objects = none = json_array(); /* an empty bundle is a bundle */
	rc = rq_intel_parse_stix_objects(out, info, name, objects, "objects", confidence);
	json_decref(none);
done:
	json_decref(doc);
	return rc;
}

int rq_intel_import_stix(rq_store *s, const char *name, const void *data, size_t len, const json_t *objects,
			 const char *source_name, int confidence, const rq_intel_expiry *expiry, int64_t now,
			 int (*audit)(rq_store *s, const rq_intel_result *r, void *payload), void *audit_payload,
			 rq_intel_result *out, rq_stix_info *info)
{
	rq_intel_batch b = { 0 };
	int rc = objects ? rq_intel_parse_stix_objects(&b, info, name, objects, "objects", confidence)
			 : rq_intel_parse_stix_bundle(&b, info, name, data, len, confidence);
	if (rc < 0)
		goto done;
	if (!source_name)
		source_name = *info->producer ? info->producer : name;
	rq_intel_import_req req = { .source_name = source_name, .source_kind = "stix", .location = name,
				    .batch = &b, .expiry = expiry, .now = now, .audit = audit,
				    .audit_payload = audit_payload };
	rc = rq_intel_import(s, &req, out);
done:
	rq_intel_batch_clear(&b);
	return rc;
}
