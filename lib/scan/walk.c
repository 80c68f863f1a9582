/*
 * Tree walking with a pool of scanner threads (contract in
 * include/raquet/walk.h, design notes in docs/internals/walk.md): the calling
 * thread descends folders with openat() and never follows a symlink unless
 * asked; it opens each regular file and queues the descriptor to worker
 * threads, each owning one rq_scanner.
 */
#include "raquet/walk.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/error.h"
#include "core/limits.h"
#include "core/util.h"

/* A file handed to the workers: its open descriptor and display path. */
struct item {
	int fd;
	char *path;
	uint64_t size;
};

/*
 * One folder of the current branch. Only the innermost frames keep a
 * descriptor (RQ_WALK_MAX_OPEN_DIRS); an evicted frame keeps its unread
 * entries in `pending` and gets its descriptor back through ".." (or by
 * names from an open ancestor when its child was a followed symlink).
 */
struct frame {
	DIR *dir;           /* entries still to read; NULL when evicted or reopened */
	int fd;             /* for openat(); -1 while evicted */
	dev_t dev;
	ino_t ino;
	size_t path_len;    /* length of this folder's path in walk.path */
	size_t name_off;    /* where its own name starts in walk.path */
	int via_symlink;    /* entered through a followed symlink */
	char *pending;      /* entries read before eviction: type byte, name, NUL */
	size_t pending_len, pending_pos;
};

struct walk {
	const rq_walk_options *opt;
	rq_walk_stats *stats;
	rq_result_cb cb;
	rq_walk_error_cb on_error;
	void *payload;
	pthread_mutex_t cb_lock; /* serialises cb and on_error */

	pthread_mutex_t q_lock;
	pthread_cond_t q_nonempty, q_nonfull;
	struct item *queue;
	size_t q_cap, q_head, q_count;
	int q_done;              /* the walker queues nothing more */
	int stop;                /* a callback asked to stop; atomic */

	/* walker thread only */
	char *path;              /* display path of the current entry */
	size_t path_cap;
	struct frame *frames;
	size_t depth, frames_cap;
	size_t open_dirs;        /* frames holding a descriptor */
	size_t lowest_open;      /* frames [1, lowest_open) are evicted */
	dev_t start_dev;
	int abort_start;         /* the branch changed under us: unwind */
	int noatime;             /* O_NOATIME still worth trying */
};

struct worker {
	struct walk *walk;
	rq_scanner *scanner;
	pthread_t thread;
	int delivered;           /* the current scan called back */
};

static void stat_add(uint64_t *field, uint64_t n)
{
	__atomic_fetch_add(field, n, __ATOMIC_RELAXED);
}

static int stopped(struct walk *w)
{
	return __atomic_load_n(&w->stop, __ATOMIC_ACQUIRE);
}

static void request_stop(struct walk *w)
{
	pthread_mutex_lock(&w->q_lock);
	__atomic_store_n(&w->stop, 1, __ATOMIC_RELEASE);
	pthread_cond_broadcast(&w->q_nonfull);
	pthread_cond_broadcast(&w->q_nonempty);
	pthread_mutex_unlock(&w->q_lock);
}

static int errno_code(int e)
{
	return e == ENOENT || e == ENOTDIR ? RQ_ENOTFOUND : e == ENOMEM ? RQ_ENOMEM : RQ_EIO;
}

static void report(struct walk *w, const char *path, int code, const char *message)
{
	stat_add(&w->stats->errors, 1);
	pthread_mutex_lock(&w->cb_lock);
	if (w->on_error && !stopped(w))
		w->on_error(path, code, message, w->payload);
	pthread_mutex_unlock(&w->cb_lock);
}

static void report_errno(struct walk *w, int e)
{
	report(w, w->path, errno_code(e), strerror(e));
}

/* --- the display path --- */

static int path_reserve(struct walk *w, size_t len)
{
	return rq_grow((void **)&w->path, &w->path_cap, len + 1, 1);
}

