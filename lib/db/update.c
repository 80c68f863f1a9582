/*
 * `raquet update` (update.h): fetch a mirror's signed index over HTTP(S)
 * with libcurl or from a folder, then per database download beside the
 * installed file, check size, SHA-256, signature and header, and swap it in
 * by rename keeping the previous version as NAME.rqdb.prev. A crash at any
 * point leaves NAME.rqdb either the old or the new file. Guide: docs/mirror.md.
 */
#include "db/update.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>


#include "core/error.h"
#include "core/limits.h"
#include "core/util.h"
#include "db/curl_dl.h"
#include "db/dbfs.h"
#include "db/mirror.h"
#include "db/rqdb.h"

#define LOCK_NAME ".update.lock"
#define NAME_BUF (RQ_MIRROR_NAME_MAX + 32)

/* --- where bytes come from: a folder or an URL --- */

typedef struct source {
	char *base;   /* folder path, or URL without the trailing '/' */
	int is_url;
	long timeout;
	int retries;
	const char *ca_file, *pinned_key;    /* borrowed from the options */
	int no_proxy;
	const volatile sig_atomic_t *cancel; /* may be NULL */
	CURL *curl;
} source;

/* Where fetched bytes go: a growable buffer (index) or a file (database). */
typedef struct sink {
	int fd;          /* >= 0: write here */
	uint8_t *buf;    /* else grow this */
	size_t len, cap;
	uint64_t max;    /* more is an error */
	int over;        /* the source sent more than max */
	int write_errno; /* a write to fd failed */
} sink;

static void sink_reset(sink *s)
{
	s->len = 0;
	s->over = 0;
	s->write_errno = 0;
	if (s->fd >= 0 && (ftruncate(s->fd, 0) != 0 || lseek(s->fd, 0, SEEK_SET) != 0))
		s->write_errno = errno;
}

/* Append bytes; 0 or -1 (over the limit, out of memory or a write error). */
static int sink_put(sink *s, const void *data, size_t n)
{
	if (n > s->max || s->len > s->max - n) {
		s->over = 1;
		return -1;
	}
	if (s->fd >= 0) {
		if (rq_write_all(s->fd, data, n) != 0) {
			s->write_errno = errno;
			return -1;
		}
	} else {
		if (s->len + n > s->cap) {
			size_t cap = s->cap ? s->cap : 4096;
			while (cap < s->len + n)
				cap *= 2;
			uint8_t *b = realloc(s->buf, cap);
			if (!b) {
				s->write_errno = ENOMEM;
				return -1;
			}
			s->buf = b;
			s->cap = cap;
		}
		memcpy(s->buf + s->len, data, n);
	}
	s->len += n;
	return 0;
}

static int sink_error(const sink *s, const char *what)
{
	if (s->over)
		return rq_fail(RQ_ELIMIT, "%s: larger than the %" PRIu64 " bytes expected", what, s->max);
	if (s->write_errno == ENOSPC)
		return rq_fail(RQ_EIO, "%s: disk full", what);
	return rq_fail_errno(RQ_EIO, s->write_errno, "%s: write failed", what);
}

static int fetch_local(source *src, const char *file, sink *out)
{
	int rc = 0;
	char path[4096];
	uint8_t buf[RQ_READ_CHUNK < 65536 ? RQ_READ_CHUNK : 65536];
	if ((size_t)snprintf(path, sizeof path, "%s/%s", src->base, file) >= sizeof path)
		return rq_fail(RQ_EINVAL, "%s/%s: path too long", src->base, file);
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return rq_fail_errno(errno == ENOENT ? RQ_ENOTFOUND : RQ_EIO, errno, "%s", path);
	for (;;) {
		ssize_t n = read(fd, buf, sizeof buf);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = rq_fail_errno(RQ_EIO, errno, "%s: read failed", path);
			break;
		}
		if (n == 0)
			break;
		if (sink_put(out, buf, (size_t)n) != 0) {
			rc = sink_error(out, path);
			break;
		}
	}
	close(fd);
	return rc;
}

static size_t curl_write(char *data, size_t size, size_t nmemb, void *payload)
{
	return sink_put(payload, data, size * nmemb) == 0 ? size * nmemb : 0;
}


