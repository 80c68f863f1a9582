/*
 * `raquet scan --connections [--kill]`: lists this machine's connections
 * (lib/remedy/netconn.c) whose remote address is a network indicator of a
 * loaded IOC list, with the owning process and its executable's MD5 and
 * SHA-256 (what the national centre's reports ask for), in text or JSON;
 * with --kill stops those processes. Reference: docs/cli.md.
 */
#ifndef RQ_CLI_SCAN_CONNS_H
#define RQ_CLI_SCAN_CONNS_H

#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>

#include "raquet/raquet.h"
#include "scan_options.h"

typedef struct conns_totals {
	uint64_t connections; /* sockets with a remote end, looked at */
	uint64_t malicious;   /* of those, to a known malicious address */
	uint64_t killed;      /* owning processes killed by --kill */
	uint64_t errors;      /* failed kills, and a listing that could not run */
} conns_totals;

/* List and report; prints under `out_lock`. 0, or -1 after printing an error. */
int scan_connections(const rq_engine *engine, const scan_config *cfg, pthread_mutex_t *out_lock,
		     volatile const sig_atomic_t *stop, conns_totals *out);

/* The "Connections" lines of the text summary, or the JSON "connection_summary" line. */
void conns_summary(FILE *out, const scan_config *cfg, const conns_totals *t);

#endif
