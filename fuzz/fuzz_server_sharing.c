/*
 * libFuzzer harness for what partners send the sharing side of
 * raquet-server (server/sharing/, server/api/taxii.c): TAXII Accept
 * headers, added_after and match[version] timestamps, `next` tokens, and
 * the classifiers of shared values (addresses, domain names, detection
 * names). A timestamp that parses prints back to the same instant; a UUID
 * that parses prints back to the same bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/taxii.h"
#include "sharing/collection.h"
#include "sharing/stix.h"
#include "sharing/stix_id.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	char id[RQ_STIX_ID_MAX + 8], back[RQ_STIX_TIME_TEXT], uuid_text[RQ_UUID_TEXT];
	int64_t ms = 0, again = 0;
	int v6 = 0;
	rq_uuid u;
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	(void)rq_taxii_accept_fits(text);
	if (rq_stix_time_parse(text, &ms) == 0 && ms >= 0 && ms <= 253402300799999LL) {
		rq_stix_time(ms, back);
		if (rq_stix_time_parse(back, &again) != 0 || again != ms)
			abort();
	}
	(void)rq_collection_next_parse(text, &ms, id, sizeof(id));
	if (rq_uuid_parse(text, &u) == 0) {
		rq_uuid_text(&u, uuid_text);
		if (strcasecmp(uuid_text, text) != 0)
			abort();
	}
	(void)rq_stix_public_address(text, &v6);
	(void)rq_stix_domain_name(text);
	(void)rq_stix_malware_type(text);
	free(text);
	return 0;
}
