/*
 * The coverage history (coverage_history.h): an upsert per unit and day
 * (ON CONFLICT, the same text on both backends), a prune by day and a
 * range read of the primary key (unit_id, day). Days are local calendar
 * dates as text, so that a day means what the province's calendar says.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/error.h"
#include "store/coverage_history.h"

int rq_coverage_day_of(int64_t t, int days_back, char out[RQ_DAY_TEXT])
{
	struct tm tm;
	time_t tt = (time_t)t;
	if (!localtime_r(&tt, &tm))
		return rq_fail(RQ_EINVAL, "coverage history: time %lld has no calendar date", (long long)t);
	/* whole days back through mktime, which normalises the day of the
	 * month: right across month ends and daylight-saving changes */
	tm.tm_mday -= days_back;
	tm.tm_hour = 12;
	tm.tm_min = tm.tm_sec = 0;
	tm.tm_isdst = -1;
	tt = mktime(&tm);
	if (tt == (time_t)-1 || !localtime_r(&tt, &tm) || tm.tm_year + 1900 > 9999 || tm.tm_year + 1900 < 1)
		return rq_fail(RQ_EINVAL, "coverage history: time %lld has no calendar date", (long long)t);
	if (strftime(out, RQ_DAY_TEXT, "%Y-%m-%d", &tm) != RQ_DAY_TEXT - 1)
		return rq_fail(RQ_EINVAL, "coverage history: time %lld has no calendar date", (long long)t);
	return 0;
}

typedef struct day_put {
	int64_t unit_id, now;
	const char *day;
	const rq_coverage *c;
} day_put;

static int put_tx(rq_store *s, void *payload)
{
	const day_put *p = payload;
	const int64_t v[] = {p->c->endpoints, p->c->reporting, p->c->realtime_on, p->c->fresh_1d, p->c->fresh_3d,
			     p->c->fresh_7d,  p->c->fresh_15d, p->c->older_15d,	  p->c->sig_unknown, p->c->infected};
	rq_stmt *st = NULL;
	int rc = rq_store_prepare(
		s, &st,
		"INSERT INTO coverage_daily (unit_id, day, recorded_at, endpoints, reporting, realtime_on, fresh_1d,"
		" fresh_3d, fresh_7d, fresh_15d, older_15d, sig_unknown, infected)"
		" VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"
		" ON CONFLICT (unit_id, day) DO UPDATE SET recorded_at = excluded.recorded_at,"
		" endpoints = excluded.endpoints, reporting = excluded.reporting, realtime_on = excluded.realtime_on,"
		" fresh_1d = excluded.fresh_1d, fresh_3d = excluded.fresh_3d, fresh_7d = excluded.fresh_7d,"
		" fresh_15d = excluded.fresh_15d, older_15d = excluded.older_15d, sig_unknown = excluded.sig_unknown,"
		" infected = excluded.infected");
	if (rc < 0 || (rc = rq_stmt_bind_int64(st, 1, p->unit_id)) < 0 || (rc = rq_stmt_bind_text(st, 2, p->day)) < 0 ||
	    (rc = rq_stmt_bind_int64(st, 3, p->now)) < 0)
		goto done;
	for (int i = 0; i < 10 && rc == 0; i++)
		rc = rq_stmt_bind_int64(st, 4 + i, v[i]);
	if (rc == 0)
		rc = rq_stmt_step(st);
done:
	rq_stmt_finalize(st);
	return rc < 0 ? rc : 0;
}

int rq_store_coverage_day_put(rq_store *s, int64_t unit_id, const char *day, const rq_coverage *c, int64_t now)
{
	day_put p = {unit_id, now, day, c};
	if (unit_id < 0 || !day || strlen(day) != RQ_DAY_TEXT - 1)
		return rq_fail(RQ_EINVAL, "store: coverage history: bad unit or day");
	return rq_store_transact(s, put_tx, &p);
}

typedef struct prune {
	const char *oldest_kept;
	int64_t deleted;
} prune;

static int prune_tx(rq_store *s, void *payload)
{
	prune *p = payload;
	rq_stmt *st = NULL;
	int rc = rq_store_prepare(s, &st, "DELETE FROM coverage_daily WHERE day < $1");
	if (rc == 0 && (rc = rq_stmt_bind_text(st, 1, p->oldest_kept)) == 0 && (rc = rq_stmt_step(st)) >= 0) {
		p->deleted = rq_stmt_changes(st);
		rc = 0;
	}
	rq_stmt_finalize(st);
	return rc;
}

