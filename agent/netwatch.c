/*
 * The network watch (netwatch.h): each look lists the connections, matches
 * their remote addresses with the engine's network indicators and builds
 * the events of the ones not reported before; once the listing is complete
 * it forgets what it did not see and only then reports the new ones, so the
 * room freed by closed connections serves at once. What was reported is a
 * sorted array of connection keys, each stamped with the last look that
 * saw it. Overview: docs/agent.md.
 */
#include "netwatch.h"

#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent_limits.h"
#include "core/error.h"
#include "core/util.h"
#include "scan/digest.h"

/* ROOT/proc/PID/exe: rq_netconn_each refuses a root over 2048 bytes. */
#define PATH_LEN 4200

/* One connection, as remembered between looks. */
typedef struct conn_key {
	uint8_t remote[16];
	unsigned long inode;
	int pid;
	uint16_t remote_port;
	char proto; /* 't' or 'u' */
} conn_key;

typedef struct remembered {
	conn_key key;
	unsigned look; /* the last look that saw it */
} remembered;

struct rq_netwatch {
	remembered *v; /* sorted by cmp_key */
	size_t n, cap;
	unsigned look;
};

/* A connection not reported before, waiting for the end of the listing. */
typedef struct pending {
	conn_key key;
	json_t *event;
} pending;

/* The state of one look, passed through rq_netconn_each. */
typedef struct look {
	rq_netwatch *nw;
	const rq_engine *engine;
	const char *root; /* "" for "/" */
	rq_netwatch_counts *counts;
	pending *new_conns; /* at most RQ_AGENT_MAX_NETWATCH_REPORTED: more could never be remembered */
	size_t new_count, new_cap;
	int rc;           /* what stopped the listing, with its message in why */
	char why[512];
	int hashed_pid;   /* whose executable md5 and sha256 hold (-1: none) */
	char md5[33], sha256[65];
} look;

int rq_netwatch_new(rq_netwatch **out)
{
	*out = calloc(1, sizeof(**out));
	return *out ? 0 : rq_fail(RQ_ENOMEM, "network watch: out of memory");
}

void rq_netwatch_free(rq_netwatch *nw)
{
	if (!nw)
		return;
	free(nw->v);
	free(nw);
}

static int cmp_key(const conn_key *a, const conn_key *b)
{
	if (a->pid != b->pid)
		return a->pid < b->pid ? -1 : 1;
	if (a->inode != b->inode)
		return a->inode < b->inode ? -1 : 1;
	if (a->remote_port != b->remote_port)
		return a->remote_port < b->remote_port ? -1 : 1;
	if (a->proto != b->proto)
		return a->proto < b->proto ? -1 : 1;
	return memcmp(a->remote, b->remote, sizeof(a->remote));
}

