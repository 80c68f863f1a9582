/* libFuzzer harness: arbitrary bytes as a .txt signature file. */
#include "fuzz_sig.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_signature_file("txt", data, size);
	return 0;
}