int rq_store_coverage_days_prune(rq_store *s, const char *oldest_kept, int64_t *out_deleted)
{
	prune p = {oldest_kept, 0};
	int rc = rq_store_transact(s, prune_tx, &p);
	if (out_deleted)
		*out_deleted = rc == 0 ? p.deleted : 0;
	return rc;
}

int rq_store_coverage_days(rq_store *s, int64_t unit_id, const char *from_day,
			   int (*cb)(const char *day, const rq_coverage *c, void *payload), void *payload)
{
	rq_stmt *st = NULL;
	rq_coverage c;
	int rc = rq_store_prepare(s, &st,
				  "SELECT day, endpoints, reporting, realtime_on, fresh_1d, fresh_3d, fresh_7d, fresh_15d,"
				  " older_15d, sig_unknown, infected FROM coverage_daily WHERE unit_id = $1 AND day >= $2"
				  " ORDER BY day");
	if (rc < 0 || (rc = rq_stmt_bind_int64(st, 1, unit_id)) < 0 || (rc = rq_stmt_bind_text(st, 2, from_day)) < 0)
		goto done;
	while ((rc = rq_stmt_step(st)) == RQ_STORE_ROW) {
		int64_t *const f[] = {&c.endpoints, &c.reporting, &c.realtime_on, &c.fresh_1d,	 &c.fresh_3d,
				      &c.fresh_7d,  &c.fresh_15d, &c.older_15d,	  &c.sig_unknown, &c.infected};
		const char *day = rq_stmt_column_text(st, 0);
		memset(&c, 0, sizeof(c));
		for (int i = 0; i < 10; i++)
			*f[i] = rq_stmt_column_int64(st, 1 + i);
		if (cb(day ? day : "", &c, payload) != 0) {
			rc = rq_fail(RQ_ESTOPPED, "store: coverage history stopped by the caller");
			break;
		}
	}
done:
	rq_stmt_finalize(st);
	return rc < 0 ? rc : 0;
}

/* Every unit's id into a growing array (*out, freed by the caller). */
static int unit_ids(rq_store *s, int64_t **out, size_t *count)
{
	rq_stmt *st = NULL;
	size_t cap = 0;
	int rc = rq_store_prepare(s, &st, "SELECT id FROM units ORDER BY id");
	*out = NULL;
	*count = 0;
	while (rc == 0 && (rc = rq_stmt_step(st)) == RQ_STORE_ROW) {
		rc = 0;
		if (*count == cap) {
			size_t ncap = cap ? 2 * cap : 64;
			int64_t *n = realloc(*out, ncap * sizeof(**out));
			if (!n) {
				rc = rq_fail(RQ_ENOMEM, "store: out of memory listing units");
				break;
			}
			*out = n;
			cap = ncap;
		}
		(*out)[(*count)++] = rq_stmt_column_int64(st, 0);
	}
	rq_stmt_finalize(st);
	return rc < 0 ? rc : 0;
}

int rq_store_coverage_record(rq_store *s, int64_t now, int64_t window_s, int (*stop)(void *payload), void *payload,
			     int64_t *out_units)
{
	char day[RQ_DAY_TEXT], oldest[RQ_DAY_TEXT];
	int64_t *ids = NULL;
	size_t count = 0;
	rq_coverage c;
	int rc;
	if (out_units)
		*out_units = 0;
	if ((rc = rq_coverage_day_of(now, 0, day)) < 0 ||
	    (rc = rq_coverage_day_of(now, RQ_COVERAGE_HISTORY_DAYS, oldest)) < 0 || (rc = unit_ids(s, &ids, &count)) < 0)
		goto done;
	/* index count: the province (0) first, then ids[count - 1] */
	for (size_t i = 0; i <= count; i++) {
		int64_t unit = i == 0 ? 0 : ids[i - 1];
		if (stop && stop(payload)) {
			rc = rq_fail(RQ_ESTOPPED, "store: coverage history stopped");
			goto done;
		}
		if ((rc = rq_store_coverage(s, unit, now, window_s, &c)) < 0 ||
		    (rc = rq_store_coverage_day_put(s, unit, day, &c, now)) < 0)
			goto done;
		if (out_units)
			(*out_units)++;
	}
	rc = rq_store_coverage_days_prune(s, oldest, NULL);
done:
	free(ids);
	return rc;
}
