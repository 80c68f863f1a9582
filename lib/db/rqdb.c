/*
 * The .rqdb container (rqdb.h): writing a database file from its header and
 * sections, and opening one by mmap after checking its structure, the
 * SHA-256 of every chunk (on several threads) and the Ed25519 signature of
 * the chunk table. What the sections hold is rqdb_build.c / rqdb_load.c.
 */
#include "db/rqdb.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/binbuf.h"
#include "core/error.h"
#include "core/limits.h"
#include "db/dbfs.h"

#define FIXED_LEN 32
#define SECTION_ENTRY 24
#define CT_FOOTER 16
#define CT_MAGIC 0x54435152u /* "RQCT" */
#define SECTION_ALIGN 64
#define READ_PIECE (128 * 1024)


int rq_rqdb_name_ok(const char *name)
{
	size_t n = 0;
	for (; name && name[n]; n++) {
		char c = name[n];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '-'))
			return 0;
	}
	return n >= 1 && n <= RQ_RQDB_NAME_MAX;
}

/* --- header --- */

static uint64_t count_of(json_t *counts, const char *key)
{
	json_t *v = json_object_get(counts, key);
	return json_is_integer(v) && json_integer_value(v) > 0 ? (uint64_t)json_integer_value(v) : 0;
}

int rq_rqdb_peek(const uint8_t *data, size_t len, rq_rqdb_info *info)
{
	memset(info, 0, sizeof(*info));
	if (len < FIXED_LEN || memcmp(data, RQ_RQDB_MAGIC, 8))
		return rq_fail(RQ_EPARSE, "not a raquet database (.rqdb)");
	info->format = rq_le32(data + 8);
	if (info->format != RQ_RQDB_FORMAT)
		return rq_fail(RQ_EUNSUPPORTED, "database format %u; this raquet reads format %d",
			       info->format, RQ_RQDB_FORMAT);
	uint32_t jlen = rq_le32(data + 12);
	if (jlen > RQ_RQDB_MAX_HEADER || jlen > len - FIXED_LEN)
		return rq_fail(RQ_EPARSE, "truncated database header");
	json_error_t jerr;
	json_t *h = json_loadb((const char *)data + FIXED_LEN, jlen, JSON_REJECT_DUPLICATES, &jerr);
	if (!h)
		return rq_fail(RQ_EPARSE, "database header: %s", jerr.text);
	int rc = 0;
	json_t *name = json_object_get(h, "name"), *version = json_object_get(h, "version"),
	       *built = json_object_get(h, "built"), *counts = json_object_get(h, "counts");
	if (!json_is_string(name) || !rq_rqdb_name_ok(json_string_value(name)) ||
	    !json_is_integer(version) || json_integer_value(version) < 0 ||
	    !json_is_integer(built) || (counts && !json_is_object(counts))) {
		rc = rq_fail(RQ_EPARSE, "database header: name, version or build time missing or invalid");
	} else {
		snprintf(info->name, sizeof(info->name), "%s", json_string_value(name));
		info->version = (uint64_t)json_integer_value(version);
		info->built = (int64_t)json_integer_value(built);
		info->hashes = count_of(counts, "hashes");
		info->allow = count_of(counts, "allow");
		info->bodies = count_of(counts, "bodies");
		info->yara_rules = count_of(counts, "yara");
		info->ignored = count_of(counts, "ignored");
		info->md5 = count_of(counts, "md5");
		info->sha1 = count_of(counts, "sha1");
		info->sha256 = count_of(counts, "sha256");
		info->ioc = count_of(counts, "ioc");
		info->addresses = count_of(counts, "addresses");
	}
	json_decref(h);
	return rc;
}

/* --- verification --- */

/*
 * One thread's share of the chunk checks: chunks lo, lo + step, ... below
 * hi, except those in [skip_lo, skip_hi) (checked later, in the background).
 */
typedef struct chunk_job {
	const uint8_t *data;
	size_t total;         /* bytes covered by chunks */
	const uint8_t *table; /* expected digests */
	size_t lo, hi, step, skip_lo, skip_hi;
	size_t bad;           /* first failing chunk + 1, 0 when all good */
	int no_mem;
} chunk_job;

