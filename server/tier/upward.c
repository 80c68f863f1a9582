/*
 * Snapshot, queue and delivery of the reports to the upstream (upward.h).
 */
#include "tier/upward.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/rand.h>

#include "api/coverage.h"
#include "core/error.h"
#include "http/log.h"
#include "store/coverage.h"
#include "store/samples.h"
#include "store/tier.h"
#include "store/units.h"
#include "tier/client.h"

/* Sightings read per page of rq_store_samples. */
#define SIGHTING_PAGE 500

typedef struct tree {
	int64_t *ids, *parents;
	char **codes;
	json_t *units; /* array being built */
	size_t count;
} tree;

static int add_unit(const rq_unit *u, void *payload)
{
	tree *t = payload;
	json_t *o = json_pack("{s:s, s:s}", "code", u->code, "name", u->name);
	if (!o || json_array_append_new(t->units, o) < 0 || !(t->codes[t->count] = strdup(u->code)))
		return -1;
	t->ids[t->count] = u->id;
	t->parents[t->count] = u->parent_id;
	t->count++;
	return 0;
}

static const char *code_of(const tree *t, int64_t id)
{
	for (size_t i = 0; i < t->count; i++)
		if (t->ids[i] == id)
			return t->codes[i];
	return "";
}

/* The tree with each unit's parent code and subtree figures. */
static int units_json(rq_store *s, int64_t now, json_t *out)
{
	tree t = { calloc(RQ_TIER_MAX_UNITS, sizeof(int64_t)), calloc(RQ_TIER_MAX_UNITS, sizeof(int64_t)),
		   calloc(RQ_TIER_MAX_UNITS, sizeof(char *)), out, 0 };
	int64_t total = 0;
	int rc = t.ids && t.parents && t.codes ? 0 : rq_fail(RQ_ENOMEM, "upstream: out of memory");
	if (rc == 0)
		rc = rq_store_unit_list(s, 0, RQ_TIER_MAX_UNITS, 0, &total, add_unit, &t);
	if (rc == 0 && total > RQ_TIER_MAX_UNITS)
		rc = rq_fail(RQ_ELIMIT, "upstream: %lld units, more than the %d a report may hold", (long long)total,
			     RQ_TIER_MAX_UNITS);
	for (size_t i = 0; rc == 0 && i < t.count; i++) {
		rq_coverage v;
		json_t *o = json_array_get(out, i);
		rc = rq_store_coverage(s, t.ids[i], now, RQ_COVERAGE_DEFAULT_WINDOW_DAYS * 86400LL, &v);
		/* a regional server passes on what its own downstreams reported */
		if (rc == 0)
			rc = rq_store_tier_coverage_add(s, t.ids[i], &v, NULL, NULL);
		if (rc == 0 && (json_object_set_new(o, "parent", json_string(code_of(&t, t.parents[i]))) ||
				json_object_set_new(o, "figures", rq_api_coverage_snapshot_json(&v))))
			rc = rq_fail(RQ_ENOMEM, "upstream: out of memory");
	}
	if (rc == RQ_ESTOPPED)
		rc = rq_fail(RQ_ENOMEM, "upstream: out of memory");
	for (size_t i = 0; t.codes && i < t.count; i++)
		free(t.codes[i]);
	free(t.ids);
	free(t.parents);
	free(t.codes);
	return rc;
}

static int add_sighting(const rq_sample_row *r, void *payload)
{
	json_t *o = json_pack("{s:s, s:s, s:I, s:I, s:I, s:I}", "sha256", r->sha256, "name", r->name, "endpoints",
			      (json_int_t)r->endpoints, "units", (json_int_t)r->units, "first_seen",
			      (json_int_t)r->first_seen, "last_seen", (json_int_t)r->last_seen);
	return o && json_array_append_new(payload, o) == 0 ? 0 : -1;
}

static int sightings_json(rq_store *s, json_t *out)
{
	rq_sample_filter f;
	int64_t total = 0;
	int rc = 0;
	memset(&f, 0, sizeof(f));
	f.sort = RQ_SAMPLE_SORT_LAST_SEEN;
	f.desc = 1;
	f.limit = SIGHTING_PAGE;
	do {
		rc = rq_store_samples(s, &f, &total, add_sighting, out);
		f.offset += SIGHTING_PAGE;
	} while (rc == 0 && f.offset < total && f.offset < RQ_TIER_MAX_SIGHTINGS);
	return rc == RQ_ESTOPPED ? rq_fail(RQ_ENOMEM, "upstream: out of memory") : rc;
}

int rq_tier_snapshot(rq_store *s, const char *server_name, int64_t now, char **out_body, char batch_id[33])
{
	unsigned char raw[16];
	json_t *units = json_array(), *sightings = json_array(), *o = NULL;
	int rc = 0;
	*out_body = NULL;
	if (RAND_bytes(raw, sizeof(raw)) != 1) {
		rc = rq_fail(RQ_ERROR, "upstream: no random bytes for a batch id");
		goto done;
	}
	for (int i = 0; i < 16; i++)
		snprintf(batch_id + 2 * i, 3, "%02x", raw[i]);
	if (!units || !sightings) {
		rc = rq_fail(RQ_ENOMEM, "upstream: out of memory");
		goto done;
	}
	if ((rc = units_json(s, now, units)) < 0 || (rc = sightings_json(s, sightings)) < 0)
		goto done;
	o = json_pack("{s:s, s:s, s:I, s:I, s:O, s:O}", "batch_id", batch_id, "server", server_name, "snapshot_at",
		      (json_int_t)now, "window_days", (json_int_t)RQ_COVERAGE_DEFAULT_WINDOW_DAYS, "units", units,
		      "sightings", sightings);
	if (!o || !(*out_body = json_dumps(o, JSON_COMPACT)))
		rc = rq_fail(RQ_ENOMEM, "upstream: out of memory");
done:
	json_decref(o);
	json_decref(units);
	json_decref(sightings);
	return rc;
}

