/*
 * ClamAV whole-file hash signatures: .hdb and .hsb lines
 * `Hash:FileSize:Name[:MinFL[:MaxFL]]` become detections, the same lines in
 * .fp and .sfp files become allow-list entries. Accepted syntax, exactly:
 * docs/signatures-hash.md.
 */
#include <string.h>

#include "core/limits.h"
#include "sigs/sigset.h"
#include "sigs/sigtext.h"

/* ClamAV rejects a `*` size unless the line asks for at least this level. */
#define FLEVEL_SIZE_ANY 73

/* Hash, size, name, MinFL, MaxFL. */
#define MAX_FIELDS 5

typedef rq_sigtext_field field;

static uint8_t sig_type_of(unsigned digest_type)
{
	switch (digest_type) {
	case RQ_DIGEST_MD5: return RQ_SIG_MD5;
	case RQ_DIGEST_SHA1: return RQ_SIG_SHA1;
	default: return RQ_SIG_SHA256;
	}
}

typedef struct hash_file {
	rq_sigset *set;
	const char *name;   /* as given, for messages */
	const char *source; /* pooled copy, made on the first signature */
	int allow;          /* .fp/.sfp */
} hash_file;

/* Parse one line already trimmed, neither blank nor a comment. */
static int parse_line(void *ctx, unsigned lineno, const char *line, size_t len)
{
	hash_file *hf = ctx;
	rq_sigset *set = hf->set;
	char q[RQ_SIGTEXT_QUOTE_SIZE];
	field f[MAX_FIELDS];
	rq_hashsig sig;
	memset(&sig, 0, sizeof(sig));

	if (len > RQ_MAX_SIG_LINE)
		return rq_sigset_warn(set, hf->name, lineno, 0, "line longer than %d bytes",
				      RQ_MAX_SIG_LINE);
	size_t n = rq_sigtext_split(f, MAX_FIELDS, ':', line, len);
	if (n < 3)
		return rq_sigset_warn(set, hf->name, lineno, 0,
				      "expected Hash:FileSize:Name, got '%s'",
				      rq_sigtext_quote(q, line, len));
	if (n > MAX_FIELDS)
		return rq_sigset_warn(set, hf->name, lineno, 0,
				      "more than %d ':'-separated fields in '%s'", MAX_FIELDS,
				      rq_sigtext_quote(q, line, len));

	sig.digest_type = (uint8_t)rq_sigtext_digest(sig.digest, f[0].s, f[0].len);
	if (!sig.digest_type)
		return rq_sigset_warn(set, hf->name, lineno, 0,
				      "bad hash '%s' (want 32, 40 or 64 hex digits)",
				      rq_sigtext_quote(q, f[0].s, f[0].len));
	sig.sig_type = sig_type_of(sig.digest_type);

	if (f[1].len == 1 && f[1].s[0] == '*')
		sig.size = RQ_SIZE_ANY;
	else if (rq_sigtext_u64(&sig.size, f[1].s, f[1].len) < 0 || sig.size == RQ_SIZE_ANY)
		return rq_sigset_warn(set, hf->name, lineno, 0,
				      "bad file size '%s' (want a decimal number or '*')",
				      rq_sigtext_quote(q, f[1].s, f[1].len));

	const char *why = rq_sigtext_bad_name(f[2].s, f[2].len);
	if (why)
		return rq_sigset_warn(set, hf->name, lineno, 0, "%s: '%s'", why,
				      rq_sigtext_quote(q, f[2].s, f[2].len));

	/* An empty level field counts as absent. */
	uint64_t min_fl = 0, max_fl = UINT64_MAX;
	int has_min = n > 3 && f[3].len;
	if (has_min && rq_sigtext_u64(&min_fl, f[3].s, f[3].len) < 0)
		return rq_sigset_warn(set, hf->name, lineno, 0,
				      "bad minimum functionality level '%s'",
				      rq_sigtext_quote(q, f[3].s, f[3].len));
	if (n > 4 && f[4].len && rq_sigtext_u64(&max_fl, f[4].s, f[4].len) < 0)
		return rq_sigset_warn(set, hf->name, lineno, 0,
				      "bad maximum functionality level '%s'",
				      rq_sigtext_quote(q, f[4].s, f[4].len));
	if (sig.size == RQ_SIZE_ANY && (!has_min || min_fl < FLEVEL_SIZE_ANY))
		return rq_sigset_warn(set, hf->name, lineno, 0,
				      "size '*' needs a minimum functionality level of at least %d "
				      "(Hash:*:Name:%d)", FLEVEL_SIZE_ANY, FLEVEL_SIZE_ANY);
	if (min_fl > RQ_CLAMAV_FLEVEL)
		return rq_sigset_warn(set, hf->name, lineno, 1,
				      "needs functionality level %llu, this engine has %d",
				      (unsigned long long)min_fl, RQ_CLAMAV_FLEVEL);
	if (max_fl < RQ_CLAMAV_FLEVEL)
		return rq_sigset_warn(set, hf->name, lineno, 1,
				      "only for functionality level %llu and below, this engine has %d",
				      (unsigned long long)max_fl, RQ_CLAMAV_FLEVEL);

	if (!hf->source && !(hf->source = rq_sigset_str(set, hf->name, strlen(hf->name))))
		return rq_fail(RQ_ENOMEM, "%s:%u: out of memory", hf->name, lineno);
	sig.source = hf->source;
	if (!(sig.name = rq_sigset_str(set, f[2].s, f[2].len)))
		return rq_fail(RQ_ENOMEM, "%s:%u: out of memory", hf->name, lineno);

	int rc;
	if (hf->allow) {
		rc = rq_sigset_add_allow(set, &sig);
		if (!rc)
			set->stats.allow_hashes++;
	} else {
		rc = rq_sigset_add_hash(set, &sig);
		if (!rc)
			set->stats.by_type[sig.sig_type]++;
	}
	return rc;
}

int rq_load_clamav_hash(rq_sigset *set, const char *name, const char *ext,
			const uint8_t *data, size_t len)
{
	hash_file hf = { set, name, NULL, 0 };
	if (!strcmp(ext, "fp") || !strcmp(ext, "sfp"))
		hf.allow = 1;
	else if (strcmp(ext, "hdb") && strcmp(ext, "hsb"))
		return rq_fail(RQ_EINVAL, "%s: '.%s' is not a hash signature file", name, ext);

	return rq_sigtext_each_line(data, len, parse_line, &hf);
}
