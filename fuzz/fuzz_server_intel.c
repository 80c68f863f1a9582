/*
 * libFuzzer harness for the indicator parsers of raquet-server
 * (server/intel/list.c, server/intel/misp.c, server/intel/stix.c): the
 * first byte picks the parser ('S' a STIX bundle, else odd MISP, even a
 * list), the rest is the input. Whatever comes in, a parse either fails
 * with an empty batch or gives indicators whose values are normalised
 * (non-empty, no upper-case hex, no control bytes) and whose labels hold
 * no control bytes.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "intel/parse.h"
#include "intel/stix.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_text(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	rq_intel_batch b = { 0 };
	rq_misp_event_info info;
	if (size < 1)
		return 0;
	rq_stix_info stix = { 0 };
	int rc = data[0] == 'S'  ? rq_intel_parse_stix_bundle(&b, &stix, "fuzz.json", data + 1, size - 1, -1)
		 : data[0] & 1 ? rq_intel_parse_misp_event(&b, &info, "fuzz.json", data + 1, size - 1, -1)
			       : rq_intel_parse_list(&b, "fuzz.txt", data + 1, size - 1, 50);
	if (rc < 0 && b.count != 0)
		abort();
	if (rc == 0 && (stix.skipped > stix.indicators || stix.outcome_count != stix.objects))
		abort();
	rq_stix_info_free(&stix);
	for (size_t i = 0; i < b.count; i++) {
		const rq_intel_indicator *it = &b.items[i];
		if (!*it->value || strlen(it->value) > RQ_INTEL_VALUE_MAX)
			abort();
		if (it->type <= RQ_INTEL_SHA256 || it->type == RQ_INTEL_YARA)
			for (const char *p = it->value; *p; p++)
				if (!isxdigit((unsigned char)*p) || isupper((unsigned char)*p))
					abort();
		check_text(it->value);
		check_text(it->name);
		check_text(it->description);
		check_text(it->ref);
		if (it->confidence < 0 || it->confidence > 100)
			abort();
	}
	rq_intel_batch_clear(&b);
	return 0;
}
