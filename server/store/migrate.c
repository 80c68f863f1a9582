/*
 * Versioned schema migrations of the store, applied at start-up by
 * rq_store_migrate: each migration is SQL text shared by both dialects,
 * with @ID@ standing for the dialect's auto-increment primary key, plus an
 * optional piece per dialect. The schema is described in
 * docs/server-store.md; every time is Unix seconds in a BIGINT.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/error.h"
#include "store/coverage.h"
#include "store/store.h"

typedef struct migration {
	int64_t version;
	const char *name;
	const char *sql;        /* both dialects, @ID@ substituted */
	const char *sqlite_sql; /* then this on SQLite only (may be NULL) */
	const char *pg_sql;     /* then this on PostgreSQL only (may be NULL) */
} migration;

/*
 * Booleans are INTEGER 0/1 with a CHECK in both dialects, so that queries
 * (SUM(realtime), WHERE revoked = 0) are the same text everywhere. JSON
 * documents (database versions, task parameters, event payloads) are TEXT:
 * the server parses them, the database never needs to.
 */
static const char schema_v1[] =
	/* the tree of units: province -> departments, districts -> sub-units */
	"CREATE TABLE units ("
	" id @ID@,"
	" parent_id BIGINT REFERENCES units(id) ON DELETE RESTRICT,"
	" name TEXT NOT NULL,"
	" code TEXT NOT NULL UNIQUE,"
	" contact TEXT NOT NULL DEFAULT '',"
	" created_at BIGINT NOT NULL,"
	" updated_at BIGINT NOT NULL);"
	"CREATE INDEX units_parent ON units(parent_id);"

	/* people: province administrators, unit officers, viewers */
	"CREATE TABLE users ("
	" id @ID@,"
	" login TEXT NOT NULL UNIQUE,"
	" display_name TEXT NOT NULL DEFAULT '',"
	" role TEXT NOT NULL CHECK (role IN ('admin', 'officer', 'viewer')),"
	" unit_id BIGINT REFERENCES units(id) ON DELETE RESTRICT,"
	" password_hash TEXT NOT NULL," /* argon2id encoded string */
	" disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),"
	" created_at BIGINT NOT NULL,"
	" updated_at BIGINT NOT NULL,"
	" last_login BIGINT);"
	"CREATE INDEX users_unit ON users(unit_id);"

	/* machines running the agent */
	"CREATE TABLE endpoints ("
	" id @ID@,"
	" unit_id BIGINT NOT NULL REFERENCES units(id) ON DELETE RESTRICT,"
	" hostname TEXT NOT NULL,"
	" kind TEXT NOT NULL DEFAULT 'workstation' CHECK (kind IN ('server', 'workstation', 'other')),"
	" machine_id TEXT NOT NULL DEFAULT ''," /* OS machine id as reported: tells clones apart */
	" os_name TEXT NOT NULL DEFAULT '',"
	" os_version TEXT NOT NULL DEFAULT '',"
	" ips TEXT NOT NULL DEFAULT '[]',"      /* JSON array of strings */
	" macs TEXT NOT NULL DEFAULT '[]',"     /* JSON array of strings */
	" agent_version TEXT NOT NULL DEFAULT '',"
	" db_versions TEXT NOT NULL DEFAULT '{}'," /* JSON: {"db": {"version": n, "built": t}} */
	" db_newest_build BIGINT,"              /* newest "built" of db_versions, for coverage */
	" realtime INTEGER NOT NULL DEFAULT 0 CHECK (realtime IN (0, 1)),"
	" firewall INTEGER NOT NULL DEFAULT 0 CHECK (firewall IN (0, 1)),"
	" status TEXT NOT NULL DEFAULT 'unknown',"
	" active_detections BIGINT NOT NULL DEFAULT 0," /* detections in state active: kept by ingestion */
	" created_at BIGINT NOT NULL,"
	" last_seen BIGINT,"
	" last_full_scan BIGINT,"
	" last_update BIGINT);"
	/* covers the coverage summary: it reads only this index */
	"CREATE INDEX endpoints_unit ON endpoints(unit_id, last_seen, realtime, db_newest_build, active_detections);"
	"CREATE INDEX endpoints_last_seen ON endpoints(last_seen);"
	"CREATE INDEX endpoints_hostname ON endpoints(hostname);"

	/* an agent's secret, stored as a hash only; re-enrolling adds a row */
	"CREATE TABLE agent_credentials ("
	" id @ID@,"
	" endpoint_id BIGINT NOT NULL REFERENCES endpoints(id) ON DELETE CASCADE,"
	" secret_hash TEXT NOT NULL,"
	" created_at BIGINT NOT NULL,"
	" revoked_at BIGINT);"
	"CREATE INDEX agent_credentials_endpoint ON agent_credentials(endpoint_id);"

	"CREATE TABLE enrollment_tokens ("
	" id @ID@,"
	" unit_id BIGINT NOT NULL REFERENCES units(id) ON DELETE CASCADE,"
	" token_hash TEXT NOT NULL UNIQUE,"
	" label TEXT NOT NULL DEFAULT '',"
	" created_by BIGINT REFERENCES users(id) ON DELETE SET NULL,"
	" created_at BIGINT NOT NULL,"
	" expires_at BIGINT NOT NULL,"
	" max_uses BIGINT NOT NULL CHECK (max_uses > 0),"
	" uses BIGINT NOT NULL DEFAULT 0 CHECK (uses >= 0),"
	" revoked INTEGER NOT NULL DEFAULT 0 CHECK (revoked IN (0, 1)));"
	"CREATE INDEX enrollment_tokens_unit ON enrollment_tokens(unit_id);"

	/* scripts' bearer tokens, hashed */
	"CREATE TABLE api_tokens ("
	" id @ID@,"
	" user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
	" name TEXT NOT NULL DEFAULT '',"
	" token_hash TEXT NOT NULL UNIQUE,"
	" created_at BIGINT NOT NULL,"
	" expires_at BIGINT,"
	" last_used BIGINT,"
	" revoked INTEGER NOT NULL DEFAULT 0 CHECK (revoked IN (0, 1)));"
	"CREATE INDEX api_tokens_user ON api_tokens(user_id);"

	/* browser sessions: the cookie's hash is the key */
	"CREATE TABLE sessions ("
	" token_hash TEXT PRIMARY KEY,"
	" user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
	" csrf_token TEXT NOT NULL,"
	" created_at BIGINT NOT NULL,"
	" last_seen BIGINT NOT NULL,"
	" expires_at BIGINT NOT NULL,"
	" ip TEXT NOT NULL DEFAULT '',"
	" user_agent TEXT NOT NULL DEFAULT '');"
	"CREATE INDEX sessions_user ON sessions(user_id);"
	"CREATE INDEX sessions_expires ON sessions(expires_at);"

	/*
	 * Every event an agent sent, keyed by its client-generated UUID within
	 * the endpoint (so one agent cannot shadow another's events): a
	 * replayed batch finds its UUIDs here and adds nothing.
	 */
	"CREATE TABLE events ("
	" endpoint_id BIGINT NOT NULL REFERENCES endpoints(id) ON DELETE CASCADE,"
	" uuid TEXT NOT NULL,"
	" kind TEXT NOT NULL CHECK (kind IN ('scan', 'detection', 'action', 'connection', 'error')),"
	" occurred_at BIGINT NOT NULL,"
	" received_at BIGINT NOT NULL,"
	" payload TEXT NOT NULL DEFAULT '{}',"
	" PRIMARY KEY (endpoint_id, uuid));"
	"CREATE INDEX events_received ON events(received_at);"

	"CREATE TABLE scan_summaries ("
	" id @ID@,"
	" endpoint_id BIGINT NOT NULL REFERENCES endpoints(id) ON DELETE CASCADE,"
	" event_uuid TEXT NOT NULL,"
	" kind TEXT NOT NULL CHECK (kind IN ('quick', 'full', 'path', 'scheduled')),"
	" started_at BIGINT NOT NULL,"
	" finished_at BIGINT,"
	" files_scanned BIGINT NOT NULL DEFAULT 0,"
	" detections BIGINT NOT NULL DEFAULT 0,"
	" errors BIGINT NOT NULL DEFAULT 0,"
	" result TEXT NOT NULL DEFAULT '');"
	"CREATE INDEX scan_summaries_endpoint ON scan_summaries(endpoint_id, started_at);"
	"CREATE INDEX scan_summaries_started ON scan_summaries(started_at);"

	/* one row per infected file on an endpoint, updated as its state changes */
	"CREATE TABLE detections ("
	" id @ID@,"
	" endpoint_id BIGINT NOT NULL REFERENCES endpoints(id) ON DELETE CASCADE,"
	" path TEXT NOT NULL,"
	" sha256 TEXT NOT NULL DEFAULT '',"
	" md5 TEXT NOT NULL DEFAULT '',"
	" name TEXT NOT NULL,"
	" type TEXT NOT NULL DEFAULT '',"
	" action TEXT NOT NULL DEFAULT '',"
	" state TEXT NOT NULL CHECK (state IN ('active', 'quarantined', 'removed', 'restored', 'ignored')),"
	" first_seen BIGINT NOT NULL,"
	" last_seen BIGINT NOT NULL,"
	" UNIQUE (endpoint_id, path, sha256));"
	"CREATE INDEX detections_endpoint_state ON detections(endpoint_id, state);"
	"CREATE INDEX detections_sha256 ON detections(sha256);"
	"CREATE INDEX detections_state ON detections(state, last_seen);"

	/* connections to malicious addresses seen (or blocked) on an endpoint */
	"CREATE TABLE connections ("
	" id @ID@,"
	" endpoint_id BIGINT NOT NULL REFERENCES endpoints(id) ON DELETE CASCADE,"
	" event_uuid TEXT NOT NULL,"
	" remote_addr TEXT NOT NULL,"
	" remote_port BIGINT,"
	" remote_host TEXT NOT NULL DEFAULT '',"
	" process_path TEXT NOT NULL DEFAULT '',"
	" pid BIGINT,"
	" indicator TEXT NOT NULL DEFAULT ''," /* the list entry that matched */
	" action TEXT NOT NULL DEFAULT '',"
	" seen_at BIGINT NOT NULL);"
	"CREATE INDEX connections_endpoint ON connections(endpoint_id, seen_at);"
	"CREATE INDEX connections_remote ON connections(remote_addr);"

	"CREATE TABLE tasks ("
	" id @ID@,"
	" endpoint_id BIGINT NOT NULL REFERENCES endpoints(id) ON DELETE CASCADE,"
	" kind TEXT NOT NULL CHECK (kind IN ('scan_quick', 'scan_full', 'scan_path', 'update',"
	" 'quarantine', 'restore', 'delete')),"
	" params TEXT NOT NULL DEFAULT '{}',"
	" state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'running', 'done',"
	" 'failed', 'cancelled', 'expired')),"
	" result TEXT NOT NULL DEFAULT '',"
	" created_by BIGINT REFERENCES users(id) ON DELETE SET NULL,"
	" created_at BIGINT NOT NULL,"
	" sent_at BIGINT,"
	" finished_at BIGINT,"
	" expires_at BIGINT);"
	"CREATE INDEX tasks_endpoint_state ON tasks(endpoint_id, state);"

	/* who changed what; kept when the user or object is gone */
	"CREATE TABLE audit_log ("
	" id @ID@,"
	" at BIGINT NOT NULL,"
	" user_id BIGINT REFERENCES users(id) ON DELETE SET NULL,"
	" actor TEXT NOT NULL," /* login, 'agent:<id>' or 'system' */
	" action TEXT NOT NULL,"
	" object_type TEXT NOT NULL DEFAULT '',"
	" object_id TEXT NOT NULL DEFAULT '',"
	" unit_id BIGINT,"
	" ip TEXT NOT NULL DEFAULT '',"
	" details TEXT NOT NULL DEFAULT '{}');"
	"CREATE INDEX audit_log_at ON audit_log(at);"
	"CREATE INDEX audit_log_unit ON audit_log(unit_id, at);";

