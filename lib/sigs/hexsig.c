/*
 * Compiling a ClamAV hex body pattern ("4d5a??{4}(aa|bbcc)*0102") into the
 * program of hexsig.h: fixed-width segments separated by variable gaps, each
 * segment expanded into fixed-width variants with an anchor for the
 * multi-pattern matcher. Every size is bounded by core/limits.h, so a hostile
 * .ndb line costs bounded work. Syntax: docs/signatures-ndb.md.
 */
#include "sigs/hexsig.h"

#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/limits.h"
#include "core/util.h"

/* Elements in pattern order, before segments are formed. */
typedef enum el_kind { EL_BYTE, EL_SKIP, EL_ALT, EL_NALT, EL_GAP } el_kind;

typedef struct elem {
	uint8_t kind;
	rq_hexbyte byte;  /* EL_BYTE */
	uint32_t a, b;    /* SKIP: n, -; ALT/NALT: first branch, count; GAP: min, max */
	uint32_t minw, maxw; /* ALT/NALT: shortest and longest branch */
} elem;

typedef struct parser {
	const char *s;
	size_t len, pos;
	rq_hexprog *prog;
	elem *els;
	size_t el_count, el_cap;
	size_t positions; /* byte positions made, bounded by RQ_MAX_SIG_ELEMENTS */
	int last_was_gap; /* the last token was `*` or `{..}` */
} parser;

static int is_hex(int c) { return rq_hexval(c) >= 0; }

static int add_elem(parser *p, const elem *e)
{
	int rc = rq_grow((void **)&p->els, &p->el_cap, p->el_count + 1, sizeof(*e));
	if (!rc)
		p->els[p->el_count++] = *e;
	return rc;
}

static int count_positions(parser *p, size_t n)
{
	p->positions += n;
	if (p->positions > RQ_MAX_SIG_ELEMENTS)
		return rq_fail(RQ_EUNSUPPORTED, "pattern has more than %d elements",
			       RQ_MAX_SIG_ELEMENTS);
	return 0;
}

static int add_byte(rq_hexprog *prog, rq_hexbyte b)
{
	int rc = rq_grow((void **)&prog->bytes, &prog->byte_cap, prog->byte_count + 1, sizeof(b));
	if (!rc)
		prog->bytes[prog->byte_count++] = b;
	return rc;
}

static int add_class(rq_hexprog *prog, const rq_hexclass *c, uint16_t *out)
{
	if (prog->class_count >= UINT16_MAX)
		return rq_fail(RQ_EUNSUPPORTED, "too many byte classes");
	int rc = rq_grow((void **)&prog->classes, &prog->class_cap, prog->class_count + 1,
			 sizeof(*c));
	if (rc)
		return rc;
	prog->classes[prog->class_count++] = *c;
	*out = (uint16_t)prog->class_count;
	return 0;
}

/* Add the byte values matched by `m` to `c`. */
static void class_add(const rq_hexprog *prog, rq_hexclass *c, const rq_hexbyte *m)
{
	for (unsigned b = 0; b < 256; b++)
		if (rq_hexbyte_match(prog, m, (uint8_t)b))
			c->bits[b >> 3] |= (uint8_t)(1u << (b & 7));
}

static unsigned class_size(const rq_hexclass *c)
{
	unsigned n = 0;
	for (int i = 0; i < 32; i++)
		n += (unsigned)__builtin_popcount(c->bits[i]);
	return n;
}

static int class_first(const rq_hexclass *c)
{
	for (unsigned b = 0; b < 256; b++)
		if ((c->bits[b >> 3] >> (b & 7)) & 1)
			return (int)b;
	return -1;
}

/* Values a byte position can take (1 for a literal, 16 for a nibble, ...). */
static unsigned byte_choices(const rq_hexprog *prog, const rq_hexbyte *m)
{
	if (m->cls)
		return class_size(&prog->classes[m->cls - 1]);
	return 1u << (8 - __builtin_popcount(m->mask));
}

static int is_literal(const rq_hexbyte *m) { return !m->cls && m->mask == 0xff; }

