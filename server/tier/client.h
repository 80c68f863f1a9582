/*
 * A downstream server's HTTPS calls to its upstream (libcurl, the
 * project's one TLS policy): the upstream's certificate verified against
 * [upstream] ca_file (or the system's CAs), only https:// spoken, no
 * redirect followed, the credential sent as a bearer token and never
 * written anywhere else. Used by the report worker (upward.h).
 */
#ifndef RQ_SERVER_TIER_CLIENT_H
#define RQ_SERVER_TIER_CLIENT_H

#include <stddef.h>

#include "config/config.h"

/* Largest answer kept: the upstream's answers are a few hundred bytes. */
#define RQ_TIER_ANSWER_MAX 65536

/*
 * `method` ("GET" or "POST") `path` (from "/api/v1/...") on the upstream,
 * with `body` (POST: JSON, may be NULL for GET). 0 when the upstream
 * answered (any status in *out_status, its body, NUL-terminated and cut at
 * RQ_TIER_ANSWER_MAX, in *out_answer: free()); negative when no answer
 * came (credential unreadable, connection, TLS, timeout), rq_error_last
 * saying why -- never with the credential in it.
 */
int rq_tier_call(const rq_srv_config *cfg, const char *method, const char *path, const char *body, long *out_status,
		 char **out_answer);

#endif
