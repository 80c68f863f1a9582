/*
 * Tests of the heartbeat's machine facts (agent/sysinfo.c): os-release and
 * machine id from a fake root; the firewall state from ufw's configuration,
 * a running firewalld, and fake nft/iptables tools on $PATH printing real
 * ruleset shapes (filtering, accept-all, absent); and the real machine's
 * host name and interfaces.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"
#include "sysinfo.h"

static char *root, *bin;
static char saved_path[4096];

static void put(const char *dir, const char *rel, const char *text, int exec)
{
	char p[4096];
	snprintf(p, sizeof(p), "%s/%s", dir, rel);
	for (char *s = p + strlen(dir) + 1; (s = strchr(s, '/')); s++) {
		*s = '\0';
		mkdir(p, 0755);
		*s = '/';
	}
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	chmod(p, exec ? 0755 : 0644);
}

static int setup(void **state)
{
	root = rq_test_tmpdir();
	bin = rq_test_tmpdir();
	snprintf(saved_path, sizeof(saved_path), "%s", getenv("PATH") ? getenv("PATH") : "/usr/bin");
	setenv("PATH", bin, 1); /* only the fake tools */
	return 0;
}

static int teardown(void **state)
{
	setenv("PATH", saved_path, 1);
	rq_test_rmtree(root);
	rq_test_rmtree(bin);
	free(root);
	free(bin);
	return 0;
}

static void test_os_and_id(void **state)
{
	put(root, "etc/os-release", "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\n"
				    "VERSION_ID=\"12\"\nID=debian\n", 0);
	put(root, "etc/machine-id", "0123456789abcdef0123456789abcdef\n", 0);
	json_t *j = rq_sysinfo_json(root);
	assert_non_null(j);
	json_t *os = json_object_get(j, "os");
	assert_string_equal(json_string_value(json_object_get(os, "name")), "Debian GNU/Linux");
	assert_string_equal(json_string_value(json_object_get(os, "version")), "12");
	assert_string_equal(json_string_value(json_object_get(os, "pretty")), "Debian GNU/Linux 12 (bookworm)");
	assert_string_equal(json_string_value(json_object_get(j, "machine_id")), "0123456789abcdef0123456789abcdef");
	assert_true(strlen(json_string_value(json_object_get(j, "hostname"))) > 0);
	assert_true(json_is_array(json_object_get(j, "interfaces")));
	json_decref(j);
}

static void expect_fw(rq_fw_state state, const char *source)
{
	rq_firewall fw;
	rq_firewall_read(root, &fw);
	if (fw.state != state || strcmp(fw.source, source))
		fail_msg("firewall: got %s/%s (%s), want %s/%s", rq_fw_state_name(fw.state), fw.source,
			 fw.reason, rq_fw_state_name(state), source);
	assert_true(strlen(fw.reason) > 0);
}

static void test_firewall(void **state)
{
	/* nothing at all */
	expect_fw(RQ_FW_UNKNOWN, "");
	/* iptables with only the default accept policy: off */
	put(bin, "iptables", "#!/bin/sh\necho '-P INPUT ACCEPT'\n", 1);
	expect_fw(RQ_FW_OFF, "iptables");
	put(bin, "iptables", "#!/bin/sh\necho '-P INPUT ACCEPT'\necho '-A INPUT -p tcp --dport 22 -j ACCEPT'\n", 1);
	expect_fw(RQ_FW_ON, "iptables");
	/* nft answers first */
	/* (the fake tools use shell built-ins only: $PATH holds nothing else) */
	put(bin, "nft", "#!/bin/sh\nprintf '%s\\n' 'table inet filter {' '\tchain input {' "
			"'\t\ttype filter hook input priority filter; policy accept;' '\t}' '}'\n", 1);
	expect_fw(RQ_FW_OFF, "nftables");
	put(bin, "nft", "#!/bin/sh\nprintf '%s\\n' 'table inet filter {' '\tchain input {' "
			"'\t\ttype filter hook input priority filter; policy drop;' "
			"'\t\tct state established,related accept' '\t}' '}'\n", 1);
	expect_fw(RQ_FW_ON, "nftables");
	/* a failing tool (no permission) is not an answer */
	put(bin, "nft", "#!/bin/sh\necho 'Operation not permitted' >&2\nexit 1\n", 1);
	expect_fw(RQ_FW_ON, "iptables");
	/* ufw enabled wins; disabled lets the tools decide */
	put(root, "etc/ufw/ufw.conf", "# ufw\nENABLED=yes\nLOGLEVEL=low\n", 0);
	expect_fw(RQ_FW_ON, "ufw");
	put(root, "etc/ufw/ufw.conf", "ENABLED=no\n", 0);
	expect_fw(RQ_FW_ON, "iptables");
	put(bin, "iptables", "#!/bin/sh\necho '-P INPUT ACCEPT'\n", 1);
	expect_fw(RQ_FW_OFF, "ufw");
	/* a running firewalld */
	put(root, "proc/321/comm", "firewalld\n", 0);
	expect_fw(RQ_FW_ON, "firewalld");
}

static void test_real_machine(void **state)
{
	setenv("PATH", saved_path, 1);
	json_t *j = rq_sysinfo_json("/");
	assert_non_null(j);
	assert_true(strlen(json_string_value(json_object_get(j, "hostname"))) > 0);
	assert_true(strlen(json_string_value(json_object_get(j, "kernel"))) > 0);
	json_t *ifs = json_object_get(j, "interfaces");
	size_t i;
	json_t *e;
	json_array_foreach(ifs, i, e) assert_string_not_equal(json_string_value(json_object_get(e, "name")), "lo");
	const char *fw = json_string_value(json_object_get(json_object_get(j, "firewall"), "state"));
	assert_true(!strcmp(fw, "on") || !strcmp(fw, "off") || !strcmp(fw, "unknown"));
	json_decref(j);
	setenv("PATH", bin, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_os_and_id),
		cmocka_unit_test(test_firewall),
		cmocka_unit_test(test_real_machine),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