/*
 * Policies per unit (store/policies.c): `document` holds only the fields
 * set at that unit (JSON), the rest is inherited. `version` is the value of
 * the one-row policy_clock when the row last changed: the clock ticks on
 * every change, so the largest version along a unit's path to the top
 * strictly increases whenever anything on that path changes (a second
 * server's change waits on the clock row, so versions follow commit order).
 */
static const char schema_v2[] =
	"CREATE TABLE policies ("
	" id @ID@,"
	" unit_id BIGINT NOT NULL UNIQUE REFERENCES units(id) ON DELETE CASCADE,"
	" document TEXT NOT NULL DEFAULT '{}',"
	" version BIGINT NOT NULL,"
	" updated_by BIGINT REFERENCES users(id) ON DELETE SET NULL,"
	" updated_at BIGINT NOT NULL);"
	"CREATE TABLE policy_clock ("
	" id INTEGER PRIMARY KEY CHECK (id = 1),"
	" version BIGINT NOT NULL);"
	"INSERT INTO policy_clock (id, version) VALUES (1, 0);";

/*
 * Indexes of the coverage summary (coverage.c): per unit, signature age
 * and infection as index range counts (reporting and real-time use
 * endpoints_unit); scans finished and detections first seen in a period
 * [from, to) as range scans of covering indexes, never of the tables.
 */
static const char schema_v3[] =
	"CREATE INDEX endpoints_unit_build ON endpoints(unit_id, db_newest_build);"
	"CREATE INDEX endpoints_unit_infected ON endpoints(unit_id, active_detections);"
	"CREATE INDEX scan_summaries_finished ON scan_summaries(finished_at, endpoint_id, kind);"
	"CREATE INDEX detections_first_seen ON detections(first_seen, endpoint_id, state);";

