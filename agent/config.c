/*
 * Reading /etc/raquet/agent.conf (config.h): one table of keys -- section,
 * name, type, default, bounds, doc line -- drives the defaults, the parser
 * and the documentation check. Lines are "key = value" under "[section]";
 * '#' and ';' start comments. Unknown keys and bad values are errors.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/error.h"
#include "core/util.h"
#include "db/sign.h"

typedef enum { T_STRING, T_LONG, T_BOOL, T_ENUM } key_type;

typedef struct key_spec {
	const char *section, *name;
	key_type type;
	size_t offset, size;      /* field in rq_agent_config; size for strings */
	const char *def;          /* default, as it would be written in the file */
	long min, max;            /* T_LONG bounds */
	const char *const *words; /* T_ENUM: the accepted words, index = value */
	const char *doc;
} key_spec;

#define STR(sec, key, field, def, doc) \
	{ sec, key, T_STRING, offsetof(rq_agent_config, field), sizeof(((rq_agent_config *)0)->field), def, 0, 0, NULL, doc }
#define NUM(sec, key, field, def, lo, hi, doc) \
	{ sec, key, T_LONG, offsetof(rq_agent_config, field), 0, def, lo, hi, NULL, doc }
#define ENUM(sec, key, field, def, words, doc) \
	{ sec, key, T_ENUM, offsetof(rq_agent_config, field), 0, def, 0, 0, words, doc }
#define BOOL(sec, key, field, def, doc) \
	{ sec, key, T_BOOL, offsetof(rq_agent_config, field), 0, def, 0, 0, NULL, doc }

#define XSTR(x) STR_(x)
#define STR_(x) #x

static const char *const log_words[] = { "error", "warn", "info", "debug", NULL };
static const char *const ionice_words[] = { "none", "idle", "best-effort", NULL };

static const key_spec keys[] = {
	STR("server", "url", server_url, "", "server URL (https://host:port); set by enrollment"),
	STR("server", "ca_file", ca_file, "", "CA certificate the server's must chain to; set by enrollment"),
	STR("agent", "state_dir", state_dir, RQ_AGENT_DEFAULT_STATE_DIR, "enrollment, outbox, tasks, status"),
	STR("agent", "db_dir", db_dir, "", "signature databases (default STATE_DIR/sigs)"),
	STR("agent", "kind", kind, "", "server, workstation or other (reported at enrollment)"),
	NUM("agent", "heartbeat_interval", heartbeat_interval, XSTR(RQ_AGENT_DEFAULT_HEARTBEAT),
	    RQ_AGENT_MIN_HEARTBEAT, RQ_AGENT_MAX_HEARTBEAT, "seconds between heartbeats until the policy sets it"),
	BOOL("agent", "heartbeat_fixed", heartbeat_fixed, "no",
	     "yes: keep heartbeat_interval even when the policy sets another (troubleshooting, tests)"),
	NUM("agent", "nice", nice, XSTR(RQ_AGENT_DEFAULT_NICE), 0, 19, "CPU priority of the agent and its scans"),
	ENUM("agent", "ionice", ionice, "best-effort", ionice_words, "I/O class: none, idle or best-effort"),
	NUM("agent", "ionice_level", ionice_level, XSTR(RQ_AGENT_DEFAULT_IONICE_LEVEL), 0, 7,
	    "best-effort level, 7 the lowest"),
	STR("agent", "vault_dir", vault_dir, "",
	    "quarantine vault of the agent's actions (default STATE_DIR/quarantine, where raquet quarantine looks)"),
	STR("agent", "scanner", scanner, "",
	    "the raquet program scans run (default: beside raquetd, else " RQ_AGENT_DEFAULT_SCANNER ")"),
	BOOL("agent", "scheduled_scans", scheduled_scans, "yes",
	     "no: this machine runs none of the policy's scheduled scans (the server's scan tasks still run)"),
	BOOL("realtime", "enabled", realtime_enabled, "yes",
	     "no: real-time protection stays off on this machine, whatever the policy says"),
	STR("realtime", "paths", realtime_paths, "/",
	    "file systems watched, separated by spaces or commas (each path's whole file system)"),
	BOOL("realtime", "whole_mounts", realtime_whole_mounts, "yes",
	     "no: watch only the files directly in each path (tests, troubleshooting)"),
	NUM("netwatch", "interval", netwatch_interval, XSTR(RQ_AGENT_NETWATCH_INTERVAL), 0, 86400,
	    "seconds between looks at the connections to malicious addresses; 0: off"),
	STR("update", "mirror", update_mirror, "",
	    "signature mirror, URL or folder (default: the server's URL + /mirror)"),
	STR("update", "trusted_keys", trusted_keys, "",
	    "public keys (*.pub) databases must be signed by (default $RAQUET_KEYS, else /etc/raquet/keys)"),
	ENUM("log", "level", log_level, "info", log_words, "error, warn, info or debug"),
	BOOL("log", "syslog", log_syslog, "no", "also log to syslog (daemon facility)"),
};
#define NKEYS (sizeof(keys) / sizeof(keys[0]))

