/*
 * The body-signature matcher (bodymatch.h): the anchors of every part of
 * every .ndb signature go into one vectorscan streaming database per lane
 * (raw bytes; normalised text for target type 7); each anchor hit becomes a
 * candidate that is verified exactly -- wildcards, alternatives, gaps
 * between parts, offsets, target types -- as soon as the bytes of its part
 * have been seen. Design and proofs of the bounds: docs/internals/matching.md.
 */
#include "match/bodymatch.h"

#include <hs/hs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/binbuf.h"
#include "core/error.h"
#include "core/limits.h"
#include "core/strbuf.h"
#include "core/util.h"
#include "match/textnorm.h"

/*
 * The CPU the databases are compiled for: the host (NULL) when they are
 * compiled where they are used, a baseline x86-64 (no optional instruction
 * set, generic tuning) when they are saved into a .rqdb for every agent.
 */
static const hs_platform_info_t *target_platform(int portable)
{
	static const hs_platform_info_t baseline = { HS_TUNE_FAMILY_GENERIC, 0, 0, 0 };
	return portable ? &baseline : NULL;
}

enum { LANE_RAW = 0, LANE_TEXT, LANE_COUNT };

#define NONE UINT64_MAX

/* One anchor used by one variant of one part of one signature. */
typedef struct anchor_use {
	uint32_t sig;     /* index in db->sigs */
	uint32_t variant; /* index in the program's variants */
	uint32_t lead;    /* bytes from the variant's start to the anchor's end */
	uint32_t width;   /* the variant's width */
	uint16_t seg;
	uint8_t target;
	uint8_t last_seg; /* seg is the signature's last part */
} anchor_use;

/*
 * A signature in one lane. A type-0 signature also has a twin in the text
 * lane, as ClamAV also runs them over the normalised text of text files; the
 * twins keep separate part state (positions differ) but report once.
 */
typedef struct dbsig {
	const rq_bodysig *sig;
	uint32_t first_gap; /* its gaps: db->gaps[first_gap .. + seg_count - 1) */
	uint32_t seg_count;
	uint32_t twin;      /* index of its twin, or NO_TWIN */
	uint8_t lane;
	uint8_t is_twin;    /* the text-lane copy of a type-0 signature */
	uint8_t dead;       /* refused while building */
} dbsig;

#define NO_TWIN UINT32_MAX

/* The gap before part i+1 of a signature, and how ends of part i are kept. */
typedef struct gapinfo {
	uint32_t min, max;  /* bytes between the parts; max may be RQ_HEX_GAP_INF */
	uint32_t words;     /* bitmap of recent ends, in 64-bit words; 0 for unbounded gaps */
	size_t first_word;  /* in the scanner's bitmap array */
} gapinfo;

typedef struct lane {
	hs_database_t *hs;
	int later_parts;     /* some use is of a part after the first */
	uint32_t *use_start; /* pattern id -> uses[use_start[id] .. use_start[id + 1]) */
	anchor_use *uses;
	size_t pattern_count;
	uint32_t max_width;  /* widest variant: bytes of history kept for verification */
	uint32_t targets;    /* bit per target type present */
} lane;

struct rq_bodydb {
	dbsig *sigs;
	size_t sig_count, sig_cap, live;
	gapinfo *gaps;
	size_t gap_count, gap_cap;
	size_t word_count;
	lane lanes[LANE_COUNT];
	int portable;                  /* compile for a baseline CPU */
};

/* --- building --- */

static void sb_byte(rq_strbuf *b, unsigned v)
{
	static const char hex[] = "0123456789abcdef";
	char s[4] = { '\\', 'x', hex[v >> 4], hex[v & 15] };
	rq_strbuf_put(b, s, 4);
}

static int in_class(const rq_hexclass *c, unsigned v) { return (c->bits[v >> 3] >> (v & 7)) & 1; }

static void sb_class(rq_strbuf *b, const rq_hexclass *c)
{
	unsigned n = 0;
	for (unsigned v = 0; v < 256; v++)
		n += (unsigned)in_class(c, v);
	if (n == 256) {
		rq_strbuf_put(b, ".", 1);
		return;
	}
	if (n == 1) {
		for (unsigned v = 0; v < 256; v++)
			if (in_class(c, v))
				sb_byte(b, v);
		return;
	}
	rq_strbuf_put(b, "[", 1);
	for (unsigned v = 0; v < 256;) {
		if (!in_class(c, v)) {
			v++;
			continue;
		}
		unsigned end = v;
		while (end + 1 < 256 && in_class(c, end + 1))
			end++;
		sb_byte(b, v);
		if (end > v) {
			if (end > v + 1)
				rq_strbuf_put(b, "-", 1);
			sb_byte(b, end);
		}
		v = end + 1;
	}
	rq_strbuf_put(b, "]", 1);
}

static void byte_set(const rq_hexprog *prog, const rq_hexbyte *m, rq_hexclass *c)
{
	for (unsigned v = 0; v < 256; v++)
		if (rq_hexbyte_match(prog, m, (uint8_t)v))
			c->bits[v >> 3] |= (uint8_t)(1u << (v & 7));
}

static void sb_hexbyte(rq_strbuf *b, const rq_hexprog *prog, const rq_hexbyte *m)
{
	if (!m->cls && m->mask == 0xff) {
		sb_byte(b, m->value);
		return;
	}
	rq_hexclass c;
	memset(&c, 0, sizeof(c));
	byte_set(prog, m, &c);
	sb_class(b, &c);
}

