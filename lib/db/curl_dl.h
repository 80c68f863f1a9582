/*
 * libcurl, loaded when the first download starts (dlopen), so that the
 * scanner -- which never downloads -- does not pay at every start for
 * libcurl's two dozen libraries. Only the functions `raquet update` and the
 * agent's client (agent/client.c: request headers) use.
 */
#ifndef RQ_DB_CURL_DL_H
#define RQ_DB_CURL_DL_H

#include <curl/curl.h>

typedef struct rq_curl_api {
	CURLcode (*global_init)(long flags);
	CURL *(*easy_init)(void);
	CURLcode (*easy_setopt)(CURL *curl, CURLoption option, ...);
	CURLcode (*easy_perform)(CURL *curl);
	CURLcode (*easy_getinfo)(CURL *curl, CURLINFO info, ...);
	void (*easy_reset)(CURL *curl);
	void (*easy_cleanup)(CURL *curl);
	const char *(*easy_strerror)(CURLcode code);
	/* request headers (CURLOPT_HTTPHEADER): added at the end, so older users are unchanged */
	struct curl_slist *(*slist_append)(struct curl_slist *list, const char *string);
	void (*slist_free_all)(struct curl_slist *list);
} rq_curl_api;

/*
 * The loaded and globally initialised library (thread-safe, once), or NULL
 * with the last error saying why ("libcurl.so.4 is not installed ...").
 */
const rq_curl_api *rq_curl(void);

/*
 * Verify the server of `h`: its certificate chain and host name, against
 * `ca_file` (NULL: the system's CAs), and when `pin` is set its public key
 * ("sha256//BASE64"). The one TLS policy of updates and the agent's calls.
 */
void rq_curl_verify_tls(const rq_curl_api *C, CURL *h, const char *ca_file, const char *pin);

/*
 * A CURLOPT_WRITEFUNCTION keeping the first `max` bytes of an answer in
 * `buf` (room for max + 1: always NUL-terminated) and dropping the rest
 * without failing the transfer: for answers only read as a status or an
 * excerpt. CURLOPT_WRITEDATA is the rq_curl_head.
 */
typedef struct rq_curl_head {
	char *buf;
	size_t len, max;
} rq_curl_head;
size_t rq_curl_keep_head(char *data, size_t size, size_t n, void *head);

#endif