/*
 * The free and total bytes of the file system holding an agent's quarantine
 * vault, as its last heartbeat reported them; NULL until one does. One
 * column per ALTER: SQLite adds no more at once.
 */
static const char schema_v4[] =
	"ALTER TABLE endpoints ADD COLUMN vault_free BIGINT;"
	"ALTER TABLE endpoints ADD COLUMN vault_total BIGINT;";

/*
 * The coverage period per endpoint (coverage.c), in a narrow table of its
 * own: the time of the endpoint's newest finished scan, of its newest full
 * or scheduled one, and the newest first_seen of its detections, kept by
 * ingestion (events.c) and filled here from the rows already stored, with
 * per-unit indexes on each. unit_id is the endpoint's (an endpoint never
 * changes unit). Not columns of endpoints: PostgreSQL's pass over those
 * wide rows cost 15 ms more to reach columns at their end, and every
 * batch would rewrite a wide row and its many index entries. The period's
 * detections by state are index range counts, province-wide on (state,
 * first_seen) and per endpoint on detections_endpoint_state, widened with
 * first_seen. The indexes on detections come first: the backfill reads
 * them.
 */
static const char schema_v5[] =
	"CREATE TABLE endpoint_coverage ("
	" endpoint_id BIGINT PRIMARY KEY REFERENCES endpoints(id) ON DELETE CASCADE,"
	" unit_id BIGINT NOT NULL,"
	" last_scan BIGINT,"
	" last_scan_full BIGINT,"
	" last_detection BIGINT);"
	"DROP INDEX detections_endpoint_state;"
	"CREATE INDEX detections_endpoint_state ON detections(endpoint_id, state, first_seen);"
	"CREATE INDEX detections_state_first_seen ON detections(state, first_seen);" RQ_STORE_COVERAGE_BACKFILL ";"
	"CREATE INDEX endpoint_coverage_scan ON endpoint_coverage(unit_id, last_scan);"
	"CREATE INDEX endpoint_coverage_scan_full ON endpoint_coverage(unit_id, last_scan_full);"
	"CREATE INDEX endpoint_coverage_detection ON endpoint_coverage(unit_id, last_detection);";

/*
 * Dashboard figures (schema version 6).
 *
 * coverage_daily: the coverage snapshot of a unit subtree (unit_id 0: the
 * whole province) once per local calendar day, rewritten through the day
 * by raquet-server's recorder (server/coverage_recorder.c) so that the last
 * one of the day stays; no foreign key, so that a unit's history outlives
 * nothing it needs. day is "YYYY-MM-DD", which sorts as it reads.
 *
 * endpoint_dbs: the signature databases each endpoint reports, one row per
 * (endpoint, database) taken from endpoints.db_versions by triggers (on
 * insert, and on update when db_versions or unit_id changed: a heartbeat
 * that repeats its versions costs the trigger's WHEN only), so that "how
 * many endpoints of this subtree run database X older than version V" is
 * a range count of endpoint_dbs_name per unit instead of a JSON parse per
 * endpoint. Only entries with an integer version are kept.
 *
 * detections_sample replaces detections_sha256 (its prefix): grouping the
 * detections by file (samples.c), with their names and types and any of
 * the samples' filters, reads this index alone, never the table.
 */
static const char schema_v6[] =
	"CREATE TABLE coverage_daily ("
	" unit_id BIGINT NOT NULL,"
	" day TEXT NOT NULL,"
	" endpoints BIGINT NOT NULL, reporting BIGINT NOT NULL, realtime_on BIGINT NOT NULL,"
	" fresh_1d BIGINT NOT NULL, fresh_3d BIGINT NOT NULL, fresh_7d BIGINT NOT NULL,"
	" fresh_15d BIGINT NOT NULL, older_15d BIGINT NOT NULL, sig_unknown BIGINT NOT NULL,"
	" infected BIGINT NOT NULL,"
	" recorded_at BIGINT NOT NULL,"
	" PRIMARY KEY (unit_id, day));"
	"CREATE INDEX coverage_daily_day ON coverage_daily(day);"
	"CREATE TABLE endpoint_dbs ("
	" endpoint_id BIGINT NOT NULL REFERENCES endpoints(id) ON DELETE CASCADE,"
	" unit_id BIGINT NOT NULL,"
	" name TEXT NOT NULL,"
	" version BIGINT NOT NULL,"
	" built BIGINT,"
	" PRIMARY KEY (endpoint_id, name));"
	"CREATE INDEX endpoint_dbs_name ON endpoint_dbs(name, unit_id, version);"
	"DROP INDEX detections_sha256;"
	"CREATE INDEX detections_sample ON detections(sha256, endpoint_id, state, first_seen, last_seen, name, type);";

/* SQLite: the rows of endpoint_dbs for the endpoint row `E` (NEW; or e of
 * FROM "endpoints e, " in the backfill); anything but an object of objects with integer versions
 * yields nothing rather than an error (the heartbeat must not fail). */
#define SQLITE_DBS_OF(E, FROM)                                                                             \
	"INSERT OR REPLACE INTO endpoint_dbs (endpoint_id, unit_id, name, version, built)"            \
	" SELECT " E ".id, " E ".unit_id, j.key, json_extract(j.value, '$.version'),"                  \
	" CASE WHEN json_type(j.value, '$.built') = 'integer' THEN json_extract(j.value, '$.built') END" \
	" FROM " FROM "json_each(COALESCE(CASE WHEN json_valid(" E ".db_versions) THEN CASE WHEN"             \
	" json_type(" E ".db_versions) = 'object' THEN " E ".db_versions END END, '{}')) j"           \
	" WHERE (CASE WHEN j.type = 'object' THEN json_type(j.value, '$.version') END) = 'integer'"

static const char schema_v6_sqlite[] =
	"CREATE TRIGGER endpoint_dbs_insert AFTER INSERT ON endpoints BEGIN " SQLITE_DBS_OF("NEW", "") "; END;"
	"CREATE TRIGGER endpoint_dbs_update AFTER UPDATE OF db_versions, unit_id ON endpoints"
	" WHEN OLD.db_versions IS NOT NEW.db_versions OR OLD.unit_id IS NOT NEW.unit_id BEGIN"
	" DELETE FROM endpoint_dbs WHERE endpoint_id = NEW.id; " SQLITE_DBS_OF("NEW", "") "; END;"
	SQLITE_DBS_OF("e", "endpoints e, ") ";";

/* PostgreSQL: the same (and the backfill) with one trigger function;
 * versions and build times outside BIGINT or not integers are left out,
 * and text that is not JSON yields no row (endpoint_dbs_json). */
