/*
 * The claim step shared by the store's durable delivery queues
 * (ncsc_submissions, reminder_mail): tables with the columns state
 * ('queued', ...), attempts, next_attempt_at and last_attempt_at.
 * Implemented in queue.c.
 */
#ifndef RQ_SERVER_STORE_QUEUE_H
#define RQ_SERVER_STORE_QUEUE_H

#include <stdint.h>

#include "store/store.h"

/*
 * Claim the queued row of `table` due first (next_attempt_at at or
 * before `now`) for one attempt: its attempts go up, last_attempt_at
 * becomes `now` and next_attempt_at `lease_until` -- by an UPDATE
 * conditional on the row being as read, so that two servers never claim
 * one row. *out_id gets its id; RQ_ENOTFOUND when none is due (or
 * another server took it first). `table` is one of the queue tables'
 * names, a constant of the program, never input.
 */
int rq_store_queue_claim(rq_store *s, const char *table, int64_t now, int64_t lease_until, int64_t *out_id);

#endif