static void *hash_chunks(void *arg)
{
	chunk_job *j = arg;
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	if (!md) {
		j->no_mem = 1;
		return NULL;
	}
	for (size_t c = j->lo; c < j->hi; c += j->step) {
		if (c >= j->skip_lo && c < j->skip_hi)
			continue;
		size_t off = c * RQ_RQDB_CHUNK;
		size_t n = j->total - off < RQ_RQDB_CHUNK ? j->total - off : RQ_RQDB_CHUNK;
		uint8_t d[32];
		if (!EVP_DigestInit_ex(md, EVP_sha256(), NULL) || !EVP_DigestUpdate(md, j->data + off, n) ||
		    !EVP_DigestFinal_ex(md, d, NULL)) {
			j->no_mem = 1;
			break;
		}
		if (memcmp(d, j->table + 32 * c, 32)) {
			j->bad = c + 1;
			break;
		}
	}
	EVP_MD_CTX_free(md);
	return NULL;
}

/* Threads for `count` chunks: one per core, at most RQ_RQDB_VERIFY_THREADS, >= 4 chunks each. */
static size_t thread_count(size_t count)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	size_t threads = cpus > 0 ? (size_t)cpus : 1;
	if (threads > RQ_RQDB_VERIFY_THREADS)
		threads = RQ_RQDB_VERIFY_THREADS;
	if (threads > (count + 3) / 4)
		threads = (count + 3) / 4;
	return threads ? threads : 1;
}

/* The first failure among jobs, as an error; 0 when all passed. */
static int jobs_result(const chunk_job *jobs, size_t n)
{
	for (size_t t = 0; t < n; t++) {
		if (jobs[t].no_mem)
			return rq_fail(RQ_ENOMEM, "SHA-256 failed");
		if (jobs[t].bad)
			return rq_fail(RQ_EVERIFY, "refused: chunk %zu (bytes from %llu) does not match "
					"its signed digest", jobs[t].bad - 1,
				       (unsigned long long)((jobs[t].bad - 1) * RQ_RQDB_CHUNK));
	}
	return 0;
}

/* Chunks checked in the background while the caller goes on (rq_rqdb_wait joins). */
typedef struct background {
	chunk_job jobs[RQ_RQDB_VERIFY_THREADS];
	pthread_t tid[RQ_RQDB_VERIFY_THREADS];
	size_t threads; /* started */
	size_t shares;  /* jobs */
} background;

/*
 * Check chunks [lo, hi) except [skip_lo, skip_hi), on several threads, and
 * wait for them (bg NULL), or start them and return (bg: rq_rqdb_wait).
 */
static int check_chunks(const uint8_t *data, size_t total, const uint8_t *table, size_t lo,
			size_t hi, size_t skip_lo, size_t skip_hi, background *bg)
{
	chunk_job local[RQ_RQDB_VERIFY_THREADS];
	pthread_t tid[RQ_RQDB_VERIFY_THREADS];
	chunk_job *jobs = bg ? bg->jobs : local;
	size_t threads = thread_count(hi - lo - (skip_hi - skip_lo)), started = 0;
	for (size_t t = 0; t < threads; t++)
		jobs[t] = (chunk_job){ data, total, table, lo + t, hi, threads, skip_lo, skip_hi, 0, 0 };
	/* in the background every share gets a thread; else the caller takes share 0 */
	for (size_t t = bg ? 0 : 1; t < threads; t++, started++)
		if (pthread_create(bg ? &bg->tid[t] : &tid[t], NULL, hash_chunks, &jobs[t]))
			break;
	size_t first_thread = bg ? 0 : 1;
	if (first_thread + started < threads) { /* no more threads: the rest here, now */
		for (size_t t = first_thread + started; t < threads; t++)
			hash_chunks(&jobs[t]);
	}
	if (bg) {
		bg->threads = started;
		bg->shares = threads;
		return 0;
	}
	hash_chunks(&jobs[0]);
	for (size_t t = 1; t <= started; t++)
		pthread_join(tid[t], NULL);
	return jobs_result(jobs, threads);
}

