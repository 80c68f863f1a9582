/*
 * Load generator for raquet-server's agent API: enrolls N agents, then
 * keeps one keep-alive HTTP/1.1 connection per agent busy with heartbeats
 * (or event batches) for a while, from one epoll loop, and prints the
 * request rate and latency percentiles. Plain HTTP on loopback only: it
 * measures the server, not TLS. Used by bench/server_load.sh.
 *
 *   server_load --port P --token T --agents N --seconds S [--mode heartbeat|events] [--batch B]
 *               [--rate R]
 *
 * Without --rate each connection sends its next request as soon as the last
 * is answered (closed loop: the maximum rate; latency is then just queueing,
 * connections / rate). With --rate R the connections together send R
 * requests per second on a fixed schedule (open loop, as real agents do) and
 * latency counts from the scheduled time, so a slow server cannot hide its
 * delays by slowing the senders down.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_AGENTS 20000
#define BUF 65536

typedef struct conn {
	int fd;
	char cred[128];
	char *req;
	size_t req_len, sent;
	char in[BUF];
	size_t got;
	double started;     /* when the request was due */
	int busy;           /* a request is out */
} conn;

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int connect_to(int port)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	a.sin_addr.s_addr = htonl(0x7f000001);
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, (struct sockaddr *)&a, sizeof(a))) {
		close(fd);
		return -1;
	}
	return fd;
}

/* One blocking request on a fresh connection; the response body into out. Returns the status. */
static int request(int port, const char *path, const char *auth, const char *body, char *out, size_t n)
{
	int fd = connect_to(port);
	if (fd < 0)
		return -1;
	char head[1024];
	int hl = snprintf(head, sizeof(head), "POST %s HTTP/1.1\r\nHost: localhost\r\nContent-Type: "
			  "application/json\r\nContent-Length: %zu\r\nConnection: close\r\n%s%s%s\r\n",
			  path, strlen(body), auth ? "Authorization: Bearer " : "", auth ? auth : "",
			  auth ? "\r\n" : "");
	if (write(fd, head, (size_t)hl) != hl || write(fd, body, strlen(body)) != (ssize_t)strlen(body)) {
		close(fd);
		return -1;
	}
	size_t got = 0;
	ssize_t r;
	while (got + 1 < n && (r = read(fd, out + got, n - 1 - got)) > 0)
		got += (size_t)r;
	out[got] = '\0';
	close(fd);
	int status = 0;
	sscanf(out, "HTTP/1.%*d %d", &status);
	return status;
}

static void uuid(char out[37])
{
	uint8_t b[16];
	if (getrandom(b, sizeof(b), 0) != 16)
		memset(b, 7, sizeof(b));
	b[6] = (uint8_t)((b[6] & 0x0f) | 0x40);
	b[8] = (uint8_t)((b[8] & 0x3f) | 0x80);
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2],
		 b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
}

/* The next request of a connection (events: fresh UUIDs every time). */
static void build(conn *c, int events, int batch, int agent)
{
	static char body[1 << 20];
	size_t n = 0;
	if (!events) {
		n = (size_t)snprintf(body, sizeof(body),
				     "{\"hostname\":\"load-%d\",\"agent_version\":\"0.1.0\",\"firewall\":{\"state\":\"on\"},"
				     "\"realtime\":{\"state\":\"on\"},\"databases\":{\"main\":{\"version\":7,\"built\":%ld}}}",
				     agent, (long)time(NULL) - 3600);
	} else {
		n = (size_t)snprintf(body, sizeof(body), "{\"events\":[");
		for (int i = 0; i < batch; i++) {
			char id[37];
			uuid(id);
			n += (size_t)snprintf(body + n, sizeof(body) - n,
					      "%s{\"uuid\":\"%s\",\"kind\":\"detection\",\"time\":%ld,\"payload\":{\"path\":"
					      "\"/home/u/Downloads/file%d.exe\",\"sha256\":\"%064d\",\"name\":\"Win.Trojan.Load-%d\","
					      "\"state\":\"active\"}}",
					      i ? "," : "", id, (long)time(NULL), i, i, i % 50);
		}
		n += (size_t)snprintf(body + n, sizeof(body) - n, "]}");
	}
	free(c->req);
	c->req = malloc(n + 512);
	int hl = snprintf(c->req, 512, "POST /api/v1/agent/%s HTTP/1.1\r\nHost: localhost\r\nContent-Type: "
			  "application/json\r\nAuthorization: Bearer %s\r\nContent-Length: %zu\r\n\r\n",
			  events ? "events" : "heartbeat", c->cred, n);
	memcpy(c->req + hl, body, n);
	c->req_len = (size_t)hl + n;
	c->sent = 0;
	c->got = 0;
}

