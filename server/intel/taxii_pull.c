/*
 * The TAXII 2.1 pull (taxii_pull.h): GET .../collections/{id}/objects/
 * with added_after from the store, follow `next` (or, from a server that
 * pages by added_after alone, the page's X-TAXII-Date-Added-Last) while
 * `more` is true; parse each page with the STIX importer and import it in
 * one transaction with the source's new added_after and its audit record.
 * Every answer is distrusted: status, media type, size and time are
 * bounded, and a bad page stops the pull before anything of it is stored.
 */
#include "intel/taxii_pull.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <jansson.h>

#include "core/error.h"
#include "core/util.h"
#include "db/curl_dl.h"
#include "http/log.h"
#include "intel/import.h"
#include "intel/limits.h"
#include "intel/stix.h"
#include "sharing/stix_id.h"
#include "store/audit.h"
#include "store/taxii_pull.h"
#include "worker/ticker.h"

#define TAXII_ACCEPT "application/taxii+json;version=2.1"

typedef struct answer {
	uint8_t *data;
	size_t len, cap, max;
	int too_big;
	char content_type[128];
	char added_last[64];
} answer;

static size_t on_body(char *ptr, size_t size, size_t nmemb, void *payload)
{
	answer *a = payload;
	size_t n = size * nmemb;
	if (n > a->max - a->len) {
		a->too_big = 1;
		return 0;
	}
	if (rq_grow((void **)&a->data, &a->cap, a->len + n + 1, 1) < 0)
		return 0;
	memcpy(a->data + a->len, ptr, n);
	a->len += n;
	return n;
}

/* Keep the value of header `name` (case-insensitive) of `line` into out. */
static void keep_header(const char *line, size_t n, const char *name, char *out, size_t out_size)
{
	size_t k = strlen(name);
	if (n <= k + 1 || strncasecmp(line, name, k) || line[k] != ':')
		return;
	const char *v = line + k + 1;
	size_t vn = n - k - 1;
	while (vn && (*v == ' ' || *v == '\t')) {
		v++;
		vn--;
	}
	while (vn && (v[vn - 1] == '\r' || v[vn - 1] == '\n' || v[vn - 1] == ' '))
		vn--;
	if (vn >= out_size)
		vn = out_size - 1; /* a longer value is no valid timestamp or media type: checked later */
	memcpy(out, v, vn);
	out[vn] = '\0';
}

static size_t on_header(char *ptr, size_t size, size_t nmemb, void *payload)
{
	answer *a = payload;
	size_t n = size * nmemb;
	if (n >= 5 && !strncmp(ptr, "HTTP/", 5)) { /* a new response (after a 100 Continue): forget the last */
		a->content_type[0] = a->added_last[0] = '\0';
		return n;
	}
	keep_header(ptr, n, "Content-Type", a->content_type, sizeof(a->content_type));
	keep_header(ptr, n, "X-TAXII-Date-Added-Last", a->added_last, sizeof(a->added_last));
	return n;
}

/* Percent-encode `in` (a query value) onto out[*len..size). */
static int append_encoded(char *out, size_t size, size_t *len, const char *in)
{
	static const char hex[] = "0123456789ABCDEF";
	for (const unsigned char *p = (const unsigned char *)in; *p; p++) {
		int plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
			    *p == '-' || *p == '.' || *p == '_' || *p == '~';
		if (*len + 4 > size)
			return rq_fail(RQ_ELIMIT, "a TAXII request URL over %zu bytes", size);
		if (plain) {
			out[(*len)++] = (char)*p;
		} else {
			out[(*len)++] = '%';
			out[(*len)++] = hex[*p >> 4];
			out[(*len)++] = hex[*p & 15];
		}
	}
	out[*len] = '\0';
	return 0;
}

