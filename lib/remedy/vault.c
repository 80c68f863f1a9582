/*
 * The quarantine vault's protocol: opening (folder, key, lock, recovery),
 * the crash-safe quarantine sequence (encrypted copy, metadata, commit by
 * rename, verify, then remove the original only if it is still the same
 * inode), listing, restore, delete and purge. Overview: docs/quarantine.md.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "core/error.h"
#include "core/limits.h"
#include "core/util.h"
#include "vault_impl.h"

#define KEY_FILE "vault.key"
#define KEY_TMP "vault.key.tmp"
#define LOCK_FILE ".lock"

struct rq_vault {
	char *dir;
	int dirfd;
	int lockfd;
	vault_keys keys;
	int crash_at; /* RQ_VAULT_CRASH_AT: test hook, _exit(137) after that step */
};

/* Files of one item, by suffix after the ID. */
enum { F_DATA = 1, F_META = 2, F_DATA_TMP = 4, F_META_TMP = 8, F_PENDING = 16, F_REWRITE = 32 };
static const struct { unsigned flag; const char *suffix; } item_files[] = {
	{ F_DATA, ".data" }, { F_META, ".meta" }, { F_DATA_TMP, ".data.tmp" },
	{ F_META_TMP, ".meta.tmp" }, { F_PENDING, ".pending" }, { F_REWRITE, ".rewrite" },
};
#define N_ITEM_FILES (sizeof item_files / sizeof item_files[0])

static void crash_point(const rq_vault *v, int step)
{
	if (v->crash_at == step)
		_exit(137);
}

/* Wall-clock time in ns; RQ_VAULT_NOW (unix seconds) overrides it for tests. */
static int64_t now_ns(void)
{
	const char *fake = getenv("RQ_VAULT_NOW");
	if (fake && *fake)
		return (int64_t)strtoll(fake, NULL, 10) * 1000000000LL;
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int valid_id(const char *id)
{
	if (!id || strlen(id) != RQ_VAULT_ID_LEN)
		return 0;
	for (size_t i = 0; i < RQ_VAULT_ID_LEN; i++)
		if (!((id[i] >= '0' && id[i] <= '9') || (id[i] >= 'a' && id[i] <= 'f')))
			return 0;
	return 1;
}

static void item_name(char *out, size_t cap, const char *id, unsigned flag)
{
	for (size_t i = 0; i < N_ITEM_FILES; i++)
		if (item_files[i].flag == flag)
			snprintf(out, cap, "%s%s", id, item_files[i].suffix);
}

static int has_file(const rq_vault *v, const char *id, unsigned flag)
{
	char name[64];
	struct stat st;
	item_name(name, sizeof name, id, flag);
	return fstatat(v->dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

static int fsync_fd(int fd, const char *what)
{
	if (fsync(fd) != 0)
		return rq_fail_errno(RQ_EIO, errno, "%s: fsync failed", what);
	return 0;
}

static int sync_vault(const rq_vault *v)
{
	return fsync_fd(v->dirfd, v->dir);
}

/* Remove the given files of an item (missing ones are fine); 1 if any was. */
static int remove_files(const rq_vault *v, const char *id, unsigned flags)
{
	int any = 0;
	char name[64];
	for (size_t i = 0; i < N_ITEM_FILES; i++) {
		if (!(flags & item_files[i].flag))
			continue;
		item_name(name, sizeof name, id, item_files[i].flag);
		if (unlinkat(v->dirfd, name, 0) == 0)
			any = 1;
	}
	return any;
}

static int lock_vault(const rq_vault *v)
{
	while (flock(v->lockfd, LOCK_EX) != 0)
		if (errno != EINTR)
			return rq_fail_errno(RQ_EIO, errno, "%s: cannot lock the vault", v->dir);
	return 0;
}

static void unlock_vault(const rq_vault *v)
{
	flock(v->lockfd, LOCK_UN);
}

static int mkdir_parents(const char *dir)
{
	char buf[PATH_MAX];
	if (snprintf(buf, sizeof buf, "%s", dir) >= (int)sizeof buf)
		return rq_fail(RQ_EINVAL, "%s: path too long", dir);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) != 0 && errno != EEXIST)
			return rq_fail_errno(RQ_EIO, errno, "%s: cannot create folder", buf);
		*p = '/';
	}
	if (mkdir(buf, 0700) != 0 && errno != EEXIST)
		return rq_fail_errno(RQ_EIO, errno, "%s: cannot create the vault folder", buf);
	return 0;
}

