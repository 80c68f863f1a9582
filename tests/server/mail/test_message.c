/*
 * E-mail addresses and messages (server/mail/address.c, message.c):
 * addresses that could inject a header or an SMTP command refused; RFC
 * 2047 words of at most 75 characters that decode back to the subject
 * without splitting a character; a composed message with CRLF lines of
 * at most 78 characters, the Date in the province's zone whatever TZ,
 * and a base64 body that decodes back to the text.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>

#include "testutil.h"
#include "mail/address.h"
#include "mail/message.h"

static void test_addresses(void **state)
{
	(void)state;
	const char *good[] = {"a@b.vn", "nguyen.van-a+ttcntt@stttt.caobang.gov.vn", "x_y@xn--bc-lca.vn", "O'Brien@x.org"};
	const char *bad[] = {"", "a", "@x.vn", "a@", "a@x", "a..b@x.vn", ".a@x.vn", "a.@x.vn", "a@-x.vn", "a@x-.vn",
			     "a@x..vn", "a@x.vn.", "a b@x.vn", "ä@x.vn", "a@thành.vn", "a@x.vn\r\nBcc: y@z.vn",
			     "a@x.vn>", "<a@x.vn>", "a\"b@x.vn", "a@x.vn,b@y.vn", "a@b@c.vn"};
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (rq_mail_address_check(good[i]) != 0)
			fail_msg("'%s' refused: %s", good[i], rq_error_last());
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (rq_mail_address_check(bad[i]) != RQ_EINVAL)
			fail_msg("'%s' accepted", bad[i]);
	char local[80], longest[300];
	memset(local, 'a', 65);
	strcpy(local + 65, "@x.vn");
	assert_int_equal(rq_mail_address_check(local), RQ_EINVAL); /* 65 before '@' */
	memset(longest, 'b', 252);
	memcpy(longest, "a@", 2);
	strcpy(longest + 252, ".vn");
	for (int i = 60; i < 252; i += 60)
		longest[i] = '.';
	assert_int_equal(rq_mail_address_check(longest), RQ_EINVAL); /* 255 characters */
	longest[251] = '\0';
	strcat(longest, "vn");
	assert_int_equal(rq_mail_address_check(longest), 0); /* 253 */
	assert_string_equal(rq_mail_address_domain("a@b.vn"), "b.vn");
}

/* Decode the RFC 2047 words of `enc` (separated by CRLF SPACE) into out. */
static void decode_words(const char *enc, char *out)
{
	size_t n = 0;
	for (const char *p = enc; (p = strstr(p, "=?UTF-8?B?"));) {
		const char *start = p + 10, *end = strstr(start, "?=");
		assert_non_null(end);
		assert_true(end + 2 - p <= 75);
		unsigned char buf[128];
		int len = EVP_DecodeBlock(buf, (const unsigned char *)start, (int)(end - start));
		assert_true(len >= 0);
		/* padding bytes decoded as zeros are not part of the text */
		while (len > 0 && buf[len - 1] == 0)
			len--;
		/* each word holds whole characters: it does not end inside one */
		for (int i = 0; i < len;) {
			int k = buf[i] < 0x80 ? 1 : buf[i] < 0xe0 ? 2 : buf[i] < 0xf0 ? 3 : 4;
			assert_true(i + k <= len);
			i += k;
		}
		memcpy(out + n, buf, (size_t)len);
		n += (size_t)len;
		p = end + 2;
	}
	out[n] = '\0';
}

static void test_words(void **state)
{
	(void)state;
	const char *subject = "[raquet] Quá hạn: Ủy ban nhân dân huyện Bảo Lạc – hạn 25/06/2023 (đã quá hạn 12 ngày)";
	char *enc = NULL, dec[512];
	assert_int_equal(rq_mail_encode_words(subject, &enc), 0);
	assert_non_null(strstr(enc, "?=\r\n =?UTF-8?B?")); /* long: several words, folded */
	decode_words(enc, dec);
	assert_string_equal(dec, subject);
	free(enc);
	assert_int_equal(rq_mail_encode_words("a\r\nBcc: x@y.vn", &enc), RQ_EINVAL);
	assert_int_equal(rq_mail_encode_words("\xc3\x28", &enc), RQ_EINVAL); /* not UTF-8 */
	assert_null(enc);
}

static void test_compose(void **state)
{
	(void)state;
	const char *body = "Kính gửi Trần Thị Ánh,\n\nĐơn vị còn 2 việc chưa hoàn thành.\n\n-- English --\nDear Ánh,\n";
	rq_mail_message m = {.from = "raquet@stttt.example.gov.vn",
			     .from_name = "Hệ thống rà quét mã độc của Sở Thông tin và Truyền thông",
			     .to = "anh.tt@donvi.example.gov.vn",
			     .subject = "[raquet] Nhắc hạn: Sở Nội vụ – hạn 25/06/2023 (còn 7 ngày)",
			     .body = body,
			     .message_id = "<raquet.reminder.1.2@stttt.example.gov.vn>",
			     .date = 0};
	char *text = NULL;
	size_t len = 0;
	setenv("TZ", "America/Los_Angeles", 1);
	tzset();
	assert_int_equal(rq_mail_compose(&m, &text, &len), 0);
	assert_int_equal(strlen(text), len);
	assert_true(!strncmp(text, "Date: Thu, 01 Jan 1970 07:00:00 +0700\r\n", 39));
	assert_non_null(strstr(text, "\r\nTo: <anh.tt@donvi.example.gov.vn>\r\n"));
	assert_non_null(strstr(text, "\r\nMessage-ID: <raquet.reminder.1.2@stttt.example.gov.vn>\r\n"));
	assert_non_null(strstr(text, "\r\n <raquet@stttt.example.gov.vn>\r\n"));
	assert_non_null(strstr(text, "\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n"));
	/* only CRLF line ends, none longer than 78, nothing but ASCII */
	for (const char *line = text; *line;) {
		const char *eol = strstr(line, "\r\n");
		assert_non_null(eol);
		assert_true(eol - line <= 78);
		for (const char *p = line; p < eol; p++)
			assert_true(*p >= 0x20 && *p < 0x7f);
		line = eol + 2;
	}
	/* the body decodes back, with CRLF line ends */
	const char *b64 = strstr(text, "\r\n\r\n") + 4;
	char joined[4096] = "", decoded[4096];
	for (const char *p = b64; *p; p++)
		if (*p != '\r' && *p != '\n')
			strncat(joined, p, 1);
	int n = EVP_DecodeBlock((unsigned char *)decoded, (const unsigned char *)joined, (int)strlen(joined));
	assert_true(n > 0);
	while (n > 0 && decoded[n - 1] == 0)
		n--;
	decoded[n] = '\0';
	assert_string_equal(decoded, "Kính gửi Trần Thị Ánh,\r\n\r\nĐơn vị còn 2 việc chưa hoàn thành.\r\n\r\n-- English --\r\n"
				     "Dear Ánh,\r\n");
	free(text);
	/* refused: a subject with a line break, a body that is not UTF-8 */
	m.subject = "x\nBcc: y@z.vn";
	assert_int_equal(rq_mail_compose(&m, &text, &len), RQ_EINVAL);
	m.subject = "ok";
	m.body = "\xff\xfe";
	assert_int_equal(rq_mail_compose(&m, &text, &len), RQ_EINVAL);
	assert_null(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_addresses),
		cmocka_unit_test(test_words),
		cmocka_unit_test(test_compose),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
