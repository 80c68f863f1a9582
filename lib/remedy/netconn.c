/*
 * Connections from /proc/net (netconn.h): one pass over the processes'
 * descriptors maps socket inodes to their owner, then each table's lines
 * are parsed (hex addresses in kernel byte order) and the ones with a
 * remote end reported.
 */
#include "raquet/netconn.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/error.h"
#include "core/util.h"

#define PATH_LEN 4096
#define LINE_MAX_LEN 512
/* Sockets mapped to processes at most: far above a busy server's count. */
#define MAX_SOCKETS (1u << 20)

typedef struct owner {
	unsigned long inode;
	int pid;
} owner;

typedef struct owners {
	owner *v;
	size_t n, cap;
} owners;

static int cmp_owner(const void *a, const void *b)
{
	unsigned long x = ((const owner *)a)->inode, y = ((const owner *)b)->inode;
	return x < y ? -1 : x > y;
}

static int is_pid(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

/* The socket inode the descriptor link `fdname` of folder `dir` names; 0 if not a socket. */
static unsigned long socket_inode(const char *dir, const char *fdname)
{
	char link[PATH_LEN + 300], target[64];
	unsigned long ino = 0;
	if (fdname[0] == '.')
		return 0;
	snprintf(link, sizeof(link), "%s/%s", dir, fdname);
	ssize_t n = readlink(link, target, sizeof(target) - 1);
	if (n <= 0)
		return 0;
	target[n] = '\0';
	return sscanf(target, "socket:[%lu]", &ino) == 1 ? ino : 0;
}

/* Call cb(inode, payload) for each socket descriptor of root/proc/PID/fd; non-zero stops. */
static int each_socket(const char *root, const char *pid, int (*cb)(unsigned long, void *), void *payload)
{
	char path[PATH_LEN];
	snprintf(path, sizeof(path), "%s/proc/%s/fd", root, pid);
	DIR *fd = opendir(path);
	if (!fd)
		return 0; /* another user's process without root, or gone */
	struct dirent *fe;
	int rc = 0;
	while (!rc && (fe = readdir(fd))) {
		unsigned long ino = socket_inode(path, fe->d_name);
		if (ino)
			rc = cb(ino, payload);
	}
	closedir(fd);
	return rc;
}

typedef struct owner_walk {
	owners *o;
	int pid;
} owner_walk;

static int add_owner(unsigned long ino, void *payload)
{
	owner_walk *w = payload;
	if (w->o->n >= MAX_SOCKETS)
		return 1;
	int rc = rq_grow((void **)&w->o->v, &w->o->cap, w->o->n + 1, sizeof(*w->o->v));
	if (!rc)
		w->o->v[w->o->n++] = (owner){ ino, w->pid };
	return rc;
}

/* Socket inode -> first pid holding it, from root/proc/PID/fd/. */
static int map_owners(const char *root, owners *o)
{
	char path[PATH_LEN];
	snprintf(path, sizeof(path), "%s/proc", root);
	DIR *d = opendir(path);
	if (!d)
		return 0; /* no /proc: connections without owners */
	struct dirent *de;
	int rc = 0;
	while (!rc && (de = readdir(d))) {
		if (!is_pid(de->d_name))
			continue;
		owner_walk w = { o, atoi(de->d_name) };
		rc = each_socket(root, de->d_name, add_owner, &w);
		rc = rc > 0 ? 0 : rc; /* the table is full: keep what it has */
	}
	closedir(d);
	if (o->n)
		qsort(o->v, o->n, sizeof(*o->v), cmp_owner);
	return rc;
}

static int is_inode(unsigned long ino, void *payload)
{
	return ino == *(const unsigned long *)payload;
}

int rq_netconn_holds(int pid, unsigned long inode)
{
	char p[32];
	snprintf(p, sizeof(p), "%d", pid);
	return pid > 0 && each_socket("", p, is_inode, &inode) == 1;
}

static int owner_of(const owners *o, unsigned long inode)
{
	size_t lo = 0, hi = o->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (o->v[mid].inode < inode)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < o->n && o->v[lo].inode == inode ? o->v[lo].pid : -1;
}

/* "0100007F:7829" (IPv4) or 32 hex digits ":" port (IPv6), kernel order: 4-byte words in host order. */
static int parse_endpoint(const char *s, int v6, uint8_t addr[16], uint16_t *port)
{
	size_t hex = v6 ? 32 : 8;
	if (strlen(s) < hex + 2 || s[hex] != ':')
		return -1;
	uint8_t raw[16];
	for (size_t i = 0; i < hex / 2; i++) {
		int hi = rq_hexval(s[2 * i]), lo = rq_hexval(s[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		raw[i] = (uint8_t)(hi << 4 | lo);
	}
	/* each 32-bit word was printed as a number: reverse its bytes (little-endian kernel) */
	uint8_t net[16];
	for (size_t w = 0; w < hex / 8; w++)
		for (int b = 0; b < 4; b++)
			net[4 * w + b] = raw[4 * w + 3 - b];
	memset(addr, 0, 16);
	if (v6) {
		memcpy(addr, net, 16);
	} else {
		addr[10] = addr[11] = 0xff;
		memcpy(addr + 12, net, 4);
	}
	char *end = NULL;
	unsigned long p = strtoul(s + hex + 1, &end, 16);
	if (!end || end == s + hex + 1 || p > 65535)
		return -1;
	*port = (uint16_t)p;
	return 0;
}

static int is_zero(const uint8_t a[16])
{
	static const uint8_t mapped_any[16] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 0, 0 };
	static const uint8_t any[16] = { 0 };
	return !memcmp(a, any, 16) || !memcmp(a, mapped_any, 16);
}

static void endpoint_text(const uint8_t a[16], uint16_t port, char *out, size_t n)
{
	char ip[INET6_ADDRSTRLEN];
	static const uint8_t prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	if (!memcmp(a, prefix, 12)) {
		inet_ntop(AF_INET, a + 12, ip, sizeof(ip));
		snprintf(out, n, "%s:%u", ip, port);
	} else {
		inet_ntop(AF_INET6, a, ip, sizeof(ip));
		snprintf(out, n, "[%s]:%u", ip, port);
	}
}

static const char *tcp_state(unsigned st)
{
	static const char *const names[] = { "", "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1",
					     "FIN_WAIT2", "TIME_WAIT", "CLOSE", "CLOSE_WAIT",
					     "LAST_ACK", "LISTEN", "CLOSING", "NEW_SYN_RECV" };
	return st < sizeof(names) / sizeof(names[0]) ? names[st] : "UNKNOWN";
}

/* Process facts for a pid: comm and exe into the buffers ("" when unreadable). */
static void process_facts(const char *root, int pid, char *comm, size_t cn, char *exe, size_t en)
{
	char path[PATH_LEN];
	comm[0] = exe[0] = '\0';
	if (pid < 0)
		return;
	snprintf(path, sizeof(path), "%s/proc/%d/comm", root, pid);
	FILE *f = fopen(path, "re");
	if (f) {
		if (fgets(comm, (int)cn, f))
			comm[strcspn(comm, "\n")] = '\0';
		fclose(f);
	}
	snprintf(path, sizeof(path), "%s/proc/%d/exe", root, pid);
	ssize_t n = readlink(path, exe, en - 1);
	exe[n > 0 ? n : 0] = '\0';
	char *del = strstr(exe, " (deleted)");
	if (del && del[10] == '\0')
		*del = '\0';
}

static int read_table(const char *root, const char *file, const char *proto, int v6,
		      const owners *o, rq_netconn_cb cb, void *payload)
{
	char path[PATH_LEN], line[LINE_MAX_LEN];
	snprintf(path, sizeof(path), "%s/proc/net/%s", root, file);
	FILE *f = fopen(path, "re");
	if (!f)
		return 0;
	int rc = 0;
	int first = 1;
	while (!rc && fgets(line, sizeof(line), f)) {
		if (first) { /* the header */
			first = 0;
			continue;
		}
		char local[64], remote[64];
		unsigned st = 0;
		unsigned long inode = 0;
		/* sl local remote st tx:rx tr:when retr uid timeout inode */
		if (sscanf(line, " %*s %63s %63s %x %*s %*s %*s %*s %*s %lu", local, remote, &st, &inode) != 4)
			continue; /* a line this version does not know: skip it */
		rq_netconn c;
		memset(&c, 0, sizeof(c));
		if (parse_endpoint(local, v6, c.local, &c.local_port) ||
		    parse_endpoint(remote, v6, c.remote, &c.remote_port))
			continue;
		if (is_zero(c.remote) && !c.remote_port)
			continue; /* listening or unconnected */
		char ltext[64], rtext[64], comm[64], exe[PATH_LEN];
		endpoint_text(c.local, c.local_port, ltext, sizeof(ltext));
		endpoint_text(c.remote, c.remote_port, rtext, sizeof(rtext));
		c.proto = proto;
		c.state = strcmp(proto, "tcp") ? "" : tcp_state(st);
		c.inode = inode;
		c.pid = inode ? owner_of(o, inode) : -1;
		process_facts(root, c.pid, comm, sizeof(comm), exe, sizeof(exe));
		c.comm = comm;
		c.exe = exe;
		c.local_text = ltext;
		c.remote_text = rtext;
		if (cb(&c, payload))
			rc = rq_fail(RQ_ESTOPPED, "connection listing stopped by the caller");
	}
	fclose(f);
	return rc;
}

int rq_netconn_each(const char *root, rq_netconn_cb cb, void *payload)
{
	if (!root || strlen(root) > PATH_LEN / 2)
		return rq_fail(RQ_EINVAL, "connections: bad root folder");
	if (!strcmp(root, "/"))
		root = "";
	owners o = { 0 };
	int rc = map_owners(root, &o);
	static const struct { const char *file, *proto; int v6; } tables[] = {
		{ "tcp", "tcp", 0 }, { "tcp6", "tcp", 1 }, { "udp", "udp", 0 }, { "udp6", "udp", 1 },
	};
	for (size_t i = 0; !rc && i < sizeof(tables) / sizeof(tables[0]); i++)
		rc = read_table(root, tables[i].file, tables[i].proto, tables[i].v6, &o, cb, payload);
	free(o.v);
	return rc;
}
