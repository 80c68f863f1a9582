/*
 * One e-mail as it goes to the SMTP server: RFC 5322 headers (Date in the
 * province's time, Message-ID, From, To, an RFC 2047 encoded UTF-8
 * Subject, MIME-Version) and a UTF-8 text/plain body in base64, every
 * line ending in CRLF. Implemented in message.c; used by the reminders
 * (docs/campaigns.md).
 */
#ifndef RQ_SERVER_MAIL_MESSAGE_H
#define RQ_SERVER_MAIL_MESSAGE_H

#include <stddef.h>
#include <stdint.h>

/* Longest subject and body accepted, in bytes (a reminder is a few KiB;
 * a department's summary of hundreds of units stays well below). */
#define RQ_MAIL_SUBJECT_MAX 998
#define RQ_MAIL_BODY_MAX (512 * 1024)

typedef struct rq_mail_message {
	const char *from;       /* checked address (address.h) */
	const char *from_name;  /* UTF-8 display name of the sender, may be NULL */
	const char *to;         /* checked address */
	const char *subject;    /* UTF-8, one line */
	const char *body;       /* UTF-8 text, lines ending in '\n' */
	const char *message_id; /* "<...@...>" */
	int64_t date;           /* Unix seconds, written in UTC+7 */
} rq_mail_message;

/*
 * The message text into *out (free()) of *out_len bytes. RQ_EINVAL when
 * the subject or body is not UTF-8, the subject has a line break, or a
 * limit is passed.
 */
int rq_mail_compose(const rq_mail_message *m, char **out, size_t *out_len);

/*
 * `text` as RFC 2047 encoded words ("=?UTF-8?B?...?=", each at most 75
 * characters, never splitting a character), separated by CRLF SPACE so
 * that the header folds; appended to *out (free()). ASCII-only text is
 * encoded too (it is simpler for readers to handle one form).
 */
int rq_mail_encode_words(const char *text, char **out);

#endif
