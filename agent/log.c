/*
 * Logging of raquetd (log.h): a level filter, stderr with a UTC time stamp,
 * and syslog's daemon facility when asked.
 */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <syslog.h>
#include <time.h>

static int max_level = RQ_ALOG_INFO;
static int to_syslog;

void rq_alog_setup(int level, int use_syslog)
{
	max_level = level;
	if (use_syslog && !to_syslog)
		openlog("raquetd", LOG_PID, LOG_DAEMON);
	else if (!use_syslog && to_syslog)
		closelog();
	to_syslog = use_syslog;
}

void rq_alog(int level, const char *fmt, ...)
{
	static const char *const names[] = { "error", "warn", "info", "debug" };
	static const int prio[] = { LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG };
	if (level > max_level || level < 0)
		return;
	char msg[1024], when[32];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	fprintf(stderr, "%s raquetd %s: %s\n", when, names[level], msg);
	if (to_syslog)
		syslog(prio[level], "%s", msg);
}
