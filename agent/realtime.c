/*
 * Real-time protection (realtime.h). One thread polls the fanotify
 * descriptor and a stop pipe. Close-after-write events are scanned and
 * reported; permission events (exec, optionally open) get an answer only
 * after the scan: deny when detected. A small verdict cache keyed by
 * device, inode, size and change time spares rescanning a program run
 * again and again; raquet's own opens and executions are always allowed.
 */
#include "realtime.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fanotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/error.h"

#define DEFAULT_MAX_SIZE (64ULL * 1024 * 1024)
#define CACHE_SLOTS 4096
#define EVENT_BUF 8192

typedef struct verdict {
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec ctime;
	int bad;
	int used;
} verdict;

struct rq_realtime {
	const rq_engine *engine;
	rq_rt_options opts;
	int fan;
	int stop_pipe[2];
	pthread_t thread;
	int started;
	rq_scanner *scanner;
	pthread_mutex_t lock; /* stats */
	rq_rt_stats stats;
	verdict cache[CACHE_SLOTS];
};

typedef struct scan_out {
	char name[256];
	int infected;
} scan_out;

static int on_result(const rq_result *r, void *payload)
{
	scan_out *o = payload;
	for (size_t i = 0; i < r->finding_count; i++)
		if (r->findings[i].kind == RQ_FINDING_DETECTION) {
			o->infected = 1;
			snprintf(o->name, sizeof(o->name), "%s", r->findings[i].name);
			break;
		}
	return 0;
}

static verdict *cache_slot(rq_realtime *rt, const struct stat *st)
{
	size_t h = ((size_t)st->st_dev * 31 + (size_t)st->st_ino) % CACHE_SLOTS;
	return &rt->cache[h];
}

static int cache_hit(const verdict *v, const struct stat *st)
{
	return v->used && v->dev == st->st_dev && v->ino == st->st_ino && v->size == st->st_size &&
	       v->ctime.tv_sec == st->st_ctim.tv_sec && v->ctime.tv_nsec == st->st_ctim.tv_nsec;
}

static void count(rq_realtime *rt, uint64_t *field)
{
	pthread_mutex_lock(&rt->lock);
	(*field)++;
	pthread_mutex_unlock(&rt->lock);
}

/* Scan the file behind `fd`; 1 infected (name filled), 0 clean, -1 not scanned. */
static int scan_fd(rq_realtime *rt, int fd, const char *path, int perm, char name[256])
{
	struct stat st;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode))
		return -1;
	if (perm && (uint64_t)st.st_size > rt->opts.max_size) {
		count(rt, &rt->stats.allowed_unscanned);
		return -1;
	}
	verdict *v = cache_slot(rt, &st);
	if (cache_hit(v, &st)) {
		count(rt, &rt->stats.cache_hits);
		if (v->bad)
			snprintf(name, 256, "%s", "(cached detection)");
		return v->bad;
	}
	scan_out o = { "", 0 };
	int rc = rq_scanner_scan_fd(rt->scanner, fd, path, on_result, &o);
	count(rt, &rt->stats.scanned);
	if (rc) {
		count(rt, &rt->stats.errors);
		return -1;
	}
	*v = (verdict){ st.st_dev, st.st_ino, st.st_size, st.st_ctim, o.infected, 1 };
	if (o.infected)
		snprintf(name, 256, "%s", o.name);
	return o.infected;
}

static void fd_path(int fd, char *out, size_t n)
{
	char link[64];
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	ssize_t len = readlink(link, out, n - 1);
	out[len > 0 ? len : 0] = '\0';
}

static void handle(rq_realtime *rt, const struct fanotify_event_metadata *m)
{
	char path[4096], name[256] = "";
	int perm = (m->mask & (FAN_OPEN_PERM | FAN_OPEN_EXEC_PERM)) != 0;
	int bad = 0;
	fd_path(m->fd, path, sizeof(path));
	/* our own opens are allowed unscanned (the scanner opening a file must not wait on itself) */
	if (!perm || m->pid != getpid())
		bad = scan_fd(rt, m->fd, path, perm, name) == 1;
	/* counted before the answer: whoever sees the refusal sees it counted */
	if (bad)
		count(rt, perm ? &rt->stats.blocked : &rt->stats.detected);
	if (perm) {
		struct fanotify_response resp = { m->fd, bad ? FAN_DENY : FAN_ALLOW };
		if (write(rt->fan, &resp, sizeof(resp)) != (ssize_t)sizeof(resp))
			count(rt, &rt->stats.errors);
	}
	if (bad && rt->opts.cb) {
		rq_rt_event ev = { path, name, m->pid, perm };
		rt->opts.cb(&ev, rt->opts.payload);
	}
}