#define PG_INT_FIELD(F) "(j.value->>'" F "') ~ '^-?[0-9]{1,18}$'"
#define PG_DBS_OF(E, FROM)                                                                                 \
	"INSERT INTO endpoint_dbs (endpoint_id, unit_id, name, version, built)"                        \
	" SELECT " E ".id, " E ".unit_id, j.key, (j.value->>'version')::bigint,"                       \
	" CASE WHEN jsonb_typeof(j.value->'built') = 'number' AND " PG_INT_FIELD("built")              \
	" THEN (j.value->>'built')::bigint END"                                                        \
	" FROM " FROM "jsonb_each(endpoint_dbs_json(" E ".db_versions)) j"                               \
	" WHERE jsonb_typeof(j.value) = 'object' AND jsonb_typeof(j.value->'version') = 'number'"      \
	" AND " PG_INT_FIELD("version") " ON CONFLICT DO NOTHING"

static const char schema_v6_pg[] =
	"CREATE FUNCTION endpoint_dbs_json(t TEXT) RETURNS jsonb LANGUAGE plpgsql IMMUTABLE AS $fn$ BEGIN"
	" RETURN CASE WHEN jsonb_typeof(t::jsonb) = 'object' THEN t::jsonb ELSE '{}'::jsonb END;"
	" EXCEPTION WHEN invalid_text_representation THEN RETURN '{}'::jsonb; END $fn$;"
	"CREATE FUNCTION endpoint_dbs_sync() RETURNS trigger LANGUAGE plpgsql AS $fn$ BEGIN"
	" IF TG_OP = 'UPDATE' THEN DELETE FROM endpoint_dbs WHERE endpoint_id = NEW.id; END IF; "
	PG_DBS_OF("NEW", "") "; RETURN NULL; END $fn$;"
	"CREATE TRIGGER endpoint_dbs_insert AFTER INSERT ON endpoints FOR EACH ROW"
	" EXECUTE FUNCTION endpoint_dbs_sync();"
	"CREATE TRIGGER endpoint_dbs_update AFTER UPDATE OF db_versions, unit_id ON endpoints FOR EACH ROW"
	" WHEN (OLD.db_versions IS DISTINCT FROM NEW.db_versions OR OLD.unit_id IS DISTINCT FROM NEW.unit_id)"
	" EXECUTE FUNCTION endpoint_dbs_sync();"
	PG_DBS_OF("e", "endpoints e, ") ";";

/*
 * Kept reports (store/reports.c, docs/reports.md): the figures of a unit or
 * provincial report as computed when it was made, so that its files are
 * rendered again from exactly these numbers. A report outlives its unit
 * and its author (SET NULL). A scheduled report exists once per kind and
 * period, whichever server or restart made it first (the partial unique
 * index).
 */
static const char schema_v7[] =
	"CREATE TABLE reports ("
	" id @ID@,"
	" kind TEXT NOT NULL CHECK (kind IN ('unit', 'province')),"
	" unit_id BIGINT REFERENCES units(id) ON DELETE SET NULL,"
	" period_from BIGINT NOT NULL,"
	" period_to BIGINT NOT NULL,"
	" lang TEXT NOT NULL CHECK (lang IN ('vi', 'en')),"
	" created_at BIGINT NOT NULL,"
	" created_by BIGINT REFERENCES users(id) ON DELETE SET NULL,"
	" source TEXT NOT NULL CHECK (source IN ('manual', 'scheduled')),"
	" figures TEXT NOT NULL,"          /* JSON document (report/figures.c) */
	" CHECK (period_from < period_to));"
	"CREATE INDEX reports_unit ON reports(unit_id, created_at);"
	"CREATE INDEX reports_created ON reports(created_at);"
	"CREATE UNIQUE INDEX reports_scheduled ON reports(kind, period_from, period_to) WHERE source = 'scheduled';";

/*
 * Reports to the national monitoring centre (server/ncsc/, docs/ncsc.md):
 * one row per document made, kept with the signed XML as sent, its digest
 * and the delivery attempts (a durable queue: state queued until the centre
 * answers 200, failed after the last attempt). `schedule_slot` is the daily
 * time a scheduled report was made for; UNIQUE, so two servers on one
 * store make one report per slot. The connections table keeps the digests
 * of the process's executable that agents already reported.
 */
static const char schema_v8[] =
	"CREATE TABLE ncsc_submissions ("
	" id @ID@,"
	" state TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'sent', 'failed')),"
	" made_by TEXT NOT NULL DEFAULT '',"    /* 'schedule', 'cli' or the admin's login */
	" schedule_slot BIGINT UNIQUE,"
	" report_time BIGINT NOT NULL,"
	" created_at BIGINT NOT NULL,"
	" attempts BIGINT NOT NULL DEFAULT 0,"
	" next_attempt_at BIGINT,"              /* NULL once sent or failed */
	" last_attempt_at BIGINT,"
	" sent_at BIGINT,"
	" url TEXT NOT NULL,"
	" size BIGINT NOT NULL,"
	" sha256 TEXT NOT NULL,"
	" http_status BIGINT,"
	" response_excerpt TEXT NOT NULL DEFAULT '',"
	" last_error TEXT NOT NULL DEFAULT '',"
	" document TEXT NOT NULL);"
	"CREATE INDEX ncsc_submissions_due ON ncsc_submissions(state, next_attempt_at);"
	"CREATE INDEX ncsc_submissions_created ON ncsc_submissions(created_at);"
	"ALTER TABLE connections ADD COLUMN process_md5 TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE connections ADD COLUMN process_sha256 TEXT NOT NULL DEFAULT '';";

/*
 * Campaigns and the obligations of each unit (store/campaigns.c,
 * store/systems.c, store/evidence.c; docs/campaigns.md). A campaign covers
 * a unit subtree (NULL: the whole province) over [period_from, period_to)
 * with two deadlines, each kept as the province's calendar date and as the
 * second it ends (UTC), indexed for a reminder job. campaign_items are the
 * obligations recorded by hand per campaign and unit (training, response
 * plan, the unit's report) with their due second copied from the campaign
 * (kept equal when the campaign's deadline changes), so "pending items due
 * before t" is one indexed query. Information systems belong to a unit
 * across campaigns (a dossier approved in 2023 stays approved), with their
 * level, dossier state and security regulation. Evidence files are kept
 * in the store (BLOB/BYTEA) with their SHA-256, attached either to a
 * campaign item or to a system. Deleting a unit that still has any of
 * these is refused (the foreign keys), as for its machines.
 */
