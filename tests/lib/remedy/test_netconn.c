/*
 * Tests of the connection lister (lib/remedy/netconn.c) on a fake /proc:
 * IPv4 and IPv6 TCP and UDP lines in kernel byte order, listening and
 * unconnected sockets skipped, owners found through fd symlinks, deleted
 * executables named without " (deleted)", malformed lines skipped; and on
 * the real /proc, a loopback connection made by the test itself.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"

typedef struct seen {
	char lines[16][256];
	size_t n;
	int want_port;      /* real-proc test: the port to look for */
	int found_self;
} seen;

static int collect(const rq_netconn *c, void *payload)
{
	seen *s = payload;
	if (s->want_port) {
		if (c->remote_port == s->want_port && c->pid == getpid())
			s->found_self = 1;
		return 0;
	}
	if (s->n < 16)
		snprintf(s->lines[s->n++], sizeof(s->lines[0]), "%s %s %s %s %d %s %s", c->proto,
			 c->local_text, c->remote_text, c->state, c->pid, c->comm, c->exe);
	return 0;
}

static void put(const char *root, const char *rel, const char *text)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", root, rel);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void test_fake_proc(void **state)
{
	char *root = rq_test_tmpdir();
	char p[4096];
	const char *dirs[] = { "proc", "proc/net", "proc/4242", "proc/4242/fd", "proc/99", "proc/99/fd", "proc/self" };
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", root, dirs[i]);
		assert_int_equal(mkdir(p, 0755), 0);
	}
	const char *head = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n";
	char tcp[2048];
	snprintf(tcp, sizeof(tcp), "%s"
		 /* 10.0.0.5:51514 -> 203.0.113.7:443 ESTABLISHED, inode 777 */
		 "   0: 0500000A:C93A 077100CB:01BB 01 00000000:00000000 00:00000000 00000000  1000  0 777 1 0 20 4 30 10 -1\n"
		 /* listening: skipped */
		 "   1: 00000000:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0  0 1069 1 0 100 0 0 10 0\n"
		 "   2: garbage line\n"
		 /* no owner found (inode 555) */
		 "   3: 0500000A:C93B 087100CB:0050 02 00000000:00000000 00:00000000 00000000  1000  0 555 1 0 20 4 30 10 -1\n",
		 head);
	put(root, "proc/net/tcp", tcp);
	char tcp6[1024];
	snprintf(tcp6, sizeof(tcp6), "%s"
		 /* [2001:db8::5]:40000 -> [2001:db8::1]:443, inode 888 (owner 99) */
		 "   0: B80D0120000000000000000005000000:9C40 B80D0120000000000000000001000000:01BB 01 00000000:00000000 00:00000000 00000000 0 0 888 1\n",
		 head);
	put(root, "proc/net/tcp6", tcp6);
	char udp[1024];
	snprintf(udp, sizeof(udp), "%s"
		 /* 10.0.0.5:5353 -> 198.51.100.9:53, inode 999 (owner 4242) */
		 "   0: 0500000A:14E9 096433C6:0035 01 00000000:00000000 00:00000000 00000000 0 0 999 2 0 0\n"
		 /* unconnected: skipped */
		 "   1: 00000000:0044 00000000:0000 07 00000000:00000000 00:00000000 00000000 0 0 123 2 0 0\n",
		 head);
	put(root, "proc/net/udp", udp);
	put(root, "proc/4242/comm", "evil\n");
	put(root, "proc/99/comm", "helper\n");
	snprintf(p, sizeof(p), "%s/proc/4242/exe", root);
	assert_int_equal(symlink("/tmp/.x/evil (deleted)", p), 0);
	snprintf(p, sizeof(p), "%s/proc/99/exe", root);
	assert_int_equal(symlink("/usr/bin/helper", p), 0);
	snprintf(p, sizeof(p), "%s/proc/4242/fd/3", root);
	assert_int_equal(symlink("socket:[777]", p), 0);
	snprintf(p, sizeof(p), "%s/proc/4242/fd/4", root);
	assert_int_equal(symlink("socket:[999]", p), 0);
	snprintf(p, sizeof(p), "%s/proc/4242/fd/5", root);
	assert_int_equal(symlink("/dev/null", p), 0);
	snprintf(p, sizeof(p), "%s/proc/99/fd/7", root);
	assert_int_equal(symlink("socket:[888]", p), 0);

	seen s;
	memset(&s, 0, sizeof(s));
	assert_int_equal(rq_netconn_each(root, collect, &s), 0);
	assert_int_equal(s.n, 4);
	assert_string_equal(s.lines[0], "tcp 10.0.0.5:51514 203.0.113.7:443 ESTABLISHED 4242 evil /tmp/.x/evil");
	assert_string_equal(s.lines[1], "tcp 10.0.0.5:51515 203.0.113.8:80 SYN_SENT -1  ");
	assert_string_equal(s.lines[2], "tcp [2001:db8::5]:40000 [2001:db8::1]:443 ESTABLISHED 99 helper /usr/bin/helper");
	assert_string_equal(s.lines[3], "udp 10.0.0.5:5353 198.51.100.9:53  4242 evil /tmp/.x/evil");
	rq_test_rmtree(root);
	free(root);
	assert_int_equal(rq_netconn_each(NULL, collect, &s), RQ_EINVAL);
}

/* A real connection of this process over loopback shows up, owned by it. */
static void test_real_proc(void **state)
{
	int srv = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a;
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(0x7f000001);
	socklen_t al = sizeof(a);
	assert_int_equal(bind(srv, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(srv, 1), 0);
	assert_int_equal(getsockname(srv, (struct sockaddr *)&a, &al), 0);
	int cli = socket(AF_INET, SOCK_STREAM, 0);
	assert_int_equal(connect(cli, (struct sockaddr *)&a, sizeof(a)), 0);
	int acc = accept(srv, NULL, NULL);
	assert_true(acc >= 0);
	seen s;
	memset(&s, 0, sizeof(s));
	s.want_port = ntohs(a.sin_port);
	assert_int_equal(rq_netconn_each("/", collect, &s), 0);
	assert_true(s.found_self);
	close(acc);
	close(cli);
	close(srv);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fake_proc),
		cmocka_unit_test(test_real_proc),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