/* Whether `k` is remembered; *at is its place, or where it belongs. */
static int find(const rq_netwatch *nw, const conn_key *k, size_t *at)
{
	size_t lo = 0, hi = nw->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (cmp_key(&nw->v[mid].key, k) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*at = lo;
	return lo < nw->n && cmp_key(&nw->v[lo].key, k) == 0;
}

/* After a complete look: forget what it did not see. */
static void forget_unseen(rq_netwatch *nw)
{
	size_t kept = 0;
	for (size_t i = 0; i < nw->n; i++)
		if (nw->v[i].look == nw->look)
			nw->v[kept++] = nw->v[i];
	nw->n = kept;
}

/* The address alone: dotted IPv4 for ::ffff:a.b.c.d, else IPv6 text. */
static void address_text(const uint8_t a[16], char out[INET6_ADDRSTRLEN])
{
	static const uint8_t v4_mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	if (!memcmp(a, v4_mapped, sizeof(v4_mapped)))
		inet_ntop(AF_INET, a + 12, out, INET6_ADDRSTRLEN);
	else
		inet_ntop(AF_INET6, a, out, INET6_ADDRSTRLEN);
}

/*
 * o[key] = the text, null when empty or unknown. Bytes that are not UTF-8
 * (a path can hold any) cannot travel in JSON: they become '?' and the
 * exact bytes go in o[key + "_hex"]. 0 or -1 (out of memory).
 */
static int set_text(json_t *o, const char *key, const char *s)
{
	if (!s || !*s)
		return json_object_set_new(o, key, json_null());
	json_t *v = json_string(s);
	if (v)
		return json_object_set_new(o, key, v);
	size_t len = strlen(s);
	char *ascii = malloc(len + 1), *hex = malloc(2 * len + 1);
	char hex_key[64];
	int rc = -1;
	if (ascii && hex && (size_t)snprintf(hex_key, sizeof(hex_key), "%s_hex", key) < sizeof(hex_key)) {
		for (size_t i = 0; i < len; i++)
			ascii[i] = (unsigned char)s[i] < 0x80 ? s[i] : '?';
		ascii[len] = '\0';
		rq_hex_encode(hex, (const uint8_t *)s, len);
		rc = json_object_set_new(o, key, json_string(ascii)) || json_object_set_new(o, hex_key, json_string(hex))
			     ? -1
			     : 0;
	}
	free(ascii);
	free(hex);
	return rc;
}

/* The executable's digests of the connection's process into lk (empty when unreadable), once per process. */
static void hash_exe(look *lk, int pid)
{
	if (pid == lk->hashed_pid)
		return;
	char path[PATH_LEN];
	lk->hashed_pid = pid;
	lk->md5[0] = lk->sha256[0] = '\0';
	if (pid >= 0 && (size_t)snprintf(path, sizeof(path), "%s/proc/%d/exe", lk->root, pid) < sizeof(path))
		rq_digests_file_hex(path, lk->md5, lk->sha256); /* unreadable: reported without them */
}

/* The "connection" event's payload (fields: docs/api-agent.md). */
static int build_event(json_t **out, look *lk, const rq_netconn *c, const rq_address_match *m)
{
	char local[INET6_ADDRSTRLEN], remote[INET6_ADDRSTRLEN];
	address_text(c->local, local);
	address_text(c->remote, remote);
	hash_exe(lk, c->pid);
	json_t *ev = json_object();
	int failed = !ev || json_object_set_new(ev, "protocol", json_string(c->proto)) ||
		     json_object_set_new(ev, "local", json_string(local)) ||
		     json_object_set_new(ev, "local_port", json_integer(c->local_port)) ||
		     json_object_set_new(ev, "remote", json_string(remote)) ||
		     json_object_set_new(ev, "remote_port", json_integer(c->remote_port)) ||
		     json_object_set_new(ev, "remote_host", json_null()) || set_text(ev, "state", c->state) ||
		     json_object_set_new(ev, "pid", c->pid >= 0 ? json_integer(c->pid) : json_null()) ||
		     set_text(ev, "comm", c->comm) || set_text(ev, "exe", c->exe) ||
		     set_text(ev, "md5", c->pid >= 0 ? lk->md5 : NULL) ||
		     set_text(ev, "sha256", c->pid >= 0 ? lk->sha256 : NULL) ||
		     set_text(ev, "indicator", m->name) || set_text(ev, "source", m->source) ||
		     json_object_set_new(ev, "action", json_string("reported"));
	if (failed) {
		json_decref(ev);
		return rq_fail(RQ_ENOMEM, "network watch: out of memory");
	}
	*out = ev;
	return 0;
}

/* Stop the listing with `rc`, keeping its message (rq_netconn_each replaces it with its own). */
static int stop(look *lk, int rc)
{
	lk->rc = rc;
	snprintf(lk->why, sizeof(lk->why), "%s", rq_error_last());
	return 1;
}

static int on_conn(const rq_netconn *c, void *payload)
{
	look *lk = payload;
	rq_netwatch *nw = lk->nw;
	rq_address_match m;
	lk->counts->connections++;
	if (!rq_engine_match_ip(lk->engine, c->remote, &m))
		return 0;
	lk->counts->malicious++;
	conn_key k;
	memset(&k, 0, sizeof(k));
	memcpy(k.remote, c->remote, sizeof(k.remote));
	k.inode = c->inode;
	k.pid = c->pid;
	k.remote_port = c->remote_port;
	k.proto = c->proto[0];
	size_t at;
	if (find(nw, &k, &at)) {
		nw->v[at].look = nw->look;
		return 0;
	}
	if (lk->new_count >= RQ_AGENT_MAX_NETWATCH_REPORTED) {
		lk->counts->over_limit++;
		return 0;
	}
	json_t *ev = NULL;
	int rc = rq_grow((void **)&lk->new_conns, &lk->new_cap, lk->new_count + 1, sizeof(*lk->new_conns));
	if (rc || (rc = build_event(&ev, lk, c, &m)))
		return stop(lk, rc);
	lk->new_conns[lk->new_count++] = (pending){ k, ev };
	return 0;
}

/* Hand the new connections to cb while there is room to remember them. */
static int report(look *lk, rq_netwatch_cb cb, void *payload)
{
	rq_netwatch *nw = lk->nw;
	int rc = 0;
	for (size_t i = 0; i < lk->new_count && !rc; i++) {
		const pending *p = &lk->new_conns[i];
		size_t at;
		if (find(nw, &p->key, &at))
			continue; /* listed twice in one look */
		if (nw->n >= RQ_AGENT_MAX_NETWATCH_REPORTED) {
			lk->counts->over_limit++;
			continue;
		}
		if ((rc = rq_grow((void **)&nw->v, &nw->cap, nw->n + 1, sizeof(*nw->v))))
			break;
		if ((rc = cb(p->event, payload)) != 0) {
			rc = rc < 0 ? rc : rq_fail(RQ_ESTOPPED, "network watch: stopped by the caller");
			break;
		}
		memmove(&nw->v[at + 1], &nw->v[at], (nw->n - at) * sizeof(*nw->v));
		nw->v[at] = (remembered){ p->key, nw->look };
		nw->n++;
		lk->counts->reported++;
	}
	return rc;
}

int rq_netwatch_scan(rq_netwatch_counts *out, rq_netwatch *nw, const rq_engine *engine,
		     const char *root, rq_netwatch_cb cb, void *payload)
{
	rq_netwatch_counts counts;
	memset(&counts, 0, sizeof(counts));
	look lk;
	memset(&lk, 0, sizeof(lk));
	int rc = 0;
	if (!nw || !engine || !root || !cb) {
		rc = rq_fail(RQ_EINVAL, "network watch: missing argument");
		goto done;
	}
	nw->look++;
	lk.nw = nw;
	lk.engine = engine;
	lk.root = strcmp(root, "/") ? root : "";
	lk.counts = &counts;
	lk.hashed_pid = -1;
	rc = rq_netconn_each(root, on_conn, &lk);
	if (rc == RQ_ESTOPPED && lk.rc)
		rc = rq_fail(lk.rc, "%s", lk.why);
	if (rc)
		goto done;
	forget_unseen(nw);
	rc = report(&lk, cb, payload);
done:
	for (size_t i = 0; i < lk.new_count; i++)
		json_decref(lk.new_conns[i].event);
	free(lk.new_conns);
	if (out)
		*out = counts;
	return rc;
}