/* The objects URL of the collection with the query of this page. */
static int page_url(const rq_taxii_pull_cfg *src, const char *added_after, const char *next, char *out, size_t size)
{
	size_t n = (size_t)snprintf(out, size, "%s%scollections/", src->url,
				    src->url[strlen(src->url) - 1] == '/' ? "" : "/");
	if (n >= size)
		return rq_fail(RQ_ELIMIT, "the TAXII URL is too long");
	int rc = append_encoded(out, size, &n, src->collection);
	char tail[64];
	snprintf(tail, sizeof(tail), "/objects/?limit=%u", src->page_size);
	if (rc == 0 && n + strlen(tail) + 1 > size)
		rc = rq_fail(RQ_ELIMIT, "the TAXII URL is too long");
	if (rc == 0) {
		memcpy(out + n, tail, strlen(tail) + 1);
		n += strlen(tail);
	}
	if (rc == 0 && *added_after && n + 14 < size) {
		memcpy(out + n, "&added_after=", 14);
		n += 13;
		rc = append_encoded(out, size, &n, added_after);
	}
	if (rc == 0 && next && n + 7 < size) {
		memcpy(out + n, "&next=", 7);
		n += 6;
		rc = append_encoded(out, size, &n, next);
	}
	return rc;
}

/* A short, printable excerpt of a TAXII error message (title, description) or of the body. */
static void error_excerpt(const answer *a, char *out, size_t size)
{
	json_t *e = a->len ? json_loadb((const char *)a->data, a->len, 0, NULL) : NULL;
	const char *title = json_string_value(json_object_get(e, "title"));
	const char *desc = json_string_value(json_object_get(e, "description"));
	if (title)
		snprintf(out, size, "%s%s%s", title, desc ? ": " : "", desc ? desc : "");
	else
		snprintf(out, size, "%.*s", (int)(a->len < 160 ? a->len : 160), a->data ? (const char *)a->data : "");
	json_decref(e);
	for (char *p = out; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
}

/* GET `url` into *a: 0 with a 200 TAXII answer, else RQ_EIO / RQ_ELIMIT. */
static int get_page(const rq_taxii_pull_cfg *src, const char *url, answer *a, long *status)
{
	const rq_curl_api *C = rq_curl();
	CURL *h = NULL;
	struct curl_slist *headers = NULL;
	char why[CURL_ERROR_SIZE] = "", auth[1200];
	int rc = 0;
	*status = 0;
	if (!C) {
		rc = rq_fail(RQ_ERROR, "%s", rq_error_last());
		goto done;
	}
	if (!(h = C->easy_init()) || !(headers = C->slist_append(NULL, "Accept: " TAXII_ACCEPT))) {
		rc = rq_fail(RQ_ENOMEM, "out of memory");
		goto done;
	}
	if (*src->token) {
		struct curl_slist *more;
		snprintf(auth, sizeof(auth), "Authorization: Bearer %s", src->token);
		more = C->slist_append(headers, auth);
		explicit_bzero(auth, sizeof(auth));
		if (!more) {
			rc = rq_fail(RQ_ENOMEM, "out of memory");
			goto done;
		}
		headers = more;
	} else if (*src->user) {
		C->easy_setopt(h, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		C->easy_setopt(h, CURLOPT_USERNAME, src->user);
		C->easy_setopt(h, CURLOPT_PASSWORD, src->password);
	}
	C->easy_setopt(h, CURLOPT_URL, url);
	C->easy_setopt(h, CURLOPT_PROTOCOLS_STR, "https,http"); /* http: loopback only, checked with the config */
	C->easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	C->easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L); /* the credentials go to the configured host only */
	C->easy_setopt(h, CURLOPT_TIMEOUT, (long)src->timeout);
	C->easy_setopt(h, CURLOPT_CONNECTTIMEOUT, (long)(src->timeout < 30 ? src->timeout : 30));
	C->easy_setopt(h, CURLOPT_HTTPHEADER, headers);
	C->easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	C->easy_setopt(h, CURLOPT_WRITEDATA, a);
	C->easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	C->easy_setopt(h, CURLOPT_HEADERDATA, a);
	C->easy_setopt(h, CURLOPT_ERRORBUFFER, why);
	C->easy_setopt(h, CURLOPT_USERAGENT, "raquet-server-taxii-pull");
	rq_curl_verify_tls(C, h, *src->ca_file ? src->ca_file : NULL, NULL);
	CURLcode res = C->easy_perform(h);
	C->easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
	if (a->too_big) {
		rc = rq_fail(RQ_ELIMIT, "GET %s: the answer is larger than %llu bytes; nothing of it imported", url,
			     (unsigned long long)a->max);
		goto done;
	}
	if (res != CURLE_OK) {
		rc = rq_fail(RQ_EIO, "GET %s: %s", url, why[0] ? why : C->easy_strerror(res));
		goto done;
	}
	if (*status != 200) {
		char excerpt[256];
		error_excerpt(a, excerpt, sizeof(excerpt));
		rc = rq_fail(RQ_EIO, "GET %s: HTTP status %ld%s%s", url, *status, *excerpt ? ": " : "", excerpt);
		goto done;
	}
	if (strncasecmp(a->content_type, "application/taxii+json", 22)) {
		char shown[80];
		snprintf(shown, sizeof(shown), "%.79s", a->content_type);
		for (char *p = shown; *p; p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				*p = '?';
		rc = rq_fail(RQ_EPARSE, "GET %s: the answer is '%s', not " TAXII_ACCEPT "; nothing of it imported", url,
			     shown);
	}
done:
	if (C && headers)
		C->slist_free_all(headers);
	if (C && h)
		C->easy_cleanup(h);
	return rc;
}

typedef struct page_tx {
	const rq_taxii_pull_cfg *src;
	const char *added_last; /* "" when the answer gave none */
	const char *url;
	const rq_stix_info *info;
	int64_t now;
} page_tx;

/* In the page's transaction: the source's new added_after and the audit record. */
static int page_done(rq_store *s, const rq_intel_result *r, void *payload)
{
	page_tx *t = payload;
	char obj[32];
	int rc = rq_store_taxii_pull_page(s, t->src->name, t->added_last, (int64_t)t->info->objects,
					  (int64_t)r->indicators, t->now);
	if (rc < 0)
		return rc;
	json_t *d = json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:I}", "by", "taxii-pull", "source", t->src->name, "url",
			      t->url, "objects", (json_int_t)t->info->objects, "indicators", (json_int_t)r->indicators,
			      "created", (json_int_t)r->created, "skipped", (json_int_t)t->info->skipped);
	if (d && *t->added_last)
		json_object_set_new(d, "added_last", json_string(t->added_last));
	char *details = d ? json_dumps(d, JSON_COMPACT) : NULL;
	json_decref(d);
	if (!details)
		return rq_fail(RQ_ENOMEM, "out of memory");
	snprintf(obj, sizeof(obj), "%lld", (long long)r->source_id);
	rq_audit_entry e = { .at = t->now, .actor = "system", .action = "intel.taxii_pull", .object_type = "intel_source",
			     .object_id = obj, .details_json = details };
	rc = rq_store_audit_add(s, &e);
	free(details);
	return rc;
}