/* First back-off delay; RQ_UPDATE_BACKOFF_MS overrides it so tests run fast. */
static long backoff_ms(void)
{
	const char *env = getenv("RQ_UPDATE_BACKOFF_MS");
	return env && *env ? strtol(env, NULL, 10) : RQ_UPDATE_BACKOFF_MS;
}

static int stopped(const source *src)
{
	return src->cancel && *src->cancel;
}

/* Sleep `ms`, in slices so that a stop request is seen within a quarter second; 0 or RQ_ESTOPPED. */
static int pause_ms(const source *src, long ms)
{
	while (ms > 0 && !stopped(src)) {
		long slice = ms < 250 ? ms : 250;
		struct timespec ts = { slice / 1000, (slice % 1000) * 1000000L };
		while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
			;
		ms -= slice;
	}
	return stopped(src) ? rq_fail(RQ_ESTOPPED, "%s: update stopped", src->base) : 0;
}

/* libcurl calls this at least once a second during a transfer: a stop request aborts it. */
static int on_progress(void *payload, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
		       curl_off_t ulnow)
{
	return stopped(payload) ? 1 : 0;
}

/* The mirror's certificate or pinned key did not verify (or the CA file is unusable). */
static int tls_refused(CURLcode cc)
{
	return cc == CURLE_PEER_FAILED_VERIFICATION || cc == CURLE_SSL_PINNEDPUBKEYNOTMATCH ||
	       cc == CURLE_SSL_CACERT_BADFILE || cc == CURLE_SSL_CERTPROBLEM;
}

/* Whether a failed transfer is worth trying again. */
static int transient(CURLcode cc, long http_code)
{
	switch (cc) {
	case CURLE_HTTP_RETURNED_ERROR:
		return http_code >= 500 || http_code == 408 || http_code == 429;
	case CURLE_WRITE_ERROR: /* our limit or the disk */
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_URL_MALFORMAT:
	case CURLE_OUT_OF_MEMORY:
	case CURLE_FILESIZE_EXCEEDED:
	case CURLE_TOO_MANY_REDIRECTS:
	case CURLE_ABORTED_BY_CALLBACK: /* a stop request */
		return 0;
	default:
		return !tls_refused(cc); /* the same certificate again would be refused again */
	}
}

