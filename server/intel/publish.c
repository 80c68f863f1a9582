/*
 * Compiling and publishing the indicators (publish.h). The files are
 * written into a private temporary folder, built into a .rqdb there and
 * handed to rq_mirror_publish, which copies it into the mirror beside its
 * final name, fsyncs and renames the signed index last: a crash anywhere
 * leaves the previous database served, and the store's change counter
 * (intel_state) makes the next start publish again.
 */
#include "intel/publish.h"

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/error.h"
#include "core/util.h"
#include "db/mirror.h"
#include "db/rqdb_build.h"
#include "db/sign.h"
#include "http/log.h"
#include "store/intel.h"
#include "worker/ticker.h"

/* A detection label as the signature files take it: [A-Za-z0-9._-], the
 * rest as '_', so no separator or line break reaches a signature line. */
static void label(char *out, size_t size, const char *text)
{
	size_t n = 0;
	for (const char *p = text; *p && n + 1 < size; p++) {
		unsigned char c = (unsigned char)*p;
		int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
			 c == '-' || c == '_';
		if (ok)
			out[n++] = (char)c;
		else if (n && out[n - 1] != '_')
			out[n++] = '_';
	}
	while (n && out[n - 1] == '_')
		n--;
	out[n] = '\0';
}

typedef struct compile_ctx {
	FILE *iocs, *allow;
	const char *dir;
	rq_intel_compiled counts;
	int failed;
} compile_ctx;

static int is_hash(const char *type)
{
	return !strcmp(type, "md5") || !strcmp(type, "sha1") || !strcmp(type, "sha256");
}

static int write_yara(compile_ctx *c, const rq_intel_row *r)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/intel-yara-%lld.yar", c->dir, (long long)r->id);
	FILE *f = fopen(path, "w");
	if (!f)
		return rq_fail_errno(RQ_EIO, errno, "%s", path);
	size_t n = r->body ? strlen(r->body) : 0;
	int rc = fwrite(r->body ? r->body : "", 1, n, f) == n ? 0 : rq_fail_errno(RQ_EIO, errno, "%s", path);
	if (fclose(f) != 0 && rc == 0)
		rc = rq_fail_errno(RQ_EIO, errno, "%s", path);
	return rc;
}

static int one_row(const rq_intel_row *r, void *payload)
{
	compile_ctx *c = payload;
	char name[256];
	label(name, sizeof(name), *r->name ? r->name : r->description);
	if (r->allowlisted) { /* an allow-listed network indicator or rule is simply left out */
		if (is_hash(r->type)) {
			fprintf(c->allow, "%s:*:%s:73\n", r->value, *name ? name : "Intel.Allowlisted");
			c->counts.allowlisted++;
		}
		return 0;
	}
	if (!strcmp(r->type, "yara")) {
		if (write_yara(c, r) < 0) {
			c->failed = 1;
			return -1;
		}
		c->counts.yara++;
		return 0;
	}
	fprintf(c->iocs, "%s%s%s\n", r->value, *name ? ";" : "", name);
	if (is_hash(r->type))
		c->counts.hashes++;
	else
		c->counts.addresses++;
	return 0;
}

static int close_file(FILE *f, const char *path, int rc)
{
	if (f && (ferror(f) | fclose(f)) && rc == 0)
		rc = rq_fail(RQ_EIO, "%s: write failed", path);
	return rc;
}

