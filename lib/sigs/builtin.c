/*
 * The signature compiled into the engine: the EICAR anti-malware test file,
 * so that a fresh install with no database still proves it detects
 * something. Whole-file MD5 and SHA-256 of the 68-byte string, also with the
 * "\n" or "\r\n" editors and `echo` append. See docs/signatures-hash.md.
 */
#include <string.h>

#include "sigs/sigset.h"

#define EICAR_NAME "Eicar-Test-Signature"
#define BUILTIN_SOURCE "builtin"

/*
 * Digests of "X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
 * (68 bytes) and of the same string followed by "\n" (69) and "\r\n" (70);
 * tests/lib/sigs/test_builtin.c recomputes them.
 */
static const struct {
	unsigned digest_type;
	uint64_t size;
	const char *hex;
} eicar[] = {
	{ RQ_DIGEST_MD5, 68, "44d88612fea8a8f36de82e1278abb02f" },
	{ RQ_DIGEST_SHA256, 68, "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f" },
	{ RQ_DIGEST_MD5, 69, "69630e4574ec6798239b091cda43dca0" },
	{ RQ_DIGEST_SHA256, 69, "131f95c51cc819465fa1797f6ccacf9d494aaaff46fa3eac73ae63ffbdfd8267" },
	{ RQ_DIGEST_MD5, 70, "e7e5fa40569514ec442bbdf755d89c2f" },
	{ RQ_DIGEST_SHA256, 70, "8b3f191819931d1f2cef7289239b5f77c00b079847b9c2636e56854d1e5eff71" },
};

int rq_load_builtin(rq_sigset *set)
{
	int rc = 0;
	const char *name = rq_sigset_str(set, EICAR_NAME, strlen(EICAR_NAME));
	const char *source = name ? rq_sigset_str(set, BUILTIN_SOURCE, strlen(BUILTIN_SOURCE)) : NULL;
	if (!source) {
		rc = rq_fail(RQ_ENOMEM, "builtin: out of memory");
		goto done;
	}
	for (size_t i = 0; i < sizeof(eicar) / sizeof(eicar[0]); i++) {
		rq_hashsig sig;
		memset(&sig, 0, sizeof(sig));
		sig.digest_type = (uint8_t)eicar[i].digest_type;
		sig.sig_type = RQ_SIG_BUILTIN;
		sig.size = eicar[i].size;
		sig.name = name;
		sig.source = source;
		/* Constant, checked by the tests: cannot fail. */
		rq_hex_decode(sig.digest, eicar[i].hex, rq_digest_len(sig.digest_type));
		rc = rq_sigset_add_hash(set, &sig);
		if (rc)
			goto done;
		set->stats.by_type[RQ_SIG_BUILTIN]++;
	}
done:
	return rc;
}
