/*
 * The TAXII collection (collection.h): made from the store on each request
 * (a province's sightings are thousands of objects, not millions), each
 * version registered once so its date_added never moves; pages are cut by
 * a (date_added, id) key, so a page boundary stays exact when objects are
 * added between requests.
 */
#include "sharing/collection.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "store/sharing.h"

static int item_cmp(const void *a, const void *b)
{
	const rq_collection_item *x = a, *y = b;
	if (x->date_added_ms != y->date_added_ms)
		return x->date_added_ms < y->date_added_ms ? -1 : 1;
	return strcmp(x->id, y->id);
}

void rq_collection_free(rq_collection *c)
{
	json_decref(c->objects);
	free(c->items);
	memset(c, 0, sizeof(*c));
}

int rq_collection_load(rq_store *s, const rq_stix_options *o, int64_t now_ms, rq_collection *out)
{
	rq_taxii_entry *entries = NULL;
	int rc;
	memset(out, 0, sizeof(*out));
	if ((rc = rq_stix_objects(s, o, &out->objects)) < 0)
		goto done;
	out->n = json_array_size(out->objects);
	out->items = calloc(out->n ? out->n : 1, sizeof(*out->items));
	entries = calloc(out->n ? out->n : 1, sizeof(*entries));
	if (!out->items || !entries) {
		rc = rq_fail(RQ_ENOMEM, "sharing: out of memory");
		goto done;
	}
	for (size_t i = 0; i < out->n; i++) {
		rq_collection_item *it = &out->items[i];
		it->object = json_array_get(out->objects, i);
		it->id = json_string_value(json_object_get(it->object, "id"));
		it->type = json_string_value(json_object_get(it->object, "type"));
		const char *modified = json_string_value(json_object_get(it->object, "modified"));
		snprintf(it->modified, sizeof(it->modified), "%s", modified ? modified : "");
		if (!it->id || !it->type || rq_stix_time_parse(it->modified, &it->modified_ms) < 0) {
			rc = rq_fail(RQ_ERROR, "sharing: an object without id, type or modified");
			goto done;
		}
		entries[i].id = it->id;
		entries[i].modified_ms = it->modified_ms;
	}
	if ((rc = rq_store_taxii_register(s, entries, out->n, now_ms)) < 0)
		goto done;
	for (size_t i = 0; i < out->n; i++)
		out->items[i].date_added_ms = entries[i].date_added_ms;
	qsort(out->items, out->n, sizeof(*out->items), item_cmp);
done:
	free(entries);
	if (rc < 0)
		rq_collection_free(out);
	return rc;
}

/* Is `word` one of the comma-separated `list`? */
static int in_list(const char *list, const char *word)
{
	size_t n = strlen(word);
	for (const char *p = list; p && *p;) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		if (len == n && !memcmp(p, word, n))
			return 1;
		p = end ? end + 1 : NULL;
	}
	return 0;
}

/* Does item `it` fit match[version]? We keep only the latest version, so
 * last, first and all match it; a timestamp matches when it is its modified. */
static int version_fits(const char *versions, const rq_collection_item *it, int *bad)
{
	int fits = 0;
	for (const char *p = versions; p && *p;) {
		char one[64];
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		int64_t ms;
		if (len == 0 || len >= sizeof(one)) {
			*bad = 1;
			return 0;
		}
		memcpy(one, p, len);
		one[len] = '\0';
		if (!strcmp(one, "last") || !strcmp(one, "first") || !strcmp(one, "all"))
			fits = 1;
		else if (rq_stix_time_parse(one, &ms) == 0)
			fits |= ms == it->modified_ms;
		else {
			*bad = 1;
			return 0;
		}
		p = end ? end + 1 : NULL;
	}
	return fits;
}

int rq_collection_page(const rq_collection *c, const rq_collection_query *q, size_t *out, size_t *out_count,
		       int *out_more)
{
	size_t count = 0;
	int bad = 0;
	*out_count = 0;
	*out_more = 0;
	for (size_t i = 0; i < c->n; i++) {
		const rq_collection_item *it = &c->items[i];
		if (q->after_id && (it->date_added_ms < q->after_ms ||
				    (it->date_added_ms == q->after_ms && strcmp(it->id, q->after_id) <= 0)))
			continue;
		if (q->added_after_ms >= 0 && it->date_added_ms <= q->added_after_ms)
			continue;
		if ((q->types && !in_list(q->types, it->type)) || (q->ids && !in_list(q->ids, it->id)) ||
		    (q->spec_versions && !in_list(q->spec_versions, "2.1")))
			continue;
		if (q->versions && !version_fits(q->versions, it, &bad)) {
			if (bad)
				return rq_fail(RQ_EINVAL, "match[version]: expected last, first, all or timestamps");
			continue;
		}
		if (count == q->limit) {
			*out_more = 1;
			break;
		}
		out[count++] = i;
	}
	*out_count = count;
	return 0;
}

void rq_collection_next(const rq_collection_item *it, char *out, size_t size)
{
	snprintf(out, size, "%lld.%s", (long long)it->date_added_ms, it->id);
}

int rq_collection_next_parse(const char *text, int64_t *out_ms, char *id_out, size_t id_size)
{
	const char *dot = text ? strchr(text, '.') : NULL;
	int64_t ms = 0;
	if (!dot || dot == text || dot - text > 15 || strlen(dot + 1) == 0 || strlen(dot + 1) >= id_size)
		return RQ_EINVAL;
	for (const char *p = text; p < dot; p++) {
		if (*p < '0' || *p > '9')
			return RQ_EINVAL;
		ms = ms * 10 + (*p - '0');
	}
	for (const char *p = dot + 1; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-'))
			return RQ_EINVAL;
	*out_ms = ms;
	snprintf(id_out, id_size, "%s", dot + 1);
	return 0;
}
