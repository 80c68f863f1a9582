/*
 * Makes the private CA and the server certificate of a first install (see
 * tls_init.h) with OpenSSL's X509 API, writing keys 0600 through a
 * temporary file and rename so a crash never leaves half a key.
 */
#include "cli/tls_init.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "core/error.h"

static int add_ext(X509 *cert, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509V3_set_ctx(&ctx, issuer, cert, NULL, NULL, 0);
	X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	if (!ext)
		return rq_fail(RQ_ERROR, "certificate extension %s=%s refused", OBJ_nid2sn(nid),
			       value);
	int ok = X509_add_ext(cert, ext, -1);
	X509_EXTENSION_free(ext);
	return ok ? 0 : rq_fail(RQ_ERROR, "cannot add extension %s", OBJ_nid2sn(nid));
}

/* A certificate for `key`, signed by `signer` (issuer NULL: self-signed CA). */
static int make_cert(X509 **out, EVP_PKEY *key, EVP_PKEY *signer, X509 *issuer,
		     const char *cn, long days, const char *san)
{
	int rc = RQ_ERROR;
	X509 *x = X509_new();
	unsigned char serial[16];
	BIGNUM *bn = NULL;
	X509_NAME *name = NULL;

	*out = NULL;
	if (!x || RAND_bytes(serial, sizeof(serial)) != 1)
		goto fail;
	serial[0] &= 0x7f; /* positive */
	bn = BN_bin2bn(serial, sizeof(serial), NULL);
	if (!bn || !BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) || !X509_set_version(x, 2) ||
	    !X509_gmtime_adj(X509_getm_notBefore(x), -3600) || /* tolerate clock skew */
	    !X509_gmtime_adj(X509_getm_notAfter(x), days * 86400L))
		goto fail;
	name = X509_NAME_new();
	if (!name ||
	    !X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8, (const unsigned char *)"raquet",
					-1, -1, 0) ||
	    !X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)cn, -1,
					-1, 0) ||
	    !X509_set_subject_name(x, name) ||
	    !X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : name) ||
	    !X509_set_pubkey(x, key))
		goto fail;
	X509 *ext_issuer = issuer ? issuer : x;
	if (!issuer) {
		if (add_ext(x, ext_issuer, NID_basic_constraints, "critical,CA:TRUE,pathlen:0") < 0 ||
		    add_ext(x, ext_issuer, NID_key_usage, "critical,keyCertSign,cRLSign") < 0 ||
		    add_ext(x, ext_issuer, NID_subject_key_identifier, "hash") < 0 ||
		    add_ext(x, ext_issuer, NID_authority_key_identifier, "keyid:always") < 0)
			goto done;
	} else {
		if (add_ext(x, ext_issuer, NID_basic_constraints, "critical,CA:FALSE") < 0 ||
		    add_ext(x, ext_issuer, NID_key_usage, "critical,digitalSignature") < 0 ||
		    add_ext(x, ext_issuer, NID_ext_key_usage, "serverAuth") < 0 ||
		    add_ext(x, ext_issuer, NID_subject_key_identifier, "hash") < 0 ||
		    add_ext(x, ext_issuer, NID_authority_key_identifier, "keyid:always") < 0 ||
		    add_ext(x, ext_issuer, NID_subject_alt_name, san) < 0)
			goto done;
	}
	if (!X509_sign(x, signer, EVP_sha256()))
		goto fail;
	*out = x;
	x = NULL;
	rc = 0;
	goto done;
fail:
	rc = rq_fail(RQ_ERROR, "cannot build the certificate for %s (OpenSSL)", cn);
done:
	X509_NAME_free(name);
	BN_free(bn);
	X509_free(x);
	return rc;
}