/*
 * One two-character byte token at p->pos: `hh`, `h?`, `?h` or `??`.
 * Sets *any for `??`.
 */
static int parse_byte(parser *p, rq_hexbyte *out, int *any)
{
	const char *s = p->s;
	size_t at = p->pos;
	if (at + 1 >= p->len || !(is_hex((unsigned char)s[at + 1]) || s[at + 1] == '?')) {
		if (at + 1 >= p->len || strchr("*{}()|!", s[at + 1]))
			return rq_fail(RQ_EPARSE, "odd number of hex digits at position %zu", at + 1);
		return rq_fail(RQ_EPARSE, "bad character '%c' at position %zu",
			       s[at + 1] >= 0x20 && s[at + 1] < 0x7f ? s[at + 1] : '?', at + 2);
	}
	int hi = rq_hexval((unsigned char)s[at]), lo = rq_hexval((unsigned char)s[at + 1]);
	*any = 0;
	*out = (rq_hexbyte){ 0, 0, 0 };
	if (hi < 0 && lo < 0)
		*any = 1;
	else if (hi < 0)
		*out = (rq_hexbyte){ (uint8_t)lo, 0x0f, 0 };
	else if (lo < 0)
		*out = (rq_hexbyte){ (uint8_t)(hi << 4), 0xf0, 0 };
	else
		*out = (rq_hexbyte){ (uint8_t)(hi << 4 | lo), 0xff, 0 };
	p->pos += 2;
	return 0;
}

static int parse_number(parser *p, size_t end, uint32_t *out, int *present)
{
	uint64_t v = 0;
	size_t start = p->pos;
	while (p->pos < end && p->s[p->pos] >= '0' && p->s[p->pos] <= '9') {
		v = v * 10 + (uint64_t)(p->s[p->pos] - '0');
		if (v > RQ_MAX_HEX_NUMBER)
			return rq_fail(RQ_EUNSUPPORTED, "number too large in '{..}' at position %zu",
				       start + 1);
		p->pos++;
	}
	*present = p->pos > start;
	*out = (uint32_t)v;
	return 0;
}

/*
 * `{n}`, `{n-}`, `{-n}` or `{n-m}` at p->pos (on the '{'): *min and *max
 * (RQ_HEX_GAP_INF when open).
 */
static int parse_brace(parser *p, uint32_t *min, uint32_t *max)
{
	size_t open = p->pos;
	const char *close = memchr(p->s + open, '}', p->len - open);
	if (!close)
		return rq_fail(RQ_EPARSE, "unterminated '{' at position %zu", open + 1);
	size_t end = (size_t)(close - p->s);
	uint32_t a = 0, b = 0;
	int has_a, has_b = 0, dash = 0, rc;
	p->pos++;
	if ((rc = parse_number(p, end, &a, &has_a)))
		return rc;
	if (p->pos < end && p->s[p->pos] == '-') {
		dash = 1;
		p->pos++;
		if ((rc = parse_number(p, end, &b, &has_b)))
			return rc;
	}
	if (p->pos != end || (!has_a && !has_b))
		return rq_fail(RQ_EPARSE, "bad range '{%.*s}' at position %zu",
			       (int)(end - open - 1 > 20 ? 20 : end - open - 1), p->s + open + 1,
			       open + 1);
	p->pos = end + 1;
	if (!dash) {
		*min = *max = a;
	} else if (!has_b) {
		*min = a;
		*max = RQ_HEX_GAP_INF;
	} else if (!has_a) {
		*min = 0;
		*max = b;
	} else {
		if (a > b)
			return rq_fail(RQ_EPARSE, "bad range '{%u-%u}' (%u > %u) at position %zu",
				       a, b, a, b, open + 1);
		*min = a;
		*max = b;
	}
	return 0;
}

static int cmp_branch_len(const void *x, const void *y)
{
	const rq_hexbranch *a = x, *b = y;
	if (a->len != b->len)
		return a->len < b->len ? -1 : 1;
	return a->first < b->first ? -1 : a->first > b->first;
}

