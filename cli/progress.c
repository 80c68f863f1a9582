/*
 * The progress line (see progress.h): files and bytes scanned, the rate,
 * and once the walk has listed everything an ETA from the bytes left. The
 * line is cut to the terminal width so that it never wraps.
 */
#include "progress.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#define PROGRESS_PERIOD_MS 200

double progress_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static size_t terminal_width(void)
{
	struct winsize ws;
	if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 10)
		return ws.ws_col;
	return 80;
}

static void format_duration(char *out, size_t len, double seconds)
{
	unsigned long s = seconds < 0 ? 0 : (unsigned long)(seconds + 0.5);
	if (s >= 3600)
		snprintf(out, len, "%lu:%02lu:%02lu", s / 3600, (s / 60) % 60, s % 60);
	else
		snprintf(out, len, "%lu:%02lu", s / 60, s % 60);
}

static void draw(progress *p)
{
	rq_walk_stats st;
	rq_walk_stats_read(p->stats, &st);
	double elapsed = progress_now() - p->started;
	double mb = (double)st.bytes_scanned / (1024.0 * 1024.0);
	double rate = elapsed > 0.05 ? mb / elapsed : 0.0;
	char line[256];
	int n;
	if (st.walk_done) {
		char eta[32] = "--:--";
		double left = (double)(st.bytes_found - st.bytes_scanned) / (1024.0 * 1024.0);
		if (rate > 0.0)
			format_duration(eta, sizeof(eta), left / rate);
		n = snprintf(line, sizeof(line),
			     "raquet: %" PRIu64 "/%" PRIu64 " files, %" PRIu64 " found, %.1f/%.1f MB, %.1f MB/s, ETA %s",
			     st.files_scanned, st.files_found, st.infected, mb,
			     (double)st.bytes_found / (1024.0 * 1024.0), rate, eta);
	} else {
		n = snprintf(line, sizeof(line),
			     "raquet: %" PRIu64 " files, %" PRIu64 " found, %.1f MB, %.1f MB/s, listing %" PRIu64 " files...",
			     st.files_scanned, st.infected, mb, rate, st.files_found);
	}
	size_t width = terminal_width() - 1;
	size_t len = n < 0 ? 0 : (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1;
	if (len > width)
		len = width;
	fputs("\r\033[K", stderr);
	fwrite(line, 1, len, stderr);
	fflush(stderr);
	p->shown = 1;
}

void progress_clear(progress *p)
{
	if (p->running && p->shown) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
		p->shown = 0;
	}
}

static void *progress_main(void *arg)
{
	progress *p = arg;
	pthread_mutex_lock(p->lock);
	while (!p->quit) {
		struct timespec until;
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_nsec += PROGRESS_PERIOD_MS * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		int rc = 0;
		while (!p->quit && rc != ETIMEDOUT)
			rc = pthread_cond_timedwait(&p->wake, p->lock, &until);
		if (!p->quit)
			draw(p);
	}
	pthread_mutex_unlock(p->lock);
	return NULL;
}

int progress_start(progress *p, const rq_walk_stats *stats, pthread_mutex_t *lock)
{
	pthread_condattr_t attr;
	memset(p, 0, sizeof(*p));
	p->lock = lock;
	p->stats = stats;
	p->started = progress_now();
	if (pthread_condattr_init(&attr) != 0)
		return -1;
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	int rc = pthread_cond_init(&p->wake, &attr);
	pthread_condattr_destroy(&attr);
	if (rc != 0)
		return -1;
	/* at once, before the walk starts: even a scan over before the thread runs shows the line */
	pthread_mutex_lock(p->lock);
	draw(p);
	pthread_mutex_unlock(p->lock);
	if (pthread_create(&p->thread, NULL, progress_main, p) != 0) {
		fputs("\r\033[K", stderr); /* no thread to keep it current: not shown at all */
		pthread_cond_destroy(&p->wake);
		return -1;
	}
	p->running = 1;
	return 0;
}

void progress_stop(progress *p)
{
	if (!p->running)
		return;
	pthread_mutex_lock(p->lock);
	p->quit = 1;
	pthread_cond_signal(&p->wake);
	pthread_mutex_unlock(p->lock);
	pthread_join(p->thread, NULL);
	pthread_mutex_lock(p->lock);
	progress_clear(p);
	pthread_mutex_unlock(p->lock);
	p->running = 0;
	pthread_cond_destroy(&p->wake);
}
