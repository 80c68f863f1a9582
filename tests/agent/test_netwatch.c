/*
 * Tests of the network watch (agent/netwatch.c) on a fake /proc: a
 * connection to a listed IPv4 address, IPv6 network and one without an
 * owner are reported once each with the event fields the server reads, a
 * benign one never; nothing is reported again while they last, and again
 * after they went away and came back; a refusing callback leaves the
 * connection for the next look; the remembered set is bounded; names
 * that are not UTF-8 keep their bytes. On the real /proc, a UDP socket
 * of the test connected to loopback carries its executable's digests.
 */
#include <arpa/inet.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"
#include "core/error.h"
#include "tmpdir_fixture.h"
#include "agent_limits.h"
#include "netwatch.h"

#define HEAD "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
/* 10.0.0.5:51514 -> 203.0.113.7:443 ESTABLISHED, socket 777 of pid 4242 (listed) */
#define TCP_C2 "   0: 0500000A:C93A 077100CB:01BB 01 00000000:00000000 00:00000000 00000000 1000 0 777 1\n"
/* 10.0.0.5:51516 -> 198.51.100.9:443, socket 778 of pid 4242 (not listed) */
#define TCP_BENIGN "   1: 0500000A:C93C 096433C6:01BB 01 00000000:00000000 00:00000000 00000000 1000 0 778 1\n"
/* [2001:db8::5]:40000 -> [2001:db8::1]:443, socket 888 of pid 99 (in a listed network) */
#define TCP6_C2 "   0: B80D0120000000000000000005000000:9C40 B80D0120000000000000000001000000:01BB 01 " \
		"00000000:00000000 00:00000000 00000000 0 0 888 1\n"
/* 10.0.0.5:5353 -> 203.0.113.7:53, socket 555 that no process holds */
#define UDP_C2 "   0: 0500000A:14E9 077100CB:0035 01 00000000:00000000 00:00000000 00000000 0 0 555 2\n"

static const char iocs[] = "203.0.113.7,C2 server\n2001:db8::/32;Test net six\n";
static const char program[] = "not really a program\n"; /* digests from md5sum and sha256sum */
#define PROGRAM_MD5 "e34153b700b639b1f36bee0b394c3d0d"
#define PROGRAM_SHA256 "620ad1ba73d35874ebaace21edc543587dfe3df5a4c0dce584517433d82f5bf0"

/* A watch under test: its engine, and what its callback got and answers. */
typedef struct watch {
	rq_engine *engine;
	rq_netwatch *nw;
	json_t *events; /* deep copies */
	int answer;     /* < 0: fail with it (and a message); > 0: stop; 0: take the event */
} watch;

static int on_event(const json_t *event, void *payload)
{
	watch *w = payload;
	if (w->answer < 0)
		return rq_fail(w->answer, "outbox: disk full");
	if (w->answer)
		return w->answer;
	assert_int_equal(json_array_append_new(w->events, json_deep_copy(event)), 0);
	return 0;
}

static void watch_open(watch *w, const char *ioc_list)
{
	memset(w, 0, sizeof(*w));
	w->engine = rq_test_engine(1, "txt", ioc_list, NULL);
	assert_int_equal(rq_netwatch_new(&w->nw), 0);
	assert_non_null(w->events = json_array());
}

static void watch_close(watch *w)
{
	json_decref(w->events);
	rq_netwatch_free(w->nw);
	rq_engine_free(w->engine);
}

/* One look at `root` that must succeed; the events it reported replace w->events. */
static rq_netwatch_counts look(watch *w, const char *root)
{
	rq_netwatch_counts c;
	json_array_clear(w->events);
	if (rq_netwatch_scan(&c, w->nw, w->engine, root, on_event, w))
		fail_msg("look: %s", rq_error_last());
	assert_int_equal(c.reported, json_array_size(w->events));
	return c;
}

static void put(const char *rel, const char *text)
{
	free(rq_test_write(tmp, rel, text, strlen(text)));
}

