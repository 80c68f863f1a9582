/* Small shared helpers: see util.h. */
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"

#define POOL_BLOCK (64 * 1024)

struct rq_strpool_block {
	rq_strpool_block *next;
	size_t used, size;
	char data[];
};

const char *rq_strpool_add(rq_strpool *pool, const char *s, size_t len)
{
	rq_strpool_block *b = pool->head;
	if (len >= SIZE_MAX / 2)
		return NULL;
	if (!b || b->size - b->used < len + 1) {
		size_t size = len + 1 > POOL_BLOCK ? len + 1 : POOL_BLOCK;
		b = malloc(sizeof(*b) + size);
		if (!b)
			return NULL;
		b->used = 0;
		b->size = size;
		b->next = pool->head;
		pool->head = b;
	}
	char *out = b->data + b->used;
	memcpy(out, s, len);
	out[len] = '\0';
	b->used += len + 1;
	return out;
}

void rq_strpool_free(rq_strpool *pool)
{
	rq_strpool_block *b = pool->head;
	while (b) {
		rq_strpool_block *next = b->next;
		free(b);
		b = next;
	}
	pool->head = NULL;
}

int rq_grow(void **array, size_t *cap, size_t need, size_t elem_size)
{
	if (need <= *cap)
		return 0;
	size_t ncap = *cap ? *cap : 16;
	while (ncap < need) {
		if (ncap > SIZE_MAX / 2)
			return rq_fail(RQ_ENOMEM, "array too large");
		ncap *= 2;
	}
	if (ncap > SIZE_MAX / elem_size)
		return rq_fail(RQ_ENOMEM, "array too large");
	void *p = realloc(*array, ncap * elem_size);
	if (!p)
		return rq_fail(RQ_ENOMEM, "out of memory");
	*array = p;
	*cap = ncap;
	return 0;
}

int rq_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int rq_hex_decode(uint8_t *out, const char *hex, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int hi = rq_hexval((unsigned char)hex[2 * i]);
		int lo = hi < 0 ? -1 : rq_hexval((unsigned char)hex[2 * i + 1]);
		if (lo < 0)
			return -1;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

void rq_hex_encode(char *out, const uint8_t *in, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * n] = '\0';
}

void rq_lines_init(rq_lines *it, const void *data, size_t len)
{
	it->p = data;
	it->end = it->p + len;
	it->lineno = 0;
}

int rq_lines_next(rq_lines *it, const char **line, size_t *len)
{
	if (it->p >= it->end)
		return 0;
	const char *start = it->p;
	const char *nl = memchr(start, '\n', (size_t)(it->end - start));
	const char *stop = nl ? nl : it->end;
	it->p = nl ? nl + 1 : it->end;
	if (stop > start && stop[-1] == '\r')
		stop--;
	*line = start;
	*len = (size_t)(stop - start);
	it->lineno++;
	return 1;
}

int rq_read_file(const char *path, size_t max_len, uint8_t **out, size_t *out_len)
{
	int rc = 0;
	uint8_t *buf = NULL;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return rq_fail_errno(RQ_EIO, errno, "%s: cannot open", path);
	struct stat st;
	if (fstat(fd, &st) < 0) {
		rc = rq_fail_errno(RQ_EIO, errno, "%s: cannot stat", path);
		goto done;
	}
	if (!S_ISREG(st.st_mode)) {
		rc = rq_fail(RQ_EIO, "%s: not a regular file", path);
		goto done;
	}
	if ((uint64_t)st.st_size > max_len) {
		rc = rq_fail(RQ_ELIMIT, "%s: larger than %zu bytes", path, max_len);
		goto done;
	}
	size_t cap = (size_t)st.st_size + 1, len = 0;
	buf = malloc(cap);
	if (!buf) {
		rc = rq_fail(RQ_ENOMEM, "%s: out of memory", path);
		goto done;
	}
	for (;;) {
		if (len == cap) { /* the file grew while we read it */
			if (cap > max_len) {
				rc = rq_fail(RQ_ELIMIT, "%s: larger than %zu bytes", path, max_len);
				goto done;
			}
			rc = rq_grow((void **)&buf, &cap, cap + 1, 1);
			if (rc)
				goto done;
		}
		ssize_t n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = rq_fail_errno(RQ_EIO, errno, "%s: read failed", path);
			goto done;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	*out = buf;
	*out_len = len;
	buf = NULL;
done:
	free(buf);
	close(fd);
	return rc;
}

const char *rq_basename(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

const char *rq_extension(const char *path)
{
	const char *base = rq_basename(path);
	const char *dot = strrchr(base, '.');
	return dot ? dot + 1 : base + strlen(base);
}

char *rq_trim_blanks(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		s[--n] = '\0';
	return s;
}