/* The vectorscan expression of variant `v`'s anchor (exact: no false hits). */
static void anchor_expr(rq_strbuf *b, const rq_hexprog *prog, const rq_hexvariant *v)
{
	uint32_t off = 0, from = v->anchor_off, to = v->anchor_off + v->anchor_len;
	for (uint32_t k = 0; k < v->item_count && off < to; k++) {
		const rq_hexitem *it = &prog->items[v->first_item + k];
		uint32_t end = off + it->width;
		if (end > from) {
			if (it->kind == RQ_HEXIT_BYTES) {
				uint32_t a = off > from ? off : from, z = end < to ? end : to;
				for (uint32_t i = a; i < z; i++)
					sb_hexbyte(b, prog, &prog->bytes[it->first + (i - off)]);
			} else if (it->kind == RQ_HEXIT_ALT && it->width == 1) {
				rq_hexclass c;
				memset(&c, 0, sizeof(c));
				for (uint32_t i = 0; i < it->count; i++)
					byte_set(prog, &prog->bytes[prog->branches[it->first + i].first], &c);
				sb_class(b, &c);
			} else if (it->kind == RQ_HEXIT_ALT) {
				rq_strbuf_put(b, "(?:", 3);
				for (uint32_t i = 0; i < it->count; i++) {
					const rq_hexbranch *br = &prog->branches[it->first + i];
					if (i)
						rq_strbuf_put(b, "|", 1);
					for (uint32_t j = 0; j < br->len; j++)
						sb_hexbyte(b, prog, &prog->bytes[br->first + j]);
				}
				rq_strbuf_put(b, ")", 1);
			} else if (it->kind == RQ_HEXIT_SKIP) {
				char rep[24];
				int len = snprintf(rep, sizeof(rep), it->width == 1 ? "." : ".{%u}",
						   it->width);
				rq_strbuf_put(b, rep, (size_t)len);
			}
			/* NALT items are never inside an anchor (hexsig.c). */
		}
		off = end;
	}
}

typedef struct entry {
	char *expr;
	anchor_use use;
} entry;

static int cmp_entry(const void *x, const void *y)
{
	const entry *a = x, *b = y;
	int c = strcmp(a->expr, b->expr);
	if (c)
		return c;
	if (a->use.sig != b->use.sig)
		return a->use.sig < b->use.sig ? -1 : 1;
	return a->use.variant < b->use.variant ? -1 : a->use.variant > b->use.variant;
}

static void free_entries(entry *e, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(e[i].expr);
	free(e);
}

static int refuse(rq_bodydb *db, rq_sigset *set, uint32_t sig_index, const char *why)
{
	dbsig *d = &db->sigs[sig_index];
	if (d->dead)
		return 0;
	d->dead = 1;
	if (d->is_twin) /* its original is reported and counted */
		return 0;
	db->live--;
	return rq_sigset_warn(set, d->sig->source, d->sig->line, 1, "%s: unsupported: %s",
			      d->sig->name, why);
}

/*
 * Append the anchor expressions of signature `si` to es[*n..]. Sets
 * *too_long (and appends nothing) when one is over RQ_MAX_ANCHOR_EXPR.
 */
static int sig_entries(const rq_bodydb *db, uint32_t si, entry **es, size_t *n, size_t *cap,
		       int *too_long)
{
	int rc = 0;
	const dbsig *d = &db->sigs[si];
	const rq_hexprog *prog = d->sig->prog;
	size_t mark = *n;
	*too_long = 0;
	for (uint32_t s = 0; s < prog->seg_count && !rc && !*too_long; s++) {
		const rq_hexseg *seg = &prog->segs[s];
		for (uint32_t k = 0; k < seg->variant_count && !rc && !*too_long; k++) {
			uint32_t vi = seg->first_variant + k;
			const rq_hexvariant *v = &prog->variants[vi];
			rq_strbuf b = rq_strbuf_init(RQ_MAX_ANCHOR_EXPR);
			anchor_expr(&b, prog, v);
			if (b.too_long)
				*too_long = 1;
			else if (b.no_mem || !b.p)
				rc = rq_fail(RQ_ENOMEM, "out of memory");
			else if (!(rc = rq_grow((void **)es, cap, *n + 1, sizeof(**es))))
				(*es)[(*n)++] = (entry){ b.p, { si, vi, v->anchor_off + v->anchor_len,
								v->width, (uint16_t)s, d->sig->target,
								s + 1 == prog->seg_count } };
			if (rc || *too_long)
				free(b.p);
		}
	}
	if (*too_long)
		while (*n > mark)
			free((*es)[--*n].expr);
	return rc;
}

/* Anchor expressions of every live signature of lane `li`. */
static int collect_entries(rq_bodydb *db, rq_sigset *set, int li, entry **out, size_t *count)
{
	int rc = 0, too_long;
	entry *es = NULL;
	size_t n = 0, cap = 0;
	for (uint32_t si = 0; si < db->sig_count && !rc; si++) {
		if (db->sigs[si].dead || db->sigs[si].lane != li)
			continue;
		rc = sig_entries(db, si, &es, &n, &cap, &too_long);
		if (!rc && too_long)
			rc = refuse(db, set, si, "anchor expression too long");
	}
	if (rc) {
		free_entries(es, n);
		return rc;
	}
	*out = es;
	*count = n;
	return 0;
}

/*
 * End offsets an anchor can have when all its uses are part 0 of signatures
 * with an absolute offset: vectorscan then reports nothing outside them.
 */
static int end_bounds(const rq_bodydb *db, const entry *es, size_t n, hs_expr_ext_t *ext)
{
	uint64_t lo = NONE, hi = 0;
	for (size_t i = 0; i < n; i++) {
		const rq_bodysig *sig = db->sigs[es[i].use.sig].sig;
		if (es[i].use.seg != 0 || sig->offset.kind != RQ_OFFSET_ABS)
			return 0;
		uint64_t a = sig->offset.value + es[i].use.lead;
		uint64_t z = sig->offset.value + sig->offset.shift + es[i].use.lead;
		if (a < sig->offset.value || z < a) /* overflow: no bound */
			return 0;
		if (a < lo)
			lo = a;
		if (z > hi)
			hi = z;
	}
	memset(ext, 0, sizeof(*ext));
	ext->flags = HS_EXT_FLAG_MIN_OFFSET | HS_EXT_FLAG_MAX_OFFSET;
	ext->min_offset = lo;
	ext->max_offset = hi;
	return 1;
}

