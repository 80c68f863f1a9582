/*
 * `raquet-server tls-init`: a private CA and a server certificate for a
 * first install, made with OpenSSL's API (ECDSA P-256, SHA-256). Agents pin
 * the CA certificate; the server serves server.crt with server.key.
 */
#ifndef RQ_SERVER_TLS_INIT_H
#define RQ_SERVER_TLS_INIT_H

#include <stddef.h>

/* Lifetimes: the CA outlives several server certificates; re-running
 * tls-init --force with the CA in place issues a new server certificate. */
#define RQ_TLS_CA_DAYS (20 * 365)
#define RQ_TLS_SERVER_DAYS (5 * 365)
/* Names (DNS or IP) in the server certificate. */
#define RQ_TLS_MAX_HOSTS 32

typedef struct rq_tls_init_result {
	char ca_cert[4096];      /* path agents must pin */
	char server_cert[4096];
	char server_key[4096];
	char ca_sha256[96];      /* "AB:CD:..." fingerprint of the CA certificate */
	int ca_reused;           /* 1 when an existing ca.crt/ca.key issued the cert */
} rq_tls_init_result;

/*
 * In `dir` (created 0755 if missing): ca.crt + ca.key (made unless both
 * exist), server.crt + server.key for `hosts` (DNS names or IP addresses;
 * none: localhost, 127.0.0.1, ::1 and this machine's host name). Keys are
 * written 0600, certificates 0644. Existing server files are kept
 * (RQ_EINVAL) unless `force`.
 */
int rq_tls_init(const char *dir, const char *const *hosts, size_t host_count, int force,
		rq_tls_init_result *out);

/* The `tls-init` subcommand: argv[0] is "tls-init". Returns the exit status. */
int rq_tls_init_main(int argc, char **argv);

#endif
