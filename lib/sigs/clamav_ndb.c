/*
 * ClamAV body signatures: .ndb lines `Name:TargetType:Offset:HexSignature
 * [:MinFL[:MaxFL]]` become rq_bodysig entries of the signature set; the hex
 * pattern itself is compiled by hexsig.c. Malformed and unsupported lines are
 * reported and skipped. Accepted syntax, exactly: docs/signatures-ndb.md.
 */
#include <stdlib.h>
#include <string.h>

#include "core/limits.h"
#include "sigs/hexsig.h"
#include "sigs/sigset.h"
#include "sigs/sigtext.h"

/* Name, target type, offset, pattern, MinFL, MaxFL. */
#define MAX_FIELDS 6

typedef rq_sigtext_field field;

typedef struct ndb_file {
	rq_sigset *set;
	const char *name;   /* as given, for messages */
	const char *source; /* pooled copy, made on the first signature */
} ndb_file;

static int starts_with(const field *f, const char *prefix)
{
	size_t n = strlen(prefix);
	return f->len >= n && !memcmp(f->s, prefix, n);
}

/* "n" or "n,m" into value/shift; -1 if malformed. */
static int parse_range(const char *s, size_t len, uint64_t *value, uint64_t *shift)
{
	const char *comma = memchr(s, ',', len);
	*shift = 0;
	if (!comma)
		return rq_sigtext_u64(value, s, len);
	size_t head = (size_t)(comma - s);
	if (rq_sigtext_u64(value, s, head) < 0 ||
	    rq_sigtext_u64(shift, comma + 1, len - head - 1) < 0)
		return -1;
	return 0;
}

/*
 * The offset field. Returns 0 and fills `out`, 1 for a well-formed offset
 * this engine cannot use (EP, sections, version info, ...), -1 if malformed.
 */
static int parse_offset(const field *f, rq_offset *out)
{
	memset(out, 0, sizeof(*out));
	if (f->len == 1 && f->s[0] == '*') {
		out->kind = RQ_OFFSET_ANY;
		return 0;
	}
	if (f->len && f->s[0] >= '0' && f->s[0] <= '9') {
		out->kind = RQ_OFFSET_ABS;
		return parse_range(f->s, f->len, &out->value, &out->shift) < 0 ? -1 : 0;
	}
	if (starts_with(f, "EOF-")) {
		out->kind = RQ_OFFSET_EOF;
		return parse_range(f->s + 4, f->len - 4, &out->value, &out->shift) < 0 ? -1 : 0;
	}
	if (!f->len)
		return -1;
	return 1;
}

static int supported_target(uint64_t t)
{
	return t == RQ_TARGET_ANY || t == RQ_TARGET_PE || t == RQ_TARGET_ELF ||
	       t == RQ_TARGET_TEXT || t == RQ_TARGET_MACHO;
}