/* Turn a group whose branches are all one byte long into one byte position. */
static int group_to_byte(parser *p, uint32_t first, uint32_t count, int negated)
{
	rq_hexprog *prog = p->prog;
	rq_hexclass c;
	memset(&c, 0, sizeof(c));
	for (uint32_t i = 0; i < count; i++)
		class_add(prog, &c, &prog->bytes[prog->branches[first + i].first]);
	if (negated)
		for (int i = 0; i < 32; i++)
			c.bits[i] = (uint8_t)~c.bits[i];
	prog->branch_count = first; /* the branches are folded into the class */
	unsigned n = class_size(&c);
	elem e = { .kind = EL_BYTE };
	if (n == 0)
		return rq_fail(RQ_EPARSE, "negated alternatives exclude every byte");
	if (n == 256) {
		e.kind = EL_SKIP;
		e.a = 1;
	} else if (n == 1) {
		e.byte = (rq_hexbyte){ (uint8_t)class_first(&c), 0xff, 0 };
	} else {
		int rc = add_class(prog, &c, &e.byte.cls);
		if (rc)
			return rc;
	}
	return add_elem(p, &e);
}

/* `(..|..)` or `!(..|..)` at p->pos (on the '('). */
static int parse_group(parser *p, int negated)
{
	rq_hexprog *prog = p->prog;
	size_t open = p->pos;
	int rc = 0;
	p->pos++;
	if (p->pos + 1 < p->len && p->s[p->pos + 1] == ')' && strchr("BLW", p->s[p->pos]) &&
	    p->s[p->pos] != '\0')
		return rq_fail(RQ_EUNSUPPORTED, "character class '(%c)' at position %zu",
			       p->s[p->pos], open + 1);
	uint32_t first = (uint32_t)prog->branch_count, count = 0;
	for (;;) {
		/* one branch */
		if (count >= RQ_MAX_ALTERNATIVES)
			return rq_fail(RQ_EUNSUPPORTED, "more than %d alternatives at position %zu",
				       RQ_MAX_ALTERNATIVES, open + 1);
		rq_hexbranch br = { (uint32_t)prog->byte_count, 0 };
		int literal = 1;
		while (p->pos < p->len && p->s[p->pos] != '|' && p->s[p->pos] != ')') {
			char c = p->s[p->pos];
			if (is_hex((unsigned char)c) || c == '?') {
				rq_hexbyte b;
				int any;
				if ((rc = parse_byte(p, &b, &any)) || (rc = count_positions(p, 1)) ||
				    (rc = add_byte(prog, b)))
					return rc;
				literal &= is_literal(&b);
				br.len++;
			} else if (c == '{') {
				size_t at = p->pos;
				uint32_t min, max;
				if ((rc = parse_brace(p, &min, &max)))
					return rc;
				if (min != max)
					return rq_fail(RQ_EUNSUPPORTED,
						       "variable gap inside alternatives at position %zu",
						       at + 1);
				if ((rc = count_positions(p, min)))
					return rc;
				for (uint32_t i = 0; i < min; i++)
					if ((rc = add_byte(prog, (rq_hexbyte){ 0, 0, 0 })))
						return rc;
				literal &= min == 0;
				br.len += min;
			} else if (c == '*') {
				return rq_fail(RQ_EUNSUPPORTED,
					       "'*' inside alternatives at position %zu", p->pos + 1);
			} else if (c == '(' || c == '!') {
				return rq_fail(RQ_EUNSUPPORTED, "nested alternatives at position %zu",
					       p->pos + 1);
			} else if (c == '[') {
				return rq_fail(RQ_EUNSUPPORTED, "byte range '[..]' at position %zu",
					       p->pos + 1);
			} else {
				return rq_fail(RQ_EPARSE, "bad character '%c' at position %zu",
					       c >= 0x20 && c < 0x7f ? c : '?', p->pos + 1);
			}
		}
		if (p->pos >= p->len)
			return rq_fail(RQ_EPARSE, "unbalanced '(' at position %zu", open + 1);
		if (br.len == 0)
			return rq_fail(RQ_EPARSE, "empty alternative at position %zu", p->pos + 1);
		if (br.len > RQ_MAX_SEGMENT_LEN)
			return rq_fail(RQ_EUNSUPPORTED, "alternative longer than %d bytes",
				       RQ_MAX_SEGMENT_LEN);
		if (negated && !literal)
			return rq_fail(RQ_EUNSUPPORTED,
				       "wildcards in negated alternatives at position %zu", open + 1);
		if ((rc = rq_grow((void **)&prog->branches, &prog->branch_cap,
				  prog->branch_count + 1, sizeof(br))))
			return rc;
		prog->branches[prog->branch_count++] = br;
		count++;
		if (p->s[p->pos++] == ')')
			break;
	}
	rq_hexbranch *brs = prog->branches + first;
	qsort(brs, count, sizeof(*brs), cmp_branch_len);
	uint32_t minw = brs[0].len, maxw = brs[count - 1].len;
	if (negated && minw != maxw)
		return rq_fail(RQ_EPARSE, "negated alternatives of different lengths at position %zu",
			       open + 1);
	if (maxw == 1)
		return group_to_byte(p, first, count, negated);
	elem e = { .kind = negated ? EL_NALT : EL_ALT, .a = first, .b = count,
		   .minw = minw, .maxw = maxw };
	return add_elem(p, &e);
}