static int build_lane(rq_bodydb *db, rq_sigset *set, int li)
{
	lane *ln = &db->lanes[li];
	entry *es = NULL;
	size_t n = 0, npat = 0;
	const char **exprs = NULL;
	unsigned *flags = NULL, *ids = NULL;
	hs_expr_ext_t *exts = NULL;
	const hs_expr_ext_t **extp = NULL;
	uint32_t *pat_of = NULL;
	int rc = collect_entries(db, set, li, &es, &n);
	if (rc)
		return rc;
	if (n)
		qsort(es, n, sizeof(*es), cmp_entry);
	if (n && (!(exprs = malloc(n * sizeof(*exprs))) || !(flags = malloc(n * sizeof(*flags))) ||
		  !(ids = malloc(n * sizeof(*ids))) || !(exts = malloc(n * sizeof(*exts))) ||
		  !(extp = malloc(n * sizeof(*extp))) || !(pat_of = malloc(n * sizeof(*pat_of))))) {
		rc = rq_fail(RQ_ENOMEM, "out of memory");
		goto done;
	}
	for (;;) {
		npat = 0;
		for (size_t i = 0; i < n;) {
			size_t j = i;
			while (j < n && !strcmp(es[j].expr, es[i].expr))
				pat_of[j++] = (uint32_t)npat;
			exprs[npat] = es[i].expr;
			flags[npat] = HS_FLAG_DOTALL;
			ids[npat] = (unsigned)npat;
			extp[npat] = end_bounds(db, es + i, j - i, &exts[npat]) ? &exts[npat] : NULL;
			npat++;
			i = j;
		}
		if (!npat)
			break;
		hs_compile_error_t *err = NULL;
		if (hs_compile_ext_multi(exprs, flags, ids, extp, (unsigned)npat, HS_MODE_STREAM,
					 target_platform(db->portable), &ln->hs, &err) == HS_SUCCESS)
			break;
		ln->hs = NULL;
		if (!err || err->expression < 0 || (size_t)err->expression >= npat) {
			rc = rq_fail(RQ_ERROR, "vectorscan cannot build the body signature database: %s",
				     err ? err->message : "unknown error");
			hs_free_compile_error(err);
			goto done;
		}
		char why[300];
		snprintf(why, sizeof(why), "vectorscan cannot compile its anchor: %s", err->message);
		uint32_t bad = (uint32_t)err->expression;
		hs_free_compile_error(err);
		for (size_t i = 0; i < n && !rc; i++)
			if (pat_of[i] == bad)
				rc = refuse(db, set, es[i].use.sig, why);
		if (rc)
			goto done;
		size_t kept = 0;
		for (size_t i = 0; i < n; i++) {
			if (db->sigs[es[i].use.sig].dead)
				free(es[i].expr);
			else
				es[kept++] = es[i];
		}
		n = kept;
	}
	if (!ln->hs)
		goto done;
	if (!(ln->use_start = malloc((npat + 1) * sizeof(*ln->use_start))) ||
	    !(ln->uses = malloc(n * sizeof(*ln->uses)))) {
		rc = rq_fail(RQ_ENOMEM, "out of memory");
		goto done;
	}
	ln->pattern_count = npat;
	for (size_t i = 0; i < n; i++) {
		if (i == 0 || pat_of[i] != pat_of[i - 1])
			ln->use_start[pat_of[i]] = (uint32_t)i;
		ln->uses[i] = es[i].use;
		if (es[i].use.width > ln->max_width)
			ln->max_width = es[i].use.width;
		ln->targets |= 1u << es[i].use.target;
		ln->later_parts |= es[i].use.seg > 0;
	}
	ln->use_start[npat] = (uint32_t)n;
done:
	free_entries(es, n);
	free(exprs);
	free(flags);
	free(ids);
	free(exts);
	free(extp);
	free(pat_of);
	return rc;
}

static uint32_t gap_words(uint32_t gap_min, uint32_t next_width)
{
	uint64_t need = (uint64_t)gap_min + next_width + 1, bits = 64;
	while (bits < need)
		bits *= 2;
	return (uint32_t)(bits / 64);
}

/* Register `sig` (its gaps checked against the limits); refused ones are reported. */
static int add_sig(rq_bodydb *db, rq_sigset *set, const rq_bodysig *sig)
{
	const rq_hexprog *prog = sig->prog;
	for (size_t s = 1; s < prog->seg_count; s++) {
		const rq_hexseg *seg = &prog->segs[s];
		if (seg->gap_max != RQ_HEX_GAP_INF &&
		    (uint64_t)seg->gap_min + seg->max_width + 1 > RQ_MAX_GAP_WINDOW)
			return rq_sigset_warn(set, sig->source, sig->line, 1,
					      "%s: unsupported: bounded gap {%u-%u} starts too far "
					      "(more than %d bytes)", sig->name, seg->gap_min,
					      seg->gap_max, RQ_MAX_GAP_WINDOW);
	}
	int rc = rq_grow((void **)&db->sigs, &db->sig_cap, db->sig_count + 1, sizeof(*db->sigs));
	if (!rc && prog->seg_count > 1)
		rc = rq_grow((void **)&db->gaps, &db->gap_cap, db->gap_count + prog->seg_count - 1,
			     sizeof(*db->gaps));
	if (rc)
		return rc;
	dbsig *d = &db->sigs[db->sig_count++];
	*d = (dbsig){ sig, (uint32_t)db->gap_count, (uint32_t)prog->seg_count, NO_TWIN,
		      sig->target == RQ_TARGET_TEXT ? LANE_TEXT : LANE_RAW, 0, 0 };
	for (size_t s = 1; s < prog->seg_count; s++) {
		const rq_hexseg *seg = &prog->segs[s];
		gapinfo *g = &db->gaps[db->gap_count++];
		g->min = seg->gap_min;
		g->max = seg->gap_max;
		g->words = seg->gap_max == RQ_HEX_GAP_INF ? 0 : gap_words(seg->gap_min, seg->max_width);
		g->first_word = db->word_count;
		db->word_count += g->words;
	}
	db->live++;
	return 0;
}

/*
 * Text-lane twins of the live type-0 signatures, except EOF-relative ones
 * (the normalised size is unknown until the end) and strings of YARA rules
 * (libyara matches raw bytes only).
 */
static int add_twins(rq_bodydb *db)
{
	int rc = 0;
	size_t count = db->sig_count;
	for (size_t i = 0; i < count && !rc; i++) {
		dbsig d = db->sigs[i];
		if (d.dead || d.sig->target != RQ_TARGET_ANY || d.sig->offset.kind == RQ_OFFSET_EOF ||
		    d.sig->from_yara) /* YARA strings match raw bytes only */
			continue;
		if ((rc = rq_grow((void **)&db->sigs, &db->sig_cap, db->sig_count + 1,
				  sizeof(*db->sigs))) ||
		    (rc = rq_grow((void **)&db->gaps, &db->gap_cap, db->gap_count + d.seg_count,
				  sizeof(*db->gaps))))
			break;
		dbsig *t = &db->sigs[db->sig_count];
		*t = (dbsig){ d.sig, (uint32_t)db->gap_count, d.seg_count, (uint32_t)i, LANE_TEXT, 1, 0 };
		db->sigs[i].twin = (uint32_t)db->sig_count++;
		for (uint32_t g = 0; g + 1 < d.seg_count; g++) {
			gapinfo gi = db->gaps[d.first_gap + g];
			gi.first_word = db->word_count;
			db->word_count += gi.words;
			db->gaps[db->gap_count++] = gi;
		}
	}
	return rc;
}

