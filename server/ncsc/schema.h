/*
 * The project's XSD of the AVReport (server/ncsc/avreport.xsd, embedded in
 * the program at build time) and validation against it with libxml2. The
 * schema is compiled once per process; validations may run in parallel.
 */
#ifndef RQ_SERVER_NCSC_SCHEMA_H
#define RQ_SERVER_NCSC_SCHEMA_H

#include <stddef.h>

/* The XSD text as built into the program (not NUL-terminated). */
extern const unsigned char rq_ncsc_xsd[];
extern const size_t rq_ncsc_xsd_len;

/* 0 when `doc` (an xmlDocPtr) is valid; RQ_EINVAL with "line N: reason"
 * of the first violation otherwise. */
int rq_ncsc_schema_validate(void *doc);

/* Parse `xml` (len bytes) and validate it (as rq_ncsc_schema_validate). */
int rq_ncsc_schema_validate_text(const char *xml, size_t len);

#endif
