/*
 * Mirror folders (mirror.h): parsing and writing the index.json that lists
 * each database's newest version, and publishing databases into a folder so
 * that a reader always finds either the old or the new consistent state.
 * Guide and format: docs/mirror.md.
 */
#include "db/mirror.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "core/error.h"
#include "core/limits.h"
#include "db/dbfs.h"
#include "db/rqdb.h"

#define LOCK_NAME ".publish.lock"
#define INDEX_NEW RQ_MIRROR_INDEX ".new"
#define SIG_NEW RQ_MIRROR_INDEX_SIG ".new"

void rq_mirror_index_clear(rq_mirror_index *idx)
{
	free(idx->dbs);
	idx->dbs = NULL;
	idx->count = 0;
	idx->generated = 0;
}

int rq_mirror_file_name_ok(const char *file)
{
	size_t len = file ? strlen(file) : 0;
	if (len < 6 || len > RQ_MIRROR_FILE_MAX || file[0] == '.' || file[0] == '-' ||
	    strcmp(file + len - 5, ".rqdb"))
		return 0;
	for (size_t i = 0; i < len; i++) {
		char c = file[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_' || c == '.'))
			return 0;
	}
	return 1;
}

static int name_ok(const char *name)
{
	size_t len = strlen(name);
	if (len < 1 || len > RQ_MIRROR_NAME_MAX)
		return 0;
	for (size_t i = 0; i < len; i++) {
		char c = name[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_'))
			return 0;
	}
	return rq_rqdb_name_ok(name);
}

static int sha_ok(const char *hex)
{
	if (strlen(hex) != 64)
		return 0;
	for (size_t i = 0; i < 64; i++)
		if (!((hex[i] >= '0' && hex[i] <= '9') || (hex[i] >= 'a' && hex[i] <= 'f')))
			return 0;
	return 1;
}

static int by_db_name(const void *a, const void *b)
{
	return strcmp(((const rq_mirror_db *)a)->name, ((const rq_mirror_db *)b)->name);
}

/* A non-negative JSON integer member into *out; 0 or -1. */
static int get_uint(json_t *obj, const char *key, uint64_t *out)
{
	json_t *v = json_object_get(obj, key);
	if (!json_is_integer(v) || json_integer_value(v) < 0)
		return -1;
	*out = (uint64_t)json_integer_value(v);
	return 0;
}

static int get_str(json_t *obj, const char *key, char *out, size_t cap)
{
	json_t *v = json_object_get(obj, key);
	if (!json_is_string(v) || json_string_length(v) >= cap ||
	    strlen(json_string_value(v)) != json_string_length(v))
		return -1;
	memcpy(out, json_string_value(v), json_string_length(v) + 1);
	return 0;
}

static int parse_db(json_t *o, size_t i, rq_mirror_db *db)
{
	const char *bad = NULL;
	uint64_t built = 0;
	if (!json_is_object(o))
		bad = "not an object";
	else if (get_str(o, "name", db->name, sizeof db->name) || !name_ok(db->name))
		bad = "bad name";
	else if (get_uint(o, "version", &db->version) || db->version == 0)
		bad = "bad version";
	else if (get_uint(o, "size", &db->size) || db->size > RQ_MAX_DB_DOWNLOAD ||
		 db->size < RQ_SIGTRAILER_LEN)
		bad = "bad size";
	else if (get_str(o, "sha256", db->sha256, sizeof db->sha256) || !sha_ok(db->sha256))
		bad = "bad sha256";
	else if (get_uint(o, "built", &built) || built > INT64_MAX)
		bad = "bad built";
	else if (get_str(o, "file", db->file, sizeof db->file) || !rq_mirror_file_name_ok(db->file))
		bad = "bad file name";
	db->built = (int64_t)built;
	if (bad)
		return rq_fail(RQ_EPARSE, RQ_MIRROR_INDEX ": databases[%zu]: %s", i, bad);
	return 0;
}

int rq_mirror_index_parse(rq_mirror_index *out, const uint8_t *data, size_t len)
{
	int rc = 0;
	json_error_t jerr;
	uint64_t format = 0, generated = 0;
	memset(out, 0, sizeof *out);
	if (len > RQ_MAX_MIRROR_INDEX)
		return rq_fail(RQ_ELIMIT, RQ_MIRROR_INDEX ": larger than %llu bytes",
			       (unsigned long long)RQ_MAX_MIRROR_INDEX);
	json_t *root = json_loadb((const char *)data, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root)
		return rq_fail(RQ_EPARSE, RQ_MIRROR_INDEX ":%d: %s", jerr.line, jerr.text);
	json_t *list = json_object_get(root, "databases");
	if (!json_is_object(root) || get_uint(root, "format", &format)) {
		rc = rq_fail(RQ_EPARSE, RQ_MIRROR_INDEX ": not a mirror index (no format)");
		goto done;
	}
	if (format != RQ_MIRROR_FORMAT) {
		rc = rq_fail(format > RQ_MIRROR_FORMAT ? RQ_EUNSUPPORTED : RQ_EPARSE,
			     RQ_MIRROR_INDEX ": format %" PRIu64 ", this program reads %d", format,
			     RQ_MIRROR_FORMAT);
		goto done;
	}
	if (get_uint(root, "generated", &generated) || generated > INT64_MAX || !json_is_array(list)) {
		rc = rq_fail(RQ_EPARSE, RQ_MIRROR_INDEX ": missing generated or databases");
		goto done;
	}
	size_t n = json_array_size(list);
	if (n > RQ_MAX_MIRROR_DATABASES) {
		rc = rq_fail(RQ_ELIMIT, RQ_MIRROR_INDEX ": more than %d databases",
			     RQ_MAX_MIRROR_DATABASES);
		goto done;
	}
	out->generated = (int64_t)generated;
	out->dbs = calloc(n ? n : 1, sizeof *out->dbs);
	if (!out->dbs) {
		rc = rq_fail(RQ_ENOMEM, RQ_MIRROR_INDEX ": out of memory");
		goto done;
	}
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = parse_db(json_array_get(list, i), i, &out->dbs[i]);
	if (rc != 0)
		goto done;
	out->count = n;
	qsort(out->dbs, n, sizeof *out->dbs, by_db_name);
	for (size_t i = 1; i < n && rc == 0; i++)
		if (!strcmp(out->dbs[i].name, out->dbs[i - 1].name))
			rc = rq_fail(RQ_EPARSE, RQ_MIRROR_INDEX ": database '%s' listed twice",
				     out->dbs[i].name);
done:
	json_decref(root);
	if (rc != 0)
		rq_mirror_index_clear(out);
	return rc;
}

int rq_mirror_index_dump(const rq_mirror_index *idx, char **out, size_t *out_len)
{
	int rc = 0;
	*out = NULL;
	json_t *root = json_object(), *list = json_array();
	int bad = !root || !list;
	bad |= json_object_set_new(root, "format", json_integer(RQ_MIRROR_FORMAT));
	bad |= json_object_set_new(root, "generated", json_integer(idx->generated));
	for (size_t i = 0; i < idx->count && !bad; i++) {
		const rq_mirror_db *db = &idx->dbs[i];
		json_t *o = json_object();
		bad |= !o;
		bad |= json_object_set_new(o, "name", json_string(db->name));
		bad |= json_object_set_new(o, "version", json_integer((json_int_t)db->version));
		bad |= json_object_set_new(o, "size", json_integer((json_int_t)db->size));
		bad |= json_object_set_new(o, "sha256", json_string(db->sha256));
		bad |= json_object_set_new(o, "built", json_integer(db->built));
		bad |= json_object_set_new(o, "file", json_string(db->file));
		bad |= json_array_append_new(list, o);
	}
	bad |= json_object_set(root, "databases", list);
	char *text = bad ? NULL : json_dumps(root, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
	size_t n = text ? strlen(text) : 0;
	if (!text || !(*out = malloc(n + 2))) {
		rc = rq_fail(RQ_ENOMEM, RQ_MIRROR_INDEX ": out of memory");
		goto done;
	}
	memcpy(*out, text, n);
	(*out)[n] = '\n';
	(*out)[n + 1] = '\0';
	*out_len = n + 1;
done:
	free(text);
	json_decref(list);
	json_decref(root);
	return rc;
}

const rq_mirror_db *rq_mirror_index_find(const rq_mirror_index *idx, const char *name)
{
	for (size_t i = 0; i < idx->count; i++)
		if (!strcmp(idx->dbs[i].name, name))
			return &idx->dbs[i];
	return NULL;
}

/* --- publishing --- */

typedef struct incoming {
	const char *path;
	rq_mapped map;
	rq_mirror_db db;
	uint64_t old_version;
	char old_file[RQ_MIRROR_FILE_MAX + 1]; /* listed before, kept */
} incoming;

/*
 * Check one database file and describe it as an index entry. It must verify
 * with the publisher's key (`ring`) or, failing that, with `trusted`.
 */
static int check_incoming(incoming *in, const rq_keyring *ring, const rq_keyring *trusted,
			  const rq_mirror_index *idx, int force)
{
	int rc = rq_map_at(&in->map, AT_FDCWD, in->path, RQ_MAX_DB_DOWNLOAD);
	rq_rqdb_info info;
	if (rc != 0)
		return rc;
	rc = rq_rqdb_verify(in->map.data, in->map.len, ring, 0, NULL);
	if (rc == RQ_EVERIFY && trusted)
		rc = rq_rqdb_verify(in->map.data, in->map.len, trusted, 0, NULL);
	if (rc != 0)
		return rq_fail_context(rc, in->path);
	rc = rq_rqdb_peek(in->map.data, in->map.len, &info);
	if (rc != 0)
		return rq_fail_context(rc, in->path);
	if (!name_ok(info.name) || info.version == 0)
		return rq_fail(RQ_EPARSE, "%s: bad name or version in the header", in->path);
	rq_mirror_db *db = &in->db;
	snprintf(db->name, sizeof db->name, "%s", info.name);
	db->version = info.version;
	db->size = in->map.len;
	db->built = info.built;
	rq_sha256_hex(in->map.data, in->map.len, db->sha256);
	snprintf(db->file, sizeof db->file, "%s-%" PRIu64 ".rqdb", info.name, info.version);
	const rq_mirror_db *listed = rq_mirror_index_find(idx, info.name);
	if (listed) {
		in->old_version = listed->version;
		snprintf(in->old_file, sizeof in->old_file, "%s", listed->file);
		if (listed->version >= info.version && !force)
			return rq_fail(RQ_EVERIFY,
				       "%s: %s version %" PRIu64 " is not newer than the listed %" PRIu64
				       " (--force to publish anyway)",
				       in->path, info.name, info.version, listed->version);
	}
	return 0;
}

/* Read the folder's current index (none: empty). */
static int read_index(int dirfd, const char *dir, rq_mirror_index *idx)
{
	rq_mapped m;
	memset(idx, 0, sizeof *idx);
	int rc = rq_map_at(&m, dirfd, RQ_MIRROR_INDEX, RQ_MAX_MIRROR_INDEX);
	if (rc == RQ_ENOTFOUND)
		return 0;
	if (rc == 0) {
		rc = rq_mirror_index_parse(idx, m.data, m.len);
		if (rc != 0)
			rc = rq_fail_context(rc, dir);
	}
	rq_unmap(&m);
	return rc;
}

/* Copy one checked database in as its final name (beside, fsync, rename). */
static int copy_in(int dirfd, const char *dir, const incoming *in)
{
	char tmp[RQ_MIRROR_FILE_MAX + 16];
	snprintf(tmp, sizeof tmp, ".%s.tmp", in->db.file);
	int rc = rq_write_synced(dirfd, dir, tmp, in->map.data, in->map.len, 0644, 0);
	if (rc == 0 && renameat(dirfd, tmp, dirfd, in->db.file) != 0) {
		rc = rq_fail_errno(RQ_EIO, errno, "%s/%s: rename failed", dir, in->db.file);
		unlinkat(dirfd, tmp, 0);
	}
	return rc;
}

/* Whether `file` is NAME-DIGITS.rqdb. */
static int is_version_of(const char *file, const char *name)
{
	size_t n = strlen(name), len = strlen(file);
	if (strncmp(file, name, n) || file[n] != '-' || len <= n + 1 + 5 ||
	    strcmp(file + len - 5, ".rqdb"))
		return 0;
	for (size_t i = n + 1; i < len - 5; i++)
		if (file[i] < '0' || file[i] > '9')
			return 0;
	return 1;
}

/* Remove the name's versions other than the one listed now and the one listed before. */
static void prune(int dirfd, const incoming *in)
{
	int fd = dup(dirfd);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	if (!d) {
		if (fd >= 0)
			close(fd);
		return;
	}
	for (struct dirent *e; (e = readdir(d));) {
		if (!is_version_of(e->d_name, in->db.name) || !strcmp(e->d_name, in->db.file) ||
		    !strcmp(e->d_name, in->old_file))
			continue;
		unlinkat(dirfd, e->d_name, 0);
	}
	closedir(d);
}

/* Merge the incoming entries into idx (replacing same names), sorted. */
static int merge(rq_mirror_index *idx, const incoming *ins, size_t n)
{
	rq_mirror_db *dbs = realloc(idx->dbs, (idx->count + n + 1) * sizeof *dbs);
	if (!dbs)
		return rq_fail(RQ_ENOMEM, "publish: out of memory");
	idx->dbs = dbs;
	for (size_t i = 0; i < n; i++) {
		rq_mirror_db *slot = (rq_mirror_db *)rq_mirror_index_find(idx, ins[i].db.name);
		if (!slot)
			slot = &idx->dbs[idx->count++];
		*slot = ins[i].db;
	}
	qsort(idx->dbs, idx->count, sizeof *idx->dbs, by_db_name);
	return 0;
}

/*
 * Replace index.json.sig then index.json. Both new files are written and
 * fsync'd first so the two renames follow each other within microseconds; a
 * reader that fetched one old and one new file sees a bad signature and
 * fetches both again (docs/mirror.md, "Consistency").
 */
static int write_index(int dirfd, const char *dir, const rq_mirror_index *idx,
		       const rq_signkey *key)
{
	char *text = NULL;
	size_t len = 0;
	uint8_t sig[RQ_SIGTRAILER_LEN];
	int rc = rq_mirror_index_dump(idx, &text, &len);
	if (rc == 0)
		rc = rq_sign_trailer(key, (const uint8_t *)text, len, sig);
	if (rc == 0)
		rc = rq_write_synced(dirfd, dir, SIG_NEW, sig, sizeof sig, 0644, 0);
	if (rc == 0)
		rc = rq_write_synced(dirfd, dir, INDEX_NEW, text, len, 0644, 0);
	if (rc == 0 && renameat(dirfd, SIG_NEW, dirfd, RQ_MIRROR_INDEX_SIG) != 0)
		rc = rq_fail_errno(RQ_EIO, errno, "%s/" RQ_MIRROR_INDEX_SIG ": rename failed", dir);
	if (rc == 0 && renameat(dirfd, INDEX_NEW, dirfd, RQ_MIRROR_INDEX) != 0)
		rc = rq_fail_errno(RQ_EIO, errno, "%s/" RQ_MIRROR_INDEX ": rename failed", dir);
	if (rc == 0)
		rc = rq_fsync_dir(dirfd, dir);
	unlinkat(dirfd, SIG_NEW, 0);
	unlinkat(dirfd, INDEX_NEW, 0);
	free(text);
	return rc;
}

int rq_mirror_publish(const char *dir, const rq_signkey *key, const rq_keyring *trusted,
		      const char *const *files, size_t n, int force, rq_mirror_publish_cb cb,
		      void *payload)
{
	int rc = 0, dirfd = -1, lockfd = -1;
	rq_keyring *ring = NULL;
	rq_mirror_index idx = { 0 };
	incoming *ins = calloc(n ? n : 1, sizeof *ins);
	if (!ins)
		return rq_fail(RQ_ENOMEM, "publish: out of memory");
	if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
		rc = rq_fail_errno(RQ_EIO, errno, "%s: cannot create the mirror folder", dir);
		goto done;
	}
	dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0) {
		rc = rq_fail_errno(RQ_EIO, errno, "%s", dir);
		goto done;
	}
	rc = rq_lock_at(&lockfd, dirfd, dir, LOCK_NAME);
	if (rc == 0)
		rc = read_index(dirfd, dir, &idx);
	/* files must verify with the publishing key or an explicitly trusted one */
	if (rc == 0)
		rc = rq_keyring_new(&ring);
	if (rc == 0)
		rc = rq_keyring_add_signkey(ring, key);
	for (size_t i = 0; i < n && rc == 0; i++) {
		ins[i].path = files[i];
		rc = check_incoming(&ins[i], ring, trusted, &idx, force);
		for (size_t j = 0; j < i && rc == 0; j++)
			if (!strcmp(ins[j].db.name, ins[i].db.name))
				rc = rq_fail(RQ_EINVAL, "%s and %s are both database '%s'", ins[j].path,
					     ins[i].path, ins[i].db.name);
	}
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = copy_in(dirfd, dir, &ins[i]);
	if (rc == 0)
		rc = rq_fsync_dir(dirfd, dir);
	if (rc == 0)
		rc = merge(&idx, ins, n);
	if (rc == 0) {
		idx.generated = (int64_t)time(NULL);
		rc = write_index(dirfd, dir, &idx, key);
	}
	for (size_t i = 0; i < n && rc == 0; i++) {
		prune(dirfd, &ins[i]);
		if (cb)
			cb(&ins[i].db, ins[i].old_version, payload);
	}
	if (rc == 0)
		rc = rq_fsync_dir(dirfd, dir);
done:
	for (size_t i = 0; i < n; i++)
		rq_unmap(&ins[i].map);
	free(ins);
	rq_mirror_index_clear(&idx);
	rq_keyring_free(ring);
	if (lockfd >= 0)
		close(lockfd);
	if (dirfd >= 0)
		close(dirfd);
	return rc;
}