static int parse_tokens(parser *p)
{
	int rc = 0;
	while (p->pos < p->len && !rc) {
		char c = p->s[p->pos];
		elem e;
		memset(&e, 0, sizeof(e));
		int gap = 0;
		if (is_hex((unsigned char)c) || c == '?') {
			int any;
			if ((rc = parse_byte(p, &e.byte, &any)) || (rc = count_positions(p, 1)))
				break;
			if (any) {
				e.kind = EL_SKIP;
				e.a = 1;
			} else {
				e.kind = EL_BYTE;
			}
			rc = add_elem(p, &e);
		} else if (c == '*') {
			p->pos++;
			e.kind = EL_GAP;
			e.a = 0;
			e.b = RQ_HEX_GAP_INF;
			gap = 1;
			if (!(rc = count_positions(p, 1)))
				rc = add_elem(p, &e);
		} else if (c == '{') {
			uint32_t min, max;
			gap = 1;
			if ((rc = parse_brace(p, &min, &max)) || (rc = count_positions(p, 1)))
				break;
			if (min == max && min < RQ_HEX_SPLIT_SKIP) {
				e.kind = EL_SKIP;
				e.a = min;
			} else {
				e.kind = EL_GAP;
				e.a = min;
				e.b = max;
			}
			rc = add_elem(p, &e);
		} else if (c == '(' || (c == '!' && p->pos + 1 < p->len && p->s[p->pos + 1] == '(')) {
			if (c == '!')
				p->pos++;
			rc = parse_group(p, c == '!');
		} else if (c == '[') {
			rc = rq_fail(RQ_EUNSUPPORTED, "byte range '[..]' at position %zu", p->pos + 1);
		} else if (c == ')' || c == '|' || c == '}') {
			rc = rq_fail(RQ_EPARSE, "unbalanced '%c' at position %zu", c, p->pos + 1);
		} else {
			rc = rq_fail(RQ_EPARSE, "bad character '%c' at position %zu",
				     c >= 0x20 && c < 0x7f ? c : '?', p->pos + 1);
		}
		if (!rc && p->el_count == 1 && gap)
			rc = rq_fail(RQ_EPARSE, "pattern starts with a gap");
		p->last_was_gap = gap;
	}
	if (!rc && p->el_count == 0)
		rc = rq_fail(RQ_EPARSE, "empty pattern");
	if (!rc && p->last_was_gap)
		rc = rq_fail(RQ_EPARSE, "pattern ends with a gap");
	return rc;
}

/* --- segments, variants, anchors --- */

static int add_item(rq_hexprog *prog, rq_hexitem it)
{
	int rc = rq_grow((void **)&prog->items, &prog->item_cap, prog->item_count + 1, sizeof(it));
	if (!rc)
		prog->items[prog->item_count++] = it;
	return rc;
}

