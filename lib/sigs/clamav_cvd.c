/*
 * ClamAV database containers (.cvd, .cld): a 512-byte text header followed
 * by a tar archive (gzip-compressed in a .cvd, usually plain in a .cld) of
 * ordinary signature files. The header is checked, the .cvd body checked
 * against the header's MD5, then each member this engine reads is handed to
 * its own loader and every other member is counted as unsupported.
 * Format and trust model: docs/signatures-cvd.md.
 */
#include <archive.h>
#include <archive_entry.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/limits.h"
#include "sigs/loader.h"
#include "sigs/sigset.h"
#include "sigs/sigtext.h"

#define CVD_HEADER_LEN 512
#define CVD_MAGIC "ClamAV-VDB"
/* Fields of the header: magic, build time, version, signatures, functionality
 * level, MD5, digital signature, builder, build time in seconds (the last
 * one missing in very old containers). */
#define CVD_FIELDS_MIN 8
#define CVD_FIELDS_MAX 9

enum { F_MAGIC, F_TIME, F_VERSION, F_SIGS, F_FLEVEL, F_MD5, F_DSIG, F_BUILDER, F_STIME };

typedef struct cvd_header {
	uint64_t version, sigs, flevel;
	uint8_t md5[32]; /* first 16 bytes used */
} cvd_header;

/* Members handed to the engine's own loaders; everything else is unsupported. */
static int loadable_ext(const char *ext)
{
	static const char *const exts[] = { "hdb", "hsb", "fp", "sfp", "ign", "ign2", "ndb", NULL };
	for (int i = 0; exts[i]; i++)
		if (!strcmp(ext, exts[i]))
			return 1;
	return 0;
}

static int parse_header(cvd_header *out, const char *name, const uint8_t *data, size_t len)
{
	char q[RQ_SIGTEXT_QUOTE_SIZE];
	if (len < CVD_HEADER_LEN)
		return rq_fail(RQ_EPARSE, "%s: truncated: %zu bytes, shorter than the %d-byte header",
			       name, len, CVD_HEADER_LEN);
	const char *text = (const char *)data;
	size_t text_len = CVD_HEADER_LEN;
	/* the header text is padded to 512 bytes with spaces (NULs accepted too) */
	while (text_len && (text[text_len - 1] == ' ' || text[text_len - 1] == '\0'))
		text_len--;
	if (text_len < sizeof(CVD_MAGIC) || memcmp(text, CVD_MAGIC ":", sizeof(CVD_MAGIC)))
		return rq_fail(RQ_EPARSE, "%s: not a ClamAV database: header does not start with '%s'",
			       name, CVD_MAGIC ":");
	for (size_t i = 0; i < text_len; i++)
		if ((unsigned char)text[i] < 0x20 || (unsigned char)text[i] > 0x7e)
			return rq_fail(RQ_EPARSE, "%s: header byte %zu is not printable ASCII (0x%02x)",
				       name, i, (unsigned char)text[i]);

	rq_sigtext_field f[CVD_FIELDS_MAX];
	size_t n = rq_sigtext_split(f, CVD_FIELDS_MAX, ':', text, text_len);
	if (n < CVD_FIELDS_MIN || n > CVD_FIELDS_MAX)
		return rq_fail(RQ_EPARSE, "%s: header has %s%zu ':'-separated fields, want %d or %d",
			       name, n > CVD_FIELDS_MAX ? "more than " : "",
			       n > CVD_FIELDS_MAX ? (size_t)CVD_FIELDS_MAX : n, CVD_FIELDS_MIN,
			       CVD_FIELDS_MAX);
	if (!f[F_TIME].len)
		return rq_fail(RQ_EPARSE, "%s: header: empty build time", name);
	static const struct { int field; const char *what; } numbers[] = {
		{ F_VERSION, "version" }, { F_SIGS, "signature count" },
		{ F_FLEVEL, "functionality level" }, { F_STIME, "build time in seconds" },
	};
	uint64_t values[4];
	for (size_t i = 0; i < 4; i++) {
		rq_sigtext_field *v = &f[numbers[i].field];
		if ((size_t)numbers[i].field >= n)
			break; /* optional build time in seconds */
		if (rq_sigtext_u64(&values[i], v->s, v->len) < 0)
			return rq_fail(RQ_EPARSE, "%s: header: bad %s '%s'", name, numbers[i].what,
				       rq_sigtext_quote(q, v->s, v->len));
	}
	if (rq_sigtext_digest(out->md5, f[F_MD5].s, f[F_MD5].len) != RQ_DIGEST_MD5)
		return rq_fail(RQ_EPARSE, "%s: header: bad MD5 '%s' (want 32 hex digits)", name,
			       rq_sigtext_quote(q, f[F_MD5].s, f[F_MD5].len));
	out->version = values[0];
	out->sigs = values[1];
	out->flevel = values[2];
	return 0;
}

