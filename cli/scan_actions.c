/*
 * Actions of `raquet scan` on a file reported as FOUND: remove, move or copy
 * (quarantine goes through include/raquet/vault.h). Everything works on the
 * descriptor that was scanned: the content is read from it, and the path is
 * removed only while it still names that descriptor's inode, so a file or
 * symlink swapped in after the scan is never touched. Guide: docs/cli.md.
 */
#include "scan_actions.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Suffixes tried for a name already taken in the destination folder
 * (NAME.1 ... NAME.9999): beyond that the folder is clearly not meant for
 * this, and trying on would only slow the scan down. */
#define ACTION_MAX_SUFFIX 9999
/* Copy buffer. */
#define ACTION_COPY_CHUNK (1024 * 1024)

/* Test hook: RQ_ACTION_CRASH_AT=N makes --move/--copy _exit(137) right
 * after step N (1 copy written and synced under a temporary name, 2 copy
 * named, 3 destination folder synced, 4 original removed), as a kill -9 or
 * power cut would; tests/cli/test_action_faults.sh checks nothing is lost. */
static void crash_point(int step)
{
	const char *at = getenv("RQ_ACTION_CRASH_AT");
	if (at && atoi(at) == step)
		_exit(137);
}

const char *scan_action_name(scan_action_kind kind)
{
	switch (kind) {
	case ACTION_QUARANTINE: return "quarantine";
	case ACTION_REMOVE: return "remove";
	case ACTION_MOVE: return "move";
	case ACTION_COPY: return "copy";
	case ACTION_REPORT: break;
	}
	return "report";
}

void scan_outcome_clear(scan_outcome *o)
{
	free(o->dest);
	memset(o, 0, sizeof(*o));
}

__attribute__((format(printf, 4, 5)))
static int refuse(int code, char *err, size_t cap, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, cap, fmt, ap);
	va_end(ap);
	return code;
}

/* Open the folder holding `path` and point `*base` at its last name. */
static int open_parent(int *out_fd, const char **base, const char *path, char *err, size_t cap)
{
	char parent[PATH_MAX];
	const char *slash = strrchr(path, '/');
	*out_fd = -1;
	*base = slash ? slash + 1 : path;
	if (!**base || !strcmp(*base, ".") || !strcmp(*base, ".."))
		return refuse(RQ_EINVAL, err, cap, "not a file path");
	size_t n = !slash ? 1 : slash == path ? 1 : (size_t)(slash - path);
	if (n >= sizeof parent)
		return refuse(RQ_EINVAL, err, cap, "path too long");
	memcpy(parent, slash ? path : ".", n);
	parent[n] = '\0';
	*out_fd = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (*out_fd < 0)
		return refuse(RQ_EIO, err, cap, "cannot open its folder: %s", strerror(errno));
	return 0;
}

/* 0 if `base` in `pfd` is still the regular file open as `fd`. */
static int still_same(int fd, int pfd, const char *base, char *err, size_t cap)
{
	struct stat want, cur;
	if (fstat(fd, &want) != 0)
		return refuse(RQ_EIO, err, cap, "cannot stat the scanned file: %s", strerror(errno));
	if (!S_ISREG(want.st_mode))
		return refuse(RQ_EINVAL, err, cap, "not a regular file");
	if (fstatat(pfd, base, &cur, AT_SYMLINK_NOFOLLOW) != 0) {
		if (errno == ENOENT)
			return refuse(RQ_ENOTFOUND, err, cap, "no longer exists");
		return refuse(RQ_EIO, err, cap, "cannot stat: %s", strerror(errno));
	}
	if (S_ISLNK(cur.st_mode))
		return refuse(RQ_ENOTFOUND, err, cap,
			    "is a symbolic link, not the file that was scanned");
	if (!S_ISREG(cur.st_mode) || cur.st_dev != want.st_dev || cur.st_ino != want.st_ino)
		return refuse(RQ_ENOTFOUND, err, cap, "changed since it was scanned");
	return 0;
}

static int remove_in(int fd, int pfd, const char *base, char *err, size_t cap)
{
	int rc = still_same(fd, pfd, base, err, cap);
	if (rc == 0 && unlinkat(pfd, base, 0) != 0)
		rc = refuse(RQ_EIO, err, cap, "%s", strerror(errno));
	if (rc == 0)
		fsync(pfd); /* the file is gone either way; a failed sync is no reason to say otherwise */
	return rc;
}

int scan_action_remove(int fd, const char *path, char *err, size_t err_cap)
{
	const char *base = NULL;
	int pfd = -1;
	int rc = open_parent(&pfd, &base, path, err, err_cap);
	if (rc == 0)
		rc = remove_in(fd, pfd, base, err, err_cap);
	if (pfd >= 0)
		close(pfd);
	return rc;
}

/* Write all of buf (short writes and EINTR retried). */
static int write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* A new temporary file in `dfd`, named into tmp. */
static int create_temp(int dfd, char *tmp, size_t tmp_cap, int *out_fd)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	for (unsigned attempt = 0; attempt < 100; attempt++) {
		snprintf(tmp, tmp_cap, ".raquet-copy.%ld.%lx.%u", (long)getpid(),
			 (unsigned long)ts.tv_nsec, attempt);
		*out_fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (*out_fd >= 0 || errno != EEXIST)
			break;
	}
	return *out_fd >= 0 ? 0 : -1;
}

