/*
 * HTTPS delivery of reports (deliver.h) through the dlopen'ed libcurl of
 * lib/db/curl_dl.h, with the project's one TLS policy (rq_curl_verify_tls).
 */
#include "ncsc/deliver.h"

#include <string.h>

#include "core/error.h"
#include "db/curl_dl.h"

int rq_ncsc_post(const rq_srv_config *cfg, const char *url, const char *xml, size_t len, long *out_status,
		 char excerpt[RQ_NCSC_EXCERPT_MAX + 1])
{
	const rq_curl_api *C = rq_curl();
	CURL *h = NULL;
	struct curl_slist *headers = NULL;
	rq_curl_head body = { excerpt, 0, RQ_NCSC_EXCERPT_MAX };
	char curl_why[CURL_ERROR_SIZE] = "";
	int rc = 0;
	CURLcode res;
	*out_status = 0;
	excerpt[0] = '\0';
	if (!C) {
		rc = rq_fail(RQ_ERROR, "ncsc: %s", rq_error_last());
		goto done;
	}
	h = C->easy_init();
	headers = C->slist_append(NULL, "Content-Type: text/xml");
	if (!h || !headers) {
		rc = rq_fail(RQ_ENOMEM, "ncsc: out of memory");
		goto done;
	}
	C->easy_setopt(h, CURLOPT_URL, url);
	C->easy_setopt(h, CURLOPT_PROTOCOLS_STR, "https");
	C->easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	C->easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	C->easy_setopt(h, CURLOPT_TIMEOUT, (long)cfg->ncsc_timeout);
	C->easy_setopt(h, CURLOPT_CONNECTTIMEOUT, (long)cfg->ncsc_timeout);
	C->easy_setopt(h, CURLOPT_HTTPHEADER, headers);
	C->easy_setopt(h, CURLOPT_POST, 1L);
	C->easy_setopt(h, CURLOPT_POSTFIELDS, xml);
	C->easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	C->easy_setopt(h, CURLOPT_WRITEFUNCTION, rq_curl_keep_head);
	C->easy_setopt(h, CURLOPT_WRITEDATA, &body);
	C->easy_setopt(h, CURLOPT_ERRORBUFFER, curl_why);
	C->easy_setopt(h, CURLOPT_USERAGENT, "raquet-server-ncsc");
	rq_curl_verify_tls(C, h, *cfg->ncsc_ca_file ? cfg->ncsc_ca_file : NULL, NULL);
	if (*cfg->ncsc_client_cert) {
		C->easy_setopt(h, CURLOPT_SSLCERT, cfg->ncsc_client_cert);
		C->easy_setopt(h, CURLOPT_SSLKEY, cfg->ncsc_client_key);
	}
	res = C->easy_perform(h);
	if (res != CURLE_OK) {
		rc = rq_fail(res == CURLE_OPERATION_TIMEDOUT ? RQ_ELIMIT : RQ_EIO, "POST %s: %s", url,
			     curl_why[0] ? curl_why : C->easy_strerror(res));
		goto done;
	}
	C->easy_getinfo(h, CURLINFO_RESPONSE_CODE, out_status);
done:
	if (C) {
		C->slist_free_all(headers);
		if (h)
			C->easy_cleanup(h);
	}
	return rc;
}