/* Parse one line already trimmed, neither blank nor a comment. */
static int parse_line(void *ctx, unsigned lineno, const char *line, size_t len)
{
	ndb_file *nf = ctx;
	rq_sigset *set = nf->set;
	char q[RQ_SIGTEXT_QUOTE_SIZE];
	field f[MAX_FIELDS];
	rq_bodysig *sig = NULL;
	rq_hexprog *prog = NULL;
	int rc = 0;

	if (len > RQ_MAX_SIG_LINE)
		return rq_sigset_warn(set, nf->name, lineno, 0, "line longer than %d bytes",
				      RQ_MAX_SIG_LINE);
	size_t n = rq_sigtext_split(f, MAX_FIELDS, ':', line, len);
	if (n < 4)
		return rq_sigset_warn(set, nf->name, lineno, 0,
				      "expected Name:TargetType:Offset:HexSignature, got '%s'",
				      rq_sigtext_quote(q, line, len));
	if (n > MAX_FIELDS)
		return rq_sigset_warn(set, nf->name, lineno, 0,
				      "more than %d ':'-separated fields in '%s'", MAX_FIELDS,
				      rq_sigtext_quote(q, line, len));

	const char *why = rq_sigtext_bad_name(f[0].s, f[0].len);
	if (why)
		return rq_sigset_warn(set, nf->name, lineno, 0, "%s: '%s'", why,
				      rq_sigtext_quote(q, f[0].s, f[0].len));
	char name[RQ_SIGTEXT_QUOTE_SIZE];
	rq_sigtext_quote(name, f[0].s, f[0].len);

	uint64_t target;
	if (rq_sigtext_u64(&target, f[1].s, f[1].len) < 0)
		return rq_sigset_warn(set, nf->name, lineno, 0, "%s: bad target type '%s'", name,
				      rq_sigtext_quote(q, f[1].s, f[1].len));

	rq_offset offset;
	int off_rc = parse_offset(&f[2], &offset);
	if (off_rc < 0)
		return rq_sigset_warn(set, nf->name, lineno, 0, "%s: bad offset '%s'", name,
				      rq_sigtext_quote(q, f[2].s, f[2].len));

	/* An empty level field counts as absent. */
	uint64_t min_fl = 0, max_fl = UINT64_MAX;
	if (n > 4 && f[4].len && rq_sigtext_u64(&min_fl, f[4].s, f[4].len) < 0)
		return rq_sigset_warn(set, nf->name, lineno, 0,
				      "%s: bad minimum functionality level '%s'", name,
				      rq_sigtext_quote(q, f[4].s, f[4].len));
	if (n > 5 && f[5].len && rq_sigtext_u64(&max_fl, f[5].s, f[5].len) < 0)
		return rq_sigset_warn(set, nf->name, lineno, 0,
				      "%s: bad maximum functionality level '%s'", name,
				      rq_sigtext_quote(q, f[5].s, f[5].len));

	/* The pattern is checked before the unsupported features of the other
	 * fields, so that a malformed line is always reported as malformed. */
	rc = rq_hexprog_parse(&prog, f[3].s, f[3].len);
	if (rc == RQ_ENOMEM)
		return rc;
	if (rc)
		return rq_sigset_warn(set, nf->name, lineno, rc == RQ_EUNSUPPORTED,
				      "%s: %s%s", name, rc == RQ_EUNSUPPORTED ? "unsupported: " : "",
				      rq_error_last());

	if (!supported_target(target))
		rc = rq_sigset_warn(set, nf->name, lineno, 1, "%s: unsupported target type %llu",
				    name, (unsigned long long)target);
	else if (off_rc > 0)
		rc = rq_sigset_warn(set, nf->name, lineno, 1, "%s: unsupported offset '%s'", name,
				    rq_sigtext_quote(q, f[2].s, f[2].len));
	else if (target == RQ_TARGET_TEXT && offset.kind == RQ_OFFSET_EOF)
		rc = rq_sigset_warn(set, nf->name, lineno, 1,
				    "%s: unsupported offset: EOF-relative on normalised text", name);
	else if (min_fl > RQ_CLAMAV_FLEVEL)
		rc = rq_sigset_warn(set, nf->name, lineno, 1,
				    "%s: unsupported: needs engine level %llu (this engine has %d)",
				    name, (unsigned long long)min_fl, RQ_CLAMAV_FLEVEL);
	else if (max_fl < RQ_CLAMAV_FLEVEL)
		rc = rq_sigset_warn(set, nf->name, lineno, 1,
				    "%s: unsupported: only for engine levels <= %llu (this engine has %d)",
				    name, (unsigned long long)max_fl, RQ_CLAMAV_FLEVEL);
	else
		goto add;
	goto done;

add:
	if (!nf->source && !(nf->source = rq_sigset_str(set, nf->name, strlen(nf->name)))) {
		rc = rq_fail(RQ_ENOMEM, "%s:%u: out of memory", nf->name, lineno);
		goto done;
	}
	if (!(sig = calloc(1, sizeof(*sig)))) {
		rc = rq_fail(RQ_ENOMEM, "%s:%u: out of memory", nf->name, lineno);
		goto done;
	}
	sig->source = nf->source;
	sig->line = lineno;
	sig->target = (uint8_t)target;
	sig->offset = offset;
	sig->prog = prog;
	prog = NULL;
	if (!(sig->name = rq_sigset_str(set, f[0].s, f[0].len))) {
		rc = rq_fail(RQ_ENOMEM, "%s:%u: out of memory", nf->name, lineno);
		goto done;
	}
	rc = rq_sigset_add_body(set, sig); /* owns sig from here, even on error */
	sig = NULL;
	if (!rc)
		set->stats.by_type[RQ_SIG_BODY]++;
done:
	rq_bodysig_free(sig);
	rq_hexprog_free(prog);
	return rc;
}

int rq_load_clamav_ndb(rq_sigset *set, const char *name, const uint8_t *data, size_t len)
{
	ndb_file nf = { set, name, NULL };
	return rq_sigtext_each_line(data, len, parse_line, &nf);
}
