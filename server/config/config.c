/*
 * Parses raquet-server's INI configuration and command-line flags into an
 * rq_srv_config, driven by one key table (see config.h), and checks the
 * rules across keys (plain HTTP only on loopback, TLS files usable), and
 * loads the mirror's public keys ([mirror] keys, mirror_keys.h).
 */
#include "config/config.h"
#include "config/limits.h"
#include "config/mirror_keys.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "core/error.h"
#include "core/util.h"
#include "db/rqdb.h"
#include "db/sign.h"
#include "auth/token.h"
#include "mail/address.h"

/* T_PERIODIC: monthly, weekly or off; T_DAILY: off or daily HH:MM */
/* T_PULL_URL: https://, or http:// to a loopback address; T_CONFIDENCE: "" (-1) or 0..100;
 * T_OPT_DURATION: "" (-1) or a duration within the bounds */
enum { T_STR, T_LISTEN, T_BOOL, T_UINT, T_SIZE, T_LEVEL, T_STORE, T_DURATION, T_PERIODIC, T_UTF8, T_ORGAN,
       T_DAILY, T_HTTPS, T_PULL_URL, T_CONFIDENCE, T_OPT_DURATION, T_SMTP, T_DAYLIST, T_WEBURL };

#define OFF(f) offsetof(rq_srv_config, f)

static const rq_srv_config_key keys[] = {
	{ "server", "listen", "--listen", "0.0.0.0:8443",
	  "address and port to listen on: ADDR:PORT or [IPV6]:PORT (port 0: any free port)",
	  T_LISTEN, OFF(listen), 0, 0 },
	{ "server", "tls_cert", "--tls-cert", "/etc/raquet-server/tls/server.crt",
	  "PEM certificate (chain) served over HTTPS", T_STR, OFF(tls_cert), 0, 0 },
	{ "server", "tls_key", "--tls-key", "/etc/raquet-server/tls/server.key",
	  "PEM private key of tls_cert (keep it mode 0600)", T_STR, OFF(tls_key), 0, 0 },
	{ "server", "plain_http", "--plain-http", "no",
	  "serve plain HTTP instead of HTTPS; refused unless listen is a loopback address",
	  T_BOOL, OFF(plain_http), 0, 1 },
	{ "server", "threads", NULL, "0",
	  "worker threads (0: 8 per CPU with SQLite, 2 per CPU with PostgreSQL)", T_UINT, OFF(threads), 0,
	  RQ_HTTP_MAX_THREADS },
	{ "server", "connection_timeout", NULL, "120",
	  "seconds an idle keep-alive connection is kept open",
	  T_UINT, OFF(conn_timeout), 1, RQ_HTTP_MAX_CONN_TIMEOUT },
	{ "server", "request_timeout", NULL, "60",
	  "seconds a request may take from its first byte to its last body byte (408 after)",
	  T_UINT, OFF(request_timeout), 1, RQ_HTTP_MAX_REQUEST_TIMEOUT },
	{ "server", "body_limit", NULL, "4M",
	  "largest request body in bytes (suffix K, M or G); larger bodies get 413",
	  T_SIZE, OFF(body_limit), RQ_HTTP_MIN_BODY_LIMIT, RQ_HTTP_MAX_BODY_LIMIT },
	{ "server", "max_connections", NULL, "4096",
	  "concurrent connections accepted", T_UINT, OFF(max_connections), 1,
	  RQ_HTTP_MAX_MAX_CONNECTIONS },
	{ "store", "url", "--store", "sqlite:/var/lib/raquet-server/raquet.sqlite",
	  "the store: sqlite:PATH or postgresql://USER@HOST/DB (libpq URI)",
	  T_STORE, OFF(store_url), 0, 0 },
	{ "mirror", "dir", "--mirror-dir", "",
	  "folder of the signature mirror (raquet mirror publish) served to agents at /mirror/FILE; "
	  "empty: no mirror", T_STR, OFF(mirror_dir), 0, 0 },
	{ "mirror", "keys", "--mirror-keys", "",
	  "folder of the public keys (*.pub) that sign the mirror, handed to agents at enrollment and when "
	  "they change; empty: none", T_STR, OFF(mirror_keys_dir), 0, 0 },
	{ "auth", "session_idle", "--session-idle", "8h",
	  "a dashboard session unused this long ends (suffix s, m, h or d; no suffix: seconds)",
	  T_DURATION, OFF(session_idle), 1, RQ_AUTH_MAX_SESSION },
	{ "auth", "session_max", "--session-max", "7d",
	  "any dashboard session ends this long after its login (suffix s, m, h or d)",
	  T_DURATION, OFF(session_max), 1, RQ_AUTH_MAX_SESSION },
	{ "report", "agency", NULL, "Sở Thông tin và Truyền thông",
	  "the agency named at the top of every report file (UTF-8)", T_UTF8, OFF(report_agency), 0, 0 },
	{ "report", "schedule", NULL, "monthly",
	  "make the provincial report of the previous period by itself: monthly (the previous calendar "
	  "month), weekly (the previous Monday-to-Sunday week) or off", T_PERIODIC, OFF(report_schedule), 0, 0 },
	{ "ncsc", "url", NULL, "",
	  "HTTPS endpoint of the national monitoring centre (NCSC) receiving AVReport documents; empty: "
	  "reporting off", T_HTTPS, OFF(ncsc_url), 0, 0 },
	{ "ncsc", "organ_id", NULL, "",
	  "the agency's code in the form 000.00.00.XXX (edXML OrganId)", T_ORGAN, OFF(ncsc_organ_id), 0, 0 },
	{ "ncsc", "organ_name", NULL, "", "the agency's name (UTF-8, e.g. Sở Thông tin và Truyền thông ...)",
	  T_UTF8, OFF(ncsc_organ_name), 0, 0 },
	{ "ncsc", "address", NULL, "", "the agency's postal address (OrganAdd)", T_UTF8, OFF(ncsc_address), 0, 0 },
	{ "ncsc", "email", NULL, "", "the agency's e-mail address", T_STR, OFF(ncsc_email), 0, 0 },
	{ "ncsc", "telephone", NULL, "", "the agency's telephone number", T_STR, OFF(ncsc_telephone), 0, 0 },
	{ "ncsc", "fax", NULL, "", "the agency's fax number", T_STR, OFF(ncsc_fax), 0, 0 },
	{ "ncsc", "website", NULL, "", "the agency's web site", T_STR, OFF(ncsc_website), 0, 0 },
	{ "ncsc", "product", NULL, "raquet", "product name reported (AVReport name attribute)", T_STR,
	  OFF(ncsc_product), 0, 0 },
	{ "ncsc", "sign_cert", NULL, "",
	  "the agency's X.509 certificate (PEM) whose RSA key signs every report (XML-DSig)", T_STR,
	  OFF(ncsc_sign_cert), 0, 0 },
	{ "ncsc", "sign_key", NULL, "", "the RSA private key (PEM) of sign_cert (keep it mode 0600)", T_STR,
	  OFF(ncsc_sign_key), 0, 0 },
	{ "ncsc", "client_cert", NULL, "",
	  "TLS client certificate (PEM) presented to the centre; empty: none", T_STR, OFF(ncsc_client_cert), 0, 0 },
	{ "ncsc", "client_key", NULL, "", "the private key (PEM) of client_cert", T_STR, OFF(ncsc_client_key), 0, 0 },
	{ "ncsc", "ca_file", NULL, "",
	  "CA certificate(s) (PEM) the centre's HTTPS certificate must chain to; empty: the system's CAs", T_STR,
	  OFF(ncsc_ca_file), 0, 0 },
	{ "ncsc", "schedule", NULL, "off",
	  "when a report is made and queued: off, or daily HH:MM (server's local time)", T_DAILY,
	  OFF(ncsc_schedule), 0, 0 },
	{ "ncsc", "period", NULL, "1d",
	  "detections and connections of this long before the report are included (active detections always)",
	  T_DURATION, OFF(ncsc_period), 3600, 366 * 86400ULL },
	{ "ncsc", "timeout", NULL, "60s", "longest time of one delivery (connect, send, answer)", T_DURATION,
	  OFF(ncsc_timeout), 1, 3600 },
	{ "ncsc", "retry_base", NULL, "5m",
	  "wait after the first failed delivery; doubled each attempt (at most 6h), with +-20% jitter",
	  T_DURATION, OFF(ncsc_retry_base), 1, 86400 },
	{ "ncsc", "max_attempts", NULL, "30",
	  "deliveries tried before a submission is marked failed", T_UINT, OFF(ncsc_max_attempts), 1, 1000 },
	{ "sharing", "unit_identities", NULL, "no",
	  "STIX exports: a sighting per unit, each unit named as an identity (no: the province only)", T_BOOL,
	  OFF(sharing_unit_identities), 0, 1 },
	{ "sharing", "file_names", NULL, "no",
	  "MISP exports: the detected file's name (never its folder) as filename|sha256 attributes", T_BOOL,
	  OFF(sharing_file_names), 0, 1 },
	{ "intel", "signing_key", NULL, "",
	  "Ed25519 private key (raquet db keygen, mode 0600) that signs the database compiled from the "
	  "indicators, published into [mirror] dir; empty: indicators are kept but not published",
	  T_STR, OFF(intel_signing_key), 0, 0 },
	{ "intel", "database", NULL, "daily",
	  "name of the signature database the indicators are compiled into (it replaces any other "
	  "database of that name in the mirror)", T_STR, OFF(intel_database), 0, 0 },
	{ "intel", "publish_interval", NULL, "1m",
	  "shortest time between two publishes: changes within it wait for the next one", T_DURATION,
	  OFF(intel_publish_interval), 1, 86400 },
	{ "intel", "max_age", NULL, "0",
	  "an imported indicator without an expiry of its own (valid_until, the import's expiry) expires this "
	  "long after its last import; 0: never", T_DURATION, OFF(intel_max_age), 0, 3650 * 86400ULL },
	{ "upstream", "url", NULL, "",
	  "HTTPS address of the upstream raquet-server (national or regional tier), e.g. "
	  "https://raquet.quocgia.gov.vn:8443; empty (the default): no upstream", T_HTTPS, OFF(upstream_url), 0, 0 },
	{ "upstream", "credential_file", NULL, "",
	  "file holding the credential the upstream's administrator issued to this server (rqd_...; "
	  "keep it mode 0600, never logged)", T_STR, OFF(upstream_credential_file), 0, 0 },
	{ "upstream", "ca_file", NULL, "",
	  "CA certificate(s) (PEM) the upstream's HTTPS certificate must chain to; empty: the system's CAs",
	  T_STR, OFF(upstream_ca_file), 0, 0 },
	{ "upstream", "keys", NULL, "",
	  "folder of the upstream's public keys (*.pub) that sign its mirror: with it, the upstream's databases "
	  "are synced, verified and published into [mirror] dir; empty: no databases are taken from the upstream",
	  T_STR, OFF(upstream_keys_dir), 0, 0 },
	{ "upstream", "databases_dir", NULL, "/var/lib/raquet-server/upstream-databases",
	  "where the upstream's databases are kept once verified (the previous version too, for rollback)",
	  T_STR, OFF(upstream_databases_dir), 0, 0 },
	{ "upstream", "interval", NULL, "15m",
	  "how often a report (unit tree, figures, sightings) is made and queued for the upstream, and the "
	  "upstream's databases synced", T_DURATION,
	  OFF(upstream_interval), 1, 86400 },
	{ "upstream", "retry_base", NULL, "1m",
	  "wait after the first failed delivery, doubled each attempt up to 1h", T_DURATION,
	  OFF(upstream_retry_base), 1, 86400 },
	{ "upstream", "timeout", NULL, "60s", "longest time of one delivery (connect, send, answer)", T_DURATION,
	  OFF(upstream_timeout), 1, 3600 },
	{ "smtp", "url", NULL, "",
	  "the mail server reminders are sent through: smtp://HOST[:PORT] (STARTTLS) or smtps://HOST[:PORT] "
	  "(TLS from the start); empty: no e-mail", T_SMTP, OFF(smtp_url), 0, 0 },
	{ "smtp", "starttls", NULL, "yes",
	  "smtp:// URLs: STARTTLS required (no: plain SMTP, allowed with a password only on loopback)", T_BOOL,
	  OFF(smtp_starttls), 0, 1 },
	{ "smtp", "user", NULL, "", "login on the mail server; empty: no authentication", T_STR, OFF(smtp_user), 0, 0 },
	{ "smtp", "password", NULL, "", "its password (never logged; keep the file mode 0600)", T_STR,
	  OFF(smtp_password), 0, 0 },
	{ "smtp", "from", NULL, "", "the sender's address (needed with a url)", T_STR, OFF(smtp_from), 0, 0 },
	{ "smtp", "from_name", NULL, "raquet", "the sender's display name (UTF-8)", T_UTF8, OFF(smtp_from_name), 0,
	  0 },
	{ "smtp", "ca_file", NULL, "", "CA certificate(s) (PEM) the mail server's certificate must chain to; "
	  "empty: the system's CAs", T_STR, OFF(smtp_ca_file), 0, 0 },
	{ "smtp", "timeout", NULL, "30s", "longest time of one delivery (connect, send, answer)", T_DURATION,
	  OFF(smtp_timeout), 1, 3600 },
	{ "smtp", "retry_base", NULL, "1m",
	  "wait after the first failed delivery, doubled each attempt up to 6h, times a random factor 0.8..1.2",
	  T_DURATION, OFF(smtp_retry_base), 1, 86400 },
	{ "smtp", "max_attempts", NULL, "20", "deliveries tried before a mail is marked failed", T_UINT,
	  OFF(smtp_max_attempts), 1, 1000 },
	{ "reminders", "before", NULL, "7,1,0",
	  "days before a deadline a reminder is sent on (0: the day itself), comma-separated, up to 8", T_DAYLIST,
	  OFF(reminders_before), 0, 0 },
	{ "reminders", "overdue_every", NULL, "3",
	  "while a deadline is overdue, a reminder the day after it and then every this many days", T_UINT,
	  OFF(reminders_overdue_every), 1, 365 },
	{ "reminders", "hour", NULL, "8",
	  "the hour (0-23, Vietnam's time) from which a reminder day's e-mails are made: none in the night", T_UINT,
	  OFF(reminders_hour), 0, 23 },
	{ "reminders", "interval", NULL, "5m", "how often the server looks for reminders due and mails to send",
	  T_DURATION, OFF(reminders_interval), 1, 86400 },
	{ "reminders", "dashboard_url", NULL, "",
	  "the dashboard's address as users reach it (https://raquet.example.gov.vn), linked from the mails; "
	  "empty: no link", T_WEBURL, OFF(reminders_dashboard_url), 0, 0 },
	{ "log", "level", "--log-level", "info",
	  "error, warning, info (one line per request) or debug", T_LEVEL, OFF(log_level), 0, 0 },
	{ "log", "syslog", "--syslog", "no",
	  "log to syslog (daemon facility) instead of stderr", T_BOOL, OFF(log_syslog), 0, 1 },
};
#define KEY_COUNT (sizeof(keys) / sizeof(keys[0]))