/* Parse and import one 200 answer; *more and next (or "") say what follows. */
static int import_page(rq_store *s, const rq_taxii_pull_cfg *src, const rq_intel_expiry *expiry, const char *url,
		       const answer *a, int *more, char *next, size_t next_size, rq_taxii_pull_result *res)
{
	json_error_t jerr;
	rq_intel_batch b = { 0 };
	rq_stix_info info = { 0 };
	int rc = 0;
	int64_t ms = 0;
	json_t *env = json_loadb((const char *)a->data, a->len, JSON_REJECT_DUPLICATES, &jerr);
	*more = 0;
	next[0] = '\0';
	if (!env || !json_is_object(env)) {
		rc = rq_fail(RQ_EPARSE, "GET %s: %s%s; nothing of it imported", url,
			     env ? "the envelope is not a JSON object" : "not JSON: ", env ? "" : jerr.text);
		goto done;
	}
	const json_t *objects = json_object_get(env, "objects"), *m = json_object_get(env, "more"),
		     *n = json_object_get(env, "next");
	if ((objects && !json_is_array(objects)) || (m && !json_is_boolean(m)) || (n && !json_is_string(n)) ||
	    (n && strlen(json_string_value(n)) >= next_size)) {
		rc = rq_fail(RQ_EPARSE, "GET %s: not a TAXII envelope (objects an array, more a boolean, next a string "
			     "under %zu bytes); nothing of it imported", url, next_size);
		goto done;
	}
	if (a->added_last[0] && rq_stix_time_parse(a->added_last, &ms) < 0) {
		rc = rq_fail(RQ_EPARSE, "GET %s: X-TAXII-Date-Added-Last is no timestamp; nothing of it imported", url);
		goto done;
	}
	*more = json_is_true(m);
	if (n)
		snprintf(next, next_size, "%s", json_string_value(n));
	if (objects && (rc = rq_intel_parse_stix_objects(&b, &info, url, objects, "objects", src->confidence)) < 0)
		goto done;
	page_tx t = { .src = src, .added_last = a->added_last, .url = url, .info = &info, .now = (int64_t)time(NULL) };
	rq_intel_import_req req = { .source_name = src->name, .source_kind = "stix", .location = src->url, .batch = &b,
				    .expiry = expiry, .now = t.now, .audit = page_done, .audit_payload = &t };
	rq_intel_result r;
	if ((rc = rq_intel_import(s, &req, &r)) < 0)
		goto done;
	res->pages++;
	res->objects += info.objects;
	res->indicators += r.indicators;
	res->skipped += info.skipped;
done:
	rq_stix_info_free(&info);
	rq_intel_batch_clear(&b);
	json_decref(env);
	return rc;
}