/* Append "/name"; the previous length is in the current frame. */
static int path_push(struct walk *w, const char *name)
{
	size_t len = strlen(w->path), nlen = strlen(name);
	int slash = len > 0 && w->path[len - 1] != '/';
	if (nlen > SIZE_MAX / 2 - len - 2)
		return rq_fail(RQ_ENOMEM, "walk: path too long");
	int rc = path_reserve(w, len + slash + nlen);
	if (rc)
		return rc;
	if (slash)
		w->path[len++] = '/';
	memcpy(w->path + len, name, nlen + 1);
	return 0;
}

/* --- filters --- */

static int glob_any(const char *const *globs, const char *path)
{
	if (!globs)
		return 0;
	const char *base = rq_basename(path);
	for (; *globs; globs++)
		if (fnmatch(*globs, path, 0) == 0 || fnmatch(*globs, base, 0) == 0)
			return 1;
	return 0;
}

static int file_excluded(struct walk *w, const char *path)
{
	if (glob_any(w->opt->exclude, path))
		return 1;
	return w->opt->include && w->opt->include[0] && !glob_any(w->opt->include, path);
}

/* --- the queue --- */

/* Queue an open file under the current path; takes `fd` in every case. */
static int enqueue(struct walk *w, int fd, uint64_t size)
{
	int rc = 0;
	char *copy = strdup(w->path);
	if (!copy) {
		rc = rq_fail(RQ_ENOMEM, "walk: out of memory");
		goto done;
	}
	pthread_mutex_lock(&w->q_lock);
	while (w->q_count == w->q_cap && !stopped(w))
		pthread_cond_wait(&w->q_nonfull, &w->q_lock);
	if (stopped(w)) {
		rc = RQ_ESTOPPED;
	} else {
		struct item *it = &w->queue[(w->q_head + w->q_count) % w->q_cap];
		it->fd = fd;
		it->path = copy;
		it->size = size;
		w->q_count++;
		fd = -1;
		copy = NULL;
		stat_add(&w->stats->files_found, 1);
		stat_add(&w->stats->bytes_found, size);
		pthread_cond_signal(&w->q_nonempty);
	}
	pthread_mutex_unlock(&w->q_lock);
done:
	if (fd >= 0)
		close(fd);
	free(copy);
	return rc;
}

/*
 * Open `name` (relative to dirfd) as a regular file and queue it. A file
 * that vanished or cannot be opened is reported, not fatal. O_NONBLOCK
 * keeps a FIFO swapped in since the type check from blocking the open.
 */
static int open_file(struct walk *w, int dirfd, const char *name, int follow)
{
	int rc = 0;
	struct stat st;
	int flags = O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC | (follow ? 0 : O_NOFOLLOW);
	int fd = openat(dirfd, name, flags | (w->noatime ? O_NOATIME : 0));
	if (fd < 0 && errno == EPERM && w->noatime) {
		w->noatime = 0; /* only the owner or root may use O_NOATIME */
		fd = openat(dirfd, name, flags);
	}
	if (fd < 0 || fstat(fd, &st) != 0) {
		report_errno(w, errno);
		goto done;
	}
	if (!S_ISREG(st.st_mode) || (w->opt->one_file_system && st.st_dev != w->start_dev)) {
		stat_add(&w->stats->skipped, 1);
		goto done;
	}
	rc = enqueue(w, fd, (uint64_t)st.st_size);
	fd = -1;
done:
	if (fd >= 0)
		close(fd);
	return rc;
}

/* --- the folder stack --- */

static void frame_close(struct frame *f)
{
	if (f->dir)
		closedir(f->dir);
	else if (f->fd >= 0)
		close(f->fd);
	f->dir = NULL;
	f->fd = -1;
	free(f->pending);
	f->pending = NULL;
}

