/*
 * JSON over HTTP(S) to raquet-server (client.h) with libcurl loaded on
 * demand: one reused handle per client (keep-alive), bounded answers, TLS
 * peer and host verification always on for https with the pinned key on
 * top, and the pin of a new server's key read from the verified leaf
 * certificate at enrollment.
 */
#include "client.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <openssl/x509.h>

#include "core/error.h"
#include "db/curl_dl.h"
#include "raquet/raquet.h"

struct rq_client {
	const rq_curl_api *C;
	CURL *curl;
	char url[RQ_AGENT_MAX_URL];
	char *ca_file, *pin;
	char auth[RQ_AGENT_MAX_CREDENTIAL + 32]; /* "Authorization: Bearer ..." or "" */
	int https, learn_pin;
	long timeout;
	const volatile sig_atomic_t *cancel;
	char seen_pin[RQ_AGENT_PIN_LEN + 1];
};

int rq_client_url_check(const char *url)
{
	char host[256];
	const char *p;
	if (!strncasecmp(url, "https://", 8)) {
		p = url + 8;
	} else if (!strncasecmp(url, "http://", 7)) {
		p = url + 7;
	} else {
		return rq_fail(RQ_EINVAL, "%s: the server URL must start with https:// (or http:// on loopback)", url);
	}
	size_t n;
	if (*p == '[') {
		n = strcspn(p + 1, "]");
		if (p[1 + n] != ']' || n >= sizeof(host))
			return rq_fail(RQ_EINVAL, "%s: bad IPv6 address", url);
		memcpy(host, p + 1, n);
	} else {
		n = strcspn(p, ":/?#");
		if (n >= sizeof(host))
			return rq_fail(RQ_EINVAL, "%s: host name too long", url);
		memcpy(host, p, n);
	}
	host[n] = '\0';
	if (!n || strchr(host, '@'))
		return rq_fail(RQ_EINVAL, "%s: expected scheme://host[:port]", url);
	if (strlen(url) >= RQ_AGENT_MAX_URL)
		return rq_fail(RQ_EINVAL, "%s: longer than %d characters", url, RQ_AGENT_MAX_URL - 1);
	if (!strncasecmp(url, "https://", 8))
		return 0;
	struct in_addr a4;
	struct in6_addr a6;
	if (!strcasecmp(host, "localhost") || (inet_pton(AF_INET, host, &a4) == 1 && (ntohl(a4.s_addr) >> 24) == 127) ||
	    (inet_pton(AF_INET6, host, &a6) == 1 && IN6_IS_ADDR_LOOPBACK(&a6)))
		return 0;
	return rq_fail(RQ_EINVAL, "%s: plain http is only allowed to a loopback server (development); use https://",
		       url);
}

int rq_client_new(rq_client **out, const rq_client_options *o)
{
	*out = NULL;
	int rc = rq_client_url_check(o->url);
	if (rc)
		return rc;
	const rq_curl_api *C = rq_curl();
	if (!C)
		return RQ_EUNSUPPORTED;
	rq_client *c = calloc(1, sizeof(*c));
	if (!c)
		return rq_fail(RQ_ENOMEM, "out of memory");
	c->C = C;
	snprintf(c->url, sizeof(c->url), "%s", o->url);
	size_t ul = strlen(c->url);
	while (ul && c->url[ul - 1] == '/')
		c->url[--ul] = '\0';
	c->https = !strncasecmp(o->url, "https://", 8);
	c->learn_pin = o->learn_pin;
	c->cancel = o->cancel;
	c->timeout = o->timeout > 0 ? o->timeout : RQ_AGENT_REQUEST_TIMEOUT;
	if ((o->ca_file && *o->ca_file && !(c->ca_file = strdup(o->ca_file))) ||
	    (o->pin && *o->pin && !(c->pin = strdup(o->pin)))) {
		rq_client_free(c);
		return rq_fail(RQ_ENOMEM, "out of memory");
	}
	if (o->credential && *o->credential) {
		if (strlen(o->credential) > RQ_AGENT_MAX_CREDENTIAL || strpbrk(o->credential, "\r\n")) {
			rq_client_free(c);
			return rq_fail(RQ_EINVAL, "the stored credential is malformed: re-enroll");
		}
		snprintf(c->auth, sizeof(c->auth), "Authorization: Bearer %s", o->credential);
	}
	if (!(c->curl = C->easy_init())) {
		rq_client_free(c);
		return rq_fail(RQ_ERROR, "cannot start libcurl");
	}
	*out = c;
	return 0;
}

