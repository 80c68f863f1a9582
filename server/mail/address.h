/*
 * E-mail addresses of users and of the [smtp] sender: the plain
 * "local@domain" form only (no display name, no comments, no quoted local
 * part, an ASCII domain -- an internationalised one in its xn-- form), so
 * that an address can go into an SMTP command and a header as it is.
 * Implemented in address.c; mail overview: docs/campaigns.md (reminders).
 */
#ifndef RQ_SERVER_MAIL_ADDRESS_H
#define RQ_SERVER_MAIL_ADDRESS_H

/* Longest address (RFC 5321's path limit less its angle brackets). */
#define RQ_MAIL_ADDRESS_MAX 254

/* 0 when `addr` is a usable address; RQ_EINVAL saying what is wrong. */
int rq_mail_address_check(const char *addr);

/* The domain of a checked address (after its '@'), borrowed from it. */
const char *rq_mail_address_domain(const char *addr);

#endif
