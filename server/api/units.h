/*
 * Units of the admin API (/api/v1/units...): the caller's visible tree as a
 * flat list, create, read, change (rename, move without cycles), delete
 * (refused while anything hangs on the unit). rq_api_units_routes also
 * registers the unit-related areas beside it: enrollment tokens
 * (enroll_tokens.c), policies (policies.c) and the audit log
 * (audit_log.c). Reference: docs/api-admin/units.md.
 */
#ifndef RQ_SERVER_API_UNITS_H
#define RQ_SERVER_API_UNITS_H

#include "api/admin.h"
#include "http/router.h"

/* Longest unit name (bytes of UTF-8): the longest official names of
 * Vietnamese agencies ("Ban Quản lý dự án đầu tư xây dựng các công trình
 * dân dụng và công nghiệp tỉnh ...") stay below 200 characters, most of
 * them 2-byte or 3-byte. */
#define RQ_UNIT_NAME_MAX 600
/* Unit codes: short identifiers typed on command lines ("STTTT", "UBND-HA"). */
#define RQ_UNIT_CODE_MAX 64
/* Contact: a person, a phone number and an e-mail address on one line. */
#define RQ_UNIT_CONTACT_MAX 500

/* Register the routes of units, enrollment tokens, policies and the audit
 * log (ctx borrowed for the router's life). */
int rq_api_units_routes(rq_http_router *router, const rq_api_ctx *ctx);

/*
 * A text field people type (names, contacts, labels): refused (400
 * "out_of_range" naming `field`, return -1) when it holds control
 * characters (C0, DEL or C1) or, unless `may_be_empty`, nothing but
 * spaces. UTF-8 validity is the JSON parser's check already.
 */
int rq_api_check_text(rq_http_resp *resp, const char *field, const char *value, int may_be_empty);

#endif