static int pull_pages(rq_store *s, const rq_taxii_pull_cfg *src, const rq_intel_expiry *expiry,
		      int (*stop)(void *payload), void *payload, rq_taxii_pull_result *res)
{
	rq_taxii_pull_state st;
	char url[RQ_INTEL_MAX_LOCATION + 1024], next[1024] = "", prev_next[1024] = "", added_after[64];
	int rc = rq_store_taxii_pull_get(s, src->name, &st);
	if (rc < 0)
		return rc;
	snprintf(added_after, sizeof(added_after), "%s", st.added_after);
	for (size_t page = 0;; page++) {
		answer a = { .max = RQ_INTEL_MAX_TAXII_PAGE };
		int more = 0;
		if (page == RQ_INTEL_MAX_TAXII_PAGES)
			return rq_fail(RQ_ELIMIT, "more than %d pages in one pull; the next pull goes on",
				       RQ_INTEL_MAX_TAXII_PAGES);
		if (stop && stop(payload))
			return rq_fail(RQ_ESTOPPED, "stopped after %zu pages; the next pull goes on", res->pages);
		if ((rc = page_url(src, added_after, *next ? next : NULL, url, sizeof(url))) < 0 ||
		    (rc = rq_store_taxii_pull_alive(s, src->name, (int64_t)time(NULL))) < 0)
			return rc;
		rc = get_page(src, url, &a, &res->http_status);
		if (rc == 0)
			rc = import_page(s, src, expiry, url, &a, &more, next, sizeof(next), res);
		free(a.data);
		if (rc < 0 || !more)
			return rc;
		if (*next) {
			if (!strcmp(next, prev_next))
				return rq_fail(RQ_EPARSE, "GET %s: the server gave the same next twice", url);
			snprintf(prev_next, sizeof(prev_next), "%s", next);
		} else { /* paging by added_after alone: it must move on */
			if (!a.added_last[0] || !strcmp(a.added_last, added_after))
				return rq_fail(RQ_EPARSE, "GET %s: more is true without next nor a new "
					       "X-TAXII-Date-Added-Last", url);
			snprintf(added_after, sizeof(added_after), "%s", a.added_last);
		}
	}
}

