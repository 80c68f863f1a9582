/*
 * libFuzzer harness: scanning arbitrary bytes, archives included, with an
 * engine holding every kind of signature. Small limits keep each run fast
 * while still exercising the limit paths.
 */
#include <string.h>

#include "raquet/raquet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static rq_engine *engine;
static rq_scanner *scanner;

static const char ndb[] =
	"Fuzz.Plain:0:*:48656c6c6f\n"
	"Fuzz.Wild:0:*:4142??44{2-6}4546*4748\n"
	"Fuzz.Alt:0:0,64:(41|42|43)4d5a!(00|01)90\n"
	"Fuzz.Eof:0:EOF-4:deadbeef\n"
	"Fuzz.Text:7:*:68656c6c6f20776f726c64\n";
static const char hdb[] = "44d88612fea8a8f36de82e1278abb02f:68:Fuzz.Md5\n";

static int ignore_result(const rq_result *r, void *payload)
{
	(void)r;
	(void)payload;
	return 0;
}

static void setup(void)
{
	if (rq_engine_new(&engine, NULL) ||
	    rq_engine_load_buffer(engine, "ndb", "fuzz.ndb", ndb, strlen(ndb)) ||
	    rq_engine_load_buffer(engine, "hdb", "fuzz.hdb", hdb, strlen(hdb)) ||
	    rq_engine_compile(engine))
		__builtin_trap();
	rq_scan_options opts;
	rq_scan_options_default(&opts);
	opts.all_matches = 1;
	opts.want_sha256 = 1;
	opts.limits.max_filesize = 4 << 20;
	opts.limits.max_scansize = 16 << 20;
	opts.limits.max_files = 200;
	opts.limits.max_recursion = 8;
	if (rq_scanner_new(&scanner, engine, &opts))
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!engine)
		setup();
	rq_scanner_scan_buffer(scanner, data, size, "fuzz.bin", ignore_result, NULL);
	return 0;
}
