/*
 * libFuzzer harness for the checks of campaign input that take bytes from
 * any officer (server/campaign/): the evidence type sniffed from a file's
 * bytes (the ZIP directory walk of DOCX/XLSX/ODT included), the cleaning
 * of an uploaded file's name, and the parsing of a date. A cleaned name is
 * never empty, within its bound, valid UTF-8, and holds no path
 * separator, control character or direction mark; a parsed date formats
 * back to the same text.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/xmlstring.h>

#include "campaign/deadline.h"
#include "campaign/evidence.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char out[RQ_EVIDENCE_NAME_MAX + 1], date[RQ_DATE_LEN];
	char *text = malloc(size + 1);
	int64_t day;
	if (!text)
		return 0;
	int type = rq_evidence_sniff(data, size);
	if (type < -1 || type >= RQ_EVIDENCE_TYPE_COUNT)
		abort();
	memcpy(text, data, size);
	text[size] = '\0';
	rq_evidence_clean_name(text, type < 0 ? RQ_EVIDENCE_PDF : (rq_evidence_type)type, out);
	size_t n = strlen(out);
	if (n == 0 || n > RQ_EVIDENCE_NAME_MAX || xmlCheckUTF8((const unsigned char *)out) != 1)
		abort();
	for (const unsigned char *p = (const unsigned char *)out; *p; p++)
		if (*p < 0x20 || *p == 0x7f || *p == '/' || *p == '\\' || (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) ||
		    (p[0] == 0xe2 && p[1] == 0x80 && p[2] == 0xae))
			abort();
	if (rq_date_parse(text, &day) == 0) {
		rq_date_format(day, date);
		if (strcmp(date, text))
			abort();
	}
	free(text);
	return 0;
}