static void link_to(const char *target, const char *rel)
{
	char path[4200];
	snprintf(path, sizeof(path), "%s/%s", tmp, rel);
	if (symlink(target, path))
		fail_msg("symlink %s -> %s failed", path, target);
}

/* tmp as a /proc root: pids 4242 (a real program file) and 99 (unreadable executable). */
static void fake_machine(char *program_path, size_t n)
{
	static const char *const dirs[] = { "proc", "proc/net", "proc/4242", "proc/4242/fd", "proc/99", "proc/99/fd", "bin" };
	char path[4200];
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", tmp, dirs[i]);
		assert_int_equal(mkdir(path, 0755), 0);
	}
	put("bin/evil", program);
	snprintf(program_path, n, "%s/bin/evil", tmp);
	link_to(program_path, "proc/4242/exe");
	put("proc/4242/comm", "evil\n");
	link_to("socket:[777]", "proc/4242/fd/3");
	link_to("socket:[778]", "proc/4242/fd/4");
	link_to("/dev/null", "proc/4242/fd/5");
	link_to("/nonexistent/helper", "proc/99/exe");
	put("proc/99/comm", "helper\n");
	link_to("socket:[888]", "proc/99/fd/7");
	put("proc/net/tcp", HEAD TCP_C2 TCP_BENIGN);
	put("proc/net/tcp6", HEAD TCP6_C2);
	put("proc/net/udp", HEAD UDP_C2);
}

/* The reported event to `remote`:`port`, or NULL. */
static json_t *event_to(const watch *w, const char *remote, int port)
{
	size_t i;
	json_t *e;
	json_array_foreach(w->events, i, e)
	{
		if (!strcmp(json_string_value(json_object_get(e, "remote")), remote) &&
		    json_integer_value(json_object_get(e, "remote_port")) == port)
			return e;
	}
	return NULL;
}

static void assert_field(const json_t *e, const char *key, const char *want)
{
	json_t *v = json_object_get(e, key);
	if (!want) {
		assert_true(json_is_null(v));
		return;
	}
	assert_true(json_is_string(v));
	assert_string_equal(json_string_value(v), want);
}

static void assert_int_field(const json_t *e, const char *key, json_int_t want)
{
	json_t *v = json_object_get(e, key);
	assert_true(json_is_integer(v));
	assert_int_equal(json_integer_value(v), want);
}

static void test_reported_once_with_fields(void **state)
{
	char program_path[4200];
	fake_machine(program_path, sizeof(program_path));
	watch w;
	watch_open(&w, iocs);

	rq_netwatch_counts c = look(&w, tmp);
	assert_int_equal(c.connections, 4);
	assert_int_equal(c.malicious, 3);
	assert_int_equal(c.reported, 3);
	assert_int_equal(c.over_limit, 0);
	assert_null(event_to(&w, "198.51.100.9", 443));

	json_t *e = event_to(&w, "203.0.113.7", 443);
	assert_non_null(e);
	assert_int_equal(json_object_size(e), 15); /* nothing but the documented fields */
	assert_field(e, "protocol", "tcp");
	assert_field(e, "local", "10.0.0.5");
	assert_int_field(e, "local_port", 51514);
	assert_field(e, "remote", "203.0.113.7");
	assert_int_field(e, "remote_port", 443);
	assert_field(e, "remote_host", NULL);
	assert_field(e, "state", "ESTABLISHED");
	assert_int_field(e, "pid", 4242);
	assert_field(e, "comm", "evil");
	assert_field(e, "exe", program_path);
	assert_field(e, "md5", PROGRAM_MD5);
	assert_field(e, "sha256", PROGRAM_SHA256);
	assert_field(e, "indicator", "IOC.C2_server");
	assert_field(e, "source", "test.txt");
	assert_field(e, "action", "reported");

	e = event_to(&w, "2001:db8::1", 443); /* an executable that cannot be read: no digests */
	assert_non_null(e);
	assert_field(e, "local", "2001:db8::5");
	assert_int_field(e, "local_port", 40000);
	assert_int_field(e, "pid", 99);
	assert_field(e, "exe", "/nonexistent/helper");
	assert_field(e, "md5", NULL);
	assert_field(e, "sha256", NULL);
	assert_field(e, "indicator", "IOC.Test_net_six");

	e = event_to(&w, "203.0.113.7", 53); /* no owner found, UDP: no state */
	assert_non_null(e);
	assert_field(e, "protocol", "udp");
	assert_true(json_is_null(json_object_get(e, "pid")));
	assert_field(e, "comm", NULL);
	assert_field(e, "exe", NULL);
	assert_field(e, "md5", NULL);
	assert_field(e, "state", NULL);

	/* still there: nothing new */
	c = look(&w, tmp);
	assert_int_equal(c.malicious, 3);
	assert_int_equal(c.reported, 0);

	/* gone, then back: reported again, the others not */
	put("proc/net/tcp", HEAD TCP_BENIGN);
	c = look(&w, tmp);
	assert_int_equal(c.malicious, 2);
	assert_int_equal(c.reported, 0);
	put("proc/net/tcp", HEAD TCP_C2 TCP_BENIGN);
	c = look(&w, tmp);
	assert_int_equal(c.reported, 1);
	assert_non_null(event_to(&w, "203.0.113.7", 443));
	c = look(&w, tmp);
	assert_int_equal(c.reported, 0);

	watch_close(&w);
}

