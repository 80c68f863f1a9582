/*
 * MISP feeds (import.h): manifest.json and one <uuid>.json per event, read
 * from a folder (a USB key carried into the network) or fetched over
 * HTTPS; without a manifest, the events named by the feed's hashes.csv.
 * Only events new or changed since the source's last import are read; the
 * whole run is one transaction.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <jansson.h>

#include "core/error.h"
#include "core/util.h"
#include "db/curl_dl.h"
#include "db/dbfs.h"
#include "intel/import.h"
#include "intel/limits.h"
#include "intel/parse.h"
#include "store/intel.h"

typedef struct feed {
	const char *location;
	int is_url;
	const char *ca_file;
} feed;

typedef struct sink {
	uint8_t *data;
	size_t len, cap, max;
	int too_big;
} sink;

static size_t on_data(char *ptr, size_t size, size_t nmemb, void *payload)
{
	sink *s = payload;
	size_t n = size * nmemb;
	if (s->len + n > s->max) {
		s->too_big = 1;
		return 0;
	}
	if (rq_grow((void **)&s->data, &s->cap, s->len + n + 1, 1) < 0)
		return 0;
	memcpy(s->data + s->len, ptr, n);
	s->len += n;
	return n;
}

static int fetch_url(const feed *f, const char *url, uint64_t max, uint8_t **out, size_t *out_len)
{
	const rq_curl_api *C = rq_curl();
	CURL *h = NULL;
	sink s = { .max = (size_t)max };
	char why[CURL_ERROR_SIZE] = "";
	long status = 0;
	int rc = 0;
	if (!C) {
		rc = rq_fail(RQ_ERROR, "%s", rq_error_last());
		goto done;
	}
	if (!(h = C->easy_init())) {
		rc = rq_fail(RQ_ENOMEM, "out of memory");
		goto done;
	}
	C->easy_setopt(h, CURLOPT_URL, url);
	C->easy_setopt(h, CURLOPT_PROTOCOLS_STR, "https");
	C->easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	C->easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	C->easy_setopt(h, CURLOPT_TIMEOUT, (long)RQ_INTEL_FETCH_TIMEOUT);
	C->easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 30L);
	C->easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
	C->easy_setopt(h, CURLOPT_WRITEDATA, &s);
	C->easy_setopt(h, CURLOPT_ERRORBUFFER, why);
	C->easy_setopt(h, CURLOPT_USERAGENT, "raquet-server-intel");
	rq_curl_verify_tls(C, h, f->ca_file && *f->ca_file ? f->ca_file : NULL, NULL);
	CURLcode res = C->easy_perform(h);
	if (s.too_big) {
		rc = rq_fail(RQ_ELIMIT, "%s: larger than %llu bytes", url, (unsigned long long)max);
		goto done;
	}
	if (res != CURLE_OK) {
		rc = rq_fail(RQ_EIO, "GET %s: %s", url, why[0] ? why : C->easy_strerror(res));
		goto done;
	}
	C->easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	if (status != 200) {
		rc = rq_fail(status == 404 ? RQ_ENOTFOUND : RQ_EIO, "GET %s: HTTP status %ld", url, status);
		goto done;
	}
	if (!s.data && !(s.data = calloc(1, 1))) {
		rc = rq_fail(RQ_ENOMEM, "out of memory");
		goto done;
	}
	*out = s.data;
	*out_len = s.len;
	s.data = NULL;
done:
	free(s.data);
	if (C && h)
		C->easy_cleanup(h);
	return rc;
}

/* `file` (a plain name: "manifest.json", "<uuid>.json") of the feed. */
static int fetch(const feed *f, const char *file, uint64_t max, uint8_t **out, size_t *len, char *where,
		 size_t where_size)
{
	const char *sep = f->location[strlen(f->location) - 1] == '/' ? "" : "/";
	snprintf(where, where_size, "%s%s%s", f->location, sep, file);
	if (f->is_url)
		return fetch_url(f, where, max, out, len);
	if (access(where, F_OK) != 0 && errno == ENOENT)
		return rq_fail(RQ_ENOTFOUND, "%s: no such file", where);
	int rc = rq_read_file(where, (size_t)max, out, len);
	if (rc == RQ_ELIMIT)
		rc = rq_fail(RQ_ELIMIT, "%s: larger than %llu bytes", where, (unsigned long long)max);
	return rc;
}

