/*
 * Endpoints (see endpoints.h): creation, heartbeats, reading one back,
 * agent credentials and enrollment. A heartbeat is one UPDATE on
 * PostgreSQL; on SQLite it reads the row and writes only the columns that
 * changed (and last_seen).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "store/endpoints.h"
#include "store/tokens.h"

static int bind_opt_text(rq_stmt *st, int idx, const char *v)
{
	return v ? rq_stmt_bind_text(st, idx, v) : rq_stmt_bind_null(st, idx);
}

static int bind_opt_int(rq_stmt *st, int idx, int64_t v, int64_t unset)
{
	return v != unset ? rq_stmt_bind_int64(st, idx, v) : rq_stmt_bind_null(st, idx);
}

/* A vault size, NULL when not reported: 0 free bytes is a full disk, not unknown. */
static int bind_vault(rq_stmt *st, int idx, const rq_endpoint_status *e, int64_t v)
{
	return e->vault_known ? rq_stmt_bind_int64(st, idx, v) : rq_stmt_bind_null(st, idx);
}

/* Parameters 2..18 in the order of the column list below. */
static int bind_status(rq_stmt *st, const rq_endpoint_status *e)
{
	int rc;
	if ((rc = bind_opt_text(st, 2, e->hostname)) < 0 || (rc = bind_opt_text(st, 3, e->kind)) < 0 ||
	    (rc = bind_opt_text(st, 4, e->machine_id)) < 0 || (rc = bind_opt_text(st, 5, e->os_name)) < 0 ||
	    (rc = bind_opt_text(st, 6, e->os_version)) < 0 || (rc = bind_opt_text(st, 7, e->ips_json)) < 0 ||
	    (rc = bind_opt_text(st, 8, e->macs_json)) < 0 || (rc = bind_opt_text(st, 9, e->agent_version)) < 0 ||
	    (rc = bind_opt_text(st, 10, e->db_versions_json)) < 0 ||
	    (rc = bind_opt_int(st, 11, e->db_newest_build, 0)) < 0 ||
	    (rc = bind_opt_int(st, 12, e->realtime < 0 ? -1 : !!e->realtime, -1)) < 0 ||
	    (rc = bind_opt_int(st, 13, e->firewall < 0 ? -1 : !!e->firewall, -1)) < 0 ||
	    (rc = bind_opt_text(st, 14, e->status)) < 0 || (rc = bind_opt_int(st, 15, e->last_full_scan, 0)) < 0 ||
	    (rc = bind_opt_int(st, 16, e->last_update, 0)) < 0 ||
	    (rc = bind_vault(st, 17, e, e->vault_free)) < 0 || (rc = bind_vault(st, 18, e, e->vault_total)) < 0)
		return rc;
	return 0;
}

int rq_store_endpoint_create(rq_store *s, int64_t *out_id, int64_t unit_id, const rq_endpoint_status *e,
			     int64_t now)
{
	rq_stmt *st = NULL;
	int rc;
	*out_id = 0;
	if (!e || !e->hostname)
		return rq_fail(RQ_EINVAL, "store: an endpoint needs a hostname");
	rc = rq_store_prepare(s, &st,
			      "INSERT INTO endpoints (unit_id, hostname, kind, machine_id, os_name, os_version, ips, macs,"
			      " agent_version, db_versions, db_newest_build, realtime, firewall, status, last_full_scan,"
			      " last_update, vault_free, vault_total, created_at, last_seen)"
			      " VALUES ($1, $2, COALESCE($3, 'workstation'), COALESCE($4, ''), COALESCE($5, ''),"
			      " COALESCE($6, ''), COALESCE($7, '[]'), COALESCE($8, '[]'), COALESCE($9, ''),"
			      " COALESCE($10, '{}'), $11, COALESCE($12, 0), COALESCE($13, 0), COALESCE($14, 'unknown'),"
			      " $15, $16, $17, $18, $19, $19) RETURNING id");
	if (rc < 0)
		goto done;
	if ((rc = rq_stmt_bind_int64(st, 1, unit_id)) < 0 || (rc = bind_status(st, e)) < 0 ||
	    (rc = rq_stmt_bind_int64(st, 19, now)) < 0)
		goto done;
	rc = rq_stmt_step_int64(st, out_id);
done:
	rq_stmt_finalize(st);
	return rc;
}

/* Prepare `sql` (one endpoint by $1 = id) into *st and step to its row:
 * 0 on the row, RQ_ENOTFOUND when there is none. *st is always to finalize. */
