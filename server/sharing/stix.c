/*
 * Builds the STIX 2.1 objects of what the province saw (stix.h) from the
 * store's sharing listings. Every object is made once per id: a file seen
 * under two names is one indicator with two relationships; sightings of
 * one indicator at one place are summed. Ids are UUIDv5 of the content in
 * the province's namespace, times come from the data (first and last
 * seen), so two exports of the same data are identical.
 */
#include "sharing/stix.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/error.h"
#include "store/sharing.h"

typedef struct builder {
	rq_store *s;
	const rq_stix_options *o;
	rq_uuid ns;
	char province_id[RQ_STIX_ID_MAX];
	char period[64];      /* part of sightings' ids: "all" or "FROM-TO" */
	json_t *objects;      /* the array made */
	json_t *index;        /* id -> object in `objects` (borrowed) */
	int rc;               /* first failure */
} builder;

static int fail_nomem(builder *b)
{
	if (b->rc == 0)
		b->rc = rq_fail(RQ_ENOMEM, "sharing: out of memory");
	return b->rc;
}

/* Add `obj` (stolen) unless its id is there; the object kept (borrowed) or NULL. */
static json_t *add_object(builder *b, json_t *obj)
{
	if (!obj) {
		fail_nomem(b);
		return NULL;
	}
	const char *id = json_string_value(json_object_get(obj, "id"));
	json_t *have = json_object_get(b->index, id);
	if (have) {
		json_decref(obj);
		return have;
	}
	if (json_object_set(b->index, id, obj) < 0 || json_array_append_new(b->objects, obj) < 0) {
		fail_nomem(b);
		return NULL;
	}
	return obj;
}

/* The properties every object has. */
static json_t *common(builder *b, const char *type, const char *id, int64_t created, int64_t modified)
{
	char c[RQ_STIX_TIME_TEXT], m[RQ_STIX_TIME_TEXT];
	rq_stix_time(created * 1000, c);
	rq_stix_time((modified > created ? modified : created) * 1000, m);
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s}", "type", type, "spec_version", "2.1", "id", id,
			      "created", c, "modified", m);
	if (o && strcmp(id, b->province_id) && json_object_set_new(o, "created_by_ref", json_string(b->province_id)))
		fail_nomem(b);
	return o;
}

static int province_identity(builder *b)
{
	int64_t since = 0;
	int rc = rq_stix_id(&b->ns, "identity", "identity|province", b->province_id);
	if (rc == 0)
		rc = rq_store_shared_province_since(b->s, &since);
	if (rc < 0)
		return b->rc = rc;
	json_t *o = common(b, "identity", b->province_id, since, since);
	if (o && json_object_set_new(o, "name", json_string(b->o->province)) == 0 &&
	    json_object_set_new(o, "identity_class", json_string("organization")) == 0)
		add_object(b, o);
	else {
		json_decref(o);
		fail_nomem(b);
	}
	return b->rc;
}

typedef struct unit_args {
	builder *b;
	const char *id;
} unit_args;

static int on_unit(const rq_shared_unit *u, void *payload)
{
	unit_args *a = payload;
	json_t *o = common(a->b, "identity", a->id, u->created_at, u->updated_at);
	if (o && json_object_set_new(o, "name", json_string(u->name)) == 0 &&
	    json_object_set_new(o, "identity_class", json_string("organization")) == 0)
		add_object(a->b, o);
	else {
		json_decref(o);
		fail_nomem(a->b);
	}
	return a->b->rc;
}

/* Where a sighting was: the province, or (per unit) the unit's identity. */
static int where_id(builder *b, int64_t unit_id, char out[RQ_STIX_ID_MAX])
{
	char content[64];
	if (!b->o->per_unit || unit_id <= 0) {
		memcpy(out, b->province_id, RQ_STIX_ID_MAX);
		return 0;
	}
	snprintf(content, sizeof(content), "identity|unit|%lld", (long long)unit_id);
	int rc = rq_stix_id(&b->ns, "identity", content, out);
	if (rc == 0 && !json_object_get(b->index, out)) {
		unit_args a = { b, out };
		rc = rq_store_shared_unit(b->s, unit_id, on_unit, &a);
		if (rc == RQ_ESTOPPED)
			rc = b->rc;
	}
	return rc < 0 ? (b->rc = rc) : 0;
}