static void *loop(void *arg)
{
	rq_realtime *rt = arg;
	char buf[EVENT_BUF] __attribute__((aligned(__alignof__(struct fanotify_event_metadata))));
	struct pollfd fds[2] = { { rt->fan, POLLIN, 0 }, { rt->stop_pipe[0], POLLIN, 0 } };
	for (;;) {
		if (poll(fds, 2, -1) < 0 && errno != EINTR)
			break;
		if (fds[1].revents)
			break;
		if (!(fds[0].revents & POLLIN))
			continue;
		ssize_t n = read(rt->fan, buf, sizeof(buf));
		if (n <= 0)
			continue;
		const struct fanotify_event_metadata *m = (const void *)buf;
		for (; FAN_EVENT_OK(m, n); m = FAN_EVENT_NEXT(m, n)) {
			if (m->vers != FANOTIFY_METADATA_VERSION)
				break;
			if (m->fd >= 0) {
				handle(rt, m);
				close(m->fd);
			}
		}
	}
	return NULL;
}

int rq_realtime_start(rq_realtime **out, const rq_engine *engine, const rq_rt_options *opts)
{
	int rc = 0;
	*out = NULL;
	rq_realtime *rt = calloc(1, sizeof(*rt));
	if (!rt)
		return rq_fail(RQ_ENOMEM, "out of memory");
	rt->fan = -1;
	rt->stop_pipe[0] = rt->stop_pipe[1] = -1;
	rt->engine = engine;
	rt->opts = *opts;
	if (!rt->opts.max_size)
		rt->opts.max_size = DEFAULT_MAX_SIZE;
	pthread_mutex_init(&rt->lock, NULL);
	int perm = opts->block_exec || opts->block_open;
	rt->fan = fanotify_init((perm ? FAN_CLASS_CONTENT : FAN_CLASS_NOTIF) | FAN_CLOEXEC | FAN_NONBLOCK,
				O_RDONLY | O_LARGEFILE | O_CLOEXEC);
	if (rt->fan < 0) {
		rc = rq_fail_errno(RQ_EUNSUPPORTED, errno, "real-time protection unavailable: fanotify "
				   "refused (needs root with CAP_SYS_ADMIN; containers often deny it)");
		goto done;
	}
	uint64_t mask = FAN_CLOSE_WRITE | (opts->block_exec ? FAN_OPEN_EXEC_PERM : 0) |
			(opts->block_open ? FAN_OPEN_PERM : 0);
	for (size_t i = 0; i < opts->path_count; i++) {
		unsigned flags = FAN_MARK_ADD | (opts->whole_mounts ? FAN_MARK_MOUNT : 0);
		uint64_t m = opts->whole_mounts ? mask : mask | FAN_EVENT_ON_CHILD;
		if (fanotify_mark(rt->fan, flags, m, AT_FDCWD, opts->paths[i])) {
			rc = rq_fail_errno(errno == EINVAL ? RQ_EUNSUPPORTED : RQ_EIO, errno,
					   "real-time protection: cannot watch %s%s", opts->paths[i],
					   errno == EINVAL && perm ? " (this kernel lacks permission events)" : "");
			goto done;
		}
	}
	rq_scan_options so;
	rq_scan_options_default(&so);
	if ((rc = rq_scanner_new(&rt->scanner, engine, &so)))
		goto done;
	if (pipe2(rt->stop_pipe, O_CLOEXEC)) {
		rc = rq_fail_errno(RQ_EIO, errno, "real-time protection: pipe");
		goto done;
	}
	if (pthread_create(&rt->thread, NULL, loop, rt)) {
		rc = rq_fail(RQ_ERROR, "real-time protection: cannot start its thread");
		goto done;
	}
	rt->started = 1;
	*out = rt;
	rt = NULL;
done:
	rq_realtime_stop(rt);
	return rc;
}

void rq_realtime_stop(rq_realtime *rt)
{
	if (!rt)
		return;
	if (rt->started) {
		char c = 1;
		if (write(rt->stop_pipe[1], &c, 1) != 1)
			pthread_cancel(rt->thread);
		pthread_join(rt->thread, NULL);
	}
	/* closing the group answers pending permission requests with "allow" */
	if (rt->fan >= 0)
		close(rt->fan);
	if (rt->stop_pipe[0] >= 0)
		close(rt->stop_pipe[0]);
	if (rt->stop_pipe[1] >= 0)
		close(rt->stop_pipe[1]);
	rq_scanner_free(rt->scanner);
	pthread_mutex_destroy(&rt->lock);
	free(rt);
}

void rq_realtime_stats(rq_realtime *rt, rq_rt_stats *out)
{
	pthread_mutex_lock(&rt->lock);
	*out = rt->stats;
	pthread_mutex_unlock(&rt->lock);
}
