/*
 * Saving and reading back body signatures and ignore lists (rqdb_sigs.h).
 * Fields are written one by one, little-endian, so a file is the same on
 * every build and never carries structure padding.
 */
#include "db/rqdb_sigs.h"

#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/limits.h"

#define BODIES_MAGIC 0x53425152u /* "RQBS" */

static void put_str(rq_binbuf *b, const char *s)
{
	size_t n = strlen(s ? s : "");
	rq_bin_u32(b, (uint32_t)n);
	rq_bin_put(b, s, n);
}

/* Index of `src` in the table, adding it; sources are few (one per file). */
static int source_idx(const char ***tab, size_t *n, size_t *cap, const char *src, uint32_t *out)
{
	if (!src)
		src = "";
	for (size_t i = *n; i-- > 0;)
		if ((*tab)[i] == src || !strcmp((*tab)[i], src)) {
			*out = (uint32_t)i;
			return 0;
		}
	int rc = rq_grow((void **)tab, cap, *n + 1, sizeof(**tab));
	if (rc)
		return rc;
	(*tab)[*n] = src;
	*out = (uint32_t)(*n)++;
	return 0;
}

static void put_prog(rq_binbuf *b, const rq_hexprog *p)
{
	rq_bin_u32(b, (uint32_t)p->byte_count);
	rq_bin_u32(b, (uint32_t)p->class_count);
	rq_bin_u32(b, (uint32_t)p->branch_count);
	rq_bin_u32(b, (uint32_t)p->item_count);
	rq_bin_u32(b, (uint32_t)p->variant_count);
	rq_bin_u32(b, (uint32_t)p->seg_count);
	rq_bin_u32(b, p->max_width);
	for (size_t i = 0; i < p->byte_count; i++) {
		rq_bin_u8(b, p->bytes[i].value);
		rq_bin_u8(b, p->bytes[i].mask);
		rq_bin_u16(b, p->bytes[i].cls);
	}
	for (size_t i = 0; i < p->class_count; i++)
		rq_bin_put(b, p->classes[i].bits, 32);
	for (size_t i = 0; i < p->branch_count; i++) {
		rq_bin_u32(b, p->branches[i].first);
		rq_bin_u32(b, p->branches[i].len);
	}
	for (size_t i = 0; i < p->item_count; i++) {
		rq_bin_u8(b, p->items[i].kind);
		rq_bin_u32(b, p->items[i].first);
		rq_bin_u32(b, p->items[i].count);
		rq_bin_u32(b, p->items[i].width);
	}
	for (size_t i = 0; i < p->variant_count; i++) {
		const rq_hexvariant *v = &p->variants[i];
		rq_bin_u32(b, v->first_item);
		rq_bin_u32(b, v->item_count);
		rq_bin_u32(b, v->width);
		rq_bin_u32(b, v->anchor_off);
		rq_bin_u32(b, v->anchor_len);
	}
	for (size_t i = 0; i < p->seg_count; i++) {
		const rq_hexseg *g = &p->segs[i];
		rq_bin_u32(b, g->first_variant);
		rq_bin_u32(b, g->variant_count);
		rq_bin_u32(b, g->gap_min);
		rq_bin_u32(b, g->gap_max);
		rq_bin_u32(b, g->min_width);
		rq_bin_u32(b, g->max_width);
	}
}

int rq_rqdb_save_bodies(const rq_bodysig *const *sigs, size_t count, rq_binbuf *out)
{
	const char **tab = NULL;
	size_t n = 0, cap = 0;
	uint32_t *idx = count ? malloc(count * sizeof(*idx)) : NULL;
	int rc = count && !idx ? rq_fail(RQ_ENOMEM, "out of memory") : 0;
	for (size_t i = 0; i < count && !rc; i++)
		rc = source_idx(&tab, &n, &cap, sigs[i]->source, &idx[i]);
	if (!rc) {
		rq_bin_u32(out, BODIES_MAGIC);
		rq_bin_u32(out, (uint32_t)count);
		rq_bin_u32(out, (uint32_t)n);
		rq_bin_u32(out, 0);
		for (size_t i = 0; i < n; i++)
			put_str(out, tab[i]);
		for (size_t i = 0; i < count; i++) {
			const rq_bodysig *s = sigs[i];
			put_str(out, s->name);
			rq_bin_u32(out, idx[i]);
			rq_bin_u32(out, s->line);
			rq_bin_u8(out, s->target);
			rq_bin_u8(out, (uint8_t)s->offset.kind);
			rq_bin_u8(out, s->from_yara);
			rq_bin_u8(out, 0);
			rq_bin_u32(out, s->yara_string);
			rq_bin_u64(out, s->offset.value);
			rq_bin_u64(out, s->offset.shift);
			put_prog(out, s->prog);
		}
		if (out->no_mem)
			rc = rq_fail(RQ_ENOMEM, "out of memory");
	}
	free(idx);
	free(tab);
	return rc;
}

