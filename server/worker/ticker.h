/*
 * A background thread that calls one function every few seconds until it
 * is stopped, waiting on a condition variable so that stopping is prompt
 * between calls: the shape of the server's periodic workers (the intel
 * publisher; the NCSC and report schedulers have the same shape).
 */
#ifndef RQ_SERVER_WORKER_TICKER_H
#define RQ_SERVER_WORKER_TICKER_H

typedef struct rq_ticker rq_ticker;

/*
 * Start a thread calling tick(payload) at once, then every `seconds`;
 * `stopped` (may be NULL) once when the thread ends, on that thread (to
 * close what tick opened). `payload` must outlive the ticker.
 */
int rq_ticker_start(rq_ticker **out, unsigned seconds, void (*tick)(void *payload), void (*stopped)(void *payload),
		    void *payload);
/* 1 once rq_ticker_stop was called: a long tick may check it between steps. */
int rq_ticker_stopping(rq_ticker *t);
/* Stop and join (a tick in progress finishes); NULL is a no-op. */
void rq_ticker_stop(rq_ticker *t);

#endif