static int endpoint_row(rq_store *s, rq_stmt **st, int64_t id, const char *sql)
{
	int rc = rq_store_prepare(s, st, sql);
	if (rc < 0 || (rc = rq_stmt_bind_int64(*st, 1, id)) < 0)
		return rc;
	rc = rq_stmt_step(*st);
	if (rc == RQ_STORE_DONE)
		rc = rq_fail(RQ_ENOTFOUND, "store: endpoint %lld not found", (long long)id);
	return rc < 0 ? rc : 0;
}

/* The columns a heartbeat may change, in the order of the SELECT below. */
static const char *const hb_columns[] = {"hostname",	"kind",	      "machine_id",	 "os_name",
					 "os_version",	"ips",	      "macs",		 "agent_version",
					 "db_versions", "db_newest_build", "realtime", "firewall",
					 "status",	"last_full_scan",  "last_update", "vault_free",
					 "vault_total"};
#define HB_COLUMNS (sizeof(hb_columns) / sizeof(hb_columns[0]))
#define HB_FIRST_INT 9 /* db_newest_build and after are integers */
#define HB_VAULT 15    /* vault_free, vault_total: given together, 0 is a value */

/* The heartbeat's value of column i: text, or *num with 1 returned; 0 = not given. */
static int hb_value(const rq_endpoint_status *e, size_t i, const char **text, int64_t *num)
{
	const char *t[] = {e->hostname, e->kind,	  e->machine_id,    e->os_name,	      e->os_version,
			   e->ips_json, e->macs_json,	  e->agent_version, e->db_versions_json};
	const int64_t n[] = {e->db_newest_build, e->realtime < 0 ? -1 : !!e->realtime,
			     e->firewall < 0 ? -1 : !!e->firewall, 0, e->last_full_scan, e->last_update,
			     e->vault_free, e->vault_total};
	*text = NULL;
	*num = 0;
	if (i < HB_FIRST_INT) {
		*text = t[i];
		return *text != NULL;
	}
	if (i == 12) { /* status: text among the integers */
		*text = e->status;
		return *text != NULL;
	}
	*num = n[i - HB_FIRST_INT];
	if (i >= HB_VAULT)
		return e->vault_known;
	return (i == 10 || i == 11) ? *num >= 0 : *num != 0;
}

/*
 * PostgreSQL: one UPDATE whose NULL parameters keep the stored column. A
 * read first would cost a round trip, and PostgreSQL writes a new row
 * version whatever changed (last_seen is indexed, so never in place).
 */
static int heartbeat_pg(rq_store *s, int64_t id, const rq_endpoint_status *e, int64_t now)
{
	rq_stmt *st = NULL;
	int rc = rq_store_prepare(s, &st,
				  "UPDATE endpoints SET hostname = COALESCE($2, hostname), kind = COALESCE($3, kind),"
				  " machine_id = COALESCE($4, machine_id), os_name = COALESCE($5, os_name),"
				  " os_version = COALESCE($6, os_version), ips = COALESCE($7, ips),"
				  " macs = COALESCE($8, macs), agent_version = COALESCE($9, agent_version),"
				  " db_versions = COALESCE($10, db_versions),"
				  " db_newest_build = COALESCE($11, db_newest_build),"
				  " realtime = COALESCE($12, realtime), firewall = COALESCE($13, firewall),"
				  " status = COALESCE($14, status), last_full_scan = COALESCE($15, last_full_scan),"
				  " last_update = COALESCE($16, last_update),"
				  " vault_free = COALESCE($17, vault_free), vault_total = COALESCE($18, vault_total),"
				  " last_seen = $19 WHERE id = $1");
	if (rc < 0)
		goto done;
	if ((rc = rq_stmt_bind_int64(st, 1, id)) < 0 || (rc = bind_status(st, e)) < 0 ||
	    (rc = rq_stmt_bind_int64(st, 19, now)) < 0)
		goto done;
	rc = rq_stmt_step(st);
	if (rc == RQ_STORE_DONE && rq_stmt_changes(st) == 0)
		rc = rq_fail(RQ_ENOTFOUND, "store: endpoint %lld not found", (long long)id);
done:
	rq_stmt_finalize(st);
	return rc < 0 ? rc : 0;
}

/*
 * SQLite: a heartbeat writes only the columns whose value changed, plus
 * last_seen: the row is read first (the group-commit writer's page cache
 * has it), so an unchanged hostname or OS does not rewrite its index
 * entries. The UPDATE text depends only on which columns changed, so its
 * few variants stay in the statement cache.
 */
