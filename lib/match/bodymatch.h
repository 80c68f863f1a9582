/*
 * The body-signature matcher: all .ndb signatures compiled into one
 * vectorscan (Hyperscan API) streaming database of anchors, plus exact
 * verification of each candidate (wildcards, gaps, offsets, target types).
 * A file is fed in chunks, in order, in one pass.
 * Design: docs/internals/matching.md.
 */
#ifndef RQ_MATCH_BODYMATCH_H
#define RQ_MATCH_BODYMATCH_H

#include <stddef.h>
#include <stdint.h>

#include "core/binbuf.h"
#include "match/filetype.h"
#include "sigs/hexsig.h"
#include "sigs/sigset.h"

typedef struct rq_bodydb rq_bodydb;     /* compiled, immutable, shared by threads */
typedef struct rq_bodyscan rq_bodyscan; /* per-thread state of one stream */

/*
 * Compile `sigs` (borrowed; they must outlive the database). Signatures that
 * cannot be compiled are reported through rq_sigset_warn on `set` and left
 * out; returns 0 or an error. An empty set gives a valid database that
 * matches nothing.
 */
int rq_bodydb_build(rq_bodydb **out, rq_sigset *set, rq_bodysig *const *sigs, size_t count);
size_t rq_bodydb_count(const rq_bodydb *db);

/*
 * rq_bodydb_build, with the vectorscan databases compiled for a baseline
 * x86-64 CPU (`portable`, for databases saved to ship) or, with `saved`
 * (the bytes of rq_bodydb_save over exactly these signatures), not
 * compiled but read back: every table checked against the signatures
 * (RQ_EPARSE when it does not fit). `saved` is only read during the call.
 */
int rq_bodydb_build_ex(rq_bodydb **out, rq_sigset *set, rq_bodysig *const *sigs, size_t count,
		       int portable, const uint8_t *saved, size_t saved_len);

/* Fill out[0 .. rq_bodydb_count(db)) with the signatures in use (not refused), in input order; returns how many. */
size_t rq_bodydb_live(const rq_bodydb *db, const rq_bodysig **out);

/* Append the compiled matcher; load it with rq_bodydb_build_ex over rq_bodydb_live's signatures. */
int rq_bodydb_save(const rq_bodydb *db, rq_binbuf *out);

void rq_bodydb_free(rq_bodydb *db);

int rq_bodyscan_new(rq_bodyscan **out, const rq_bodydb *db);
void rq_bodyscan_free(rq_bodyscan *scan);

/*
 * Start a stream of `total_size` bytes (exact: EOF-relative offsets and
 * MinFL/MaxFL use it) whose type is `type`. With `all_matches` 0 the
 * stream may stop early after the first match.
 */
int rq_bodyscan_begin(rq_bodyscan *scan, uint64_t total_size, rq_filetype type, int all_matches);

/*
 * Feed the next `len` bytes. Returns 0 to go on, 1 when the stream needs no
 * more data (a match was found and all_matches is off), or an error.
 */
int rq_bodyscan_feed(rq_bodyscan *scan, const uint8_t *data, size_t len);

/* End the stream: finishes pending verifications. Returns 0 or an error. */
int rq_bodyscan_end(rq_bodyscan *scan);

/*
 * Signatures that matched in the ended stream, in order of discovery; the
 * array is owned by `scan` and valid until the next rq_bodyscan_begin.
 */
size_t rq_bodyscan_matches(const rq_bodyscan *scan, const rq_bodysig *const **out);

/*
 * For tests: act as if vectorscan had reported the hits of every block out
 * of order, so the fallback that rescans a block is exercised.
 */
void rq_bodyscan_test_disorder(rq_bodyscan *scan, int on);

#endif
