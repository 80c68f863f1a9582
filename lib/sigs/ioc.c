/*
 * Plain IOC hash lists (.txt/.csv): one MD5, SHA-1 or SHA-256 per line,
 * optionally followed by a comment that names the detection. Each entry
 * matches a file of any size. Accepted syntax and naming, exactly:
 * docs/signatures-ioc.md.
 */
#include <string.h>

#include "core/limits.h"
#include "sigs/sigset.h"
#include "sigs/sigtext.h"

#define NAME_PREFIX "IOC."
#define NAME_PREFIX_LEN (sizeof(NAME_PREFIX) - 1)
/* Hex digits of the hash kept in a name made without a comment. */
#define NAME_HEX_DIGITS 16

static int is_sep(char c)
{
	return c == ';' || c == ',' || c == ' ' || c == '\t';
}

static int is_name_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '_' || c == '-';
}

static void strip_quotes(const char **s, size_t *len)
{
	if (*len >= 2 && (*s)[0] == '"' && (*s)[*len - 1] == '"') {
		(*s)++;
		*len -= 2;
		rq_sigtext_trim(s, len);
	}
}

/*
 * A first line such as "sha256,comment" or "hash;description": its first
 * field is a word, not hex, made of letters, digits, spaces, '_' and '-'.
 */
static int looks_like_header(const char *s, size_t len)
{
	int non_hex_letter = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (!is_name_char(c) && c != ' ' && c != '"')
			return 0;
		if ((c >= 'g' && c <= 'z') || (c >= 'G' && c <= 'Z'))
			non_hex_letter = 1;
	}
	return non_hex_letter;
}

/*
 * The detection name: "IOC." and the comment with every run of bytes
 * outside [A-Za-z0-9._-] turned into one '_' (cut to fit RQ_MAX_SIG_NAME),
 * or "IOC.<kind>.<first 16 hex digits>" when the comment gives nothing.
 */
static size_t make_name(char *out, const char *comment, size_t comment_len,
			unsigned digest_type, const uint8_t *digest)
{
	size_t n = NAME_PREFIX_LEN;
	memcpy(out, NAME_PREFIX, NAME_PREFIX_LEN);
	for (size_t i = 0; i < comment_len && n < RQ_MAX_SIG_NAME; i++) {
		unsigned char c = (unsigned char)comment[i];
		if (is_name_char(c))
			out[n++] = (char)c;
		else if (n > NAME_PREFIX_LEN && out[n - 1] != '_')
			out[n++] = '_';
	}
	while (n > NAME_PREFIX_LEN && out[n - 1] == '_')
		n--;
	if (n == NAME_PREFIX_LEN) {
		const char *kind = rq_sigtext_digest_name(digest_type);
		size_t kind_len = strlen(kind);
		char hex[NAME_HEX_DIGITS + 1];
		rq_hex_encode(hex, digest, NAME_HEX_DIGITS / 2);
		memcpy(out + n, kind, kind_len);
		n += kind_len;
		out[n++] = '.';
		memcpy(out + n, hex, NAME_HEX_DIGITS);
		n += NAME_HEX_DIGITS;
	}
	out[n] = '\0';
	return n;
}

typedef struct ioc_file {
	rq_sigset *set;
	const char *name;
	const char *source; /* pooled copy, made on the first entry */
	int seen_data;      /* a line other than blanks and comments came before */
} ioc_file;

static int parse_line(void *ctx, unsigned lineno, const char *line, size_t len)
{
	ioc_file *f = ctx;
	rq_sigset *set = f->set;
	char q[RQ_SIGTEXT_QUOTE_SIZE];
	char name[RQ_MAX_SIG_NAME + 1];
	rq_hashsig sig;
	memset(&sig, 0, sizeof(sig));

	int first = !f->seen_data;
	f->seen_data = 1;
	if (len > RQ_MAX_SIG_LINE)
		return rq_sigset_warn(set, f->name, lineno, 0, "line longer than %d bytes",
				      RQ_MAX_SIG_LINE);

	size_t hash_len = 0;
	while (hash_len < len && !is_sep(line[hash_len]))
		hash_len++;
	const char *hash = line;
	const char *comment = line + hash_len;
	size_t comment_len = len - hash_len;
	rq_sigtext_trim(&comment, &comment_len);
	if (comment_len && (comment[0] == ';' || comment[0] == ',')) {
		comment++;
		comment_len--;
		rq_sigtext_trim(&comment, &comment_len);
	}
	strip_quotes(&hash, &hash_len);
	strip_quotes(&comment, &comment_len);

	sig.digest_type = (uint8_t)rq_sigtext_digest(sig.digest, hash, hash_len);
	if (!sig.digest_type) {
		if (first && looks_like_header(hash, hash_len))
			return 0;
		return rq_sigset_warn(set, f->name, lineno, 0,
				      "bad hash '%s' (want 32, 40 or 64 hex digits)",
				      rq_sigtext_quote(q, hash, hash_len));
	}
	sig.sig_type = RQ_SIG_IOC;
	sig.size = RQ_SIZE_ANY;

	size_t name_len = make_name(name, comment, comment_len, sig.digest_type, sig.digest);
	if (!f->source && !(f->source = rq_sigset_str(set, f->name, strlen(f->name))))
		return rq_fail(RQ_ENOMEM, "%s:%u: out of memory", f->name, lineno);
	sig.source = f->source;
	if (!(sig.name = rq_sigset_str(set, name, name_len)))
		return rq_fail(RQ_ENOMEM, "%s:%u: out of memory", f->name, lineno);
	int rc = rq_sigset_add_hash(set, &sig);
	if (!rc)
		set->stats.by_type[RQ_SIG_IOC]++;
	return rc;
}

int rq_load_ioc(rq_sigset *set, const char *name, const uint8_t *data, size_t len)
{
	ioc_file f = { set, name, NULL, 0 };
	/* Spreadsheet exports often start with a UTF-8 byte order mark. */
	if (len >= 3 && !memcmp(data, "\xef\xbb\xbf", 3)) {
		data += 3;
		len -= 3;
	}
	return rq_sigtext_each_line(data, len, parse_line, &f);
}
