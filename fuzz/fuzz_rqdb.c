/*
 * libFuzzer harness for compiled databases (.rqdb). The first byte picks
 * the reader: 0 the whole-file checks (rq_rqdb_verify, unsigned allowed, so
 * mutations pass the signature step and reach the structure checks; the
 * chunk digests stop most of them, on purpose); 1 a hash index section,
 * then look-ups; 2 a body-signature section and, after a 4-byte length, a
 * body-matcher section, then a scan of fixed bytes; 3 an ignore list; 4 a
 * network-indicator section, indexed and looked up.
 * The compiled YARA section is not fuzzed: libyara trusts its own format
 * (docs/formats/rqdb.md), the signature guards it.
 */
#include <stdlib.h>
#include <string.h>

#include "core/binbuf.h"
#include "db/rqdb.h"
#include "db/rqdb_sigs.h"
#include "match/bodymatch.h"
#include "match/hashidx.h"
#include "match/netidx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Sections are used in place and must be 8-aligned, as in a mapping. */
static uint8_t *aligned_copy(const uint8_t *p, size_t n)
{
	uint8_t *c = aligned_alloc(64, (n + 64) & ~(size_t)63);
	if (c && n)
		memcpy(c, p, n);
	return c;
}

static void fuzz_hashes(const uint8_t *p, size_t n)
{
	uint8_t *c = aligned_copy(p, n);
	rq_hashidx *idx = NULL;
	if (c && rq_hashidx_view(&idx, c, n) == 0) {
		uint8_t d[32];
		memset(d, 0, sizeof(d));
		for (unsigned k = 1; k <= 4; k <<= 1)
			for (uint64_t s = 0; s < 300; s += 37) {
				d[0] = (uint8_t)s;
				rq_hashhit hit;
				if (rq_hashidx_find(idx, k, d, s, &hit) && (!hit.name || !hit.source))
					abort();
				(void)rq_hashidx_needs(idx, s);
			}
		rq_hashsig sig;
		rq_hashhit names;
		for (size_t i = 0; i < 64 && rq_hashidx_entry(idx, i, &sig, &names); i++)
			if (strlen(sig.name) >= sizeof(names.buf))
				abort();
		rq_hashidx_free(idx);
	}
	free(c);
}

static void fuzz_bodies(const uint8_t *p, size_t n)
{
	if (n < 4)
		return;
	uint32_t first = rq_le32(p);
	p += 4;
	n -= 4;
	if (first > n)
		first = (uint32_t)n;
	uint8_t *a = aligned_copy(p, first), *b = aligned_copy(p + first, n - first);
	rq_sigset set;
	rq_sigset_init(&set, NULL);
	rq_bodydb *db = NULL;
	if (a && b && rq_rqdb_load_bodies(&set, a, first) == 0 &&
	    rq_bodydb_build_ex(&db, &set, set.bodies, set.body_count, 1, b, n - first) == 0) {
		rq_bodyscan *scan = NULL;
		static const uint8_t text[] = "MZ\x90\0 malware <script>eval(x)</script> ABCDEF \x7f" "ELF";
		if (rq_bodyscan_new(&scan, db) == 0) {
			for (int t = 0; t < 3; t++) {
				if (rq_bodyscan_begin(scan, sizeof(text), (rq_filetype)t, 1) == 0) {
					rq_bodyscan_feed(scan, text, sizeof(text));
					rq_bodyscan_end(scan);
				}
			}
			rq_bodyscan_free(scan);
		}
	}
	rq_bodydb_free(db);
	rq_sigset_free(&set);
	free(a);
	free(b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	const uint8_t *p = data + 1;
	size_t n = size - 1;
	switch (data[0] % 5) {
	case 0: {
		rq_rqdb_trust t;
		rq_rqdb_info info;
		(void)rq_rqdb_verify(p, n, NULL, 1, &t);
		(void)rq_rqdb_peek(p, n, &info);
		break;
	}
	case 1:
		fuzz_hashes(p, n);
		break;
	case 2:
		fuzz_bodies(p, n);
		break;
	case 3: {
		rq_sigset set;
		rq_sigset_init(&set, NULL);
		(void)rq_rqdb_load_ignored(&set, p, n);
		rq_sigset_free(&set);
		break;
	}
	default: {
		rq_sigset set;
		rq_netidx *idx = NULL;
		rq_sigset_init(&set, NULL);
		if (rq_rqdb_load_netiocs(&set, p, n) == 0 &&
		    rq_netidx_build(&idx, set.netiocs, set.netioc_count) == 0) {
			uint8_t a[16];
			if (rq_netidx_parse_ip("203.0.113.7", a))
				(void)rq_netidx_find_ip(idx, a);
			(void)rq_netidx_find_domain(idx, "a.b.evil.example.com");
		}
		rq_netidx_free(idx);
		rq_sigset_free(&set);
		break;
	}
	}
	return 0;
}