static int all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return 0;
	return 1;
}

/* Where the chunk table is: *covered bytes in *chunks chunks; 0 or RQ_EPARSE. */
static int chunk_layout(const uint8_t *data, size_t len, uint64_t *covered, uint64_t *chunks)
{
	if (len < FIXED_LEN + CT_FOOTER + RQ_SIGTRAILER_LEN)
		return rq_fail(RQ_EPARSE, "truncated database");
	const uint8_t *foot = data + len - RQ_SIGTRAILER_LEN - CT_FOOTER;
	*covered = rq_le64(foot);
	uint32_t chunk = rq_le32(foot + 8), magic = rq_le32(foot + 12);
	if (magic != CT_MAGIC || chunk != RQ_RQDB_CHUNK)
		return rq_fail(RQ_EPARSE, "truncated or damaged database: no chunk table at its end");
	size_t room = len - RQ_SIGTRAILER_LEN - CT_FOOTER;
	*chunks = (*covered + RQ_RQDB_CHUNK - 1) / RQ_RQDB_CHUNK;
	if (*covered > room || *chunks > room / 32 || *covered + 32 * *chunks != room)
		return rq_fail(RQ_EPARSE, "damaged database: chunk table does not fit the file size");
	return 0;
}

/* Everything but the chunk digests: header (into *info), chunk table, signature. */
static int verify_head(const uint8_t *data, size_t len, const rq_keyring *ring,
		       int allow_unsigned, rq_rqdb_trust *trust, rq_rqdb_info *info)
{
	uint64_t covered, chunks;
	int rc;
	if ((rc = rq_rqdb_peek(data, len, info)) || (rc = chunk_layout(data, len, &covered, &chunks)))
		return rc;
	const uint8_t *trailer = data + len - RQ_SIGTRAILER_LEN;
	const uint8_t *table = data + covered;
	size_t table_len = (size_t)(32 * chunks + CT_FOOTER);
	/* the signature first: a forged table must not cost a full hashing pass */
	if (memcmp(trailer, RQ_SIGTRAILER_MAGIC, 8))
		return rq_fail(RQ_EVERIFY, "refused: no signature trailer");
	int signed_file = !all_zero(trailer + 8, RQ_SIGTRAILER_LEN - 8);
	*trust = RQ_RQDB_TRUSTED;
	if (!signed_file) {
		if (!allow_unsigned)
			return rq_fail(RQ_EVERIFY, "refused: the database is not signed "
					"(--allow-unsigned accepts it for a local file)");
		*trust = RQ_RQDB_UNSIGNED;
	} else if (!ring || (rc = rq_keyring_verify(ring, table, table_len, trailer))) {
		if (!ring)
			rc = rq_fail(RQ_EVERIFY, "no trusted key to check the signature");
		/* only an unknown key may pass unsigned; a bad signature never does */
		if (!allow_unsigned || !strstr(rq_error_last(), "unknown key"))
			return rq_fail(RQ_EVERIFY, "refused: %s", rq_error_last());
		*trust = RQ_RQDB_UNSIGNED;
	}
	return 0;
}

int rq_rqdb_verify(const uint8_t *data, size_t len, const rq_keyring *ring, int allow_unsigned,
		   rq_rqdb_trust *trust)
{
	rq_rqdb_trust t;
	rq_rqdb_info info;
	uint64_t covered, chunks;
	int rc = verify_head(data, len, ring, allow_unsigned, &t, &info);
	if (!rc && !(rc = chunk_layout(data, len, &covered, &chunks)))
		rc = check_chunks(data, (size_t)covered, data + covered, 0, (size_t)chunks, 0, 0, NULL);
	if (!rc && trust)
		*trust = t;
	return rc;
}

/* --- opening --- */

struct rq_rqdb {
	char *path;
	uint8_t *map;
	size_t len;
	rq_rqdb_info info;
	rq_rqdb_trust trust;
	char *header;
	struct {
		uint32_t kind;
		const uint8_t *p;
		size_t len;
	} sec[RQ_RQDB_MAX_SECTIONS];
	size_t sec_count;
	background bg;   /* chunks of the hash indexes, checked while the caller loads */
	int pending;     /* bg running: rq_rqdb_wait not called yet */
	int bg_rc;
};

