/*
 * The route table of raquet-server (see router.h): patterns are split into
 * segments once when added; a match walks every route (there are a few
 * dozen) and keeps the most literal one that fits the path and method.
 */
#include "http/router.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"

typedef struct route {
	char method[16];
	char *pattern;           /* owned copy */
	char *split;             /* owned copy of pattern, segments NUL-separated */
	size_t seg_count;
	const char *segs[RQ_HTTP_MAX_SEGMENTS];
	size_t seg_len[RQ_HTTP_MAX_SEGMENTS];
	uint32_t is_param;       /* bit i: segment i is {name} (name in segs[i]) */
	int trailing;            /* the pattern ends with '/' (TAXII's URLs do) */
	rq_http_handler handler;
	void *ctx;
} route;

struct rq_http_router {
	route *routes;
	size_t count, cap;
};

int rq_http_router_new(rq_http_router **out)
{
	*out = calloc(1, sizeof(**out));
	return *out ? 0 : rq_fail(RQ_ENOMEM, "out of memory");
}

void rq_http_router_free(rq_http_router *router)
{
	if (!router)
		return;
	for (size_t i = 0; i < router->count; i++) {
		free(router->routes[i].pattern);
		free(router->routes[i].split);
	}
	free(router->routes);
	free(router);
}

static int valid_method(const char *m)
{
	size_t n = strlen(m);
	if (n == 0 || n >= sizeof(((route *)0)->method))
		return 0;
	for (size_t i = 0; i < n; i++)
		if (m[i] < 'A' || m[i] > 'Z')
			return 0;
	return 1;
}

/* Split `r->split` (a copy of the pattern) into segments. */
static int parse_pattern(route *r)
{
	int rc = RQ_EINVAL;
	size_t params = 0;
	char *p = r->split;
	if (*p != '/')
		goto done;
	if (p[1] == '\0') { /* "/" alone: zero segments */
		rc = 0;
		goto done;
	}
	while (*p == '/') {
		*p++ = '\0';
		char *seg = p;
		while (*p && *p != '/')
			p++;
		size_t len = (size_t)(p - seg);
		if (len == 0 && *p == '\0' && r->seg_count > 0) { /* "/a/b/": a trailing slash */
			r->trailing = 1;
			break;
		}
		if (len == 0 || r->seg_count == RQ_HTTP_MAX_SEGMENTS)
			goto done;
		if (seg[0] == '{') {
			if (len < 3 || seg[len - 1] != '}' || memchr(seg + 1, '{', len - 2) ||
			    memchr(seg + 1, '}', len - 2) || params == RQ_HTTP_MAX_PARAMS)
				goto done;
			r->is_param |= 1u << r->seg_count;
			seg[len - 1] = '\0'; /* the name is a C string */
			r->segs[r->seg_count] = seg + 1;
			r->seg_len[r->seg_count] = len - 2;
			params++;
		} else {
			if (memchr(seg, '{', len) || memchr(seg, '}', len))
				goto done;
			r->segs[r->seg_count] = seg;
			r->seg_len[r->seg_count] = len;
		}
		r->seg_count++;
	}
	if (*p != '\0')
		goto done;
	rc = 0;
done:
	return rc;
}

static int same_shape(const route *a, const route *b)
{
	if (strcmp(a->method, b->method) || a->seg_count != b->seg_count ||
	    a->is_param != b->is_param || a->trailing != b->trailing)
		return 0;
	for (size_t i = 0; i < a->seg_count; i++) {
		if (a->is_param & (1u << i))
			continue;
		if (a->seg_len[i] != b->seg_len[i] || memcmp(a->segs[i], b->segs[i], a->seg_len[i]))
			return 0;
	}
	return 1;
}

int rq_http_router_add(rq_http_router *router, const char *method, const char *pattern,
		       rq_http_handler handler, void *ctx)
{
	int rc = 0;
	route r = { .handler = handler, .ctx = ctx };

	if (!valid_method(method) || !handler) {
		rc = rq_fail(RQ_EINVAL, "route %s %s: bad method or no handler", method, pattern);
		goto done;
	}
	strcpy(r.method, method);
	r.pattern = strdup(pattern);
	r.split = strdup(pattern);
	if (!r.pattern || !r.split) {
		rc = rq_fail(RQ_ENOMEM, "out of memory");
		goto done;
	}
	if (parse_pattern(&r) < 0) {
		rc = rq_fail(RQ_EINVAL, "route %s %s: malformed pattern (segments: literal or "
			     "{name}, at most %d, %d parameters)", method, pattern,
			     RQ_HTTP_MAX_SEGMENTS, RQ_HTTP_MAX_PARAMS);
		goto done;
	}
	for (size_t i = 0; i < router->count; i++) {
		if (same_shape(&router->routes[i], &r)) {
			rc = rq_fail(RQ_EINVAL, "route %s %s: duplicates %s %s", method, pattern,
				     router->routes[i].method, router->routes[i].pattern);
			goto done;
		}
	}
	rc = rq_grow((void **)&router->routes, &router->cap, router->count + 1, sizeof(route));
	if (rc < 0)
		goto done;
	router->routes[router->count++] = r;
	r.pattern = r.split = NULL;
done:
	free(r.pattern);
	free(r.split);
	return rc;
}

