/*
 * Syncing the upstream's databases into this server's mirror (downward.h).
 */
#include "tier/downward.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/error.h"
#include "db/mirror.h"
#include "db/sign.h"
#include "db/update.h"
#include "http/log.h"

/* Databases one sync handles at most (an index lists a handful: main, daily...). */
#define SYNC_MAX_DBS 64

typedef struct synced {
	const rq_srv_config *cfg;
	char names[SYNC_MAX_DBS][RQ_MIRROR_NAME_MAX + 1];
	uint64_t versions[SYNC_MAX_DBS];
	size_t count;
	int refused;
	char why[256]; /* the first refusal */
} synced;

static void on_result(const rq_update_result *r, void *payload)
{
	synced *s = payload;
	if (r->status == RQ_UPDATE_REFUSED || r->status == RQ_UPDATE_FAILED) {
		if (!s->refused)
			snprintf(s->why, sizeof(s->why), "database %s version %llu %s: %s", r->name,
				 (unsigned long long)r->new_version, rq_update_status_name(r->status),
				 r->reason ? r->reason : "");
		s->refused = 1;
		rq_log(RQ_LOG_ERROR, "upstream: database %s version %llu %s: %s (not published here)", r->name,
		       (unsigned long long)r->new_version, rq_update_status_name(r->status),
		       r->reason ? r->reason : "");
		return;
	}
	if (!strcmp(r->name, s->cfg->intel_database)) {
		rq_log(RQ_LOG_DEBUG, "upstream: database %s is this server's own intelligence database: not taken",
		       r->name);
		return;
	}
	if (s->count < SYNC_MAX_DBS) {
		snprintf(s->names[s->count], sizeof(s->names[0]), "%s", r->name);
		s->versions[s->count++] = r->new_version ? r->new_version : r->old_version;
	}
}

/* The version of `name` this server's mirror lists (0: none). */
static uint64_t listed_version(const rq_mirror_index *idx, const char *name)
{
	const rq_mirror_db *db = idx ? rq_mirror_index_find(idx, name) : NULL;
	return db ? db->version : 0;
}

/* This server's mirror index (empty when there is none yet). */
static int read_own_index(const char *dir, rq_mirror_index *out)
{
	char path[4096];
	FILE *f;
	uint8_t *buf = NULL;
	long n;
	int rc = 0;
	memset(out, 0, sizeof(*out));
	snprintf(path, sizeof(path), "%s/%s", dir, RQ_MIRROR_INDEX);
	if (!(f = fopen(path, "rb")))
		return errno == ENOENT ? 0 : rq_fail_errno(RQ_EIO, errno, "upstream: %s", path);
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (buf = malloc((size_t)n + 1)) && fread(buf, 1, (size_t)n, f) == (size_t)n)
		rc = rq_mirror_index_parse(out, buf, (size_t)n);
	else
		rc = rq_fail(RQ_EIO, "upstream: cannot read %s", path);
	free(buf);
	fclose(f);
	return rc;
}

static void on_published(const rq_mirror_db *db, uint64_t old_version, void *payload)
{
	(void)payload;
	rq_log(RQ_LOG_INFO, "upstream: database %s version %llu published to this server's agents (was %llu)",
	       db->name, (unsigned long long)db->version, (unsigned long long)old_version);
}

int rq_tier_sync_databases(const rq_srv_config *cfg, int *out_published)
{
	rq_keyring *ring = NULL;
	rq_signkey *key = NULL;
	rq_mirror_index own;
	synced s;
	char url[4096], paths[SYNC_MAX_DBS][4096];
	const char *files[SYNC_MAX_DBS];
	size_t n = 0, ulen = strlen(cfg->upstream_url);
	int rc = 0;
	memset(&own, 0, sizeof(own));
	memset(&s, 0, sizeof(s));
	s.cfg = cfg;
	if (out_published)
		*out_published = 0;
	if (!*cfg->upstream_keys_dir)
		return 0;
	if (mkdir(cfg->upstream_databases_dir, 0700) < 0 && errno != EEXIST)
		return rq_fail_errno(RQ_EIO, errno, "upstream: %s", cfg->upstream_databases_dir);
	if ((rc = rq_keyring_new(&ring)) < 0 || (rc = rq_keyring_add_dir(ring, cfg->upstream_keys_dir)) < 0)
		goto done;
	snprintf(url, sizeof(url), "%.*s/mirror", (int)(ulen && cfg->upstream_url[ulen - 1] == '/' ? ulen - 1 : ulen),
		 cfg->upstream_url);
	rq_update_options o = { .mirror = url, .db_dir = cfg->upstream_databases_dir, .ring = ring,
				.timeout = (long)cfg->upstream_timeout, .retries = 1,
				.ca_file = *cfg->upstream_ca_file ? cfg->upstream_ca_file : NULL, .no_proxy = 1 };
	rc = rq_update_run(&o, on_result, &s);
	if (rc < 0 && !(rc == RQ_EVERIFY && s.refused))
		goto done; /* the index itself could not be fetched or was refused */
	if ((rc = read_own_index(cfg->mirror_dir, &own)) < 0)
		goto done;
	for (size_t i = 0; i < s.count; i++) {
		if (listed_version(&own, s.names[i]) >= s.versions[i])
			continue;
		snprintf(paths[n], sizeof(paths[n]), "%s/%s.rqdb", cfg->upstream_databases_dir, s.names[i]);
		files[n] = paths[n];
		n++;
	}
	if (n > 0 && ((rc = rq_signkey_load(&key, cfg->intel_signing_key)) < 0 ||
		      (rc = rq_mirror_publish(cfg->mirror_dir, key, ring, files, n, 0, on_published, NULL)) < 0))
		goto done;
	if (out_published)
		*out_published = (int)n;
	rc = s.refused ? rq_fail(RQ_EVERIFY, "%s", s.why) : 0;
done:
	rq_mirror_index_clear(&own);
	rq_signkey_free(key);
	rq_keyring_free(ring);
	return rc;
}
