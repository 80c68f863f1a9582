/*
 * The network-indicator index (netidx.h): addresses grouped by prefix
 * length, each group sorted, so a look-up masks the address once per
 * length present (at most 129) and binary-searches; domains sorted, looked
 * up for the name and each parent ("a.b.evil.com", "b.evil.com", ...).
 */
#include "match/netidx.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"

typedef struct group {
	uint8_t prefix;
	const rq_netioc **items; /* sorted by address */
	size_t count;
} group;

struct rq_netidx {
	group *groups;           /* most specific prefix first */
	size_t group_count;
	const rq_netioc **domains; /* sorted by domain */
	size_t domain_count;
	const rq_netioc **all;   /* backing store of the groups' arrays */
	size_t count;
};

static int cmp_ip(const void *a, const void *b)
{
	const rq_netioc *x = *(const rq_netioc *const *)a, *y = *(const rq_netioc *const *)b;
	if (x->prefix != y->prefix)
		return x->prefix > y->prefix ? -1 : 1; /* longest prefix first */
	return memcmp(x->addr, y->addr, 16);
}

static int cmp_domain(const void *a, const void *b)
{
	return strcmp((*(const rq_netioc *const *)a)->domain, (*(const rq_netioc *const *)b)->domain);
}

int rq_netidx_build(rq_netidx **out, const rq_netioc *iocs, size_t count)
{
	*out = NULL;
	rq_netidx *idx = calloc(1, sizeof(*idx));
	if (!idx || (count && !(idx->all = calloc(count, sizeof(*idx->all))))) {
		free(idx);
		return rq_fail(RQ_ENOMEM, "out of memory");
	}
	size_t nip = 0;
	for (size_t i = 0; i < count; i++)
		if (iocs[i].kind == RQ_NETIOC_IP)
			idx->all[nip++] = &iocs[i];
	size_t nd = 0;
	for (size_t i = 0; i < count; i++)
		if (iocs[i].kind == RQ_NETIOC_DOMAIN && iocs[i].domain)
			idx->all[nip + nd++] = &iocs[i];
	if (nip)
		qsort(idx->all, nip, sizeof(*idx->all), cmp_ip);
	if (nd)
		qsort(idx->all + nip, nd, sizeof(*idx->all), cmp_domain);
	idx->domains = idx->all ? idx->all + nip : NULL;
	idx->domain_count = nd;
	idx->count = nip + nd;
	size_t groups = 0;
	for (size_t i = 0; i < nip; i++)
		groups += !i || idx->all[i]->prefix != idx->all[i - 1]->prefix;
	if (groups && !(idx->groups = calloc(groups, sizeof(*idx->groups)))) {
		rq_netidx_free(idx);
		return rq_fail(RQ_ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < nip; i++) {
		if (!i || idx->all[i]->prefix != idx->all[i - 1]->prefix)
			idx->groups[idx->group_count++] = (group){ idx->all[i]->prefix, idx->all + i, 0 };
		idx->groups[idx->group_count - 1].count++;
	}
	*out = idx;
	return 0;
}

void rq_netidx_free(rq_netidx *idx)
{
	if (!idx)
		return;
	free(idx->groups);
	free(idx->all);
	free(idx);
}

size_t rq_netidx_count(const rq_netidx *idx) { return idx ? idx->count : 0; }

const rq_netioc *rq_netidx_find_ip(const rq_netidx *idx, const uint8_t addr[16])
{
	for (size_t g = 0; idx && g < idx->group_count; g++) {
		const group *gr = &idx->groups[g];
		uint8_t key[16];
		memcpy(key, addr, 16);
		for (int b = gr->prefix; b < 128; b++)
			key[b / 8] &= (uint8_t) ~(0x80u >> (b % 8));
		size_t lo = 0, hi = gr->count;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			int c = memcmp(gr->items[mid]->addr, key, 16);
			if (!c)
				return gr->items[mid];
			if (c < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
	}
	return NULL;
}

const rq_netioc *rq_netidx_find_domain(const rq_netidx *idx, const char *host)
{
	char name[256];
	size_t n = host ? strlen(host) : 0;
	if (!idx || !n || n >= sizeof(name))
		return NULL;
	for (size_t i = 0; i < n; i++)
		name[i] = (char)(host[i] >= 'A' && host[i] <= 'Z' ? host[i] + 32 : host[i]);
	name[n] = '\0';
	if (name[n - 1] == '.')
		name[--n] = '\0';
	for (const char *p = name; p; p = strchr(p, '.') ? strchr(p, '.') + 1 : NULL) {
		size_t lo = 0, hi = idx->domain_count;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			int c = strcmp(idx->domains[mid]->domain, p);
			if (!c)
				return idx->domains[mid];
			if (c < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
	}
	return NULL;
}

int rq_netidx_parse_ip(const char *text, uint8_t out[16])
{
	struct in_addr v4;
	memset(out, 0, 16);
	if (inet_pton(AF_INET, text, &v4) == 1) {
		out[10] = out[11] = 0xff;
		memcpy(out + 12, &v4, 4);
		return 1;
	}
	return inet_pton(AF_INET6, text, out) == 1;
}
