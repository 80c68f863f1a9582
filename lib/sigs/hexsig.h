/*
 * ClamAV body signatures (.ndb lines): the parsed form of one signature --
 * name, target type, offset rule and the hex pattern compiled to a small
 * program of fixed-width segments separated by variable gaps -- shared by
 * the .ndb loader (clamav_ndb.c) and the body matcher (lib/match/bodymatch.c).
 * Syntax supported: docs/signatures-ndb.md; matcher: docs/internals/matching.md.
 */
#ifndef RQ_SIGS_HEXSIG_H
#define RQ_SIGS_HEXSIG_H

#include <stddef.h>
#include <stdint.h>

#include "sigs/sigset.h"

/* ClamAV target types this engine understands. */
enum {
	RQ_TARGET_ANY = 0,
	RQ_TARGET_PE = 1,
	RQ_TARGET_ELF = 6,
	RQ_TARGET_TEXT = 7, /* normalised ASCII text (lib/match/textnorm.h) */
	RQ_TARGET_MACHO = 9,
};

/* Where the match must start. */
typedef enum rq_offset_kind {
	RQ_OFFSET_ANY = 0,  /* "*" */
	RQ_OFFSET_ABS,      /* "n" or "n,m": start in [n, n+m] */
	RQ_OFFSET_EOF,      /* "EOF-n" or "EOF-n,m": start in [size-n, size-n+m] */
} rq_offset_kind;

typedef struct rq_offset {
	rq_offset_kind kind;
	uint64_t value; /* n */
	uint64_t shift; /* m, 0 when not floating */
} rq_offset;

typedef struct rq_hexprog rq_hexprog;
typedef struct rq_bodysig rq_bodysig; /* same typedef as in sigset.h */

struct rq_bodysig {
	const char *name;    /* owned by the signature set's pool */
	const char *source;  /* idem */
	unsigned line;
	uint8_t target;      /* RQ_TARGET_* */
	rq_offset offset;
	struct rq_hexprog *prog; /* the compiled pattern, owned */
	/* Set for strings of YARA rules evaluated natively (sigs/yara_native.h):
	 * reported as YARA detections, matched on raw bytes only (no text-lane
	 * twin), counted once per rule (the signature with yara_string 0). */
	uint8_t from_yara;
	uint32_t yara_string; /* index of this signature among its rule's */
};

/* --- the compiled pattern --- */

/* Upper bound of a gap meaning "no upper bound" (`*`, `{n-}`). */
#define RQ_HEX_GAP_INF UINT32_MAX

/*
 * One byte position: the byte b matches when (b & mask) == value, or, when
 * `cls` is non-zero, when b is in prog->classes[cls - 1]. `??` is
 * value = mask = 0 (used inside alternatives only; elsewhere it is a skip).
 */
typedef struct rq_hexbyte {
	uint8_t value, mask;
	uint16_t cls;
} rq_hexbyte;

/* A 256-bit set of byte values: bit b of bits[b >> 3] is (1 << (b & 7)). */
typedef struct rq_hexclass {
	uint8_t bits[32];
} rq_hexclass;

/* One alternative of a group: prog->bytes[first .. first + len). */
typedef struct rq_hexbranch {
	uint32_t first, len;
} rq_hexbranch;

typedef enum rq_hexitem_kind {
	RQ_HEXIT_BYTES = 0, /* prog->bytes[first .. first + count), one per position */
	RQ_HEXIT_SKIP,      /* `width` bytes of anything (`??`, `{n}`) */
	RQ_HEXIT_ALT,       /* one of prog->branches[first .. first + count), all `width` long */
	RQ_HEXIT_NALT,      /* `width` bytes equal to none of those branches (`!(..)`) */
} rq_hexitem_kind;

typedef struct rq_hexitem {
	uint8_t kind;
	uint32_t first, count;
	uint32_t width;
} rq_hexitem;

/*
 * A fixed-width form of a segment: prog->items[first_item .. + item_count).
 * A segment has several when it holds alternatives of different lengths
 * (one variant per combination of lengths). The anchor is the byte range
 * [anchor_off, anchor_off + anchor_len) given to the multi-pattern matcher;
 * it never cuts an ALT or SKIP item, never covers a NALT item and neither
 * starts nor ends with a SKIP item.
 */
typedef struct rq_hexvariant {
	uint32_t first_item, item_count;
	uint32_t width;
	uint32_t anchor_off, anchor_len;
} rq_hexvariant;

/*
 * A segment: bytes between two variable gaps. `gap_min`/`gap_max` bound the
 * bytes between the end of the previous segment and the start of this one
 * (both 0 for segment 0; gap_max may be RQ_HEX_GAP_INF).
 */
typedef struct rq_hexseg {
	uint32_t first_variant, variant_count;
	uint32_t gap_min, gap_max;
	uint32_t min_width, max_width;
} rq_hexseg;

struct rq_hexprog {
	rq_hexbyte *bytes;
	rq_hexclass *classes;
	rq_hexbranch *branches;
	rq_hexitem *items;
	rq_hexvariant *variants;
	rq_hexseg *segs;
	size_t byte_count, class_count, branch_count, item_count, variant_count, seg_count;
	size_t byte_cap, class_cap, branch_cap, item_cap, variant_cap, seg_cap;
	uint32_t max_width; /* widest variant of any segment */
	int packed;         /* the arrays share the program's own allocation (read from a .rqdb) */
};

/*
 * Compile the hex pattern `hex` (length `len`, not NUL-terminated) into a
 * program. On failure returns RQ_EPARSE or RQ_EUNSUPPORTED with the reason
 * (without file and line) as the last-error message, or RQ_ENOMEM.
 */
int rq_hexprog_parse(rq_hexprog **out, const char *hex, size_t len);
void rq_hexprog_free(rq_hexprog *prog);

/* Whether byte `b` matches the byte position `m` of `prog`. */
static inline int rq_hexbyte_match(const rq_hexprog *prog, const rq_hexbyte *m, uint8_t b)
{
	if (m->cls)
		return (prog->classes[m->cls - 1].bits[b >> 3] >> (b & 7)) & 1;
	return (b & m->mask) == m->value;
}

/* Whether variant `v` of `prog` matches the v->width bytes at `data`. */
int rq_hexvariant_match(const rq_hexprog *prog, const rq_hexvariant *v, const uint8_t *data);

/* Free a body signature and its program (not the pooled strings). NULL ok. */
void rq_bodysig_free(rq_bodysig *sig);

#endif