static int fetch_url(source *src, const char *file, sink *out)
{
	int rc = 0;
	char url[4096], errbuf[CURL_ERROR_SIZE];
	if ((size_t)snprintf(url, sizeof url, "%s/%s", src->base, file) >= sizeof url)
		return rq_fail(RQ_EINVAL, "%s/%s: URL too long", src->base, file);
	const rq_curl_api *C = rq_curl();
	if (!C)
		return rq_fail(RQ_EUNSUPPORTED, "%s: %s", url, rq_error_last());
	if (!src->curl && !(src->curl = C->easy_init()))
		return rq_fail(RQ_ERROR, "%s: cannot start libcurl", url);
	CURL *c = src->curl;
	long connect = src->timeout < RQ_UPDATE_CONNECT_TIMEOUT ? src->timeout : RQ_UPDATE_CONNECT_TIMEOUT;
	for (int attempt = 0;; attempt++) {
		long http_code = 0;
		errbuf[0] = '\0';
		sink_reset(out);
		if (out->write_errno)
			return sink_error(out, url);
		C->easy_reset(c);
		C->easy_setopt(c, CURLOPT_URL, url);
		/* a pin means nothing over plain http: then https only, redirects too */
		C->easy_setopt(c, CURLOPT_PROTOCOLS_STR, src->pinned_key ? "https" : "http,https");
		C->easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, src->pinned_key ? "https" : "http,https");
		rq_curl_verify_tls(C, c, src->ca_file, src->pinned_key);
		if (src->no_proxy)
			C->easy_setopt(c, CURLOPT_NOPROXY, "*");
		if (src->cancel) {
			C->easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
			C->easy_setopt(c, CURLOPT_XFERINFODATA, src);
			C->easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
		}
		C->easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
		C->easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
		C->easy_setopt(c, CURLOPT_FAILONERROR, 1L);
		C->easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
		C->easy_setopt(c, CURLOPT_CONNECTTIMEOUT, connect);
		C->easy_setopt(c, CURLOPT_TIMEOUT, src->timeout);
		C->easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, (long)RQ_UPDATE_LOW_SPEED);
		C->easy_setopt(c, CURLOPT_LOW_SPEED_TIME, (long)RQ_UPDATE_LOW_SPEED_TIME);
		C->easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)out->max);
		C->easy_setopt(c, CURLOPT_USERAGENT, "raquet-update/1");
		C->easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
		C->easy_setopt(c, CURLOPT_WRITEFUNCTION, curl_write);
		C->easy_setopt(c, CURLOPT_WRITEDATA, out);
		CURLcode cc = C->easy_perform(c);
		if (cc == CURLE_OK)
			break;
		C->easy_getinfo(c, CURLINFO_RESPONSE_CODE, &http_code);
		if (cc == CURLE_WRITE_ERROR && (out->over || out->write_errno))
			return sink_error(out, url);
		if (cc == CURLE_FILESIZE_EXCEEDED)
			return rq_fail(RQ_ELIMIT, "%s: larger than the %" PRIu64 " bytes expected", url, out->max);
		if (cc == CURLE_ABORTED_BY_CALLBACK)
			return rq_fail(RQ_ESTOPPED, "%s: update stopped", url);
		if (tls_refused(cc))
			return rq_fail(RQ_EVERIFY, "%s: the mirror's certificate did not verify: %s", url,
				       errbuf[0] ? errbuf : C->easy_strerror(cc));
		if (!transient(cc, http_code) || attempt >= src->retries) {
			rc = rq_fail(http_code == 404 ? RQ_ENOTFOUND : RQ_EIO, "%s: %s (%d attempt%s)", url,
				     errbuf[0] ? errbuf : C->easy_strerror(cc), attempt + 1,
				     attempt ? "s" : "");
			break;
		}
		long delay = backoff_ms();
		for (int i = 0; i < attempt && delay < RQ_UPDATE_BACKOFF_MAX_MS; i++)
			delay *= 2;
		rc = pause_ms(src, delay > RQ_UPDATE_BACKOFF_MAX_MS ? RQ_UPDATE_BACKOFF_MAX_MS : delay);
		if (rc != 0)
			break;
	}
	return rc;
}

static int fetch(source *src, const char *file, sink *out)
{
	if (stopped(src))
		return rq_fail(RQ_ESTOPPED, "%s: update stopped", src->base);
	sink_reset(out);
	if (out->write_errno)
		return sink_error(out, file);
	return src->is_url ? fetch_url(src, file, out) : fetch_local(src, file, out);
}

static int source_open(source *src, const rq_update_options *o)
{
	const char *m = o->mirror;
	memset(src, 0, sizeof *src);
	src->timeout = o->timeout > 0 ? o->timeout : RQ_UPDATE_DEFAULT_TIMEOUT;
	src->retries = o->retries >= 0 ? o->retries : RQ_UPDATE_DEFAULT_RETRIES;
	src->ca_file = o->ca_file && *o->ca_file ? o->ca_file : NULL;
	src->pinned_key = o->pinned_key && *o->pinned_key ? o->pinned_key : NULL;
	src->no_proxy = o->no_proxy;
	src->cancel = o->cancel;
	if (!m || !*m)
		return rq_fail(RQ_EINVAL, "no mirror given");
	if (!strncmp(m, "file://", 7)) {
		m += 7;
		if (*m != '/')
			return rq_fail(RQ_EINVAL, "%s: only file:///absolute/path URLs are read", o->mirror);
	} else if (!strncmp(m, "https://", 8)) {
		src->is_url = 1;
	} else if (!strncmp(m, "http://", 7)) {
		if (src->pinned_key)
			return rq_fail(RQ_EINVAL, "%s: a pinned key needs an https:// mirror", m);
		src->is_url = 1;
	} else if (strstr(m, "://")) {
		return rq_fail(RQ_EINVAL, "%s: unsupported mirror (http, https, file or a folder)", m);
	}
	src->base = strdup(m);
	if (!src->base)
		return rq_fail(RQ_ENOMEM, "out of memory");
	size_t n = strlen(src->base);
	while (n > 1 && src->base[n - 1] == '/')
		src->base[--n] = '\0';
	return 0;
}

