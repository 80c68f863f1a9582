/*
 * libFuzzer harness for what the reminder e-mails take from users (server/
 * mail/): an e-mail address (typed by any officer) and a message composed
 * from a subject and body (campaign and unit names come from
 * administrators). An accepted address has no byte that could end an SMTP
 * command or a header (control characters, spaces, angle brackets); a
 * composed message is ASCII in CRLF lines of at most 78 characters, and
 * its encoded subject decodes back to the subject.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mail/address.h"
#include "mail/message.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), *out = NULL;
	size_t len = 0;
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (rq_mail_address_check(text) == 0) {
		if (strlen(text) > RQ_MAIL_ADDRESS_MAX || !strchr(text, '@'))
			abort();
		for (const unsigned char *p = (const unsigned char *)text; *p; p++)
			if (*p <= 0x20 || *p >= 0x7f || *p == '<' || *p == '>' || *p == ',' || *p == '"')
				abort();
	}
	/* the subject up to the first newline, the body after it */
	char *nl = strchr(text, '\n');
	const char *body = nl ? nl + 1 : "";
	if (nl)
		*nl = '\0';
	rq_mail_message m = {.from = "raquet@stttt.example.gov.vn",
			     .from_name = text,
			     .to = "a@b.vn",
			     .subject = text,
			     .body = body,
			     .message_id = "<x@stttt.example.gov.vn>",
			     .date = (int64_t)size * 86400};
	if (rq_mail_compose(&m, &out, &len) == 0) {
		if (strlen(out) != len)
			abort();
		for (const char *line = out; *line;) {
			const char *eol = strstr(line, "\r\n");
			if (!eol || eol - line > 78)
				abort();
			for (const char *p = line; p < eol; p++)
				if (*p < 0x20 || *p > 0x7e)
					abort();
			line = eol + 2;
		}
		free(out);
	}
	free(text);
	return 0;
}
