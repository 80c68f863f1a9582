/*
 * Keeping YARA files (.yar/.yara sources and .yarc rules compiled by yarac)
 * in the signature set. Only cheap checks happen here; the simple rules of
 * sources go to the body matcher (yara_native.c), lib/match/yara_rules.c
 * compiles or loads the rest through libyara. Overview: docs/signatures-yara.md.
 */
#include <stdlib.h>
#include <string.h>

#include "sigs/sigset.h"
#include "sigs/yara_native.h"

/* Every file written by yr_rules_save starts with these bytes. */
static const char yarc_magic[4] = { 'Y', 'A', 'R', 'A' };
static const uint8_t utf8_bom[3] = { 0xEF, 0xBB, 0xBF };

/*
 * Simple rules of sources are evaluated by the body matcher unless the
 * diagnostic switch RAQUET_YARA_NATIVE=0 leaves every rule to libyara
 * (docs/signatures-yara.md). Read at each load, so a test can flip it.
 */
static int native_enabled(void)
{
	const char *v = getenv("RAQUET_YARA_NATIVE");
	return !(v && !strcmp(v, "0"));
}

int rq_load_yara(rq_sigset *set, const char *name, const uint8_t *data, size_t len, int compiled)
{
	int rc = 0;
	uint8_t *copy = NULL;

	if (compiled) {
		if (len < sizeof(yarc_magic) || memcmp(data, yarc_magic, sizeof(yarc_magic))) {
			rc = rq_sigset_warn(set, name, 0, 0,
					    "not a compiled YARA file (no \"YARA\" header); "
					    "compile it with yarac or rename it .yar");
			goto done;
		}
		if (!(copy = malloc(len))) {
			rc = rq_fail(RQ_ENOMEM, "%s: out of memory", name);
			goto done;
		}
		memcpy(copy, data, len);
		rc = rq_sigset_add_yara(set, name, copy, len, 1);
		copy = NULL;
		goto done;
	}

	/* libyara's lexer does not expect a byte-order mark; dropping it keeps lines. */
	if (len >= sizeof(utf8_bom) && !memcmp(data, utf8_bom, sizeof(utf8_bom))) {
		data += sizeof(utf8_bom);
		len -= sizeof(utf8_bom);
	}
	/* The compiler reads a C string: a NUL byte would silently cut the file. */
	const uint8_t *nul = len ? memchr(data, 0, len) : NULL;
	if (nul) {
		unsigned line = 1;
		for (const uint8_t *p = data; p < nul; p++)
			line += *p == '\n';
		rc = rq_sigset_warn(set, name, line, 0,
				    "NUL byte in YARA source (UTF-16 or binary file?); file skipped");
		goto done;
	}
	if (len == SIZE_MAX || !(copy = malloc(len + 1))) {
		rc = rq_fail(RQ_ENOMEM, "%s: out of memory", name);
		goto done;
	}
	if (len)
		memcpy(copy, data, len);
	copy[len] = '\0';
	if (native_enabled()) {
		size_t rules = 0, converted = 0;
		if ((rc = rq_yara_native_convert(set, name, (char *)copy, len, &rules, &converted)))
			goto done;
		if (converted && converted == rules)
			goto done; /* nothing left for libyara (imports at most) */
	}
	rc = rq_sigset_add_yara(set, name, copy, len, 0);
	copy = NULL;
done:
	free(copy);
	return rc;
}