typedef struct run_state {
	rq_intel_batch batch;
	rq_intel_feed_event *events;
	size_t count, cap, skipped;
} run_state;

/* One manifest entry: skipped when unchanged, else read and parsed. */
static int one_event(rq_store *s, const feed *f, const char *source, const char *uuid, const json_t *entry,
		     int confidence, run_state *st)
{
	char where[RQ_INTEL_MAX_LOCATION + 64], file[48], key[80], known[80] = "";
	uint8_t *data = NULL;
	size_t len = 0;
	rq_misp_event_info info;
	int rc;
	const json_t *ts = json_object_get(entry, "timestamp");
	long long t = json_is_integer(ts) ? (long long)json_integer_value(ts)
		      : json_is_string(ts) ? strtoll(json_string_value(ts), NULL, 10) : 0;
	key[0] = '\0';
	if (t > 0)
		snprintf(key, sizeof(key), "ts:%lld", t);
	rc = rq_store_intel_feed_key(s, source, uuid, known);
	if (rc < 0 && rc != RQ_ENOTFOUND)
		goto done;
	rc = 0;
	if (key[0] && !strcmp(key, known)) {
		st->skipped++;
		goto done;
	}
	snprintf(file, sizeof(file), "%s.json", uuid);
	if ((rc = fetch(f, file, RQ_INTEL_MAX_FILE, &data, &len, where, sizeof(where))) < 0)
		goto done;
	if (!key[0]) {
		char digest[65];
		rq_sha256_hex(data, len, digest);
		snprintf(key, sizeof(key), "%s", digest);
		if (!strcmp(key, known)) {
			st->skipped++;
			goto done;
		}
	}
	if ((rc = rq_intel_parse_misp_event(&st->batch, &info, where, data, len, confidence)) < 0)
		goto done;
	if (strcasecmp(info.uuid, uuid)) {
		rc = rq_fail(RQ_EPARSE, "%s: Event.uuid: %s, not the manifest's %s; nothing imported", where, info.uuid,
			     uuid);
		goto done;
	}
	if ((rc = rq_grow((void **)&st->events, &st->cap, st->count + 1, sizeof(*st->events))) < 0)
		goto done;
	rq_intel_feed_event *e = &st->events[st->count++];
	memset(e, 0, sizeof(*e));
	snprintf(e->uuid, sizeof(e->uuid), "%s", uuid);
	snprintf(e->info, sizeof(e->info), "%s", info.info);
	e->threat_level = info.threat_level;
	memcpy(e->key, key, sizeof(e->key));
done:
	free(data);
	return rc;
}

/*
 * A feed without manifest.json: the events its hashes.csv names. Each line
 * is "HASH,EVENT-UUID", HASH being MISP's digest (MD5 by its feed tools) of
 * one attribute's value -- a correlation key, not the hash of a file, so it
 * never becomes an indicator. *out gets {uuid: {}} per event.
 */
static int manifest_from_hashes(const feed *f, json_t **out, char *where, size_t where_size)
{
	uint8_t *data = NULL;
	size_t len = 0;
	json_t *m = NULL;
	rq_lines it;
	const char *line;
	size_t n;
	int rc = fetch(f, "hashes.csv", RQ_INTEL_MAX_MANIFEST, &data, &len, where, where_size);
	if (rc < 0)
		goto done;
	if (!(m = json_object())) {
		rc = rq_fail(RQ_ENOMEM, "out of memory");
		goto done;
	}
	rq_lines_init(&it, (const char *)data, len);
	while (rq_lines_next(&it, &line, &n)) {
		while (n && (line[n - 1] == '\r' || line[n - 1] == ' '))
			n--;
		if (n == 0)
			continue;
		const char *comma = memchr(line, ',', n);
		size_t hn = comma ? (size_t)(comma - line) : 0, un = comma ? n - hn - 1 : 0;
		char uuid[37];
		if (!comma || hn < 32 || hn > 128 || strspn(line, "0123456789abcdefABCDEF") < hn || un != 36) {
			rc = rq_fail(RQ_EPARSE, "%s:%u: expected VALUE-HASH,EVENT-UUID; nothing imported", where,
				     it.lineno);
			goto done;
		}
		memcpy(uuid, comma + 1, 36);
		uuid[36] = '\0';
		if (!rq_intel_uuid_ok(uuid)) {
			rc = rq_fail(RQ_EPARSE, "%s:%u: %s is not an event uuid; nothing imported", where, it.lineno,
				     "the second column");
			goto done;
		}
		if (!json_object_get(m, uuid) && json_object_size(m) >= RQ_INTEL_MAX_FEED_EVENTS) {
			rc = rq_fail(RQ_ELIMIT, "%s: more than %d events", where, RQ_INTEL_MAX_FEED_EVENTS);
			goto done;
		}
		if (json_object_set_new(m, uuid, json_object()) < 0) {
			rc = rq_fail(RQ_ENOMEM, "out of memory");
			goto done;
		}
	}
	*out = m;
	m = NULL;
done:
	json_decref(m);
	free(data);
	return rc;
}