/* --- reading --- */

static int check_items(const rq_hexprog *p)
{
	for (size_t i = 0; i < p->byte_count; i++)
		if (p->bytes[i].cls > p->class_count)
			return 0;
	for (size_t i = 0; i < p->branch_count; i++)
		if (p->branches[i].first > p->byte_count ||
		    p->branches[i].len > p->byte_count - p->branches[i].first)
			return 0;
	for (size_t i = 0; i < p->item_count; i++) {
		const rq_hexitem *it = &p->items[i];
		switch (it->kind) {
		case RQ_HEXIT_BYTES:
			if (it->first > p->byte_count || it->count > p->byte_count - it->first ||
			    it->width != it->count)
				return 0;
			break;
		case RQ_HEXIT_SKIP:
			break;
		case RQ_HEXIT_ALT:
		case RQ_HEXIT_NALT:
			if (!it->count || it->first > p->branch_count ||
			    it->count > p->branch_count - it->first)
				return 0;
			for (uint32_t k = 0; k < it->count; k++)
				if (p->branches[it->first + k].len != it->width)
					return 0;
			break;
		default:
			return 0;
		}
	}
	return 1;
}

int rq_hexprog_check(const rq_hexprog *p)
{
	if (!p->seg_count || !check_items(p))
		return 0;
	for (size_t i = 0; i < p->variant_count; i++) {
		const rq_hexvariant *v = &p->variants[i];
		if (v->first_item > p->item_count || v->item_count > p->item_count - v->first_item ||
		    v->width > p->max_width || v->anchor_off > v->width ||
		    v->anchor_len > v->width - v->anchor_off)
			return 0;
		uint64_t w = 0;
		for (uint32_t k = 0; k < v->item_count; k++)
			w += p->items[v->first_item + k].width;
		if (w != v->width)
			return 0;
	}
	for (size_t i = 0; i < p->seg_count; i++) {
		const rq_hexseg *g = &p->segs[i];
		if (!g->variant_count || g->first_variant > p->variant_count ||
		    g->variant_count > p->variant_count - g->first_variant ||
		    g->min_width > g->max_width || g->max_width > p->max_width ||
		    g->gap_min > g->gap_max || (i == 0 && (g->gap_min || g->gap_max)))
			return 0;
		for (uint32_t k = 0; k < g->variant_count; k++) {
			uint32_t w = p->variants[g->first_variant + k].width;
			if (w < g->min_width || w > g->max_width)
				return 0;
		}
	}
	return 1;
}

/* Round up to a multiple of 8, so each array in the packed block is aligned. */
static size_t up8(size_t n) { return (n + 7) & ~(size_t)7; }

