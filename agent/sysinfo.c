/*
 * Machine facts for the heartbeat (sysinfo.h). Interfaces come from
 * getifaddrs (addresses) and /sys/class/net (MAC); the firewall from the
 * configuration of ufw, a running firewalld, or the rules that nft or
 * iptables print -- the first that answers decides.
 */
#include "sysinfo.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <strings.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#define PATH_LEN 4096
/* Bytes read from a firewall tool: a ruleset listing beyond this is cut (state still read). */
#define TOOL_OUTPUT_MAX (1024 * 1024)

static void path_in(char *out, size_t n, const char *root, const char *rel)
{
	snprintf(out, n, "%s%s", strcmp(root, "/") ? root : "", rel);
}

/* First line of a small file, trimmed; "" if unreadable. */
static void read_line(const char *root, const char *rel, char *out, size_t n)
{
	char p[PATH_LEN];
	path_in(p, sizeof(p), root, rel);
	out[0] = '\0';
	FILE *f = fopen(p, "re");
	if (!f)
		return;
	if (fgets(out, (int)n, f))
		out[strcspn(out, "\r\n")] = '\0';
	fclose(f);
}

/* A KEY=value of a shell-style file (os-release, ufw.conf), quotes removed. */
static int conf_value(const char *root, const char *rel, const char *key, char *out, size_t n)
{
	char p[PATH_LEN], line[512];
	path_in(p, sizeof(p), root, rel);
	out[0] = '\0';
	FILE *f = fopen(p, "re");
	if (!f)
		return 0;
	size_t kl = strlen(key);
	int found = 0;
	while (!found && fgets(line, sizeof(line), f)) {
		char *s = line;
		while (*s == ' ' || *s == '\t')
			s++;
		if (strncmp(s, key, kl) || s[kl] != '=')
			continue;
		s += kl + 1;
		s[strcspn(s, "\r\n")] = '\0';
		size_t l = strlen(s);
		if (l >= 2 && (s[0] == '"' || s[0] == '\'') && s[l - 1] == s[0]) {
			s[l - 1] = '\0';
			s++;
		}
		snprintf(out, n, "%s", s);
		found = 1;
	}
	fclose(f);
	return found;
}

/* Whether a process whose comm is `name` runs (under root/proc). */
static int process_running(const char *root, const char *name)
{
	char p[PATH_LEN];
	path_in(p, sizeof(p), root, "/proc");
	DIR *d = opendir(p);
	if (!d)
		return 0;
	struct dirent *de;
	int found = 0;
	while (!found && (de = readdir(d))) {
		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		char rel[300], comm[64];
		snprintf(rel, sizeof(rel), "/proc/%s/comm", de->d_name);
		read_line(root, rel, comm, sizeof(comm));
		found = !strcmp(comm, name);
	}
	closedir(d);
	return found;
}

/* Run a tool from $PATH (no shell) and capture its standard output; NULL if absent or failed. */
static char *run_tool(const char *tool, char *const argv[])
{
	int fds[2];
	if (pipe(fds))
		return NULL;
	pid_t pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return NULL;
	}
	if (pid == 0) {
		dup2(fds[1], 1);
		close(fds[0]);
		close(fds[1]);
		int devnull = open("/dev/null", O_WRONLY);
		if (devnull >= 0)
			dup2(devnull, 2);
		execvp(tool, argv);
		_exit(127);
	}
	close(fds[1]);
	size_t len = 0, cap = 65536;
	char *buf = malloc(cap + 1);
	ssize_t n = 0;
	while (buf && (n = read(fds[0], buf + len, cap - len)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		len += (size_t)n;
		if (len == cap) {
			if (cap >= TOOL_OUTPUT_MAX)
				break;
			char *nb = realloc(buf, 2 * cap + 1);
			if (!nb)
				break;
			buf = nb;
			cap *= 2;
		}
	}
	close(fds[0]);
	int status = 0;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!buf || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		free(buf);
		return NULL;
	}
	buf[len] = '\0';
	return buf;
}

/* nftables: on when some chain hooks input or forward with a drop policy or any rule. */
static int nft_state(rq_firewall *fw)
{
	char *argv[] = { "nft", "list", "ruleset", NULL };
	char *out = run_tool("nft", argv);
	if (!out)
		return 0;
	int hooks = 0, filtering = 0;
	for (char *line = strtok(out, "\n"); line; line = strtok(NULL, "\n")) {
		if (strstr(line, "hook input") || strstr(line, "hook forward")) {
			hooks++;
			if (strstr(line, "policy drop") || strstr(line, "policy reject"))
				filtering = 1;
		} else if (hooks && (strstr(line, " drop") || strstr(line, " reject") ||
				     strstr(line, " accept"))) {
			filtering = 1;
		}
	}
	free(out);
	snprintf(fw->source, sizeof(fw->source), "nftables");
	fw->state = filtering ? RQ_FW_ON : RQ_FW_OFF;
	snprintf(fw->reason, sizeof(fw->reason), "%s", filtering ? "nftables filters incoming traffic"
				 : hooks ? "nftables chains accept everything" : "no nftables input chain");
	return 1;
}

