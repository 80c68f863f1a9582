/*
 * ClamAV ignore lists: signature names whose detections are dropped.
 * .ign2 lines are `Name` or `Name:MD5`, old .ign lines `Database:Line:Name`;
 * like ClamAV, both files accept all three shapes, told apart by their
 * number of fields. Accepted syntax, exactly: docs/signatures-hash.md.
 */
#include <string.h>

#include "core/limits.h"
#include "sigs/sigset.h"
#include "sigs/sigtext.h"

static int parse_line(rq_sigset *set, const char *file, unsigned lineno,
		      const char *line, size_t len)
{
	char q[RQ_SIGTEXT_QUOTE_SIZE];
	const char *fields[3];
	size_t lens[3], n = 0;

	if (len > RQ_MAX_SIG_LINE)
		return rq_sigset_warn(set, file, lineno, 0, "line longer than %d bytes",
				      RQ_MAX_SIG_LINE);
	const char *p = line, *end = line + len;
	for (;;) {
		const char *colon = memchr(p, ':', (size_t)(end - p));
		const char *stop = colon ? colon : end;
		if (n == 3)
			return rq_sigset_warn(set, file, lineno, 0,
					      "more than 3 ':'-separated fields in '%s'",
					      rq_sigtext_quote(q, line, len));
		fields[n] = p;
		lens[n++] = (size_t)(stop - p);
		if (!colon)
			break;
		p = colon + 1;
	}

	const char *sig = fields[0];
	size_t sig_len = lens[0];
	if (n == 2) {
		/* Name:MD5 -- the MD5 of the signature's line, which we do not
		 * keep, so the name alone decides (see the docs). */
		uint8_t digest[32];
		if (rq_sigtext_digest(digest, fields[1], lens[1]) != RQ_DIGEST_MD5)
			return rq_sigset_warn(set, file, lineno, 0,
					      "bad signature MD5 '%s' (want 32 hex digits)",
					      rq_sigtext_quote(q, fields[1], lens[1]));
	} else if (n == 3) {
		uint64_t line_number;
		if (rq_sigtext_u64(&line_number, fields[1], lens[1]) < 0)
			return rq_sigset_warn(set, file, lineno, 0, "bad line number '%s'",
					      rq_sigtext_quote(q, fields[1], lens[1]));
		sig = fields[2];
		sig_len = lens[2];
	}
	const char *why = rq_sigtext_bad_name(sig, sig_len);
	if (why)
		return rq_sigset_warn(set, file, lineno, 0, "%s: '%s'", why,
				      rq_sigtext_quote(q, sig, sig_len));
	return rq_sigset_add_ignored(set, sig, sig_len);
}

int rq_load_clamav_ign(rq_sigset *set, const char *name, const char *ext,
		       const uint8_t *data, size_t len)
{
	int rc = 0;
	if (strcmp(ext, "ign") && strcmp(ext, "ign2"))
		return rq_fail(RQ_EINVAL, "%s: '.%s' is not an ignore list", name, ext);

	rq_lines it;
	const char *line;
	size_t line_len;
	if (!len)
		goto done; /* `data` may then be NULL */
	rq_lines_init(&it, data, len);
	while (rq_lines_next(&it, &line, &line_len)) {
		rq_sigtext_trim(&line, &line_len);
		if (!line_len || line[0] == '#')
			continue;
		rc = parse_line(set, name, it.lineno, line, line_len);
		if (rc)
			goto done;
	}
done:
	return rc;
}
