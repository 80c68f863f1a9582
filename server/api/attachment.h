/*
 * The Content-Disposition header of a download (an official report, an
 * evidence file): always "attachment", with a plain ASCII filename and the
 * UTF-8 name as filename* (RFC 6266, RFC 5987). Implemented in
 * attachment.c.
 */
#ifndef RQ_SERVER_API_ATTACHMENT_H
#define RQ_SERVER_API_ATTACHMENT_H

#include "http/http.h"

/* Longest UTF-8 file name taken (longer ones are cut). */
#define RQ_ATTACHMENT_NAME_MAX 512

/*
 * Add "Content-Disposition: attachment; filename="ascii";
 * filename*=UTF-8''utf8-percent-encoded" to `resp`. `ascii` may be NULL:
 * it is then made from `utf8`, every byte outside printable ASCII, '"'
 * and '\\' replaced by '_'. 0 or the header's error.
 */
int rq_api_attachment(rq_http_resp *resp, const char *ascii, const char *utf8);

#endif