typedef struct enqueue_args {
	const char *batch_id, *body;
	int64_t now;
} enqueue_args;

static int enqueue_in_txn(rq_store *s, void *payload)
{
	enqueue_args *a = payload;
	return rq_store_upstream_enqueue(s, a->batch_id, a->body, a->now, RQ_TIER_KEEP_SENT);
}

int rq_tier_enqueue(rq_store *s, const rq_srv_config *cfg, int64_t now)
{
	char batch[33], *body = NULL;
	/* each query reads its own snapshot (the coverage and samples queries
	 * open their own read transactions): figures made while machines
	 * report may be a few seconds apart, the next report has them */
	int rc = rq_tier_snapshot(s, cfg->report_agency, now, &body, batch);
	if (rc == 0) {
		enqueue_args a = { batch, body, now };
		rc = rq_store_transact(s, enqueue_in_txn, &a);
	}
	if (rc == 0)
		rq_log(RQ_LOG_INFO, "upstream: report %s queued (%zu bytes)", batch, strlen(body));
	free(body);
	return rc;
}

int64_t rq_tier_retry_delay(const rq_srv_config *cfg, int64_t attempts)
{
	double d = (double)cfg->upstream_retry_base;
	unsigned char r;
	for (int64_t i = 1; i < attempts && d < RQ_TIER_RETRY_MAX; i++)
		d *= 2;
	if (d > RQ_TIER_RETRY_MAX)
		d = RQ_TIER_RETRY_MAX;
	if (RAND_bytes(&r, 1) == 1)
		d *= 0.8 + 0.4 * (r / 255.0);
	return d < 1 ? 1 : (int64_t)d;
}

typedef struct result_args {
	int64_t id, next, now;
	int sent;
	long status;
	const char *error;
} result_args;

static int result_in_txn(rq_store *s, void *payload)
{
	result_args *a = payload;
	return rq_store_upstream_result(s, a->id, a->sent, a->status, a->error, a->next, a->now);
}

/* The upstream's id of the unit the credential is bound to (GET /api/v1/tier/self). */
static int ask_bound(const rq_srv_config *cfg, int64_t *out, long *status, char *why, size_t why_size)
{
	char *answer = NULL;
	json_t *o = NULL;
	int rc = rq_tier_call(cfg, "GET", "/api/v1/tier/self", NULL, status, &answer);
	if (rc < 0) {
		snprintf(why, why_size, "%s", rq_error_last());
		return rc;
	}
	o = *status == 200 ? json_loads(answer, 0, NULL) : NULL;
	json_t *id = json_object_get(json_object_get(o, "unit"), "id");
	if (json_is_integer(id) && json_integer_value(id) > 0) {
		*out = json_integer_value(id);
	} else {
		snprintf(why, why_size, "GET /api/v1/tier/self: HTTP %ld: %.200s", *status, answer ? answer : "");
		rc = RQ_ERROR;
	}
	json_decref(o);
	free(answer);
	return rc;
}

int rq_tier_deliver_due(rq_store *s, const rq_srv_config *cfg, int64_t now, int64_t *bound_id, int *out_done)
{
	rq_upstream_item it;
	char path[96], why[512] = "", *answer = NULL;
	long status = 0;
	int rc = rq_store_upstream_due(s, now, &it);
	*out_done = 0;
	if (rc == RQ_ENOTFOUND)
		return 0;
	if (rc < 0)
		return rc;
	*out_done = 1;
	if (!*bound_id && ask_bound(cfg, bound_id, &status, why, sizeof(why)) < 0)
		goto failed;
	snprintf(path, sizeof(path), "/api/v1/tier/units/%lld/report", (long long)*bound_id);
	if (rq_tier_call(cfg, "POST", path, it.body, &status, &answer) < 0) {
		snprintf(why, sizeof(why), "%s", rq_error_last());
		goto failed;
	}
	if (status >= 200 && status < 300) {
		result_args a = { it.id, 0, now, 1, status, "" };
		rq_log(RQ_LOG_INFO, "upstream: report %s delivered (HTTP %ld)", it.batch_id, status);
		rc = rq_store_transact(s, result_in_txn, &a);
		goto done;
	}
	snprintf(why, sizeof(why), "HTTP %ld: %.300s", status, answer ? answer : "");
	if (status == 401 || status == 403 || status == 404)
		*bound_id = 0; /* a new credential may be bound elsewhere: ask again */
failed: {
	result_args a = { it.id, now + rq_tier_retry_delay(cfg, it.attempts + 1), now, 0, status, why };
	rq_log(RQ_LOG_WARNING, "upstream: report %s not delivered (attempt %lld): %s; next try in %lld s", it.batch_id,
	       (long long)it.attempts + 1, why, (long long)(a.next - now));
	rc = rq_store_transact(s, result_in_txn, &a);
}
done:
	free(answer);
	rq_store_upstream_item_clear(&it);
	return rc;
}
