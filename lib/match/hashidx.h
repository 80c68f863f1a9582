/*
 * Hash signatures indexed by file size: tells, for a file's size, which
 * digests are worth computing at all, then looks a computed digest up.
 * Used for .hdb/.hsb/IOC detections and for .fp/.sfp allow-lists.
 */
#ifndef RQ_MATCH_HASHIDX_H
#define RQ_MATCH_HASHIDX_H

#include <stddef.h>
#include <stdint.h>

#include "sigs/sigset.h"

typedef struct rq_hashidx rq_hashidx;

/*
 * Build an index over `sigs` (borrowed: the array must outlive the index).
 * Duplicates are kept once. An empty index is valid.
 */
int rq_hashidx_build(rq_hashidx **out, const rq_hashsig *sigs, size_t count);
void rq_hashidx_free(rq_hashidx *idx);
size_t rq_hashidx_count(const rq_hashidx *idx);

/* RQ_DIGEST_* mask of digests some entry needs for a file of `size` bytes. */
unsigned rq_hashidx_needs(const rq_hashidx *idx, uint64_t size);

/*
 * The entry matching (`digest_type`, `digest`) for a file of `size` bytes
 * (an entry of that size or of RQ_SIZE_ANY), or NULL.
 */
const rq_hashsig *rq_hashidx_find(const rq_hashidx *idx, unsigned digest_type,
				  const uint8_t *digest, uint64_t size);

#endif