/* Write a key (obj_key set) or certificate as PEM at `path` with `mode`, atomically. */
static int write_pem(const char *path, mode_t mode, EVP_PKEY *key, X509 *cert)
{
	int rc = 0;
	char tmp[4200];
	FILE *f = NULL;
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	unlink(tmp);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	if (fd < 0) {
		rc = rq_fail_errno(RQ_EIO, errno, "cannot create %s", tmp);
		goto done;
	}
	if (fchmod(fd, mode) < 0) { /* whatever the umask */
		rc = rq_fail_errno(RQ_EIO, errno, "chmod %s", tmp);
		close(fd);
		goto done;
	}
	f = fdopen(fd, "w");
	if (!f) {
		rc = rq_fail_errno(RQ_EIO, errno, "fdopen %s", tmp);
		close(fd);
		goto done;
	}
	int ok = key ? PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL)
		     : PEM_write_X509(f, cert);
	if (!ok || fflush(f) != 0 || fsync(fileno(f)) != 0) {
		rc = rq_fail_errno(RQ_EIO, errno, "cannot write %s", tmp);
		goto done;
	}
	if (fclose(f) != 0) {
		f = NULL;
		rc = rq_fail_errno(RQ_EIO, errno, "cannot write %s", tmp);
		goto done;
	}
	f = NULL;
	if (rename(tmp, path) < 0)
		rc = rq_fail_errno(RQ_EIO, errno, "cannot rename %s to %s", tmp, path);
done:
	if (f)
		fclose(f);
	if (rc < 0)
		unlink(tmp);
	return rc;
}

/* "DNS:a,IP:b" for the subjectAltName; names limited to safe characters. */
static int build_san(char *out, size_t size, const char *const *hosts, size_t n)
{
	int rc = 0;
	out[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		const char *h = hosts[i];
		unsigned char probe[16];
		int is_ip = inet_pton(AF_INET, h, probe) == 1 || inet_pton(AF_INET6, h, probe) == 1;
		if (!is_ip && (!*h || strlen(h) > 253 ||
			       strspn(h, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
					 "0123456789.-*") != strlen(h))) {
			rc = rq_fail(RQ_EINVAL, "--host '%s': not an IP address or a DNS name", h);
			goto done;
		}
		size_t used = strlen(out);
		int w = snprintf(out + used, size - used, "%s%s:%s", used ? "," : "",
				 is_ip ? "IP" : "DNS", h);
		if (w < 0 || (size_t)w >= size - used) {
			rc = rq_fail(RQ_ELIMIT, "too many --host names");
			goto done;
		}
	}
done:
	return rc;
}

static int read_existing(const char *cert_path, const char *key_path, X509 **cert,
			 EVP_PKEY **key)
{
	int rc = 0;
	FILE *f = fopen(cert_path, "r");
	if (f) {
		*cert = PEM_read_X509(f, NULL, NULL, NULL);
		fclose(f);
	}
	f = fopen(key_path, "r");
	if (f) {
		*key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
		fclose(f);
	}
	if (!*cert || !*key || X509_check_private_key(*cert, *key) != 1)
		rc = rq_fail(RQ_EINVAL, "%s and %s exist but are not a matching certificate and "
			     "key", cert_path, key_path);
	return rc;
}

