/*
 * The level-filtered logger of raquet-server (see log.h): stderr lines carry
 * a UTC timestamp and the level; syslog lines get the matching priority.
 */
#include "http/log.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <syslog.h>
#include <time.h>

#include "config/config.h"

static atomic_int log_level = RQ_LOG_INFO;
static atomic_int log_syslog = 0;

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
		char stamp[32];
		struct timespec ts;
		struct tm tm;
		clock_gettime(CLOCK_REALTIME, &ts);
		gmtime_r(&ts.tv_sec, &tm);
		strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
		fprintf(stderr, "%s.%03ldZ %s: %s\n", stamp, ts.tv_nsec / 1000000L,
			rq_srv_log_level_name(level), msg);
	}
}