static const char schema_v9[] =
	"CREATE TABLE campaigns ("
	" id @ID@,"
	" name TEXT NOT NULL,"
	" unit_id BIGINT REFERENCES units(id),"   /* NULL: every unit */
	" period_from BIGINT NOT NULL,"
	" period_to BIGINT NOT NULL,"
	" unit_deadline TEXT NOT NULL,"          /* YYYY-MM-DD, province time */
	" unit_due_at BIGINT NOT NULL,"          /* the second that day ends */
	" dept_deadline TEXT NOT NULL,"
	" dept_due_at BIGINT NOT NULL,"
	" status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('draft', 'active', 'closed')),"
	" created_at BIGINT NOT NULL,"
	" created_by BIGINT REFERENCES users(id) ON DELETE SET NULL,"
	" updated_at BIGINT NOT NULL,"
	" CHECK (period_from < period_to));"
	"CREATE INDEX campaigns_unit_due ON campaigns(status, unit_due_at);"
	"CREATE INDEX campaigns_dept_due ON campaigns(status, dept_due_at);"
	"CREATE TABLE campaign_items ("
	" id @ID@,"
	" campaign_id BIGINT NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,"
	" unit_id BIGINT NOT NULL REFERENCES units(id),"
	" kind TEXT NOT NULL CHECK (kind IN ('training', 'response_plan', 'report')),"
	" status TEXT NOT NULL CHECK (status IN ('pending', 'generated', 'done')),"
	" done_on TEXT NOT NULL DEFAULT '',"      /* held / issued, YYYY-MM-DD */
	" number TEXT NOT NULL DEFAULT '',"       /* the issued document's number */
	" details TEXT NOT NULL DEFAULT '{}',"    /* JSON: topic, attendees, scenarios */
	" report_id BIGINT REFERENCES reports(id) ON DELETE SET NULL,"
	" due_at BIGINT NOT NULL,"
	" recorded_by BIGINT REFERENCES users(id) ON DELETE SET NULL,"
	" recorded_at BIGINT NOT NULL,"
	" UNIQUE (campaign_id, unit_id, kind));"
	"CREATE INDEX campaign_items_due ON campaign_items(status, due_at);"
	"CREATE INDEX campaign_items_unit ON campaign_items(unit_id);"
	"CREATE TABLE info_systems ("
	" id @ID@,"
	" unit_id BIGINT NOT NULL REFERENCES units(id),"
	" name TEXT NOT NULL,"
	" purpose TEXT NOT NULL DEFAULT '',"
	" owner TEXT NOT NULL DEFAULT '',"
	" operator TEXT NOT NULL DEFAULT '',"
	" info_type TEXT NOT NULL DEFAULT '',"
	" users TEXT NOT NULL DEFAULT '',"
	" level BIGINT NOT NULL CHECK (level BETWEEN 1 AND 5),"
	" dossier_state TEXT NOT NULL DEFAULT 'draft'"
	"  CHECK (dossier_state IN ('draft', 'submitted', 'appraised', 'approved')),"
	" appraised_on TEXT NOT NULL DEFAULT '',"
	" decision_number TEXT NOT NULL DEFAULT '',"
	" decision_on TEXT NOT NULL DEFAULT '',"
	" regulation_number TEXT NOT NULL DEFAULT '',"
	" regulation_on TEXT NOT NULL DEFAULT '',"
	" created_at BIGINT NOT NULL,"
	" updated_at BIGINT NOT NULL,"
	" updated_by BIGINT REFERENCES users(id) ON DELETE SET NULL,"
	" UNIQUE (unit_id, name));";

/* The evidence table differs only by the type of its bytes. */
#define EVIDENCE_TABLE(id, blob)                                                                           \
	"CREATE TABLE evidence ("                                                                      \
	" id " id ","                                                                       \
	" unit_id BIGINT NOT NULL REFERENCES units(id),"                                               \
	" campaign_id BIGINT REFERENCES campaigns(id) ON DELETE CASCADE,"                              \
	" system_id BIGINT REFERENCES info_systems(id) ON DELETE CASCADE,"                             \
	" subject TEXT NOT NULL CHECK (subject IN"                                                     \
	"  ('training', 'response_plan', 'report', 'dossier', 'regulation')),"                         \
	" file_name TEXT NOT NULL,"                                                                    \
	" media_type TEXT NOT NULL,"                                                                   \
	" size BIGINT NOT NULL,"                                                                       \
	" sha256 TEXT NOT NULL,"                                                                       \
	" uploaded_by BIGINT REFERENCES users(id) ON DELETE SET NULL,"                                 \
	" uploaded_at BIGINT NOT NULL,"                                                                \
	" content " blob " NOT NULL,"                                                                  \
	" CHECK ((campaign_id IS NULL) <> (system_id IS NULL)));"                                      \
	"CREATE INDEX evidence_campaign ON evidence(campaign_id, unit_id, subject);"                    \
	"CREATE INDEX evidence_system ON evidence(system_id);"
#define EVIDENCE_SQLITE EVIDENCE_TABLE("INTEGER PRIMARY KEY AUTOINCREMENT", "BLOB")
#define EVIDENCE_PG EVIDENCE_TABLE("BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY", "BYTEA")

/*
 * Threat-intelligence indicators (server/intel/, docs/intel.md): one row
 * per (type, value), whichever sources listed it; each source's own
 * confidence, times and reference (event uuid, line) in the link table.
 * A YARA rule's value is the SHA-256 of its text, kept in `body`. The
 * feed events table lets a MISP feed import skip events it already has.
 * intel_state counts changes (`generation`) and what the server compiled
 * into the signature database last (`published_*`), so a crash between an
 * import and the publish is caught up at the next start.
 */
