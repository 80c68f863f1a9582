/*
 * Hash signatures indexed by file size: tells, for a file's size, which
 * digests are worth computing at all, then looks a computed digest up.
 * Used for .hdb/.hsb/IOC detections and for .fp/.sfp allow-lists. The
 * index is a few flat arrays, built in memory from loaded signatures or
 * used in place from a memory-mapped .rqdb (rq_hashidx_save / _view).
 */
#ifndef RQ_MATCH_HASHIDX_H
#define RQ_MATCH_HASHIDX_H

#include <stddef.h>
#include <stdint.h>

#include "core/binbuf.h"
#include "core/limits.h"
#include "sigs/sigset.h"

typedef struct rq_hashidx rq_hashidx;

/*
 * Build an index over `sigs` (names and sources are copied or referenced
 * from the signature set's pool, which must outlive the index). Duplicates
 * (same digest and size) are kept once, the first loaded. An empty index
 * is valid.
 */
int rq_hashidx_build(rq_hashidx **out, const rq_hashsig *sigs, size_t count);
void rq_hashidx_free(rq_hashidx *idx);
size_t rq_hashidx_count(const rq_hashidx *idx);

/*
 * RQ_DIGEST_* mask of digests some entry may need for a file of `size`
 * bytes: a filter, never missing a needed digest, rarely (about one size in
 * ten) asking for one no entry of that size has.
 */
unsigned rq_hashidx_needs(const rq_hashidx *idx, uint64_t size);

/* Longest name a look-up returns (longer ones are cut). */
#define RQ_HASHHIT_NAME_MAX (2 * RQ_MAX_SIG_NAME + 16)

/*
 * What a look-up found. `name` points into `buf` (names are stored split
 * in a shared prefix and a suffix), so it lives as long as this struct;
 * `source` lives as long as the index.
 */
typedef struct rq_hashhit {
	const char *name;
	const char *source;
	uint8_t sig_type; /* rq_sig_type */
	char buf[RQ_HASHHIT_NAME_MAX];
} rq_hashhit;

/*
 * Whether an entry matches (`digest_type`, `digest`) for a file of `size`
 * bytes (an entry of that size or of RQ_SIZE_ANY; the exact size wins).
 * Returns 1 and fills *hit (may be NULL), or 0.
 */
int rq_hashidx_find(const rq_hashidx *idx, unsigned digest_type, const uint8_t *digest,
		    uint64_t size, rq_hashhit *hit);

/*
 * The i-th entry in index order (digest kind, then digest, then size):
 * 1 and *sig filled, its name in `names` (sig->name points there), or 0
 * past the end. For listing a database.
 */
int rq_hashidx_entry(const rq_hashidx *idx, size_t i, rq_hashsig *sig, rq_hashhit *names);

/* Append the index in its saved form (format: docs/formats/rqdb.md) to `out`. */
int rq_hashidx_save(const rq_hashidx *idx, rq_binbuf *out);

/*
 * Use a saved index in place: `data` (8-byte aligned, e.g. in a mapping)
 * must outlive the index. Every length is checked; a malformed section
 * gives RQ_EPARSE.
 */
int rq_hashidx_view(rq_hashidx **out, const uint8_t *data, size_t len);

#endif
