/*
 * The agent's signature updates (updater.h): choose the mirror and its TLS
 * trust (the server's own /mirror with the enrollment's CA and pin, or the
 * configured mirror with the system's CAs), load the trusted keys, run
 * rq_update_run (lib/db/update.c) on the agent's database folder and turn
 * its per-database outcomes into the report. Guide: docs/agent.md,
 * "Signature updates".
 */
#include "updater.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/error.h"
#include "db/sign.h"
#include "db/update.h"

/* Where the authority (user:password@host:port) of an http(s) URL is; -1 when not such a URL. */
static int authority(const char *url, size_t *start, size_t *len, int *https)
{
	if (!strncasecmp(url, "https://", 8)) {
		*start = 8;
		*https = 1;
	} else if (!strncasecmp(url, "http://", 7)) {
		*start = 7;
		*https = 0;
	} else {
		return -1;
	}
	*len = strcspn(url + *start, "/?#");
	return 0;
}

/*
 * "scheme://host:port" of an http(s) URL, lower-case, the port made
 * explicit, any user:password@ dropped; -1 when not such a URL. Two URLs
 * with one origin reach the same server.
 */
static int origin_of(const char *url, char *out, size_t size)
{
	size_t start, len;
	int https;
	if (authority(url, &start, &len, &https) != 0)
		return -1;
	const char *a = url + start, *end = a + len;
	const char *at = memrchr(a, '@', len);
	if (at)
		a = at + 1;
	const char *host_end;
	if (*a == '[') {
		host_end = memchr(a, ']', (size_t)(end - a));
		if (!host_end)
			return -1;
		host_end++;
	} else {
		host_end = memchr(a, ':', (size_t)(end - a));
		if (!host_end)
			host_end = end;
	}
	const char *port = https ? "443" : "80";
	size_t port_len = strlen(port);
	if (host_end < end && *host_end == ':' && host_end + 1 < end) {
		port = host_end + 1;
		port_len = (size_t)(end - port);
	}
	if (host_end == a ||
	    (size_t)snprintf(out, size, "%s://%.*s:%.*s", https ? "https" : "http", (int)(host_end - a), a,
			     (int)port_len, port) >= size)
		return -1;
	for (char *p = out; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return 0;
}

static int same_origin(const char *a, const char *b)
{
	char oa[RQ_AGENT_MAX_URL + 16], ob[RQ_AGENT_MAX_URL + 16];
	return origin_of(a, oa, sizeof(oa)) == 0 && origin_of(b, ob, sizeof(ob)) == 0 && !strcmp(oa, ob);
}

/* `url` without any user:password@ (it goes to the server in the report). */
static void copy_redacted(char *out, size_t size, const char *url)
{
	size_t start, len;
	int https;
	const char *at = NULL;
	if (authority(url, &start, &len, &https) == 0)
		at = memrchr(url + start, '@', len);
	if (at)
		snprintf(out, size, "%.*s%s", (int)start, url, at + 1);
	else
		snprintf(out, size, "%s", url);
}

typedef struct collector {
	rq_agent_update_report *out;
	int oom; /* an entry could not be added to out->databases */
} collector;

static void on_result(const rq_update_result *r, void *payload)
{
	collector *c = payload;
	rq_agent_update_report *out = c->out;
	switch (r->status) {
	case RQ_UPDATE_INSTALLED: out->installed++; break;
	case RQ_UPDATE_CURRENT: out->current++; break;
	case RQ_UPDATE_REFUSED: out->refused++; break;
	default: out->failed++; break;
	}
	json_t *db = json_pack("{s:s, s:I, s:I, s:s}", "name", r->name, "old_version", (json_int_t)r->old_version,
			       "new_version", (json_int_t)r->new_version, "status",
			       rq_update_status_name(r->status));
	if (db && r->reason && json_object_set_new(db, "reason", json_string(r->reason)) != 0) {
		json_decref(db);
		db = NULL;
	}
	if (!db || json_array_append_new(out->databases, db) != 0)
		c->oom = 1;
}

/* The mirror and its trust into `o` (strings borrowed from cfg/st, or written to `url`). */
static int choose_mirror(const rq_agent_config *cfg, const rq_agent_state *st, rq_update_options *o,
			 char *url, size_t size, rq_agent_update_report *out)
{
	const char *server = cfg->server_url[0] ? cfg->server_url : st ? st->server_url : "";
	if (cfg->update_mirror[0]) {
		snprintf(url, size, "%s", cfg->update_mirror);
	} else if (*server) {
		size_t n = strlen(server);
		while (n && server[n - 1] == '/')
			n--;
		if ((size_t)snprintf(url, size, "%.*s/mirror", (int)n, server) >= size)
			return rq_fail(RQ_EINVAL, "%s: server URL too long", server);
	} else {
		return rq_fail(RQ_EINVAL, "no mirror to update from: the machine is not enrolled and "
					  "agent.conf sets no [update] mirror");
	}
	o->mirror = url;
	copy_redacted(out->mirror, sizeof(out->mirror), url);
	if (*server && same_origin(url, server)) {
		o->no_proxy = 1; /* as the agent's API calls, which also use CA and pin over https only */
		if (!strncasecmp(url, "https://", 8)) {
			out->server_trust = 1;
			o->ca_file = cfg->ca_file[0] ? cfg->ca_file : st ? st->ca_file : NULL;
			o->pinned_key = st ? st->pin : NULL;
		}
	}
	return 0;
}

int rq_agent_update(const rq_agent_config *cfg, const rq_agent_state *st, const volatile sig_atomic_t *cancel,
		    rq_agent_update_report *out)
{
	char url[PATH_MAX], db_dir[PATH_MAX];
	rq_keyring *ring = NULL;
	collector c = { out, 0 };
	rq_update_options o = { .retries = -1, .cancel = cancel };
	int rc;
	memset(out, 0, sizeof(*out));
	if (!(out->databases = json_array())) {
		rc = rq_fail(RQ_ENOMEM, "out of memory");
		goto done;
	}
	if ((rc = choose_mirror(cfg, st, &o, url, sizeof(url), out)) != 0)
		goto done;
	const char *keys = rq_agent_config_keys_dir(cfg);
	if ((rc = rq_keyring_new(&ring)) != 0 || (rc = rq_keyring_add_dir(ring, keys)) != 0)
		goto done;
	if (rq_keyring_count(ring) == 0) {
		rc = rq_fail(RQ_ENOTFOUND, "%s: no trusted keys (*.pub): no database can be verified", keys);
		goto done;
	}
	o.db_dir = rq_agent_config_db_dir(cfg, db_dir, sizeof(db_dir));
	o.ring = ring;
	rc = rq_update_run(&o, on_result, &c);
	if (rc == 0 && c.oom)
		rc = rq_fail(RQ_ENOMEM, "out of memory: the update report lacks databases (its counts are right)");
done:
	if (rc != 0)
		snprintf(out->error, sizeof(out->error), "%s", rq_error_last());
	rq_keyring_free(ring);
	return rc;
}

void rq_agent_update_report_clear(rq_agent_update_report *r)
{
	json_decref(r->databases);
	memset(r, 0, sizeof(*r));
}

json_t *rq_agent_update_report_json(const rq_agent_update_report *r)
{
	json_t *dbs = r->databases ? json_incref(r->databases) : json_array();
	json_t *obj = json_pack("{s:s, s:b, s:I, s:I, s:I, s:I, s:o}", "mirror", r->mirror, "server_trust",
				r->server_trust, "installed", (json_int_t)r->installed, "current",
				(json_int_t)r->current, "refused", (json_int_t)r->refused, "failed",
				(json_int_t)r->failed, "databases", dbs); /* takes dbs, even on failure */
	if (obj && r->error[0] && json_object_set_new(obj, "error", json_string(r->error)) != 0) {
		json_decref(obj);
		obj = NULL;
	}
	return obj;
}