int rq_intel_compile(rq_store *s, int64_t now, const char *dir, rq_intel_compiled *out)
{
	char iocs_path[4096], allow_path[4096];
	compile_ctx c = { .dir = dir };
	int rc = 0;
	snprintf(iocs_path, sizeof(iocs_path), "%s/intel.txt", dir);
	snprintf(allow_path, sizeof(allow_path), "%s/intel.sfp", dir);
	c.iocs = fopen(iocs_path, "w");
	c.allow = fopen(allow_path, "w");
	if (!c.iocs || !c.allow) {
		rc = rq_fail_errno(RQ_EIO, errno, "%s: cannot write the compiled indicators", dir);
		goto done;
	}
	/* a header row, so that no first indicator is ever read as one */
	fputs("indicator,description\n", c.iocs);
	rc = rq_store_intel_active(s, now, one_row, &c);
	if (rc < 0 && c.failed)
		rc = RQ_EIO;
done:
	rc = close_file(c.iocs, iocs_path, rc);
	rc = close_file(c.allow, allow_path, rc);
	if (rc == 0 && out)
		*out = c.counts;
	return rc;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* The version to publish: one above what the mirror lists and what was published last. */
static int next_version(const char *mirror_dir, const char *name, int64_t last_published, uint64_t *out)
{
	char path[4096];
	uint8_t *data = NULL;
	size_t len = 0;
	rq_mirror_index idx = { 0 };
	uint64_t listed = 0;
	int rc;
	snprintf(path, sizeof(path), "%s/" RQ_MIRROR_INDEX, mirror_dir);
	rc = rq_read_file(path, 16 * 1024 * 1024, &data, &len);
	if (rc == 0) {
		if ((rc = rq_mirror_index_parse(&idx, data, len)) < 0)
			goto done;
		const rq_mirror_db *db = rq_mirror_index_find(&idx, name);
		listed = db ? db->version : 0;
	} else if (access(path, F_OK) == 0) {
		goto done; /* there but unreadable: do not guess a version */
	}
	rc = 0;
	*out = (listed > (uint64_t)last_published ? listed : (uint64_t)last_published) + 1;
done:
	rq_mirror_index_clear(&idx);
	free(data);
	return rc;
}

int rq_intel_publish(rq_store *s, const rq_intel_publish_opts *o, int64_t now, uint64_t *out_version,
		     rq_intel_compiled *out_counts)
{
	char tmpl[2048], sigs[2100], out_path[2200];
	const char *tmp = getenv("TMPDIR");
	rq_signkey *key = NULL;
	rq_intel_state state;
	rq_intel_compiled counts = { 0 };
	uint64_t version = 0;
	int made = 0, rc;
	if ((rc = rq_store_intel_state(s, &state)) < 0)
		goto done;
	if (!tmp || !*tmp || strlen(tmp) > 1024)
		tmp = "/tmp";
	snprintf(tmpl, sizeof(tmpl), "%s/raquet-intel-XXXXXX", tmp);
	if (!mkdtemp(tmpl)) {
		rc = rq_fail_errno(RQ_EIO, errno, "intel: cannot make a temporary folder in %s", tmp);
		goto done;
	}
	made = 1;
	snprintf(sigs, sizeof(sigs), "%s/sigs", tmpl);
	snprintf(out_path, sizeof(out_path), "%s/%.63s.rqdb", tmpl, o->db_name);
	if (mkdir(sigs, 0700) < 0) {
		rc = rq_fail_errno(RQ_EIO, errno, "intel: %s", sigs);
		goto done;
	}
	if ((rc = rq_intel_compile(s, now, sigs, &counts)) < 0 ||
	    (rc = next_version(o->mirror_dir, o->db_name, state.published_version, &version)) < 0 ||
	    (rc = rq_signkey_load(&key, o->key_path)) < 0)
		goto done;
	rq_engine_options load = { .strict = 1, .no_builtin = 1 };
	rq_rqdb_build_opts b = { .name = o->db_name, .version = version, .built = now, .key = key,
				 .out_path = out_path, .load = &load };
	const char *paths[1] = { sigs };
	const char *files[1] = { out_path };
	if ((rc = rq_rqdb_build(&b, paths, 1, NULL)) < 0 ||
	    (rc = rq_mirror_publish(o->mirror_dir, key, NULL, files, 1, 0, NULL, NULL)) < 0)
		goto done;
	rc = rq_store_intel_published(s, state.generation, (int64_t)version, now, "");
	if (rc == 0 && out_version)
		*out_version = version;
	if (rc == 0 && out_counts)
		*out_counts = counts;
done:
	if (rc < 0) {
		char why[256];
		snprintf(why, sizeof(why), "%s", rq_error_last());
		rq_store_intel_published(s, 0, 0, now, why); /* best effort: the log has it too */
		rq_fail(rc, "%s", why);
	}
	rq_signkey_free(key);
	if (made)
		nftw(tmpl, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
	return rc;
}

struct rq_intel_publisher {
	const rq_srv_config *cfg;
	rq_ticker *ticker;
	rq_store *store; /* the worker's own connection */
};

/* Publish when the indicators changed (or one expired) and the interval since the last try has passed. */
static void tick(void *payload)
{
	rq_intel_publisher *p = payload;
	rq_intel_state st;
	int64_t now = (int64_t)time(NULL);
	int expired = 0;
	if (!p->store && rq_store_open(&p->store, p->cfg->store_url) < 0) {
		rq_log(RQ_LOG_WARNING, "intel: store: %s", rq_error_last());
		return;
	}
	if (rq_store_intel_state(p->store, &st) < 0 ||
	    rq_store_intel_expired_since(p->store, st.published_at, now, &expired) < 0) {
		rq_log(RQ_LOG_WARNING, "intel: store: %s", rq_error_last());
		rq_store_close(p->store);
		p->store = NULL;
		return;
	}
	if (st.generation == st.published_generation && !expired)
		return;
	if (now < st.published_at + (int64_t)p->cfg->intel_publish_interval && now >= st.published_at)
		return;
	rq_intel_publish_opts o = { .mirror_dir = p->cfg->mirror_dir, .key_path = p->cfg->intel_signing_key,
				    .db_name = p->cfg->intel_database };
	uint64_t version = 0;
	rq_intel_compiled c;
	if (rq_intel_publish(p->store, &o, now, &version, &c) < 0)
		rq_log(RQ_LOG_ERROR, "intel: the %s database was not published: %s (next try in %llu s)",
		       p->cfg->intel_database, rq_error_last(), p->cfg->intel_publish_interval);
	else
		rq_log(RQ_LOG_INFO,
		       "intel: published %s version %llu (%zu hashes, %zu addresses, %zu YARA files, %zu allow-listed)",
		       p->cfg->intel_database, (unsigned long long)version, c.hashes, c.addresses, c.yara,
		       c.allowlisted);
}

static void stopped(void *payload)
{
	rq_intel_publisher *p = payload;
	rq_store_close(p->store);
	p->store = NULL;
}

int rq_intel_publisher_start(rq_intel_publisher **out, const rq_srv_config *cfg)
{
	int rc = 0;
	rq_intel_publisher *p = NULL;
	*out = NULL;
	if (!cfg->intel_signing_key || !*cfg->intel_signing_key || !cfg->mirror_dir || !*cfg->mirror_dir)
		goto done;
	if (!(p = calloc(1, sizeof(*p)))) {
		rc = rq_fail(RQ_ENOMEM, "intel: out of memory");
		goto done;
	}
	p->cfg = cfg;
	if ((rc = rq_ticker_start(&p->ticker, RQ_INTEL_TICK, tick, stopped, p)) < 0) {
		free(p);
		rc = rq_fail(rc, "intel: cannot start the publisher");
		goto done;
	}
	*out = p;
done:
	return rc;
}

void rq_intel_publisher_stop(rq_intel_publisher *p)
{
	if (!p)
		return;
	rq_ticker_stop(p->ticker);
	free(p);
}
