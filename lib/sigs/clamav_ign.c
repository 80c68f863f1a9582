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

typedef struct ign_file {
	rq_sigset *set;
	const char *name;
} ign_file;

static int parse_line(void *ctx, unsigned lineno, const char *line, size_t len)
{
	ign_file *ign = ctx;
	rq_sigset *set = ign->set;
	const char *file = ign->name;
	char q[RQ_SIGTEXT_QUOTE_SIZE];
	rq_sigtext_field f[3];

	if (len > RQ_MAX_SIG_LINE)
		return rq_sigset_warn(set, file, lineno, 0, "line longer than %d bytes",
				      RQ_MAX_SIG_LINE);
	size_t n = rq_sigtext_split(f, 3, ':', line, len);
	if (n > 3)
		return rq_sigset_warn(set, file, lineno, 0,
				      "more than 3 ':'-separated fields in '%s'",
				      rq_sigtext_quote(q, line, len));
	const char *fields[3] = { f[0].s, n > 1 ? f[1].s : NULL, n > 2 ? f[2].s : NULL };
	size_t lens[3] = { f[0].len, n > 1 ? f[1].len : 0, n > 2 ? f[2].len : 0 };

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
	if (strcmp(ext, "ign") && strcmp(ext, "ign2"))
		return rq_fail(RQ_EINVAL, "%s: '.%s' is not an ignore list", name, ext);

	ign_file ign = { set, name };
	return rq_sigtext_each_line(data, len, parse_line, &ign);
}