static int parse_sections(rq_rqdb *db)
{
	uint32_t jlen = rq_le32(db->map + 12), count = rq_le32(db->map + 16);
	size_t covered = (size_t)rq_le64(db->map + db->len - RQ_SIGTRAILER_LEN - CT_FOOTER);
	size_t at = FIXED_LEN + ((jlen + 7) & ~(size_t)7);
	if (count > RQ_RQDB_MAX_SECTIONS || at > covered || count * SECTION_ENTRY > covered - at)
		return rq_fail(RQ_EPARSE, "bad section table");
	for (uint32_t i = 0; i < count; i++) {
		const uint8_t *e = db->map + at + (size_t)i * SECTION_ENTRY;
		uint64_t off = rq_le64(e + 8), n = rq_le64(e + 16);
		if (off % SECTION_ALIGN || off > covered || n > covered - off)
			return rq_fail(RQ_EPARSE, "section %u lies outside the file", i);
		db->sec[i].kind = rq_le32(e);
		db->sec[i].p = db->map + off;
		db->sec[i].len = (size_t)n;
	}
	db->sec_count = count;
	db->header = strndup((const char *)db->map + FIXED_LEN, jlen);
	return db->header ? 0 : rq_fail(RQ_ENOMEM, "out of memory");
}

static int open_file(rq_rqdb **out, const char *path, const rq_keyring *ring, int allow_unsigned,
		     int async);

/* Drop the file's pages from this process: a scan touches few of them again. */
static void release_pages(rq_rqdb *db)
{
	madvise(db->map, db->len, MADV_DONTNEED);
	madvise(db->map, db->len, MADV_RANDOM);
}

/*
 * The chunk digests. With `async`, the chunks lying wholly inside the hash
 * indexes -- most of a large database, used in place and never parsed
 * at load -- are checked on background threads (rq_rqdb_wait), the others
 * (everything the loader parses) before returning.
 */
static int check_body(rq_rqdb *db, int async)
{
	uint64_t covered, chunks;
	int rc = chunk_layout(db->map, db->len, &covered, &chunks);
	if (rc)
		return rc;
	size_t lo = SIZE_MAX, hi = 0;
	for (size_t i = 0; async && i < db->sec_count; i++) {
		if (db->sec[i].kind != RQ_SEC_HASHES && db->sec[i].kind != RQ_SEC_ALLOW)
			continue;
		size_t off = (size_t)(db->sec[i].p - db->map);
		if (off < lo)
			lo = off;
		if (off + db->sec[i].len > hi)
			hi = off + db->sec[i].len;
	}
	/* the sections are adjacent; whole chunks inside them */
	size_t d0 = lo == SIZE_MAX ? 0 : (lo + RQ_RQDB_CHUNK - 1) / RQ_RQDB_CHUNK;
	size_t d1 = lo == SIZE_MAX ? 0 : hi / RQ_RQDB_CHUNK;
	if (d1 <= d0 + 1)
		d0 = d1 = 0; /* not worth a thread */
	const uint8_t *table = db->map + covered;
	if ((rc = check_chunks(db->map, (size_t)covered, table, 0, (size_t)chunks, d0, d1, NULL)))
		return rc;
	if (d1 > d0) {
		check_chunks(db->map, (size_t)covered, table, d0, d1, 0, 0, &db->bg);
		db->pending = 1;
	} else {
		release_pages(db);
	}
	return 0;
}

int rq_rqdb_wait(rq_rqdb *db)
{
	if (db->pending) {
		for (size_t t = 0; t < db->bg.threads; t++)
			pthread_join(db->bg.tid[t], NULL);
		db->pending = 0;
		release_pages(db);
		if ((db->bg_rc = jobs_result(db->bg.jobs, db->bg.shares)))
			db->bg_rc = rq_fail(db->bg_rc, "%s: %s", db->path, rq_error_last());
		return db->bg_rc;
	}
	return db->bg_rc ? rq_fail(db->bg_rc, "%s: refused: a chunk does not match its signed digest",
				   db->path) : 0;
}

