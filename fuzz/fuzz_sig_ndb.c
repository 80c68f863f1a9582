/* libFuzzer harness: arbitrary bytes as a .ndb signature file. */
#include "fuzz_sig.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_signature_file("ndb", data, size);
	return 0;
}
