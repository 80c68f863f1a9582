/*
 * Plain IOC lists (.txt/.csv): one indicator per line -- an MD5, SHA-1 or
 * SHA-256 (matches a file of any size), or an IP address, network, domain
 * or URL, defanged or not (matches connections) -- optionally followed by
 * a comment that names the detection. Accepted syntax and naming, exactly:
 * docs/signatures-ioc.md.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
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

/* Longest indicator text read as an address, domain or URL. */
#define NET_TEXT_MAX 300

/*
 * Undo the usual defanging ("evil[.]com", "hxxp://", "1.2.3[.]4", "[:]"),
 * lower-case, into out (NUL-terminated). 0, or -1 when too long.
 */
static int refang(const char *s, size_t len, char out[NET_TEXT_MAX + 1])
{
	size_t n = 0;
	for (size_t i = 0; i < len; i++) {
		if (n >= NET_TEXT_MAX)
			return -1;
		if (i + 2 < len && (s[i] == '[' || s[i] == '(' || s[i] == '{') &&
		    (s[i + 1] == '.' || s[i + 1] == ':') &&
		    (s[i + 2] == ']' || s[i + 2] == ')' || s[i + 2] == '}')) {
			out[n++] = s[i + 1];
			i += 2;
			continue;
		}
		char c = s[i];
		out[n++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
	}
	out[n] = '\0';
	if (!strncmp(out, "hxxp", 4))
		memcpy(out, "http", 4);
	return 0;
}

/* The host of a URL in place ("http://user@[::1]:80/x" -> "::1"); 1 if it was a URL. */
static int url_host(char *t)
{
	char *p = strstr(t, "://");
	if (!p)
		return 0;
	for (char *c = t; c < p; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '+' || *c == '-'))
			return 0;
	char *host = p + 3;
	host[strcspn(host, "/?#")] = '\0';
	char *at = strrchr(host, '@');
	if (at)
		host = at + 1;
	if (host[0] == '[') { /* [IPv6]:port */
		char *close = strchr(host, ']');
		if (!close)
			return 0;
		*close = '\0';
		host++;
	} else {
		char *colon = strchr(host, ':');
		if (colon)
			*colon = '\0';
	}
	memmove(t, host, strlen(host) + 1);
	return 1;
}

/* An address "a.b.c.d", "::1", optionally "/bits": fills ioc; 1 if it is one. */
static int parse_ip(char *t, int allow_prefix, rq_netioc *ioc)
{
	char *slash = strchr(t, '/');
	long bits = -1;
	if (slash) {
		char *end = NULL;
		if (!allow_prefix || !slash[1])
			return 0;
		bits = strtol(slash + 1, &end, 10);
		if (*end || bits < 0)
			return 0;
		*slash = '\0';
	}
	uint8_t a[16];
	memset(a, 0, sizeof(a));
	struct in_addr v4;
	if (inet_pton(AF_INET, t, &v4) == 1) {
		a[10] = a[11] = 0xff;
		memcpy(a + 12, &v4, 4);
		if (bits > 32)
			return 0;
		bits = bits < 0 ? 128 : 96 + bits;
	} else if (inet_pton(AF_INET6, t, a) == 1) {
		if (bits > 128)
			return 0;
		bits = bits < 0 ? 128 : bits;
	} else {
		return 0;
	}
	for (int b = (int)bits; b < 128; b++) /* host bits off: the network itself */
		a[b / 8] &= (uint8_t) ~(0x80u >> (b % 8));
	ioc->kind = RQ_NETIOC_IP;
	ioc->prefix = (uint8_t)bits;
	memcpy(ioc->addr, a, 16);
	return 1;
}