int rq_bodydb_build(rq_bodydb **out, rq_sigset *set, rq_bodysig *const *sigs, size_t count)
{
	return rq_bodydb_build_ex(out, set, sigs, count, 0, NULL, 0);
}

/* --- saved form (inside a .rqdb) ---
 * u32 lane count; per lane: u8 present, then if present: u64 pattern count P,
 * u64 use count U, u32 use_start[P + 1], U uses of 20 bytes (sig, variant,
 * lead, width: u32; seg: u16; target, last_seg: u8), u64 length, the
 * serialized vectorscan database; each lane 8-aligned. Signature indexes
 * count the signatures in use in input order, then their text-lane twins.
 */

static int load_lane(rq_bodydb *db, int li, rq_binreader *r)
{
	lane *ln = &db->lanes[li];
	int present = rq_bin_get_u8(r);
	if (r->bad || present > 1)
		return rq_fail(RQ_EPARSE, "body matcher: malformed lane %d", li);
	if (!present) {
		rq_bin_skip_align(r, 8);
		return 0;
	}
	uint64_t npat = rq_bin_get_u64(r), nuse = rq_bin_get_u64(r);
	size_t left = r->len - r->off;
	if (r->bad || npat >= left / 4 || nuse > left / 20)
		return rq_fail(RQ_EPARSE, "body matcher: lane %d: bad table sizes", li);
	if (!(ln->use_start = malloc((npat + 1) * sizeof(*ln->use_start))) ||
	    !(ln->uses = malloc((nuse ? nuse : 1) * sizeof(*ln->uses))))
		return rq_fail(RQ_ENOMEM, "out of memory");
	ln->pattern_count = npat;
	for (uint64_t i = 0; i <= npat; i++) {
		ln->use_start[i] = rq_bin_get_u32(r);
		if ((i == 0 && ln->use_start[0]) || (i && ln->use_start[i] < ln->use_start[i - 1]) ||
		    ln->use_start[i] > nuse || (i == npat && ln->use_start[i] != nuse))
			return rq_fail(RQ_EPARSE, "body matcher: lane %d: bad pattern table", li);
	}
	for (uint64_t i = 0; i < nuse; i++) {
		anchor_use *u = &ln->uses[i];
		u->sig = rq_bin_get_u32(r);
		u->variant = rq_bin_get_u32(r);
		u->lead = rq_bin_get_u32(r);
		u->width = rq_bin_get_u32(r);
		u->seg = rq_bin_get_u16(r);
		u->target = rq_bin_get_u8(r);
		u->last_seg = rq_bin_get_u8(r);
		const dbsig *d = u->sig < db->sig_count ? &db->sigs[u->sig] : NULL;
		const rq_hexprog *prog = d ? d->sig->prog : NULL;
		const rq_hexseg *seg = prog && u->seg < prog->seg_count ? &prog->segs[u->seg] : NULL;
		if (r->bad || !seg || d->lane != li || u->variant < seg->first_variant ||
		    u->variant - seg->first_variant >= seg->variant_count ||
		    u->width != prog->variants[u->variant].width || u->lead > u->width ||
		    u->target != d->sig->target || u->last_seg != (u->seg + 1u == prog->seg_count))
			return rq_fail(RQ_EPARSE, "body matcher: lane %d: use %llu does not fit its "
					"signature", li, (unsigned long long)i);
		if (u->width > ln->max_width)
			ln->max_width = u->width;
		ln->targets |= 1u << u->target;
		ln->later_parts |= u->seg > 0;
	}
	uint64_t n = rq_bin_get_u64(r);
	const uint8_t *bytes = n <= r->len ? rq_bin_take(r, (size_t)n) : NULL;
	rq_bin_skip_align(r, 8);
	if (!bytes || r->bad)
		return rq_fail(RQ_EPARSE, "body matcher: lane %d: truncated", li);
	if (hs_deserialize_database((const char *)bytes, (size_t)n, &ln->hs) != HS_SUCCESS) {
		ln->hs = NULL;
		return rq_fail(RQ_EPARSE, "body matcher: vectorscan refuses lane %d", li);
	}
	return 0;
}

int rq_bodydb_build_ex(rq_bodydb **out, rq_sigset *set, rq_bodysig *const *sigs, size_t count,
		       int portable, const uint8_t *saved, size_t saved_len)
{
	int rc = 0;
	*out = NULL;
	rq_bodydb *db = calloc(1, sizeof(*db));
	if (!db)
		return rq_fail(RQ_ENOMEM, "out of memory");
	db->portable = portable;
	for (size_t i = 0; i < count && !rc; i++)
		if (sigs[i] && sigs[i]->prog && sigs[i]->prog->seg_count)
			rc = add_sig(db, set, sigs[i]);
	if (saved) {
		rq_binreader r = rq_binreader_init(saved, saved_len);
		if (!rc && db->live != count)
			rc = rq_fail(RQ_EPARSE, "body matcher: %zu of %zu saved signatures unusable",
				     count - db->live, count);
		if (!rc)
			rc = add_twins(db);
		if (!rc && rq_bin_get_u32(&r) != LANE_COUNT)
			rc = rq_fail(RQ_EPARSE, "body matcher: wrong lane count");
		for (int li = 0; li < LANE_COUNT && !rc; li++)
			rc = load_lane(db, li, &r);
	} else {
		if (!rc)
			rc = build_lane(db, set, LANE_RAW);
		if (!rc)
			rc = add_twins(db);
		if (!rc)
			rc = build_lane(db, set, LANE_TEXT);
	}
	if (rc) {
		rq_bodydb_free(db);
		return rc;
	}
	*out = db;
	return 0;
}

size_t rq_bodydb_count(const rq_bodydb *db) { return db ? db->live : 0; }

size_t rq_bodydb_live(const rq_bodydb *db, const rq_bodysig **out)
{
	size_t n = 0;
	for (size_t k = 0; db && k < db->sig_count; k++)
		if (!db->sigs[k].dead && !db->sigs[k].is_twin)
			out[n++] = db->sigs[k].sig;
	return n;
}