int rq_taxii_pull_run(rq_store *s, const rq_taxii_pull_cfg *src, int64_t default_max_age, int (*stop)(void *payload),
		      void *payload, rq_taxii_pull_result *out)
{
	rq_taxii_pull_result res = { 0 };
	rq_intel_expiry expiry = { .max_age = src->max_age >= 0 ? src->max_age : default_max_age };
	int claimed = 0;
	int rc = rq_store_taxii_pull_claim(s, src->name, (int64_t)time(NULL),
					   (int64_t)src->timeout + RQ_TAXII_PULL_LEASE_SLACK, &claimed);
	if (rc < 0 || !claimed) {
		rc = rc < 0 ? rc : 1;
		goto done;
	}
	rc = pull_pages(s, src, &expiry, stop, payload, &res);
	char why[512] = "";
	if (rc < 0)
		snprintf(why, sizeof(why), "%s", rq_error_last());
	/* the run's outcome; a store too broken to record it has the import's error anyway */
	int rc2 = rq_store_taxii_pull_finish(s, src->name, (int64_t)time(NULL), why, res.http_status);
	if (rc < 0)
		rq_fail(rc, "%s", why);
	else
		rc = rc2;
done:
	if (out)
		*out = res;
	return rc;
}

struct rq_taxii_puller {
	const rq_srv_config *cfg;
	rq_ticker *ticker;
	rq_store *store;    /* the worker's own connection */
	atomic_int stop;    /* set before the ticker is stopped: a pull ends after its page */
};

static int stopping(void *payload)
{
	rq_taxii_puller *p = payload;
	return atomic_load(&p->stop);
}

/* Pull every enabled source that is due or was asked for. */
static void tick(void *payload)
{
	rq_taxii_puller *p = payload;
	if (!p->store && rq_store_open(&p->store, p->cfg->store_url) < 0) {
		rq_log(RQ_LOG_WARNING, "taxii-pull: store: %s", rq_error_last());
		return;
	}
	for (size_t i = 0; i < p->cfg->taxii_pull_count && !stopping(p); i++) {
		const rq_taxii_pull_cfg *src = &p->cfg->taxii_pulls[i];
		rq_taxii_pull_state st;
		rq_taxii_pull_result r;
		int64_t now = (int64_t)time(NULL);
		if (!src->enabled)
			continue;
		if (rq_store_taxii_pull_get(p->store, src->name, &st) < 0) {
			rq_log(RQ_LOG_WARNING, "taxii-pull %s: store: %s", src->name, rq_error_last());
			rq_store_close(p->store);
			p->store = NULL;
			return;
		}
		/* after a failure, sooner than the interval: 1, 2, 4 ... 64 minutes */
		int64_t wait = (int64_t)src->interval;
		if (st.failures > 0 && (60LL << (st.failures > 7 ? 6 : st.failures - 1)) < wait)
			wait = 60LL << (st.failures > 7 ? 6 : st.failures - 1);
		int asked = st.requested_at > st.started_at;
		if (!asked && now < st.started_at + wait && now >= st.started_at)
			continue;
		int rc = rq_taxii_pull_run(p->store, src, (int64_t)p->cfg->intel_max_age, stopping, p, &r);
		if (rc < 0)
			rq_log(RQ_LOG_ERROR, "taxii-pull %s: %s (%zu pages imported before)", src->name, rq_error_last(),
			       r.pages);
		else if (rc == 0)
			rq_log(RQ_LOG_INFO, "taxii-pull %s: %zu pages, %zu objects, %zu indicators imported", src->name,
			       r.pages, r.objects, r.indicators);
	}
}

static void stopped(void *payload)
{
	rq_taxii_puller *p = payload;
	rq_store_close(p->store);
	p->store = NULL;
}

int rq_taxii_puller_start(rq_taxii_puller **out, const rq_srv_config *cfg)
{
	int rc = 0;
	rq_taxii_puller *p = NULL;
	*out = NULL;
	if (!cfg->taxii_pull_count)
		goto done;
	if (!(p = calloc(1, sizeof(*p)))) {
		rc = rq_fail(RQ_ENOMEM, "taxii-pull: out of memory");
		goto done;
	}
	p->cfg = cfg;
	if ((rc = rq_ticker_start(&p->ticker, RQ_TAXII_PULL_TICK, tick, stopped, p)) < 0) {
		free(p);
		rc = rq_fail(rc, "taxii-pull: cannot start the worker");
		goto done;
	}
	*out = p;
done:
	return rc;
}

void rq_taxii_puller_stop(rq_taxii_puller *p)
{
	if (!p)
		return;
	atomic_store(&p->stop, 1);
	rq_ticker_stop(p->ticker);
	free(p);
}
