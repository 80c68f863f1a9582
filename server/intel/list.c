/*
 * Plain IOC lists (parse.h): hashes, addresses and domains one per line,
 * as partners mail them around. A bad line fails the whole list; every bad
 * line is counted and the first few named by number.
 */
#include <stdio.h>
#include <string.h>

#include "core/error.h"
#include "core/util.h"
#include "intel/limits.h"
#include "intel/parse.h"

static int blank(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* The bad lines seen: the first message and numbers kept for the error. */
typedef struct bad_lines {
	unsigned count;
	unsigned numbers[RQ_INTEL_MAX_BAD_REPORTED];
	char first[256];
} bad_lines;

static void note_bad(bad_lines *b, const char *name, unsigned line, const char *why)
{
	if (b->count == 0)
		snprintf(b->first, sizeof(b->first), "%s:%u: %s", name, line, why);
	if (b->count < RQ_INTEL_MAX_BAD_REPORTED)
		b->numbers[b->count] = line;
	b->count++;
}

static int fail_bad(const bad_lines *b)
{
	char list[RQ_INTEL_MAX_BAD_REPORTED * 12 + 8];
	size_t n = 0;
	list[0] = '\0';
	for (unsigned i = 0; i < b->count && i < RQ_INTEL_MAX_BAD_REPORTED; i++)
		n += (size_t)snprintf(list + n, sizeof(list) - n, "%s%u", i ? ", " : "", b->numbers[i]);
	return rq_fail(RQ_EPARSE, "%s (%u bad line%s: %s%s; nothing imported)", b->first, b->count,
		       b->count == 1 ? "" : "s", list, b->count > RQ_INTEL_MAX_BAD_REPORTED ? ", ..." : "");
}

/* One line: value and comment split, classified and added. */
static int one_line(rq_intel_batch *out, bad_lines *bad, const char *name, unsigned lineno, const char *line,
		    size_t n, int confidence)
{
	char value[RQ_INTEL_VALUE_MAX + 1], comment[RQ_INTEL_MAX_TEXT + 1], ref[32];
	size_t vlen = 0;
	rq_intel_type type;
	while (vlen < n && line[vlen] != ';' && line[vlen] != ',' && !blank((unsigned char)line[vlen]))
		vlen++;
	const char *c = line + vlen, *end = line + n;
	while (c < end && blank((unsigned char)*c))
		c++;
	if (c < end && (*c == ';' || *c == ','))
		c++;
	while (c < end && blank((unsigned char)*c))
		c++;
	size_t clen = (size_t)(end - c);
	if (clen > RQ_INTEL_MAX_TEXT)
		clen = RQ_INTEL_MAX_TEXT;
	memcpy(comment, c, clen);
	comment[clen] = '\0';
	if (rq_intel_classify(line, vlen, &type, value) < 0) {
		note_bad(bad, name, lineno, rq_error_last());
		return 0;
	}
	if (bad->count) /* the list fails anyway: only look for more bad lines */
		return 0;
	snprintf(ref, sizeof(ref), "line %u", lineno);
	rq_intel_indicator ind = { .type = type, .value = value, .name = comment, .description = "", .ref = ref,
				   .confidence = confidence };
	return rq_intel_batch_add(out, &ind);
}

int rq_intel_parse_list(rq_intel_batch *out, const char *name, const void *data, size_t len, int confidence)
{
	rq_lines it;
	const char *line;
	size_t n;
	bad_lines bad = { 0 };
	int rc = 0;
	rq_lines_init(&it, data, len);
	if (len >= 3 && !memcmp(data, "\xef\xbb\xbf", 3)) /* a byte-order mark */
		rq_lines_init(&it, (const char *)data + 3, len - 3);
	while (rq_lines_next(&it, &line, &n)) {
		while (n && blank((unsigned char)line[0])) {
			line++;
			n--;
		}
		while (n && blank((unsigned char)line[n - 1]))
			n--;
		if (n == 0 || line[0] == '#')
			continue;
		if (n > RQ_INTEL_MAX_LINE) {
			note_bad(&bad, name, it.lineno, "line longer than 4096 bytes");
			continue;
		}
		if (memchr(line, '\0', n)) {
			note_bad(&bad, name, it.lineno, "NUL byte (a binary file?)");
			continue;
		}
		if ((rc = one_line(out, &bad, name, it.lineno, line, n, confidence)) < 0)
			goto done;
	}
	if (bad.count)
		rc = fail_bad(&bad);
done:
	if (rc < 0) {
		if (rc != RQ_EPARSE) {
			char why[256];
			snprintf(why, sizeof(why), "%s", rq_error_last());
			rq_fail(rc, "%s: %s", name, why);
		}
		rq_intel_batch_clear(out);
	}
	return rc;
}