int rq_intel_import_feed(rq_store *s, const char *location, const char *source_name, int confidence,
			 const char *ca_file, const rq_intel_expiry *expiry, int64_t now,
			 int (*audit)(rq_store *s, const rq_intel_result *r, void *payload), void *audit_payload,
			 rq_intel_result *out)
{
	feed f = { .location = location, .ca_file = ca_file };
	run_state st = { 0 };
	uint8_t *data = NULL;
	size_t len = 0;
	json_t *manifest = NULL;
	json_error_t jerr;
	char where[RQ_INTEL_MAX_LOCATION + 64];
	int rc = 0;
	if (!location || !*location || strlen(location) > RQ_INTEL_MAX_LOCATION) {
		rc = rq_fail(RQ_EINVAL, "a feed folder or https:// URL of 1 to %d bytes is needed", RQ_INTEL_MAX_LOCATION);
		goto done;
	}
	f.is_url = strstr(location, "://") != NULL;
	if (f.is_url && strncmp(location, "https://", 8)) {
		rc = rq_fail(RQ_EINVAL, "%s: a feed URL must be https://", location);
		goto done;
	}
	if (!source_name)
		source_name = location;
	rc = fetch(&f, "manifest.json", RQ_INTEL_MAX_MANIFEST, &data, &len, where, sizeof(where));
	if (rc == RQ_ENOTFOUND) {
		rc = manifest_from_hashes(&f, &manifest, where, sizeof(where));
		if (rc == RQ_ENOTFOUND)
			rc = rq_fail(RQ_ENOTFOUND, "%s: no manifest.json nor hashes.csv: not a MISP feed", location);
		if (rc < 0)
			goto done;
	} else if (rc < 0) {
		goto done;
	} else if (!(manifest = json_loadb((const char *)data, len, JSON_REJECT_DUPLICATES, &jerr))) {
		rc = rq_fail(RQ_EPARSE, "%s:%d: not JSON: %s; nothing imported", where, jerr.line, jerr.text);
		goto done;
	}
	if (!json_is_object(manifest)) {
		rc = rq_fail(RQ_EPARSE, "%s: not an object of events by uuid; nothing imported", where);
		goto done;
	}
	if (json_object_size(manifest) > RQ_INTEL_MAX_FEED_EVENTS) {
		rc = rq_fail(RQ_ELIMIT, "%s: more than %d events", where, RQ_INTEL_MAX_FEED_EVENTS);
		goto done;
	}
	const char *uuid;
	json_t *entry;
	json_object_foreach(manifest, uuid, entry) {
		if (!rq_intel_uuid_ok(uuid)) {
			char shown[41];
			snprintf(shown, sizeof(shown), "%s", uuid);
			for (char *p = shown; *p; p++)
				if ((unsigned char)*p < 0x20 || *p == 0x7f)
					*p = '?';
			rc = rq_fail(RQ_EPARSE, "%s: key '%s' is not an event uuid; nothing imported", where, shown);
			goto done;
		}
		if ((rc = one_event(s, &f, source_name, uuid, entry, confidence, &st)) < 0)
			goto done;
	}
	rq_intel_import_req req = { .source_name = source_name, .source_kind = "misp-feed", .location = location,
				    .batch = &st.batch, .events = st.events, .event_count = st.count, .expiry = expiry, .now = now,
				    .audit = audit, .audit_payload = audit_payload };
	rq_intel_result r;
	if ((rc = rq_intel_import(s, &req, &r)) < 0)
		goto done;
	r.events_skipped = st.skipped;
	if (out)
		*out = r;
done:
	json_decref(manifest);
	free(data);
	free(st.events);
	rq_intel_batch_clear(&st.batch);
	return rc;
}