/* Move the unread entries of the shallowest open frame (not the start) to memory. */
static int evict(struct walk *w)
{
	struct frame *f = &w->frames[w->lowest_open];
	int rc = 0;
	if (f->dir) {
		struct dirent *de;
		size_t cap = f->pending_len;
		errno = 0;
		while ((de = readdir(f->dir)) != NULL) {
			if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
				continue;
			size_t nlen = strlen(de->d_name);
			rc = rq_grow((void **)&f->pending, &cap, f->pending_len + nlen + 2, 1);
			if (rc)
				goto done;
			f->pending[f->pending_len] = (char)de->d_type;
			memcpy(f->pending + f->pending_len + 1, de->d_name, nlen + 1);
			f->pending_len += nlen + 2;
			errno = 0;
		}
		if (errno) {
			int e = errno;
			char saved = w->path[f->path_len];
			w->path[f->path_len] = '\0';
			report_errno(w, e);
			w->path[f->path_len] = saved;
		}
		closedir(f->dir);
		f->dir = NULL;
	} else {
		close(f->fd);
	}
	f->fd = -1;
	w->open_dirs--;
	w->lowest_open++;
done:
	return rc;
}

/* Push a folder opened as `fd` (its path is the current path). Takes `fd`. */
static int push_frame(struct walk *w, int fd, const struct stat *st, size_t name_off, int via_symlink)
{
	DIR *dir = NULL;
	int rc = rq_grow((void **)&w->frames, &w->frames_cap, w->depth + 1, sizeof(*w->frames));
	if (rc == 0 && w->depth > 1 && w->open_dirs >= RQ_WALK_MAX_OPEN_DIRS)
		rc = evict(w);
	if (rc == 0 && !(dir = fdopendir(fd)))
		report_errno(w, errno);
	if (!dir) {
		close(fd);
		return rc;
	}
	struct frame *f = &w->frames[w->depth++];
	memset(f, 0, sizeof(*f));
	f->dir = dir;
	f->fd = fd;
	f->dev = st->st_dev;
	f->ino = st->st_ino;
	f->path_len = strlen(w->path);
	f->name_off = name_off;
	f->via_symlink = via_symlink;
	w->open_dirs++;
	stat_add(&w->stats->dirs, 1);
	return 0;
}

/* Open frame `k` again by its names, starting from the nearest open ancestor. */
static int reopen_by_names(struct walk *w, size_t k)
{
	size_t j = k;
	while (w->frames[j].fd < 0)
		j--;
	int fd = w->frames[j].fd;
	int owned = 0;
	for (size_t m = j + 1; m <= k && fd >= 0; m++) {
		struct frame *f = &w->frames[m];
		char saved = w->path[f->path_len];
		w->path[f->path_len] = '\0';
		int nfd = openat(fd, w->path + f->name_off,
				 O_RDONLY | O_DIRECTORY | O_CLOEXEC | (f->via_symlink ? 0 : O_NOFOLLOW));
		w->path[f->path_len] = saved;
		if (owned)
			close(fd);
		fd = nfd;
		owned = 1;
	}
	return fd;
}