/* A DNS name: labels of [a-z0-9-] (1..63, no edge '-') joined by dots, at least two, a letter in the last. */
static int is_domain(const char *t)
{
	size_t len = strlen(t), label = 0, dots = 0;
	int tld_letter = 0;
	if (len && t[len - 1] == '.')
		len--; /* a fully qualified name's trailing dot */
	if (!len || len > 253)
		return 0;
	for (size_t i = 0; i <= len; i++) {
		char c = i < len ? t[i] : '.';
		if (c == '.') {
			if (!label || label > 63 || t[i - 1] == '-' || t[i - label] == '-')
				return 0;
			if (i < len) {
				dots++;
				tld_letter = 0;
			}
			label = 0;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
			return 0;
		tld_letter |= c >= 'a' && c <= 'z';
		label++;
	}
	return dots >= 1 && tld_letter;
}

/* "IOC.<comment>" or "IOC.<kind>.<indicator>", the same character rules as for hashes. */
static size_t make_net_name(char *out, const char *comment, size_t comment_len, const char *kind,
			    const char *text)
{
	size_t n = NAME_PREFIX_LEN;
	char tail[NET_TEXT_MAX + 16];
	memcpy(out, NAME_PREFIX, NAME_PREFIX_LEN);
	if (!comment_len) {
		snprintf(tail, sizeof(tail), "%s.%s", kind, text);
		comment = tail;
		comment_len = strlen(tail);
	}
	for (size_t i = 0; i < comment_len && n < RQ_MAX_SIG_NAME; i++) {
		unsigned char c = (unsigned char)comment[i];
		if (is_name_char(c))
			out[n++] = (char)c;
		else if (n > NAME_PREFIX_LEN && out[n - 1] != '_')
			out[n++] = '_';
	}
	while (n > NAME_PREFIX_LEN && out[n - 1] == '_')
		n--;
	out[n] = '\0';
	return n;
}

typedef struct ioc_file {
	rq_sigset *set;
	const char *name;
	const char *source; /* pooled copy, made on the first entry */
	int seen_data;      /* a line other than blanks and comments came before */
} ioc_file;

/* A network indicator: added (0), an error, or 1 when the text is not one. */
static int add_network(ioc_file *f, unsigned lineno, const char *text, size_t len,
		       const char *comment, size_t comment_len)
{
	char t[NET_TEXT_MAX + 1], name[RQ_MAX_SIG_NAME + 1];
	rq_netioc ioc;
	memset(&ioc, 0, sizeof(ioc));
	if (refang(text, len, t))
		return 1;
	int url = url_host(t);
	size_t tl = strlen(t);
	if (tl && t[tl - 1] == '.')
		t[--tl] = '\0';
	const char *kind = "ip";
	if (!parse_ip(t, !url, &ioc)) {
		if (!is_domain(t))
			return 1;
		ioc.kind = RQ_NETIOC_DOMAIN;
		kind = "domain";
	}
	/* the name shows the indicator as written in the list, refanged */
	char shown[NET_TEXT_MAX + 1];
	refang(text, len, shown);
	size_t name_len = make_net_name(name, comment, comment_len, kind, shown);
	if (!f->source && !(f->source = rq_sigset_str(f->set, f->name, strlen(f->name))))
		return rq_fail(RQ_ENOMEM, "%s:%u: out of memory", f->name, lineno);
	ioc.source = f->source;
	if (!(ioc.name = rq_sigset_str(f->set, name, name_len)) ||
	    (ioc.kind == RQ_NETIOC_DOMAIN && !(ioc.domain = rq_sigset_str(f->set, t, strlen(t)))))
		return rq_fail(RQ_ENOMEM, "%s:%u: out of memory", f->name, lineno);
	return rq_sigset_add_netioc(f->set, &ioc);
}

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
		int rc = add_network(f, lineno, hash, hash_len, comment, comment_len);
		if (rc != 1)
			return rc;
		if (first && looks_like_header(hash, hash_len))
			return 0;
		return rq_sigset_warn(set, f->name, lineno, 0,
				      "bad indicator '%s' (want an MD5, SHA-1 or SHA-256 hash, an IP "
				      "address or network, a domain or a URL)",
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