#define POFF(f) offsetof(rq_taxii_pull_cfg, f)

/* The keys of a [taxii-pull NAME] section. */
static const rq_srv_config_key pull_keys[] = {
	{ "taxii-pull", "url", NULL, "",
	  "the TAXII 2.1 API root, e.g. https://partner.example/taxii2/raquet/ (https://; http:// only to a "
	  "loopback address); required", T_PULL_URL, POFF(url), 0, 0 },
	{ "taxii-pull", "collection", NULL, "", "the id of the collection pulled; required", T_STR, POFF(collection),
	  0, 0 },
	{ "taxii-pull", "token", NULL, "",
	  "an API token sent as Authorization: Bearer (never logged); empty: none", T_STR, POFF(token), 0, 0 },
	{ "taxii-pull", "user", NULL, "", "HTTP Basic user name (with password; instead of token)", T_STR,
	  POFF(user), 0, 0 },
	{ "taxii-pull", "password", NULL, "", "HTTP Basic password (never logged; keep the file mode 0600)", T_STR,
	  POFF(password), 0, 0 },
	{ "taxii-pull", "ca_file", NULL, "", "CA certificates (PEM) the server's certificate is checked against; "
	  "empty: the system's", T_STR, POFF(ca_file), 0, 0 },
	{ "taxii-pull", "interval", NULL, "1h", "time from one scheduled pull to the next (1m..7d)", T_DURATION,
	  POFF(interval), 60, 7 * 86400ULL },
	{ "taxii-pull", "timeout", NULL, "60s",
	  "longest time of one page request (connect, send, answer); a server that hangs fails the pull",
	  T_DURATION, POFF(timeout), 1, 3600 },
	{ "taxii-pull", "page_size", NULL, "500", "objects asked for per page (the TAXII limit parameter)", T_UINT,
	  POFF(page_size), 1, 10000 },
	{ "taxii-pull", "confidence", NULL, "",
	  "0-100 given to every indicator pulled; empty: each object's own confidence (50 without one)",
	  T_CONFIDENCE, POFF(confidence), 0, 100 },
	{ "taxii-pull", "max_age", NULL, "",
	  "an indicator without valid_until expires this long after it was last pulled (0: never); empty: "
	  "[intel] max_age", T_OPT_DURATION, POFF(max_age), 0, 3650 * 86400ULL },
	{ "taxii-pull", "enabled", NULL, "yes", "pull on schedule and on demand; no: the section is kept but unused",
	  T_BOOL, POFF(enabled), 0, 1 },
};
#define PULL_KEY_COUNT (sizeof(pull_keys) / sizeof(pull_keys[0]))
_Static_assert(PULL_KEY_COUNT <= sizeof(((rq_taxii_pull_cfg *)0)->seen) * 8, "seen too small for the pull keys");
_Static_assert(KEY_COUNT <= sizeof(((rq_srv_config *)0)->origin) / sizeof(char *),
	       "origin[] too small for the key table");