/* A unit of anchor choice: one byte position, one whole group or one skip. */
typedef struct unit {
	uint32_t off, width;
	int anchorable;
	int skip;       /* inside an anchor only, never at its ends */
	uint32_t fixed; /* bytes every match has fully fixed here (0 breaks a fixed run) */
	uint32_t bits;  /* specificity, in bits */
} unit;

static uint32_t log2_ceil(unsigned n)
{
	uint32_t l = 0;
	while ((1u << l) < n)
		l++;
	return l;
}

/* Specificity of a byte position; 00 and ff, the filler of binaries, count less. */
static uint32_t byte_bits(const rq_hexprog *prog, const rq_hexbyte *m)
{
	if (!m->cls && m->mask == 0xff && (m->value == 0x00 || m->value == 0xff))
		return 6;
	return 8 - log2_ceil(byte_choices(prog, m));
}

typedef struct window {
	uint32_t off, len, bits;
} window;

/*
 * The best window over `units` (see choose_anchor), skips inside it allowed
 * or not. Returns 0 when no window holds RQ_MIN_ANCHOR_FIXED fixed bytes in a row.
 */
static int best_window(const unit *units, size_t n, int allow_skips, int literal_only,
		       window *best)
{
	int found = 0;
	for (size_t i = 0; i < n; i++) {
		uint32_t width = 0, bits = 0, run = 0, max_run = 0;
		if (units[i].skip)
			continue;
		for (size_t j = i; j < n && units[j].anchorable; j++) {
			if (units[j].skip && !allow_skips)
				break;
			if (literal_only && units[j].fixed != units[j].width)
				break;
			if (j > i && width + units[j].width > RQ_MAX_ANCHOR_LEN)
				break;
			width += units[j].width;
			bits += units[j].bits;
			run = units[j].fixed ? run + units[j].fixed : 0;
			if (run > max_run)
				max_run = run;
			if (max_run < RQ_MIN_ANCHOR_FIXED || units[j].skip)
				continue;
			uint32_t end = units[i].off + width;
			if (!found || bits > best->bits ||
			    (bits == best->bits && end > best->off + best->len)) {
				found = 1;
				*best = (window){ units[i].off, width, bits };
			}
		}
	}
	return found;
}

/*
 * The anchor of variant `v`: the window of consecutive anchorable units, at
 * most RQ_MAX_ANCHOR_LEN bytes wide (a single wider group is allowed), with
 * the most bits of specificity, the later one on ties (it is verified
 * sooner). Skips (`??`, `{n}`) may sit inside the window, never at its ends:
 * "0000??41" is a far rarer anchor than "0000". Rule for "too generic": the window must hold a run of at least
 * RQ_MIN_ANCHOR_FIXED bytes that are fully fixed in every match -- literal
 * bytes, or groups whose alternatives are all plain literals -- as ClamAV
 * asks of every part of a signature. A variant without one is refused.
 */
static int choose_anchor(rq_hexprog *prog, rq_hexvariant *v, unit *units)
{
	size_t n = 0;
	uint32_t off = 0;
	for (uint32_t k = 0; k < v->item_count; k++) {
		const rq_hexitem *it = &prog->items[v->first_item + k];
		if (it->kind == RQ_HEXIT_BYTES) {
			for (uint32_t i = 0; i < it->count; i++) {
				const rq_hexbyte *m = &prog->bytes[it->first + i];
				units[n++] = (unit){ off + i, 1, 1, 0, byte_choices(prog, m) == 1,
						     byte_bits(prog, m) };
			}
		} else if (it->kind == RQ_HEXIT_ALT) {
			int literal = 1;
			uint32_t min_bits = UINT32_MAX;
			for (uint32_t b = 0; b < it->count; b++) {
				const rq_hexbranch *br = &prog->branches[it->first + b];
				uint32_t bits = 0;
				for (uint32_t i = 0; i < br->len; i++) {
					const rq_hexbyte *m = &prog->bytes[br->first + i];
					literal &= is_literal(m);
					bits += byte_bits(prog, m);
				}
				if (bits < min_bits)
					min_bits = bits;
			}
			uint32_t lost = log2_ceil(it->count);
			units[n++] = (unit){ off, it->width, 1, 0, literal ? it->width : 0,
					     min_bits > lost ? min_bits - lost : 0 };
		} else if (it->kind == RQ_HEXIT_SKIP) {
			units[n++] = (unit){ off, it->width, 1, 1, 0, 0 };
		} else {
			units[n++] = (unit){ off, it->width, 0, 0, 0, 0 };
		}
		off += it->width;
	}
	/* Plain literal runs first: vectorscan compiles them an order of magnitude
	 * faster, into a far smaller database, and matches them fastest. Byte
	 * classes, then skips, only come in to lift a weak anchor. */
	window best = { 0, 0, 0 }, wider = { 0, 0, 0 };
	int found = best_window(units, n, 0, 1, &best);
	if ((!found || best.bits < RQ_ANCHOR_GOOD_BITS) && best_window(units, n, 0, 0, &wider) &&
	    (!found || wider.bits > best.bits)) {
		best = wider;
		found = 1;
	}
	if ((!found || best.bits < RQ_ANCHOR_GOOD_BITS) && best_window(units, n, 1, 0, &wider) &&
	    (!found || wider.bits > best.bits)) {
		best = wider;
		found = 1;
	}
	if (!found)
		return 0;
	v->anchor_off = best.off;
	v->anchor_len = best.len;
	return 1;
}

