/*
 * The agent's log (log.c): one line per message to stderr (journald adds
 * the time under systemd; a time stamp is written when stderr is a
 * terminal or file) and, when configured, to syslog. Messages never carry
 * the credential.
 */
#ifndef RQ_AGENT_LOG_H
#define RQ_AGENT_LOG_H

#include "config.h"
#include "core/error.h"

/* Apply [log] level and syslog (called again on reload). */
void rq_alog_setup(int level, int use_syslog);
void rq_alog(int level, const char *fmt, ...) RQ_PRINTF(2, 3);

#endif
