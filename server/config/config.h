/*
 * raquet-server's configuration: an INI file ([server], [store], [mirror],
 * [auth], [report], [log], [ncsc], [sharing],
 * [intel], [taxii-pull NAME], [upstream], [smtp], [reminders])
 * and command-line flags that override it. The keys are one table (name,
 * type, default, bounds, doc line) that the parser, --help and the test of
 * docs/server.md all read; errors name the file and line (or the flag).
 */
#ifndef RQ_SERVER_CONFIG_H
#define RQ_SERVER_CONFIG_H

#include <stddef.h>

enum rq_log_level { RQ_LOG_ERROR = 0, RQ_LOG_WARNING, RQ_LOG_INFO, RQ_LOG_DEBUG };

/* Days before a deadline a reminder is sent on, at most this many. */
#define RQ_REMINDER_DAYS_MAX 8

/* Default config file, read when it exists and no --config is given. */
#define RQ_SRV_DEFAULT_CONFIG "/etc/raquet-server/raquet-server.conf"

/*
 * One [taxii-pull NAME] section: a TAXII 2.1 collection the server pulls
 * indicators from (server/intel/taxii_pull.c, docs/intel.md). The token
 * and password are secrets: they go into the Authorization header only,
 * never into a log line, an error or an API answer.
 */
typedef struct rq_taxii_pull_cfg {
	char name[65];           /* NAME: the indicators' source name */
	char *url;               /* the API root (https://; http:// to a loopback address only) */
	char *collection;        /* the collection's id */
	char *token;             /* bearer token; "": none */
	char *user, *password;   /* HTTP Basic; "": none */
	char *ca_file;           /* CA certificates (PEM) of the server; "": the system's */
	unsigned long long interval; /* seconds from one scheduled pull to the next */
	unsigned long long timeout;  /* seconds one page request may take */
	long long max_age;       /* seconds an indicator without valid_until is kept; -1: [intel] max_age */
	unsigned page_size;      /* objects asked for per page (limit) */
	int confidence;          /* 0..100 for every indicator; -1: the objects' own */
	int enabled;
	unsigned seen;           /* keys set in the file (bit per key) */
	char *origin;            /* "file:line" of the section header */
} rq_taxii_pull_cfg;

/* Sections [taxii-pull NAME] in one file at most. */
#define RQ_TAXII_PULL_MAX_SOURCES 32