int rq_rqdb_open(rq_rqdb **out, const char *path, const rq_keyring *ring, int allow_unsigned)
{
	return open_file(out, path, ring, allow_unsigned, 0);
}

int rq_rqdb_open_async(rq_rqdb **out, const char *path, const rq_keyring *ring, int allow_unsigned)
{
	return open_file(out, path, ring, allow_unsigned, 1);
}

static int open_file(rq_rqdb **out, const char *path, const rq_keyring *ring, int allow_unsigned,
		     int async)
{
	int rc = 0;
	*out = NULL;
	rq_rqdb *db = calloc(1, sizeof(*db));
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (!db || !(db->path = strdup(path))) {
		rc = rq_fail(RQ_ENOMEM, "out of memory");
		goto done;
	}
	if (fd < 0 || fstat(fd, &st) < 0) {
		rc = rq_fail_errno(RQ_EIO, errno, "%s: cannot open", path);
		goto done;
	}
	if (!S_ISREG(st.st_mode) || st.st_size <= 0 || (uint64_t)st.st_size > RQ_RQDB_MAX_SIZE) {
		rc = rq_fail(RQ_EPARSE, "%s: not a database file (empty, not regular, or over %llu MiB)",
			     path, (unsigned long long)(RQ_RQDB_MAX_SIZE / RQ_MIB));
		goto done;
	}
	/* nobody but root or the caller may be able to change it after the check */
	if ((st.st_uid != 0 && st.st_uid != geteuid()) || (st.st_mode & (S_IWGRP | S_IWOTH))) {
		rc = rq_fail(RQ_EVERIFY, "%s: refused: the file must belong to root (or to the user "
				"running raquet) and be writable by its owner only", path);
		goto done;
	}
	db->len = (size_t)st.st_size;
	void *m = mmap(NULL, db->len, PROT_READ, MAP_PRIVATE, fd, 0);
	if (m == MAP_FAILED) {
		rc = rq_fail_errno(RQ_EIO, errno, "%s: cannot map", path);
		goto done;
	}
	db->map = m;
	/* hash through the mapping (no copy; the kernel maps the page cache around
	 * each fault), then drop the pages from this process: a scan touches few */
	madvise(db->map, db->len, MADV_SEQUENTIAL);
	if ((rc = verify_head(db->map, db->len, ring, allow_unsigned, &db->trust, &db->info)) ||
	    (rc = parse_sections(db)) ||
	    (rc = check_body(db, async))) {
		rc = rq_fail(rc, "%s: %s", path, rq_error_last());
		goto done;
	}
	*out = db;
	db = NULL;
done:
	if (fd >= 0)
		close(fd);
	rq_rqdb_close(db);
	return rc;
}

void rq_rqdb_close(rq_rqdb *db)
{
	if (!db)
		return;
	if (db->pending)
		rq_rqdb_wait(db);
	if (db->map)
		munmap(db->map, db->len);
	free(db->header);
	free(db->path);
	free(db);
}

const rq_rqdb_info *rq_rqdb_get_info(const rq_rqdb *db) { return &db->info; }
const char *rq_rqdb_path(const rq_rqdb *db) { return db->path; }
rq_rqdb_trust rq_rqdb_get_trust(const rq_rqdb *db) { return db->trust; }
const char *rq_rqdb_header_json(const rq_rqdb *db) { return db->header; }

const uint8_t *rq_rqdb_section(const rq_rqdb *db, uint32_t kind, size_t *len)
{
	for (size_t i = 0; i < db->sec_count; i++) {
		if (db->sec[i].kind == kind) {
			*len = db->sec[i].len;
			return db->sec[i].p;
		}
	}
	*len = 0;
	return NULL;
}

/* --- writing --- */

static int sha256(const uint8_t *p, size_t n, uint8_t out[32])
{
	unsigned int len = 0;
	return EVP_Digest(p, n, out, &len, EVP_sha256(), NULL) ? 0 : rq_fail(RQ_ENOMEM, "SHA-256 failed");
}

