/*
 * Queueing and delivering reports (queue.h). HTTP 200 is the only
 * acceptance; any other status, no answer or a timeout is retried with
 * exponential backoff and jitter, until [ncsc] max_attempts, after which
 * the submission is failed (an operator can queue a new one).
 */
#include "ncsc/queue.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/error.h"
#include "db/dbfs.h"
#include "http/log.h"
#include "ncsc/deliver.h"
#include "ncsc/report.h"
#include "ncsc/schema.h"
#include "store/ncsc.h"
#include "worker/backoff.h"

/* Longest error text kept in a row. */
#define ERROR_MAX 400

typedef struct enqueue_txn {
	const rq_ncsc_submission *sub;
	int64_t id;
	int (*also)(rq_store *s, int64_t id, void *payload);
	void *payload;
} enqueue_txn;

static int enqueue_in_txn(rq_store *s, void *payload)
{
	enqueue_txn *t = payload;
	int rc = rq_store_ncsc_insert(s, t->sub, &t->id);
	if (rc == 0 && t->also)
		rc = t->also(s, t->id, t->payload);
	return rc;
}

int rq_ncsc_enqueue(rq_store *s, const rq_srv_config *cfg, int64_t now, const char *made_by, int64_t slot,
		    int64_t *out_id, int (*also)(rq_store *s, int64_t id, void *payload), void *payload)
{
	char *xml = NULL, digest[65];
	size_t len = 0;
	rq_ncsc_submission sub;
	enqueue_txn t = { &sub, 0, also, payload };
	int rc = rq_ncsc_report_make(s, cfg, now, &xml, &len);
	if (rc < 0)
		goto done;
	rq_sha256_hex((const uint8_t *)xml, len, digest);
	memset(&sub, 0, sizeof(sub));
	sub.made_by = made_by;
	sub.schedule_slot = slot;
	sub.report_time = now;
	sub.created_at = now;
	sub.url = cfg->ncsc_url;
	sub.size = (int64_t)len;
	sub.sha256 = digest;
	sub.document = xml;
	rc = rq_store_transact(s, enqueue_in_txn, &t);
	if (rc == 0) {
		*out_id = t.id;
		rq_log(RQ_LOG_INFO, "ncsc: report %lld queued (%zu bytes, sha256 %s, by %s)", (long long)t.id, len, digest,
		       made_by);
	}
done:
	free(xml);
	return rc;
}

int64_t rq_ncsc_retry_delay(const rq_srv_config *cfg, int64_t attempts)
{
	return rq_backoff_delay((int64_t)cfg->ncsc_retry_base, RQ_NCSC_RETRY_MAX, attempts);
}

typedef struct claimed {
	int64_t id, attempts;
	char *url, *xml;
	size_t len;
} claimed;

static int keep_claimed(const rq_ncsc_submission *sub, void *payload)
{
	claimed *c = payload;
	c->id = sub->id;
	c->attempts = sub->attempts;
	c->len = strlen(sub->document);
	c->url = strdup(sub->url);
	c->xml = strdup(sub->document);
	return c->url && c->xml ? 0 : -1;
}

/* Printable ASCII of the centre's answer, for the log (the rest as '?'). */
static void printable(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			*s = (*s == '\n' || *s == '\r' || *s == '\t') ? ' ' : '?';
}

int rq_ncsc_deliver_due(rq_store *s, const rq_srv_config *cfg, int64_t now, int *out_done)
{
	claimed c;
	char excerpt[RQ_NCSC_EXCERPT_MAX + 1] = "", why[ERROR_MAX + 1] = "";
	long status = 0;
	const char *state;
	int64_t next = 0;
	int rc;
	memset(&c, 0, sizeof(c));
	*out_done = 0;
	rc = rq_store_ncsc_claim(s, now, now + (int64_t)cfg->ncsc_timeout + RQ_NCSC_LEASE_GRACE, keep_claimed, &c);
	if (rc == RQ_ENOTFOUND) {
		rc = 0;
		goto done;
	}
	if (rc < 0)
		goto done;
	*out_done = 1;
	/* the stored text is checked again: what leaves is what the schema allows */
	if (rq_ncsc_schema_validate_text(c.xml, c.len) < 0) {
		snprintf(why, sizeof(why), "%s", rq_error_last());
		state = "failed";
	} else if (rq_ncsc_post(cfg, c.url, c.xml, c.len, &status, excerpt) < 0) {
		snprintf(why, sizeof(why), "%s", rq_error_last());
		state = "queued";
	} else if (status == 200) {
		state = "sent";
	} else {
		snprintf(why, sizeof(why), "the centre answered HTTP %ld", status);
		state = "queued";
	}
	printable(excerpt);
	if (!strcmp(state, "queued")) {
		if (c.attempts >= (int64_t)cfg->ncsc_max_attempts)
			state = "failed";
		else
			next = now + rq_ncsc_retry_delay(cfg, c.attempts);
	}
	if (!strcmp(state, "sent"))
		rq_log(RQ_LOG_INFO, "ncsc: report %lld accepted by the centre (attempt %lld)", (long long)c.id,
		       (long long)c.attempts);
	else
		rq_log(RQ_LOG_WARNING, "ncsc: report %lld, attempt %lld: %s; %s", (long long)c.id, (long long)c.attempts,
		       why, !strcmp(state, "failed") ? "given up" : "will retry");
	rc = rq_store_ncsc_outcome(s, c.id, state, (int64_t)time(NULL), next, status, excerpt, why);
done:
	free(c.url);
	free(c.xml);
	return rc;
}