/* Does `r` fit the path segments (`trailing`: the path ends with '/')? */
static int fits(const route *r, size_t n, const char *const *segs, const size_t *lens, int trailing)
{
	if (r->seg_count != n || r->trailing != trailing)
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (r->is_param & (1u << i)) {
			if (lens[i] > RQ_HTTP_MAX_VALUE)
				return 0;
			continue;
		}
		if (r->seg_len[i] != lens[i] || memcmp(r->segs[i], segs[i], lens[i]))
			return 0;
	}
	return 1;
}

/* Higher for routes with literals earlier: segment 0 is the top bit. */
static uint32_t literal_score(const route *r)
{
	uint32_t s = 0;
	for (size_t i = 0; i < r->seg_count; i++)
		if (!(r->is_param & (1u << i)))
			s |= 1u << (RQ_HTTP_MAX_SEGMENTS - 1 - i);
	return s;
}

static void allow_add(char *allow, size_t size, const char *method)
{
	size_t ml = strlen(method), al = strlen(allow);
	/* already listed? */
	for (const char *p = allow; (p = strstr(p, method)) != NULL; p += ml)
		if ((p == allow || p[-1] == ' ') && (p[ml] == ',' || p[ml] == '\0'))
			return;
	if (al + ml + 3 >= size)
		return;
	if (al)
		strcat(allow, ", ");
	strcat(allow, method);
}

int rq_http_router_match(const rq_http_router *router, const char *method, const char *path,
			 rq_http_match *out)
{
	int rc = RQ_ENOTFOUND;
	const char *segs[RQ_HTTP_MAX_SEGMENTS];
	size_t lens[RQ_HTTP_MAX_SEGMENTS], n = 0;
	const route *best = NULL;
	uint32_t best_score = 0;
	int path_known = 0, trailing = 0;
	int head = strcmp(method, "HEAD") == 0;

	memset(out, 0, offsetof(rq_http_match, storage));
	if (path[0] != '/')
		goto done;
	if (path[1] != '\0') {
		const char *p = path;
		while (*p == '/') {
			p++;
			const char *seg = p;
			while (*p && *p != '/')
				p++;
			if (p == seg && *p == '\0' && n > 0) { /* "/a/b/" */
				trailing = 1;
				break;
			}
			if (p == seg || n == RQ_HTTP_MAX_SEGMENTS)
				goto done; /* empty segment or too deep: no route has it */
			segs[n] = seg;
			lens[n] = (size_t)(p - seg);
			n++;
		}
	}
	for (int pass = 0; pass < 2 && !best; pass++) {
		/* pass 0: the method itself; pass 1: GET routes answering HEAD */
		const char *want = pass == 0 ? method : "GET";
		if (pass == 1 && !head)
			break;
		for (size_t i = 0; i < router->count; i++) {
			const route *r = &router->routes[i];
			if (!fits(r, n, segs, lens, trailing))
				continue;
			path_known = 1;
			if (strcmp(r->method, want) != 0)
				continue;
			uint32_t score = literal_score(r);
			if (!best || score > best_score) {
				best = r;
				best_score = score;
			}
		}
	}
	if (!best) {
		if (path_known) {
			for (size_t i = 0; i < router->count; i++) {
				const route *r = &router->routes[i];
				if (!fits(r, n, segs, lens, trailing))
					continue;
				allow_add(out->allow, sizeof(out->allow), r->method);
				if (!strcmp(r->method, "GET"))
					allow_add(out->allow, sizeof(out->allow), "HEAD");
			}
			rc = RQ_EUNSUPPORTED;
		}
		goto done;
	}
	out->handler = best->handler;
	out->ctx = best->ctx;
	out->pattern = best->pattern;
	size_t used = 0;
	for (size_t i = 0; i < n; i++) {
		if (!(best->is_param & (1u << i)))
			continue;
		if (used + lens[i] + 1 > sizeof(out->storage)) {
			rc = RQ_ENOTFOUND; /* parameters longer than the storage: no match */
			goto done;
		}
		memcpy(out->storage + used, segs[i], lens[i]);
		out->storage[used + lens[i]] = '\0';
		out->param_names[out->param_count] = best->segs[i];
		out->param_values[out->param_count] = out->storage + used;
		out->param_count++;
		used += lens[i] + 1;
	}
	rc = 0;
done:
	return rc;
}

size_t rq_http_router_count(const rq_http_router *router) { return router->count; }

void rq_http_router_route(const rq_http_router *router, size_t i, const char **method,
			  const char **pattern)
{
	*method = router->routes[i].method;
	*pattern = router->routes[i].pattern;
}
