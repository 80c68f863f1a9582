/*
 * The scheduled provincial report (schedule.h): one thread with its own
 * store connection, waking every RQ_REPORT_SCHEDULE_CHECK_S or when asked
 * to stop; a failed attempt is logged and tried again at the next wake.
 */
#include "report/schedule.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/error.h"
#include "config/config.h"
#include "http/log.h"
#include "report/figures.h"
#include "store/audit.h"
#include "store/reports.h"

struct rq_report_scheduler {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	int stopping;
	char *store_url, *schedule, *agency;
};

typedef struct keep_args {
	rq_report_rec rec;
	int64_t id;
	int kept_already;
} keep_args;

/* Keep the report and its audit record together (or nothing: kept already). */
static int keep(rq_store *s, void *payload)
{
	keep_args *k = payload;
	char id[24];
	int rc = rq_store_report_add(s, &k->rec, &k->id);
	k->kept_already = rc == 1;
	if (rc != 0)
		return rc < 0 ? rc : 0;
	snprintf(id, sizeof(id), "%lld", (long long)k->id);
	rq_audit_entry e = {.at = k->rec.created_at, .actor = "system", .action = "report.create",
			    .object_type = "report", .object_id = id, .details_json = "{\"source\":\"scheduled\"}"};
	return rq_store_audit_add(s, &e);
}

int rq_report_schedule_run(rq_store *s, const char *schedule, const char *agency, int64_t now, int64_t *out_id)
{
	int64_t from, to;
	json_t *figures = NULL;
	char *text = NULL;
	int rc = rq_report_previous_period(schedule, now, &from, &to);
	*out_id = 0;
	if (rc < 0 || (rc = rq_report_figures_make(s, RQ_REPORT_PROVINCE, 0, from, to, now, agency, &figures)) < 0)
		goto done;
	if (!(text = json_dumps(figures, JSON_COMPACT))) {
		rc = rq_fail(RQ_ENOMEM, "report: out of memory");
		goto done;
	}
	keep_args k = {{.kind = "province", .from = from, .to = to, .lang = "vi", .created_at = now,
			.source = "scheduled", .figures = text}, 0, 0};
	rc = rq_store_transact(s, keep, &k);
	if (rc == 0)
		rc = k.kept_already;
	*out_id = k.id;
done:
	free(text);
	json_decref(figures);
	return rc;
}

static void *run(void *arg)
{
	rq_report_scheduler *r = arg;
	rq_store *s = NULL;
	pthread_mutex_lock(&r->lock);
	while (!r->stopping) {
		pthread_mutex_unlock(&r->lock);
		int64_t id = 0;
		int rc = s ? 0 : rq_store_open(&s, r->store_url);
		if (rc == 0)
			rc = rq_report_schedule_run(s, r->schedule, r->agency, (int64_t)time(NULL), &id);
		if (rc == 0)
			rq_log(RQ_LOG_INFO, "report: the scheduled provincial report %lld was made", (long long)id);
		else if (rc < 0) {
			rq_log(RQ_LOG_WARNING, "report: the scheduled provincial report: %s", rq_error_last());
			rq_store_close(s); /* open again next time */
			s = NULL;
		}
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += RQ_REPORT_SCHEDULE_CHECK_S;
		pthread_mutex_lock(&r->lock);
		while (!r->stopping && pthread_cond_timedwait(&r->wake, &r->lock, &until) == 0)
			;
	}
	pthread_mutex_unlock(&r->lock);
	rq_store_close(s);
	return NULL;
}

static void scheduler_free(rq_report_scheduler *r)
{
	free(r->store_url);
	free(r->schedule);
	free(r->agency);
	free(r);
}

int rq_report_scheduler_start(rq_report_scheduler **out, const char *store_url, const char *schedule,
			      const char *agency)
{
	rq_report_scheduler *r;
	*out = NULL;
	if (!schedule || !strcmp(schedule, "off"))
		return 0;
	if (!(r = calloc(1, sizeof(*r))))
		return rq_fail(RQ_ENOMEM, "report: out of memory");
	r->store_url = strdup(store_url);
	r->schedule = strdup(schedule);
	r->agency = strdup(agency ? agency : "");
	if (!r->store_url || !r->schedule || !r->agency) {
		scheduler_free(r);
		return rq_fail(RQ_ENOMEM, "report: out of memory");
	}
	pthread_mutex_init(&r->lock, NULL);
	pthread_cond_init(&r->wake, NULL);
	if (pthread_create(&r->thread, NULL, run, r) != 0) {
		scheduler_free(r);
		return rq_fail(RQ_ERROR, "report: cannot start the schedule's thread");
	}
	*out = r;
	return 0;
}

void rq_report_scheduler_stop(rq_report_scheduler *r)
{
	if (!r)
		return;
	pthread_mutex_lock(&r->lock);
	r->stopping = 1;
	pthread_cond_signal(&r->wake);
	pthread_mutex_unlock(&r->lock);
	pthread_join(r->thread, NULL);
	pthread_mutex_destroy(&r->lock);
	pthread_cond_destroy(&r->wake);
	scheduler_free(r);
}
