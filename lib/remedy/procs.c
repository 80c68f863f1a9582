/*
 * Running processes: walks /proc, scans each process's executable and its
 * executable file mappings (each distinct image once, by device and inode),
 * reports the processes running a detected image, and kills a process only
 * after checking, through a pidfd, that its pid was not reused. Officer's
 * guide: docs/remediation.md.
 */
#include "raquet/procs.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/error.h"
#include "core/limits.h"

#define DELETED_SUFFIX " (deleted)"

/* A distinct image met during the scan, and its verdict. */
typedef struct image {
	dev_t dev;
	ino_t ino;
	int infected;
	char **names;
	size_t name_count;
} image;

typedef struct procs_ctx {
	rq_scanner *scanner;
	rq_procs_stats st;
	image *images;
	size_t image_n, image_cap;
	/* the hits of the current process, and the images they come from */
	rq_proc_hit *hits;
	size_t *hit_image;
	size_t hit_n, hit_cap;
	image *scanning; /* the image whose verdict the scan callback fills */
} procs_ctx;

static void image_clear(image *im)
{
	for (size_t i = 0; i < im->name_count; i++)
		free(im->names[i]);
	free(im->names);
	im->names = NULL;
	im->name_count = 0;
}

static void hits_clear(procs_ctx *ctx)
{
	for (size_t i = 0; i < ctx->hit_n; i++)
		free((char *)ctx->hits[i].path);
	ctx->hit_n = 0;
}

/* Scanner callback: keep the detection names of the image being scanned. */
static int on_image_result(const rq_result *r, void *payload)
{
	procs_ctx *ctx = payload;
	image *im = ctx->scanning;
	int rc = 0;
	if (r->error)
		return 0;
	for (size_t i = 0; i < r->finding_count; i++) {
		const rq_finding *f = &r->findings[i];
		int seen = 0;
		if (f->kind != RQ_FINDING_DETECTION)
			continue;
		for (size_t k = 0; k < im->name_count && !seen; k++)
			seen = !strcmp(im->names[k], f->name);
		if (seen)
			continue;
		char **grown = realloc(im->names, (im->name_count + 1) * sizeof(*grown));
		char *copy = strdup(f->name);
		if (grown)
			im->names = grown;
		if (!grown || !copy) {
			free(copy);
			rc = 1;
			break;
		}
		im->names[im->name_count++] = copy;
		im->infected = 1;
	}
	return rc;
}

/*
 * Find the image open as `fd`, or scan it and remember it. Sets *index.
 * Returns 0, RQ_ENOMEM or RQ_ELIMIT; an image that cannot be scanned is
 * counted and gets *index = SIZE_MAX.
 */
static int lookup_or_scan(procs_ctx *ctx, int fd, const char *path, size_t *index)
{
	struct stat st;
	*index = SIZE_MAX;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		ctx->st.image_errors++;
		return 0;
	}
	for (size_t i = 0; i < ctx->image_n; i++)
		if (ctx->images[i].dev == st.st_dev && ctx->images[i].ino == st.st_ino) {
			*index = i;
			return 0;
		}
	if (ctx->image_n >= RQ_PROCS_MAX_IMAGES)
		return rq_fail(RQ_ELIMIT, "processes: more than %d distinct images", RQ_PROCS_MAX_IMAGES);
	if (ctx->image_n == ctx->image_cap) {
		size_t cap = ctx->image_cap ? ctx->image_cap * 2 : 64;
		image *grown = realloc(ctx->images, cap * sizeof(*grown));
		if (!grown)
			return rq_fail(RQ_ENOMEM, "processes: out of memory");
		ctx->images = grown;
		ctx->image_cap = cap;
	}
	image *im = &ctx->images[ctx->image_n];
	memset(im, 0, sizeof(*im));
	im->dev = st.st_dev;
	im->ino = st.st_ino;
	ctx->scanning = im;
	int rc = rq_scanner_scan_fd(ctx->scanner, fd, path, on_image_result, ctx);
	ctx->scanning = NULL;
	if (rc == RQ_ESTOPPED || rc == RQ_ENOMEM) { /* our callback ran out of memory */
		image_clear(im);
		return rq_fail(RQ_ENOMEM, "processes: out of memory");
	}
	if (rc != 0)
		ctx->st.image_errors++;
	else {
		ctx->st.images++;
		ctx->st.bytes += (uint64_t)st.st_size;
	}
	*index = ctx->image_n++;
	return 0;
}