/* Verification work of one candidate of `v`, bounded by RQ_MAX_VERIFY_STEPS. */
static uint64_t variant_cost(const rq_hexprog *prog, const rq_hexvariant *v)
{
	uint64_t cost = 0;
	for (uint32_t k = 0; k < v->item_count; k++) {
		const rq_hexitem *it = &prog->items[v->first_item + k];
		if (it->kind == RQ_HEXIT_BYTES)
			cost += it->count;
		else if (it->kind == RQ_HEXIT_SKIP)
			cost += 1;
		else
			cost += (uint64_t)it->count * it->width;
	}
	return cost;
}

/* The branches of group `e` that are `len` long: a contiguous range (sorted by length). */
static void branches_of_len(const rq_hexprog *prog, const elem *e, uint32_t len,
			    uint32_t *first, uint32_t *count)
{
	uint32_t i = e->a, end = e->a + e->b;
	while (i < end && prog->branches[i].len < len)
		i++;
	*first = i;
	while (i < end && prog->branches[i].len == len)
		i++;
	*count = i - *first;
}

/* Distinct branch lengths of group `e`, ascending, into lens (at most e->b). */
static uint32_t distinct_lens(const rq_hexprog *prog, const elem *e, uint32_t *lens)
{
	uint32_t n = 0;
	for (uint32_t i = e->a; i < e->a + e->b; i++)
		if (!n || lens[n - 1] != prog->branches[i].len)
			lens[n++] = prog->branches[i].len;
	return n;
}