/* iptables: on when INPUT drops by policy or has rules. */
static int iptables_state(rq_firewall *fw)
{
	char *argv[] = { "iptables", "-S", "INPUT", NULL };
	char *out = run_tool("iptables", argv);
	if (!out)
		return 0;
	int policy_drop = strstr(out, "-P INPUT DROP") || strstr(out, "-P INPUT REJECT");
	int rules = strstr(out, "-A INPUT") != NULL;
	free(out);
	snprintf(fw->source, sizeof(fw->source), "iptables");
	fw->state = policy_drop || rules ? RQ_FW_ON : RQ_FW_OFF;
	snprintf(fw->reason, sizeof(fw->reason), "%s",
		 policy_drop ? "iptables INPUT policy drops" : rules ? "iptables INPUT has rules"
								   : "iptables INPUT accepts everything");
	return 1;
}

void rq_firewall_read(const char *root, rq_firewall *fw)
{
	memset(fw, 0, sizeof(*fw));
	char v[64];
	if (conf_value(root, "/etc/ufw/ufw.conf", "ENABLED", v, sizeof(v))) {
		int on = !strcasecmp(v, "yes");
		fw->state = on ? RQ_FW_ON : RQ_FW_OFF;
		snprintf(fw->source, sizeof(fw->source), "ufw");
		snprintf(fw->reason, sizeof(fw->reason), "ufw %s in /etc/ufw/ufw.conf",
			 on ? "enabled" : "disabled");
		if (on)
			return; /* else another firewall may still be on */
	}
	if (process_running(root, "firewalld")) {
		fw->state = RQ_FW_ON;
		snprintf(fw->source, sizeof(fw->source), "firewalld");
		snprintf(fw->reason, sizeof(fw->reason), "firewalld is running");
		return;
	}
	rq_firewall tool = { 0 };
	if (nft_state(&tool) || iptables_state(&tool)) {
		if (tool.state == RQ_FW_ON || fw->state == RQ_FW_UNKNOWN)
			*fw = tool;
		return;
	}
	if (fw->state == RQ_FW_UNKNOWN)
		snprintf(fw->reason, sizeof(fw->reason), "no firewall found (ufw, firewalld, nft, iptables)");
}

const char *rq_fw_state_name(rq_fw_state s)
{
	return s == RQ_FW_ON ? "on" : s == RQ_FW_OFF ? "off" : "unknown";
}

static json_t *interfaces(const char *root)
{
	json_t *list = json_array();
	struct ifaddrs *ifa = NULL;
	if (!list || getifaddrs(&ifa))
		return list;
	for (struct ifaddrs *i = ifa; i; i = i->ifa_next) {
		if (!i->ifa_name || (i->ifa_flags & IFF_LOOPBACK))
			continue;
		json_t *entry = NULL;
		size_t k;
		json_t *e;
		json_array_foreach(list, k, e) if (!strcmp(json_string_value(json_object_get(e, "name")), i->ifa_name))
			entry = e;
		if (!entry) {
			char rel[300], mac[32];
			snprintf(rel, sizeof(rel), "/sys/class/net/%s/address", i->ifa_name);
			read_line(root, rel, mac, sizeof(mac));
			entry = json_pack("{s:s, s:s, s:[]}", "name", i->ifa_name, "mac", mac, "addresses");
			if (!entry || json_array_append_new(list, entry))
				continue;
		}
		char text[INET6_ADDRSTRLEN] = "";
		if (i->ifa_addr && i->ifa_addr->sa_family == AF_INET)
			inet_ntop(AF_INET, &((struct sockaddr_in *)i->ifa_addr)->sin_addr, text, sizeof(text));
		else if (i->ifa_addr && i->ifa_addr->sa_family == AF_INET6)
			inet_ntop(AF_INET6, &((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr, text, sizeof(text));
		if (*text)
			json_array_append_new(json_object_get(entry, "addresses"), json_string(text));
	}
	freeifaddrs(ifa);
	return list;
}

json_t *rq_sysinfo_json(const char *root)
{
	struct utsname u;
	char host[256] = "", name[128], version[64], pretty[256], mid[64];
	if (uname(&u) == 0)
		snprintf(host, sizeof(host), "%s", u.nodename);
	conf_value(root, "/etc/os-release", "NAME", name, sizeof(name));
	conf_value(root, "/etc/os-release", "VERSION_ID", version, sizeof(version));
	conf_value(root, "/etc/os-release", "PRETTY_NAME", pretty, sizeof(pretty));
	read_line(root, "/etc/machine-id", mid, sizeof(mid));
	rq_firewall fw;
	rq_firewall_read(root, &fw);
	return json_pack("{s:s, s:{s:s, s:s, s:s}, s:s, s:s, s:o, s:{s:s, s:s, s:s}}",
			 "hostname", host, "os", "name", name, "version", version, "pretty", pretty,
			 "kernel", uname(&u) == 0 ? u.release : "", "machine_id", mid,
			 "interfaces", interfaces(root),
			 "firewall", "state", rq_fw_state_name(fw.state), "source", fw.source,
			 "reason", fw.reason);
}