/* Add image `index` to the current process's hits if detected and new. */
static int add_hit(procs_ctx *ctx, size_t index, const char *path, int deleted, int is_exe)
{
	if (index == SIZE_MAX || !ctx->images[index].infected)
		return 0;
	for (size_t i = 0; i < ctx->hit_n; i++)
		if (ctx->hit_image[i] == index)
			return 0;
	if (ctx->hit_n == ctx->hit_cap) {
		size_t cap = ctx->hit_cap ? ctx->hit_cap * 2 : 8;
		rq_proc_hit *hits = realloc(ctx->hits, cap * sizeof(*hits));
		if (hits)
			ctx->hits = hits;
		size_t *idx = hits ? realloc(ctx->hit_image, cap * sizeof(*idx)) : NULL;
		if (idx)
			ctx->hit_image = idx;
		if (!hits || !idx)
			return rq_fail(RQ_ENOMEM, "processes: out of memory");
		ctx->hit_cap = cap;
	}
	char *copy = strdup(path);
	if (!copy)
		return rq_fail(RQ_ENOMEM, "processes: out of memory");
	const image *im = &ctx->images[index];
	ctx->hits[ctx->hit_n] = (rq_proc_hit){ .path = copy, .deleted = deleted, .is_exe = is_exe,
					       .names = (const char *const *)im->names,
					       .name_count = im->name_count };
	ctx->hit_image[ctx->hit_n++] = index;
	return 0;
}

/* Remove a trailing " (deleted)" from `path`; returns whether there was one. */
static int strip_deleted(char *path)
{
	size_t n = strlen(path), s = strlen(DELETED_SUFFIX);
	if (n > s && !strcmp(path + n - s, DELETED_SUFFIX)) {
		path[n - s] = '\0';
		return 1;
	}
	return 0;
}

static int read_start_time(uint64_t *out, int pid)
{
	char path[64], buf[RQ_PROCS_MAX_LINE];
	int rc = 0;
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return rq_fail_errno(errno == ENOENT ? RQ_ENOTFOUND : RQ_EIO, errno, "%s", path);
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	if (n < 0) {
		rc = rq_fail_errno(errno == ESRCH ? RQ_ENOTFOUND : RQ_EIO, errno, "%s", path);
		goto done;
	}
	buf[n] = '\0';
	/* "PID (COMM) STATE ..." where COMM may hold spaces and ')': the fields
	 * after the last ')' start at field 3; the start time is field 22. */
	char *p = strrchr(buf, ')');
	int field = 2;
	if (!p) {
		rc = rq_fail(RQ_EPARSE, "%s: no ')' after the command name", path);
		goto done;
	}
	p++;
	while (*p && field < 22) {
		while (*p == ' ')
			p++;
		if (!*p)
			break;
		if (++field == 22)
			break;
		while (*p && *p != ' ')
			p++;
	}
	if (field != 22 || !isdigit((unsigned char)*p)) {
		rc = rq_fail(RQ_EPARSE, "%s: no start time field", path);
		goto done;
	}
	errno = 0;
	uint64_t v = strtoull(p, NULL, 10);
	if (errno) {
		rc = rq_fail(RQ_EPARSE, "%s: bad start time", path);
		goto done;
	}
	*out = v;
done:
	close(fd);
	return rc;
}

int rq_proc_start_time(uint64_t *out, int pid)
{
	if (pid <= 0)
		return rq_fail(RQ_EINVAL, "process %d: no such pid", pid);
	return read_start_time(out, pid);
}

/* Scan the executable mappings of `pid` listed in its maps file. */
static int scan_maps(procs_ctx *ctx, int pid)
{
	char path[64];
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	unsigned maps = 0;
	int rc = 0;
	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	FILE *f = fopen(path, "re");
	if (!f)
		return 0; /* gone, or not ours: the executable was still scanned */
	while (rc == 0 && (len = getline(&line, &cap, f)) > 0) {
		unsigned long start, end, offset, inode;
		unsigned major, minor;
		char perms[8];
		int at = 0;
		if (len > RQ_PROCS_MAX_LINE)
			continue;
		if (line[len - 1] == '\n')
			line[--len] = '\0';
		if (sscanf(line, "%lx-%lx %7s %lx %x:%x %lu %n", &start, &end, perms, &offset,
			   &major, &minor, &inode, &at) != 7 || at == 0)
			continue;
		char *file = line + at;
		if (strlen(perms) < 3 || perms[2] != 'x' || inode == 0 || file[0] != '/')
			continue;
		if (++maps > RQ_PROCS_MAX_MAPS)
			break;
		int deleted = strip_deleted(file);
		char via[96];
		snprintf(via, sizeof(via), "/proc/%d/map_files/%lx-%lx", pid, start, end);
		int fd = open(via, O_RDONLY | O_CLOEXEC | O_NOCTTY);
		if (fd < 0 && !deleted) {
			/* map_files needs CAP_SYS_ADMIN: fall back on the path, and
			 * only if it still is the mapped inode */
			struct stat st;
			fd = open(file, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW | O_NONBLOCK);
			if (fd >= 0 && (fstat(fd, &st) != 0 || (unsigned long)st.st_ino != inode)) {
				close(fd);
				fd = -1;
			}
		}
		if (fd < 0) {
			ctx->st.image_errors++;
			continue;
		}
		size_t index;
		rc = lookup_or_scan(ctx, fd, file, &index);
		close(fd);
		if (rc == 0)
			rc = add_hit(ctx, index, file, deleted, 0);
	}
	free(line);
	fclose(f);
	return rc;
}