int rq_bodydb_save(const rq_bodydb *db, rq_binbuf *out)
{
	int rc = 0;
	uint32_t *map = db->sig_count ? malloc(db->sig_count * sizeof(*map)) : NULL;
	if (db->sig_count && !map)
		return rq_fail(RQ_ENOMEM, "out of memory");
	/* indexes as rq_bodydb_build_ex will give them to the signatures in use */
	uint32_t live = 0, first_twin = UINT32_MAX;
	for (size_t k = 0; k < db->sig_count; k++) {
		if (db->sigs[k].is_twin && first_twin == UINT32_MAX)
			first_twin = (uint32_t)k;
		if (!db->sigs[k].is_twin && !db->sigs[k].dead)
			map[k] = live++;
	}
	for (size_t k = first_twin; k < db->sig_count; k++)
		map[k] = live + (uint32_t)(k - first_twin);
	rq_bin_u32(out, LANE_COUNT);
	for (int li = 0; li < LANE_COUNT && !rc; li++) {
		const lane *ln = &db->lanes[li];
		rq_bin_u8(out, ln->hs != NULL);
		if (!ln->hs) {
			rq_bin_align(out, 8);
			continue;
		}
		size_t nuse = ln->use_start[ln->pattern_count];
		rq_bin_u64(out, ln->pattern_count);
		rq_bin_u64(out, nuse);
		for (size_t i = 0; i <= ln->pattern_count; i++)
			rq_bin_u32(out, ln->use_start[i]);
		for (size_t i = 0; i < nuse; i++) {
			const anchor_use *u = &ln->uses[i];
			rq_bin_u32(out, map[u->sig]);
			rq_bin_u32(out, u->variant);
			rq_bin_u32(out, u->lead);
			rq_bin_u32(out, u->width);
			rq_bin_u16(out, u->seg);
			rq_bin_u8(out, u->target);
			rq_bin_u8(out, u->last_seg);
		}
		char *bytes = NULL;
		size_t len = 0;
		if (hs_serialize_database(ln->hs, &bytes, &len) != HS_SUCCESS) {
			rc = rq_fail(RQ_ENOMEM, "vectorscan cannot serialize the body matcher");
			break;
		}
		rq_bin_u64(out, len);
		rq_bin_put(out, bytes, len);
		rq_bin_align(out, 8);
		free(bytes);
	}
	free(map);
	if (!rc && out->no_mem)
		rc = rq_fail(RQ_ENOMEM, "out of memory");
	return rc;
}

void rq_bodydb_free(rq_bodydb *db)
{
	if (!db)
		return;
	for (int li = 0; li < LANE_COUNT; li++) {
		hs_free_database(db->lanes[li].hs);
		free(db->lanes[li].use_start);
		free(db->lanes[li].uses);
	}
	free(db->sigs);
	free(db->gaps);
	free(db);
}

/* --- scanning --- */

typedef struct cand {
	uint64_t ready; /* stream offset where the candidate's part ends */
	uint32_t use;   /* index in the lane's uses */
} cand;

typedef struct lane_scan {
	hs_stream_t *stream;
	hs_stream_t *backup; /* the stream before the current block (lanes with later parts) */
	int active;          /* scanned in this stream */
	/* early drop of later-part hits, and its safety net (see scan_block) */
	uint64_t max_to;     /* highest hit end seen in this block */
	int disorder;        /* a hit ended before an earlier-reported one */
	int dropped;         /* hits were dropped in this block */
	int no_drop;         /* rescanning a block: drop nothing */
	uint8_t *tail;       /* the last tail_len (<= max_width) bytes before `base` */
	size_t tail_len;
	uint8_t *join;       /* max_width bytes: a part straddling tail and block */
	uint64_t base;       /* stream offset of block[0] */
	const uint8_t *block;
	size_t block_len;
	cand *cands;         /* waiting for their bytes, or for ordering */
	size_t cand_count, cand_cap;
} lane_scan;

/*
 * Ends of part i of a signature, for the gap to part i+1. Unbounded gap:
 * `floor` is the earliest end. Bounded gap: ends within the last
 * words * 64 positions up to `last` are bits of the bitmap; `floor` is the
 * latest end that has left it.
 */
typedef struct gapstate {
	uint64_t floor, last;
} gapstate;

struct rq_bodyscan {
	const rq_bodydb *db;
	hs_scratch_t *scratch;
	lane_scan lanes[LANE_COUNT];
	uint32_t gen;         /* stream generation: per-signature state is valid when equal */
	uint32_t *sig_gen;
	uint8_t *sig_matched;
	uint16_t *sig_reach;  /* 1 + highest part with a hit queued in this stream */
	gapstate *gaps;
	uint64_t *words;
	const rq_bodysig **matches;
	size_t match_count, match_cap;
	uint64_t total_size;
	uint32_t allowed;     /* bit per target type this stream may match */
	int all_matches, stop, err, cur_lane;
	int force_disorder;   /* tests: treat every block as reported out of order */
	rq_textnorm norm;
	uint8_t *normbuf;     /* RQ_BODY_SCAN_BLOCK bytes, when there is a text lane */
};

int rq_bodyscan_new(rq_bodyscan **out, const rq_bodydb *db)
{
	int rc = 0;
	*out = NULL;
	rq_bodyscan *s = calloc(1, sizeof(*s));
	if (!s)
		return rq_fail(RQ_ENOMEM, "out of memory");
	s->db = db;
	size_t nsig = db->sig_count ? db->sig_count : 1;
	if (!(s->sig_gen = calloc(nsig, sizeof(*s->sig_gen))) ||
	    !(s->sig_matched = calloc(nsig, 1)) ||
	    !(s->sig_reach = calloc(nsig, sizeof(*s->sig_reach))) ||
	    !(s->gaps = calloc(db->gap_count ? db->gap_count : 1, sizeof(*s->gaps))) ||
	    !(s->words = calloc(db->word_count ? db->word_count : 1, sizeof(*s->words)))) {
		rc = rq_fail(RQ_ENOMEM, "out of memory");
		goto done;
	}
	for (int li = 0; li < LANE_COUNT; li++) {
		const lane *ln = &db->lanes[li];
		lane_scan *ls = &s->lanes[li];
		if (!ln->hs)
			continue;
		if (hs_alloc_scratch(ln->hs, &s->scratch) != HS_SUCCESS ||
		    hs_open_stream(ln->hs, 0, &ls->stream) != HS_SUCCESS ||
		    (ln->later_parts && hs_open_stream(ln->hs, 0, &ls->backup) != HS_SUCCESS)) {
			rc = rq_fail(RQ_ENOMEM, "vectorscan: cannot allocate scan state");
			goto done;
		}
		size_t w = ln->max_width ? ln->max_width : 1;
		if (!(ls->tail = malloc(w)) || !(ls->join = malloc(w))) {
			rc = rq_fail(RQ_ENOMEM, "out of memory");
			goto done;
		}
		if (li == LANE_TEXT && !(s->normbuf = malloc(RQ_BODY_SCAN_BLOCK))) {
			rc = rq_fail(RQ_ENOMEM, "out of memory");
			goto done;
		}
	}
	*out = s;
	s = NULL;
done:
	rq_bodyscan_free(s);
	return rc;
}

