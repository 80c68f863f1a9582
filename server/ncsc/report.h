/*
 * The AVReport document of the national monitoring centre (edXML, QCVN
 * 102:2016/BTTTT): built from the store and the [ncsc] identity, then
 * signed (sign.h) and checked against the project's schema (schema.h).
 * Structure and field mapping: docs/ncsc.md; values: mapping.h.
 */
#ifndef RQ_SERVER_NCSC_REPORT_H
#define RQ_SERVER_NCSC_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "config/config.h"
#include "store/store.h"

/*
 * The unsigned document at time `now` (Unix seconds) into *out (an
 * xmlDocPtr; free with xmlFreeDoc). The edXMLHeader holds the
 * MessageHeader only; the signature goes after it.
 */
int rq_ncsc_report_build(rq_store *s, const rq_srv_config *cfg, int64_t now, void **out);

/*
 * The whole chain: build, sign with [ncsc] sign_cert/sign_key, validate
 * against the schema, serialise (UTF-8, indented). *out_xml (malloc'd,
 * NUL-terminated; free()) and *out_len get the document as it is to be
 * sent. A document that fails validation is RQ_EINVAL with the schema's
 * first complaint.
 */
int rq_ncsc_report_make(rq_store *s, const rq_srv_config *cfg, int64_t now, char **out_xml, size_t *out_len);

#endif
