/* libFuzzer harness: arbitrary bytes as a .yar rule file (our native-rule
 * parser first, then libyara's compiler for what stays with it). */
#include "fuzz_sig.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_signature_file("yar", data, size);
	return 0;
}