void rq_bodyscan_free(rq_bodyscan *s)
{
	if (!s)
		return;
	for (int li = 0; li < LANE_COUNT; li++) {
		lane_scan *ls = &s->lanes[li];
		if (ls->stream)
			hs_close_stream(ls->stream, NULL, NULL, NULL);
		if (ls->backup)
			hs_close_stream(ls->backup, NULL, NULL, NULL);
		free(ls->tail);
		free(ls->join);
		free(ls->cands);
	}
	hs_free_scratch(s->scratch);
	free(s->sig_gen);
	free(s->sig_matched);
	free(s->sig_reach);
	free(s->gaps);
	free(s->words);
	free(s->matches);
	free(s->normbuf);
	free(s);
}

int rq_bodyscan_begin(rq_bodyscan *s, uint64_t total_size, rq_filetype type, int all_matches)
{
	if (++s->gen == 0) { /* wrapped: forget every signature's state once */
		memset(s->sig_gen, 0, s->db->sig_count * sizeof(*s->sig_gen));
		s->gen = 1;
	}
	s->match_count = 0;
	s->stop = 0;
	s->err = 0;
	s->total_size = total_size;
	s->all_matches = all_matches;
	s->allowed = 1u << RQ_TARGET_ANY;
	if (type == RQ_FT_PE)
		s->allowed |= 1u << RQ_TARGET_PE;
	else if (type == RQ_FT_ELF)
		s->allowed |= 1u << RQ_TARGET_ELF;
	else if (type == RQ_FT_MACHO)
		s->allowed |= 1u << RQ_TARGET_MACHO;
	else if (type == RQ_FT_TEXT)
		s->allowed |= 1u << RQ_TARGET_TEXT;
	rq_textnorm_init(&s->norm);
	for (int li = 0; li < LANE_COUNT; li++) {
		lane_scan *ls = &s->lanes[li];
		if (ls->active && hs_reset_stream(ls->stream, 0, NULL, NULL, NULL) != HS_SUCCESS)
			return rq_fail(RQ_ERROR, "vectorscan: cannot reset a stream");
		ls->active = ls->stream && (s->db->lanes[li].targets & s->allowed);
		if (li == LANE_TEXT) /* like ClamAV: only text files, only up to MaxScriptNormalize */
			ls->active = ls->active && type == RQ_FT_TEXT &&
				     total_size <= RQ_MAX_SCRIPT_NORMALIZE;
		ls->tail_len = 0;
		ls->base = 0;
		ls->cand_count = 0;
	}
	return 0;
}

/* Make signature i's state belong to this stream. */
static void sig_touch(rq_bodyscan *s, uint32_t i)
{
	if (s->sig_gen[i] == s->gen)
		return;
	s->sig_gen[i] = s->gen;
	s->sig_matched[i] = 0;
	s->sig_reach[i] = 0;
	const dbsig *d = &s->db->sigs[i];
	for (uint32_t g = 0; g + 1 < d->seg_count; g++) {
		const gapinfo *gi = &s->db->gaps[d->first_gap + g];
		s->gaps[d->first_gap + g] = (gapstate){ NONE, NONE };
		if (gi->words)
			memset(s->words + gi->first_word, 0, gi->words * sizeof(uint64_t));
	}
}

static int offset_ok(const rq_bodyscan *s, const rq_bodysig *sig, uint64_t start)
{
	const rq_offset *o = &sig->offset;
	uint64_t base;
	switch (o->kind) {
	case RQ_OFFSET_ABS:
		base = o->value;
		break;
	case RQ_OFFSET_EOF:
		if (s->total_size < o->value)
			return 0;
		base = s->total_size - o->value;
		break;
	default:
		return 1;
	}
	return start >= base && start - base <= o->shift;
}

/* Bitmap positions are taken modulo its size (a power of two). */
static uint64_t word_mask(uint64_t bit, uint64_t n)
{
	return (n >= 64 ? ~0ULL : ((1ULL << n) - 1)) << bit;
}

/* Whether any bit is set for positions [from, to] (to - from < size). */
static int bits_any(const uint64_t *w, uint64_t size, uint64_t from, uint64_t to)
{
	for (uint64_t p = from; p <= to;) {
		uint64_t idx = p & (size - 1), bit = idx & 63;
		uint64_t n = 64 - bit < to - p + 1 ? 64 - bit : to - p + 1;
		if (w[idx >> 6] & word_mask(bit, n))
			return 1;
		p += n;
	}
	return 0;
}

/* Highest position in [from, to] whose bit is set, cleared on the way; NONE if none. */
static uint64_t bits_take_max(uint64_t *w, uint64_t size, uint64_t from, uint64_t to)
{
	uint64_t best = NONE;
	for (uint64_t p = from; p <= to;) {
		uint64_t idx = p & (size - 1), bit = idx & 63;
		uint64_t n = 64 - bit < to - p + 1 ? 64 - bit : to - p + 1;
		uint64_t m = w[idx >> 6] & word_mask(bit, n);
		if (m) {
			best = p + (uint64_t)(63 - __builtin_clzll(m)) - bit;
			w[idx >> 6] &= ~m;
		}
		p += n;
	}
	return best;
}