static const char schema_v10[] =
	"CREATE TABLE intel_sources ("
	" id @ID@,"
	" name TEXT NOT NULL UNIQUE,"
	" kind TEXT NOT NULL CHECK (kind IN ('misp-event', 'misp-feed', 'ioc-list', 'stix', 'yara', 'local')),"
	" location TEXT NOT NULL DEFAULT ''," /* URL or path it came from */
	" created_at BIGINT NOT NULL,"
	" last_import BIGINT);"
	"CREATE TABLE intel_indicators ("
	" id @ID@,"
	" type TEXT NOT NULL CHECK (type IN ('md5', 'sha1', 'sha256', 'ipv4', 'ipv6', 'domain', 'yara')),"
	" value TEXT NOT NULL,"
	" name TEXT NOT NULL DEFAULT '',"
	" description TEXT NOT NULL DEFAULT '',"
	" body TEXT,"                          /* the rule text of a YARA indicator */
	" confidence BIGINT NOT NULL CHECK (confidence BETWEEN 0 AND 100)," /* highest of its sources */
	" allowlisted INTEGER NOT NULL DEFAULT 0 CHECK (allowlisted IN (0, 1)),"
	" first_seen BIGINT NOT NULL,"
	" last_seen BIGINT NOT NULL,"
	" imported_at BIGINT NOT NULL,"
	" expires_at BIGINT,"
	" UNIQUE (type, value));"
	"CREATE INDEX intel_indicators_imported ON intel_indicators(imported_at);"
	"CREATE TABLE intel_indicator_sources ("
	" indicator_id BIGINT NOT NULL REFERENCES intel_indicators(id) ON DELETE CASCADE,"
	" source_id BIGINT NOT NULL REFERENCES intel_sources(id) ON DELETE CASCADE,"
	" confidence BIGINT NOT NULL CHECK (confidence BETWEEN 0 AND 100),"
	" first_seen BIGINT NOT NULL,"
	" last_seen BIGINT NOT NULL,"
	" imported_at BIGINT NOT NULL,"
	" ref TEXT NOT NULL DEFAULT '',"
	" PRIMARY KEY (indicator_id, source_id));"
	"CREATE INDEX intel_indicator_sources_source ON intel_indicator_sources(source_id);"
	"CREATE TABLE intel_feed_events ("
	" source_id BIGINT NOT NULL REFERENCES intel_sources(id) ON DELETE CASCADE,"
	" uuid TEXT NOT NULL,"
	" info TEXT NOT NULL DEFAULT '',"
	" threat_level BIGINT,"
	" digest TEXT NOT NULL,"              /* SHA-256 of the event file as imported */
	" imported_at BIGINT NOT NULL,"
	" PRIMARY KEY (source_id, uuid));"
	"CREATE TABLE intel_state ("
	" id BIGINT PRIMARY KEY CHECK (id = 1),"
	" generation BIGINT NOT NULL,"
	" changed_at BIGINT NOT NULL,"
	" published_generation BIGINT NOT NULL,"
	" published_version BIGINT NOT NULL,"
	" published_at BIGINT NOT NULL,"
	" last_error TEXT NOT NULL DEFAULT '');"
	"INSERT INTO intel_state VALUES (1, 0, 0, 0, 0, 0, '');";

/*
 * The TAXII registry (server/sharing/, docs/sharing.md): when each version
 * of a shared STIX object was first served, in milliseconds. The objects
 * themselves are made from detections and connections on every request;
 * only their `date_added` must stay the same from one request to the next
 * (TAXII's added_after and paging rely on it).
 */
static const char schema_v11[] =
	"CREATE TABLE taxii_objects ("
	" stix_id TEXT PRIMARY KEY,"
	" modified BIGINT NOT NULL,"
	" date_added BIGINT NOT NULL);"
	"CREATE INDEX taxii_objects_added ON taxii_objects(date_added);";

/*
 * TAXII status resources (server/api/taxii.c, docs/sharing.md): what a
 * POST of objects to the collection did, kept as the status JSON that
 * GET .../status/{id}/ answers.
 */
static const char schema_v12[] =
	"CREATE TABLE taxii_status ("
	" id TEXT PRIMARY KEY,"
	" created_at BIGINT NOT NULL,"
	" body TEXT NOT NULL);"
	"CREATE INDEX taxii_status_created ON taxii_status(created_at);";

/*
 * Machines raquet does not run on (store/declared.c, docs/campaigns.md):
 * declared by a unit's officer one by one or from a CSV inventory, one
 * row per (unit, hostname) -- hostnames kept lower-case, so re-importing
 * updates. Dates are Unix seconds (NULL: not known). A declared machine
 * is not counted while an endpoint of the same unit has its hostname (the
 * agent supersedes the declaration): endpoints_unit_host is that probe.
 */
static const char schema_v13[] =
	"CREATE TABLE declared_machines ("
	" id @ID@,"
	" unit_id BIGINT NOT NULL REFERENCES units(id) ON DELETE RESTRICT,"
	" hostname TEXT NOT NULL,"
	" kind TEXT NOT NULL CHECK (kind IN ('server', 'workstation', 'other')),"
	" product TEXT NOT NULL,"
	" sig_updated BIGINT,"
	" last_scan BIGINT,"
	" infections_found BIGINT NOT NULL DEFAULT 0 CHECK (infections_found >= 0),"
	" infections_cleaned BIGINT NOT NULL DEFAULT 0 CHECK (infections_cleaned >= 0),"
	" created_at BIGINT NOT NULL,"
	" updated_at BIGINT NOT NULL,"
	" updated_by BIGINT REFERENCES users(id) ON DELETE SET NULL,"
	" UNIQUE (unit_id, hostname));"
	"CREATE INDEX endpoints_unit_host ON endpoints(unit_id, lower(hostname));";

/*
 * Reminders of the campaigns' deadlines (server/campaign/remind.c,
 * docs/campaigns.md): users get an e-mail address, and every reminder
 * e-mail is a row of reminder_mail, made once per (campaign, deadline,
 * unit, reminder day, user) -- the UNIQUE key that keeps a restart, or two
 * servers on one store, from making it twice -- and then delivered like
 * the NCSC queue: attempts, next attempt (a lease while one is under way),
 * the SMTP server's last answer. unit_id 0 is the department's reminder;
 * user_id and login are kept without a foreign key, so the log outlives a
 * deleted user.
 */
static const char schema_v14[] =
	"ALTER TABLE users ADD COLUMN email TEXT NOT NULL DEFAULT '';"
	"CREATE TABLE reminder_mail ("
	" id @ID@,"
	" campaign_id BIGINT NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,"
	" deadline TEXT NOT NULL CHECK (deadline IN ('unit', 'department')),"
	" unit_id BIGINT NOT NULL,"              /* 0: the department's reminder */
	" slot_day BIGINT NOT NULL,"             /* the province's day it is the reminder of */
	" days_left BIGINT NOT NULL,"            /* then: > 0 before, 0 the day itself, < 0 overdue */
	" user_id BIGINT NOT NULL,"
	" login TEXT NOT NULL,"
	" recipient TEXT NOT NULL,"
	" subject TEXT NOT NULL,"
	" body TEXT NOT NULL,"
	" state TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'sent', 'failed')),"
	" created_at BIGINT NOT NULL,"
	" attempts BIGINT NOT NULL DEFAULT 0,"
	" next_attempt_at BIGINT,"               /* NULL once sent or failed */
	" last_attempt_at BIGINT,"
	" sent_at BIGINT,"
	" smtp_status BIGINT,"                   /* the SMTP server's last reply code */
	" last_error TEXT NOT NULL DEFAULT '',"
	" UNIQUE (campaign_id, deadline, unit_id, slot_day, user_id));"
	"CREATE INDEX reminder_mail_due ON reminder_mail(state, next_attempt_at);"
	"CREATE INDEX reminder_mail_created ON reminder_mail(created_at);";

/*
 * TAXII pull sources (server/intel/taxii_pull.c, docs/intel.md): per
 * [taxii-pull NAME] section, the X-TAXII-Date-Added-Last of the last page
 * committed (the next pull's added_after, written in the page's own
 * transaction), a pull asked for from the API, and what the last run did
 * or why it failed.
 */
