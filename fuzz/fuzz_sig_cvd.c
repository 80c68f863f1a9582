/*
 * libFuzzer harness: arbitrary bytes as a ClamAV container. The first byte
 * picks the kind (odd: .cld, whose MD5 is not checked, so mutations reach the
 * tar reader and the member loaders; even: .cvd); the rest is the file.
 */
#include "fuzz_sig.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	fuzz_signature_file((data[0] & 1) ? "cld" : "cvd", data + 1, size - 1);
	return 0;
}
