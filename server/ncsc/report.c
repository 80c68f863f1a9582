/*
 * Builds the AVReport tree (report.h) with libxml2: the element structure
 * here, every value from mapping.h. Machines are one element per
 * (machine, item) as the centre's format has it.
 */
#include "ncsc/report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "core/error.h"
#include "ncsc/mapping.h"
#include "ncsc/schema.h"
#include "ncsc/sign.h"
#include "store/ncsc.h"

typedef struct builder {
	xmlDocPtr doc;
	xmlNsPtr ns;
	xmlNodePtr malware, connection, os, quality;
	int failed;
} builder;

/* A child element of `parent` with text `value` (cleaned, escaped). */
static xmlNodePtr add_text(builder *b, xmlNodePtr parent, const char *name, const char *value)
{
	char clean[RQ_NCSC_MAX_VALUE + 4];
	xmlNodePtr n;
	if (!parent) {
		b->failed = 1;
		return NULL;
	}
	rq_ncsc_clean_text(value, clean);
	n = xmlNewTextChild(parent, b->ns, BAD_CAST name, BAD_CAST clean);
	if (!n)
		b->failed = 1;
	return n;
}

static xmlNodePtr add_node(builder *b, xmlNodePtr parent, const char *name)
{
	xmlNodePtr n = parent ? xmlNewChild(parent, b->ns, BAD_CAST name, NULL) : NULL;
	if (!n)
		b->failed = 1;
	return n;
}

/* <Machine ip=".." name=".."> under `section`. */
static xmlNodePtr add_machine(builder *b, xmlNodePtr section, const char *ips_json, const char *hostname)
{
	char ip[128], clean[RQ_NCSC_MAX_VALUE + 4];
	xmlNodePtr m = add_node(b, section, "Machine");
	if (!m)
		return NULL;
	rq_ncsc_machine_ip(ips_json, ip, sizeof(ip));
	rq_ncsc_clean_text(ip, clean);
	if (!xmlNewProp(m, BAD_CAST "ip", BAD_CAST clean))
		b->failed = 1;
	rq_ncsc_clean_text(hostname, clean);
	if (!xmlNewProp(m, BAD_CAST "name", BAD_CAST clean))
		b->failed = 1;
	return m;
}

static int on_malware(const rq_ncsc_malware *row, void *payload)
{
	builder *b = payload;
	char files[32];
	xmlNodePtr info = add_node(b, add_machine(b, b->malware, row->ips_json, row->hostname), "MalwareInfo");
	snprintf(files, sizeof(files), "%lld", (long long)row->files);
	add_text(b, info, "MalwareName", row->name);
	add_text(b, info, "MalwareType", rq_ncsc_malware_type(row->type));
	add_text(b, info, "MalwareBehavior", rq_ncsc_behavior(row));
	add_text(b, info, "TypeOfDevice", rq_ncsc_device_type(row->kind));
	add_text(b, info, "NumberFile", files);
	return b->failed;
}

static int on_connection(const rq_ncsc_connection *row, void *payload)
{
	builder *b = payload;
	xmlNodePtr info = add_node(b, add_machine(b, b->connection, row->ips_json, row->hostname), "ConnectionInfo");
	add_text(b, info, "Program", row->process_path);
	add_text(b, info, "md5", rq_ncsc_digest(row->md5, 32));
	add_text(b, info, "Sha2", rq_ncsc_digest(row->sha256, 64));
	add_text(b, info, "TargetIP", row->remote_addr);
	return b->failed;
}

static int on_machine(const rq_ncsc_machine *row, void *payload)
{
	builder *b = payload;
	char os[512], updated[32];
	xmlNodePtr m = add_machine(b, b->os, row->ips_json, row->hostname);
	rq_ncsc_os_name(row->os_name, row->os_version, os, sizeof(os));
	rq_ncsc_last_update(row, updated);
	add_text(b, m, "OSName", os);
	add_text(b, m, "LastUpdate", updated);
	m = add_machine(b, b->quality, row->ips_json, row->hostname);
	add_text(b, m, "AutoProtect", rq_ncsc_flag(row->realtime));
	add_text(b, m, "EnableFirewall", rq_ncsc_flag(row->firewall));
	return b->failed;
}