/* The indicator of `pattern`, first seen at `ever`; its id into id_out. */
static int indicator(builder *b, const char *pattern, const char *name, int64_t ever, char id_out[RQ_STIX_ID_MAX])
{
	char content[640], valid[RQ_STIX_TIME_TEXT];
	snprintf(content, sizeof(content), "indicator|%s", pattern);
	int rc = rq_stix_id(&b->ns, "indicator", content, id_out);
	if (rc < 0)
		return b->rc = rc;
	if (json_object_get(b->index, id_out))
		return 0;
	rq_stix_time(ever * 1000, valid);
	json_t *o = common(b, "indicator", id_out, ever, ever);
	if (!o || json_object_set_new(o, "name", json_string(name)) ||
	    json_object_set_new(o, "indicator_types", json_pack("[s]", "malicious-activity")) ||
	    json_object_set_new(o, "pattern", json_string(pattern)) ||
	    json_object_set_new(o, "pattern_type", json_string("stix")) ||
	    json_object_set_new(o, "pattern_version", json_string("2.1")) ||
	    json_object_set_new(o, "valid_from", json_string(valid))) {
		json_decref(o);
		return fail_nomem(b);
	}
	add_object(b, o);
	return b->rc;
}

/* Add a sighting of indicator `of` at `where`, or add to the one there. */
static int sighting(builder *b, const char *of, const char *where, int64_t count, int64_t first, int64_t last)
{
	char content[256], id[RQ_STIX_ID_MAX], f[RQ_STIX_TIME_TEXT], l[RQ_STIX_TIME_TEXT];
	snprintf(content, sizeof(content), "sighting|%s|%s|%s", of, where, b->period);
	int rc = rq_stix_id(&b->ns, "sighting", content, id);
	if (rc < 0)
		return b->rc = rc;
	json_t *have = json_object_get(b->index, id);
	if (have) { /* the same file under another name: one sighting of the file */
		json_int_t n = json_integer_value(json_object_get(have, "count")) + count;
		rq_stix_time(first * 1000, f);
		rq_stix_time(last * 1000, l);
		if (strcmp(f, json_string_value(json_object_get(have, "first_seen"))) < 0 &&
		    (json_object_set_new(have, "first_seen", json_string(f)) ||
		     json_object_set_new(have, "created", json_string(f))))
			return fail_nomem(b);
		if (strcmp(l, json_string_value(json_object_get(have, "last_seen"))) > 0 &&
		    (json_object_set_new(have, "last_seen", json_string(l)) ||
		     json_object_set_new(have, "modified", json_string(l))))
			return fail_nomem(b);
		if (json_object_set_new(have, "count", json_integer(n > RQ_STIX_COUNT_MAX ? RQ_STIX_COUNT_MAX : n)))
			return fail_nomem(b);
		return 0;
	}
	rq_stix_time(first * 1000, f);
	rq_stix_time((last > first ? last : first) * 1000, l);
	json_t *o = common(b, "sighting", id, first, last);
	if (!o || json_object_set_new(o, "count", json_integer(count > RQ_STIX_COUNT_MAX ? RQ_STIX_COUNT_MAX : count)) ||
	    json_object_set_new(o, "first_seen", json_string(f)) || json_object_set_new(o, "last_seen", json_string(l)) ||
	    json_object_set_new(o, "sighting_of_ref", json_string(of)) ||
	    json_object_set_new(o, "where_sighted_refs", json_pack("[s]", where))) {
		json_decref(o);
		return fail_nomem(b);
	}
	add_object(b, o);
	return b->rc;
}

static int valid_hex(const char *s, size_t len)
{
	return strlen(s) == len && strspn(s, "0123456789abcdef") == len;
}