/* Build the variants of the segment made of els[from .. to). */
static int build_segment(parser *p, size_t from, size_t to, size_t seg_index)
{
	rq_hexprog *prog = p->prog;
	int rc = 0;
	uint32_t lens_buf[RQ_MAX_ALTERNATIVES];
	/* mixed-radix counter over the groups of varying length */
	size_t radix[RQ_MAX_SEG_VARIANTS], digit[RQ_MAX_SEG_VARIANTS];
	size_t nvaried = 0, combos = 1;
	unit *units = NULL;
	for (size_t i = from; i < to; i++) {
		const elem *e = &p->els[i];
		if (e->kind != EL_ALT || e->minw == e->maxw)
			continue;
		size_t r = distinct_lens(prog, e, lens_buf);
		combos *= r;
		if (combos > RQ_MAX_SEG_VARIANTS)
			return rq_fail(RQ_EUNSUPPORTED,
				       "more than %d combinations of alternative lengths in one part",
				       RQ_MAX_SEG_VARIANTS);
		radix[nvaried] = r;
		digit[nvaried] = 0;
		nvaried++;
	}
	rq_hexseg seg = { (uint32_t)prog->variant_count, 0, 0, 0, UINT32_MAX, 0 };
	for (size_t combo = 0; combo < combos; combo++) {
		rq_hexvariant v = { (uint32_t)prog->item_count, 0, 0, 0, 0 };
		uint64_t width = 0;
		size_t vi = 0;
		for (size_t i = from; i < to; i++) {
			const elem *e = &p->els[i];
			rq_hexitem *last = prog->item_count > v.first_item
						   ? &prog->items[prog->item_count - 1] : NULL;
			rq_hexitem it = { 0, 0, 0, 0 };
			switch (e->kind) {
			case EL_BYTE:
				if (last && last->kind == RQ_HEXIT_BYTES &&
				    last->first + last->count == prog->byte_count) {
					if ((rc = add_byte(prog, e->byte)))
						goto done;
					prog->items[prog->item_count - 1].count++;
					prog->items[prog->item_count - 1].width++;
					width++;
					continue;
				}
				it = (rq_hexitem){ RQ_HEXIT_BYTES, (uint32_t)prog->byte_count, 1, 1 };
				if ((rc = add_byte(prog, e->byte)))
					goto done;
				break;
			case EL_SKIP:
				if (!e->a)
					continue;
				if (last && last->kind == RQ_HEXIT_SKIP) {
					last->width += e->a;
					width += e->a;
					continue;
				}
				it = (rq_hexitem){ RQ_HEXIT_SKIP, 0, 0, e->a };
				break;
			case EL_ALT: {
				uint32_t len = e->maxw;
				if (e->minw != e->maxw) {
					distinct_lens(prog, e, lens_buf);
					len = lens_buf[digit[vi++]];
				}
				uint32_t first, count;
				branches_of_len(prog, e, len, &first, &count);
				it = (rq_hexitem){ RQ_HEXIT_ALT, first, count, len };
				break;
			}
			case EL_NALT:
				it = (rq_hexitem){ RQ_HEXIT_NALT, e->a, e->b, e->maxw };
				break;
			default:
				continue;
			}
			width += it.width;
			if ((rc = add_item(prog, it)))
				goto done;
		}
		v.item_count = (uint32_t)(prog->item_count - v.first_item);
		if (width > RQ_MAX_SEGMENT_LEN) {
			rc = rq_fail(RQ_EUNSUPPORTED, "part %zu is longer than %d bytes", seg_index + 1,
				     RQ_MAX_SEGMENT_LEN);
			goto done;
		}
		v.width = (uint32_t)width;
		if (variant_cost(prog, &v) > RQ_MAX_VERIFY_STEPS) {
			rc = rq_fail(RQ_EUNSUPPORTED, "part %zu is too costly to verify", seg_index + 1);
			goto done;
		}
		free(units);
		if (!(units = malloc((width + 1) * sizeof(*units)))) {
			rc = rq_fail(RQ_ENOMEM, "out of memory");
			goto done;
		}
		if (!choose_anchor(prog, &v, units)) {
			rc = rq_fail(RQ_EUNSUPPORTED,
				     "too generic: part %zu has no %d fixed bytes in a row",
				     seg_index + 1, RQ_MIN_ANCHOR_FIXED);
			goto done;
		}
		if ((rc = rq_grow((void **)&prog->variants, &prog->variant_cap,
				  prog->variant_count + 1, sizeof(v))))
			goto done;
		prog->variants[prog->variant_count++] = v;
		seg.variant_count++;
		if (v.width < seg.min_width)
			seg.min_width = v.width;
		if (v.width > seg.max_width)
			seg.max_width = v.width;
		if (v.width > prog->max_width)
			prog->max_width = v.width;
		for (size_t k = 0; k < nvaried; k++) { /* next combination */
			if (++digit[k] < radix[k])
				break;
			digit[k] = 0;
		}
	}
	rc = rq_grow((void **)&prog->segs, &prog->seg_cap, prog->seg_count + 1, sizeof(seg));
	if (!rc)
		prog->segs[prog->seg_count++] = seg;
done:
	free(units);
	return rc;
}