/* A whole response in c->in? Returns its status, 0 if incomplete. */
static int complete(conn *c)
{
	c->in[c->got] = '\0';
	char *end = strstr(c->in, "\r\n\r\n");
	if (!end)
		return 0;
	long len = 0;
	char *cl = strcasestr(c->in, "Content-Length:");
	if (cl && cl < end)
		len = strtol(cl + 15, NULL, 10);
	if ((size_t)(end + 4 - c->in) + (size_t)len > c->got)
		return 0;
	int status = 0;
	sscanf(c->in, "HTTP/1.%*d %d", &status);
	return status ? status : -1;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	int port = 0, agents = 100, seconds = 10, events = 0, batch = 100;
	double rate = 0;
	const char *token = NULL;
	for (int i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--port")) port = atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--token")) token = argv[i + 1];
		else if (!strcmp(argv[i], "--agents")) agents = atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--seconds")) seconds = atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--mode")) events = !strcmp(argv[i + 1], "events");
		else if (!strcmp(argv[i], "--batch")) batch = atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--rate")) rate = atof(argv[i + 1]);
	}
	if (!port || !token || agents < 1 || agents > MAX_AGENTS || batch < 1 || batch > 1000) {
		fprintf(stderr, "usage: server_load --port P --token T --agents N --seconds S "
				"[--mode heartbeat|events] [--batch B]\n");
		return 2;
	}
	conn *cs = calloc((size_t)agents, sizeof(*cs));
	char resp[8192], body[512];
	double t0 = now_s();
	for (int i = 0; i < agents; i++) {
		snprintf(body, sizeof(body), "{\"token\":\"%s\",\"hostname\":\"load-%d\",\"kind\":\"workstation\"}", token, i);
		int st = request(port, "/api/v1/agent/enroll", NULL, body, resp, sizeof(resp));
		char *cred = strstr(resp, "\"credential\":\"");
		if (st != 201 || !cred) {
			fprintf(stderr, "server_load: enrolling agent %d: status %d\n", i, st);
			return 1;
		}
		cred += 14;
		size_t l = strcspn(cred, "\"");
		snprintf(cs[i].cred, sizeof(cs[i].cred), "%.*s", (int)l, cred);
	}
	fprintf(stderr, "server_load: %d agents enrolled in %.1f s\n", agents, now_s() - t0);

	int ep = epoll_create1(0);
	for (int i = 0; i < agents; i++) {
		cs[i].fd = connect_to(port);
		if (cs[i].fd < 0) {
			fprintf(stderr, "server_load: connection %d refused\n", i);
			return 1;
		}
		fcntl(cs[i].fd, F_SETFL, O_NONBLOCK);
		struct epoll_event ev = { .events = EPOLLIN | EPOLLOUT | EPOLLET, .data.u32 = (uint32_t)i };
		epoll_ctl(ep, EPOLL_CTL_ADD, cs[i].fd, &ev);
		build(&cs[i], events, batch, i);
		cs[i].started = now_s();
		cs[i].busy = rate <= 0;
	}
	/* open loop: connection i is due every agents/rate seconds, offsets spread evenly */
	double period = rate > 0 ? agents / rate : 0, t_start = now_s();
	double *due = calloc((size_t)agents, sizeof(*due));
	for (int i = 0; i < agents; i++)
		due[i] = t_start + period * i / agents;
	size_t cap = 1 << 20, n_lat = 0;
	double *lat = malloc(cap * sizeof(*lat));
	long ok = 0, errors = 0;
	double start = now_s(), stop = start + seconds;
	struct epoll_event evs[256];
	size_t next_check = 0;
	while (now_s() < stop) {
		if (rate > 0) { /* send what is due on idle connections */
			double t = now_s();
			for (int scanned = 0; scanned < agents; scanned++, next_check++) {
				conn *c = &cs[next_check % (size_t)agents];
				int i = (int)(next_check % (size_t)agents);
				if (c->busy || due[i] > t)
					continue;
				build(c, events, batch, i);
				c->started = due[i];
				due[i] += period;
				c->busy = 1;
				while (c->sent < c->req_len) {
					ssize_t w = write(c->fd, c->req + c->sent, c->req_len - c->sent);
					if (w <= 0)
						break;
					c->sent += (size_t)w;
				}
			}
		}
		int k = epoll_wait(ep, evs, 256, rate > 0 ? 1 : 100);
		for (int e = 0; e < k; e++) {
			conn *c = &cs[evs[e].data.u32];
			if (!c->busy)
				continue;
			while (c->sent < c->req_len) {
				ssize_t w = write(c->fd, c->req + c->sent, c->req_len - c->sent);
				if (w <= 0)
					break;
				c->sent += (size_t)w;
			}
			for (;;) {
				ssize_t r = read(c->fd, c->in + c->got, BUF - 1 - c->got);
				if (r <= 0)
					break;
				c->got += (size_t)r;
			}
			int st = complete(c);
			if (!st)
				continue;
			double t = now_s();
			if (st == 200)
				ok++;
			else
				errors++;
			if (n_lat < cap)
				lat[n_lat++] = t - c->started;
			c->got = 0;
			if (rate > 0) {
				c->busy = 0;
				c->sent = c->req_len;
				continue;
			}
			build(c, events, batch, (int)evs[e].data.u32);
			c->started = t;
			while (c->sent < c->req_len) {
				ssize_t w = write(c->fd, c->req + c->sent, c->req_len - c->sent);
				if (w <= 0)
					break;
				c->sent += (size_t)w;
			}
		}
	}
	double elapsed = now_s() - start;
	qsort(lat, n_lat, sizeof(*lat), cmp_double);
	double p50 = n_lat ? lat[n_lat / 2] : 0, p99 = n_lat ? lat[(size_t)(n_lat * 0.99)] : 0,
	       p999 = n_lat ? lat[(size_t)(n_lat * 0.999)] : 0, mx = n_lat ? lat[n_lat - 1] : 0;
	printf("%s: %d connections, %s, %.1f s: %ld ok, %ld errors, %.0f requests/s",
	       events ? "events" : "heartbeat", agents, rate > 0 ? "open loop" : "closed loop", elapsed, ok,
	       errors, ok / elapsed);
	if (events)
		printf(" (%.0f events/s in batches of %d)", ok * batch / elapsed, batch);
	printf("; latency p50 %.1f ms, p99 %.1f ms, p99.9 %.1f ms, max %.1f ms\n", p50 * 1e3, p99 * 1e3,
	       p999 * 1e3, mx * 1e3);
	return errors ? 1 : 0;
}