static int check_md5(const char *name, const cvd_header *h, const uint8_t *body, size_t len)
{
	uint8_t md[EVP_MAX_MD_SIZE];
	unsigned md_len = 0;
	if (!EVP_Digest(body, len, md, &md_len, EVP_md5(), NULL) || md_len != 16)
		return rq_fail(RQ_ERROR, "%s: cannot compute MD5 (OpenSSL)", name);
	if (memcmp(md, h->md5, 16))
		return rq_fail(RQ_EPARSE, "%s: corrupted: the MD5 of the archive after the header "
			       "does not match the header's", name);
	return 0;
}

static int count_line(void *ctx, unsigned lineno, const char *line, size_t len)
{
	(void)lineno;
	(void)line;
	(void)len;
	(*(uint64_t *)ctx)++;
	return 0;
}

/*
 * One unsupported member: one warning naming it, and its signature lines
 * (not blank, not '#' comments) added to the unsupported count -- the
 * warning itself counts one of them.
 */
static int skip_member(rq_sigset *set, const char *name, const char *member,
		       const uint8_t *data, size_t len)
{
	uint64_t lines = 0;
	rq_sigtext_each_line(data, len, count_line, &lines);
	if (!lines)
		return 0; /* nothing lost */
	int rc = rq_sigset_warn(set, name, 0, 1, "unsupported member %s (%llu lines)", member,
				(unsigned long long)lines);
	set->stats.unsupported += lines - 1;
	return rc;
}

/*
 * Read the current member (its size from the tar header, at most
 * RQ_MAX_CVD_MEMBER) whole into *buf, grown as needed; a member shorter or
 * longer than announced, or any read error, refuses the container.
 */
static int read_member(struct archive *a, struct archive_entry *entry, const char *name,
		       const char *member, uint8_t **buf, size_t *cap, size_t *out_len)
{
	if (!archive_entry_size_is_set(entry) || archive_entry_size(entry) < 0)
		return rq_fail(RQ_EPARSE, "%s: member %s has no size", name, member);
	uint64_t size = (uint64_t)archive_entry_size(entry);
	if (size > RQ_MAX_CVD_MEMBER)
		return rq_fail(RQ_ELIMIT, "%s: member %s is %llu bytes, more than the %llu-byte limit",
			       name, member, (unsigned long long)size,
			       (unsigned long long)RQ_MAX_CVD_MEMBER);
	/* one spare byte, so a member longer than announced shows as such */
	size_t want = (size_t)size + 1;
	size_t len = 0;
	for (;;) {
		if (len == *cap) {
			/* grown with the data, not from the announced size, which costs nothing to lie about */
			size_t ncap = *cap < RQ_READ_CHUNK ? RQ_READ_CHUNK : *cap * 2;
			if (ncap > want)
				ncap = want;
			uint8_t *p = realloc(*buf, ncap);
			if (!p)
				return rq_fail(RQ_ENOMEM, "out of memory");
			*buf = p;
			*cap = ncap;
		}
		size_t room = (want < *cap ? want : *cap) - len;
		la_ssize_t got = archive_read_data(a, *buf + len, room);
		if (got < 0)
			return rq_fail(RQ_EPARSE, "%s: member %s: %s", name, member,
				       archive_error_string(a) ? archive_error_string(a) : "read error");
		if (got == 0)
			break;
		len += (size_t)got;
		if (len > size)
			return rq_fail(RQ_EPARSE, "%s: member %s is longer than its tar header says",
				       name, member);
	}
	if (len != size)
		return rq_fail(RQ_EPARSE, "%s: member %s is truncated (%zu of %llu bytes)", name,
			       member, len, (unsigned long long)size);
	*out_len = len;
	return 0;
}

/* "<container name>/<member name>", the name members are loaded under. */
static char *member_path(const char *name, const char *member)
{
	size_t n = strlen(name) + 1 + strlen(member) + 1;
	char *path = malloc(n);
	if (path)
		snprintf(path, n, "%s/%s", name, member);
	return path;
}

static struct archive *open_tar(const char *name, const uint8_t *tar, size_t len, int *rc)
{
	struct archive *a = archive_read_new();
	if (!a) {
		*rc = rq_fail(RQ_ENOMEM, "out of memory");
		return NULL;
	}
	/* ClamAV only ever writes gzip or nothing: no other decompressor is exposed */
	archive_read_support_filter_gzip(a);
	archive_read_support_format_tar(a);
	if (archive_read_open_memory(a, tar, len) != ARCHIVE_OK) {
		*rc = rq_fail(RQ_EPARSE, "%s: the body after the header is not a tar archive: %s",
			      name, archive_error_string(a) ? archive_error_string(a) : "unreadable");
		archive_read_free(a);
		return NULL;
	}
	*rc = 0;
	return a;
}