/* Leave the innermost frame; give its parent a descriptor again if evicted. */
static void pop_frame(struct walk *w)
{
	size_t k = w->depth - 1;
	struct frame *f = &w->frames[k];
	if (k >= 1 && w->frames[k - 1].fd < 0 && !w->abort_start) {
		struct frame *parent = &w->frames[k - 1];
		int pfd = f->via_symlink ? reopen_by_names(w, k - 1)
					 : openat(f->fd, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		struct stat st;
		if (pfd >= 0 && (fstat(pfd, &st) != 0 || st.st_dev != parent->dev ||
				 st.st_ino != parent->ino)) {
			close(pfd);
			pfd = -1;
		}
		if (pfd < 0) {
			w->path[parent->path_len] = '\0';
			report(w, w->path, RQ_EIO, "folder moved during the scan; rest of the tree skipped");
			w->abort_start = 1;
		} else {
			parent->fd = pfd;
			w->open_dirs++;
			w->lowest_open = k - 1;
		}
	}
	if (f->fd >= 0)
		w->open_dirs--;
	frame_close(f);
	w->depth--;
	if (w->lowest_open > w->depth)
		w->lowest_open = w->depth;
}

/* Next entry of a frame: 1 and (*name, *type), 0 at the end, -errno on a read error. */
static int next_entry(struct frame *f, const char **name, unsigned char *type)
{
	if (f->dir) {
		for (;;) {
			errno = 0;
			struct dirent *de = readdir(f->dir);
			if (!de)
				return errno ? -errno : 0;
			if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
				continue;
			*name = de->d_name;
			*type = de->d_type;
			return 1;
		}
	}
	if (f->pending_pos >= f->pending_len)
		return 0;
	*type = (unsigned char)f->pending[f->pending_pos];
	*name = f->pending + f->pending_pos + 1;
	f->pending_pos += strlen(*name) + 2;
	return 1;
}

static int enter_dir(struct walk *w, int dirfd, const char *name, int via_symlink)
{
	int rc = 0, fd = -1, skip = glob_any(w->opt->exclude_dir, w->path);
	struct stat st;
	if (!skip && w->opt->one_file_system) {
		/* Look before opening: opening an automount point would mount it. */
		int flags = AT_NO_AUTOMOUNT | (via_symlink ? 0 : AT_SYMLINK_NOFOLLOW);
		if (fstatat(dirfd, name, &st, flags) != 0) {
			report_errno(w, errno);
			goto done;
		}
		skip = st.st_dev != w->start_dev;
	}
	if (skip)
		goto done;
	fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | (via_symlink ? 0 : O_NOFOLLOW));
	if (fd < 0 || fstat(fd, &st) != 0) {
		report_errno(w, errno);
		goto done;
	}
	skip = w->opt->one_file_system && st.st_dev != w->start_dev;
	for (size_t i = 0; via_symlink && !skip && i < w->depth; i++)
		skip = w->frames[i].dev == st.st_dev && w->frames[i].ino == st.st_ino; /* a loop */
	if (!skip) {
		rc = push_frame(w, fd, &st, strlen(w->path) - strlen(name), via_symlink);
		fd = -1;
	}
done:
	if (skip)
		stat_add(&w->stats->skipped, 1);
	if (fd >= 0)
		close(fd);
	return rc;
}

static unsigned char mode_type(mode_t mode)
{
	return S_ISREG(mode) ? DT_REG : S_ISDIR(mode) ? DT_DIR : S_ISLNK(mode) ? DT_LNK : DT_FIFO;
}

/* One entry of the innermost folder; its path is the current path. */
static int handle_entry(struct walk *w, const char *name, unsigned char type)
{
	int dirfd = w->frames[w->depth - 1].fd;
	int via_symlink = 0, rc = 0;
	struct stat st;
	if (type == DT_UNKNOWN && fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
		report_errno(w, errno);
		goto done;
	}
	if (type == DT_UNKNOWN)
		type = mode_type(st.st_mode);
	if (type == DT_LNK) {
		/* followed only if asked; a dangling one is skipped, not an error */
		int want_dir = w->opt->follow_dir_symlinks && w->opt->recursive;
		if ((want_dir || w->opt->follow_file_symlinks) && fstatat(dirfd, name, &st, 0) == 0) {
			via_symlink = 1;
			type = mode_type(st.st_mode);
			if ((type == DT_DIR && !want_dir) ||
			    (type == DT_REG && !w->opt->follow_file_symlinks))
				type = DT_LNK;
		}
	}
	if (type == DT_DIR && w->opt->recursive)
		rc = enter_dir(w, dirfd, name, via_symlink);
	else if (type == DT_REG && !file_excluded(w, w->path))
		rc = open_file(w, dirfd, name, via_symlink);
	else
		stat_add(&w->stats->skipped, 1); /* FIFO, socket, device: never opened */
done:
	return rc;
}

