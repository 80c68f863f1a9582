/*
 * The background worker of the reminder e-mails (remind.h): every
 * [reminders] interval it queues the reminders due and delivers the mails
 * due, on its own store connection. Started only when [smtp] url is set.
 * Implemented in remind_worker.c on worker/ticker.h.
 */
#ifndef RQ_SERVER_CAMPAIGN_REMIND_WORKER_H
#define RQ_SERVER_CAMPAIGN_REMIND_WORKER_H

#include "config/config.h"

typedef struct rq_remind_worker rq_remind_worker;

/* Start (cfg must outlive it); *out NULL and 0 when [smtp] url is empty. */
int rq_remind_worker_start(rq_remind_worker **out, const rq_srv_config *cfg);
/* Stop and join; NULL is a no-op. */
void rq_remind_worker_stop(rq_remind_worker *w);

#endif