static const char schema_v16[] =
	"CREATE TABLE taxii_pull_state ("
	" name TEXT PRIMARY KEY,"
	" added_after TEXT NOT NULL DEFAULT '',"
	" requested_at BIGINT NOT NULL DEFAULT 0,"
	" started_at BIGINT NOT NULL DEFAULT 0,"
	" running INTEGER NOT NULL DEFAULT 0,"      /* 1 from a claim to its finish */
	" alive_at BIGINT NOT NULL DEFAULT 0,"      /* a running pull's last sign of life */
	" finished_at BIGINT NOT NULL DEFAULT 0,"
	" last_success BIGINT NOT NULL DEFAULT 0,"
	" last_error TEXT NOT NULL DEFAULT '',"
	" last_http_status BIGINT NOT NULL DEFAULT 0,"
	" failures BIGINT NOT NULL DEFAULT 0,"      /* failed runs in a row */
	" run_pages BIGINT NOT NULL DEFAULT 0,"     /* of the last run */
	" run_objects BIGINT NOT NULL DEFAULT 0,"
	" run_indicators BIGINT NOT NULL DEFAULT 0,"
	" total_objects BIGINT NOT NULL DEFAULT 0,"
	" total_indicators BIGINT NOT NULL DEFAULT 0);";

/*
 * The national tier (server/tier/, docs/tier.md). On an upstream server:
 * the credentials it issued to downstream servers (each bound to one unit,
 * only their SHA-256 kept), what each bound unit's downstream last
 * reported (tier_downstreams; tier_batches makes a resent report a no-op),
 * the downstream's units mirrored read-only into `units` (tier_units: the
 * downstream's own code and its subtree's coverage figures; `top` marks
 * the units directly under the bound unit, whose figures add up to the
 * province's) and its sightings. On a downstream server: the queue of
 * reports to its upstream (upstream_outbox), durable across restarts.
 */
static const char schema_v17[] =
	"CREATE TABLE tier_credentials ("
	" id @ID@,"
	" unit_id BIGINT NOT NULL REFERENCES units(id) ON DELETE RESTRICT,"
	" label TEXT NOT NULL DEFAULT '',"
	" token_hash TEXT NOT NULL UNIQUE,"
	" created_by BIGINT,"
	" created_at BIGINT NOT NULL,"
	" expires_at BIGINT NOT NULL,"
	" revoked INTEGER NOT NULL DEFAULT 0 CHECK (revoked IN (0, 1)),"
	" last_used BIGINT);"
	"CREATE INDEX tier_credentials_unit ON tier_credentials(unit_id);"
	"CREATE TABLE tier_downstreams ("
	" unit_id BIGINT PRIMARY KEY REFERENCES units(id) ON DELETE CASCADE,"
	" server_name TEXT NOT NULL DEFAULT '',"
	" snapshot_at BIGINT NOT NULL," /* the downstream's time of the snapshot applied last */
	" reported_at BIGINT NOT NULL," /* this server's time of the last report received */
	" window_days BIGINT NOT NULL DEFAULT 0,"
	" units BIGINT NOT NULL DEFAULT 0,"
	" sightings BIGINT NOT NULL DEFAULT 0);"
	"CREATE TABLE tier_batches ("
	" unit_id BIGINT NOT NULL REFERENCES units(id) ON DELETE CASCADE,"
	" batch_id TEXT NOT NULL,"
	" received_at BIGINT NOT NULL,"
	" PRIMARY KEY (unit_id, batch_id));"
	"CREATE TABLE tier_units ("
	" unit_id BIGINT PRIMARY KEY REFERENCES units(id) ON DELETE CASCADE,"
	" bound_id BIGINT NOT NULL REFERENCES units(id) ON DELETE CASCADE,"
	" remote_code TEXT NOT NULL,"
	" top INTEGER NOT NULL CHECK (top IN (0, 1)),"
	" seen_at BIGINT NOT NULL,"
	" endpoints BIGINT NOT NULL DEFAULT 0, reporting BIGINT NOT NULL DEFAULT 0,"
	" realtime_on BIGINT NOT NULL DEFAULT 0, fresh_1d BIGINT NOT NULL DEFAULT 0,"
	" fresh_3d BIGINT NOT NULL DEFAULT 0, fresh_7d BIGINT NOT NULL DEFAULT 0,"
	" fresh_15d BIGINT NOT NULL DEFAULT 0, older_15d BIGINT NOT NULL DEFAULT 0,"
	" sig_unknown BIGINT NOT NULL DEFAULT 0, infected BIGINT NOT NULL DEFAULT 0,"
	" UNIQUE (bound_id, remote_code));"
	"CREATE INDEX tier_units_top ON tier_units(top, unit_id);"
	"CREATE TABLE tier_sightings ("
	" bound_id BIGINT NOT NULL REFERENCES units(id) ON DELETE CASCADE,"
	" sha256 TEXT NOT NULL,"
	" name TEXT NOT NULL,"
	" endpoints BIGINT NOT NULL,"
	" units BIGINT NOT NULL,"
	" first_seen BIGINT NOT NULL,"
	" last_seen BIGINT NOT NULL,"
	" reported_at BIGINT NOT NULL,"
	" PRIMARY KEY (bound_id, sha256));"
	"CREATE INDEX tier_sightings_sha ON tier_sightings(sha256);"
	"CREATE INDEX tier_sightings_last ON tier_sightings(last_seen);"
	"CREATE TABLE upstream_outbox ("
	" id @ID@,"
	" batch_id TEXT NOT NULL UNIQUE,"
	" created_at BIGINT NOT NULL,"
	" body TEXT NOT NULL,"
	" state TEXT NOT NULL CHECK (state IN ('queued', 'sent')),"
	" attempts BIGINT NOT NULL DEFAULT 0,"
	" next_attempt BIGINT NOT NULL,"
	" last_status BIGINT NOT NULL DEFAULT 0,"
	" last_error TEXT NOT NULL DEFAULT '',"
	" sent_at BIGINT);"
	"CREATE INDEX upstream_outbox_due ON upstream_outbox(state, next_attempt);"
	"CREATE TABLE upstream_sync ("
	" id BIGINT PRIMARY KEY CHECK (id = 1),"
	" synced_at BIGINT NOT NULL," /* the last sync of the upstream's databases, 0: none */
	" published BIGINT NOT NULL,"
	" last_error TEXT NOT NULL DEFAULT '');"
	"INSERT INTO upstream_sync VALUES (1, 0, 0, '');";