/* Write `data` to `path` through PATH.tmp: written and fsync'd (dbfs.h), renamed, folder fsync'd. */
static int write_file_atomic(const char *path, const uint8_t *data, size_t len)
{
	char tmp[4096], dir[4096];
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp))
		return rq_fail(RQ_EINVAL, "%s: path too long", path);
	int rc = rq_write_synced(AT_FDCWD, NULL, tmp, data, len, 0644, 0);
	if (!rc && rename(tmp, path)) {
		rc = rq_fail_errno(RQ_EIO, errno, "%s: cannot rename to %s", tmp, path);
		unlink(tmp);
	}
	if (rc)
		return rc;
	const char *where = ".";
	snprintf(dir, sizeof(dir), "%s", path);
	char *slash = strrchr(dir, '/');
	if (slash) {
		slash[slash == dir] = '\0'; /* "/x" keeps "/" */
		where = dir;
	}
	int dfd = open(where, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		rq_fsync_dir(dfd, where); /* best effort, as before: the file itself is synced */
		close(dfd);
	}
	return 0;
}

int rq_rqdb_write(const char *path, const char *header_json, const rq_rqdb_part *parts,
		  size_t part_count, const rq_signkey *key)
{
	int rc = 0;
	rq_binbuf b = { 0 };
	size_t jlen = strlen(header_json);
	if (part_count > RQ_RQDB_MAX_SECTIONS || jlen > RQ_RQDB_MAX_HEADER)
		return rq_fail(RQ_ELIMIT, "%s: too many sections or header too long", path);
	rq_bin_put(&b, RQ_RQDB_MAGIC, 8);
	rq_bin_u32(&b, RQ_RQDB_FORMAT);
	rq_bin_u32(&b, (uint32_t)jlen);
	rq_bin_u32(&b, (uint32_t)part_count);
	rq_bin_put(&b, NULL, 12);
	rq_bin_put(&b, header_json, jlen);
	rq_bin_align(&b, 8);
	size_t table_at = b.len;
	rq_bin_put(&b, NULL, part_count * SECTION_ENTRY);
	for (size_t i = 0; i < part_count && !b.no_mem; i++) {
		rq_bin_align(&b, SECTION_ALIGN);
		uint64_t off = b.len;
		rq_bin_put(&b, parts[i].data, parts[i].len);
		if (b.no_mem)
			break;
		uint8_t *e = b.p + table_at + i * SECTION_ENTRY;
		for (int k = 0; k < 4; k++)
			e[k] = (uint8_t)(parts[i].kind >> (8 * k));
		for (int k = 0; k < 8; k++) {
			e[8 + k] = (uint8_t)(off >> (8 * k));
			e[16 + k] = (uint8_t)((uint64_t)parts[i].len >> (8 * k));
		}
	}
	size_t covered = b.len;
	size_t chunks = (covered + RQ_RQDB_CHUNK - 1) / RQ_RQDB_CHUNK;
	rq_bin_put(&b, NULL, 32 * chunks);
	rq_bin_u64(&b, covered);
	rq_bin_u32(&b, (uint32_t)RQ_RQDB_CHUNK);
	rq_bin_u32(&b, CT_MAGIC);
	rq_bin_put(&b, NULL, RQ_SIGTRAILER_LEN);
	if (b.no_mem) {
		rc = rq_fail(RQ_ENOMEM, "%s: out of memory", path);
		goto done;
	}
	for (size_t c = 0; c < chunks && !rc; c++) {
		size_t off = c * RQ_RQDB_CHUNK;
		size_t n = covered - off < RQ_RQDB_CHUNK ? covered - off : RQ_RQDB_CHUNK;
		rc = sha256(b.p + off, n, b.p + covered + 32 * c);
	}
	uint8_t *trailer = b.p + b.len - RQ_SIGTRAILER_LEN;
	if (!rc && key)
		rc = rq_sign_trailer(key, b.p + covered, 32 * chunks + CT_FOOTER, trailer);
	else if (!rc)
		memcpy(trailer, RQ_SIGTRAILER_MAGIC, 8); /* unsigned: zero key id and signature */
	if (!rc)
		rc = write_file_atomic(path, b.p, b.len);
done:
	rq_bin_free(&b);
	return rc;
}
