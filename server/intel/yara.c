/*
 * YARA rules uploaded by the department (parse.h): compiled by the engine
 * exactly as agents will load them (strict: any warning refuses the file)
 * before they are accepted, then kept as one indicator per file.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "db/dbfs.h"
#include "intel/limits.h"
#include "intel/parse.h"
#include "raquet/engine.h"

int rq_intel_yara_check(const char *name, const char *text, size_t len)
{
	rq_engine *engine = NULL;
	rq_engine_options opts = { .strict = 1, .no_builtin = 1 };
	rq_engine_stats stats;
	int rc;
	if (len > RQ_INTEL_MAX_YARA) {
		rc = rq_fail(RQ_ELIMIT, "%s: YARA rules over %d bytes", name, RQ_INTEL_MAX_YARA);
		goto done;
	}
	if ((rc = rq_engine_new(&engine, &opts)) < 0)
		goto done;
	if ((rc = rq_engine_load_buffer(engine, "yar", name, text, len)) < 0 ||
	    (rc = rq_engine_compile(engine)) < 0) {
		char why[512];
		snprintf(why, sizeof(why), "%s", rq_error_last());
		rc = rq_fail(RQ_EPARSE, "%s", why);
		goto done;
	}
	rq_engine_stats_get(engine, &stats);
	if (stats.total == 0)
		rc = rq_fail(RQ_EPARSE, "%s: no YARA rule in the file", name);
done:
	rq_engine_free(engine);
	return rc;
}

int rq_intel_parse_yara(rq_intel_batch *out, const char *name, const void *data, size_t len, int confidence)
{
	char digest[65];
	if (memchr(data, '\0', len))
		return rq_fail(RQ_EPARSE, "%s: NUL byte in YARA rules (a binary file?)", name);
	int rc = rq_intel_yara_check(name, data, len);
	if (rc < 0)
		return rc;
	char *text = strndup(data, len);
	if (!text)
		return rq_fail(RQ_ENOMEM, "out of memory");
	rq_sha256_hex(data, len, digest);
	rq_intel_indicator ind = { .type = RQ_INTEL_YARA, .value = digest, .name = (char *)name, .description = "",
				   .body = text, .ref = "", .confidence = confidence < 0 ? 100 : confidence };
	rc = rq_intel_batch_add(out, &ind);
	free(text);
	return rc;
}