typedef struct rq_srv_config {
	/* [server] */
	char *listen;            /* "ADDR:PORT" or "[V6ADDR]:PORT" as written */
	char listen_addr[64];    /* numeric address parsed from `listen` */
	unsigned port;           /* 0 = any free port (tests) */
	char *tls_cert;          /* PEM certificate chain path */
	char *tls_key;           /* PEM private key path */
	int plain_http;          /* serve plain HTTP (loopback only) */
	unsigned threads;        /* 0 = one per CPU */
	unsigned conn_timeout;   /* seconds an idle connection is kept */
	unsigned request_timeout;/* seconds for a whole request */
	unsigned long long body_limit; /* bytes of one request body */
	unsigned max_connections;
	/* [store] */
	char *store_url;         /* sqlite:PATH or postgresql://... */
	/* [mirror] */
	char *mirror_dir;        /* folder served at /mirror/, "" for none */
	char *mirror_keys_dir;   /* public keys handed to agents, "" for none */
	struct rq_mirror_keys *mirror_keys; /* loaded from it by rq_srv_config_load_keys; NULL: none */
	/* [auth] */
	unsigned long long session_idle; /* seconds a session may go unused */
	unsigned long long session_max;  /* seconds a session lasts at most */
	/* [report] */
	char *report_agency;     /* named at the top of every report file */
	char *report_schedule;   /* "monthly", "weekly" or "off" */
	/* [ncsc]: reports to the national monitoring centre (docs/ncsc.md) */
	char *ncsc_url;          /* the centre's HTTPS endpoint; "": reporting off */
	char *ncsc_organ_id;     /* agency code 000.00.00.XXX ("" until set) */
	char *ncsc_organ_name, *ncsc_address, *ncsc_email, *ncsc_telephone, *ncsc_fax, *ncsc_website;
	char *ncsc_product;      /* AVReport @name */
	char *ncsc_sign_cert;    /* the agency's X.509 certificate (PEM) that signs */
	char *ncsc_sign_key;     /* its RSA private key (PEM) */
	char *ncsc_client_cert;  /* TLS client certificate for the centre ("": none) */
	char *ncsc_client_key;
	char *ncsc_ca_file;      /* CA of the centre's HTTPS certificate ("": system CAs) */
	char *ncsc_schedule;     /* "off" or "daily HH:MM" as written */
	int ncsc_daily_minute;   /* parsed from it: minute of the day (local time), -1 off */
	unsigned long long ncsc_period;     /* seconds of detections/connections a report covers */
	unsigned long long ncsc_timeout;    /* seconds one delivery may take */
	unsigned long long ncsc_retry_base; /* first retry delay, doubled each attempt */
	unsigned ncsc_max_attempts;         /* then the submission is failed */
	/* [sharing]: STIX/TAXII/MISP exports (docs/sharing.md) */
	int sharing_unit_identities; /* sightings per unit, units named */
	int sharing_file_names;      /* file names (never folders) in MISP exports */
	/* [intel]: indicators compiled into a signature database (docs/intel.md) */
	char *intel_signing_key; /* Ed25519 private key (raquet db keygen); "": not published */
	char *intel_database;    /* name of the database compiled ("daily") */
	unsigned long long intel_publish_interval; /* seconds between two publishes at least */
	unsigned long long intel_max_age; /* seconds an imported indicator without an expiry of its own is
					   * kept; 0: for ever */
	/* [taxii-pull NAME] sections */
	rq_taxii_pull_cfg *taxii_pulls;
	size_t taxii_pull_count;
	/* [upstream]: the national (or regional) tier this server reports to (docs/tier.md) */
	char *upstream_url;             /* "": no upstream */
	char *upstream_credential_file; /* the credential it issued (rqd_...), read at each delivery */
	char *upstream_ca_file;         /* CA of its HTTPS certificate ("": system CAs) */
	char *upstream_keys_dir;        /* its mirror's public keys ("": no databases taken) */
	char *upstream_databases_dir;   /* its databases, verified, kept here */
	unsigned long long upstream_interval;   /* seconds between two reports queued */
	unsigned long long upstream_retry_base; /* first retry delay, doubled each attempt */
	unsigned long long upstream_timeout;    /* seconds one delivery may take */
	/* [smtp]: the mail server reminders are sent through (docs/campaigns.md) */
	char *smtp_url;          /* smtp://HOST[:PORT] or smtps://...; "": no e-mail */
	int smtp_starttls;       /* smtp://: STARTTLS required (no: plain, loopback only with a password) */
	char *smtp_user, *smtp_password; /* "": no authentication; the password is never logged */
	char *smtp_from;         /* the sender's address */
	char *smtp_from_name;    /* its display name (UTF-8) */
	char *smtp_ca_file;      /* CA of the server's TLS certificate ("": system CAs) */
	unsigned long long smtp_timeout;    /* seconds one delivery may take */
	unsigned long long smtp_retry_base; /* first retry delay, doubled each attempt */
	unsigned smtp_max_attempts;         /* then the mail is failed */
	/* [reminders]: when reminders are made (docs/campaigns.md) */
	char *reminders_before;  /* "7,1,0" as written */
	int reminder_days[RQ_REMINDER_DAYS_MAX]; /* parsed from it, descending */
	unsigned reminder_day_count;
	unsigned reminders_overdue_every; /* days between reminders while overdue */
	unsigned reminders_hour;  /* the province's hour a reminder day's mails are made from */
	unsigned long long reminders_interval; /* seconds between two checks */
	char *reminders_dashboard_url;   /* linked from the mails ("": no link) */
	/* [log] */
	int log_level;           /* enum rq_log_level */
	int log_syslog;
	/* flags only */
	char *config_path;       /* file read, NULL if none */
	int foreground;
	int check_config;
	/* where each key was last set: "file:line" or "--flag", for errors
	 * found after parsing (indexed like the key table) */
	char *origin[96];
} rq_srv_config;

/* One key of the table. */
typedef struct rq_srv_config_key {
	const char *section;     /* "server", "store", "log" */
	const char *name;        /* "listen" */
	const char *flag;        /* "--listen" or NULL when the file only */
	const char *default_text;/* the default as written in the file */
	const char *doc;         /* one line for --help and docs/server.md */
	int type;                /* value syntax (config.c) */
	size_t offset;           /* field of rq_srv_config */
	unsigned long long min, max; /* bounds of numbers */
} rq_srv_config_key;