/* The next regular member, or NULL at the end (*rc 0) or on damage (*rc set). */
static struct archive_entry *next_member(struct archive *a, const char *name, int *rc)
{
	struct archive_entry *entry;
	*rc = 0;
	for (;;) {
		int r = archive_read_next_header(a, &entry);
		if (r == ARCHIVE_EOF)
			return NULL;
		if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
			*rc = rq_fail(RQ_EPARSE, "%s: damaged tar archive: %s", name,
				      archive_error_string(a) ? archive_error_string(a) : "bad header");
			return NULL;
		}
		if (archive_entry_filetype(entry) != AE_IFREG)
			continue; /* folders, links: no signatures */
		const char *member = archive_entry_pathname(entry);
		if (!member || !*member) {
			*rc = rq_fail(RQ_EPARSE, "%s: tar member without a name", name);
			return NULL;
		}
		return entry;
	}
}

/*
 * First pass: read the archive to its end without keeping anything, checking
 * its structure and the size limits, so a damaged or oversized container
 * fails before a single signature of it is in the set.
 */
static int check_members(const char *name, const uint8_t *tar, size_t len)
{
	int rc;
	uint64_t total = 0;
	struct archive *a = open_tar(name, tar, len, &rc);
	if (!a)
		return rc;
	struct archive_entry *entry;
	while ((entry = next_member(a, name, &rc))) {
		const char *member = archive_entry_pathname(entry);
		if (!archive_entry_size_is_set(entry) || archive_entry_size(entry) < 0) {
			rc = rq_fail(RQ_EPARSE, "%s: member %s has no size", name, member);
			break;
		}
		uint64_t size = (uint64_t)archive_entry_size(entry);
		if (size > RQ_MAX_CVD_MEMBER) {
			rc = rq_fail(RQ_ELIMIT, "%s: member %s is %llu bytes, more than the %llu-byte limit",
				     name, member, (unsigned long long)size,
				     (unsigned long long)RQ_MAX_CVD_MEMBER);
			break;
		}
		total += size;
		if (total > RQ_MAX_CVD_TOTAL) {
			rc = rq_fail(RQ_ELIMIT, "%s: members total more than %llu bytes", name,
				     (unsigned long long)RQ_MAX_CVD_TOTAL);
			break;
		}
		if (archive_read_data_skip(a) != ARCHIVE_OK) {
			rc = rq_fail(RQ_EPARSE, "%s: member %s: %s", name, member,
				     archive_error_string(a) ? archive_error_string(a) : "truncated");
			break;
		}
	}
	archive_read_free(a);
	return rc;
}

/* Second pass: each member to its loader, or counted as unsupported. */
static int load_members(rq_sigset *set, const char *name, const uint8_t *tar, size_t len)
{
	int rc;
	uint8_t *buf = NULL;
	size_t cap = 0;
	struct archive *a = open_tar(name, tar, len, &rc);
	if (!a)
		return rc;
	struct archive_entry *entry;
	while ((entry = next_member(a, name, &rc))) {
		const char *member = archive_entry_pathname(entry);
		size_t member_len = 0;
		if ((rc = read_member(a, entry, name, member, &buf, &cap, &member_len)))
			break;
		char *path = member_path(name, member);
		if (!path) {
			rc = rq_fail(RQ_ENOMEM, "out of memory");
			break;
		}
		const char *ext = rq_extension(member);
		if (loadable_ext(ext))
			rc = rq_sigset_load_buffer(set, ext, path, buf, member_len);
		else
			rc = skip_member(set, name, member, buf, member_len);
		free(path);
		if (rc)
			break;
	}
	free(buf);
	archive_read_free(a);
	return rc;
}

int rq_load_clamav_cvd(rq_sigset *set, const char *name, const char *ext,
		       const uint8_t *data, size_t len)
{
	int is_cvd = !strcmp(ext, "cvd");
	if (!is_cvd && strcmp(ext, "cld"))
		return rq_fail(RQ_EINVAL, "%s: '.%s' is not a ClamAV container", name, ext);
	cvd_header h;
	int rc = parse_header(&h, name, data, len);
	if (rc)
		return rc;
	const uint8_t *body = data + CVD_HEADER_LEN;
	size_t body_len = len - CVD_HEADER_LEN;
	if (!body_len)
		return rq_fail(RQ_EPARSE, "%s: truncated: nothing after the header", name);
	/* a .cld keeps the header of the .cvd it was made from: its MD5 is not of this body */
	if (is_cvd && (rc = check_md5(name, &h, body, body_len)))
		return rc;
	if ((rc = check_members(name, body, body_len)))
		return rc;
	return load_members(set, name, body, body_len);
}
