/*
 * Disabling persistence entries (include/raquet/persist.h): a whole holding
 * file (unit, timer, cron.daily script, at job, .desktop) goes to the vault
 * with its systemd enablement links recorded and removed; for line-based
 * files the original is kept in the vault as a backup item, then the file is
 * rewritten crash-safely with the entries commented out. Officer's guide:
 * docs/remediation.md; restore rules: docs/quarantine.md.
 */
#include "raquet/persist.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "core/error.h"
#include "core/limits.h"
#include "core/strbuf.h"
#include "core/util.h"
#include "vault_impl.h"

/* The marker written in front of a disabled line (after "# "). */
#define MARKER "raquet: disabled (quarantine ID "

/* Folders of enablement links: NAME.wants/, NAME.requires/, NAME.upholds/. */
static const char *const link_dir_suffixes[] = { ".wants", ".requires", ".upholds" };

int rq_persist_whole_file(rq_persist_kind kind)
{
	switch (kind) {
	case RQ_PERSIST_SYSTEMD:
	case RQ_PERSIST_TIMER:
	case RQ_PERSIST_CRONDIR:
	case RQ_PERSIST_AT:
	case RQ_PERSIST_AUTOSTART:
		return 1;
	case RQ_PERSIST_PRELOAD:
	case RQ_PERSIST_RCLOCAL:
	case RQ_PERSIST_CRON:
	case RQ_PERSIST_SHELL:
		break;
	}
	return 0;
}

static void crash_point(int step)
{
	const char *at = getenv("RQ_PERSIST_CRASH_AT");
	if (at && atoi(at) == step)
		_exit(137);
}

/* Symlinks found for a unit: full paths (under the root) and their text. */
typedef struct links {
	char *path[RQ_VAULT_MAX_LINKS];
	char *target[RQ_VAULT_MAX_LINKS];
	size_t n;
} links;

static void links_free(links *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->path[i]);
		free(l->target[i]);
	}
	l->n = 0;
}

static int has_suffix(const char *name, const char *suffix)
{
	size_t n = strlen(name), k = strlen(suffix);
	return n > k && strcmp(name + n - k, suffix) == 0;
}

/* Add the symlinks named `unit` in the link folders of `dir` (full path). */
static int find_links_in(links *l, const char *dir, const char *unit)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int rc = 0;
	if (!d)
		return 0; /* no such folder: no links there */
	while (rc == 0 && (e = readdir(d)) != NULL) {
		int is_link_dir = 0;
		for (size_t i = 0; i < sizeof link_dir_suffixes / sizeof link_dir_suffixes[0]; i++)
			is_link_dir |= has_suffix(e->d_name, link_dir_suffixes[i]);
		char path[PATH_MAX], text[PATH_MAX];
		struct stat st;
		if (!is_link_dir ||
		    snprintf(path, sizeof path, "%s/%s/%s", dir, e->d_name, unit) >= (int)sizeof path ||
		    lstat(path, &st) != 0 || !S_ISLNK(st.st_mode))
			continue;
		ssize_t n = readlink(path, text, sizeof text - 1);
		if (n < 0)
			continue;
		text[n] = '\0';
		if (l->n >= RQ_VAULT_MAX_LINKS) {
			rc = rq_fail(RQ_ELIMIT, "%s: more than %d enablement links", unit,
				     RQ_VAULT_MAX_LINKS);
			break;
		}
		l->path[l->n] = strdup(path);
		l->target[l->n] = strdup(text);
		if (!l->path[l->n] || !l->target[l->n]) {
			free(l->path[l->n]);
			free(l->target[l->n]);
			rc = rq_fail(RQ_ENOMEM, "persistence: out of memory");
			break;
		}
		l->n++;
	}
	closedir(d);
	return rc;
}

/* The enablement links of unit file `full` (root+file): in its own folder
 * and, for a system unit, in root/etc/systemd/system. */
static int find_links(links *l, const char *root, const char *file, const char *full)
{
	char dir[PATH_MAX], etc[PATH_MAX];
	const char *unit = strrchr(full, '/') + 1;
	size_t n = (size_t)(unit - 1 - full);
	int rc;
	memcpy(dir, full, n);
	dir[n] = '\0';
	rc = find_links_in(l, dir, unit);
	if (rc == 0 && strncmp(file, "/home/", 6) != 0 && strncmp(file, "/root/", 6) != 0 &&
	    snprintf(etc, sizeof etc, "%s/etc/systemd/system", root) < (int)sizeof etc &&
	    strcmp(etc, dir) != 0)
		rc = find_links_in(l, etc, unit);
	return rc;
}

