/*
 * raquetd's main loop (daemon.c): heartbeats on the interval with the
 * machine facts (tasks in the answer go to the durable task queue), and the
 * outbox uploader (batches sent, only the UUIDs the server acknowledged
 * removed), each retrying with exponential backoff and jitter. Timers run
 * on CLOCK_MONOTONIC, so a wall-clock jump neither stalls nor floods.
 * Program: agent/main.c; guide: docs/agent.md.
 */
#ifndef RQ_AGENT_DAEMON_H
#define RQ_AGENT_DAEMON_H

typedef struct rq_daemon_options {
	const char *config_path; /* NULL: RQ_AGENT_DEFAULT_CONFIG, missing allowed */
	const char *state_dir;   /* overrides [agent] state_dir; NULL: the config's */
	int once;                /* one heartbeat and one full outbox flush, then return */
} rq_daemon_options;

/*
 * Async-signal-safe: SIGTERM/SIGINT ask the loop to stop (a request in
 * flight is aborted within about a second; what it carried stays queued),
 * SIGHUP to reload the configuration and agent.json (both kept as they
 * were when either new one is bad), SIGUSR1 to heartbeat now.
 */
void rq_daemon_signal(int sig);

/*
 * Run until stopped (or, with `once`, one round). Returns 0; RQ_EIO when
 * `once` could not reach the server or it refused something; another
 * error when starting failed (not enrolled, bad configuration, another
 * raquetd on the same state folder), the last error saying why.
 *
 * Test hooks (environment): RQ_AGENT_BACKOFF_MAX_MS caps the retry delay;
 * RQ_AGENT_BATCH_EVENTS sets the events per batch.
 */
int rq_daemon_run(const rq_daemon_options *o);

#endif