/* Copy fd's content into tfd with the permission bits and times of `st`, synced. */
static int fill_temp(int fd, int tfd, const struct stat *st, char *err, size_t cap)
{
	char *buf = malloc(ACTION_COPY_CHUNK);
	off_t off = 0;
	int rc = 0;
	if (!buf) {
		rc = refuse(RQ_ENOMEM, err, cap, "out of memory");
		goto done;
	}
	for (;;) {
		ssize_t n = pread(fd, buf, ACTION_COPY_CHUNK, off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = refuse(RQ_EIO, err, cap, "read failed: %s", strerror(errno));
			goto done;
		}
		if (n == 0)
			break;
		if (write_all(tfd, buf, (size_t)n) != 0) {
			rc = refuse(RQ_EIO, err, cap, "write failed: %s", strerror(errno));
			goto done;
		}
		off += n;
	}
	if (geteuid() == 0 && fchown(tfd, st->st_uid, st->st_gid) != 0) {
		/* best effort: the content and times are what matter */
	}
	const struct timespec times[2] = { st->st_atim, st->st_mtim };
	if (fchmod(tfd, st->st_mode & 0777) != 0 || futimens(tfd, times) != 0) {
		rc = refuse(RQ_EIO, err, cap, "cannot set mode or times: %s", strerror(errno));
		goto done;
	}
	if (fsync(tfd) != 0)
		rc = refuse(RQ_EIO, err, cap, "write failed: %s", strerror(errno));
done:
	free(buf);
	return rc;
}

/* Give the temporary file its final name, never replacing a file. */
static int publish(int dfd, const char *tmp, const char *base, char *name, size_t name_cap,
		   char *err, size_t cap)
{
	for (unsigned k = 0; k <= ACTION_MAX_SUFFIX; k++) {
		int n = k ? snprintf(name, name_cap, "%s.%u", base, k)
			  : snprintf(name, name_cap, "%s", base);
		if (n < 0 || (size_t)n >= name_cap)
			return refuse(RQ_EINVAL, err, cap, "name too long");
		if (renameat2(dfd, tmp, dfd, name, RENAME_NOREPLACE) == 0)
			return 0;
		if (errno == EEXIST)
			continue;
		if (errno != EINVAL && errno != ENOSYS)
			return refuse(RQ_EIO, err, cap, "cannot rename: %s", strerror(errno));
		/* a file system without RENAME_NOREPLACE: link refuses to replace too */
		if (linkat(dfd, tmp, dfd, name, 0) == 0) {
			unlinkat(dfd, tmp, 0);
			return 0;
		}
		if (errno != EEXIST)
			return refuse(RQ_EIO, err, cap, "cannot link: %s", strerror(errno));
	}
	return refuse(RQ_ELIMIT, err, cap, "%s and %s.1 to .%d already exist", base, base,
		    ACTION_MAX_SUFFIX);
}

int scan_action_copy(int fd, const char *path, const char *dir, int move, char **out_dest,
		     char *err, size_t err_cap)
{
	const char *base = NULL;
	int pfd = -1, dfd = -1, tfd = -1, rc, temp_made = 0;
	char tmp[96], name[NAME_MAX + 1];
	struct stat st, pst, dst;
	*out_dest = NULL;
	if ((rc = open_parent(&pfd, &base, path, err, err_cap)) != 0)
		goto done;
	if (fstat(fd, &st) != 0) {
		rc = refuse(RQ_EIO, err, err_cap, "cannot stat the scanned file: %s", strerror(errno));
		goto done;
	}
	if (!S_ISREG(st.st_mode)) {
		rc = refuse(RQ_EINVAL, err, err_cap, "not a regular file");
		goto done;
	}
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0 || fstat(dfd, &dst) != 0 || fstat(pfd, &pst) != 0) {
		rc = refuse(RQ_EIO, err, err_cap, "%s: %s", dir, strerror(errno));
		goto done;
	}
	if (dst.st_dev == pst.st_dev && dst.st_ino == pst.st_ino) {
		rc = refuse(RQ_EINVAL, err, err_cap, "already in %s", dir);
		goto done;
	}
	if (move && (rc = still_same(fd, pfd, base, err, err_cap)) != 0)
		goto done; /* do not copy what cannot be removed afterwards */
	if (create_temp(dfd, tmp, sizeof tmp, &tfd) != 0) {
		rc = refuse(RQ_EIO, err, err_cap, "cannot create a file in %s: %s", dir, strerror(errno));
		goto done;
	}
	temp_made = 1;
	rc = fill_temp(fd, tfd, &st, err, err_cap);
	close(tfd);
	tfd = -1;
	if (rc == 0)
		crash_point(1);
	if (rc != 0 || (rc = publish(dfd, tmp, base, name, sizeof name, err, err_cap)) != 0)
		goto done;
	temp_made = 0;
	crash_point(2);
	if (fsync(dfd) != 0) {
		rc = refuse(RQ_EIO, err, err_cap, "cannot sync %s: %s", dir, strerror(errno));
		unlinkat(dfd, name, 0);
		goto done;
	}
	crash_point(3);
	if (move && (rc = remove_in(fd, pfd, base, err, err_cap)) != 0) {
		unlinkat(dfd, name, 0); /* the original stays, so its copy goes */
		fsync(dfd);
		goto done;
	}
	crash_point(4);
	size_t len = strlen(dir) + 1 + strlen(name) + 1;
	char *dest = malloc(len);
	if (!dest) {
		/* the action is done; only its report is incomplete */
		rc = 0;
		goto done;
	}
	snprintf(dest, len, "%s%s%s", dir, dir[0] && dir[strlen(dir) - 1] == '/' ? "" : "/", name);
	*out_dest = dest;
done:
	if (tfd >= 0)
		close(tfd);
	if (temp_made)
		unlinkat(dfd, tmp, 0);
	if (dfd >= 0)
		close(dfd);
	if (pfd >= 0)
		close(pfd);
	return rc;
}
