/*
 * Content-Disposition of downloads (attachment.h).
 */
#include "api/attachment.h"

#include <stdio.h>
#include <string.h>

/* `s` percent-encoded for filename* (RFC 5987 attr-char kept). */
static void pct_encode(const char *s, char *out, size_t size)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p && n + 4 < size; p++) {
		int keep = (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
			   strchr("!#$&+-.^_`|~", *p);
		if (keep)
			out[n++] = (char)*p;
		else {
			out[n++] = '%';
			out[n++] = hex[*p >> 4];
			out[n++] = hex[*p & 15];
		}
	}
	out[n] = '\0';
}

int rq_api_attachment(rq_http_resp *resp, const char *ascii, const char *utf8)
{
	char plain[RQ_ATTACHMENT_NAME_MAX + 1], encoded[RQ_ATTACHMENT_NAME_MAX * 3 + 1];
	char header[sizeof(plain) + sizeof(encoded) + 64];
	if (!ascii) {
		size_t n = 0;
		for (const unsigned char *p = (const unsigned char *)utf8; *p && n < RQ_ATTACHMENT_NAME_MAX; p++)
			plain[n++] = *p >= 0x20 && *p < 0x7f && *p != '"' && *p != '\\' ? (char)*p : '_';
		plain[n] = '\0';
		ascii = plain;
	}
	pct_encode(utf8, encoded, sizeof(encoded));
	snprintf(header, sizeof(header), "attachment; filename=\"%.*s\"; filename*=UTF-8''%s", RQ_ATTACHMENT_NAME_MAX,
		 ascii, encoded);
	return rq_http_resp_header(resp, "Content-Disposition", header);
}