/* Walk the tree under the start folder already pushed as frame 0. */
static int walk_tree(struct walk *w)
{
	int rc = 0;
	while (w->depth > 0 && rc == 0) {
		struct frame *f = &w->frames[w->depth - 1];
		w->path[f->path_len] = '\0';
		if (stopped(w)) {
			rc = RQ_ESTOPPED;
			break;
		}
		const char *name = NULL;
		unsigned char type = DT_UNKNOWN;
		int got = w->abort_start ? 0 : next_entry(f, &name, &type);
		if (got < 0)
			report_errno(w, -got);
		if (got <= 0) {
			pop_frame(w);
			continue;
		}
		rc = path_push(w, name);
		if (rc == 0)
			rc = handle_entry(w, name, type);
	}
	while (w->depth > 0) {
		w->abort_start = 1;
		pop_frame(w);
	}
	return rc;
}

/* One path argument: followed if a symlink (unless told not to). */
static int walk_start(struct walk *w, const char *arg)
{
	size_t len = strlen(arg);
	int rc = 0, fd = -1, skip = 0, is_link = 0;
	struct stat st;
	while (len > 1 && arg[len - 1] == '/')
		len--;
	if ((rc = path_reserve(w, len < 6 ? 6 : len))) /* room for "stdin" */
		goto done;
	memcpy(w->path, arg, len);
	w->path[len] = '\0';
	w->abort_start = 0;
	w->depth = 0;
	w->open_dirs = 0;
	w->lowest_open = 1;

	if (!strcmp(arg, "-")) { /* standard input, read whole by the scanner, shown as "stdin" */
		memcpy(w->path, "stdin", 6);
		fd = fcntl(0, F_DUPFD_CLOEXEC, 3);
		if (fd < 0) {
			report_errno(w, errno);
			goto done;
		}
		rc = enqueue(w, fd, 0);
		fd = -1;
		goto done;
	}
	int lstat_rc = lstat(arg, &st);
	is_link = lstat_rc == 0 && S_ISLNK(st.st_mode);
	if (lstat_rc != 0 || (is_link && stat(arg, &st) != 0)) {
		report_errno(w, errno); /* missing, or a dangling symlink */
		goto done;
	}
	w->start_dev = st.st_dev;
	if (S_ISREG(st.st_mode)) {
		skip = (is_link && w->opt->nofollow_arg_file_symlinks) || file_excluded(w, w->path);
		if (!skip)
			rc = open_file(w, AT_FDCWD, arg, 1);
		goto done;
	}
	if (!S_ISDIR(st.st_mode)) {
		report(w, w->path, RQ_EUNSUPPORTED, "not a regular file or folder");
		goto done;
	}
	skip = (is_link && w->opt->nofollow_arg_dir_symlinks) || glob_any(w->opt->exclude_dir, w->path);
	if (skip)
		goto done;
	fd = open(arg, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) != 0) {
		report_errno(w, errno);
		goto done;
	}
	w->start_dev = st.st_dev;
	rc = push_frame(w, fd, &st, 0, 0);
	fd = -1;
	if (rc == 0 && w->depth == 1)
		rc = walk_tree(w);
done:
	if (skip)
		stat_add(&w->stats->skipped, 1);
	if (fd >= 0)
		close(fd);
	return rc;
}

/* --- workers --- */

static int deliver(const rq_result *r, void *payload)
{
	struct worker *wk = payload;
	struct walk *w = wk->walk;
	int rc = 0;
	wk->delivered = 1;
	stat_add(&w->stats->bytes_scanned, r->size);
	stat_add(&w->stats->bytes_read, r->bytes_scanned);
	if (r->infected)
		stat_add(&w->stats->infected, 1);
	if (r->error)
		stat_add(&w->stats->errors, 1);
	pthread_mutex_lock(&w->cb_lock);
	stat_add(&w->stats->files_scanned, 1);
	if (w->cb && !stopped(w))
		rc = w->cb(r, w->payload);
	pthread_mutex_unlock(&w->cb_lock);
	if (rc)
		request_stop(w);
	return rc;
}

