/*
 * Network connections of this machine (Linux /proc/net): every TCP and UDP
 * socket with a remote end, and the process that owns it -- so a caller
 * can check each remote address against the engine's network indicators
 * (rq_engine_match_ip) and report "this process talks to a C2 server".
 * Officer's guide: docs/remediation.md.
 */
#ifndef RAQUET_NETCONN_H
#define RAQUET_NETCONN_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct rq_netconn {
	const char *proto;      /* "tcp" or "udp" */
	uint8_t local[16];      /* addresses as 16 bytes, IPv4 as ::ffff:a.b.c.d */
	uint8_t remote[16];
	uint16_t local_port, remote_port;
	const char *state;      /* "ESTABLISHED", "SYN_SENT", ... ("" for UDP) */
	unsigned long inode;    /* the socket's inode */
	int pid;                /* owning process, -1 if not found (no access, other namespace) */
	const char *comm;       /* its /proc/PID/comm, "" if unknown */
	const char *exe;        /* its executable, "" if unknown */
	const char *local_text; /* "10.0.0.5:51514", "[2001:db8::5]:443" */
	const char *remote_text;
} rq_netconn;

/* Called per connection; strings valid during the call. Non-zero stops (RQ_ESTOPPED). */
typedef int (*rq_netconn_cb)(const rq_netconn *conn, void *payload);

/*
 * List the sockets of /proc/net/{tcp,tcp6,udp,udp6} under `root` ("/" for
 * the machine; tests use a fake root) that have a remote address (not
 * listening, not unconnected UDP), with their process found through
 * /proc/PID/fd. Missing files are skipped. Returns 0, RQ_ESTOPPED,
 * RQ_ENOMEM or RQ_EINVAL.
 */
int rq_netconn_each(const char *root, rq_netconn_cb cb, void *payload);

/*
 * Whether process `pid` holds socket `inode` now (read after its start time,
 * a kill checked against that start time cannot reach a process that
 * reused the pid). 1 or 0.
 */
int rq_netconn_holds(int pid, unsigned long inode);

#ifdef __cplusplus
}
#endif

#endif