int rq_ncsc_report_build(rq_store *s, const rq_srv_config *cfg, int64_t now, void **out)
{
	int rc = 0;
	builder b;
	char when[32], subject[96], datetime[32], outdated_text[32];
	int64_t outdated = 0;
	memset(&b, 0, sizeof(b));
	*out = NULL;
	xmlInitParser();
	b.doc = xmlNewDoc(BAD_CAST "1.0");
	xmlNodePtr root = b.doc ? xmlNewNode(NULL, BAD_CAST "edXMLEnvelope") : NULL;
	if (!root) {
		rc = rq_fail(RQ_ENOMEM, "ncsc: out of memory");
		goto done;
	}
	xmlDocSetRootElement(b.doc, root);
	b.ns = xmlNewNs(root, BAD_CAST RQ_NCSC_NS, BAD_CAST RQ_NCSC_NS_PREFIX);
	xmlSetNs(root, b.ns);

	xmlNodePtr header = add_node(&b, root, "edXMLHeader");
	xmlNodePtr message = add_node(&b, header, "MessageHeader");
	xmlNodePtr from = add_node(&b, message, "From");
	add_text(&b, from, "OrganId", cfg->ncsc_organ_id);
	add_text(&b, from, "OrganName", cfg->ncsc_organ_name);
	add_text(&b, from, "OrganAdd", cfg->ncsc_address);
	add_text(&b, from, "Email", cfg->ncsc_email);
	add_text(&b, from, "Telephone", cfg->ncsc_telephone);
	add_text(&b, from, "Fax", cfg->ncsc_fax);
	add_text(&b, from, "Website", cfg->ncsc_website);
	rq_ncsc_time_text(now, when);
	snprintf(subject, sizeof(subject), "Anti Virus Report on %s", when);
	add_text(&b, message, "Subject", subject);

	xmlNodePtr body = add_node(&b, root, "edXMLBody");
	xmlNodePtr report = add_node(&b, body, "AVReport");
	char product[RQ_NCSC_MAX_VALUE + 4];
	rq_ncsc_clean_text(cfg->ncsc_product, product);
	if (report && !xmlNewProp(report, BAD_CAST "name", BAD_CAST product))
		b.failed = 1;
	snprintf(datetime, sizeof(datetime), "%lld", (long long)now);
	add_text(&b, report, "Datetime", datetime);
	b.malware = add_node(&b, report, "Malware");
	b.connection = add_node(&b, report, "Connection");
	add_node(&b, report, "Vulnerability"); /* agents do not assess vulnerabilities: always empty */
	b.os = add_node(&b, report, "OS");
	xmlNodePtr update = add_node(&b, report, "Update");
	b.quality = add_node(&b, report, "QualityFeature");
	if (b.failed) {
		rc = rq_fail(RQ_ENOMEM, "ncsc: out of memory");
		goto done;
	}
	int64_t since = now - (int64_t)cfg->ncsc_period;
	if ((rc = rq_store_ncsc_malware(s, since, on_malware, &b)) < 0 ||
	    (rc = rq_store_ncsc_connections(s, since, on_connection, &b)) < 0 ||
	    (rc = rq_store_ncsc_machines(s, on_machine, &b)) < 0 ||
	    (rc = rq_store_ncsc_outdated(s, now - RQ_NCSC_OUTDATED_DAYS * 86400LL, &outdated)) < 0) {
		if (b.failed)
			rc = rq_fail(RQ_ENOMEM, "ncsc: out of memory");
		goto done;
	}
	snprintf(outdated_text, sizeof(outdated_text), "%lld", (long long)outdated);
	add_text(&b, update, "NumberMachineNotUpdateOn15Day", outdated_text);
	if (b.failed)
		rc = rq_fail(RQ_ENOMEM, "ncsc: out of memory");
done:
	if (rc < 0)
		xmlFreeDoc(b.doc);
	else
		*out = b.doc;
	return rc;
}

int rq_ncsc_report_make(rq_store *s, const rq_srv_config *cfg, int64_t now, char **out_xml, size_t *out_len)
{
	void *built = NULL;
	xmlDocPtr doc = NULL;
	xmlChar *text = NULL;
	int len = 0, rc;
	*out_xml = NULL;
	*out_len = 0;
	rc = rq_ncsc_report_build(s, cfg, now, &built);
	if (rc < 0)
		goto done;
	/* indented for people reading it, then parsed again so that the
	 * signature covers the text exactly as it is sent */
	xmlDocDumpFormatMemoryEnc(built, &text, &len, "UTF-8", 1);
	xmlFreeDoc(built); /* one tree at a time: a province's report is megabytes */
	built = NULL;
	if (!text || len <= 0) {
		rc = rq_fail(RQ_ENOMEM, "ncsc: cannot serialise the report");
		goto done;
	}
	doc = xmlReadMemory((const char *)text, len, "avreport.xml", "UTF-8", XML_PARSE_NONET);
	xmlFree(text);
	text = NULL;
	if (!doc) {
		rc = rq_fail(RQ_ERROR, "ncsc: the report built does not parse back");
		goto done;
	}
	if ((rc = rq_ncsc_sign(doc, cfg->ncsc_sign_cert, cfg->ncsc_sign_key)) < 0 ||
	    (rc = rq_ncsc_schema_validate(doc)) < 0)
		goto done;
	xmlDocDumpMemoryEnc(doc, &text, &len, "UTF-8");
	if (!text || len <= 0) {
		rc = rq_fail(RQ_ENOMEM, "ncsc: cannot serialise the signed report");
		goto done;
	}
	*out_xml = malloc((size_t)len + 1);
	if (!*out_xml) {
		rc = rq_fail(RQ_ENOMEM, "ncsc: out of memory");
		goto done;
	}
	memcpy(*out_xml, text, (size_t)len);
	(*out_xml)[len] = '\0';
	*out_len = (size_t)len;
done:
	xmlFree(text);
	xmlFreeDoc(doc);
	xmlFreeDoc(built);
	return rc;
}
