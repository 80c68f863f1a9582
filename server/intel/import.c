/*
 * The import entry point (import.h): one transaction per input, through
 * rq_store_transact (so on SQLite the group-commit writer runs it), and
 * the parsing of uploaded inputs in front of it.
 */
#include "intel/import.h"

#include <stdio.h>
#include <string.h>

#include "core/error.h"
#include "intel/limits.h"
#include "intel/parse.h"
#include "store/intel.h"

typedef struct tx {
	const rq_intel_import_req *req;
	rq_intel_result r;
} tx;

static int run(rq_store *s, void *payload)
{
	tx *t = payload;
	const rq_intel_import_req *req = t->req;
	const rq_intel_batch *b = req->batch;
	memset(&t->r, 0, sizeof(t->r)); /* a retried transaction counts anew */
	int rc = rq_store_intel_source(s, req->source_name, req->source_kind, req->location, req->now,
				       &t->r.source_id);
	t->r.indicators = b ? b->count : 0;
	const rq_intel_expiry *x = req->expiry;
	for (size_t i = 0; rc == 0 && b && i < b->count; i++) {
		int created = 0;
		rq_intel_indicator ind = b->items[i];
		if (x && x->expires_at)
			ind.expires_at = x->expires_at;
		else if (x && x->max_age && !ind.expires_at)
			ind.expires_at = req->now + x->max_age;
		rc = rq_store_intel_upsert(s, t->r.source_id, &ind, req->now, &created);
		t->r.created += (size_t)created;
	}
	for (size_t i = 0; rc == 0 && i < req->event_count; i++) {
		const rq_intel_feed_event *e = &req->events[i];
		rc = rq_store_intel_feed_mark(s, t->r.source_id, e->uuid, e->info, e->threat_level, e->key, req->now);
		t->r.events++;
	}
	if (rc == 0 && t->r.indicators)
		rc = rq_store_intel_touch(s, req->now);
	if (rc == 0 && req->audit)
		rc = req->audit(s, &t->r, req->audit_payload);
	return rc;
}

int rq_intel_import(rq_store *s, const rq_intel_import_req *req, rq_intel_result *out)
{
	tx t = { .req = req };
	size_t n = req->source_name ? strlen(req->source_name) : 0;
	int rc = 0;
	if (n == 0 || n > RQ_INTEL_MAX_SOURCE_NAME) {
		rc = rq_fail(RQ_EINVAL, "a source name of 1 to %d bytes is needed", RQ_INTEL_MAX_SOURCE_NAME);
		goto done;
	}
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)req->source_name[i] < 0x20 || req->source_name[i] == 0x7f) {
			rc = rq_fail(RQ_EINVAL, "a control character in the source name");
			goto done;
		}
	if (!rq_store_intel_kind_ok(req->source_kind)) {
		rc = rq_fail(RQ_EINVAL, "unknown source kind '%s'", req->source_kind ? req->source_kind : "");
		goto done;
	}
	if (req->location && strlen(req->location) > RQ_INTEL_MAX_LOCATION) {
		rc = rq_fail(RQ_EINVAL, "a source location over %d bytes", RQ_INTEL_MAX_LOCATION);
		goto done;
	}
	rc = rq_store_transact(s, run, &t);
	if (rc == 0 && out)
		*out = t.r;
done:
	return rc;
}

int rq_intel_import_input(rq_store *s, const char *kind, const char *file, const void *data, size_t len,
			  const char *source_name, int confidence, const rq_intel_expiry *expiry, int64_t now,
			  int (*audit)(rq_store *s, const rq_intel_result *r, void *payload), void *audit_payload,
			  rq_intel_result *out)
{
	rq_intel_batch b = { 0 };
	const char *source_kind = kind;
	int rc;
	if (!strcmp(kind, "ioc-list"))
		rc = rq_intel_parse_list(&b, file, data, len, confidence < 0 ? RQ_INTEL_DEFAULT_CONFIDENCE : confidence);
	else if (!strcmp(kind, "misp-event"))
		rc = rq_intel_parse_misp_event(&b, NULL, file, data, len, confidence);
	else if (!strcmp(kind, "yara"))
		rc = rq_intel_parse_yara(&b, file, data, len, confidence);
	else
		rc = rq_fail(RQ_EINVAL, "unknown import kind '%s' (known: " RQ_INTEL_INPUT_KINDS ")", kind);
	if (rc < 0)
		goto done;
	rq_intel_import_req req = { .source_name = source_name ? source_name : file, .source_kind = source_kind,
				    .location = file, .batch = &b, .expiry = expiry, .now = now, .audit = audit,
				    .audit_payload = audit_payload };
	rc = rq_intel_import(s, &req, out);
done:
	rq_intel_batch_clear(&b);
	return rc;
}
