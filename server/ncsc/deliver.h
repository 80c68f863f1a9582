/*
 * One HTTPS POST of a report to the national centre (libcurl): the
 * centre's certificate is verified (its CA file, or the system's), an
 * optional client certificate is presented, only https:// is spoken, no
 * redirect is followed, and the whole exchange is bounded by [ncsc]
 * timeout. The answer's status and the start of its body are given back.
 */
#ifndef RQ_SERVER_NCSC_DELIVER_H
#define RQ_SERVER_NCSC_DELIVER_H

#include <stddef.h>

#include "config/config.h"

/* Bytes of the centre's answer kept in the submissions log. */
#define RQ_NCSC_EXCERPT_MAX 512

/*
 * POST `xml` (len bytes) to `url` with Content-Type text/xml. 0 when the
 * centre answered (any status, in *out_status; `excerpt` gets up to
 * RQ_NCSC_EXCERPT_MAX bytes of its body, NUL-terminated); negative when
 * no answer came (connection, TLS, timeout), rq_error_last saying why.
 */
int rq_ncsc_post(const rq_srv_config *cfg, const char *url, const char *xml, size_t len, long *out_status,
		 char excerpt[RQ_NCSC_EXCERPT_MAX + 1]);

#endif
