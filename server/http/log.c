/*
 * The level-filtered logger of raquet-server (see log.h): stderr lines carry
 * a UTC timestamp and the level; syslog lines get the matching priority.
 * On stderr, info and debug lines (one per request) are gathered and
 * written together at most LOG_FLUSH_MS later; errors and warnings are
 * written at once, after whatever was gathered.
 */
#include "http/log.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "config/config.h"

static atomic_int log_level = RQ_LOG_INFO;
static atomic_int log_syslog = 0;

/*
 * One write(2) per request line cost a third of the heartbeat rate with 16
 * worker threads appending to one file (bench/server_load.sh: 5,300 against
 * 6,400-9,100 heartbeats/s with [log] level = warning). The lines are
 * gathered here instead and written by a thread every LOG_FLUSH_MS, or when
 * LOG_BUF fills. A kill -9 can lose the last LOG_FLUSH_MS of request
 * lines; a normal exit writes them (atexit).
 */
#define LOG_BUF (64 * 1024)
#define LOG_FLUSH_MS 100

static pthread_mutex_t buf_lock = PTHREAD_MUTEX_INITIALIZER;
static char buf[LOG_BUF];
static size_t buf_len;
static pid_t flusher_pid; /* the process whose flusher thread runs (fork: none in the child) */

static void write_all(const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(STDERR_FILENO, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break; /* nowhere to report a failing log */
		p += w;
		n -= (size_t)w;
	}
}

static void flush_locked(void)
{
	write_all(buf, buf_len);
	buf_len = 0;
}

static void *flusher(void *arg)
{
	struct timespec pause = {0, LOG_FLUSH_MS * 1000000L};
	(void)arg;
	for (;;) {
		nanosleep(&pause, NULL);
		pthread_mutex_lock(&buf_lock);
		flush_locked();
		pthread_mutex_unlock(&buf_lock);
	}
	return NULL;
}

static void flush_at_exit(void)
{
	pthread_mutex_lock(&buf_lock);
	flush_locked();
	pthread_mutex_unlock(&buf_lock);
}

/* 1 when a flusher thread runs for this process (started here if needed). */
static int flusher_running_locked(void)
{
	static int registered;
	pthread_t t;
	if (flusher_pid == getpid())
		return 1;
	if (pthread_create(&t, NULL, flusher, NULL) != 0)
		return 0;
	pthread_detach(t);
	flusher_pid = getpid();
	if (!registered)
		registered = atexit(flush_at_exit) == 0;
	return 1;
}

/* One formatted line (with its newline) to stderr, gathered unless urgent. */
static void emit(const char *line, size_t n, int urgent)
{
	pthread_mutex_lock(&buf_lock);
	if (!urgent && n <= LOG_BUF && flusher_running_locked()) {
		if (buf_len + n > LOG_BUF)
			flush_locked();
		memcpy(buf + buf_len, line, n);
		buf_len += n;
	} else {
		flush_locked(); /* keep the order of the lines */
		write_all(line, n);
	}
	pthread_mutex_unlock(&buf_lock);
}

void rq_log_init(int level, int use_syslog)
{
	atomic_store(&log_level, level);
	if (use_syslog && !atomic_load(&log_syslog))
		openlog("raquet-server", LOG_PID | LOG_NDELAY, LOG_DAEMON);
	atomic_store(&log_syslog, use_syslog);
}

int rq_log_enabled(int level) { return level <= atomic_load(&log_level); }

void rq_log(int level, const char *fmt, ...)
{
	static const int prio[] = { LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG };
	char msg[2048];
	va_list ap;

	if (!rq_log_enabled(level) || level < 0 || level > RQ_LOG_DEBUG)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* one line of printable text, whatever the message quotes (decoded
	 * paths may hold newlines or terminal escapes) */
	for (unsigned char *p = (unsigned char *)msg; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			*p = '?';
	if (atomic_load(&log_syslog)) {
		syslog(prio[level], "%s", msg);
	} else {
		char stamp[32], line[sizeof(msg) + 64];
		struct timespec ts;
		struct tm tm;
		clock_gettime(CLOCK_REALTIME, &ts);
		gmtime_r(&ts.tv_sec, &tm);
		strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
		int n = snprintf(line, sizeof(line), "%s.%03ldZ %s: %s\n", stamp, ts.tv_nsec / 1000000L,
				 rq_srv_log_level_name(level), msg);
		if (n > 0)
			emit(line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1,
			     level <= RQ_LOG_WARNING);
	}
}