const char *rq_agent_config_key(size_t i)
{
	static char names[NKEYS][48];
	if (i >= NKEYS)
		return NULL;
	snprintf(names[i], sizeof(names[i]), "%s.%s", keys[i].section, keys[i].name);
	return names[i];
}

/* Store `value` into the field of `k`; 0, or -1 with `why` filled. */
static int set_value(rq_agent_config *cfg, const key_spec *k, const char *value, char *why, size_t wsize)
{
	char *field = (char *)cfg + k->offset;
	switch (k->type) {
	case T_STRING:
		if (strlen(value) >= k->size) {
			snprintf(why, wsize, "%s: longer than %zu characters", k->name, k->size - 1);
			return -1;
		}
		memcpy(field, value, strlen(value) + 1);
		return 0;
	case T_LONG: {
		char *end = NULL;
		errno = 0;
		long v = strtol(value, &end, 10);
		if (!*value || *end || errno || v < k->min || v > k->max) {
			snprintf(why, wsize, "%s: expected a whole number from %ld to %ld, got '%s'", k->name,
				 k->min, k->max, value);
			return -1;
		}
		*(long *)(void *)field = v;
		return 0;
	}
	case T_BOOL:
		if (!strcmp(value, "yes") || !strcmp(value, "true") || !strcmp(value, "on") || !strcmp(value, "1"))
			*(int *)(void *)field = 1;
		else if (!strcmp(value, "no") || !strcmp(value, "false") || !strcmp(value, "off") || !strcmp(value, "0"))
			*(int *)(void *)field = 0;
		else {
			snprintf(why, wsize, "%s: expected yes or no, got '%s'", k->name, value);
			return -1;
		}
		return 0;
	case T_ENUM:
		for (int i = 0; k->words[i]; i++)
			if (!strcmp(value, k->words[i])) {
				*(int *)(void *)field = i;
				return 0;
			}
		snprintf(why, wsize, "%s: '%s' is not one of the accepted words (see docs/agent.md)", k->name, value);
		return -1;
	}
	return -1;
}

void rq_agent_config_defaults(rq_agent_config *cfg)
{
	char why[200];
	memset(cfg, 0, sizeof(*cfg));
	for (size_t i = 0; i < NKEYS; i++)
		set_value(cfg, &keys[i], keys[i].def, why, sizeof(why)); /* the table's defaults are valid */
}