/* Whether some end of the part before gap `gi` lies in [start - max, start - min]. */
static int gap_ok(const rq_bodyscan *s, const gapinfo *gi, const gapstate *gs, uint64_t start)
{
	if (start < gi->min)
		return 0;
	uint64_t hi = start - gi->min;
	uint64_t lo = gi->max == RQ_HEX_GAP_INF ? 0 : (start > gi->max ? start - gi->max : 0);
	if (!gi->words)
		return gs->floor != NONE && gs->floor <= hi;
	if (gs->last != NONE) {
		uint64_t size = (uint64_t)gi->words * 64;
		uint64_t win_lo = gs->last >= size ? gs->last - size + 1 : 0;
		uint64_t a = lo > win_lo ? lo : win_lo, z = hi < gs->last ? hi : gs->last;
		if (a <= z && bits_any(s->words + gi->first_word, size, a, z))
			return 1;
	}
	return gs->floor != NONE && gs->floor >= lo && gs->floor <= hi;
}

/* Remember that the part before gap `gi` ended at `end` (ends come in order). */
static void gap_record(rq_bodyscan *s, const gapinfo *gi, gapstate *gs, uint64_t end)
{
	if (!gi->words) {
		if (gs->floor == NONE || end < gs->floor)
			gs->floor = end;
		return;
	}
	uint64_t size = (uint64_t)gi->words * 64;
	uint64_t *w = s->words + gi->first_word;
	if (gs->last != NONE && end > gs->last) {
		/* positions [last - size + 1, end - size] leave the window */
		uint64_t from = gs->last >= size ? gs->last - size + 1 : 0;
		if (end >= size && end - size >= from) {
			uint64_t to = end - size;
			if (to > gs->last)
				to = gs->last;
			uint64_t m = bits_take_max(w, size, from, to);
			if (m != NONE && (gs->floor == NONE || m > gs->floor))
				gs->floor = m;
		}
	} else if (gs->last != NONE && end + size <= gs->last) {
		if (gs->floor == NONE || end > gs->floor) /* older than the window */
			gs->floor = end;
		return;
	}
	if (gs->last == NONE || end > gs->last)
		gs->last = end;
	w[(end & (size - 1)) >> 6] |= 1ULL << (end & 63);
}

/* `len` contiguous bytes of the stream from `start`, or NULL if not at hand. */
static const uint8_t *view(lane_scan *ls, uint64_t start, size_t len)
{
	if (start >= ls->base) {
		uint64_t off = start - ls->base;
		return off + len <= ls->block_len ? ls->block + off : NULL;
	}
	uint64_t tail_start = ls->base - ls->tail_len;
	if (start < tail_start)
		return NULL;
	if (start + len <= ls->base)
		return ls->tail + (start - tail_start);
	size_t from_tail = (size_t)(ls->base - start);
	if (len - from_tail > ls->block_len)
		return NULL;
	memcpy(ls->join, ls->tail + ls->tail_len - from_tail, from_tail);
	memcpy(ls->join + from_tail, ls->block, len - from_tail);
	return ls->join;
}

/* Whether signature i (or its twin) has matched in this stream. */
static int sig_done(const rq_bodyscan *s, uint32_t i)
{
	if (s->sig_gen[i] == s->gen && s->sig_matched[i])
		return 1;
	uint32_t t = s->db->sigs[i].twin;
	return t != NO_TWIN && s->sig_gen[t] == s->gen && s->sig_matched[t];
}

static int add_match(rq_bodyscan *s, uint32_t sig_index)
{
	int already = sig_done(s, sig_index);
	s->sig_matched[sig_index] = 1;
	if (already)
		return 0;
	int rc = rq_grow((void **)&s->matches, &s->match_cap, s->match_count + 1,
			 sizeof(*s->matches));
	if (rc)
		return rc;
	s->matches[s->match_count++] = s->db->sigs[sig_index].sig;
	if (!s->all_matches)
		s->stop = 1;
	return 0;
}

/* Verify the candidate of use `ui` whose part ends at `ready` (its bytes at hand). */
static int verify(rq_bodyscan *s, const lane *ln, lane_scan *ls, uint64_t ready, uint32_t ui)
{
	const anchor_use *u = &ln->uses[ui];
	const dbsig *d = &s->db->sigs[u->sig];
	sig_touch(s, u->sig);
	if (sig_done(s, u->sig))
		return 0;
	uint64_t start = ready - u->width;
	const gapinfo *gi = NULL;
	if (u->seg == 0) {
		if (!offset_ok(s, d->sig, start))
			return 0;
	} else {
		gi = &s->db->gaps[d->first_gap + u->seg - 1];
		if (!gap_ok(s, gi, &s->gaps[d->first_gap + u->seg - 1], start))
			return 0;
	}
	const rq_hexprog *prog = d->sig->prog;
	const uint8_t *p = view(ls, start, u->width);
	if (!p || !rq_hexvariant_match(prog, &prog->variants[u->variant], p))
		return 0;
	if (u->last_seg)
		return add_match(s, u->sig);
	gap_record(s, &s->db->gaps[d->first_gap + u->seg], &s->gaps[d->first_gap + u->seg], ready);
	return 0;
}

static int on_anchor(unsigned int id, unsigned long long from, unsigned long long to,
		     unsigned int flags, void *ctx)
{
	(void)from;
	(void)flags;
	rq_bodyscan *s = ctx;
	const lane *ln = &s->db->lanes[s->cur_lane];
	lane_scan *ls = &s->lanes[s->cur_lane];
	uint64_t block_end = ls->base + ls->block_len;
	if (to < ls->max_to)
		ls->disorder = 1;
	else
		ls->max_to = to;
	for (uint32_t k = ln->use_start[id]; k < ln->use_start[id + 1]; k++) {
		const anchor_use *u = &ln->uses[k];
		if (!((s->allowed >> u->target) & 1) || to < u->lead)
			continue;
		if (sig_done(s, u->sig))
			continue;
		uint64_t start = to - u->lead, ready = start + u->width;
		if (u->seg == 0 && !offset_ok(s, s->db->sigs[u->sig].sig, start))
			continue;
		if (u->seg > 0) {
			/* Part k can only follow a hit of part k-1, which ends before
			 * this hit starts and so was reported first (unless vectorscan
			 * reported out of order: then scan_block rescans). */
			sig_touch(s, u->sig);
			if (s->sig_reach[u->sig] < u->seg && !ls->no_drop) {
				ls->dropped = 1;
				continue;
			}
		}
		if (u->seg == 0 && u->last_seg && ready <= block_end) {
			/* a one-part signature depends on nothing else: verify now */
			int rc = verify(s, ln, ls, ready, k);
			if (rc)
				s->err = rc;
			if (s->err || s->stop)
				return 1;
			continue;
		}
		if (ls->cand_count == ls->cand_cap) {
			if (ls->cand_count >= RQ_MAX_BODY_CANDIDATES) {
				s->err = rq_fail(RQ_ELIMIT, "more than %d body signature candidates "
							    "pending in one file", RQ_MAX_BODY_CANDIDATES);
				return 1;
			}
			if ((s->err = rq_grow((void **)&ls->cands, &ls->cand_cap, ls->cand_count + 1,
					      sizeof(*ls->cands))))
				return 1;
		}
		ls->cands[ls->cand_count++] = (cand){ ready, k };
		if (!u->last_seg) {
			sig_touch(s, u->sig);
			if (s->sig_reach[u->sig] < u->seg + 1)
				s->sig_reach[u->sig] = (uint16_t)(u->seg + 1);
		}
	}
	return 0;
}