static void source_close(source *src)
{
	if (src->curl)
		rq_curl()->easy_cleanup(src->curl); /* loaded: it made src->curl */
	free(src->base);
}

/*
 * Fetch index.json and its signature and verify them. The publisher renames
 * the signature and the index one after the other, so a reader can catch one
 * old and one new file: a bad signature is fetched again once, after the
 * first back-off delay (a second).
 */
static int fetch_index(source *src, const rq_keyring *ring, rq_mirror_index *idx)
{
	int rc = 0, fetched = 0;
	sink text = { .fd = -1, .max = RQ_MAX_MIRROR_INDEX };
	sink sig = { .fd = -1, .max = RQ_SIGTRAILER_LEN };
	for (int attempt = 0; attempt < 2; attempt++) {
		if (attempt && (rc = pause_ms(src, backoff_ms())) != 0)
			break;
		fetched = 0;
		rc = fetch(src, RQ_MIRROR_INDEX, &text);
		if (rc == 0)
			rc = fetch(src, RQ_MIRROR_INDEX_SIG, &sig);
		if (rc != 0) /* retried by fetch() when worth it; a refused certificate is final */
			break;
		fetched = 1;
		if (sig.len != RQ_SIGTRAILER_LEN)
			rc = rq_fail(RQ_EVERIFY, "%s: %zu bytes, not a signature", RQ_MIRROR_INDEX_SIG, sig.len);
		else
			rc = rq_keyring_verify(ring, text.buf ? text.buf : (const uint8_t *)"", text.len, sig.buf);
		if (rc != RQ_EVERIFY)
			break;
	}
	if (rc == RQ_EVERIFY && fetched) { /* the signature was refused */
		char where[4200];
		snprintf(where, sizeof where, "%s/%s", src->base, RQ_MIRROR_INDEX);
		rc = rq_fail_context(rc, where);
	}
	if (rc == 0) {
		rc = rq_mirror_index_parse(idx, text.buf ? text.buf : (const uint8_t *)"", text.len);
		if (rc != 0)
			rc = rq_fail_context(rc, src->base);
	}
	free(text.buf);
	free(sig.buf);
	return rc;
}

/* --- installing --- */

typedef struct updater {
	const rq_update_options *o;
	source src;
	int dirfd;
	const char *crash_at;
	char reason[1024];
} updater;

static void crash_point(const updater *u, const char *step)
{
	if (u->crash_at && !strcmp(u->crash_at, step))
		_exit(137);
}

/*
 * Version of the installed db_dir/file; 0 when missing or when it does not
 * verify with `ring` (a damaged or no longer trusted file is then replaced
 * by the mirror's, whatever its version).
 */
static uint64_t installed_version(int dirfd, const char *file, const rq_keyring *ring)
{
	rq_mapped m;
	rq_rqdb_info info;
	uint64_t v = 0;
	if (rq_map_at(&m, dirfd, file, RQ_MAX_DB_DOWNLOAD) == 0 &&
	    rq_rqdb_verify(m.data, m.len, ring, 0, NULL) == 0 &&
	    rq_rqdb_peek(m.data, m.len, &info) == 0)
		v = info.version;
	rq_unmap(&m);
	rq_error_clear();
	return v;
}

/* Check the downloaded .part against the index entry; RQ_EVERIFY with the reason. */
static int check_part(updater *u, const char *part, const rq_mirror_db *db)
{
	rq_mapped m;
	rq_rqdb_info info;
	char sha[65];
	int rc = rq_map_at(&m, u->dirfd, part, RQ_MAX_DB_DOWNLOAD);
	if (rc != 0)
		return rc;
	if (m.len != db->size) {
		rc = rq_fail(RQ_EVERIFY, "%s: %zu bytes, the index says %" PRIu64, db->file, m.len, db->size);
		goto done;
	}
	rq_sha256_hex(m.data, m.len, sha);
	if (strcmp(sha, db->sha256)) {
		rc = rq_fail(RQ_EVERIFY, "%s: SHA-256 differs from the index", db->file);
		goto done;
	}
	rc = rq_rqdb_verify(m.data, m.len, u->o->ring, 0, NULL);
	if (rc == 0)
		rc = rq_rqdb_peek(m.data, m.len, &info);
	if (rc != 0) {
		rc = rq_fail_context(RQ_EVERIFY, db->file);
		goto done;
	}
	if (strcmp(info.name, db->name) || info.version != db->version)
		rc = rq_fail(RQ_EVERIFY, "%s: header says %s version %" PRIu64 ", the index %s version %" PRIu64,
			     db->file, info.name, info.version, db->name, db->version);
done:
	rq_unmap(&m);
	return rc;
}

