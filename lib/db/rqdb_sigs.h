/*
 * Body signatures and ignore lists in a .rqdb: their saved form (every
 * field of the parsed signature and its compiled pattern program) and
 * reading it back, checking every index so a damaged section can never
 * make the matcher read outside its arrays. Format: docs/formats/rqdb.md.
 */
#ifndef RQ_DB_RQDB_SIGS_H
#define RQ_DB_RQDB_SIGS_H

#include <stddef.h>
#include <stdint.h>

#include "core/binbuf.h"
#include "sigs/hexsig.h"
#include "sigs/sigset.h"

/* Append `count` body signatures to `out`. */
int rq_rqdb_save_bodies(const rq_bodysig *const *sigs, size_t count, rq_binbuf *out);

/* Read them into `set` (names and sources in its pool, in saved order). RQ_EPARSE if malformed. */
int rq_rqdb_load_bodies(rq_sigset *set, const uint8_t *data, size_t len);

/* Append the ignore list of `set` (names from .ign/.ign2). */
int rq_rqdb_save_ignored(const rq_sigset *set, rq_binbuf *out);
/* Read an ignore list into `set` (sorted afterwards). */
int rq_rqdb_load_ignored(rq_sigset *set, const uint8_t *data, size_t len);

/* Append / read the network indicators of `set` (strings in its pool). */
int rq_rqdb_save_netiocs(const rq_sigset *set, rq_binbuf *out);
int rq_rqdb_load_netiocs(rq_sigset *set, const uint8_t *data, size_t len);

/* Whether a program's arrays are consistent (all indexes and widths in range). */
int rq_hexprog_check(const rq_hexprog *prog);

#endif
