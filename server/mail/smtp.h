/*
 * Sending one composed message (message.h) to one recipient through the
 * [smtp] server with libcurl (lib/db/curl_dl.h, loaded on first use): TLS
 * from the start for smtps://, STARTTLS required for smtp:// unless
 * [smtp] starttls = no, the project's one certificate policy
 * (rq_curl_verify_tls), authentication when a user is set. Implemented in
 * smtp.c.
 */
#ifndef RQ_SERVER_MAIL_SMTP_H
#define RQ_SERVER_MAIL_SMTP_H

#include <stddef.h>

#include "config/config.h"

/* Longest reason kept from a failed delivery. */
#define RQ_SMTP_WHY_MAX 400

/*
 * Send `msg` (len bytes) to `rcpt`. 0 when the server accepted it (a 2xx
 * after the data); otherwise a negative code with `why` saying what
 * happened (the server's reply, a refused connection, a timeout) and
 * *out_code the server's last reply code (0: none). The password is never
 * part of `why`.
 */
int rq_smtp_send(const rq_srv_config *cfg, const char *rcpt, const char *msg, size_t len, long *out_code,
		 char why[RQ_SMTP_WHY_MAX + 1]);

#endif
