/*
 * SMTP delivery through libcurl (smtp.h). The message is read from memory
 * by curl's read callback; curl does the SMTP dialogue, the dot-stuffing
 * and STARTTLS.
 */
#include "mail/smtp.h"

#include <stdio.h>
#include <string.h>

#include "core/error.h"
#include "db/curl_dl.h"

typedef struct source {
	const char *p;
	size_t left;
} source;

static size_t on_read(char *buf, size_t size, size_t n, void *payload)
{
	source *src = payload;
	size_t room = size * n, take = src->left < room ? src->left : room;
	memcpy(buf, src->p, take);
	src->p += take;
	src->left -= take;
	return take;
}

int rq_smtp_send(const rq_srv_config *cfg, const char *rcpt, const char *msg, size_t len, long *out_code,
		 char why[RQ_SMTP_WHY_MAX + 1])
{
	const rq_curl_api *C = rq_curl();
	CURL *h = NULL;
	struct curl_slist *rcpts = NULL;
	char from[300], to[300], curl_why[CURL_ERROR_SIZE] = "";
	source src = {msg, len};
	int rc = 0;
	CURLcode res;
	*out_code = 0;
	why[0] = '\0';
	if (!C) {
		snprintf(why, RQ_SMTP_WHY_MAX + 1, "%s", rq_error_last());
		rc = RQ_ERROR;
		goto done;
	}
	snprintf(from, sizeof(from), "<%s>", cfg->smtp_from);
	snprintf(to, sizeof(to), "<%s>", rcpt);
	h = C->easy_init();
	rcpts = C->slist_append(NULL, to);
	if (!h || !rcpts) {
		snprintf(why, RQ_SMTP_WHY_MAX + 1, "out of memory");
		rc = RQ_ENOMEM;
		goto done;
	}
	C->easy_setopt(h, CURLOPT_URL, cfg->smtp_url);
	C->easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	C->easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	C->easy_setopt(h, CURLOPT_TIMEOUT, (long)cfg->smtp_timeout);
	C->easy_setopt(h, CURLOPT_CONNECTTIMEOUT, (long)cfg->smtp_timeout);
	C->easy_setopt(h, CURLOPT_ERRORBUFFER, curl_why);
	if (!strncmp(cfg->smtp_url, "smtp://", 7))
		C->easy_setopt(h, CURLOPT_USE_SSL, (long)(cfg->smtp_starttls ? CURLUSESSL_ALL : CURLUSESSL_NONE));
	rq_curl_verify_tls(C, h, *cfg->smtp_ca_file ? cfg->smtp_ca_file : NULL, NULL);
	if (*cfg->smtp_user) {
		C->easy_setopt(h, CURLOPT_USERNAME, cfg->smtp_user);
		C->easy_setopt(h, CURLOPT_PASSWORD, cfg->smtp_password);
	}
	C->easy_setopt(h, CURLOPT_MAIL_FROM, from);
	C->easy_setopt(h, CURLOPT_MAIL_RCPT, rcpts);
	C->easy_setopt(h, CURLOPT_READFUNCTION, on_read);
	C->easy_setopt(h, CURLOPT_READDATA, &src);
	C->easy_setopt(h, CURLOPT_UPLOAD, 1L);
	C->easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)len);
	res = C->easy_perform(h);
	C->easy_getinfo(h, CURLINFO_RESPONSE_CODE, out_code);
	if (res != CURLE_OK) {
		/* curl's error text quotes the server's reply, never the password */
		snprintf(why, RQ_SMTP_WHY_MAX + 1, "%s", curl_why[0] ? curl_why : C->easy_strerror(res));
		rc = res == CURLE_OPERATION_TIMEDOUT ? RQ_ELIMIT : RQ_EIO;
	}
done:
	if (C) {
		C->slist_free_all(rcpts);
		if (h)
			C->easy_cleanup(h);
	}
	return rc;
}