static int build_segments(parser *p)
{
	int rc = 0;
	size_t from = 0;
	uint64_t gap_min = 0, gap_max = 0;
	for (size_t i = 0; i <= p->el_count && !rc; i++) {
		if (i < p->el_count && p->els[i].kind != EL_GAP)
			continue;
		if (i > from) {
			size_t seg = p->prog->seg_count;
			if ((rc = build_segment(p, from, i, seg)))
				break;
			p->prog->segs[seg].gap_min = (uint32_t)gap_min;
			p->prog->segs[seg].gap_max = (uint32_t)gap_max;
			gap_min = gap_max = 0;
		}
		if (i < p->el_count) { /* consecutive gaps add up */
			const elem *e = &p->els[i];
			gap_min += e->a;
			gap_max = (gap_max == RQ_HEX_GAP_INF || e->b == RQ_HEX_GAP_INF)
					  ? RQ_HEX_GAP_INF : gap_max + e->b;
			if (gap_min > RQ_MAX_HEX_NUMBER || (gap_max != RQ_HEX_GAP_INF && gap_max > RQ_MAX_HEX_NUMBER))
				rc = rq_fail(RQ_EUNSUPPORTED, "gap too large");
		}
		from = i + 1;
	}
	return rc;
}

int rq_hexprog_parse(rq_hexprog **out, const char *hex, size_t len)
{
	int rc = 0;
	*out = NULL;
	parser p;
	memset(&p, 0, sizeof(p));
	p.s = hex;
	p.len = len;
	if (!(p.prog = calloc(1, sizeof(*p.prog))))
		return rq_fail(RQ_ENOMEM, "out of memory");
	if ((rc = parse_tokens(&p)))
		goto done;
	/* ClamAV refuses (and fails the whole database on) a pattern of plain
	 * bytes shorter than 3; report it as malformed, not merely too generic. */
	size_t plain = 0;
	while (plain < p.el_count && p.els[plain].kind == EL_BYTE &&
	       is_literal(&p.els[plain].byte))
		plain++;
	if (plain == p.el_count && plain < 3) {
		rc = rq_fail(RQ_EPARSE, "pattern of plain bytes shorter than 3 bytes");
		goto done;
	}
	if ((rc = build_segments(&p)))
		goto done;
	*out = p.prog;
	p.prog = NULL;
done:
	rq_hexprog_free(p.prog);
	free(p.els);
	return rc;
}

void rq_hexprog_free(rq_hexprog *prog)
{
	if (!prog)
		return;
	if (prog->packed) {
		free(prog);
		return;
	}
	free(prog->bytes);
	free(prog->classes);
	free(prog->branches);
	free(prog->items);
	free(prog->variants);
	free(prog->segs);
	free(prog);
}

static int branch_match(const rq_hexprog *prog, const rq_hexbranch *br, const uint8_t *data)
{
	const rq_hexbyte *m = prog->bytes + br->first;
	for (uint32_t i = 0; i < br->len; i++)
		if (!rq_hexbyte_match(prog, &m[i], data[i]))
			return 0;
	return 1;
}

int rq_hexvariant_match(const rq_hexprog *prog, const rq_hexvariant *v, const uint8_t *data)
{
	const rq_hexitem *it = prog->items + v->first_item;
	for (uint32_t k = 0; k < v->item_count; k++, it++) {
		switch (it->kind) {
		case RQ_HEXIT_BYTES: {
			const rq_hexbyte *m = prog->bytes + it->first;
			for (uint32_t i = 0; i < it->count; i++)
				if (!rq_hexbyte_match(prog, &m[i], data[i]))
					return 0;
			data += it->count;
			continue;
		}
		case RQ_HEXIT_ALT: {
			uint32_t b = 0;
			while (b < it->count && !branch_match(prog, &prog->branches[it->first + b], data))
				b++;
			if (b == it->count)
				return 0;
			break;
		}
		case RQ_HEXIT_NALT:
			for (uint32_t b = 0; b < it->count; b++)
				if (branch_match(prog, &prog->branches[it->first + b], data))
					return 0;
			break;
		default:
			break;
		}
		data += it->width;
	}
	return 1;
}

void rq_bodysig_free(rq_bodysig *sig)
{
	if (!sig)
		return;
	rq_hexprog_free(sig->prog);
	free(sig);
}
