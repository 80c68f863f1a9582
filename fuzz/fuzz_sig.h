/*
 * Shared body of the signature-parser harnesses: load the input as one
 * signature file of a given format, compile, and (if that worked) scan a
 * few fixed buffers, so parsed programs are also executed.
 */
#ifndef RQ_FUZZ_SIG_H
#define RQ_FUZZ_SIG_H

#include <stddef.h>
#include <stdint.h>

#include "raquet/raquet.h"

static int ignore_result(const rq_result *r, void *payload)
{
	(void)r;
	(void)payload;
	return 0;
}

static void fuzz_signature_file(const char *ext, const uint8_t *data, size_t size)
{
	static const char probe[] = "MZ\x90\x00 hello world ABCDEF \x7f" "ELF abcd 0123456789 EICAR";
	rq_engine_options opts = { .no_builtin = 1 };
	rq_engine *engine = NULL;
	if (rq_engine_new(&engine, &opts))
		return;
	if (rq_engine_load_buffer(engine, ext, "fuzz", data, size) == 0 &&
	    rq_engine_compile(engine) == 0) {
		rq_scanner *s = NULL;
		if (rq_scanner_new(&s, engine, NULL) == 0) {
			rq_scanner_scan_buffer(s, probe, sizeof(probe) - 1, "probe", ignore_result, NULL);
			rq_scanner_scan_buffer(s, data, size, "self", ignore_result, NULL);
			rq_scanner_free(s);
		}
	}
	rq_engine_free(engine);
}

#endif
