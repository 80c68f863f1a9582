/*
 * Every limit and default of the agent (raquetd and `raquet agent`) in one
 * place, each with its reason. The outbox's own caps are in outbox.h; the
 * engine's in lib/core/limits.h.
 */
#ifndef RQ_AGENT_AGENT_LIMITS_H
#define RQ_AGENT_AGENT_LIMITS_H

/* Where a packaged agent keeps its configuration and its state. */
#define RQ_AGENT_DEFAULT_CONFIG "/etc/raquet/agent.conf"
#define RQ_AGENT_DEFAULT_STATE_DIR "/var/lib/raquet"

/*
 * Heartbeat every 5 minutes until the server's policy says otherwise: a
 * machine shows as alive within minutes, and 10,000 agents make ~33
 * requests/s, far under what one server takes.
 */
#define RQ_AGENT_DEFAULT_HEARTBEAT 300
/* Not faster than 5 s (a misconfiguration must not flood the server). */
#define RQ_AGENT_MIN_HEARTBEAT 5
/* Not slower than a day: the coverage report's shortest window is one day. */
#define RQ_AGENT_MAX_HEARTBEAT 86400

/* Scans run at low CPU priority by default (nice 10) so users are not disturbed. */
#define RQ_AGENT_DEFAULT_NICE 10
/* best-effort level 7: the lowest I/O priority that still cannot starve forever (idle can). */
#define RQ_AGENT_DEFAULT_IONICE_LEVEL 7

/* A configuration line: far longer than any key and value (paths are <= PATH_MAX). */
#define RQ_AGENT_MAX_CONFIG_LINE 8192
/* The configuration file: a few dozen lines; a larger file is a mistake. */
#define RQ_AGENT_MAX_CONFIG_FILE (256 * 1024)
/* agent.json and status.json: a few hundred bytes each; bounds a damaged file. */
#define RQ_AGENT_MAX_STATE_FILE (64 * 1024)
/* The server URL as stored and sent to libcurl. */
#define RQ_AGENT_MAX_URL 512
/* The credential: "ID." plus the server's 47-character secret, with room to spare. */
#define RQ_AGENT_MAX_CREDENTIAL 160
/* "sha256//" + 44 base64 characters. */
#define RQ_AGENT_PIN_LEN 52

/* A connection that takes longer than this is a dead server or network. */
#define RQ_AGENT_CONNECT_TIMEOUT 10
/* One whole request (an event batch is at most ~1 MiB): ample on a slow link. */
#define RQ_AGENT_REQUEST_TIMEOUT 60
/* The largest answer read (a heartbeat with many tasks): beyond is refused. */
#define RQ_AGENT_MAX_RESPONSE (4 * 1024 * 1024)

/*
 * Event batches: at most 500 events and ~1 MiB of payload -- half the
 * server's batch limit (1,000) and a quarter of its default body limit
 * (4 MiB), so a batch always fits. A 413 halves the batch anyway.
 */
#define RQ_AGENT_BATCH_EVENTS 500
#define RQ_AGENT_BATCH_BYTES (1024 * 1024)
/* Batches sent in a row before the loop looks at its timers and signals again. */
#define RQ_AGENT_BATCHES_PER_FLUSH 20

/*
 * Retry after a failed contact: from 2 s doubling to 10 minutes, with full
 * jitter (rq_backoff_ms), so agents coming back after an outage spread out.
 */
#define RQ_AGENT_BACKOFF_BASE_MS 2000
#define RQ_AGENT_BACKOFF_MAX_MS (10 * 60 * 1000)
/* How often the loop checks for new outbox events and signals: a stop within a second. */
#define RQ_AGENT_TICK_MS 250
/* When the outbox was empty, look for new events this often (idle cost: one query). */
#define RQ_AGENT_OUTBOX_POLL_MS 2000
/* Databases reported in a heartbeat: far more than a machine installs. */
#define RQ_AGENT_MAX_DATABASES 64
/*
 * Interfaces and addresses per interface in a heartbeat: the server's API
 * takes at most 64 of each (docs/api-agent.md); a container host with
 * hundreds of veth interfaces must not be refused for it.
 */