static void *worker_main(void *arg)
{
	struct worker *wk = arg;
	struct walk *w = wk->walk;
	for (;;) {
		pthread_mutex_lock(&w->q_lock);
		while (w->q_count == 0 && !w->q_done)
			pthread_cond_wait(&w->q_nonempty, &w->q_lock);
		if (w->q_count == 0) {
			pthread_mutex_unlock(&w->q_lock);
			break;
		}
		struct item it = w->queue[w->q_head];
		w->q_head = (w->q_head + 1) % w->q_cap;
		w->q_count--;
		pthread_cond_signal(&w->q_nonfull);
		pthread_mutex_unlock(&w->q_lock);
		if (!stopped(w)) {
			wk->delivered = 0;
			int rc = rq_scanner_scan_fd(wk->scanner, it.fd, it.path, deliver, wk);
			if (rc && !wk->delivered) {
				/* The scanner promises a result; keep the count right if not. */
				rq_result r = { .path = it.path, .size = it.size, .file_type = "data",
						.error = rc, .error_message = rq_error_last(),
						.fd = it.fd };
				deliver(&r, wk);
			}
		}
		close(it.fd);
		free(it.path);
	}
	return NULL;
}

/* --- sizing --- */

static unsigned cpu_count(void)
{
	cpu_set_t set;
	if (sched_getaffinity(0, sizeof(set), &set) == 0 && CPU_COUNT(&set) > 0)
		return (unsigned)CPU_COUNT(&set);
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (unsigned)n : 1;
}

/* Queue slots that fit the descriptor limit, raising the soft limit if needed. */
static size_t queue_capacity(unsigned workers)
{
	size_t want = (size_t)workers * RQ_WALK_QUEUE_PER_THREAD;
	size_t need = want + RQ_WALK_MAX_OPEN_DIRS + RQ_WALK_FD_RESERVE;
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return workers;
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < need && rl.rlim_cur < rl.rlim_max) {
		struct rlimit raised = rl;
		raised.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &raised) == 0)
			rl = raised;
	}
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < need) {
		size_t room = rl.rlim_cur > RQ_WALK_MAX_OPEN_DIRS + RQ_WALK_FD_RESERVE
				      ? rl.rlim_cur - RQ_WALK_MAX_OPEN_DIRS - RQ_WALK_FD_RESERVE
				      : 0;
		want = room > workers ? room : workers;
	}
	return want;
}

static void stats_reset(rq_walk_stats *s)
{
	__atomic_store_n(&s->files_found, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&s->files_scanned, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&s->dirs, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&s->bytes_found, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&s->bytes_scanned, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&s->bytes_read, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&s->infected, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&s->errors, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&s->skipped, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&s->walk_done, 0, __ATOMIC_RELEASE);
}

void rq_walk_stats_read(const rq_walk_stats *live, rq_walk_stats *out)
{
	memset(out, 0, sizeof(*out));
	out->walk_done = __atomic_load_n(&live->walk_done, __ATOMIC_ACQUIRE);
	out->files_found = __atomic_load_n(&live->files_found, __ATOMIC_RELAXED);
	out->files_scanned = __atomic_load_n(&live->files_scanned, __ATOMIC_RELAXED);
	out->dirs = __atomic_load_n(&live->dirs, __ATOMIC_RELAXED);
	out->bytes_found = __atomic_load_n(&live->bytes_found, __ATOMIC_RELAXED);
	out->bytes_scanned = __atomic_load_n(&live->bytes_scanned, __ATOMIC_RELAXED);
	out->bytes_read = __atomic_load_n(&live->bytes_read, __ATOMIC_RELAXED);
	out->infected = __atomic_load_n(&live->infected, __ATOMIC_RELAXED);
	out->errors = __atomic_load_n(&live->errors, __ATOMIC_RELAXED);
	out->skipped = __atomic_load_n(&live->skipped, __ATOMIC_RELAXED);
}

void rq_walk_options_default(rq_walk_options *out)
{
	memset(out, 0, sizeof(*out));
	out->recursive = 1;
}

