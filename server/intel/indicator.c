/*
 * The indicator model (indicator.h): type names, checking and normalising
 * values, and the batch that carries parsed indicators to the store.
 */
#include "intel/indicator.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/util.h"
#include "intel/limits.h"

static const char *const type_names[RQ_INTEL_TYPE_COUNT] = {
	"md5", "sha1", "sha256", "ipv4", "ipv6", "domain", "yara",
};

const char *rq_intel_type_name(rq_intel_type type)
{
	return (unsigned)type < RQ_INTEL_TYPE_COUNT ? type_names[type] : "?";
}

int rq_intel_type_parse(const char *name, rq_intel_type *out)
{
	for (int i = 0; i < RQ_INTEL_TYPE_COUNT; i++)
		if (!strcmp(name, type_names[i])) {
			*out = (rq_intel_type)i;
			return 0;
		}
	return RQ_ENOTFOUND;
}

/* Quote at most 40 bytes of a bad value, non-printable bytes as '?'. */
static int bad(const char *what, const char *value, size_t len)
{
	char shown[41];
	size_t n = len < 40 ? len : 40;
	for (size_t i = 0; i < n; i++)
		shown[i] = (unsigned char)value[i] >= 0x20 && (unsigned char)value[i] < 0x7f ? value[i] : '?';
	shown[n] = '\0';
	return rq_fail(RQ_EPARSE, "bad %s '%s%s'", what, shown, len > 40 ? "..." : "");
}

static size_t hash_len(rq_intel_type type)
{
	return type == RQ_INTEL_MD5 ? 32 : type == RQ_INTEL_SHA1 ? 40 : 64;
}

static int norm_hash(rq_intel_type type, const char *v, size_t len, char *out)
{
	if (len != hash_len(type))
		return bad(type_names[type], v, len);
	for (size_t i = 0; i < len; i++) {
		if (rq_hexval((unsigned char)v[i]) < 0)
			return bad(type_names[type], v, len);
		out[i] = (char)tolower((unsigned char)v[i]);
	}
	out[len] = '\0';
	return 0;
}

/* Undo the defanging of shared lists: "[.]", "(.)", "{.}" -> ".", "[:]" -> ":". */
static size_t refang(const char *v, size_t len, char *out, size_t size)
{
	size_t n = 0;
	for (size_t i = 0; i < len && n + 1 < size; i++) {
		if (i + 2 < len && strchr("[({", v[i]) && (v[i + 1] == '.' || v[i + 1] == ':') &&
		    strchr("])}", v[i + 2])) {
			out[n++] = v[i + 1];
			i += 2;
		} else {
			out[n++] = v[i];
		}
	}
	out[n] = '\0';
	return n;
}

static int norm_address(rq_intel_type type, const char *v, size_t len, char *out)
{
	char text[RQ_INTEL_VALUE_MAX + 1];
	unsigned char addr[16];
	int af = type == RQ_INTEL_IPV4 ? AF_INET : AF_INET6;
	if (len == 0 || len > RQ_INTEL_VALUE_MAX || memchr(v, '\0', len))
		return bad(type_names[type], v, len);
	refang(v, len, text, sizeof(text));
	if (inet_pton(af, text, addr) != 1 || !inet_ntop(af, addr, out, RQ_INTEL_VALUE_MAX + 1))
		return bad(type_names[type], v, len);
	return 0;
}

static int label_char(int c)
{
	return isalnum(c) || c == '-' || c == '_';
}

static int norm_domain(const char *v, size_t len, char *out)
{
	char text[RQ_INTEL_VALUE_MAX + 2];
	size_t n, labels = 0, label_len = 0;
	int letter = 0;
	if (len == 0 || len > RQ_INTEL_VALUE_MAX + 1 || memchr(v, '\0', len))
		return bad("domain", v, len);
	n = refang(v, len, text, sizeof(text));
	if (n && text[n - 1] == '.')
		text[--n] = '\0';
	if (n == 0 || n > RQ_INTEL_VALUE_MAX)
		return bad("domain", v, len);
	for (size_t i = 0; i <= n; i++) {
		int c = (unsigned char)text[i];
		if (c == '.' || c == '\0') {
			if (label_len == 0 || label_len > 63 || text[i - 1] == '-' || text[i - label_len] == '-')
				return bad("domain", v, len);
			labels++;
			if (c == '\0')
				break;
			out[i] = '.';
			label_len = 0;
			letter = 0;
			continue;
		}
		if (!label_char(c))
			return bad("domain", v, len);
		letter |= isalpha(c) != 0;
		label_len++;
		out[i] = (char)tolower(c);
	}
	out[n] = '\0';
	if (labels < 2 || !letter) /* the last label must hold a letter: not an address */
		return bad("domain", v, len);
	return 0;
}