static int on_file(const rq_shared_file *f, void *payload)
{
	builder *b = payload;
	char pattern[256], ind[RQ_STIX_ID_MAX], mal[RQ_STIX_ID_MAX], rel[RQ_STIX_ID_MAX], where[RQ_STIX_ID_MAX];
	char content[512];
	int sha = valid_hex(f->sha256, 64), md5 = valid_hex(f->md5, 32);
	if (!sha && !md5)
		return 0; /* nothing a partner could match */
	if (sha && md5)
		snprintf(pattern, sizeof(pattern), "[file:hashes.'SHA-256' = '%s' OR file:hashes.MD5 = '%s']", f->sha256,
			 f->md5);
	else if (sha)
		snprintf(pattern, sizeof(pattern), "[file:hashes.'SHA-256' = '%s']", f->sha256);
	else
		snprintf(pattern, sizeof(pattern), "[file:hashes.MD5 = '%s']", f->md5);
	if (indicator(b, pattern, "Malicious file", f->ever, ind) < 0 || where_id(b, f->unit_id, where) < 0)
		return b->rc;
	if (f->name[0]) {
		snprintf(content, sizeof(content), "malware|%s", f->name);
		if (rq_stix_id(&b->ns, "malware", content, mal) < 0)
			return b->rc = RQ_ERROR;
		json_t *o = json_object_get(b->index, mal) ? NULL : common(b, "malware", mal, f->name_ever, f->name_ever);
		if (o && (json_object_set_new(o, "name", json_string(f->name)) ||
			  json_object_set_new(o, "is_family", json_false()) ||
			  json_object_set_new(o, "malware_types", json_pack("[s]", rq_stix_malware_type(f->name))))) {
			json_decref(o);
			return fail_nomem(b);
		}
		if (o)
			add_object(b, o);
		snprintf(content, sizeof(content), "relationship|indicates|%s|%s", ind, mal);
		if (rq_stix_id(&b->ns, "relationship", content, rel) < 0)
			return b->rc = RQ_ERROR;
		o = json_object_get(b->index, rel) ? NULL : common(b, "relationship", rel, f->ever, f->ever);
		if (o && (json_object_set_new(o, "relationship_type", json_string("indicates")) ||
			  json_object_set_new(o, "source_ref", json_string(ind)) ||
			  json_object_set_new(o, "target_ref", json_string(mal)))) {
			json_decref(o);
			return fail_nomem(b);
		}
		if (o)
			add_object(b, o);
	}
	return sighting(b, ind, where, f->count, f->first_seen, f->last_seen);
}

typedef struct address_args {
	builder *b;
	int hosts;
} address_args;

static int on_address(const rq_shared_address *a, void *payload)
{
	address_args *x = payload;
	builder *b = x->b;
	char pattern[512], ind[RQ_STIX_ID_MAX], where[RQ_STIX_ID_MAX];
	int v6 = 0;
	if (x->hosts) {
		if (!rq_stix_domain_name(a->value))
			return 0;
		snprintf(pattern, sizeof(pattern), "[domain-name:value = '%s']", a->value);
	} else {
		if (!rq_stix_public_address(a->value, &v6))
			return 0; /* an address of a private network says where we are, not who attacks */
		snprintf(pattern, sizeof(pattern), "[%s:value = '%s']", v6 ? "ipv6-addr" : "ipv4-addr", a->value);
	}
	if (indicator(b, pattern, x->hosts ? "Malicious domain" : "Malicious address", a->ever, ind) < 0 ||
	    where_id(b, a->unit_id, where) < 0)
		return b->rc;
	return sighting(b, ind, where, a->count, a->first_seen, a->last_seen);
}

int rq_stix_namespace(const char *province, rq_uuid *out)
{
	char name[1024];
	snprintf(name, sizeof(name), "province|%s", province ? province : "");
	return rq_uuid5(&rq_uuid_raquet_ns, name, out);
}

int rq_stix_objects(rq_store *s, const rq_stix_options *o, json_t **out)
{
	builder b = { .s = s, .o = o };
	int rc;
	*out = NULL;
	b.objects = json_array();
	b.index = json_object();
	if (!b.objects || !b.index) {
		rc = fail_nomem(&b);
		goto done;
	}
	if (o->whole)
		snprintf(b.period, sizeof(b.period), "all");
	else
		snprintf(b.period, sizeof(b.period), "%lld-%lld", (long long)o->from, (long long)o->to);
	if ((rc = rq_stix_namespace(o->province, &b.ns)) < 0 || (rc = province_identity(&b)) < 0)
		goto done;
	int64_t from = o->whole ? INT64_MIN / 2 : o->from, to = o->whole ? INT64_MAX / 2 : o->to;
	address_args addr = { &b, 0 }, host = { &b, 1 };
	if ((rc = rq_store_shared_files(s, from, to, o->per_unit, on_file, &b)) < 0 ||
	    (rc = rq_store_shared_addresses(s, from, to, o->per_unit, 0, on_address, &addr)) < 0 ||
	    (rc = rq_store_shared_addresses(s, from, to, o->per_unit, 1, on_address, &host)) < 0)
		goto done;
done:
	if (rc == RQ_ESTOPPED && b.rc)
		rc = b.rc;
	if (rc == 0 && b.rc)
		rc = b.rc;
	json_decref(b.index);
	if (rc < 0)
		json_decref(b.objects);
	else
		*out = b.objects;
	return rc;
}