/* Remove the recorded links that still point where they did. */
static size_t remove_links(const links *l)
{
	size_t removed = 0;
	for (size_t i = 0; i < l->n; i++) {
		char text[PATH_MAX];
		ssize_t n = readlink(l->path[i], text, sizeof text - 1);
		if (n < 0)
			continue;
		text[n] = '\0';
		if (strcmp(text, l->target[i]) == 0 && unlink(l->path[i]) == 0)
			removed++;
	}
	return removed;
}

static int read_all(int fd, const char *path, const struct stat *st, char **out, size_t *out_len);
static int neutralise(rq_strbuf *sb, const char *path, const char *data, size_t len,
		      rq_persist_kind kind, const rq_persist_line *lines, size_t n_lines,
		      const char *id);

/*
 * Before a whole file goes: its listed lines must still start their targets,
 * so that a file swapped in since the search (a folder of a home replaced by
 * a symlink, say) is never taken. Entries naming the file itself (a cron.daily
 * script) and timers (whose targets are in the unit) have nothing to check.
 */
static int still_starts(int fd, rq_persist_kind kind, const char *file, const char *full,
			const struct stat *st, const rq_persist_line *lines, size_t n_lines)
{
	rq_persist_line *check = NULL;
	rq_strbuf scratch = rq_strbuf_init((size_t)RQ_PERSIST_MAX_FILE * 2);
	char *data = NULL;
	size_t n = 0, len = 0;
	int rc = 0;
	if (kind == RQ_PERSIST_TIMER || n_lines == 0)
		goto done;
	if (!(check = calloc(n_lines, sizeof *check))) {
		rc = rq_fail(RQ_ENOMEM, "persistence: out of memory");
		goto done;
	}
	for (size_t i = 0; i < n_lines; i++)
		if (strcmp(lines[i].target, file) != 0)
			check[n++] = lines[i];
	if (n && (rc = read_all(fd, full, st, &data, &len)) == 0)
		rc = neutralise(&scratch, file, data, len, kind, check, n, "");
done:
	rq_strbuf_free(&scratch);
	free(data);
	free(check);
	return rc;
}

static int whole_file(rq_vault *vault, int fd, rq_persist_kind kind, const char *root,
		      const char *file, const char *full, const struct stat *st,
		      const rq_persist_line *lines, size_t n_lines, const char *const *names,
		      size_t n_names, rq_persist_disabled *out)
{
	links *l = calloc(1, sizeof *l);
	char note[PATH_MAX + 128];
	int rc;
	if (!l)
		return rq_fail(RQ_ENOMEM, "persistence: out of memory");
	if ((rc = still_starts(fd, kind, file, full, st, lines, n_lines)) != 0)
		goto done;
	if ((kind == RQ_PERSIST_SYSTEMD || kind == RQ_PERSIST_TIMER) &&
	    (rc = find_links(l, root, file, full)) != 0)
		goto done;
	snprintf(note, sizeof note, "persistence %s %s disabled: the whole file was quarantined",
		 rq_persist_kind_name(kind), file);
	rq_vault_extra extra = { .note = note, .link_paths = (const char *const *)l->path,
				 .link_targets = (const char *const *)l->target, .n_links = l->n };
	if ((rc = rq_vault_quarantine_ex(vault, fd, full, names, n_names, &extra, out->id)) != 0)
		goto done;
	out->whole_file = 1;
	out->links_removed = remove_links(l);
done:
	links_free(l);
	free(l);
	return rc;
}

