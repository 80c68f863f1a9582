/*
 * What the agent tells the server about its machine in each heartbeat:
 * host name, operating system (os-release), kernel, machine id, the
 * network addresses and hardware (MAC) addresses of its interfaces, and
 * whether a host firewall is on (ufw, firewalld, nftables or iptables).
 */
#ifndef RQ_AGENT_SYSINFO_H
#define RQ_AGENT_SYSINFO_H

#include <jansson.h>

/* Firewall state as read from the machine. */
typedef enum rq_fw_state { RQ_FW_UNKNOWN = 0, RQ_FW_OFF, RQ_FW_ON } rq_fw_state;

typedef struct rq_firewall {
	rq_fw_state state;
	char source[16];   /* "ufw", "firewalld", "nftables", "iptables", "" */
	char reason[160];  /* one line: why this state */
} rq_firewall;

/*
 * Read the firewall state. `root` prefixes the files read ("/" for the
 * machine; tests use a fake root); the tools (nft, iptables) are looked
 * up in $PATH and run without a shell, their output bounded.
 */
void rq_firewall_read(const char *root, rq_firewall *fw);
const char *rq_fw_state_name(rq_fw_state s); /* "unknown", "off", "on" */

/*
 * The machine facts as a JSON object: {"hostname", "os": {"name",
 * "version", "pretty"}, "kernel", "machine_id", "interfaces": [{"name",
 * "mac", "addresses": [...]}], "firewall": {"state", "source", "reason"}}.
 * Loopback is left out. NULL on out-of-memory.
 */
json_t *rq_sysinfo_json(const char *root);

#endif
