/*
 * Validation of reports against the embedded XSD (schema.h). The compiled
 * xmlSchema is shared read-only; each validation has its own context and
 * collects the first error through a structured error callback.
 */
#include "ncsc/schema.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/xmlschemas.h>

#include "core/error.h"

static pthread_once_t compile_once = PTHREAD_ONCE_INIT;
static xmlSchemaPtr schema;
static char compile_why[256];

static void on_schema_error(void *ctx, const xmlError *err)
{
	char *why = ctx;
	if (why[0] == '\0' && err && err->message) {
		snprintf(why, 256, "line %d: %s", err->line, err->message);
		size_t n = strlen(why);
		while (n && (why[n - 1] == '\n' || why[n - 1] == ' '))
			why[--n] = '\0';
	}
}

static void compile_schema(void)
{
	xmlSchemaParserCtxtPtr pctx;
	xmlInitParser();
	pctx = xmlSchemaNewMemParserCtxt((const char *)rq_ncsc_xsd, (int)rq_ncsc_xsd_len);
	if (!pctx) {
		snprintf(compile_why, sizeof(compile_why), "out of memory");
		return;
	}
	xmlSchemaSetParserStructuredErrors(pctx, (xmlStructuredErrorFunc)on_schema_error, compile_why);
	schema = xmlSchemaParse(pctx);
	xmlSchemaFreeParserCtxt(pctx);
	if (!schema && compile_why[0] == '\0')
		snprintf(compile_why, sizeof(compile_why), "the schema does not compile");
}

int rq_ncsc_schema_validate(void *doc)
{
	char why[256] = "";
	xmlSchemaValidCtxtPtr vctx = NULL;
	int rc = 0, result;
	pthread_once(&compile_once, compile_schema);
	if (!schema) {
		rc = rq_fail(RQ_ERROR, "ncsc: the AVReport schema: %s", compile_why);
		goto done;
	}
	vctx = xmlSchemaNewValidCtxt(schema);
	if (!vctx) {
		rc = rq_fail(RQ_ENOMEM, "ncsc: schema validation: out of memory");
		goto done;
	}
	xmlSchemaSetValidStructuredErrors(vctx, (xmlStructuredErrorFunc)on_schema_error, why);
	result = xmlSchemaValidateDoc(vctx, doc);
	if (result != 0)
		rc = rq_fail(RQ_EINVAL, "ncsc: the report does not match the AVReport schema: %s",
			     why[0] ? why : "validation failed");
done:
	xmlSchemaFreeValidCtxt(vctx);
	return rc;
}

int rq_ncsc_schema_validate_text(const char *xml, size_t len)
{
	int rc;
	xmlDocPtr doc;
	if (len > (size_t)INT32_MAX)
		return rq_fail(RQ_ELIMIT, "ncsc: the report is too large to check");
	doc = xmlReadMemory(xml, (int)len, "avreport.xml", NULL, XML_PARSE_NONET);
	if (!doc)
		return rq_fail(RQ_EINVAL, "ncsc: the report is not well-formed XML");
	rc = rq_ncsc_schema_validate(doc);
	xmlFreeDoc(doc);
	return rc;
}
