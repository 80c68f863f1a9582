/*
 * libFuzzer harness for raquet-server's configuration parser
 * (server/config/config.c, every section including [ncsc]) and for the
 * cleaning of agent text written into NCSC reports (server/ncsc/mapping.c).
 * An accepted [ncsc] organ_id has the form 000.00.00.XXX; a schedule is
 * off or a minute of the day; cleaned text is valid UTF-8 without control
 * characters and within its bound.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/xmlstring.h>

#include "config/config.h"
#include "ncsc/mapping.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	rq_srv_config cfg;
	char *text = malloc(size + 1), out[RQ_NCSC_MAX_VALUE + 4];
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (rq_srv_config_init(&cfg) == 0) {
		if (rq_srv_config_parse(&cfg, "fuzz.conf", text, size) == 0) {
			const char *id = cfg.ncsc_organ_id;
			if (*id && (strlen(id) != 13 || id[3] != '.' || id[6] != '.' || id[9] != '.'))
				abort();
			if (cfg.ncsc_daily_minute < -1 || cfg.ncsc_daily_minute >= 24 * 60)
				abort();
		}
		rq_srv_config_free(&cfg);
	}
	rq_ncsc_clean_text(text, out);
	if (strlen(out) > RQ_NCSC_MAX_VALUE || xmlCheckUTF8((const unsigned char *)out) != 1)
		abort();
	for (const unsigned char *p = (const unsigned char *)out; *p; p++)
		if (*p < 0x20 && *p != '\t' && *p != '\n' && *p != '\r')
			abort();
	free(text);
	return 0;
}