static int get_prog(rq_binreader *r, rq_hexprog **out)
{
	uint32_t c[6];
	for (int i = 0; i < 6; i++)
		c[i] = rq_bin_get_u32(r);
	uint32_t max_width = rq_bin_get_u32(r);
	/* every element takes at least 4 bytes: counts beyond the data are lies */
	size_t left = r->len - r->off;
	for (int i = 0; i < 6; i++)
		if (r->bad || c[i] > left / 4 || c[i] > RQ_MAX_SIG_ELEMENTS * 64u)
			return rq_fail(RQ_EPARSE, "body signature: bad array length");
	/* one allocation for the program and its arrays: thousands of signatures load fast */
	size_t sz[6] = { up8(c[0] * sizeof(rq_hexbyte)),   up8(c[1] * sizeof(rq_hexclass)),
			 up8(c[2] * sizeof(rq_hexbranch)), up8(c[3] * sizeof(rq_hexitem)),
			 up8(c[4] * sizeof(rq_hexvariant)), up8(c[5] * sizeof(rq_hexseg)) };
	size_t total = up8(sizeof(rq_hexprog));
	for (int i = 0; i < 6; i++)
		total += sz[i];
	uint8_t *block = malloc(total);
	if (!block)
		return rq_fail(RQ_ENOMEM, "out of memory");
	rq_hexprog *p = (rq_hexprog *)block;
	memset(p, 0, sizeof(*p));
	uint8_t *at = block + up8(sizeof(rq_hexprog));
	p->bytes = (rq_hexbyte *)at;
	p->classes = (rq_hexclass *)(at += sz[0]);
	p->branches = (rq_hexbranch *)(at += sz[1]);
	p->items = (rq_hexitem *)(at += sz[2]);
	p->variants = (rq_hexvariant *)(at += sz[3]);
	p->segs = (rq_hexseg *)(at += sz[4]);
	p->packed = 1;
	p->byte_count = p->byte_cap = c[0];
	p->class_count = p->class_cap = c[1];
	p->branch_count = p->branch_cap = c[2];
	p->item_count = p->item_cap = c[3];
	p->variant_count = p->variant_cap = c[4];
	p->seg_count = p->seg_cap = c[5];
	p->max_width = max_width;
	for (size_t i = 0; i < c[0]; i++) {
		p->bytes[i].value = rq_bin_get_u8(r);
		p->bytes[i].mask = rq_bin_get_u8(r);
		p->bytes[i].cls = rq_bin_get_u16(r);
	}
	for (size_t i = 0; i < c[1]; i++) {
		const uint8_t *bits = rq_bin_take(r, 32);
		if (bits)
			memcpy(p->classes[i].bits, bits, 32);
	}
	for (size_t i = 0; i < c[2]; i++) {
		p->branches[i].first = rq_bin_get_u32(r);
		p->branches[i].len = rq_bin_get_u32(r);
	}
	for (size_t i = 0; i < c[3]; i++) {
		p->items[i].kind = rq_bin_get_u8(r);
		p->items[i].first = rq_bin_get_u32(r);
		p->items[i].count = rq_bin_get_u32(r);
		p->items[i].width = rq_bin_get_u32(r);
	}
	for (size_t i = 0; i < c[4]; i++) {
		rq_hexvariant *v = &p->variants[i];
		v->first_item = rq_bin_get_u32(r);
		v->item_count = rq_bin_get_u32(r);
		v->width = rq_bin_get_u32(r);
		v->anchor_off = rq_bin_get_u32(r);
		v->anchor_len = rq_bin_get_u32(r);
	}
	for (size_t i = 0; i < c[5]; i++) {
		rq_hexseg *g = &p->segs[i];
		g->first_variant = rq_bin_get_u32(r);
		g->variant_count = rq_bin_get_u32(r);
		g->gap_min = rq_bin_get_u32(r);
		g->gap_max = rq_bin_get_u32(r);
		g->min_width = rq_bin_get_u32(r);
		g->max_width = rq_bin_get_u32(r);
	}
	if (r->bad || !rq_hexprog_check(p)) {
		rq_hexprog_free(p);
		return rq_fail(RQ_EPARSE, "body signature: inconsistent pattern program");
	}
	*out = p;
	return 0;
}

/* A pooled copy of a saved string, or NULL (r->bad set when malformed). */
static const char *get_str(rq_binreader *r, rq_sigset *set)
{
	uint32_t n = rq_bin_get_u32(r);
	const uint8_t *p = rq_bin_take(r, n);
	if (!p || memchr(p, 0, n)) {
		r->bad = 1;
		return NULL;
	}
	return rq_sigset_str(set, (const char *)p, n);
}

int rq_rqdb_load_bodies(rq_sigset *set, const uint8_t *data, size_t len)
{
	int rc = 0;
	rq_binreader r = rq_binreader_init(data, len);
	uint32_t magic = rq_bin_get_u32(&r), count = rq_bin_get_u32(&r),
		 nsrc = rq_bin_get_u32(&r);
	rq_bin_get_u32(&r);
	const char **src = NULL;
	if (r.bad || magic != BODIES_MAGIC || nsrc > len / 4 || count > len / 16)
		return rq_fail(RQ_EPARSE, "body signatures: malformed section");
	if (nsrc && !(src = calloc(nsrc, sizeof(*src))))
		return rq_fail(RQ_ENOMEM, "out of memory");
	for (uint32_t i = 0; i < nsrc && !rc; i++)
		if (!(src[i] = get_str(&r, set)))
			rc = r.bad ? rq_fail(RQ_EPARSE, "body signatures: malformed source table")
				   : rq_fail(RQ_ENOMEM, "out of memory");
	for (uint32_t i = 0; i < count && !rc; i++) {
		rq_bodysig *s = calloc(1, sizeof(*s));
		if (!s) {
			rc = rq_fail(RQ_ENOMEM, "out of memory");
			break;
		}
		s->name = get_str(&r, set);
		uint32_t si = rq_bin_get_u32(&r);
		s->line = rq_bin_get_u32(&r);
		s->target = rq_bin_get_u8(&r);
		uint8_t okind = rq_bin_get_u8(&r);
		s->from_yara = rq_bin_get_u8(&r);
		rq_bin_get_u8(&r);
		s->yara_string = rq_bin_get_u32(&r);
		s->offset.value = rq_bin_get_u64(&r);
		s->offset.shift = rq_bin_get_u64(&r);
		s->offset.kind = (rq_offset_kind)okind;
		if (r.bad || !s->name || si >= nsrc || okind > RQ_OFFSET_EOF || s->from_yara > 1 ||
		    (s->target != RQ_TARGET_ANY && s->target != RQ_TARGET_PE &&
		     s->target != RQ_TARGET_ELF && s->target != RQ_TARGET_TEXT &&
		     s->target != RQ_TARGET_MACHO)) {
			int malformed = r.bad || s->name;
			rq_bodysig_free(s);
			rc = malformed ? rq_fail(RQ_EPARSE, "body signature %u: malformed", i)
				       : rq_fail(RQ_ENOMEM, "out of memory");
			break;
		}
		s->source = src[si];
		if ((rc = get_prog(&r, &s->prog))) {
			rq_bodysig_free(s);
			break;
		}
		rc = rq_sigset_add_body(set, s);
	}
	free(src);
	return rc;
}