static int load_key(rq_vault *v)
{
	uint8_t key[VAULT_KEY_LEN];
	int rc = 0, fd = openat(v->dirfd, KEY_FILE, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;
	if (fd < 0 && errno == ENOENT) {
		/* new vault: write the key under a temporary name, then rename */
		if ((rc = vault_random(key, sizeof key)) != 0)
			goto done;
		unlinkat(v->dirfd, KEY_TMP, 0);
		fd = openat(v->dirfd, KEY_TMP, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd < 0) {
			rc = rq_fail_errno(RQ_EIO, errno, "%s/%s: cannot create", v->dir, KEY_TMP);
			goto done;
		}
		if ((rc = vault_write_all(fd, key, sizeof key, "vault key")) != 0 ||
		    (rc = fsync_fd(fd, "vault key")) != 0)
			goto done;
		if (renameat(v->dirfd, KEY_TMP, v->dirfd, KEY_FILE) != 0) {
			rc = rq_fail_errno(RQ_EIO, errno, "%s/%s: cannot rename", v->dir, KEY_TMP);
			goto done;
		}
		if ((rc = sync_vault(v)) != 0)
			goto done;
	} else if (fd < 0) {
		rc = rq_fail_errno(RQ_EIO, errno, "%s/%s: cannot open the vault key", v->dir, KEY_FILE);
		goto done;
	} else {
		ssize_t n = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size == VAULT_KEY_LEN
				    ? pread(fd, key, sizeof key, 0) : -1;
		if (n != VAULT_KEY_LEN) {
			rc = rq_fail(RQ_EPARSE, "%s/%s: not a %d-byte vault key", v->dir, KEY_FILE,
				     VAULT_KEY_LEN);
			goto done;
		}
	}
	rc = vault_keys_derive(&v->keys, key);
done:
	OPENSSL_cleanse(key, sizeof key);
	if (fd >= 0)
		close(fd);
	return rc;
}

static int recover_locked(rq_vault *v, size_t *out_fixed);

int rq_vault_open(rq_vault **out, const char *dir)
{
	int rc = 0;
	struct stat st;
	const char *crash = getenv("RQ_VAULT_CRASH_AT");
	rq_vault *v = calloc(1, sizeof *v);
	*out = NULL;
	if (!dir)
		dir = RQ_VAULT_DEFAULT_DIR;
	if (!v || !(v->dir = strdup(dir))) {
		free(v);
		return rq_fail(RQ_ENOMEM, "vault: out of memory");
	}
	v->dirfd = v->lockfd = -1;
	v->crash_at = crash && *crash ? atoi(crash) : -1;
	if ((rc = mkdir_parents(dir)) != 0)
		goto done;
	v->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (v->dirfd < 0) {
		rc = rq_fail_errno(RQ_EIO, errno, "%s: cannot open the vault folder", dir);
		goto done;
	}
	if (fstat(v->dirfd, &st) != 0 || st.st_uid != geteuid() || (st.st_mode & 077)) {
		rc = rq_fail(RQ_EINVAL, "%s: vault folder must belong to uid %u with mode 0700",
			     dir, (unsigned)geteuid());
		goto done;
	}
	v->lockfd = openat(v->dirfd, LOCK_FILE, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (v->lockfd < 0) {
		rc = rq_fail_errno(RQ_EIO, errno, "%s/%s: cannot open", dir, LOCK_FILE);
		goto done;
	}
	if ((rc = lock_vault(v)) != 0)
		goto done;
	rc = load_key(v);
	if (rc == 0)
		rc = recover_locked(v, NULL);
	unlock_vault(v);
done:
	if (rc == 0)
		*out = v;
	else
		rq_vault_close(v);
	return rc;
}

void rq_vault_close(rq_vault *vault)
{
	if (!vault)
		return;
	if (vault->dirfd >= 0)
		close(vault->dirfd);
	if (vault->lockfd >= 0)
		close(vault->lockfd);
	OPENSSL_cleanse(&vault->keys, sizeof vault->keys);
	free(vault->dir);
	free(vault);
}

const char *rq_vault_dir(const rq_vault *vault)
{
	return vault->dir;
}

void rq_vault_item_free(rq_vault_item *item)
{
	if (!item)
		return;
	for (size_t i = 0; item->detections && i < item->n_detections; i++)
		free(item->detections[i]);
	free(item->detections);
	free(item->original_path);
	free(item->owner);
	free(item->group);
	free(item->host);
	free(item->note);
	for (size_t i = 0; i < item->n_links; i++) {
		free(item->link_paths[i]);
		free(item->link_targets[i]);
	}
	free(item->link_paths);
	free(item->link_targets);
	free(item);
}

void rq_vault_items_free(rq_vault_item **items, size_t count)
{
	for (size_t i = 0; items && i < count; i++)
		rq_vault_item_free(items[i]);
	free(items);
}

/* Read and verify an item's metadata; RQ_ENOTFOUND if it has none. */
static int load_meta(const rq_vault *v, const char *id, rq_vault_item **out, uint64_t *dev,
		     uint64_t *ino)
{
	char path[PATH_MAX];
	uint8_t *text = NULL;
	size_t len = 0;
	int rc;
	if (!valid_id(id))
		return rq_fail(RQ_ENOTFOUND, "'%s' is not a vault item ID", id ? id : "");
	if (!has_file(v, id, F_META))
		return rq_fail(RQ_ENOTFOUND, "no item %s in the vault %s", id, v->dir);
	if (snprintf(path, sizeof path, "%s/%s.meta", v->dir, id) >= (int)sizeof path)
		return rq_fail(RQ_EINVAL, "%s: vault path too long", v->dir);
	rc = rq_read_file(path, RQ_VAULT_MAX_META, &text, &len);
	if (rc == RQ_ELIMIT)
		rc = rq_fail(RQ_EPARSE, "vault item %s: metadata too large (tampered?)", id);
	if (rc == 0)
		rc = vault_meta_decode(out, dev, ino, (const char *)text, len, id, v->keys.meta);
	free(text);
	return rc;
}

/* Decrypt an item's content, into out_fd or only to check it against item. */
static int check_content(const rq_vault *v, const rq_vault_item *item, int out_fd)
{
	char name[64], hex[65];
	uint8_t sha[32];
	uint64_t size = 0;
	int rc, fd;
	item_name(name, sizeof name, item->id, F_DATA);
	fd = openat(v->dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return rq_fail_errno(RQ_EPARSE, errno, "vault item %s: content file missing", item->id);
	rc = vault_decrypt(fd, out_fd, v->keys.content, item->id, sha, &size);
	close(fd);
	if (rc == 0) {
		rq_hex_encode(hex, sha, 32);
		if (size != item->size || strcmp(hex, item->sha256) != 0)
			rc = rq_fail(RQ_EPARSE, "vault item %s: content does not match its metadata "
				     "(tampered)", item->id);
	}
	return rc;
}

/* Split an absolute path into its parent folder (opened) and last name. */
static int open_parent(int *out_fd, const char **out_base, const char *path)
{
	char parent[PATH_MAX];
	const char *slash = strrchr(path, '/');
	*out_fd = -1;
	if (!slash || !slash[1] || !strcmp(slash + 1, ".") || !strcmp(slash + 1, ".."))
		return rq_fail(RQ_EINVAL, "%s: not a file path", path);
	size_t n = slash == path ? 1 : (size_t)(slash - path);
	if (n >= sizeof parent)
		return rq_fail(RQ_EINVAL, "%s: path too long", path);
	memcpy(parent, path, n);
	parent[n] = '\0';
	*out_fd = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (*out_fd < 0 && errno == ENOENT)
		return rq_fail(RQ_ENOTFOUND, "folder %s no longer exists (restore with --to PATH)",
			       parent);
	if (*out_fd < 0)
		return rq_fail_errno(RQ_EIO, errno, "%s: cannot open folder", parent);
	*out_base = slash + 1;
	return 0;
}

/* SHA-256 of an open file, hex. */
static int hash_fd(int fd, char hex[65])
{
	uint8_t *buf = malloc(RQ_VAULT_CHUNK), sha[32];
	EVP_MD_CTX *h = EVP_MD_CTX_new();
	int rc = 0;
	off_t off = 0;
	if (!buf || !h || EVP_DigestInit_ex(h, EVP_sha256(), NULL) != 1) {
		rc = rq_fail(RQ_ENOMEM, "vault: out of memory hashing");
		goto done;
	}
	for (;;) {
		ssize_t n = pread(fd, buf, RQ_VAULT_CHUNK, off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = rq_fail_errno(RQ_EIO, errno, "vault: read failed while hashing");
			goto done;
		}
		if (n == 0)
			break;
		off += n;
		EVP_DigestUpdate(h, buf, (size_t)n);
	}
	EVP_DigestFinal_ex(h, sha, NULL);
	rq_hex_encode(hex, sha, 32);
done:
	EVP_MD_CTX_free(h);
	free(buf);
	return rc;
}

/*
 * Remove the original of a complete item if its path still names the inode
 * that was copied (same dev/ino, regular) -- and, when `want_sha` is given
 * (recovery), still holds the same content. 1 removed (or, with dry_run,
 * would be), 0 kept, <0 error. A failed fsync after the unlink is not an
 * error: the copy is complete, so the caller must not roll it back.
 */
static int remove_original(const char *path, uint64_t dev, uint64_t ino, const char *want_sha,
			   int dry_run)
{
	const char *base = NULL;
	int pfd = -1, rc = open_parent(&pfd, &base, path), fd = -1;
	struct stat st;
	char hex[65];
	if (rc != 0) {
		rc = rc == RQ_ENOTFOUND ? 0 : rc;
		goto done;
	}
	if (fstatat(pfd, base, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode) ||
	    (uint64_t)st.st_dev != dev || (uint64_t)st.st_ino != ino)
		goto done; /* gone, or replaced by another file or a symlink: keep */
	if (want_sha) {
		fd = openat(pfd, base, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0 || fstat(fd, &st) != 0 || (uint64_t)st.st_ino != ino ||
		    (rc = hash_fd(fd, hex)) != 0 || strcmp(hex, want_sha) != 0)
			goto done;
	}
	if (!dry_run && unlinkat(pfd, base, 0) != 0) {
		rc = rq_fail_errno(RQ_EIO, errno, "%s: cannot remove the original", path);
		goto done;
	}
	if (!dry_run)
		fsync(pfd);
	rc = 1;
done:
	if (fd >= 0)
		close(fd);
	if (pfd >= 0)
		close(pfd);
	return rc;
}

/* Absolute path of `path` with its folder resolved (the last name is not). */
static int absolute_path(char **out, const char *path)
{
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	char dir[PATH_MAX], real[PATH_MAX];
	size_t n = slash ? (slash == path ? 1 : (size_t)(slash - path)) : 1;
	if (!*base || !strcmp(base, ".") || !strcmp(base, "..") || n >= sizeof dir)
		return rq_fail(RQ_EINVAL, "%s: not a file path", path);
	memcpy(dir, slash ? path : ".", n);
	dir[n] = '\0';
	if (!realpath(dir, real))
		return rq_fail_errno(errno == ENOENT ? RQ_ENOTFOUND : RQ_EIO, errno,
				     "%s: cannot resolve folder", dir);
	size_t len = strlen(real) + 1 + strlen(base) + 1;
	if (!(*out = malloc(len)))
		return rq_fail(RQ_ENOMEM, "vault: out of memory");
	snprintf(*out, len, "%s%s%s", real, strcmp(real, "/") ? "/" : "", base);
	return 0;
}

static char *name_of_uid(uid_t uid)
{
	char buf[16384];
	struct passwd pw, *res = NULL;
	getpwuid_r(uid, &pw, buf, sizeof buf, &res);
	return strdup(res ? res->pw_name : "");
}

static char *name_of_gid(gid_t gid)
{
	char buf[16384];
	struct group gr, *res = NULL;
	getgrgid_r(gid, &gr, buf, sizeof buf, &res);
	return strdup(res ? res->gr_name : "");
}

/* Write a new file of the vault with O_EXCL, fsynced; content by callback. */
static int create_file(const rq_vault *v, const char *name, int *out_fd)
{
	*out_fd = openat(v->dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (*out_fd < 0)
		return rq_fail_errno(RQ_EIO, errno, "%s/%s: cannot create", v->dir, name);
	return 0;
}

int rq_vault_new_id(char *out_id)
{
	uint8_t rnd[4];
	int rc = vault_random(rnd, sizeof rnd);
	if (rc == 0)
		snprintf(out_id, RQ_VAULT_ID_LEN + 1, "%016llx%02x%02x%02x%02x",
			 (unsigned long long)now_ns(), rnd[0], rnd[1], rnd[2], rnd[3]);
	return rc;
}

static int quarantine_locked(rq_vault *v, int fd, const char *abs, const char *const *names,
			     size_t n_names, const rq_vault_extra *extra, char *out_id)
{
	static const rq_vault_extra none = { 0 };
	int rc = 0, ofd = -1, removed = 0;
	struct stat st, cur;
	uint8_t sha[32];
	char name[64], tmp[64], *meta = NULL, host[256] = "";
	rq_vault_item item = { 0 };
	int64_t now = now_ns();
	if (!extra)
		extra = &none;
	if (fstat(fd, &st) != 0) {
		rc = rq_fail_errno(RQ_EIO, errno, "%s: cannot stat", abs);
		goto done;
	}
	if (!S_ISREG(st.st_mode)) {
		rc = rq_fail(RQ_EINVAL, "%s: only regular files can be quarantined", abs);
		goto done;
	}
	if (st.st_nlink == 0 || lstat(abs, &cur) != 0 || cur.st_dev != st.st_dev ||
	    cur.st_ino != st.st_ino) {
		rc = rq_fail(RQ_ENOTFOUND, "%s: removed or replaced since it was opened; nothing done",
			     abs);
		goto done;
	}
	if (extra->id && !valid_id(extra->id)) {
		rc = rq_fail(RQ_EINVAL, "'%s' is not a vault item ID", extra->id);
		goto done;
	}
	if (extra->n_links > RQ_VAULT_MAX_LINKS) {
		rc = rq_fail(RQ_ELIMIT, "%s: more than %d links", abs, RQ_VAULT_MAX_LINKS);
		goto done;
	}
	if (extra->id)
		memcpy(item.id, extra->id, sizeof item.id);
	else if ((rc = rq_vault_new_id(item.id)) != 0)
		goto done;

	/* step 1: the intent marker, then the encrypted content */
	item_name(name, sizeof name, item.id, F_PENDING);
	if (has_file(v, item.id, F_META) || (rc = create_file(v, name, &ofd)) != 0) {
		if (rc == 0)
			rc = rq_fail(RQ_EIO, "vault item %s already exists", item.id);
		item.id[0] = '\0'; /* not ours: nothing to roll back */
		goto done;
	}
	close(ofd);
	item_name(tmp, sizeof tmp, item.id, F_DATA_TMP);
	if ((rc = sync_vault(v)) != 0 || (rc = create_file(v, tmp, &ofd)) != 0 ||
	    (rc = vault_encrypt(fd, ofd, v->keys.content, item.id, sha, &item.size)) != 0 ||
	    (rc = fsync_fd(ofd, tmp)) != 0)
		goto done;
	close(ofd);
	ofd = -1;
	crash_point(v, 1);

	/* step 2: the metadata */
	gethostname(host, sizeof host - 1);
	rq_hex_encode(item.sha256, sha, 32);
	item.original_path = (char *)abs;
	item.uid = st.st_uid;
	item.gid = st.st_gid;
	item.mode = st.st_mode;
	item.owner = name_of_uid(st.st_uid);
	item.group = name_of_gid(st.st_gid);
	item.host = host;
	item.atime_ns = (int64_t)st.st_atim.tv_sec * 1000000000LL + st.st_atim.tv_nsec;
	item.mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec;
	item.detections = (char **)names;
	item.n_detections = n_names;
	item.quarantined = now / 1000000000LL;
	item.backup = extra->backup;
	if (extra->replaced_sha256)
		snprintf(item.replaced_sha256, sizeof item.replaced_sha256, "%s", extra->replaced_sha256);
	item.note = (char *)extra->note;
	item.link_paths = (char **)extra->link_paths;
	item.link_targets = (char **)extra->link_targets;
	item.n_links = extra->n_links;
	if (!item.owner || !item.group) {
		rc = rq_fail(RQ_ENOMEM, "vault: out of memory");
		goto done;
	}
	item_name(tmp, sizeof tmp, item.id, F_META_TMP);
	if ((rc = vault_meta_encode(&meta, &item, (uint64_t)st.st_dev, (uint64_t)st.st_ino,
				    v->keys.meta)) != 0 ||
	    (rc = create_file(v, tmp, &ofd)) != 0 ||
	    (rc = vault_write_all(ofd, meta, strlen(meta), tmp)) != 0 ||
	    (rc = fsync_fd(ofd, tmp)) != 0)
		goto done;
	close(ofd);
	ofd = -1;
	crash_point(v, 2);

	/* step 3: commit -- content first, metadata last (its presence = complete) */
	item_name(tmp, sizeof tmp, item.id, F_DATA_TMP);
	item_name(name, sizeof name, item.id, F_DATA);
	if (renameat(v->dirfd, tmp, v->dirfd, name) != 0) {
		rc = rq_fail_errno(RQ_EIO, errno, "%s/%s: cannot rename", v->dir, tmp);
		goto done;
	}
	item_name(tmp, sizeof tmp, item.id, F_META_TMP);
	item_name(name, sizeof name, item.id, F_META);
	if (renameat(v->dirfd, tmp, v->dirfd, name) != 0) {
		rc = rq_fail_errno(RQ_EIO, errno, "%s/%s: cannot rename", v->dir, tmp);
		goto done;
	}
	if ((rc = sync_vault(v)) != 0)
		goto done;
	crash_point(v, 3);

	/* step 4: read the stored copy back */
	if ((rc = check_content(v, &item, -1)) != 0)
		goto done;
	crash_point(v, 4);

	/* step 5: remove the original, if it is still the file that was copied
	 * (a backup keeps it: its content was only read) */
	if (extra->backup) {
		crash_point(v, 5);
		goto finish;
	}
	if (fstat(fd, &cur) != 0 || cur.st_size != st.st_size || cur.st_mtim.tv_sec != st.st_mtim.tv_sec ||
	    cur.st_mtim.tv_nsec != st.st_mtim.tv_nsec) {
		rc = rq_fail(RQ_ENOTFOUND, "%s: changed while being quarantined; original kept", abs);
		goto done;
	}
	rc = remove_original(abs, (uint64_t)st.st_dev, (uint64_t)st.st_ino, NULL, 0);
	removed = rc == 1;
	if (rc == 0)
		rc = rq_fail(RQ_ENOTFOUND, "%s: replaced (symlink or other file) before removal; "
			     "nothing removed", abs);
	if (rc < 0)
		goto done;
	rc = 0;
	crash_point(v, 5);
finish:
	remove_files(v, item.id, F_PENDING);
	rc = sync_vault(v);
	if (out_id)
		memcpy(out_id, item.id, sizeof item.id);
done:
	if (ofd >= 0)
		close(ofd);
	if (rc != 0 && item.id[0] && !removed) {
		/* roll back: the original was not removed, so the copy goes */
		remove_files(v, item.id, F_META | F_DATA | F_META_TMP | F_DATA_TMP | F_PENDING);
		fsync(v->dirfd);
	}
	free(item.owner);
	free(item.group);
	free(meta);
	return rc;
}

int rq_vault_quarantine_fd(rq_vault *vault, int fd, const char *path,
			   const char *const *names, size_t n_names, char *out_id)
{
	return rq_vault_quarantine_ex(vault, fd, path, names, n_names, NULL, out_id);
}

int rq_vault_quarantine_ex(rq_vault *vault, int fd, const char *path,
			   const char *const *names, size_t n_names,
			   const rq_vault_extra *extra, char *out_id)
{
	char *abs = NULL;
	int rc;
	if (n_names > RQ_VAULT_MAX_DETECTIONS)
		return rq_fail(RQ_ELIMIT, "%s: more than %d detection names", path,
			       RQ_VAULT_MAX_DETECTIONS);
	if ((rc = absolute_path(&abs, path)) != 0)
		return rc;
	if ((rc = lock_vault(vault)) == 0) {
		rc = quarantine_locked(vault, fd, abs, names, n_names, extra, out_id);
		unlock_vault(vault);
	}
	free(abs);
	return rc;
}

int rq_vault_quarantine_path(rq_vault *vault, const char *path,
			     const char *const *names, size_t n_names, char *out_id)
{
	int rc, fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0 && errno == ELOOP)
		return rq_fail(RQ_EINVAL, "%s: is a symbolic link; quarantine its target instead", path);
	if (fd < 0 && errno == ENOENT)
		return rq_fail(RQ_ENOTFOUND, "%s: no such file", path);
	if (fd < 0)
		return rq_fail_errno(RQ_EIO, errno, "%s: cannot open", path);
	rc = rq_vault_quarantine_fd(vault, fd, path, names, n_names, out_id);
	close(fd);
	return rc;
}

/* IDs of the vault having any of `flags` files, sorted, with their flags. */
typedef struct id_entry {
	char id[RQ_VAULT_ID_LEN + 1];
	unsigned flags;
} id_entry;

static int cmp_ids(const void *a, const void *b)
{
	return strcmp(((const id_entry *)a)->id, ((const id_entry *)b)->id);
}

static int scan_ids(const rq_vault *v, id_entry **out, size_t *out_n)
{
	int rc = 0, dfd = dup(v->dirfd);
	DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
	id_entry *ids = NULL;
	size_t n = 0, cap = 0;
	struct dirent *e;
	if (!d) {
		if (dfd >= 0)
			close(dfd);
		return rq_fail_errno(RQ_EIO, errno, "%s: cannot list", v->dir);
	}
	rewinddir(d);
	while ((e = readdir(d)) != NULL) {
		char id[RQ_VAULT_ID_LEN + 1];
		if (strlen(e->d_name) <= RQ_VAULT_ID_LEN)
			continue;
		memcpy(id, e->d_name, RQ_VAULT_ID_LEN);
		id[RQ_VAULT_ID_LEN] = '\0';
		unsigned flag = 0;
		for (size_t i = 0; i < N_ITEM_FILES; i++)
			if (!strcmp(e->d_name + RQ_VAULT_ID_LEN, item_files[i].suffix))
				flag = item_files[i].flag;
		if (!flag || !valid_id(id))
			continue;
		size_t i = 0;
		while (i < n && strcmp(ids[i].id, id) != 0)
			i++;
		if (i == n) {
			if ((rc = rq_grow((void **)&ids, &cap, n + 1, sizeof *ids)) != 0)
				goto done;
			memcpy(ids[n].id, id, sizeof id);
			ids[n++].flags = 0;
		}
		ids[i].flags |= flag;
	}
	if (n)
		qsort(ids, n, sizeof *ids, cmp_ids);
done:
	closedir(d);
	if (rc != 0) {
		free(ids);
		ids = NULL;
		n = 0;
	}
	*out = ids;
	*out_n = n;
	return rc;
}

/* Remove the file a crashed rewrite (vault_rewrite_begin) may have left
 * beside a backup item's original. */
static void remove_rewrite_temp(const rq_vault *v, const char *id)
{
	rq_vault_item *item = NULL;
	uint64_t dev, ino;
	const char *base = NULL;
	char tmp[64];
	int pfd = -1;
	if (load_meta(v, id, &item, &dev, &ino) == 0 && item->backup &&
	    open_parent(&pfd, &base, item->original_path) == 0) {
		snprintf(tmp, sizeof tmp, "%s%s", VAULT_REWRITE_PREFIX, id);
		if (unlinkat(pfd, tmp, 0) == 0)
			fsync(pfd);
	}
	if (pfd >= 0)
		close(pfd);
	rq_vault_item_free(item);
	rq_error_clear();
}

int vault_rewrite_begin(rq_vault *v, const char *id)
{
	char name[64];
	int fd = -1, rc = lock_vault(v);
	if (rc != 0)
		return rc;
	item_name(name, sizeof name, id, F_REWRITE);
	if (!valid_id(id) || !has_file(v, id, F_META))
		rc = rq_fail(RQ_ENOTFOUND, "no item %s in the vault %s", id ? id : "", v->dir);
	if (rc == 0 && (rc = create_file(v, name, &fd)) == 0)
		rc = sync_vault(v);
	if (fd >= 0)
		close(fd);
	if (rc != 0) {
		if (fd >= 0)
			remove_files(v, id, F_REWRITE);
		unlock_vault(v);
	}
	return rc;
}

void vault_rewrite_end(rq_vault *v, const char *id)
{
	remove_files(v, id, F_REWRITE); /* a marker left over only costs a look at recovery */
	unlock_vault(v);
}

static int recover_locked(rq_vault *v, size_t *out_fixed)
{
	id_entry *ids = NULL;
	size_t n = 0, fixed = 0;
	int rc = scan_ids(v, &ids, &n);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		const char *id = ids[i].id;
		unsigned f = ids[i].flags;
		rq_vault_item *item = NULL;
		uint64_t dev = 0, ino = 0;
		if (!(f & F_META)) {
			/* never committed (or a finished delete): the original was not touched */
			remove_files(v, id, f);
			fixed++;
			continue;
		}
		if (f & (F_DATA_TMP | F_META_TMP)) {
			remove_files(v, id, F_DATA_TMP | F_META_TMP);
			fixed++;
		}
		if (f & F_REWRITE) {
			remove_rewrite_temp(v, id);
			remove_files(v, id, F_REWRITE);
			fixed++;
		}
		if (!(f & F_PENDING))
			continue;
		/* committed but not finished: complete it if the copy is sound */
		int sound = load_meta(v, id, &item, &dev, &ino) == 0 && check_content(v, item, -1) == 0;
		if (item && item->backup) {
			/* a backup never removes its original: keep it if sound */
			if (!sound)
				remove_files(v, id, F_DATA | F_META);
		} else if (sound) {
			rc = remove_original(item->original_path, dev, ino, item->sha256, 0);
			rc = rc < 0 ? rc : 0;
		} else if (item &&
			   remove_original(item->original_path, dev, ino, item->sha256, 1) == 1) {
			/* unsound copy, original intact (not removed above): drop the copy */
			remove_files(v, id, F_DATA | F_META);
		}
		if (rc == 0)
			remove_files(v, id, F_PENDING);
		fixed++;
		rq_vault_item_free(item);
	}
	if (rc == 0 && fixed)
		rc = sync_vault(v);
	free(ids);
	if (rc == 0 && out_fixed)
		*out_fixed = fixed;
	return rc;
}

int rq_vault_recover(rq_vault *vault, size_t *out_fixed)
{
	int rc = lock_vault(vault);
	if (rc == 0) {
		rc = recover_locked(vault, out_fixed);
		unlock_vault(vault);
	}
	return rc;
}

int rq_vault_get(rq_vault *vault, const char *id, rq_vault_item **out)
{
	uint64_t dev, ino;
	*out = NULL;
	return load_meta(vault, id, out, &dev, &ino);
}

int rq_vault_list(rq_vault *vault, rq_vault_item ***out, size_t *out_count)
{
	id_entry *ids = NULL;
	size_t n = 0, count = 0;
	rq_vault_item **items = NULL;
	int rc = lock_vault(vault);
	*out = NULL;
	*out_count = 0;
	if (rc != 0)
		return rc;
	if ((rc = scan_ids(vault, &ids, &n)) != 0)
		goto done;
	if (n && !(items = calloc(n, sizeof *items))) {
		rc = rq_fail(RQ_ENOMEM, "vault: out of memory");
		goto done;
	}
	for (size_t i = 0; i < n; i++) {
		uint64_t dev, ino;
		if (!(ids[i].flags & F_META))
			continue;
		rq_vault_item *it = NULL;
		rc = load_meta(vault, ids[i].id, &it, &dev, &ino);
		if (rc == RQ_EPARSE) {
			if (!(it = calloc(1, sizeof *it))) {
				rc = rq_fail(RQ_ENOMEM, "vault: out of memory");
				goto done;
			}
			memcpy(it->id, ids[i].id, sizeof it->id);
			it->damaged = 1;
			rc = 0;
		}
		if (rc != 0)
			goto done;
		items[count++] = it;
	}
done:
	unlock_vault(vault);
	free(ids);
	if (rc != 0) {
		rq_vault_items_free(items, count);
		return rc;
	}
	*out = items;
	*out_count = count;
	return 0;
}

static int delete_locked(rq_vault *v, const char *id)
{
	if (!valid_id(id) || !has_file(v, id, F_META))
		return rq_fail(RQ_ENOTFOUND, "no item %s in the vault %s", id, v->dir);
	/* metadata first: without it the item no longer exists */
	remove_files(v, id, F_META);
	remove_files(v, id, F_DATA | F_PENDING);
	return sync_vault(v);
}

int rq_vault_delete(rq_vault *vault, const char *id)
{
	int rc = lock_vault(vault);
	if (rc == 0) {
		rc = delete_locked(vault, id);
		unlock_vault(vault);
	}
	return rc;
}

int rq_vault_purge(rq_vault *vault, unsigned days, size_t *out_removed)
{
	id_entry *ids = NULL;
	size_t n = 0, removed = 0;
	int64_t cutoff = now_ns() / 1000000000LL - (int64_t)days * 86400;
	int rc = lock_vault(vault);
	if (rc != 0)
		return rc;
	rc = scan_ids(vault, &ids, &n);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		rq_vault_item *it = NULL;
		uint64_t dev, ino;
		if (!(ids[i].flags & F_META) || load_meta(vault, ids[i].id, &it, &dev, &ino) != 0)
			continue; /* damaged items are for a person to look at */
		if (it->quarantined < cutoff && (rc = delete_locked(vault, it->id)) == 0)
			removed++;
		rq_vault_item_free(it);
	}
	rq_error_clear();
	unlock_vault(vault);
	free(ids);
	if (out_removed)
		*out_removed = removed;
	return rc;
}

/*
 * A backup's file may be replaced without --force when it is missing, still
 * holds what raquet wrote in its place, or already holds the backup's
 * content; anything else means someone changed it since: refuse.
 */
static int backup_replaceable(int pfd, const char *base, const rq_vault_item *item,
			      const char *dest)
{
	char hex[65];
	int rc = 0, fd = openat(pfd, base, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	struct stat st;
	if (fd < 0 && errno == ENOENT)
		return 0;
	if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		rc = rq_fail(RQ_EINVAL, "%s is not the file raquet rewrote; use --force to replace it",
			     dest);
		goto done;
	}
	if ((rc = hash_fd(fd, hex)) != 0)
		goto done;
	if (strcmp(hex, item->sha256) != 0 && strcmp(hex, item->replaced_sha256) != 0)
		rc = rq_fail(RQ_EINVAL, "%s was changed after raquet disabled its entries; "
			     "use --force to replace it with the backup", dest);
done:
	if (fd >= 0)
		close(fd);
	return rc;
}

/* Re-create the symbolic links recorded with an item, never replacing
 * anything; a link whose folder is gone is left out (best effort: the file
 * itself is what must come back). */
static void relink(const rq_vault_item *item)
{
	for (size_t i = 0; i < item->n_links; i++)
		if (symlink(item->link_targets[i], item->link_paths[i]) != 0) {
			/* EEXIST: already there (re-enabled by hand); others: see above */
		}
}

int rq_vault_restore(rq_vault *vault, const char *id, const char *to, unsigned flags,
		     char **out_path)
{
	rq_vault_item *item = NULL;
	uint64_t dev, ino;
	int rc = lock_vault(vault), pfd = -1, fd = -1, placed = 0, to_original = 0;
	char *dest = NULL, tmp[64];
	const char *base = NULL;
	struct stat st;
	if (out_path)
		*out_path = NULL;
	if (rc != 0)
		return rc;
	if ((rc = load_meta(vault, id, &item, &dev, &ino)) != 0)
		goto done;
	if (to && stat(to, &st) == 0 && S_ISDIR(st.st_mode)) {
		const char *ob = strrchr(item->original_path, '/') + 1;
		size_t len = strlen(to) + strlen(ob) + 2;
		if ((dest = malloc(len)))
			snprintf(dest, len, "%s/%s", to, ob);
	} else if (to) {
		rc = absolute_path(&dest, to);
		if (rc != 0)
			goto done;
	} else {
		dest = strdup(item->original_path);
	}
	if (!dest) {
		rc = rq_fail(RQ_ENOMEM, "vault: out of memory");
		goto done;
	}
	if ((rc = open_parent(&pfd, &base, dest)) != 0)
		goto done;
	to_original = strcmp(dest, item->original_path) == 0;
	if (item->backup && to_original && !(flags & RQ_VAULT_FORCE)) {
		if ((rc = backup_replaceable(pfd, base, item, dest)) != 0)
			goto done;
		flags |= RQ_VAULT_FORCE;
	}
	if (!(flags & RQ_VAULT_FORCE) && fstatat(pfd, base, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		rc = rq_fail(RQ_EINVAL, "%s already exists; use --force to replace it", dest);
		goto done;
	}
	snprintf(tmp, sizeof tmp, ".rqrestore-%s", item->id);
	unlinkat(pfd, tmp, 0); /* left by an interrupted restore of this item */
	fd = openat(pfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		rc = rq_fail_errno(RQ_EIO, errno, "%s: cannot create a file beside it", dest);
		goto done;
	}
	if ((rc = check_content(vault, item, fd)) != 0)
		goto done;
	struct timespec times[2] = {
		{ .tv_sec = item->atime_ns / 1000000000LL, .tv_nsec = item->atime_ns % 1000000000LL },
		{ .tv_sec = item->mtime_ns / 1000000000LL, .tv_nsec = item->mtime_ns % 1000000000LL },
	};
	if ((geteuid() == 0 && fchown(fd, item->uid, item->gid) != 0) ||
	    fchmod(fd, item->mode & 07777) != 0 || futimens(fd, times) != 0) {
		rc = rq_fail_errno(RQ_EIO, errno, "%s: cannot restore owner, mode or times", dest);
		goto done;
	}
	if ((rc = fsync_fd(fd, dest)) != 0)
		goto done;
	if (flags & RQ_VAULT_FORCE)
		placed = renameat(pfd, tmp, pfd, base) == 0;
	else
		placed = renameat2(pfd, tmp, pfd, base, RENAME_NOREPLACE) == 0;
	if (!placed) {
		rc = errno == EEXIST
			     ? rq_fail(RQ_EINVAL, "%s already exists; use --force to replace it", dest)
			     : rq_fail_errno(RQ_EIO, errno, "%s: cannot put the file in place", dest);
		goto done;
	}
	if ((rc = fsync_fd(pfd, dest)) != 0)
		goto done;
	if (to_original)
		relink(item);
	if ((rc = delete_locked(vault, item->id)) != 0)
		goto done;
	if (out_path) {
		*out_path = dest;
		dest = NULL;
	}
done:
	if (fd >= 0)
		close(fd);
	if (pfd >= 0 && !placed)
		unlinkat(pfd, tmp, 0);
	if (pfd >= 0)
		close(pfd);
	unlock_vault(vault);
	rq_vault_item_free(item);
	free(dest);
	return rc;
}