/* An event the callback could not take is not remembered: the next look reports it. */
static void test_refused_event_comes_again(void **state)
{
	char program_path[4200];
	fake_machine(program_path, sizeof(program_path));
	put("proc/net/tcp6", HEAD);
	put("proc/net/udp", HEAD);
	watch w;
	watch_open(&w, iocs);
	w.answer = RQ_EIO;
	rq_netwatch_counts c;

	assert_int_equal(rq_netwatch_scan(&c, w.nw, w.engine, tmp, on_event, &w), RQ_EIO);
	assert_string_equal(rq_error_last(), "outbox: disk full");
	assert_int_equal(c.malicious, 1);
	assert_int_equal(c.reported, 0);
	w.answer = 1;
	assert_int_equal(rq_netwatch_scan(&c, w.nw, w.engine, tmp, on_event, &w), RQ_ESTOPPED);
	assert_non_null(strstr(rq_error_last(), "network watch"));
	w.answer = 0;
	c = look(&w, tmp);
	assert_int_equal(c.reported, 1);
	assert_field(json_array_get(w.events, 0), "remote", "203.0.113.7");

	assert_int_equal(rq_netwatch_scan(&c, w.nw, NULL, tmp, on_event, &w), RQ_EINVAL);
	assert_int_equal(rq_netwatch_scan(NULL, w.nw, w.engine, NULL, on_event, &w), RQ_EINVAL);
	rq_netwatch_free(NULL);
	watch_close(&w);
}

/* `count` TCP lines to 203.0.113.7, sockets first_inode.., no owner. */
static void many_connections(unsigned first_inode, unsigned count)
{
	size_t cap = sizeof(HEAD) + (size_t)count * 128;
	char *text = malloc(cap);
	assert_non_null(text);
	size_t len = (size_t)snprintf(text, cap, "%s", HEAD);
	for (unsigned i = 0; i < count; i++)
		len += (size_t)snprintf(text + len, cap - len,
					"%5u: 0500000A:%04X 077100CB:01BB 01 00000000:00000000 00:00000000 00000000 0 0 %u 1\n",
					i, 1024 + i, first_inode + i);
	put("proc/net/tcp", text);
	free(text);
}