int rq_store_endpoint_heartbeat(rq_store *s, int64_t id, const rq_endpoint_status *e, int64_t now)
{
	rq_stmt *st = NULL;
	char sql[1024];
	unsigned changed = 0;
	int rc;
	if (rq_store_dialect_of(s) == RQ_STORE_POSTGRES)
		return heartbeat_pg(s, id, e, now);
	rc = endpoint_row(s, &st, id,
			  "SELECT hostname, kind, machine_id, os_name, os_version, ips, macs, agent_version,"
			  " db_versions, db_newest_build, realtime, firewall, status, last_full_scan, last_update,"
			  " vault_free, vault_total, last_seen FROM endpoints WHERE id = $1");
	if (rc < 0)
		goto done;
	for (size_t i = 0; i < HB_COLUMNS; i++) {
		const char *text;
		int64_t num;
		if (!hb_value(e, i, &text, &num))
			continue;
		if (text) {
			const char *old = rq_stmt_column_text(st, (int)i);
			if (!old || strcmp(old, text) != 0)
				changed |= 1u << i;
		} else if (rq_stmt_column_is_null(st, (int)i) || rq_stmt_column_int64(st, (int)i) != num) {
			changed |= 1u << i;
		}
	}
	if (!changed && !rq_stmt_column_is_null(st, HB_COLUMNS) && rq_stmt_column_int64(st, HB_COLUMNS) == now)
		goto done; /* nothing new within the same second */
	rq_stmt_finalize(st);
	st = NULL;
	size_t n = (size_t)snprintf(sql, sizeof(sql), "UPDATE endpoints SET last_seen = $2");
	int param = 3;
	for (size_t i = 0; i < HB_COLUMNS; i++)
		if (changed & (1u << i))
			n += (size_t)snprintf(sql + n, sizeof(sql) - n, ", %s = $%d", hb_columns[i], param++);
	snprintf(sql + n, sizeof(sql) - n, " WHERE id = $1");
	rc = rq_store_prepare(s, &st, sql);
	if (rc < 0 || (rc = rq_stmt_bind_int64(st, 1, id)) < 0 || (rc = rq_stmt_bind_int64(st, 2, now)) < 0)
		goto done;
	param = 3;
	for (size_t i = 0; i < HB_COLUMNS && rc == 0; i++) {
		const char *text;
		int64_t num;
		if (!(changed & (1u << i)))
			continue;
		hb_value(e, i, &text, &num);
		rc = text ? rq_stmt_bind_text(st, param++, text) : rq_stmt_bind_int64(st, param++, num);
	}
	if (rc == 0)
		rc = rq_stmt_step(st);
done:
	rq_stmt_finalize(st);
	return rc < 0 ? rc : 0;
}

void rq_store_endpoint_clear(rq_endpoint *e)
{
	const char **fields[] = {&e->st.hostname,	  &e->st.kind,	     &e->st.machine_id,
				 &e->st.os_name,	  &e->st.os_version, &e->st.ips_json,
				 &e->st.macs_json,	  &e->st.agent_version, &e->st.db_versions_json,
				 &e->st.status};
	if (!e)
		return;
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		free((char *)*fields[i]);
	memset(e, 0, sizeof(*e));
}

int rq_store_endpoint_get(rq_store *s, int64_t id, rq_endpoint *out)
{
	rq_stmt *st = NULL;
	int rc;
	memset(out, 0, sizeof(*out));
	const char **text[] = {&out->st.hostname,      &out->st.kind,	     &out->st.machine_id,
			       &out->st.os_name,       &out->st.os_version, &out->st.ips_json,
			       &out->st.macs_json,     &out->st.agent_version, &out->st.db_versions_json,
			       &out->st.status};
	rc = endpoint_row(s, &st, id,
			  "SELECT hostname, kind, machine_id, os_name, os_version, ips, macs, agent_version,"
			  " db_versions, status, unit_id, created_at, last_seen, db_newest_build, realtime,"
			  " firewall, last_full_scan, last_update, vault_free, vault_total FROM endpoints WHERE id = $1");
	if (rc < 0)
		goto done;
	for (int i = 0; i < 10; i++) {
		const char *v = rq_stmt_column_text(st, i);
		if (!(*text[i] = strdup(v ? v : ""))) {
			rc = rq_fail(RQ_ENOMEM, "store: out of memory reading an endpoint");
			goto done;
		}
	}
	out->id = id;
	out->unit_id = rq_stmt_column_int64(st, 10);
	out->created_at = rq_stmt_column_int64(st, 11);
	out->last_seen = rq_stmt_column_int64(st, 12);
	out->st.db_newest_build = rq_stmt_column_int64(st, 13);
	out->st.realtime = (int)rq_stmt_column_int64(st, 14);
	out->st.firewall = (int)rq_stmt_column_int64(st, 15);
	out->st.last_full_scan = rq_stmt_column_int64(st, 16);
	out->st.last_update = rq_stmt_column_int64(st, 17);
	out->st.vault_known = !rq_stmt_column_is_null(st, 18);
	out->st.vault_free = rq_stmt_column_int64(st, 18);
	out->st.vault_total = rq_stmt_column_int64(st, 19);
done:
	rq_stmt_finalize(st);
	if (rc < 0)
		rq_store_endpoint_clear(out);
	return rc;
}