int rq_intel_normalise(rq_intel_type type, const char *value, size_t len, char out[RQ_INTEL_VALUE_MAX + 1])
{
	switch (type) {
	case RQ_INTEL_MD5:
	case RQ_INTEL_SHA1:
	case RQ_INTEL_SHA256:
	case RQ_INTEL_YARA:
		return norm_hash(type == RQ_INTEL_YARA ? RQ_INTEL_SHA256 : type, value, len, out);
	case RQ_INTEL_IPV4:
	case RQ_INTEL_IPV6:
		return norm_address(type, value, len, out);
	case RQ_INTEL_DOMAIN:
		return norm_domain(value, len, out);
	default:
		return rq_fail(RQ_EINVAL, "unknown indicator type %d", (int)type);
	}
}

/* Whether v[0..len) (not NUL-terminated) holds only bytes of `set`. */
static int only(const char *v, size_t len, const char *set)
{
	for (size_t i = 0; i < len; i++)
		if (!v[i] || !strchr(set, v[i]))
			return 0;
	return 1;
}

static int all_hex(const char *v, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (rq_hexval((unsigned char)v[i]) < 0)
			return 0;
	return 1;
}

int rq_intel_classify(const char *value, size_t len, rq_intel_type *type, char out[RQ_INTEL_VALUE_MAX + 1])
{
	rq_intel_type t;
	if ((len == 32 || len == 40 || len == 64) && all_hex(value, len))
		t = len == 32 ? RQ_INTEL_MD5 : len == 40 ? RQ_INTEL_SHA1 : RQ_INTEL_SHA256;
	else if (len && memchr(value, ':', len) && !memchr(value, '.', len))
		t = RQ_INTEL_IPV6;
	else if (len && only(value, len, "0123456789.[](){}"))
		t = RQ_INTEL_IPV4;
	else if (len && all_hex(value, len) && len < 128)
		return bad("hash (not 32, 40 or 64 hex digits)", value, len);
	else
		t = RQ_INTEL_DOMAIN;
	/* "::ffff:1.2.3.4" has both: an IPv6 address */
	if (t == RQ_INTEL_DOMAIN && memchr(value, ':', len))
		t = RQ_INTEL_IPV6;
	*type = t;
	return rq_intel_normalise(t, value, len, out);
}

int rq_intel_uuid_ok(const char *s)
{
	if (strlen(s) != 36)
		return 0;
	for (int i = 0; i < 36; i++) {
		int dash = i == 8 || i == 13 || i == 18 || i == 23;
		if (dash ? s[i] != '-' : rq_hexval((unsigned char)s[i]) < 0)
			return 0;
	}
	return 1;
}

/* A copy of `s` cut to RQ_INTEL_MAX_TEXT bytes at a UTF-8 boundary, control bytes as spaces. */
static char *text_copy(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (n > RQ_INTEL_MAX_TEXT) {
		n = RQ_INTEL_MAX_TEXT;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	char *out = malloc(n + 1);
	if (!out)
		return NULL;
	for (size_t i = 0; i < n; i++)
		out[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? ' ' : s[i];
	out[n] = '\0';
	return out;
}

static void indicator_free(rq_intel_indicator *it)
{
	free(it->value);
	free(it->name);
	free(it->description);
	free(it->body);
	free(it->ref);
}

int rq_intel_batch_add(rq_intel_batch *b, const rq_intel_indicator *in)
{
	rq_intel_indicator it = *in;
	int rc = 0;
	if (b->count >= RQ_INTEL_MAX_INDICATORS) {
		rc = rq_fail(RQ_ELIMIT, "more than %d indicators in one import", RQ_INTEL_MAX_INDICATORS);
		goto done;
	}
	it.value = strdup(in->value ? in->value : "");
	it.name = text_copy(in->name);
	it.description = text_copy(in->description);
	it.ref = text_copy(in->ref);
	it.body = in->body ? strdup(in->body) : NULL;
	if (it.confidence < 0 || it.confidence > 100)
		it.confidence = RQ_INTEL_DEFAULT_CONFIDENCE;
	if (!it.value || !it.name || !it.description || !it.ref || (in->body && !it.body) ||
	    rq_grow((void **)&b->items, &b->cap, b->count + 1, sizeof(*b->items)) < 0) {
		indicator_free(&it);
		rc = rq_fail(RQ_ENOMEM, "out of memory");
		goto done;
	}
	b->items[b->count++] = it;
done:
	return rc;
}

void rq_intel_batch_clear(rq_intel_batch *b)
{
	for (size_t i = 0; i < b->count; i++)
		indicator_free(&b->items[i]);
	free(b->items);
	memset(b, 0, sizeof(*b));
}