int rq_rqdb_save_ignored(const rq_sigset *set, rq_binbuf *out)
{
	rq_bin_u32(out, (uint32_t)set->ignored_count);
	for (size_t i = 0; i < set->ignored_count; i++)
		put_str(out, set->ignored[i]);
	return out->no_mem ? rq_fail(RQ_ENOMEM, "out of memory") : 0;
}

int rq_rqdb_load_ignored(rq_sigset *set, const uint8_t *data, size_t len)
{
	int rc = 0;
	rq_binreader r = rq_binreader_init(data, len);
	uint32_t count = rq_bin_get_u32(&r);
	if (r.bad || count > len / 4)
		return rq_fail(RQ_EPARSE, "ignore list: malformed section");
	for (uint32_t i = 0; i < count && !rc; i++) {
		uint32_t n = rq_bin_get_u32(&r);
		const uint8_t *p = rq_bin_take(&r, n);
		if (!p || memchr(p, 0, n))
			rc = rq_fail(RQ_EPARSE, "ignore list: malformed entry %u", i);
		else
			rc = rq_sigset_add_ignored(set, (const char *)p, n);
	}
	if (!rc)
		rq_sigset_sort_ignored(set);
	return rc;
}

/* Network indicators: u32 count; each: u8 kind, u8 prefix, 16 address bytes, domain, name, source. */
int rq_rqdb_save_netiocs(const rq_sigset *set, rq_binbuf *out)
{
	rq_bin_u32(out, (uint32_t)set->netioc_count);
	for (size_t i = 0; i < set->netioc_count; i++) {
		const rq_netioc *n = &set->netiocs[i];
		rq_bin_u8(out, n->kind);
		rq_bin_u8(out, n->prefix);
		rq_bin_put(out, n->addr, 16);
		put_str(out, n->domain);
		put_str(out, n->name);
		put_str(out, n->source);
	}
	return out->no_mem ? rq_fail(RQ_ENOMEM, "out of memory") : 0;
}

int rq_rqdb_load_netiocs(rq_sigset *set, const uint8_t *data, size_t len)
{
	int rc = 0;
	rq_binreader r = rq_binreader_init(data, len);
	uint32_t count = rq_bin_get_u32(&r);
	if (r.bad || count > len / 30)
		return rq_fail(RQ_EPARSE, "network indicators: malformed section");
	for (uint32_t i = 0; i < count && !rc; i++) {
		rq_netioc n;
		memset(&n, 0, sizeof(n));
		n.kind = rq_bin_get_u8(&r);
		n.prefix = rq_bin_get_u8(&r);
		const uint8_t *a = rq_bin_take(&r, 16);
		if (a)
			memcpy(n.addr, a, 16);
		const char *domain = get_str(&r, set);
		n.name = get_str(&r, set);
		n.source = get_str(&r, set);
		if (r.bad || (n.kind != RQ_NETIOC_IP && n.kind != RQ_NETIOC_DOMAIN) || n.prefix > 128 ||
		    !n.name || !n.source || !domain)
			rc = r.bad || n.kind ? rq_fail(RQ_EPARSE, "network indicator %u: malformed", i)
					     : rq_fail(RQ_ENOMEM, "out of memory");
		else if (n.kind == RQ_NETIOC_DOMAIN && !*domain)
			rc = rq_fail(RQ_EPARSE, "network indicator %u: empty domain", i);
		else {
			n.domain = n.kind == RQ_NETIOC_DOMAIN ? domain : NULL;
			rc = rq_sigset_add_netioc(set, &n);
		}
	}
	return rc;
}