/* The key table and its length (static, never freed). */
const rq_srv_config_key *rq_srv_config_keys(size_t *count);
/* The keys of a [taxii-pull NAME] section (offsets into rq_taxii_pull_cfg). */
const rq_srv_config_key *rq_srv_config_taxii_pull_keys(size_t *count);
/* The [taxii-pull] section called `name`, or NULL. */
const rq_taxii_pull_cfg *rq_srv_config_taxii_pull(const rq_srv_config *cfg, const char *name);

/* Fill `cfg` with the defaults. Free with rq_srv_config_free. */
int rq_srv_config_init(rq_srv_config *cfg);

/* Free what `cfg` owns (not cfg itself); NULL is a no-op. */
void rq_srv_config_free(rq_srv_config *cfg);

/*
 * Read an INI text. `name` labels errors ("FILE:LINE: reason"). Unknown
 * sections and keys, keys outside a section, duplicates, malformed lines
 * and values out of bounds are errors (RQ_EPARSE).
 */
int rq_srv_config_parse(rq_srv_config *cfg, const char *name, const char *text, size_t len);

/* Read the file at `path` (RQ_EIO if unreadable), as rq_srv_config_parse. */
int rq_srv_config_load(rq_srv_config *cfg, const char *path);

/*
 * The whole start-up sequence: defaults, then the config file (--config
 * FILE, else RQ_SRV_DEFAULT_CONFIG when it exists), then the flags of
 * argv[first..argc-1] over it, then rq_srv_config_check and
 * rq_srv_config_load_keys. RQ_EPARSE/RQ_EINVAL
 * with a "file:line: reason" or "--flag: reason" message on error.
 * Sets *help_out when --help was given (and does not check then).
 */
int rq_srv_config_from_args(rq_srv_config *cfg, int argc, char **argv, int first, int *help_out);

/*
 * Load [mirror] keys into cfg->mirror_keys (config/mirror_keys.h; freed
 * with the configuration); nothing when the key is empty. Errors are
 * reported at the line or flag that set it. rq_srv_config_from_args calls
 * it after rq_srv_config_check.
 */
int rq_srv_config_load_keys(rq_srv_config *cfg);

/*
 * Rules across keys, reported at the line that set the offending key:
 * plain HTTP only on loopback, TLS certificate and key present and
 * readable unless plain HTTP, a store URL of a known kind.
 */
int rq_srv_config_check(const rq_srv_config *cfg);

/*
 * The [ncsc] rules, reported at the line that set the key: with
 * `need_url` (or when url is set) the url, organ_id and organ_name are
 * present; the signing certificate and key are readable PEM files that
 * belong together; a client certificate comes with its key; the CA file
 * is readable; a schedule needs a url. rq_srv_config_check calls it with
 * need_url 0; `raquet-server ncsc report --dry-run` too.
 */
int rq_srv_config_check_ncsc(const rq_srv_config *cfg, int need_url);

/*
 * The [intel] rules: a signing key needs [mirror] dir and must be a
 * readable Ed25519 private key; the database name is a valid one; each
 * [taxii-pull] ca_file is a readable PEM certificate.
 * rq_srv_config_check calls it.
 */
int rq_srv_config_check_intel(const rq_srv_config *cfg);

/*
 * The [upstream] rules: a url needs a credential_file holding a
 * downstream credential (rqd_...), and a credential_file needs a url; the
 * CA file is readable; keys (the databases taken from the upstream) need
 * [mirror] dir and [intel] signing_key and hold a public key.
 * rq_srv_config_check calls it.
 */
int rq_srv_config_check_upstream(const rq_srv_config *cfg);

/* The prefix of the credentials an upstream issues to downstream servers. */
#define RQ_TIER_TOKEN_PREFIX "rqd"

/*
 * The [smtp] rules: with a url, the From address is a valid address, the
 * CA file is readable, user and password come together, and a password
 * never crosses a network in clear (smtp:// without STARTTLS only to a
 * loopback address). rq_srv_config_check calls it.
 */
int rq_srv_config_check_smtp(const rq_srv_config *cfg);

/* 1 when `addr` (numeric IPv4/IPv6, or "localhost") is a loopback address. */
int rq_srv_addr_is_loopback(const char *addr);

/* Split "ADDR:PORT" / "[V6]:PORT" into a numeric address and port. */
int rq_srv_parse_listen(const char *text, char *addr, size_t addr_size, unsigned *port);

/* Print the flags and keys with their defaults (for --help). */
void rq_srv_config_usage(void *file);

/* "error", "warning", "info", "debug". */
const char *rq_srv_log_level_name(int level);

#endif
