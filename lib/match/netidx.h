/*
 * Network indicators (IOC lists' addresses, networks and domains) indexed
 * for the question a connection watcher asks: is this address -- or this
 * host name -- known to be malicious, and under which name?
 */
#ifndef RQ_MATCH_NETIDX_H
#define RQ_MATCH_NETIDX_H

#include <stddef.h>
#include <stdint.h>

#include "sigs/sigset.h"

typedef struct rq_netidx rq_netidx;

/* Build over `iocs` (borrowed, with their strings: they must outlive the index). */
int rq_netidx_build(rq_netidx **out, const rq_netioc *iocs, size_t count);
void rq_netidx_free(rq_netidx *idx);
size_t rq_netidx_count(const rq_netidx *idx);

/*
 * The indicator matching a 16-byte address (IPv4 as ::ffff:a.b.c.d): the
 * most specific network holding it. NULL if none.
 */
const rq_netioc *rq_netidx_find_ip(const rq_netidx *idx, const uint8_t addr[16]);

/* The indicator matching a host name (the name or a parent domain), or NULL. */
const rq_netioc *rq_netidx_find_domain(const rq_netidx *idx, const char *host);

/* Parse an IPv4 or IPv6 literal into 16 bytes; 1 if it is one. */
int rq_netidx_parse_ip(const char *text, uint8_t out[16]);

#endif
