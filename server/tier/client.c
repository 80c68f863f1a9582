/*
 * HTTPS calls to the upstream (client.h) through the dlopen'ed libcurl of
 * lib/db/curl_dl.h.
 */
#include "tier/client.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/token.h"
#include "core/error.h"
#include "db/curl_dl.h"

/* "Authorization: Bearer rqd_..." from the credential file (read at each
 * call, so a new credential needs no restart). */
static int auth_header(const rq_srv_config *cfg, char *out, size_t size)
{
	char token[RQ_TOKEN_MAX + 2];
	size_t n = 0;
	int rc = 0;
	FILE *f = fopen(cfg->upstream_credential_file, "r");
	if (!f)
		return rq_fail_errno(RQ_EIO, errno, "upstream: cannot read the credential file '%s'",
				     cfg->upstream_credential_file);
	n = fread(token, 1, sizeof(token) - 1, f);
	fclose(f);
	while (n && (token[n - 1] == '\n' || token[n - 1] == '\r' || token[n - 1] == ' '))
		n--;
	if (!rq_token_well_formed(RQ_TIER_TOKEN_PREFIX, token, n))
		rc = rq_fail(RQ_EINVAL, "upstream: '%s' does not hold a downstream credential",
			     cfg->upstream_credential_file);
	else
		snprintf(out, size, "Authorization: Bearer %.*s", (int)n, token);
	memset(token, 0, sizeof(token));
	return rc;
}

int rq_tier_call(const rq_srv_config *cfg, const char *method, const char *path, const char *body, long *out_status,
		 char **out_answer)
{
	const rq_curl_api *C = rq_curl();
	CURL *h = NULL;
	struct curl_slist *headers = NULL;
	char auth[RQ_TOKEN_MAX + 32] = "", curl_why[CURL_ERROR_SIZE] = "";
	size_t ulen = strlen(cfg->upstream_url) + strlen(path) + 1;
	char *url = malloc(ulen);
	rq_curl_head answer = { malloc(RQ_TIER_ANSWER_MAX + 1), 0, RQ_TIER_ANSWER_MAX };
	int rc = 0;
	CURLcode res;
	*out_status = 0;
	*out_answer = NULL;
	if (!C) {
		rc = rq_fail(RQ_ERROR, "upstream: %s", rq_error_last());
		goto done;
	}
	if (!url || !answer.buf) {
		rc = rq_fail(RQ_ENOMEM, "upstream: out of memory");
		goto done;
	}
	answer.buf[0] = '\0';
	/* the configured URL without a trailing '/', then the path */
	snprintf(url, ulen, "%.*s%s",
		 (int)(strlen(cfg->upstream_url) - (cfg->upstream_url[strlen(cfg->upstream_url) - 1] == '/')),
		 cfg->upstream_url, path);
	if ((rc = auth_header(cfg, auth, sizeof(auth))) < 0)
		goto done;
	h = C->easy_init();
	headers = C->slist_append(NULL, auth);
	if (headers && body)
		headers = C->slist_append(headers, "Content-Type: application/json");
	if (!h || !headers) {
		rc = rq_fail(RQ_ENOMEM, "upstream: out of memory");
		goto done;
	}
	C->easy_setopt(h, CURLOPT_URL, url);
	C->easy_setopt(h, CURLOPT_PROTOCOLS_STR, "https");
	C->easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	C->easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	C->easy_setopt(h, CURLOPT_TIMEOUT, (long)cfg->upstream_timeout);
	C->easy_setopt(h, CURLOPT_CONNECTTIMEOUT, (long)cfg->upstream_timeout);
	C->easy_setopt(h, CURLOPT_HTTPHEADER, headers);
	if (!strcmp(method, "POST")) {
		C->easy_setopt(h, CURLOPT_POST, 1L);
		C->easy_setopt(h, CURLOPT_POSTFIELDS, body ? body : "");
		C->easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)(body ? strlen(body) : 0));
	}
	C->easy_setopt(h, CURLOPT_WRITEFUNCTION, rq_curl_keep_head);
	C->easy_setopt(h, CURLOPT_WRITEDATA, &answer);
	C->easy_setopt(h, CURLOPT_ERRORBUFFER, curl_why);
	C->easy_setopt(h, CURLOPT_USERAGENT, "raquet-server-tier");
	rq_curl_verify_tls(C, h, *cfg->upstream_ca_file ? cfg->upstream_ca_file : NULL, NULL);
	res = C->easy_perform(h);
	if (res != CURLE_OK) {
		rc = rq_fail(res == CURLE_OPERATION_TIMEDOUT ? RQ_ELIMIT : RQ_EIO, "%s %s: %s", method, path,
			     curl_why[0] ? curl_why : C->easy_strerror(res));
		goto done;
	}
	C->easy_getinfo(h, CURLINFO_RESPONSE_CODE, out_status);
	*out_answer = answer.buf;
	answer.buf = NULL;
done:
	if (C) {
		C->slist_free_all(headers);
		if (h)
			C->easy_cleanup(h);
	}
	memset(auth, 0, sizeof(auth));
	free(answer.buf);
	free(url);
	return rc;
}