/* One line; 0, or RQ_EPARSE raised with "path:line: why". */
static int parse_line(rq_agent_config *cfg, const char *path, unsigned lineno, char *line, char *section,
		      size_t secsize)
{
	char why[400];
	char *s = rq_trim_blanks(line);
	if (!*s || *s == '#' || *s == ';')
		return 0;
	if (*s == '[') {
		char *close = strchr(s, ']');
		if (!close || *rq_trim_blanks(close + 1))
			return rq_fail(RQ_EPARSE, "%s:%u: a section header is '[name]'", path, lineno);
		*close = '\0';
		const char *name = rq_trim_blanks(s + 1);
		for (size_t i = 0; i < NKEYS; i++)
			if (!strcmp(keys[i].section, name)) {
				snprintf(section, secsize, "%s", name);
				return 0;
			}
		return rq_fail(RQ_EPARSE, "%s:%u: unknown section [%s] (server, agent, realtime, netwatch, update, log)", path, lineno, name);
	}
	char *eq = strchr(s, '=');
	if (!eq)
		return rq_fail(RQ_EPARSE, "%s:%u: expected 'key = value'", path, lineno);
	*eq = '\0';
	const char *key = rq_trim_blanks(s);
	char *value = rq_trim_blanks(eq + 1);
	size_t vl = strlen(value);
	if (vl >= 2 && value[0] == '"' && value[vl - 1] == '"') { /* "quoted" keeps spaces */
		value[vl - 1] = '\0';
		value++;
	}
	if (!*section)
		return rq_fail(RQ_EPARSE, "%s:%u: '%s' is outside any [section]", path, lineno, key);
	for (size_t i = 0; i < NKEYS; i++) {
		if (strcmp(keys[i].section, section) || strcmp(keys[i].name, key))
			continue;
		if (set_value(cfg, &keys[i], value, why, sizeof(why)))
			return rq_fail(RQ_EPARSE, "%s:%u: %s", path, lineno, why);
		return 0;
	}
	return rq_fail(RQ_EPARSE, "%s:%u: unknown key '%s' in [%s]", path, lineno, key, section);
}

int rq_agent_config_load(rq_agent_config *cfg, const char *path)
{
	uint8_t *data = NULL;
	size_t len = 0;
	char *line = NULL;
	rq_agent_config next = *cfg;
	struct stat st;
	int rc;
	if (stat(path, &st) && errno == ENOENT) {
		rc = rq_fail(RQ_ENOTFOUND, "%s: no such file", path);
		goto done;
	}
	if ((rc = rq_read_file(path, RQ_AGENT_MAX_CONFIG_FILE, &data, &len)))
		goto done;
	if (!(line = malloc(RQ_AGENT_MAX_CONFIG_LINE + 1))) {
		rc = rq_fail(RQ_ENOMEM, "%s: out of memory", path);
		goto done;
	}
	char section[32] = "";
	rq_lines it;
	const char *l;
	size_t ll;
	rq_lines_init(&it, data, len);
	while (rq_lines_next(&it, &l, &ll)) {
		if (ll > RQ_AGENT_MAX_CONFIG_LINE || memchr(l, '\0', ll)) {
			rc = rq_fail(RQ_EPARSE, "%s:%u: line too long or not text", path, it.lineno);
			goto done;
		}
		memcpy(line, l, ll);
		line[ll] = '\0';
		if ((rc = parse_line(&next, path, it.lineno, line, section, sizeof(section))))
			goto done;
	}
	if (!next.state_dir[0]) {
		rc = rq_fail(RQ_EPARSE, "%s: agent.state_dir must not be empty", path);
		goto done;
	}
	*cfg = next;
done:
	free(line);
	free(data);
	return rc;
}

/* A folder setting in effect: `set`, or STATE_DIR/`sub` when it is empty. */
static const char *state_subdir(const rq_agent_config *cfg, const char *set, const char *sub, char *buf,
				size_t size)
{
	if (set[0])
		snprintf(buf, size, "%s", set);
	else
		snprintf(buf, size, "%s/%s", cfg->state_dir, sub);
	return buf;
}

const char *rq_agent_config_db_dir(const rq_agent_config *cfg, char *buf, size_t size)
{
	return state_subdir(cfg, cfg->db_dir, "sigs", buf, size);
}

const char *rq_agent_config_vault_dir(const rq_agent_config *cfg, char *buf, size_t size)
{
	return state_subdir(cfg, cfg->vault_dir, "quarantine", buf, size);
}

const char *rq_agent_config_keys_dir(const rq_agent_config *cfg)
{
	return cfg->trusted_keys[0] ? cfg->trusted_keys : rq_keyring_default_dir();
}