/* Read all of fd (at most RQ_PERSIST_MAX_FILE bytes). */
static int read_all(int fd, const char *path, const struct stat *st, char **out, size_t *out_len)
{
	size_t len = 0;
	char *buf = NULL;
	int rc = 0;
	if ((uint64_t)st->st_size > RQ_PERSIST_MAX_FILE)
		return rq_fail(RQ_ELIMIT, "%s: larger than %u bytes; not changed", path,
			       RQ_PERSIST_MAX_FILE);
	if (!(buf = malloc((size_t)st->st_size + 1)))
		return rq_fail(RQ_ENOMEM, "persistence: out of memory");
	while (len < (size_t)st->st_size) {
		ssize_t n = pread(fd, buf + len, (size_t)st->st_size - len, (off_t)len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = rq_fail_errno(RQ_EIO, errno, "%s: read failed", path);
			break;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (rc == 0 && len != (size_t)st->st_size)
		rc = rq_fail(RQ_ENOTFOUND, "%s: changed while being read; not changed", path);
	if (rc != 0) {
		free(buf);
		return rc;
	}
	*out = buf;
	*out_len = len;
	return 0;
}

/* 1 if `target` appears in [p, end). */
static int holds(const char *p, const char *end, const char *target)
{
	size_t tl = strlen(target);
	for (const char *t = p; t + tl <= end; t++)
		if (memcmp(t, target, tl) == 0)
			return 1;
	return 0;
}

/*
 * The content with the listed lines disabled, in a string builder. Several
 * entries may share a line (two detected paths on one crontab line): each
 * must still be on it, and the line is disabled once.
 */
static int neutralise(rq_strbuf *sb, const char *path, const char *data, size_t len,
		      rq_persist_kind kind, const rq_persist_line *lines, size_t n_lines,
		      const char *id)
{
	const char *prefix = kind == RQ_PERSIST_RCLOCAL || kind == RQ_PERSIST_SHELL ? ": # " : "# ";
	size_t matched = 0;
	unsigned n = 0;
	int rc = 0;
	for (const char *p = data; p < data + len && rc == 0;) {
		const char *nl = memchr(p, '\n', (size_t)(data + len - p));
		const char *end = nl ? nl : data + len;
		const char *q = p;
		size_t here = 0;
		n++;
		while (q < end && (*q == ' ' || *q == '\t'))
			q++;
		for (size_t i = 0; i < n_lines && rc == 0; i++) {
			if (lines[i].line != n)
				continue;
			if (q == end || *q == '#' || !holds(q, end, lines[i].target))
				rc = rq_fail(RQ_ENOTFOUND, "%s:%u no longer starts %s; not changed", path,
					     n, lines[i].target);
			here++;
		}
		if (rc == 0 && here) {
			rq_strbuf_put(sb, p, (size_t)(q - p)); /* the indentation stays */
			rq_strbuf_puts(sb, prefix);
			rq_strbuf_puts(sb, MARKER);
			rq_strbuf_puts(sb, id);
			rq_strbuf_puts(sb, "): ");
			p = q;
			matched += here;
		}
		rq_strbuf_put(sb, p, (size_t)(end - p) + (nl ? 1 : 0));
		p = end + (nl ? 1 : 0);
	}
	if (rc == 0 && (sb->no_mem || sb->too_long))
		rc = rq_fail(sb->no_mem ? RQ_ENOMEM : RQ_ELIMIT, "%s: out of memory disabling lines",
			     path);
	if (rc == 0 && matched != n_lines)
		rc = rq_fail(RQ_ENOTFOUND, "%s: a listed line is gone; not changed", path);
	return rc;
}

static int sha256_hex(char hex[65], const void *data, size_t len)
{
	uint8_t md[32];
	unsigned md_len = 0;
	if (EVP_Digest(data, len, md, &md_len, EVP_sha256(), NULL) != 1 || md_len != 32)
		return rq_fail(RQ_ERROR, "persistence: SHA-256 failed");
	rq_hex_encode(hex, md, 32);
	hex[64] = '\0';
	return 0;
}

/*
 * Replace `full` by `data` crash-safely: a new file beside it with the same
 * owner and mode, synced, renamed over it only while `full` is still the
 * unchanged file described by `st`; then the folder is synced.
 */
static int rewrite(const char *full, const char *id, const char *data, size_t len,
		   const struct stat *st)
{
	char dir[PATH_MAX], tmp[64];
	const char *base = strrchr(full, '/') + 1;
	size_t dl = (size_t)(base - 1 - full);
	int rc = 0, dfd = -1, tfd = -1;
	struct stat cur;
	memcpy(dir, full, dl ? dl : 1);
	dir[dl ? dl : 1] = '\0';
	snprintf(tmp, sizeof tmp, "%s%s", VAULT_REWRITE_PREFIX, id);
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		rc = rq_fail_errno(RQ_EIO, errno, "%s: cannot open folder", dir);
		goto done;
	}
	tfd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (tfd < 0) {
		rc = rq_fail_errno(RQ_EIO, errno, "%s/%s: cannot create", dir, tmp);
		goto done;
	}
	if ((rc = vault_write_all(tfd, data, len, full)) != 0)
		goto done;
	if ((fchown(tfd, st->st_uid, st->st_gid) != 0 &&
	     (st->st_uid != geteuid() || st->st_gid != getegid())) ||
	    fchmod(tfd, st->st_mode & 07777) != 0) {
		rc = rq_fail_errno(RQ_EIO, errno, "%s: cannot keep its owner and mode", full);
		goto done;
	}
	if (fsync(tfd) != 0) {
		rc = rq_fail_errno(RQ_EIO, errno, "%s/%s: fsync failed", dir, tmp);
		goto done;
	}
	crash_point(2);
	if (fstatat(dfd, base, &cur, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(cur.st_mode) ||
	    cur.st_ino != st->st_ino || cur.st_dev != st->st_dev || cur.st_size != st->st_size ||
	    cur.st_mtim.tv_sec != st->st_mtim.tv_sec || cur.st_mtim.tv_nsec != st->st_mtim.tv_nsec) {
		rc = rq_fail(RQ_ENOTFOUND, "%s: changed while being disabled; not changed", full);
		goto done;
	}
	if (renameat(dfd, tmp, dfd, base) != 0) {
		rc = rq_fail_errno(RQ_EIO, errno, "%s: cannot replace", full);
		goto done;
	}
	tmp[0] = '\0';
	fsync(dfd); /* replaced either way; a failed folder sync is no reason to undo it */
done:
	if (tfd >= 0)
		close(tfd);
	if (dfd >= 0 && tmp[0])
		unlinkat(dfd, tmp, 0);
	if (dfd >= 0)
		close(dfd);
	return rc;
}

static int comment_lines(rq_vault *vault, int fd, rq_persist_kind kind, const char *file,
			 const char *full, const struct stat *st, const rq_persist_line *lines,
			 size_t n_lines, const char *const *names, size_t n_names,
			 rq_persist_disabled *out)
{
	char *data = NULL, id[RQ_VAULT_ID_LEN + 1], sha[65], note[PATH_MAX + 128];
	size_t len = 0;
	rq_strbuf sb = rq_strbuf_init((size_t)RQ_PERSIST_MAX_FILE * 2);
	int rc, stored = 0;
	if (n_lines == 0) {
		rc = rq_fail(RQ_EINVAL, "%s: no line to disable", file);
		goto done;
	}
	if ((rc = read_all(fd, full, st, &data, &len)) != 0 || (rc = rq_vault_new_id(id)) != 0 ||
	    (rc = neutralise(&sb, file, data, len, kind, lines, n_lines, id)) != 0 ||
	    (rc = sha256_hex(sha, sb.p ? sb.p : "", sb.len)) != 0)
		goto done;
	snprintf(note, sizeof note, "persistence %s %s: backup of the file before raquet "
		 "commented out %zu line(s)", rq_persist_kind_name(kind), file, n_lines);
	rq_vault_extra extra = { .id = id, .backup = 1, .replaced_sha256 = sha, .note = note };
	if ((rc = rq_vault_quarantine_ex(vault, fd, full, names, n_names, &extra, out->id)) != 0)
		goto done;
	stored = 1;
	crash_point(1);
	if ((rc = vault_rewrite_begin(vault, id)) == 0) {
		rc = rewrite(full, id, sb.p ? sb.p : "", sb.len, st);
		vault_rewrite_end(vault, id);
	}
done:
	if (rc != 0 && stored) {
		int keep = rc;
		char msg[1024];
		snprintf(msg, sizeof msg, "%s", rq_error_last());
		rq_vault_delete(vault, id); /* the file was not changed: the backup goes */
		rc = rq_fail(keep, "%s", msg);
		out->id[0] = '\0';
	}
	rq_strbuf_free(&sb);
	free(data);
	return rc;
}

int rq_persist_disable(rq_vault *vault, const char *root, rq_persist_kind kind, const char *file,
		       const rq_persist_line *lines, size_t n_lines,
		       const char *const *names, size_t n_names, rq_persist_disabled *out)
{
	char full[PATH_MAX], rootbuf[PATH_MAX];
	int rc = 0, fd = -1;
	struct stat st;
	memset(out, 0, sizeof *out);
	if (!vault || !root || !file || file[0] != '/' || (n_lines && !lines)) {
		rc = rq_fail(RQ_EINVAL, "rq_persist_disable: missing argument");
		goto done;
	}
	size_t rl = strlen(root);
	while (rl > 0 && root[rl - 1] == '/')
		rl--;
	if (rl >= sizeof rootbuf ||
	    snprintf(full, sizeof full, "%.*s%s", (int)rl, root, file) >= (int)sizeof full) {
		rc = rq_fail(RQ_EINVAL, "%s: path too long", file);
		goto done;
	}
	memcpy(rootbuf, root, rl);
	rootbuf[rl] = '\0';
	fd = open(full, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0) {
		rc = errno == ELOOP ? rq_fail(RQ_EINVAL, "%s: is a symbolic link; not changed", full)
		     : errno == ENOENT ? rq_fail(RQ_ENOTFOUND, "%s: no longer exists", full)
		     : rq_fail_errno(RQ_EIO, errno, "%s: cannot open", full);
		goto done;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		rc = rq_fail(RQ_EINVAL, "%s: not a regular file; not changed", full);
		goto done;
	}
	if (rq_persist_whole_file(kind))
		rc = whole_file(vault, fd, kind, rootbuf, file, full, &st, lines, n_lines, names,
				n_names, out);
	else
		rc = comment_lines(vault, fd, kind, file, full, &st, lines, n_lines, names, n_names,
				   out);
done:
	if (fd >= 0)
		close(fd);
	return rc;
}