static void read_comm(char *out, size_t size, int pid)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	out[0] = '\0';
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	ssize_t n = read(fd, out, size - 1);
	out[n > 0 ? n : 0] = '\0';
	out[strcspn(out, "\n")] = '\0';
	close(fd);
}

/* Scan one process; report it if one of its images is detected. */
static int scan_process(procs_ctx *ctx, int pid, rq_proc_cb cb, void *payload)
{
	char path[64], exe[RQ_PROCS_MAX_LINE], comm[64];
	uint64_t start, again;
	int rc = 0, fd = -1;
	hits_clear(ctx);
	if (read_start_time(&start, pid) != 0)
		goto unreadable;
	snprintf(path, sizeof(path), "/proc/%d/exe", pid);
	ssize_t n = readlink(path, exe, sizeof(exe) - 1);
	if (n <= 0) /* kernel thread, exited, or no access */
		goto unreadable;
	exe[n] = '\0';
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		goto unreadable;
	read_comm(comm, sizeof(comm), pid);
	int deleted = strip_deleted(exe);
	size_t index;
	rc = lookup_or_scan(ctx, fd, exe, &index);
	if (rc == 0)
		rc = add_hit(ctx, index, exe, deleted, 1);
	if (rc == 0)
		rc = scan_maps(ctx, pid);
	if (rc != 0)
		goto done;
	/* the pid may have been reused while we read: then none of it is valid */
	if (read_start_time(&again, pid) != 0 || again != start)
		goto unreadable;
	ctx->st.processes++;
	if (ctx->hit_n) {
		rq_proc_report rep = { .pid = pid, .start_time = start, .comm = comm, .exe = exe,
				       .exe_deleted = deleted, .hits = ctx->hits,
				       .hit_count = ctx->hit_n };
		if (cb(&rep, payload) != 0)
			rc = rq_fail(RQ_ESTOPPED, "processes: stopped by the caller");
	}
	goto done;
unreadable:
	ctx->st.unreadable++;
	rq_error_clear();
done:
	if (fd >= 0)
		close(fd);
	hits_clear(ctx);
	return rc;
}

int rq_procs_scan(rq_scanner *scanner, rq_proc_cb cb, void *payload, rq_procs_stats *stats)
{
	procs_ctx ctx;
	int rc = 0;
	memset(&ctx, 0, sizeof(ctx));
	ctx.scanner = scanner;
	DIR *d = opendir("/proc");
	if (!d)
		return rq_fail_errno(RQ_EIO, errno, "/proc");
	struct dirent *e;
	while (rc == 0 && (e = readdir(d)) != NULL) {
		char *end;
		if (!isdigit((unsigned char)e->d_name[0]))
			continue;
		errno = 0;
		long pid = strtol(e->d_name, &end, 10);
		if (*end || errno || pid <= 0 || pid > INT32_MAX)
			continue;
		rc = scan_process(&ctx, (int)pid, cb, payload);
	}
	closedir(d);
	for (size_t i = 0; i < ctx.image_n; i++)
		image_clear(&ctx.images[i]);
	free(ctx.images);
	free(ctx.hits);
	free(ctx.hit_image);
	if (stats)
		*stats = ctx.st;
	return rc;
}

int rq_proc_kill(int pid, uint64_t start_time)
{
	uint64_t now;
	int rc = 0, pidfd = -1, sent;
	if (pid <= 1 || pid == (int)getpid())
		return rq_fail(RQ_EINVAL, "process %d: refusing to kill %s", pid,
			       pid == 1 ? "init" : pid <= 0 ? "a process group" : "raquet itself");
#ifdef SYS_pidfd_open
	/* Pin the process first: if the identity checks out afterwards, the
	 * pidfd refers to that very process, whatever happens to the pid. */
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0 && errno == ESRCH)
		return rq_fail(RQ_ENOTFOUND, "process %d: no longer running", pid);
#endif
	rc = read_start_time(&now, pid);
	if (rc == RQ_ENOTFOUND) {
		rc = rq_fail(RQ_ENOTFOUND, "process %d: no longer running", pid);
		goto done;
	}
	if (rc != 0)
		goto done;
	if (now != start_time) {
		rc = rq_fail(RQ_ENOTFOUND, "process %d: the pid now belongs to another process "
			     "(started at %" PRIu64 ", not %" PRIu64 ")", pid, now, start_time);
		goto done;
	}
	sent = -1;
#ifdef SYS_pidfd_send_signal
	if (pidfd >= 0)
		sent = (int)syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
	if (pidfd < 0 || (sent != 0 && errno == ENOSYS))
#endif
		sent = kill(pid, SIGKILL);
	if (sent != 0)
		rc = rq_fail_errno(errno == ESRCH ? RQ_ENOTFOUND : RQ_EIO, errno, "process %d", pid);
done:
	if (pidfd >= 0)
		close(pidfd);
	return rc;
}