static const migration migrations[] = {
	{1, "initial schema", schema_v1, NULL, NULL},
	{2, "policies", schema_v2, NULL, NULL},
	{3, "coverage period indexes", schema_v3, NULL, NULL},
	{4, "vault disk of endpoints", schema_v4, NULL, NULL},
	{5, "coverage period per endpoint", schema_v5, NULL, NULL},
	{6, "dashboard: coverage history, endpoint databases, samples index", schema_v6, schema_v6_sqlite,
	 schema_v6_pg},
	{7, "kept reports", schema_v7, NULL, NULL},
	{8, "ncsc submissions", schema_v8, NULL, NULL},
	{9, "campaigns", schema_v9, EVIDENCE_SQLITE, EVIDENCE_PG},
	{10, "threat-intelligence indicators", schema_v10, NULL, NULL},
	{11, "taxii registry", schema_v11, NULL, NULL},
	{12, "taxii status", schema_v12, NULL, NULL},
	{13, "machines protected by other products", schema_v13, NULL, NULL},
	{14, "reminders: e-mail addresses and the reminder mail queue", schema_v14, NULL, NULL},
	{16, "taxii pull state", schema_v16, NULL, NULL},
	{17, "national tier", schema_v17, NULL, NULL},
};
#define MIGRATION_COUNT (sizeof(migrations) / sizeof(migrations[0]))

/* A constant key of pg_advisory_xact_lock: serialises servers migrating
 * the same PostgreSQL database at once ("rqmigr" in ASCII). */
#define PG_MIGRATION_LOCK "SELECT pg_advisory_xact_lock(125786542335858)"

int64_t rq_store_schema_latest(void)
{
	return migrations[MIGRATION_COUNT - 1].version;
}

/* `sql` with @ID@ replaced by the dialect's key type; free() the result. */
static char *dialect_sql(const rq_store *s, const char *sql)
{
	const char *id = rq_store_dialect_of(s) == RQ_STORE_SQLITE ? "INTEGER PRIMARY KEY AUTOINCREMENT"
								    : "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY";
	size_t n = 0, idlen = strlen(id);
	char *out, *o;
	for (const char *p = strstr(sql, "@ID@"); p; p = strstr(p + 4, "@ID@"))
		n++;
	out = malloc(strlen(sql) + n * idlen + 1);
	if (!out)
		return NULL;
	o = out;
	for (const char *p = sql;;) {
		const char *hit = strstr(p, "@ID@");
		size_t len = hit ? (size_t)(hit - p) : strlen(p);
		memcpy(o, p, len);
		o += len;
		if (!hit)
			break;
		memcpy(o, id, idlen);
		o += idlen;
		p = hit + 4;
	}
	*o = '\0';
	return out;
}

int rq_store_schema_version(rq_store *s, int64_t *out)
{
	int rc;
	rq_stmt *st = NULL;
	*out = 0;
	rc = rq_store_prepare(s, &st, "SELECT MAX(version) FROM schema_migrations");
	if (rc < 0)
		goto done;
	rc = rq_stmt_step_int64(st, out);
done:
	rq_stmt_finalize(st);
	return rc;
}

static int check_not_newer(int64_t version)
{
	if (version > rq_store_schema_latest())
		return rq_fail(RQ_EUNSUPPORTED,
			       "store: the database schema is version %lld, newer than this program's %lld: "
			       "run a raquet-server at least as new as the one that wrote it",
			       (long long)version, (long long)rq_store_schema_latest());
	return 0;
}

static int lock_if_pg(rq_store *s)
{
	return rq_store_dialect_of(s) == RQ_STORE_POSTGRES ? rq_store_exec(s, PG_MIGRATION_LOCK) : 0;
}

static int create_bookkeeping(rq_store *s, void *payload)
{
	int rc = lock_if_pg(s);
	(void)payload;
	if (rc == 0)
		rc = rq_store_exec(s, "CREATE TABLE IF NOT EXISTS schema_migrations ("
				      " version BIGINT PRIMARY KEY,"
				      " name TEXT NOT NULL,"
				      " applied_at BIGINT NOT NULL)");
	return rc;
}

/* *out 1 when migration `version` is recorded as applied. */
static int applied(rq_store *s, int64_t version, int *out)
{
	rq_stmt *st = NULL;
	int64_t n = 0;
	int rc = rq_store_prepare(s, &st, "SELECT COUNT(*) FROM schema_migrations WHERE version = $1");
	if (rc == 0 && (rc = rq_stmt_bind_int64(st, 1, version)) == 0)
		rc = rq_stmt_step_int64(st, &n);
	rq_stmt_finalize(st);
	*out = n > 0;
	return rc;
}

static int apply_one(rq_store *s, void *payload)
{
	const migration *m = payload;
	int done_before = 0;
	char *sql = NULL;
	rq_stmt *st = NULL;
	int rc = lock_if_pg(s);
	if (rc < 0)
		goto done;
	/* look again under the lock: another server may have applied it */
	rc = applied(s, m->version, &done_before);
	if (rc < 0 || done_before)
		goto done;
	sql = dialect_sql(s, m->sql);
	if (!sql) {
		rc = rq_fail(RQ_ENOMEM, "store: out of memory migrating");
		goto done;
	}
	rc = rq_store_exec(s, sql);
	if (rc == 0 && m->sqlite_sql && rq_store_dialect_of(s) == RQ_STORE_SQLITE)
		rc = rq_store_exec(s, m->sqlite_sql);
	if (rc == 0 && m->pg_sql && rq_store_dialect_of(s) == RQ_STORE_POSTGRES)
		rc = rq_store_exec(s, m->pg_sql);
	if (rc < 0)
		goto done;
	rc = rq_store_prepare(s, &st, "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)");
	if (rc < 0)
		goto done;
	if ((rc = rq_stmt_bind_int64(st, 1, m->version)) < 0 || (rc = rq_stmt_bind_text(st, 2, m->name)) < 0 ||
	    (rc = rq_stmt_bind_int64(st, 3, (int64_t)time(NULL))) < 0)
		goto done;
	rc = rq_stmt_step(st);
done:
	rq_stmt_finalize(st);
	free(sql);
	if (rc < 0) {
		char why[768];
		snprintf(why, sizeof(why), "%s", rq_error_last());
		rq_fail(rc, "store: migration %lld (%s): %s", (long long)m->version, m->name, why);
	}
	return rc < 0 ? rc : 0;
}

int rq_store_migrate(rq_store *s)
{
	int rc;
	int64_t version = 0;
	if (rq_store_in_transaction(s))
		return rq_fail(RQ_EINVAL, "store: migrate inside a transaction");
	rc = rq_store_transact(s, create_bookkeeping, NULL);
	if (rc < 0)
		goto done;
	rc = rq_store_schema_version(s, &version);
	if (rc < 0 || (rc = check_not_newer(version)) < 0)
		goto done;
	/* every migration not recorded, not only those above the highest: a
	 * store may have been made by a build that had a later migration
	 * before an earlier one was added (numbers are handed out ahead) */
	for (size_t i = 0; i < MIGRATION_COUNT; i++) {
		int done_before = 0;
		if ((rc = applied(s, migrations[i].version, &done_before)) < 0)
			goto done;
		if (done_before)
			continue;
		rc = rq_store_transact(s, apply_one, (void *)&migrations[i]);
		if (rc < 0)
			goto done;
	}
done:
	return rc;
}