#define RQ_AGENT_MAX_INTERFACES 64
#define RQ_AGENT_MAX_ADDRESSES 64
/* Tasks kept locally (waiting for the executor): bounds a server handing out too many. */
#define RQ_AGENT_MAX_TASKS 10000
/*
 * Connections to listed addresses the network watch remembers as reported
 * (~40 bytes each). A machine with more at once is plainly compromised and
 * its first reports say so; the cap bounds the memory and the outbox writes
 * (one fsync each) a single look can cause. Beyond it, new connections wait
 * for a later look with room.
 */
#define RQ_AGENT_MAX_NETWATCH_REPORTED 1024
/*
 * Real-time protection that could not start (fanotify refused, a kernel
 * without it) is tried again this often (seconds), and its reason reported
 * meanwhile: the cause may be fixed without a restart of the agent.
 */
#define RQ_AGENT_REALTIME_RETRY 600
/* The network watch looks at the machine's connections this often (seconds). */
#define RQ_AGENT_NETWATCH_INTERVAL 60
/* Folders (or file systems) real-time protection watches: a handful in practice. */
#define RQ_AGENT_MAX_REALTIME_PATHS 32
/*
 * Signature updates every hour until the policy says otherwise: machines
 * stay in the "fresh within 1 day" band even when a few tries fail.
 */
#define RQ_AGENT_DEFAULT_UPDATE_MINUTES 60
/* The task queue is looked at this often when no scan runs (ms): one query a second at idle. */
#define RQ_AGENT_WORK_POLL_MS 1000
/* A scan stopped with the agent gets this long (ms) to print its summary. */
#define RQ_AGENT_SCAN_STOP_MS 3000
/* Task reports sent in a row before the loop looks at its timers again. */
#define RQ_AGENT_REPORTS_PER_ROUND 20
/*
 * Mirror keys taken from one server answer: the server hands out at most 32
 * (RQ_SRV_MAX_MIRROR_KEYS); more is not a raquet-server's answer. Each file
 * is bounded by the keyring's RQ_MAX_KEY_FILE.
 */
#define RQ_AGENT_MAX_MIRROR_KEYS 32
/* The scanner program of a packaged agent (raquetd is in /usr/sbin, raquet in /usr/bin). */
#define RQ_AGENT_DEFAULT_SCANNER "/usr/bin/raquet"
/*
 * One JSON line of the scanner's output (a file result with its path and
 * detections, a few KiB at most): a longer line is skipped and counted,
 * never grown without bound.
 */
#define RQ_AGENT_SCAN_LINE_MAX (1024 * 1024)
/*
 * A finished task is kept this long after its report, so a heartbeat answer
 * that still names it (sent before the server had the report) does not
 * queue it again; then it is forgotten, so the queue does not grow forever.
 */
#define RQ_AGENT_TASK_KEEP_SECONDS (7 * 86400)

/*
 * Catch-up of a missed scheduled scan (schedule.h): a machine that was off
 * (or raquetd stopped) at the scheduled time runs the latest missed scan if
 * it comes back within half the schedule's period; later, the next
 * occurrence is nearer than the missed one and the scan waits for it. A
 * quick scan missed at 12:00 runs at 14:00, not at 08:00 the next morning
 * four hours before the next one; a full scan missed on a Friday runs on
 * Monday morning; a monthly one falling on a weekend, the next workday.
 */
#define RQ_AGENT_CATCHUP_DAILY (12 * 3600)
#define RQ_AGENT_CATCHUP_WEEKLY (84 * 3600)
#define RQ_AGENT_CATCHUP_MONTHLY (14 * 86400)

#endif