int rq_tls_init(const char *dir, const char *const *hosts, size_t host_count, int force,
		rq_tls_init_result *out)
{
	int rc = 0;
	EVP_PKEY *ca_key = NULL, *srv_key = NULL;
	X509 *ca = NULL, *srv = NULL;
	char ca_key_path[4096], san[8192], hostname[256];
	const char *defaults[4] = { "localhost", "127.0.0.1", "::1", NULL };
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned md_len = 0;

	memset(out, 0, sizeof(*out));
	if (host_count > RQ_TLS_MAX_HOSTS) {
		rc = rq_fail(RQ_ELIMIT, "at most %d --host names", RQ_TLS_MAX_HOSTS);
		goto done;
	}
	if (host_count == 0) {
		hosts = defaults;
		host_count = 3;
		if (gethostname(hostname, sizeof(hostname) - 1) == 0 && hostname[0] &&
		    strcmp(hostname, "localhost") != 0) {
			hostname[sizeof(hostname) - 1] = '\0';
			defaults[3] = hostname;
			host_count = 4;
		}
	}
	rc = build_san(san, sizeof(san), hosts, host_count);
	if (rc < 0)
		goto done;
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		rc = rq_fail_errno(RQ_EIO, errno, "cannot create %s", dir);
		goto done;
	}
	snprintf(out->ca_cert, sizeof(out->ca_cert), "%s/ca.crt", dir);
	snprintf(ca_key_path, sizeof(ca_key_path), "%s/ca.key", dir);
	snprintf(out->server_cert, sizeof(out->server_cert), "%s/server.crt", dir);
	snprintf(out->server_key, sizeof(out->server_key), "%s/server.key", dir);
	if (!force && (access(out->server_cert, F_OK) == 0 || access(out->server_key, F_OK) == 0)) {
		rc = rq_fail(RQ_EINVAL, "%s already holds server.crt/server.key; --force replaces "
			     "them (the CA is kept)", dir);
		goto done;
	}
	if (access(out->ca_cert, F_OK) == 0 && access(ca_key_path, F_OK) == 0) {
		rc = read_existing(out->ca_cert, ca_key_path, &ca, &ca_key);
		if (rc < 0)
			goto done;
		out->ca_reused = 1;
	} else {
		ca_key = EVP_EC_gen("P-256");
		if (!ca_key) {
			rc = rq_fail(RQ_ERROR, "cannot generate the CA key (OpenSSL)");
			goto done;
		}
		rc = make_cert(&ca, ca_key, ca_key, NULL, "raquet-server CA", RQ_TLS_CA_DAYS, NULL);
		if (rc < 0)
			goto done;
		rc = write_pem(ca_key_path, 0600, ca_key, NULL);
		if (rc < 0)
			goto done;
		rc = write_pem(out->ca_cert, 0644, NULL, ca);
		if (rc < 0)
			goto done;
	}
	srv_key = EVP_EC_gen("P-256");
	if (!srv_key) {
		rc = rq_fail(RQ_ERROR, "cannot generate the server key (OpenSSL)");
		goto done;
	}
	rc = make_cert(&srv, srv_key, ca_key, ca, hosts[0], RQ_TLS_SERVER_DAYS, san);
	if (rc < 0)
		goto done;
	rc = write_pem(out->server_key, 0600, srv_key, NULL);
	if (rc < 0)
		goto done;
	rc = write_pem(out->server_cert, 0644, NULL, srv);
	if (rc < 0)
		goto done;
	if (X509_digest(ca, EVP_sha256(), md, &md_len) == 1) {
		for (unsigned i = 0; i < md_len && 3 * i + 3 <= sizeof(out->ca_sha256); i++)
			snprintf(out->ca_sha256 + 3 * i, 4, "%02X%s", md[i], i + 1 < md_len ? ":" : "");
	}
done:
	EVP_PKEY_free(ca_key);
	EVP_PKEY_free(srv_key);
	X509_free(ca);
	X509_free(srv);
	return rc;
}

int rq_tls_init_main(int argc, char **argv)
{
	int status = 1, force = 0;
	const char *dir = NULL;
	const char *hosts[RQ_TLS_MAX_HOSTS + 1];
	size_t n = 0;
	rq_tls_init_result res;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--dir") && i + 1 < argc) {
			dir = argv[++i];
		} else if (!strcmp(argv[i], "--host") && i + 1 < argc) {
			if (n == RQ_TLS_MAX_HOSTS + 1) {
				fprintf(stderr, "raquet-server tls-init: at most %d --host names\n",
					RQ_TLS_MAX_HOSTS);
				goto done;
			}
			hosts[n++] = argv[++i];
		} else if (!strcmp(argv[i], "--force")) {
			force = 1;
		} else if (!strcmp(argv[i], "--help")) {
			printf("usage: raquet-server tls-init --dir DIR [--host NAME]... [--force]\n"
			       "  makes DIR/ca.crt, ca.key (kept if present), server.crt, server.key\n");
			status = 0;
			goto done;
		} else {
			fprintf(stderr, "raquet-server tls-init: %s: unknown option or missing value "
				"(usage: tls-init --dir DIR [--host NAME]... [--force])\n", argv[i]);
			goto done;
		}
	}
	if (!dir) {
		fprintf(stderr, "raquet-server tls-init: --dir DIR is required\n");
		goto done;
	}
	if (rq_tls_init(dir, hosts, n, force, &res) < 0) {
		fprintf(stderr, "raquet-server tls-init: %s\n", rq_error_last());
		goto done;
	}
	printf("%s CA:        %s\n", res.ca_reused ? "existing" : "new", res.ca_cert);
	printf("CA SHA-256:    %s\n", res.ca_sha256);
	printf("server cert:   %s\n", res.server_cert);
	printf("server key:    %s (mode 0600)\n", res.server_key);
	printf("Agents must pin the CA certificate: %s\n", res.ca_cert);
	status = 0;
done:
	return status;
}
