/*
 * Admin API of the reminders (docs/api-admin/reminders.md): what each
 * logged-in user should be reminded of -- the overdue and at-risk
 * obligations of the campaigns in their part of the province -- and the
 * log of reminder e-mails (administrators only). Implemented in
 * reminders.c; the e-mails themselves: campaign/remind.h.
 */
#ifndef RQ_SERVER_API_REMINDERS_H
#define RQ_SERVER_API_REMINDERS_H

#include "api/ctx.h"
#include "http/router.h"

int rq_api_reminders_routes(rq_http_router *router, const rq_api_ctx *ctx);

#endif
