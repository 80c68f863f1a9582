/*
 * The agent's configuration file, /etc/raquet/agent.conf (INI): what it
 * holds, its defaults and bounds, all in one table (config.c) that the
 * documentation (docs/agent.md, "Configuration") is checked against.
 */
#ifndef RQ_AGENT_CONFIG_H
#define RQ_AGENT_CONFIG_H

#include <limits.h>
#include <stddef.h>

#include "agent_limits.h"

enum rq_agent_log_level { RQ_ALOG_ERROR, RQ_ALOG_WARN, RQ_ALOG_INFO, RQ_ALOG_DEBUG };
enum rq_agent_ionice { RQ_IONICE_NONE, RQ_IONICE_IDLE, RQ_IONICE_BEST_EFFORT };

typedef struct rq_agent_config {
	/* [server] */
	char server_url[RQ_AGENT_MAX_URL]; /* "" : the enrolled one (agent.json) */
	char ca_file[PATH_MAX];            /* "" : the one stored at enrollment */
	/* [agent] */
	char state_dir[PATH_MAX];
	char db_dir[PATH_MAX];             /* "" : STATE_DIR/sigs */
	char kind[16];                     /* "server", "workstation", "other" or "" */
	long heartbeat_interval;           /* seconds; the server's policy overrides it */
	int heartbeat_fixed;               /* ...unless this is set */
	long nice;
	int ionice;                        /* enum rq_agent_ionice */
	long ionice_level;
	char vault_dir[PATH_MAX];          /* "" : STATE_DIR/quarantine */
	char scanner[PATH_MAX];            /* "" : found beside raquetd */
	int scheduled_scans;               /* 0: the policy's schedule is not run here */
	/* [realtime] */
	int realtime_enabled;              /* 0: off here whatever the policy says */
	char realtime_paths[1024];
	int realtime_whole_mounts;
	/* [netwatch] */
	long netwatch_interval;            /* seconds; 0: off */
	/* [update] */
	char update_mirror[PATH_MAX];      /* URL or folder; "" : the server's URL + "/mirror" */
	char trusted_keys[PATH_MAX];       /* "" : rq_keyring_default_dir() */
	/* [log] */
	int log_level;                     /* enum rq_agent_log_level */
	int log_syslog;
} rq_agent_config;

/* The defaults (no file). */
void rq_agent_config_defaults(rq_agent_config *cfg);

/*
 * Read `path` over the defaults. A missing file is RQ_ENOTFOUND (the caller
 * decides whether that is fine: it is for the default path). A bad line is
 * RQ_EPARSE with "FILE:LINE: why" as the last error; nothing is half-applied.
 */
int rq_agent_config_load(rq_agent_config *cfg, const char *path);

/* The documented keys, "section.key" in table order; NULL past the end (for the docs check). */
const char *rq_agent_config_key(size_t i);

/* The database folder in effect: db_dir, or STATE_DIR/sigs. */
const char *rq_agent_config_db_dir(const rq_agent_config *cfg, char *buf, size_t size);

/* The quarantine vault folder in effect: vault_dir, or STATE_DIR/quarantine. */
const char *rq_agent_config_vault_dir(const rq_agent_config *cfg, char *buf, size_t size);

/*
 * The trusted keys folder in effect: trusted_keys, or the engine's default
 * ($RAQUET_KEYS, else /etc/raquet/keys), so that the databases the updater
 * accepts are the ones a scan will load. Borrowed from cfg or the
 * environment: copy it before changing either.
 */
const char *rq_agent_config_keys_dir(const rq_agent_config *cfg);

#endif
