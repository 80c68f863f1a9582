/*
 * Composing e-mails (message.h). The date is written in the province's
 * zone whatever the server's TZ, so every reminder reads the same.
 */
#include "mail/message.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>

#include "campaign/deadline.h"
#include "core/error.h"
#include "core/strbuf.h"

/* Bytes of UTF-8 encoded in one word: 36 bytes -> 48 base64 characters,
 * plus "=?UTF-8?B?" and "?=" is 60 <= 75, so that "Subject: " and the
 * first word stay within 78 characters too. */
#define WORD_BYTES 36
/* Bytes of the body per base64 line: 57 -> 76 characters. */
#define LINE_BYTES 57

/* Length of the UTF-8 sequence starting at s (0 when malformed). */
static size_t utf8_len(const unsigned char *s)
{
	size_t n = s[0] < 0x80 ? 1 : (s[0] & 0xe0) == 0xc0 ? 2 : (s[0] & 0xf0) == 0xe0 ? 3 : (s[0] & 0xf8) == 0xf0 ? 4 : 0;
	if (n == 2 && s[0] < 0xc2)
		return 0;
	for (size_t i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

static int utf8_ok(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p;) {
		size_t n = utf8_len(p);
		if (!n)
			return 0;
		p += n;
	}
	return 1;
}

static void put_base64(rq_strbuf *b, const unsigned char *data, size_t n)
{
	unsigned char out[4 * ((LINE_BYTES + 2) / 3) + 1];
	int len = EVP_EncodeBlock(out, data, (int)n);
	rq_strbuf_put(b, (const char *)out, (size_t)len);
}

static void put_words(rq_strbuf *b, const char *text)
{
	const unsigned char *p = (const unsigned char *)text;
	int first = 1;
	do {
		size_t take = 0;
		while (p[take]) {
			size_t n = utf8_len(p + take);
			if (take + n > WORD_BYTES)
				break;
			take += n;
		}
		if (!first)
			rq_strbuf_puts(b, "\r\n ");
		rq_strbuf_puts(b, "=?UTF-8?B?");
		put_base64(b, p, take);
		rq_strbuf_puts(b, "?=");
		p += take;
		first = 0;
	} while (*p);
}

int rq_mail_encode_words(const char *text, char **out)
{
	rq_strbuf b = rq_strbuf_init(4 * RQ_MAIL_SUBJECT_MAX);
	*out = NULL;
	if (!text || !utf8_ok(text) || strpbrk(text, "\r\n"))
		return rq_fail(RQ_EINVAL, "mail: a header must be one line of UTF-8 text");
	put_words(&b, text);
	if (b.no_mem || b.too_long) {
		int no_mem = b.no_mem;
		rq_strbuf_free(&b);
		return rq_fail(no_mem ? RQ_ENOMEM : RQ_EINVAL, "mail: header too long");
	}
	*out = b.p;
	return 0;
}

/* RFC 5322 date of `t` in the province's zone: "Mon, 07 Dec 2026 19:30:00 +0700". */
static void date_header(int64_t t, char out[64])
{
	static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
	static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
					     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	struct tm tm;
	time_t local = (time_t)(t + RQ_PROVINCE_UTC_OFFSET);
	memset(&tm, 0, sizeof(tm));
	gmtime_r(&local, &tm);
	snprintf(out, 64, "%s, %02d %s %04d %02d:%02d:%02d +%02d%02d", days[tm.tm_wday % 7], tm.tm_mday,
		 months[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec,
		 RQ_PROVINCE_UTC_OFFSET / 3600, RQ_PROVINCE_UTC_OFFSET % 3600 / 60);
}

int rq_mail_compose(const rq_mail_message *m, char **out, size_t *out_len)
{
	rq_strbuf b = rq_strbuf_init(2 * RQ_MAIL_BODY_MAX + 8 * RQ_MAIL_SUBJECT_MAX);
	char date[64];
	size_t body_len = m->body ? strlen(m->body) : 0;
	int rc = 0;
	*out = NULL;
	*out_len = 0;
	if (!m->subject || strlen(m->subject) > RQ_MAIL_SUBJECT_MAX || !utf8_ok(m->subject) ||
	    strpbrk(m->subject, "\r\n")) {
		rc = rq_fail(RQ_EINVAL, "mail: the subject must be one line of UTF-8, at most %d bytes",
			     RQ_MAIL_SUBJECT_MAX);
		goto done;
	}
	if (!m->body || body_len > RQ_MAIL_BODY_MAX || !utf8_ok(m->body)) {
		rc = rq_fail(RQ_EINVAL, "mail: the body must be UTF-8, at most %d bytes", RQ_MAIL_BODY_MAX);
		goto done;
	}
	if (m->from_name && (!utf8_ok(m->from_name) || strpbrk(m->from_name, "\r\n"))) {
		rc = rq_fail(RQ_EINVAL, "mail: the sender's name must be one line of UTF-8");
		goto done;
	}
	date_header(m->date, date);
	rq_strbuf_printf(&b, "Date: %s\r\n", date);
	rq_strbuf_puts(&b, "From: ");
	if (m->from_name && *m->from_name) {
		put_words(&b, m->from_name);
		rq_strbuf_puts(&b, "\r\n "); /* the address on a line of its own */
	}
	rq_strbuf_printf(&b, "<%s>\r\nTo: <%s>\r\nMessage-ID: %s\r\nSubject: ", m->from, m->to, m->message_id);
	put_words(&b, m->subject);
	rq_strbuf_puts(&b, "\r\nMIME-Version: 1.0\r\n"
			   "Content-Type: text/plain; charset=UTF-8\r\n"
			   "Content-Transfer-Encoding: base64\r\n"
			   "Auto-Submitted: auto-generated\r\n\r\n");
	/* the body with CRLF line ends, then base64 in lines of 76 */
	rq_strbuf crlf = rq_strbuf_init(2 * RQ_MAIL_BODY_MAX + 2);
	for (const char *p = m->body; *p; p++) {
		if (*p == '\n' && (p == m->body || p[-1] != '\r'))
			rq_strbuf_put(&crlf, "\r", 1);
		rq_strbuf_put(&crlf, p, 1);
	}
	for (size_t off = 0; crlf.p && off < crlf.len; off += LINE_BYTES) {
		size_t n = crlf.len - off < LINE_BYTES ? crlf.len - off : LINE_BYTES;
		put_base64(&b, (const unsigned char *)crlf.p + off, n);
		rq_strbuf_puts(&b, "\r\n");
	}
	if (crlf.no_mem || b.no_mem || b.too_long)
		rc = rq_fail(RQ_ENOMEM, "mail: out of memory composing a message");
	rq_strbuf_free(&crlf);
	if (rc == 0) {
		*out = b.p;
		*out_len = b.len;
		b.p = NULL;
	}
done:
	rq_strbuf_free(&b);
	return rc;
}