int rq_store_credential_add(rq_store *s, int64_t *out_id, int64_t endpoint_id, const char *secret_hash, int64_t now)
{
	rq_stmt *st = NULL;
	int rc;
	*out_id = 0;
	if (!secret_hash)
		return rq_fail(RQ_EINVAL, "store: no secret hash given");
	rc = rq_store_prepare(s, &st,
			      "INSERT INTO agent_credentials (endpoint_id, secret_hash, created_at)"
			      " VALUES ($1, $2, $3) RETURNING id");
	if (rc < 0)
		goto done;
	if ((rc = rq_stmt_bind_int64(st, 1, endpoint_id)) < 0 || (rc = rq_stmt_bind_text(st, 2, secret_hash)) < 0 ||
	    (rc = rq_stmt_bind_int64(st, 3, now)) < 0)
		goto done;
	rc = rq_stmt_step_int64(st, out_id);
done:
	rq_stmt_finalize(st);
	return rc;
}

int rq_store_credential_lookup(rq_store *s, int64_t endpoint_id, char *buf, size_t size, int64_t *out_unit_id)
{
	rq_stmt *st = NULL;
	const char *hash;
	int rc = rq_store_prepare(s, &st,
				  "SELECT c.secret_hash, e.unit_id FROM agent_credentials c"
				  " JOIN endpoints e ON e.id = c.endpoint_id"
				  " WHERE c.endpoint_id = $1 AND c.revoked_at IS NULL"
				  " ORDER BY c.created_at DESC, c.id DESC LIMIT 1");
	if (rc < 0 || (rc = rq_stmt_bind_int64(st, 1, endpoint_id)) < 0)
		goto done;
	rc = rq_stmt_step(st);
	if (rc == RQ_STORE_DONE)
		rc = rq_fail(RQ_ENOTFOUND, "store: endpoint %lld has no credential", (long long)endpoint_id);
	if (rc < 0)
		goto done;
	hash = rq_stmt_column_text(st, 0);
	if (!hash || strlen(hash) >= size) {
		rc = rq_fail(RQ_ELIMIT, "store: credential of endpoint %lld too long for its buffer",
			     (long long)endpoint_id);
		goto done;
	}
	memcpy(buf, hash, strlen(hash) + 1);
	if (out_unit_id)
		*out_unit_id = rq_stmt_column_int64(st, 1);
	rc = 0;
done:
	rq_stmt_finalize(st);
	return rc;
}

int rq_store_credential_current(rq_store *s, int64_t endpoint_id, char *buf, size_t size)
{
	return rq_store_credential_lookup(s, endpoint_id, buf, size, NULL);
}

typedef struct enroll_args {
	const char *token_hash, *secret_hash;
	const rq_endpoint_status *st;
	int64_t now, endpoint_id, unit_id;
} enroll_args;

static int enroll_tx(rq_store *s, void *payload)
{
	enroll_args *a = payload;
	int64_t cred;
	int rc = rq_store_token_consume(s, a->token_hash, a->now, &a->unit_id, NULL);
	if (rc == 0)
		rc = rq_store_endpoint_create(s, &a->endpoint_id, a->unit_id, a->st, a->now);
	if (rc == 0)
		rc = rq_store_credential_add(s, &cred, a->endpoint_id, a->secret_hash, a->now);
	return rc;
}

int rq_store_enroll(rq_store *s, const char *token_hash, const rq_endpoint_status *st, const char *secret_hash,
		    int64_t now, int64_t *out_endpoint_id, int64_t *out_unit_id)
{
	enroll_args a = {token_hash, secret_hash, st, now, 0, 0};
	int rc = rq_store_transact(s, enroll_tx, &a);
	*out_endpoint_id = rc == 0 ? a.endpoint_id : 0;
	if (out_unit_id)
		*out_unit_id = rc == 0 ? a.unit_id : 0;
	return rc;
}