int rq_scan_paths(const rq_engine *engine, const char *const *paths, size_t n,
		  const rq_scan_options *scan_opts, const rq_walk_options *walk_opts,
		  rq_result_cb cb, rq_walk_error_cb on_error, void *payload,
		  rq_walk_stats *stats)
{
	rq_walk_options default_walk;
	rq_scan_options default_scan;
	rq_walk_stats own_stats;
	struct walk w;
	struct worker *workers = NULL;
	unsigned nworkers = 0, started = 0;
	int rc = 0;

	memset(&w, 0, sizeof(w));
	if (!engine || (n > 0 && !paths))
		return rq_fail(RQ_EINVAL, "rq_scan_paths: engine and paths are required");
	if (!walk_opts) {
		rq_walk_options_default(&default_walk);
		walk_opts = &default_walk;
	}
	if (!scan_opts) {
		rq_scan_options_default(&default_scan);
		scan_opts = &default_scan;
	}
	if (!stats)
		stats = &own_stats;
	stats_reset(stats);
	w.opt = walk_opts;
	w.stats = stats;
	w.cb = cb;
	w.on_error = on_error;
	w.payload = payload;
	w.noatime = 1;
	pthread_mutex_init(&w.cb_lock, NULL);
	pthread_mutex_init(&w.q_lock, NULL);
	pthread_cond_init(&w.q_nonempty, NULL);
	pthread_cond_init(&w.q_nonfull, NULL);

	nworkers = walk_opts->threads ? walk_opts->threads : cpu_count();
	if (nworkers > RQ_WALK_MAX_THREADS)
		nworkers = RQ_WALK_MAX_THREADS;
	w.q_cap = queue_capacity(nworkers);
	w.queue = calloc(w.q_cap, sizeof(*w.queue));
	workers = calloc(nworkers, sizeof(*workers));
	if (!w.queue || !workers) {
		rc = rq_fail(RQ_ENOMEM, "rq_scan_paths: out of memory");
		goto done;
	}
	for (unsigned i = 0; i < nworkers; i++) {
		workers[i].walk = &w;
		rc = rq_scanner_new(&workers[i].scanner, engine, scan_opts);
		if (rc)
			goto done;
	}
	for (; started < nworkers; started++)
		if (pthread_create(&workers[started].thread, NULL, worker_main, &workers[started]) != 0)
			break;
	if (started == 0) {
		rc = rq_fail(RQ_ERROR, "rq_scan_paths: cannot start worker threads");
		goto done;
	}

	for (size_t i = 0; i < n && rc == 0; i++) {
		if (stopped(&w))
			break;
		rc = walk_start(&w, paths[i]);
	}
	if (rc == RQ_ESTOPPED)
		rc = 0;
	if (rc)
		request_stop(&w); /* a fatal error: drop what is queued */

done:
	__atomic_store_n(&stats->walk_done, 1, __ATOMIC_RELEASE);
	pthread_mutex_lock(&w.q_lock);
	w.q_done = 1;
	pthread_cond_broadcast(&w.q_nonempty);
	pthread_mutex_unlock(&w.q_lock);
	for (unsigned i = 0; i < started; i++)
		pthread_join(workers[i].thread, NULL);
	if (rc == 0 && stopped(&w))
		rc = rq_fail(RQ_ESTOPPED, "scan stopped by the caller");
	for (unsigned i = 0; workers && i < nworkers; i++)
		rq_scanner_free(workers[i].scanner);
	for (size_t i = 0; i < w.q_count; i++) {
		struct item *it = &w.queue[(w.q_head + i) % w.q_cap];
		close(it->fd);
		free(it->path);
	}
	for (size_t i = 0; i < w.depth; i++)
		frame_close(&w.frames[i]);
	free(workers);
	free(w.queue);
	free(w.frames);
	free(w.path);
	pthread_cond_destroy(&w.q_nonfull);
	pthread_cond_destroy(&w.q_nonempty);
	pthread_mutex_destroy(&w.q_lock);
	pthread_mutex_destroy(&w.cb_lock);
	return rc;
}
