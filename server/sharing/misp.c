/*
 * The MISP event export (misp.h): one attribute per (type, value), made
 * from the same store listings as the STIX export; attribute uuids are
 * UUIDv5 of the type and value, the event's of the period, so exporting
 * the same period twice gives the same event.
 */
#include "sharing/misp.h"

#include <stdio.h>
#include <string.h>

#include "core/error.h"
#include "sharing/stix.h"
#include "store/sharing.h"

typedef struct event_builder {
	const rq_misp_options *o;
	rq_uuid ns;
	json_t *attributes;   /* the array */
	json_t *index;        /* "type|value" -> attribute (borrowed) */
	int rc;
} event_builder;

/* Add (or add to) the attribute (type, value) of `category`. */
static int attribute(event_builder *b, const char *category, const char *type, const char *value,
		     const char *comment, int64_t first, int64_t last)
{
	char key[1024], uuid[RQ_UUID_TEXT], f[RQ_STIX_TIME_TEXT], l[RQ_STIX_TIME_TEXT], ts[24];
	rq_uuid u;
	snprintf(key, sizeof(key), "misp|attribute|%s|%s", type, value);
	json_t *have = json_object_get(b->index, key);
	rq_stix_time(first * 1000, f);
	rq_stix_time(last * 1000, l);
	if (have) {
		if (strcmp(f, json_string_value(json_object_get(have, "first_seen"))) < 0)
			json_object_set_new(have, "first_seen", json_string(f));
		if (strcmp(l, json_string_value(json_object_get(have, "last_seen"))) > 0) {
			json_object_set_new(have, "last_seen", json_string(l));
			snprintf(ts, sizeof(ts), "%lld", (long long)last);
			json_object_set_new(have, "timestamp", json_string(ts));
		}
		return 0;
	}
	if ((b->rc = rq_uuid5(&b->ns, key, &u)) < 0)
		return b->rc;
	rq_uuid_text(&u, uuid);
	snprintf(ts, sizeof(ts), "%lld", (long long)last);
	json_t *a = json_pack("{s:s, s:s, s:s, s:s, s:b, s:s, s:s, s:s, s:s, s:s}", "uuid", uuid, "category", category,
			      "type", type, "value", value, "to_ids", 1, "distribution", "5", "comment", comment,
			      "timestamp", ts, "first_seen", f, "last_seen", l);
	if (!a || json_object_set(b->index, key, a) < 0 || json_array_append_new(b->attributes, a) < 0) {
		if (a && !json_object_get(b->index, key))
			json_decref(a);
		return b->rc = rq_fail(RQ_ENOMEM, "sharing: out of memory");
	}
	return 0;
}

/* The last component of a path (either separator), never a folder. */
static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/'), *back = strrchr(path, '\\');
	const char *p = slash > back ? slash : back;
	return p ? p + 1 : path;
}

static int on_file(const rq_shared_file *f, void *payload)
{
	event_builder *b = payload;
	char pair[1024];
	int sha = strlen(f->sha256) == 64 && strspn(f->sha256, "0123456789abcdef") == 64;
	int md5 = strlen(f->md5) == 32 && strspn(f->md5, "0123456789abcdef") == 32;
	if (sha && attribute(b, "Payload delivery", "sha256", f->sha256, f->name, f->first_seen, f->last_seen) < 0)
		return b->rc;
	if (md5 && attribute(b, "Payload delivery", "md5", f->md5, f->name, f->first_seen, f->last_seen) < 0)
		return b->rc;
	const char *file = base_name(f->path);
	if (b->o->file_names && sha && *file && !strchr(file, '|')) {
		snprintf(pair, sizeof(pair), "%s|%s", file, f->sha256);
		if (attribute(b, "Payload delivery", "filename|sha256", pair, f->name, f->first_seen, f->last_seen) < 0)
			return b->rc;
	}
	return 0;
}

typedef struct address_args {
	event_builder *b;
	int hosts;
} address_args;

static int on_address(const rq_shared_address *a, void *payload)
{
	address_args *x = payload;
	int v6;
	if (x->hosts ? !rq_stix_domain_name(a->value) : !rq_stix_public_address(a->value, &v6))
		return 0;
	return attribute(x->b, "Network activity", x->hosts ? "domain" : "ip-dst", a->value,
			 "connected to from the province's machines", a->first_seen, a->last_seen);
}

/* YYYY-MM-DD of `secs` (UTC). */
static void date_of(int64_t secs, char out[RQ_STIX_TIME_TEXT])
{
	rq_stix_time(secs * 1000, out);
	out[10] = '\0';
}

int rq_misp_event(rq_store *s, const rq_misp_options *o, json_t **out)
{
	event_builder b = { .o = o };
	char key[128], uuid[RQ_UUID_TEXT], org[RQ_UUID_TEXT], date[RQ_STIX_TIME_TEXT], from[RQ_STIX_TIME_TEXT];
	char to[RQ_STIX_TIME_TEXT], info[1024], ts[24];
	rq_uuid u;
	int rc;
	*out = NULL;
	b.attributes = json_array();
	b.index = json_object();
	if (!b.attributes || !b.index) {
		rc = rq_fail(RQ_ENOMEM, "sharing: out of memory");
		goto done;
	}
	address_args addr = { &b, 0 }, host = { &b, 1 };
	if ((rc = rq_stix_namespace(o->province, &b.ns)) < 0 ||
	    (rc = rq_store_shared_files(s, o->from, o->to, 0, on_file, &b)) < 0 ||
	    (rc = rq_store_shared_addresses(s, o->from, o->to, 0, 0, on_address, &addr)) < 0 ||
	    (rc = rq_store_shared_addresses(s, o->from, o->to, 0, 1, on_address, &host)) < 0)
		goto done;
	snprintf(key, sizeof(key), "misp|event|%lld-%lld", (long long)o->from, (long long)o->to);
	if ((rc = rq_uuid5(&b.ns, key, &u)) < 0)
		goto done;
	rq_uuid_text(&u, uuid);
	if ((rc = rq_uuid5(&b.ns, "misp|organisation", &u)) < 0)
		goto done;
	rq_uuid_text(&u, org);
	date_of(o->to - 1 > o->from ? o->to - 1 : o->from, date);
	date_of(o->from, from);
	date_of(o->to - 1 > o->from ? o->to - 1 : o->from, to);
	snprintf(info, sizeof(info), "Malware seen by %s, %s to %s (raquet)", o->province ? o->province : "", from, to);
	snprintf(ts, sizeof(ts), "%lld", (long long)o->now);
	*out = json_pack("{s:{s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:s, s:{s:s, s:s}, s:O}}", "Event", "uuid", uuid,
			 "info", info, "date", date, "threat_level_id", "2", "analysis", "2", "distribution", "1",
			 "published", 0, "timestamp", ts, "Orgc", "name", o->province ? o->province : "", "uuid", org,
			 "Attribute", b.attributes);
	if (!*out)
		rc = rq_fail(RQ_ENOMEM, "sharing: out of memory");
done:
	if (rc == RQ_ESTOPPED && b.rc)
		rc = b.rc;
	json_decref(b.attributes);
	json_decref(b.index);
	return rc;
}