static const char *const level_names[] = { "error", "warning", "info", "debug" };

const rq_srv_config_key *rq_srv_config_keys(size_t *count)
{
	*count = KEY_COUNT;
	return keys;
}

const rq_srv_config_key *rq_srv_config_taxii_pull_keys(size_t *count)
{
	*count = PULL_KEY_COUNT;
	return pull_keys;
}

const rq_taxii_pull_cfg *rq_srv_config_taxii_pull(const rq_srv_config *cfg, const char *name)
{
	for (size_t i = 0; name && i < cfg->taxii_pull_count; i++)
		if (!strcmp(cfg->taxii_pulls[i].name, name))
			return &cfg->taxii_pulls[i];
	return NULL;
}

const char *rq_srv_log_level_name(int level)
{
	if (level < 0 || level > RQ_LOG_DEBUG)
		return "?";
	return level_names[level];
}

int rq_srv_addr_is_loopback(const char *addr)
{
	struct in_addr v4;
	struct in6_addr v6;
	if (strcmp(addr, "localhost") == 0)
		return 1;
	if (inet_pton(AF_INET, addr, &v4) == 1)
		return (ntohl(v4.s_addr) >> 24) == 127;
	if (inet_pton(AF_INET6, addr, &v6) == 1)
		return IN6_IS_ADDR_LOOPBACK(&v6) ||
		       (IN6_IS_ADDR_V4MAPPED(&v6) && v6.s6_addr[12] == 127);
	return 0;
}

int rq_srv_parse_listen(const char *text, char *addr, size_t addr_size, unsigned *port)
{
	int rc = RQ_EPARSE;
	const char *colon, *host = text;
	size_t host_len;
	char buf[64];
	unsigned char probe[sizeof(struct in6_addr)];

	if (text[0] == '[') {
		const char *close = strchr(text, ']');
		if (!close || close[1] != ':')
			goto done;
		host = text + 1;
		host_len = (size_t)(close - host);
		colon = close + 1;
	} else {
		colon = strrchr(text, ':');
		if (!colon)
			goto done;
		host_len = (size_t)(colon - text);
	}
	if (host_len == 0 || host_len >= sizeof(buf) || host_len >= addr_size)
		goto done;
	memcpy(buf, host, host_len);
	buf[host_len] = '\0';
	if (strcmp(buf, "localhost") == 0)
		strcpy(buf, "127.0.0.1");
	if (inet_pton(text[0] == '[' ? AF_INET6 : AF_INET, buf, probe) != 1)
		goto done;
	const char *p = colon + 1;
	if (*p == '\0' || strlen(p) > 5 || strspn(p, "0123456789") != strlen(p))
		goto done;
	unsigned long v = strtoul(p, NULL, 10);
	if (v > 65535)
		goto done;
	memcpy(addr, buf, host_len + 1);
	*port = (unsigned)v;
	rc = 0;
done:
	return rc;
}