/* Past RQ_AGENT_MAX_NETWATCH_REPORTED the rest waits for a look with room. */
static void test_bounded(void **state)
{
	const unsigned max = RQ_AGENT_MAX_NETWATCH_REPORTED;
	char path[4200];
	snprintf(path, sizeof(path), "%s/proc", tmp);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/proc/net", tmp);
	assert_int_equal(mkdir(path, 0755), 0);
	watch w;
	watch_open(&w, iocs);

	many_connections(10000, max + 5);
	rq_netwatch_counts c = look(&w, tmp);
	assert_int_equal(c.reported, max);
	assert_int_equal(c.over_limit, 5);
	c = look(&w, tmp);
	assert_int_equal(c.reported, 0);
	assert_int_equal(c.over_limit, 5);
	/* ten of the first ones close: the five waiting are reported */
	many_connections(10010, max - 5);
	c = look(&w, tmp);
	assert_int_equal(c.reported, 5);
	assert_int_equal(c.over_limit, 0);

	watch_close(&w);
}

/* A path that is not UTF-8 goes as '?' plus its exact bytes in exe_hex. */
static void test_non_utf8_exe(void **state)
{
	char program_path[4200];
	fake_machine(program_path, sizeof(program_path));
	char path[4200];
	snprintf(path, sizeof(path), "%s/proc/4242/exe", tmp);
	assert_int_equal(unlink(path), 0);
	link_to("/tmp/\xff\xfe", "proc/4242/exe");
	watch w;
	watch_open(&w, iocs);
	look(&w, tmp);
	json_t *e = event_to(&w, "203.0.113.7", 443);
	assert_non_null(e);
	assert_field(e, "exe", "/tmp/??");
	assert_field(e, "exe_hex", "2f746d702ffffe");
	assert_null(json_object_get(e, "comm_hex"));
	watch_close(&w);
}

/* Lower-case hex of the `alg` digest of the file at `path`, computed here with OpenSSL. */
static void file_digest(const char *path, const char *alg, char *hex)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	assert_non_null(ctx);
	assert_int_equal(EVP_DigestInit_ex(ctx, EVP_get_digestbyname(alg), NULL), 1);
	unsigned char buf[65536], md[EVP_MAX_MD_SIZE];
	size_t n;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		assert_int_equal(EVP_DigestUpdate(ctx, buf, n), 1);
	unsigned len = 0;
	assert_int_equal(EVP_DigestFinal_ex(ctx, md, &len), 1);
	for (unsigned i = 0; i < len; i++)
		sprintf(hex + 2 * i, "%02x", md[i]);
	EVP_MD_CTX_free(ctx);
	fclose(f);
}

/*
 * The machine's own /proc, 127.0.0.1 listed: a UDP socket of this process
 * connected there (connect() only sets the remote end: no peer needed).
 */
static void test_real_process(void **state)
{
	int sock = socket(AF_INET, SOCK_DGRAM, 0);
	assert_true(sock >= 0);
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(9) };
	to.sin_addr.s_addr = htonl(0x7f000001);
	assert_int_equal(connect(sock, (struct sockaddr *)&to, sizeof(to)), 0);

	char md5[33], sha256[65], exe[4096];
	file_digest("/proc/self/exe", "MD5", md5);
	file_digest("/proc/self/exe", "SHA256", sha256);
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	assert_true(n > 0);
	exe[n] = '\0';

	watch w;
	watch_open(&w, "127.0.0.1,Loopback test\n");
	look(&w, "/");
	json_t *e = NULL, *ours = NULL;
	size_t i;
	json_array_foreach(w.events, i, e)
	{
		if (json_integer_value(json_object_get(e, "pid")) == getpid())
			ours = e;
	}
	assert_non_null(ours);
	assert_field(ours, "protocol", "udp");
	assert_field(ours, "remote", "127.0.0.1");
	assert_int_field(ours, "remote_port", 9);
	assert_field(ours, "exe", exe);
	assert_field(ours, "md5", md5);
	assert_field(ours, "sha256", sha256);
	assert_field(ours, "indicator", "IOC.Loopback_test");

	watch_close(&w);
	close(sock);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_reported_once_with_fields, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refused_event_comes_again, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bounded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_non_utf8_exe, setup, teardown),
		cmocka_unit_test(test_real_process),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