int rq_stix_bundle(const rq_stix_options *o, json_t *objects, json_t **out)
{
	rq_uuid ns;
	char id[RQ_STIX_ID_MAX];
	char *text = NULL;
	int rc;
	*out = NULL;
	if (!objects)
		return rq_fail(RQ_ENOMEM, "sharing: out of memory");
	/* the same objects make the same bundle */
	text = json_dumps(objects, JSON_COMPACT | JSON_SORT_KEYS);
	if (!text) {
		rc = rq_fail(RQ_ENOMEM, "sharing: out of memory");
		goto done;
	}
	if ((rc = rq_stix_namespace(o->province, &ns)) < 0 || (rc = rq_stix_id(&ns, "bundle", text, id)) < 0)
		goto done;
	*out = json_pack("{s:s, s:s, s:O}", "type", "bundle", "id", id, "objects", objects);
	if (!*out)
		rc = rq_fail(RQ_ENOMEM, "sharing: out of memory");
done:
	free(text);
	json_decref(objects);
	return rc;
}

const char *rq_stix_malware_type(const char *name)
{
	static const char *const map[][2] = {
		{ "trojan", "trojan" },       { "ransomware", "ransomware" }, { "ransom", "ransomware" },
		{ "worm", "worm" },           { "virus", "virus" },           { "adware", "adware" },
		{ "spyware", "spyware" },     { "backdoor", "backdoor" },     { "dropper", "dropper" },
		{ "downloader", "downloader" }, { "rootkit", "rootkit" },     { "keylogger", "keylogger" },
		{ "exploit", "exploit-kit" }, { "rat", "remote-access-trojan" }, { "coinminer", "resource-exploitation" },
		{ "miner", "resource-exploitation" }, { "webshell", "webshell" }, { "bot", "bot" },
		{ "ddos", "ddos" },           { "scareware", "scareware" },
	};
	char token[64];
	const char *p = name ? name : "";
	while (*p) {
		size_t n = 0;
		while (*p && (isalnum((unsigned char)*p)) && n + 1 < sizeof(token))
			token[n++] = *p++;
		token[n] = '\0';
		for (size_t i = 0; n && i < sizeof(map) / sizeof(map[0]); i++)
			if (!strcasecmp(token, map[i][0]))
				return map[i][1];
		while (*p && !isalnum((unsigned char)*p))
			p++;
		while (n + 1 >= sizeof(token) && *p && isalnum((unsigned char)*p))
			p++; /* the rest of an over-long token */
	}
	return "unknown";
}

int rq_stix_public_address(const char *addr, int *out_v6)
{
	unsigned char a[16];
	*out_v6 = 0;
	if (inet_pton(AF_INET, addr, a) == 1) {
		if (a[0] == 0 || a[0] == 10 || a[0] == 127 || a[0] >= 224 || (a[0] == 169 && a[1] == 254) ||
		    (a[0] == 172 && (a[1] & 0xf0) == 16) || (a[0] == 192 && a[1] == 168) ||
		    (a[0] == 100 && (a[1] & 0xc0) == 64))
			return 0;
		return 1;
	}
	if (inet_pton(AF_INET6, addr, a) == 1) {
		static const unsigned char zero[16];
		*out_v6 = 1;
		if (!memcmp(a, zero, 15) || a[0] == 0xff || (a[0] & 0xfe) == 0xfc || (a[0] == 0xfe && (a[1] & 0xc0) == 0x80))
			return 0; /* unspecified, loopback, multicast, unique local, link-local */
		if (!memcmp(a, zero, 10) && a[10] == 0xff && a[11] == 0xff) { /* ::ffff:a.b.c.d */
			char v4[INET_ADDRSTRLEN];
			int ignored;
			return inet_ntop(AF_INET, a + 12, v4, sizeof(v4)) && rq_stix_public_address(v4, &ignored);
		}
		return 1;
	}
	return 0;
}

int rq_stix_domain_name(const char *name)
{
	size_t len = strlen(name), label = 0, labels = 0;
	if (len == 0 || len > 253 || name[0] == '.' || name[len - 1] == '.')
		return 0;
	for (const char *p = name;; p++) {
		if (*p == '.' || *p == '\0') {
			if (label == 0 || label > 63 || p[-1] == '-')
				return 0;
			labels++;
			label = 0;
			if (!*p)
				break;
			continue;
		}
		if (!isalnum((unsigned char)*p) && !(*p == '-' && label > 0) && *p != '_')
			return 0;
		label++;
	}
	return labels >= 2 && !inet_pton(AF_INET, name, (unsigned char[4]){ 0 });
}