void rq_client_free(rq_client *c)
{
	if (!c)
		return;
	if (c->curl)
		c->C->easy_cleanup(c->curl);
	free(c->ca_file);
	free(c->pin);
	explicit_bzero(c->auth, sizeof(c->auth));
	free(c);
}

typedef struct sink {
	char *data;
	size_t len, cap;
	int over;
} sink;

static size_t on_data(char *data, size_t size, size_t nmemb, void *payload)
{
	sink *s = payload;
	size_t n = size * nmemb;
	if (s->len + n > RQ_AGENT_MAX_RESPONSE) {
		s->over = 1;
		return 0;
	}
	if (s->len + n + 1 > s->cap) {
		size_t cap = s->cap ? s->cap : 4096;
		while (cap < s->len + n + 1)
			cap *= 2;
		char *nd = realloc(s->data, cap);
		if (!nd)
			return 0;
		s->data = nd;
		s->cap = cap;
	}
	memcpy(s->data + s->len, data, n);
	s->len += n;
	s->data[s->len] = '\0';
	return n;
}

/* libcurl calls this at least once a second during a transfer: a stop request aborts it. */
static int on_progress(void *payload, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
	const rq_client *c = payload;
	return c->cancel && *c->cancel ? 1 : 0;
}

/* "sha256//BASE64" of the public key of a PEM certificate; 0 or -1. */
static int pin_of_pem(const char *pem, char out[RQ_AGENT_PIN_LEN + 1])
{
	int rc = -1;
	unsigned char *der = NULL;
	BIO *bio = BIO_new_mem_buf(pem, -1);
	X509 *x = bio ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
	int len = x ? i2d_X509_PUBKEY(X509_get_X509_PUBKEY(x), &der) : -1;
	if (len > 0) {
		unsigned char md[SHA256_DIGEST_LENGTH];
		unsigned char b64[64];
		SHA256(der, (size_t)len, md);
		EVP_EncodeBlock(b64, md, (int)sizeof(md));
		snprintf(out, RQ_AGENT_PIN_LEN + 1, "sha256//%.44s", (const char *)b64);
		rc = 0;
	}
	OPENSSL_free(der);
	X509_free(x);
	BIO_free(bio);
	return rc;
}

/* The leaf certificate libcurl saw (CURLOPT_CERTINFO) -> c->seen_pin. */
static void learn_pin(rq_client *c)
{
	struct curl_certinfo *ci = NULL;
	c->seen_pin[0] = '\0';
	if (c->C->easy_getinfo(c->curl, CURLINFO_CERTINFO, &ci) != CURLE_OK || !ci || ci->num_of_certs < 1)
		return;
	for (struct curl_slist *l = ci->certinfo[0]; l; l = l->next)
		if (!strncmp(l->data, "Cert:", 5) && pin_of_pem(l->data + 5, c->seen_pin) == 0)
			return;
}

static int verify_failure(CURLcode cc)
{
	return cc == CURLE_PEER_FAILED_VERIFICATION || cc == CURLE_SSL_PINNEDPUBKEYNOTMATCH ||
	       cc == CURLE_SSL_CACERT_BADFILE || cc == CURLE_SSL_CERTPROBLEM;
}