/* Download db into .NAME.rqdb.part, fsync'd; the part is removed on failure. */
static int download(updater *u, const char *part, const rq_mirror_db *db)
{
	int fd = openat(u->dirfd, part, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return rq_fail_errno(RQ_EIO, errno, "%s/%s", u->o->db_dir, part);
	sink out = { .fd = fd, .max = db->size };
	int rc = fetch(&u->src, db->file, &out);
	if (rc == 0 && fsync(fd) != 0)
		rc = rq_fail_errno(RQ_EIO, errno, "%s/%s: fsync failed", u->o->db_dir, part);
	if (close(fd) != 0 && rc == 0)
		rc = rq_fail_errno(RQ_EIO, errno, "%s/%s: close failed", u->o->db_dir, part);
	return rc;
}

/*
 * Keep the installed file as NAME.rqdb.prev (a hard link made beside and
 * renamed, so .prev is always whole), then rename the new file over NAME.rqdb.
 * NAME.rqdb is the old or the new file at every instant.
 */
static int swap_in(updater *u, const char *part, const char *name)
{
	char cur[NAME_BUF], prev[NAME_BUF], prev_new[NAME_BUF];
	const char *dir = u->o->db_dir;
	int rc = 0;
	struct stat st;
	snprintf(cur, sizeof cur, "%s.rqdb", name);
	snprintf(prev, sizeof prev, "%s.rqdb.prev", name);
	snprintf(prev_new, sizeof prev_new, ".%s.rqdb.prev.new", name);
	if (fstatat(u->dirfd, cur, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		unlinkat(u->dirfd, prev_new, 0);
		if (linkat(u->dirfd, cur, u->dirfd, prev_new, 0) != 0)
			return rq_fail_errno(RQ_EIO, errno, "%s/%s: cannot keep the previous version", dir, cur);
		rc = renameat(u->dirfd, prev_new, u->dirfd, prev);
		if (rc != 0)
			rc = rq_fail_errno(RQ_EIO, errno, "%s/%s: rename failed", dir, prev);
		/* rename does nothing when both names are links to one file (a
		 * crash after this step, then a new run): drop the extra name */
		unlinkat(u->dirfd, prev_new, 0);
		if (rc != 0)
			return rc;
		crash_point(u, "prev");
	}
	if (renameat(u->dirfd, part, u->dirfd, cur) != 0)
		return rq_fail_errno(RQ_EIO, errno, "%s/%s: rename failed", dir, cur);
	crash_point(u, "rename");
	rc = rq_fsync_dir(u->dirfd, dir);
	if (rc == 0)
		crash_point(u, "sync");
	return rc;
}

static void report(rq_update_cb cb, void *payload, const char *name, uint64_t old_v,
		   uint64_t new_v, int status, const char *reason)
{
	rq_update_result r = { name, old_v, new_v, status, reason };
	if (cb)
		cb(&r, payload);
}

/* One database of the index; 0, RQ_ESTOPPED when stopped, or RQ_EVERIFY when refused or failed. */
static int update_one(updater *u, const rq_mirror_db *db, rq_update_cb cb, void *payload)
{
	char cur[NAME_BUF], part[NAME_BUF];
	snprintf(cur, sizeof cur, "%s.rqdb", db->name);
	snprintf(part, sizeof part, ".%s.rqdb.part", db->name);
	uint64_t old_v = installed_version(u->dirfd, cur, u->o->ring);
	if (old_v == db->version) {
		report(cb, payload, db->name, old_v, old_v, RQ_UPDATE_CURRENT, NULL);
		return 0;
	}
	if (old_v > db->version && !u->o->allow_downgrade) {
		snprintf(u->reason, sizeof u->reason,
			 "the mirror offers version %" PRIu64 ", older than the installed %" PRIu64
			 " (rollback attack?); --allow-downgrade to accept",
			 db->version, old_v);
		report(cb, payload, db->name, old_v, db->version, RQ_UPDATE_REFUSED, u->reason);
		return RQ_EVERIFY;
	}
	int rc = download(u, part, db);
	if (rc == 0) {
		crash_point(u, "download");
		rc = check_part(u, part, db);
	}
	if (rc == 0) {
		crash_point(u, "verify");
		rc = swap_in(u, part, db->name);
	}
	if (rc != 0) {
		snprintf(u->reason, sizeof u->reason, "%s", rq_error_last());
		unlinkat(u->dirfd, part, 0);
		report(cb, payload, db->name, old_v, db->version,
		       rc == RQ_EVERIFY ? RQ_UPDATE_REFUSED : RQ_UPDATE_FAILED, u->reason);
		if (rc == RQ_ESTOPPED)
			return rq_fail(RQ_ESTOPPED, "%s", u->reason);
		return RQ_EVERIFY;
	}
	report(cb, payload, db->name, old_v, db->version, RQ_UPDATE_INSTALLED, NULL);
	return 0;
}

/* Open (creating the last component if missing) and lock the database folder. */
static int open_db_dir(const char *dir, int *dirfd, int *lockfd)
{
	*lockfd = -1;
	if (mkdir(dir, 0755) != 0 && errno != EEXIST)
		return rq_fail_errno(RQ_EIO, errno, "%s: cannot create the database folder", dir);
	*dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (*dirfd < 0)
		return rq_fail_errno(RQ_EIO, errno, "%s", dir);
	int rc = rq_lock_at(lockfd, *dirfd, dir, LOCK_NAME);
	if (rc != 0) {
		close(*dirfd);
		*dirfd = -1;
	}
	return rc;
}

int rq_update_run(const rq_update_options *o, rq_update_cb cb, void *payload)
{
	int rc = 0, lockfd = -1, any_bad = 0;
	rq_mirror_index idx = { 0 };
	updater u = { .o = o, .dirfd = -1, .crash_at = getenv("RQ_UPDATE_CRASH_AT") };
	if (!o->db_dir || !o->ring)
		return rq_fail(RQ_EINVAL, "update: no database folder or keyring");
	rc = source_open(&u.src, o);
	if (rc == 0)
		rc = fetch_index(&u.src, o->ring, &idx);
	if (rc == 0)
		rc = open_db_dir(o->db_dir, &u.dirfd, &lockfd);
	for (size_t i = 0; i < idx.count && rc == 0; i++) {
		if (stopped(&u.src)) {
			rc = rq_fail(RQ_ESTOPPED, "%s: update stopped", u.src.base);
			break;
		}
		int one = update_one(&u, &idx.dbs[i], cb, payload);
		if (one == RQ_ESTOPPED)
			rc = one;
		else if (one != 0)
			any_bad = 1;
	}
	if (rc == 0 && any_bad)
		rc = rq_fail(RQ_EVERIFY, "some databases were not updated");
	rq_mirror_index_clear(&idx);
	source_close(&u.src);
	if (lockfd >= 0)
		close(lockfd);
	if (u.dirfd >= 0)
		close(u.dirfd);
	return rc;
}

/* --- rollback --- */

static int rollback_one(int dirfd, const char *dir, const rq_keyring *ring, const char *name,
			rq_update_cb cb, void *payload)
{
	char cur[NAME_BUF], prev[NAME_BUF], reason[1024];
	rq_mapped m;
	rq_rqdb_info info;
	snprintf(cur, sizeof cur, "%s.rqdb", name);
	snprintf(prev, sizeof prev, "%s.rqdb.prev", name);
	uint64_t old_v = installed_version(dirfd, cur, ring), prev_v = 0;
	int rc = rq_map_at(&m, dirfd, prev, RQ_MAX_DB_DOWNLOAD);
	if (rc == RQ_ENOTFOUND)
		rc = rq_fail(RQ_ENOTFOUND, "no previous version kept (%s/%s)", dir, prev);
	if (rc == 0) {
		rc = rq_rqdb_verify(m.data, m.len, ring, 0, NULL);
		if (rc == 0)
			rc = rq_rqdb_peek(m.data, m.len, &info);
		if (rc == 0 && strcmp(info.name, name))
			rc = rq_fail(RQ_EVERIFY, "its header names database '%s'", info.name);
		if (rc != 0)
			rc = rq_fail_context(RQ_EVERIFY, "previous version");
	}
	rq_unmap(&m);
	if (rc == 0) {
		prev_v = info.version;
		/* an atomic exchange: the replaced version becomes .prev */
		if (renameat2(dirfd, prev, dirfd, cur, RENAME_EXCHANGE) != 0) {
			if (errno == ENOENT && renameat(dirfd, prev, dirfd, cur) == 0)
				rc = 0;
			else
				rc = rq_fail_errno(RQ_EIO, errno, "%s/%s: exchange failed", dir, cur);
		}
	}
	if (rc == 0)
		rc = rq_fsync_dir(dirfd, dir);
	if (rc != 0) {
		snprintf(reason, sizeof reason, "%s", rq_error_last());
		report(cb, payload, name, old_v, prev_v,
		       rc == RQ_EVERIFY ? RQ_UPDATE_REFUSED : RQ_UPDATE_FAILED, reason);
		return rc;
	}
	report(cb, payload, name, old_v, prev_v, RQ_UPDATE_ROLLED_BACK, NULL);
	return 0;
}

/* Names of the databases of `dirfd` with a kept NAME.rqdb.prev, listed before any rename. */
static int prev_names(int dirfd, const char *dir, char (**out)[NAME_BUF], size_t *n)
{
	int rc = 0;
	size_t cap = 0;
	*out = NULL;
	*n = 0;
	int fd = dup(dirfd);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	if (!d) {
		if (fd >= 0)
			close(fd);
		return rq_fail_errno(RQ_EIO, errno, "%s", dir);
	}
	for (struct dirent *e; (e = readdir(d)) && rc == 0;) {
		size_t len = strlen(e->d_name);
		if (e->d_name[0] == '.' || len <= 10 || len - 10 >= NAME_BUF ||
		    strcmp(e->d_name + len - 10, ".rqdb.prev"))
			continue;
		rc = rq_grow((void **)out, &cap, *n + 1, sizeof **out);
		if (rc != 0)
			break;
		memcpy((*out)[*n], e->d_name, len - 10);
		(*out)[*n][len - 10] = '\0';
		if (rq_rqdb_name_ok((*out)[*n]))
			(*n)++;
	}
	closedir(d);
	return rc;
}

int rq_update_rollback(const char *db_dir, const rq_keyring *ring, const char *name,
		       rq_update_cb cb, void *payload)
{
	int rc = 0, dirfd = -1, lockfd = -1, any_bad = 0;
	char (*names)[NAME_BUF] = NULL;
	size_t n = 0;
	if (name && !rq_rqdb_name_ok(name))
		return rq_fail(RQ_EINVAL, "'%s' is not a database name", name);
	rc = open_db_dir(db_dir, &dirfd, &lockfd);
	if (rc != 0)
		return rc;
	if (name) {
		rc = rollback_one(dirfd, db_dir, ring, name, cb, payload);
		goto done;
	}
	rc = prev_names(dirfd, db_dir, &names, &n);
	if (rc == 0 && n == 0)
		rc = rq_fail(RQ_ENOTFOUND, "%s: no previous versions kept, nothing to roll back", db_dir);
	for (size_t i = 0; i < n && rc == 0; i++)
		if (rollback_one(dirfd, db_dir, ring, names[i], cb, payload) != 0)
			any_bad = 1;
	if (rc == 0 && any_bad)
		rc = rq_fail(RQ_EVERIFY, "some databases were not rolled back");
done:
	free(names);
	if (lockfd >= 0)
		close(lockfd);
	close(dirfd);
	return rc;
}

const char *rq_update_status_name(int status)
{
	switch (status) {
	case RQ_UPDATE_CURRENT: return "current";
	case RQ_UPDATE_INSTALLED: return "updated";
	case RQ_UPDATE_REFUSED: return "refused";
	case RQ_UPDATE_FAILED: return "failed";
	case RQ_UPDATE_ROLLED_BACK: return "rolled back";
	default: return "unknown";
	}
}