static int cmp_cand(const void *x, const void *y)
{
	const cand *a = x, *b = y;
	if (a->ready != b->ready)
		return a->ready < b->ready ? -1 : 1;
	return a->use < b->use ? -1 : a->use > b->use;
}

/*
 * Verify, in order of the offset where their part ends, the candidates whose
 * bytes are all at hand (ready <= end of the block). That order guarantees
 * that the ends of part i are all recorded before any start of part i+1 that
 * could use them is checked.
 */
static int drain(rq_bodyscan *s, int li)
{
	const lane *ln = &s->db->lanes[li];
	lane_scan *ls = &s->lanes[li];
	uint64_t block_end = ls->base + ls->block_len;
	size_t n = ls->cand_count, kept = 0;
	int sorted = 1;
	for (size_t i = 1; i < n && sorted; i++)
		sorted = cmp_cand(&ls->cands[i - 1], &ls->cands[i]) <= 0;
	if (!sorted)
		qsort(ls->cands, n, sizeof(*ls->cands), cmp_cand);
	for (size_t i = 0; i < n; i++) {
		cand c = ls->cands[i];
		if (c.ready > block_end) {
			ls->cands[kept++] = c;
			continue;
		}
		if (s->stop)
			continue;
		int rc = verify(s, ln, ls, c.ready, c.use);
		if (rc)
			return rc;
	}
	ls->cand_count = kept;
	return 0;
}

/* Keep the last max_width bytes of the stream for parts that straddle blocks. */
static void keep_tail(const lane *ln, lane_scan *ls)
{
	size_t w = ln->max_width, n = ls->block_len;
	if (n >= w) {
		memcpy(ls->tail, ls->block + n - w, w);
		ls->tail_len = w;
		return;
	}
	size_t keep = ls->tail_len < w - n ? ls->tail_len : w - n;
	memmove(ls->tail, ls->tail + ls->tail_len - keep, keep);
	memcpy(ls->tail + keep, ls->block, n);
	ls->tail_len = keep + n;
}

/*
 * Scan one block. Hits of part k > 0 of a signature with no hit of part k-1
 * yet are dropped on the spot (weak later parts, such as 0000 in zero
 * padding, would otherwise queue a candidate per byte). That relies on hits
 * arriving in order of their end, which vectorscan does not promise: the
 * stream is backed up before the block, and if a block both dropped hits and
 * saw them out of order, it is scanned again from the backup without drops.
 */
static int scan_block(rq_bodyscan *s, int li, const uint8_t *p, size_t n)
{
	const lane *ln = &s->db->lanes[li];
	lane_scan *ls = &s->lanes[li];
	size_t mark = ls->cand_count;
	ls->block = p;
	ls->block_len = n;
	s->cur_lane = li;
	ls->no_drop = 0;
	if (ls->backup &&
	    hs_reset_and_copy_stream(ls->backup, ls->stream, NULL, NULL, NULL) != HS_SUCCESS)
		return rq_fail(RQ_ERROR, "vectorscan: cannot copy a stream");
	hs_error_t e;
	for (;;) {
		ls->max_to = 0;
		ls->disorder = s->force_disorder;
		ls->dropped = 0;
		e = hs_scan_stream(ls->stream, (const char *)p, (unsigned)n, 0, s->scratch,
				   on_anchor, s);
		if (!ls->backup || !ls->disorder || !ls->dropped || ls->no_drop || s->err || s->stop)
			break;
		if (hs_reset_and_copy_stream(ls->stream, ls->backup, NULL, NULL, NULL) != HS_SUCCESS)
			return rq_fail(RQ_ERROR, "vectorscan: cannot copy a stream");
		ls->cand_count = mark;
		ls->no_drop = 1;
	}
	if (e == HS_SCAN_TERMINATED || s->err || s->stop) {
		ls->block = NULL;
		return s->err;
	}
	if (e != HS_SUCCESS)
		return rq_fail(RQ_ERROR, "vectorscan scan failed (error %d)", (int)e);
	int rc = ls->cand_count ? drain(s, li) : 0;
	keep_tail(ln, ls);
	ls->base += n;
	ls->block = NULL;
	ls->block_len = 0;
	return rc;
}

int rq_bodyscan_feed(rq_bodyscan *s, const uint8_t *data, size_t len)
{
	int rc = 0;
	if (s->err)
		return s->err;
	for (size_t off = 0; off < len && !rc && !s->stop;) {
		size_t n = len - off < RQ_BODY_SCAN_BLOCK ? len - off : RQ_BODY_SCAN_BLOCK;
		if (s->lanes[LANE_RAW].active)
			rc = scan_block(s, LANE_RAW, data + off, n);
		if (!rc && !s->stop && s->lanes[LANE_TEXT].active) {
			size_t m = rq_textnorm_run(&s->norm, s->normbuf, data + off, n);
			if (m)
				rc = scan_block(s, LANE_TEXT, s->normbuf, m);
		}
		off += n;
	}
	if (rc)
		s->err = rc;
	return rc ? rc : s->stop;
}

int rq_bodyscan_end(rq_bodyscan *s)
{
	/* Candidates still waiting need bytes past the end: they cannot match. */
	for (int li = 0; li < LANE_COUNT; li++)
		s->lanes[li].cand_count = 0;
	return s->err;
}

void rq_bodyscan_test_disorder(rq_bodyscan *s, int on) { s->force_disorder = on; }

size_t rq_bodyscan_matches(const rq_bodyscan *s, const rq_bodysig *const **out)
{
	*out = (const rq_bodysig *const *)s->matches;
	return s->match_count;
}