int rq_client_post(rq_client *c, const char *path, const json_t *body, long *status, json_t **answer)
{
	*status = 0;
	*answer = NULL;
	const rq_curl_api *C = c->C;
	CURL *h = c->curl;
	struct curl_slist *headers = NULL;
	char url[RQ_AGENT_MAX_URL + 128], errbuf[CURL_ERROR_SIZE] = "";
	sink s = { 0 };
	int rc = 0;
	char *text = json_dumps(body, JSON_COMPACT);
	if (!text) {
		rc = rq_fail(RQ_ENOMEM, "out of memory");
		goto done;
	}
	snprintf(url, sizeof(url), "%s%s", c->url, path);
	headers = C->slist_append(NULL, "Content-Type: application/json");
	if (headers)
		headers = C->slist_append(headers, "Expect:"); /* no 100-continue round trip */
	if (headers && c->auth[0])
		headers = C->slist_append(headers, c->auth);
	if (!headers) {
		rc = rq_fail(RQ_ENOMEM, "out of memory");
		goto done;
	}
	char ua[64];
	snprintf(ua, sizeof(ua), "raquetd/%s", rq_version());
	C->easy_setopt(h, CURLOPT_URL, url);
	C->easy_setopt(h, CURLOPT_PROTOCOLS_STR, c->https ? "https" : "http");
	C->easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L); /* a redirect must not carry the credential away */
	C->easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	C->easy_setopt(h, CURLOPT_NOPROXY, "*"); /* the agent talks to its server directly */
	C->easy_setopt(h, CURLOPT_CONNECTTIMEOUT, (long)RQ_AGENT_CONNECT_TIMEOUT);
	C->easy_setopt(h, CURLOPT_TIMEOUT, c->timeout);
	C->easy_setopt(h, CURLOPT_USERAGENT, ua);
	C->easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	C->easy_setopt(h, CURLOPT_HTTPHEADER, headers);
	C->easy_setopt(h, CURLOPT_POSTFIELDS, text);
	C->easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(text));
	C->easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
	C->easy_setopt(h, CURLOPT_WRITEDATA, &s);
	C->easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
	C->easy_setopt(h, CURLOPT_XFERINFODATA, c);
	C->easy_setopt(h, CURLOPT_NOPROGRESS, c->cancel ? 0L : 1L);
	if (c->https) {
		rq_curl_verify_tls(C, h, c->ca_file, c->pin);
		C->easy_setopt(h, CURLOPT_CERTINFO, c->learn_pin ? 1L : 0L);
	}
	CURLcode cc = C->easy_perform(h);
	C->easy_setopt(h, CURLOPT_HTTPHEADER, NULL); /* the list is freed below */
	C->easy_setopt(h, CURLOPT_ERRORBUFFER, NULL);
	if (cc != CURLE_OK) {
		const char *why = *errbuf ? errbuf : C->easy_strerror(cc);
		if (cc == CURLE_ABORTED_BY_CALLBACK)
			rc = rq_fail(RQ_ESTOPPED, "POST %s: stopped", url);
		else if (s.over)
			rc = rq_fail(RQ_EIO, "POST %s: the answer is over %d bytes", url, RQ_AGENT_MAX_RESPONSE);
		else if (verify_failure(cc))
			rc = rq_fail(RQ_EVERIFY, "POST %s: the server's certificate did not verify: %s", url, why);
		else
			rc = rq_fail(RQ_EIO, "POST %s: %s", url, why);
		goto done;
	}
	C->easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
	if (c->https && c->learn_pin)
		learn_pin(c);
	if (s.len)
		*answer = json_loadb(s.data, s.len, 0, NULL);
done:
	if (headers)
		C->slist_free_all(headers);
	free(text);
	free(s.data);
	return rc;
}

const char *rq_client_seen_pin(const rq_client *c)
{
	return c->seen_pin;
}

const char *rq_client_reason(const json_t *answer, const char *fallback)
{
	const char *r = json_string_value(json_object_get(answer, "reason"));
	return r && *r ? r : fallback;
}