/* An agency code of the national directory: 000.00.00.XXX. */
static int organ_id_ok(const char *v)
{
	static const char shape[] = "999.99.99.AAA";
	if (strlen(v) != sizeof(shape) - 1)
		return 0;
	for (size_t i = 0; shape[i]; i++) {
		char c = v[i];
		if (shape[i] == '9' && !(c >= '0' && c <= '9'))
			return 0;
		if (shape[i] == 'A' && !((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z')))
			return 0;
		if (shape[i] == '.' && c != '.')
			return 0;
	}
	return 1;
}

/* "off" (-1) or "daily HH:MM" (minute of the day). */
static int parse_schedule(const char *v, int *minute)
{
	unsigned h, m;
	char tail;
	if (!strcasecmp(v, "off")) {
		*minute = -1;
		return 0;
	}
	if (strlen(v) != 11 || strncmp(v, "daily ", 6) != 0 || v[8] != ':' ||
	    strspn(v + 6, "0123456789") != 2 || strspn(v + 9, "0123456789") != 2 ||
	    sscanf(v + 6, "%2u:%2u%c", &h, &m, &tail) != 2 || h > 23 || m > 59)
		return -1;
	*minute = (int)(h * 60 + m);
	return 0;
}

/* "7,1,0": distinct days 0..365 into out[], sorted descending ("" or
 * "off": none). */
static int parse_day_list(const char *v, int out[RQ_REMINDER_DAYS_MAX], unsigned *count)
{
	unsigned n = 0;
	*count = 0;
	if (!*v || !strcasecmp(v, "off"))
		return 0;
	for (const char *p = v;;) {
		while (*p == ' ')
			p++;
		size_t d = strspn(p, "0123456789");
		if (d == 0 || d > 3 || n == RQ_REMINDER_DAYS_MAX)
			return -1;
		int day = atoi(p);
		if (day > 365)
			return -1;
		for (unsigned i = 0; i < n; i++)
			if (out[i] == day)
				return -1;
		/* insert, keeping the list descending */
		unsigned at = n;
		while (at > 0 && out[at - 1] < day) {
			out[at] = out[at - 1];
			at--;
		}
		out[at] = day;
		n++;
		p += d;
		while (*p == ' ')
			p++;
		if (*p == '\0')
			break;
		if (*p++ != ',')
			return -1;
	}
	*count = n;
	return 0;
}

/* A URL of a [taxii-pull] source: https://HOST..., or http:// to a loopback
 * address; no user:password@ (secrets go in their own keys, never in a URL
 * that errors and logs name). */
static int pull_url_ok(const char *v)
{
	int https = !strncmp(v, "https://", 8);
	if (!https && strncmp(v, "http://", 7))
		return 0;
	const char *host = v + (https ? 8 : 7);
	size_t n = strcspn(host, "/?#");
	if (n == 0 || memchr(host, '@', n) || strpbrk(v, " \t\"<>\\"))
		return 0;
	if (https)
		return 1;
	char h[64];
	if (host[0] == '[') {
		const char *close = memchr(host, ']', n);
		if (!close || (size_t)(close - host - 1) >= sizeof(h))
			return 0;
		memcpy(h, host + 1, (size_t)(close - host - 1));
		h[close - host - 1] = '\0';
	} else {
		size_t hn = strcspn(host, ":/?#");
		if (hn >= sizeof(h))
			return 0;
		memcpy(h, host, hn);
		h[hn] = '\0';
	}
	return rq_srv_addr_is_loopback(h);
}

/* Parse one value of key `k` from `v` into the structure at `base` (cfg,
 * or one of its [taxii-pull] sections); on error, fill `why`. */
static int set_value(rq_srv_config *cfg, char *base, const rq_srv_config_key *k, const char *v,
		     char *why, size_t why_size)
{
	int rc = RQ_EPARSE;
	char *field = base + k->offset;

	switch (k->type) {
	case T_STR:
	case T_STORE:
	case T_PERIODIC:
	case T_UTF8:
	case T_ORGAN:
	case T_DAILY:
	case T_HTTPS:
	case T_PULL_URL:
	case T_SMTP:
	case T_DAYLIST:
	case T_WEBURL:
	case T_LISTEN: {
		json_t *text = k->type == T_UTF8 ? json_string(v) : NULL; /* NULL: not UTF-8 */
		if (k->type == T_UTF8 && !text) {
			snprintf(why, why_size, "expected UTF-8 text");
			goto done;
		}
		json_decref(text);
		if (k->type == T_PERIODIC && strcmp(v, "monthly") && strcmp(v, "weekly") && strcmp(v, "off")) {
			snprintf(why, why_size, "expected monthly, weekly or off, got '%s'", v);
			goto done;
		}
		if (k->type == T_LISTEN &&
		    rq_srv_parse_listen(v, cfg->listen_addr, sizeof(cfg->listen_addr), &cfg->port) < 0) {
			snprintf(why, why_size, "expected ADDR:PORT or [IPV6]:PORT with a numeric "
				 "address, got '%s'", v);
			goto done;
		}
		if (k->type == T_STORE) {
			int ok = (strncmp(v, "sqlite:", 7) == 0 && v[7] != '\0') ||
				 strncmp(v, "postgresql://", 13) == 0 ||
				 strncmp(v, "postgres://", 11) == 0;
			if (!ok) {
				snprintf(why, why_size, "expected sqlite:PATH or postgresql://..., "
					 "got '%s'", v);
				goto done;
			}
		}
		if (k->type == T_ORGAN && *v && !organ_id_ok(v)) {
			snprintf(why, why_size, "expected an agency code 000.00.00.XXX (digits, then three letters or "
				 "digits), got '%.40s'", v);
			goto done;
		}
		if (k->type == T_DAILY && parse_schedule(v, &cfg->ncsc_daily_minute) < 0) {
			snprintf(why, why_size, "expected off or daily HH:MM, got '%.40s'", v);
			goto done;
		}
		if (k->type == T_HTTPS && *v && (strncmp(v, "https://", 8) != 0 || strlen(v) <= 8 ||
						 strpbrk(v, " \t\"<>\\"))) {
			snprintf(why, why_size, "expected an https:// URL (or empty: off), got '%.60s'", v);
			goto done;
		}
		if (k->type == T_PULL_URL && *v && !pull_url_ok(v)) {
			snprintf(why, why_size, "expected an https:// URL without user:password@ (http:// only to a "
				 "loopback address), got '%.60s'", v);
			goto done;
		}
		if (k->type == T_SMTP && *v && ((strncmp(v, "smtp://", 7) && strncmp(v, "smtps://", 8)) ||
						strlen(v) <= 8 || strpbrk(v, " \t\"<>\\@"))) {
			snprintf(why, why_size, "expected smtp://HOST[:PORT] or smtps://HOST[:PORT] (no user in the "
				 "URL: [smtp] user), got '%.60s'", v);
			goto done;
		}
		if (k->type == T_WEBURL && *v && ((strncmp(v, "https://", 8) && strncmp(v, "http://", 7)) ||
						 strlen(v) <= 8 || strpbrk(v, " \t\"<>\\#?"))) {
			snprintf(why, why_size, "expected an https:// address without ? or #, got '%.60s'", v);
			goto done;
		}
		if (k->type == T_DAYLIST && parse_day_list(v, cfg->reminder_days, &cfg->reminder_day_count) < 0) {
			snprintf(why, why_size, "expected days before the deadline 0..365 separated by commas "
				 "(at most %d, each once), got '%.40s'", RQ_REMINDER_DAYS_MAX, v);
			goto done;
		}
		char *copy = strdup(v);
		if (!copy) {
			rc = RQ_ENOMEM;
			snprintf(why, why_size, "out of memory");
			goto done;
		}
		char **slot = (char **)(void *)field;
		free(*slot);
		*slot = copy;
		break;
	}
	case T_BOOL: {
		int b;
		if (!strcasecmp(v, "yes") || !strcasecmp(v, "true") || !strcasecmp(v, "on") ||
		    !strcmp(v, "1"))
			b = 1;
		else if (!strcasecmp(v, "no") || !strcasecmp(v, "false") || !strcasecmp(v, "off") ||
			 !strcmp(v, "0"))
			b = 0;
		else {
			snprintf(why, why_size, "expected yes or no, got '%s'", v);
			goto done;
		}
		*(int *)(void *)field = b;
		break;
	}
	case T_OPT_DURATION:
	case T_DURATION: {
		if (k->type == T_OPT_DURATION && !*v) {
			*(long long *)(void *)field = -1;
			break;
		}
		size_t digits = strspn(v, "0123456789");
		const char *suffix = v + digits;
		unsigned long long mult = !strcmp(suffix, "") || !strcmp(suffix, "s") ? 1
					  : !strcmp(suffix, "m")                 ? 60
					  : !strcmp(suffix, "h")                 ? 3600
					  : !strcmp(suffix, "d")                 ? 86400
										 : 0;
		if (digits == 0 || digits > 9 || mult == 0) {
			snprintf(why, why_size, "expected a duration like 90s, 30m, 8h or 7d, got '%s'", v);
			goto done;
		}
		unsigned long long n = strtoull(v, NULL, 10) * mult;
		if (n < k->min || n > k->max) {
			snprintf(why, why_size, "%s is out of range %llus..%llus", v, k->min, k->max);
			goto done;
		}
		if (k->type == T_OPT_DURATION)
			*(long long *)(void *)field = (long long)n;
		else
			*(unsigned long long *)(void *)field = n;
		break;
	}
	case T_CONFIDENCE: {
		size_t digits = strspn(v, "0123456789");
		if (!*v) {
			*(int *)(void *)field = -1;
			break;
		}
		if (digits == 0 || digits > 3 || v[digits] || strtoul(v, NULL, 10) > 100) {
			snprintf(why, why_size, "expected 0 to 100 (or empty: the objects' own), got '%.20s'", v);
			goto done;
		}
		*(int *)(void *)field = (int)strtoul(v, NULL, 10);
		break;
	}
	case T_UINT:
	case T_SIZE: {
		size_t digits = strspn(v, "0123456789");
		unsigned long long n = 0, mult = 1;
		const char *suffix = v + digits;
		if (k->type == T_SIZE) {
			if (!strcasecmp(suffix, "k") || !strcasecmp(suffix, "kib"))
				mult = RQ_SRV_KIB;
			else if (!strcasecmp(suffix, "m") || !strcasecmp(suffix, "mib"))
				mult = RQ_SRV_MIB;
			else if (!strcasecmp(suffix, "g") || !strcasecmp(suffix, "gib"))
				mult = RQ_SRV_MIB * 1024ULL;
			else if (*suffix == '\0')
				mult = 1;
			else
				mult = 0;
		} else if (*suffix != '\0') {
			mult = 0;
		}
		if (digits == 0 || digits > 12 || mult == 0) {
			snprintf(why, why_size, "expected a whole number%s, got '%s'",
				 k->type == T_SIZE ? " (suffix K, M or G)" : "", v);
			goto done;
		}
		n = strtoull(v, NULL, 10) * mult;
		if (n < k->min || n > k->max) {
			snprintf(why, why_size, "%s is out of range %llu..%llu", v, k->min, k->max);
			goto done;
		}
		if (k->type == T_SIZE)
			*(unsigned long long *)(void *)field = n;
		else
			*(unsigned *)(void *)field = (unsigned)n;
		break;
	}
	case T_LEVEL: {
		int found = -1;
		for (int i = 0; i <= RQ_LOG_DEBUG; i++)
			if (strcasecmp(v, level_names[i]) == 0)
				found = i;
		if (found < 0) {
			snprintf(why, why_size, "expected error, warning, info or debug, got '%s'", v);
			goto done;
		}
		*(int *)(void *)field = found;
		break;
	}
	default:
		snprintf(why, why_size, "internal: bad key type");
		goto done;
	}
	rc = 0;
done:
	return rc;
}

static int set_origin(rq_srv_config *cfg, size_t idx, const char *fmt_name, unsigned line)
{
	char buf[1024];
	if (line)
		snprintf(buf, sizeof(buf), "%s:%u", fmt_name, line);
	else
		snprintf(buf, sizeof(buf), "%s", fmt_name);
	char *copy = strdup(buf);
	if (!copy)
		return rq_fail(RQ_ENOMEM, "out of memory");
	free(cfg->origin[idx]);
	cfg->origin[idx] = copy;
	return 0;
}

int rq_srv_config_init(rq_srv_config *cfg)
{
	int rc = 0;
	char why[256];
	memset(cfg, 0, sizeof(*cfg));
	for (size_t i = 0; i < KEY_COUNT; i++) {
		rc = set_value(cfg, (char *)cfg, &keys[i], keys[i].default_text, why, sizeof(why));
		if (rc < 0) {
			rc = rq_fail(rc, "default of %s: %s", keys[i].name, why);
			goto done;
		}
	}
done:
	if (rc < 0)
		rq_srv_config_free(cfg);
	return rc;
}

void rq_srv_config_free(rq_srv_config *cfg)
{
	if (!cfg)
		return;
	free(cfg->listen);
	free(cfg->tls_cert);
	free(cfg->tls_key);
	free(cfg->store_url);
	free(cfg->mirror_dir);
	free(cfg->mirror_keys_dir);
	free(cfg->report_agency);
	free(cfg->report_schedule);
	rq_mirror_keys_free(cfg->mirror_keys);
	char **ncsc_texts[] = { &cfg->ncsc_url, &cfg->ncsc_organ_id, &cfg->ncsc_organ_name, &cfg->ncsc_address,
				&cfg->ncsc_email, &cfg->ncsc_telephone, &cfg->ncsc_fax, &cfg->ncsc_website,
				&cfg->ncsc_product, &cfg->ncsc_sign_cert, &cfg->ncsc_sign_key, &cfg->ncsc_client_cert,
				&cfg->ncsc_client_key, &cfg->ncsc_ca_file, &cfg->ncsc_schedule,
				&cfg->intel_signing_key, &cfg->intel_database, &cfg->upstream_url,
				&cfg->upstream_credential_file, &cfg->upstream_ca_file, &cfg->upstream_keys_dir,
				&cfg->upstream_databases_dir,
				&cfg->smtp_url, &cfg->smtp_user,
				&cfg->smtp_from, &cfg->smtp_from_name, &cfg->smtp_ca_file, &cfg->reminders_before,
				&cfg->reminders_dashboard_url };
	for (size_t i = 0; i < sizeof(ncsc_texts) / sizeof(ncsc_texts[0]); i++)
		free(*ncsc_texts[i]);
	for (size_t i = 0; i < cfg->taxii_pull_count; i++) {
		rq_taxii_pull_cfg *p = &cfg->taxii_pulls[i];
		char **texts[] = { &p->url, &p->collection, &p->token, &p->user, &p->password, &p->ca_file, &p->origin };
		for (size_t t = 0; t < sizeof(texts) / sizeof(texts[0]); t++)
			free(*texts[t]);
	}
	free(cfg->taxii_pulls);
	if (cfg->smtp_password) /* a secret: not left in freed memory */
		OPENSSL_cleanse(cfg->smtp_password, strlen(cfg->smtp_password));
	free(cfg->smtp_password);
	free(cfg->config_path);
	for (size_t i = 0; i < sizeof(cfg->origin) / sizeof(cfg->origin[0]); i++)
		free(cfg->origin[i]);
	memset(cfg, 0, sizeof(*cfg));
}

static void trim(const char **s, size_t *n)
{
	while (*n && (**s == ' ' || **s == '\t')) {
		(*s)++;
		(*n)--;
	}
	while (*n && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t'))
		(*n)--;
}

/* A new [taxii-pull NAME] section, with the defaults, at file `name` line `ln`. */
static int add_pull(rq_srv_config *cfg, const char *name, unsigned ln, const char *pname, size_t pn)
{
	char why[256];
	rq_taxii_pull_cfg *p;
	trim(&pname, &pn);
	if (pn == 0 || pn >= sizeof(p->name) || strspn(pname, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
					    "0123456789._-") < pn)
		return rq_fail(RQ_EPARSE, "%s:%u: [taxii-pull NAME]: NAME must be 1 to %zu letters, digits, '.', '_' "
			       "or '-'", name, ln, sizeof(p->name) - 1);
	for (size_t i = 0; i < cfg->taxii_pull_count; i++)
		if (strlen(cfg->taxii_pulls[i].name) == pn && !memcmp(cfg->taxii_pulls[i].name, pname, pn))
			return rq_fail(RQ_EPARSE, "%s:%u: [taxii-pull %.*s] twice", name, ln, (int)pn, pname);
	if (cfg->taxii_pull_count == RQ_TAXII_PULL_MAX_SOURCES)
		return rq_fail(RQ_EPARSE, "%s:%u: more than %d [taxii-pull] sections", name, ln,
			       RQ_TAXII_PULL_MAX_SOURCES);
	p = realloc(cfg->taxii_pulls, (cfg->taxii_pull_count + 1) * sizeof(*p));
	if (!p)
		return rq_fail(RQ_ENOMEM, "out of memory");
	cfg->taxii_pulls = p;
	p = &cfg->taxii_pulls[cfg->taxii_pull_count++];
	memset(p, 0, sizeof(*p));
	memcpy(p->name, pname, pn);
	char at[1100];
	snprintf(at, sizeof(at), "%s:%u", name, ln);
	if (!(p->origin = strdup(at)))
		return rq_fail(RQ_ENOMEM, "out of memory");
	for (size_t i = 0; i < PULL_KEY_COUNT; i++)
		if (set_value(cfg, (char *)p, &pull_keys[i], pull_keys[i].default_text, why, sizeof(why)) < 0)
			return rq_fail(RQ_EPARSE, "default of [taxii-pull] %s: %s", pull_keys[i].name, why);
	return 0;
}

/* `key = value` in the last [taxii-pull] section. */
static int set_pull_key(rq_srv_config *cfg, const char *name, unsigned ln, const char *k, size_t kn, const char *v,
			size_t vn)
{
	rq_taxii_pull_cfg *p = &cfg->taxii_pulls[cfg->taxii_pull_count - 1];
	char why[512], value[RQ_CONFIG_MAX_LINE + 1];
	size_t idx = PULL_KEY_COUNT;
	for (size_t i = 0; i < PULL_KEY_COUNT; i++)
		if (strlen(pull_keys[i].name) == kn && !memcmp(pull_keys[i].name, k, kn))
			idx = i;
	if (idx == PULL_KEY_COUNT)
		return rq_fail(RQ_EPARSE, "%s:%u: unknown key '%.*s' in [taxii-pull %s]", name, ln, (int)kn, k, p->name);
	if (p->seen & (1u << idx))
		return rq_fail(RQ_EPARSE, "%s:%u: [taxii-pull %s] %s set twice", name, ln, p->name, pull_keys[idx].name);
	p->seen |= 1u << idx;
	memcpy(value, v, vn);
	value[vn] = '\0';
	/* secrets are never echoed in an error: only the key is named */
	int secret = !strcmp(pull_keys[idx].name, "token") || !strcmp(pull_keys[idx].name, "password");
	if (set_value(cfg, (char *)p, &pull_keys[idx], value, why, sizeof(why)) < 0)
		return rq_fail(RQ_EPARSE, "%s:%u: [taxii-pull %s] %s: %s", name, ln, p->name, pull_keys[idx].name,
			       secret ? "bad value" : why);
	return 0;
}

/* The rules of each [taxii-pull] section, reported at its header. */
static int check_pulls(const rq_srv_config *cfg)
{
	for (size_t i = 0; i < cfg->taxii_pull_count; i++) {
		const rq_taxii_pull_cfg *p = &cfg->taxii_pulls[i];
		const char *why = !*p->url			     ? "url is needed (the TAXII API root)"
				  : !*p->collection		     ? "collection is needed (the collection's id)"
				  : *p->token && (*p->user || *p->password) ? "token or user/password, not both"
				  : !*p->user != !*p->password	     ? "user and password go together"
								     : NULL;
		if (why)
			return rq_fail(RQ_EPARSE, "%s: [taxii-pull %s]: %s", p->origin, p->name, why);
	}
	return 0;
}

int rq_srv_config_parse(rq_srv_config *cfg, const char *name, const char *text, size_t len)
{
	int rc = 0;
	rq_lines it;
	const char *line;
	size_t n;
	char section[32] = "";
	unsigned char seen[KEY_COUNT] = { 0 };
	char why[512];

	if (memchr(text, '\0', len)) {
		rc = rq_fail(RQ_EPARSE, "%s: contains a NUL byte: not a text file", name);
		goto done;
	}
	rq_lines_init(&it, text, len);
	while (rq_lines_next(&it, &line, &n)) {
		unsigned ln = (unsigned)it.lineno;
		if (n > RQ_CONFIG_MAX_LINE) {
			rc = rq_fail(RQ_EPARSE, "%s:%u: line longer than %d bytes", name, ln,
				     RQ_CONFIG_MAX_LINE);
			goto done;
		}
		trim(&line, &n);
		if (n == 0 || line[0] == '#' || line[0] == ';')
			continue;
		if (line[0] == '[') {
			if (line[n - 1] != ']') {
				rc = rq_fail(RQ_EPARSE, "%s:%u: section header without a closing ']'",
					     name, ln);
				goto done;
			}
			const char *s = line + 1;
			size_t sn = n - 2;
			trim(&s, &sn);
			if (sn > 10 && !memcmp(s, "taxii-pull", 10) && (s[10] == ' ' || s[10] == '\t')) {
				if ((rc = add_pull(cfg, name, ln, s + 11, sn - 11)) < 0)
					goto done;
				strcpy(section, "taxii-pull");
				continue;
			}
			int known = 0;
			for (size_t i = 0; i < KEY_COUNT; i++)
				if (strlen(keys[i].section) == sn && !memcmp(keys[i].section, s, sn))
					known = 1;
			if (!known) {
				rc = rq_fail(RQ_EPARSE, "%s:%u: unknown section [%.*s] (known: "
					     "[server], [store], [mirror], [auth], [report], [log], [ncsc], [sharing], [intel], "
					     "[taxii-pull NAME], [upstream], [smtp], [reminders])", name, ln, (int)sn, s);
				goto done;
			}
			memcpy(section, s, sn);
			section[sn] = '\0';
			continue;
		}
		const char *eq = memchr(line, '=', n);
		if (!eq) {
			rc = rq_fail(RQ_EPARSE, "%s:%u: expected 'key = value' or '[section]', got "
				     "'%.*s'", name, ln, (int)(n > 80 ? 80 : n), line);
			goto done;
		}
		const char *k = line, *v = eq + 1;
		size_t kn = (size_t)(eq - line), vn = n - kn - 1;
		trim(&k, &kn);
		trim(&v, &vn);
		if (section[0] == '\0') {
			rc = rq_fail(RQ_EPARSE, "%s:%u: key '%.*s' before any [section]", name, ln,
				     (int)kn, k);
			goto done;
		}
		if (!strcmp(section, "taxii-pull")) {
			if ((rc = set_pull_key(cfg, name, ln, k, kn, v, vn)) < 0)
				goto done;
			continue;
		}
		size_t idx = KEY_COUNT;
		for (size_t i = 0; i < KEY_COUNT; i++)
			if (!strcmp(keys[i].section, section) && strlen(keys[i].name) == kn &&
			    !memcmp(keys[i].name, k, kn))
				idx = i;
		if (idx == KEY_COUNT) {
			rc = rq_fail(RQ_EPARSE, "%s:%u: unknown key '%.*s' in [%s]", name, ln,
				     (int)kn, k, section);
			goto done;
		}
		if (seen[idx]) {
			rc = rq_fail(RQ_EPARSE, "%s:%u: [%s] %s set twice", name, ln, section,
				     keys[idx].name);
			goto done;
		}
		seen[idx] = 1;
		char value[RQ_CONFIG_MAX_LINE + 1];
		memcpy(value, v, vn);
		value[vn] = '\0';
		rc = set_value(cfg, (char *)cfg, &keys[idx], value, why, sizeof(why));
		if (rc < 0) {
			rc = rq_fail(rc, "%s:%u: [%s] %s: %s", name, ln, section, keys[idx].name, why);
			goto done;
		}
		rc = set_origin(cfg, idx, name, ln);
		if (rc < 0)
			goto done;
	}
	rc = check_pulls(cfg);
done:
	return rc;
}

int rq_srv_config_load(rq_srv_config *cfg, const char *path)
{
	uint8_t *data = NULL;
	size_t len = 0;
	int rc = rq_read_file(path, RQ_CONFIG_MAX_FILE, &data, &len);
	if (rc < 0)
		goto done;
	rc = rq_srv_config_parse(cfg, path, (const char *)data, len);
done:
	free(data);
	return rc;
}

/* Where key `key_name` of `section` (NULL: any section) was set. */
static const char *origin_in(const rq_srv_config *cfg, const char *section, const char *key_name)
{
	for (size_t i = 0; i < KEY_COUNT; i++)
		if ((!section || !strcmp(keys[i].section, section)) && !strcmp(keys[i].name, key_name) &&
		    cfg->origin[i])
			return cfg->origin[i];
	return "default";
}

static const char *origin_of(const rq_srv_config *cfg, const char *key_name)
{
	return origin_in(cfg, NULL, key_name);
}

/* A PEM file that OpenSSL can read as a certificate (want_key 0) or key;
 * *out receives the X509 or EVP_PKEY. */
static int read_pem(const rq_srv_config *cfg, const char *key_name, const char *path,
		    int want_key, void **out)
{
	int rc = 0;
	FILE *f = NULL;
	*out = NULL;
	if (!path || !*path) {
		rc = rq_fail(RQ_EINVAL, "%s: %s: HTTPS needs a %s (or plain_http on loopback)",
			     origin_of(cfg, key_name), key_name,
			     want_key ? "private key" : "certificate");
		goto done;
	}
	f = fopen(path, "r");
	if (!f) {
		rc = rq_fail_errno(RQ_EIO, errno, "%s: %s: cannot read '%s'",
				   origin_of(cfg, key_name), key_name, path);
		goto done;
	}
	*out = want_key ? (void *)PEM_read_PrivateKey(f, NULL, NULL, NULL)
			: (void *)PEM_read_X509(f, NULL, NULL, NULL);
	if (!*out)
		rc = rq_fail(RQ_EINVAL, "%s: %s: '%s' is not a PEM %s", origin_of(cfg, key_name),
			     key_name, path, want_key ? "private key" : "certificate");
done:
	if (f)
		fclose(f);
	return rc;
}

int rq_srv_config_check(const rq_srv_config *cfg)
{
	int rc = 0;
	void *cert = NULL, *key = NULL;
	if (cfg->plain_http) {
		if (!rq_srv_addr_is_loopback(cfg->listen_addr)) {
			rc = rq_fail(RQ_EINVAL, "%s: plain_http: plain HTTP is allowed only on a "
				     "loopback address, not %s (listen from %s); use TLS",
				     origin_of(cfg, "plain_http"), cfg->listen_addr,
				     origin_of(cfg, "listen"));
		} else if ((rc = rq_srv_config_check_ncsc(cfg, 0)) == 0 && (rc = rq_srv_config_check_intel(cfg)) == 0 &&
			   (rc = rq_srv_config_check_upstream(cfg)) == 0) {
			rc = rq_srv_config_check_smtp(cfg);
		}
		goto done;
	}
	rc = read_pem(cfg, "tls_cert", cfg->tls_cert, 0, &cert);
	if (rc < 0)
		goto done;
	rc = read_pem(cfg, "tls_key", cfg->tls_key, 1, &key);
	if (rc < 0)
		goto done;
	if (X509_check_private_key(cert, key) != 1) {
		rc = rq_fail(RQ_EINVAL, "%s: tls_key: '%s' is not the key of the certificate '%s'",
			     origin_of(cfg, "tls_key"), cfg->tls_key, cfg->tls_cert);
		goto done;
	}
	if ((rc = rq_srv_config_check_ncsc(cfg, 0)) == 0 && (rc = rq_srv_config_check_intel(cfg)) == 0 &&
	    (rc = rq_srv_config_check_upstream(cfg)) == 0)
		rc = rq_srv_config_check_smtp(cfg);
done:
	X509_free(cert);
	EVP_PKEY_free(key);
	return rc;
}

/* The PEM file of [ncsc] `key_name` at `path`, as a certificate or key
 * (*out: X509 or EVP_PKEY); errors name the line that set it. */
static int read_ncsc_pem(const rq_srv_config *cfg, const char *key_name, const char *path, int want_key,
			 void **out)
{
	int rc = 0;
	FILE *f = NULL;
	const char *at = origin_in(cfg, "ncsc", key_name);
	*out = NULL;
	f = fopen(path, "r");
	if (!f) {
		rc = rq_fail_errno(RQ_EIO, errno, "%s: [ncsc] %s: cannot read '%s'", at, key_name, path);
		goto done;
	}
	*out = want_key ? (void *)PEM_read_PrivateKey(f, NULL, NULL, NULL) : (void *)PEM_read_X509(f, NULL, NULL, NULL);
	if (!*out)
		rc = rq_fail(RQ_EINVAL, "%s: [ncsc] %s: '%s' is not a PEM %s", at, key_name, path,
			     want_key ? "private key" : "certificate");
done:
	if (f)
		fclose(f);
	return rc;
}

/* A certificate and the key that must belong to it (both set or neither
 * unless `required`). */
static int check_ncsc_pair(const rq_srv_config *cfg, const char *cert_key, const char *cert_path,
			   const char *key_key, const char *key_path, int required)
{
	int rc = 0;
	void *cert = NULL, *key = NULL;
	int has_cert = cert_path && *cert_path, has_key = key_path && *key_path;
	if (!has_cert && !has_key && !required)
		goto done;
	if (!has_cert || !has_key) {
		const char *missing = has_cert ? key_key : cert_key;
		rc = rq_fail(RQ_EINVAL, "%s: [ncsc] %s: needed with %s", origin_in(cfg, "ncsc", has_cert ? cert_key : key_key),
			     missing, has_cert ? cert_key : has_key ? key_key : "url");
		goto done;
	}
	if ((rc = read_ncsc_pem(cfg, cert_key, cert_path, 0, &cert)) < 0 ||
	    (rc = read_ncsc_pem(cfg, key_key, key_path, 1, &key)) < 0)
		goto done;
	if (X509_check_private_key(cert, key) != 1)
		rc = rq_fail(RQ_EINVAL, "%s: [ncsc] %s: '%s' is not the key of the certificate '%s'",
			     origin_in(cfg, "ncsc", key_key), key_key, key_path, cert_path);
done:
	X509_free(cert);
	EVP_PKEY_free(key);
	return rc;
}

int rq_srv_config_check_ncsc(const rq_srv_config *cfg, int need_url)
{
	int rc = 0, enabled = cfg->ncsc_url && *cfg->ncsc_url;
	void *ca = NULL;
	if (!enabled && cfg->ncsc_daily_minute >= 0) {
		rc = rq_fail(RQ_EINVAL, "%s: [ncsc] schedule: a schedule needs [ncsc] url", origin_in(cfg, "ncsc", "schedule"));
		goto done;
	}
	if (!enabled && need_url) {
		rc = rq_fail(RQ_EINVAL, "%s: [ncsc] url: the centre's endpoint is not set", origin_in(cfg, "ncsc", "url"));
		goto done;
	}
	if (!enabled && !need_url && !(cfg->ncsc_sign_cert && *cfg->ncsc_sign_cert))
		goto done; /* reporting not configured at all */
	if (!*cfg->ncsc_organ_id || !*cfg->ncsc_organ_name) {
		const char *k = !*cfg->ncsc_organ_id ? "organ_id" : "organ_name";
		rc = rq_fail(RQ_EINVAL, "%s: [ncsc] %s: needed to report to the centre",
			     origin_in(cfg, "ncsc", enabled ? "url" : "sign_cert"), k);
		goto done;
	}
	if ((rc = check_ncsc_pair(cfg, "sign_cert", cfg->ncsc_sign_cert, "sign_key", cfg->ncsc_sign_key, 1)) < 0 ||
	    (rc = check_ncsc_pair(cfg, "client_cert", cfg->ncsc_client_cert, "client_key", cfg->ncsc_client_key, 0)) < 0)
		goto done;
	if (*cfg->ncsc_ca_file)
		rc = read_ncsc_pem(cfg, "ca_file", cfg->ncsc_ca_file, 0, &ca);
done:
	X509_free(ca);
	return rc;
}

int rq_srv_config_check_smtp(const rq_srv_config *cfg)
{
	int rc = 0;
	FILE *f = NULL;
	if (!*cfg->smtp_url)
		goto done;
	if (!*cfg->smtp_from || rq_mail_address_check(cfg->smtp_from) < 0) {
		rc = rq_fail(RQ_EINVAL, "%s: [smtp] from: %s", origin_in(cfg, "smtp", *cfg->smtp_from ? "from" : "url"),
			     *cfg->smtp_from ? rq_error_last() : "the sender's address is needed with a url");
		goto done;
	}
	if (!*cfg->smtp_user != !*cfg->smtp_password) {
		const char *k = *cfg->smtp_user ? "password" : "user";
		rc = rq_fail(RQ_EINVAL, "%s: [smtp] %s: user and password go together",
			     origin_in(cfg, "smtp", *cfg->smtp_user ? "user" : "password"), k);
		goto done;
	}
	if (!strncmp(cfg->smtp_url, "smtp://", 7) && !cfg->smtp_starttls && *cfg->smtp_user) {
		char host[256];
		const char *h = cfg->smtp_url + 7;
		size_t n = h[0] == '[' ? strcspn(h + 1, "]") : strcspn(h, ":/");
		snprintf(host, sizeof(host), "%.*s", (int)(n < sizeof(host) ? n : sizeof(host) - 1), h[0] == '[' ? h + 1 : h);
		if (!rq_srv_addr_is_loopback(host)) {
			rc = rq_fail(RQ_EINVAL, "%s: [smtp] starttls: no, with a password, would send it in clear to %s: "
						"use STARTTLS or smtps://", origin_in(cfg, "smtp", "starttls"), host);
			goto done;
		}
	}
	if (*cfg->smtp_ca_file && !(f = fopen(cfg->smtp_ca_file, "r")))
		rc = rq_fail_errno(RQ_EIO, errno, "%s: [smtp] ca_file: cannot read '%s'", origin_in(cfg, "smtp", "ca_file"),
				   cfg->smtp_ca_file);
done:
	if (f)
		fclose(f);
	return rc;
}

int rq_srv_config_load_keys(rq_srv_config *cfg)
{
	rq_mirror_keys_free(cfg->mirror_keys);
	cfg->mirror_keys = NULL;
	if (!cfg->mirror_keys_dir || !*cfg->mirror_keys_dir)
		return 0;
	int rc = rq_mirror_keys_load(&cfg->mirror_keys, cfg->mirror_keys_dir);
	if (rc < 0)
		rc = rq_fail(rc, "%s: [mirror] keys: %s", origin_of(cfg, "keys"), rq_error_last());
	return rc;
}

/* "--flag=value" or "--flag value": the value, advancing *i; NULL if none. */
static const char *flag_value(int argc, char **argv, int *i, const char *flag)
{
	const char *a = argv[*i];
	size_t fl = strlen(flag);
	if (strncmp(a, flag, fl) != 0)
		return NULL;
	if (a[fl] == '=')
		return a + fl + 1;
	if (a[fl] == '\0' && *i + 1 < argc) {
		(*i)++;
		return argv[*i];
	}
	return NULL;
}

static int flag_is(const char *arg, const char *flag)
{
	size_t fl = strlen(flag);
	return strncmp(arg, flag, fl) == 0 && (arg[fl] == '\0' || arg[fl] == '=');
}

int rq_srv_config_from_args(rq_srv_config *cfg, int argc, char **argv, int first, int *help_out)
{
	int rc;
	const char *config_file = NULL;
	char why[512];

	*help_out = 0;
	rc = rq_srv_config_init(cfg);
	if (rc < 0)
		goto done;
	/* pass 1: the config file and --help, so flags override the file */
	for (int i = first; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			*help_out = 1;
			goto done;
		}
		if (flag_is(argv[i], "--config")) {
			config_file = flag_value(argc, argv, &i, "--config");
			if (!config_file || !*config_file) {
				rc = rq_fail(RQ_EINVAL, "--config: needs a file name");
				goto done;
			}
		}
	}
	if (!config_file && access(RQ_SRV_DEFAULT_CONFIG, F_OK) == 0)
		config_file = RQ_SRV_DEFAULT_CONFIG;
	if (config_file) {
		cfg->config_path = strdup(config_file);
		if (!cfg->config_path) {
			rc = rq_fail(RQ_ENOMEM, "out of memory");
			goto done;
		}
		rc = rq_srv_config_load(cfg, config_file);
		if (rc < 0)
			goto done;
	}
	/* pass 2: flags */
	for (int i = first; i < argc; i++) {
		const char *a = argv[i];
		if (flag_is(a, "--config")) {
			flag_value(argc, argv, &i, "--config");
			continue;
		}
		if (!strcmp(a, "--foreground")) {
			cfg->foreground = 1;
			continue;
		}
		if (!strcmp(a, "--check-config")) {
			cfg->check_config = 1;
			continue;
		}
		size_t idx = KEY_COUNT;
		for (size_t k = 0; k < KEY_COUNT; k++)
			if (keys[k].flag && flag_is(a, keys[k].flag))
				idx = k;
		if (idx == KEY_COUNT) {
			rc = rq_fail(RQ_EINVAL, "%s: unknown option (see --help)", a);
			goto done;
		}
		const char *v;
		if (keys[idx].type == T_BOOL && strchr(a, '=') == NULL) {
			v = "yes";
		} else {
			v = flag_value(argc, argv, &i, keys[idx].flag);
			if (!v) {
				rc = rq_fail(RQ_EINVAL, "%s: needs a value", keys[idx].flag);
				goto done;
			}
		}
		rc = set_value(cfg, (char *)cfg, &keys[idx], v, why, sizeof(why));
		if (rc < 0) {
			rc = rq_fail(rc, "%s: %s", keys[idx].flag, why);
			goto done;
		}
		rc = set_origin(cfg, idx, keys[idx].flag, 0);
		if (rc < 0)
			goto done;
	}
	rc = rq_srv_config_check(cfg);
	if (rc == 0)
		rc = rq_srv_config_load_keys(cfg);
done:
	return rc;
}

void rq_srv_config_usage(void *file)
{
	FILE *f = file;
	fprintf(f, "usage: raquet-server [options]\n"
		   "       raquet-server tls-init --dir DIR [--host NAME]... [--force]\n"
		   "       raquet-server unit add | token create | downstream create | user add | user passwd ... "
		   "(--help: their options)\n"
		   "       raquet-server ncsc report [--dry-run -o FILE] (report to the national centre)\n"
		   "       raquet-server intel import --kind KIND --path PATH | intel publish | intel pull "
		   "(indicators)\n\n"
		   "options:\n"
		   "  --config FILE     read FILE (default %s if it exists)\n"
		   "  --check-config    check the configuration, print the first error "
		   "(file:line) and exit 0/1\n"
		   "  --foreground      stay in the foreground (default: detach once listening)\n"
		   "  --help            this text\n"
		   "  --version         print the version\n", RQ_SRV_DEFAULT_CONFIG);
	for (size_t i = 0; i < KEY_COUNT; i++)
		if (keys[i].flag)
			fprintf(f, "  %-16s  [%s] %s\n", keys[i].flag, keys[i].section, keys[i].name);
	fprintf(f, "\nconfig file keys (default):\n");
	for (size_t i = 0; i < KEY_COUNT; i++)
		fprintf(f, "  [%s] %s = %s\n      %s\n", keys[i].section, keys[i].name,
			keys[i].default_text, keys[i].doc);
	for (size_t i = 0; i < PULL_KEY_COUNT; i++)
		fprintf(f, "  [taxii-pull NAME] %s = %s\n      %s\n", pull_keys[i].name, pull_keys[i].default_text,
			pull_keys[i].doc);
}

/* Each [taxii-pull] ca_file is a readable PEM certificate (reported at the section). */
static int check_pull_ca_files(const rq_srv_config *cfg)
{
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < cfg->taxii_pull_count; i++) {
		const rq_taxii_pull_cfg *p = &cfg->taxii_pulls[i];
		if (!*p->ca_file)
			continue;
		FILE *f = fopen(p->ca_file, "r");
		X509 *cert = f ? PEM_read_X509(f, NULL, NULL, NULL) : NULL;
		if (!cert)
			rc = rq_fail(RQ_EINVAL, "%s: [taxii-pull %s] ca_file: '%s' is not a readable PEM certificate",
				     p->origin, p->name, p->ca_file);
		X509_free(cert);
		if (f)
			fclose(f);
	}
	return rc;
}

int rq_srv_config_check_intel(const rq_srv_config *cfg)
{
	rq_signkey *key = NULL;
	int rc = 0;
	if ((rc = check_pull_ca_files(cfg)) < 0)
		goto done;
	if (!rq_rqdb_name_ok(cfg->intel_database)) {
		rc = rq_fail(RQ_EINVAL, "%s: [intel] database: '%s' is not a database name (letters, digits, '_', '-')",
			     origin_in(cfg, "intel", "database"), cfg->intel_database);
		goto done;
	}
	if (!*cfg->intel_signing_key)
		goto done;
	if (!*cfg->mirror_dir) {
		rc = rq_fail(RQ_EINVAL, "%s: [intel] signing_key: needs [mirror] dir, the folder it publishes into",
			     origin_in(cfg, "intel", "signing_key"));
		goto done;
	}
	if (rq_signkey_load(&key, cfg->intel_signing_key) < 0) {
		char why[512];
		snprintf(why, sizeof(why), "%s", rq_error_last());
		rc = rq_fail(RQ_EINVAL, "%s: [intel] signing_key: %s", origin_in(cfg, "intel", "signing_key"), why);
	}
done:
	rq_signkey_free(key);
	return rc;
}

int rq_srv_config_check_upstream(const rq_srv_config *cfg)
{
	char token[RQ_TOKEN_MAX + 2];
	size_t n = 0;
	FILE *f = NULL;
	int rc = 0;
	if (!*cfg->upstream_url) {
		if (*cfg->upstream_credential_file)
			rc = rq_fail(RQ_EINVAL, "%s: [upstream] credential_file: needs [upstream] url",
				     origin_in(cfg, "upstream", "credential_file"));
		goto done;
	}
	if (!*cfg->upstream_credential_file) {
		rc = rq_fail(RQ_EINVAL, "%s: [upstream] url: needs [upstream] credential_file, the credential the "
			     "upstream issued", origin_in(cfg, "upstream", "url"));
		goto done;
	}
	f = fopen(cfg->upstream_credential_file, "r");
	if (!f) {
		rc = rq_fail_errno(RQ_EIO, errno, "%s: [upstream] credential_file: cannot read '%s'",
				   origin_in(cfg, "upstream", "credential_file"), cfg->upstream_credential_file);
		goto done;
	}
	n = fread(token, 1, sizeof(token) - 1, f);
	while (n && (token[n - 1] == '\n' || token[n - 1] == '\r' || token[n - 1] == ' '))
		n--;
	if (!rq_token_well_formed(RQ_TIER_TOKEN_PREFIX, token, n)) {
		rc = rq_fail(RQ_EINVAL, "%s: [upstream] credential_file: '%s' does not hold a downstream credential "
			     "(rqd_...)", origin_in(cfg, "upstream", "credential_file"), cfg->upstream_credential_file);
		goto done;
	}
	if (*cfg->upstream_ca_file && access(cfg->upstream_ca_file, R_OK) != 0) {
		rc = rq_fail_errno(RQ_EIO, errno, "%s: [upstream] ca_file: cannot read '%s'",
				   origin_in(cfg, "upstream", "ca_file"), cfg->upstream_ca_file);
		goto done;
	}
	if (*cfg->upstream_keys_dir) {
		const char *at = origin_in(cfg, "upstream", "keys");
		rq_keyring *ring = NULL;
		if (!*cfg->mirror_dir || !*cfg->intel_signing_key) {
			rc = rq_fail(RQ_EINVAL, "%s: [upstream] keys: needs [mirror] dir and [intel] signing_key, the "
				     "mirror the upstream's databases are published into and the key that signs it", at);
			goto done;
		}
		if ((rc = rq_keyring_new(&ring)) == 0 && (rc = rq_keyring_add_dir(ring, cfg->upstream_keys_dir)) == 0 &&
		    rq_keyring_count(ring) == 0)
			rc = rq_fail(RQ_EINVAL, "no *.pub key in it");
		rq_keyring_free(ring);
		if (rc < 0) {
			char why[512];
			snprintf(why, sizeof(why), "%s", rq_error_last());
			rc = rq_fail(RQ_EINVAL, "%s: [upstream] keys: '%s': %s", at, cfg->upstream_keys_dir, why);
		}
	}
done:
	memset(token, 0, sizeof(token));
	if (f)
		fclose(f);
	return rc;
}
