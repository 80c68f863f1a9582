/*
 * Evidence files (evidence.h): the accepted types recognised by their
 * bytes -- PDF, PNG and JPEG by their signatures, DOCX, XLSX and ODT by
 * the ZIP's central directory (the part names an Office document must
 * have, or ODT's leading "mimetype" member) -- and the cleaning of file
 * names. Every read of the data is bounds-checked: the bytes come from
 * anyone with an officer's session.
 */
#include "campaign/evidence.h"

#include <stdint.h>
#include <string.h>

static const char *const media[RQ_EVIDENCE_TYPE_COUNT] = {
	"application/pdf",
	"image/png",
	"image/jpeg",
	"application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	"application/vnd.oasis.opendocument.text",
};
static const char *const exts[RQ_EVIDENCE_TYPE_COUNT] = {".pdf", ".png", ".jpg", ".docx", ".xlsx", ".odt"};

const char *rq_evidence_media_type(rq_evidence_type t)
{
	return (unsigned)t < RQ_EVIDENCE_TYPE_COUNT ? media[t] : "application/octet-stream";
}

const char *rq_evidence_extension(rq_evidence_type t)
{
	return (unsigned)t < RQ_EVIDENCE_TYPE_COUNT ? exts[t] : "";
}

static uint32_t le16(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static uint32_t le32(const unsigned char *p)
{
	return le16(p) | le16(p + 2) << 16;
}

static int name_is(const unsigned char *name, size_t n, const char *want)
{
	return n == strlen(want) && !memcmp(name, want, n);
}

/* A ZIP: DOCX, XLSX, ODT or -1, from its central directory. */
static int sniff_zip(const unsigned char *d, size_t len)
{
	static const char odt_mime[] = "mimetypeapplication/vnd.oasis.opendocument.text";
	int has_types = 0, has_word = 0, has_xl = 0;
	size_t eocd = 0, found = 0;
	/* ODT: the first member is "mimetype", stored, holding the media type */
	if (len >= 30 + sizeof(odt_mime) - 1 && le16(d + 8) == 0 && le16(d + 26) == 8 && le16(d + 28) == 0 &&
	    !memcmp(d + 30, odt_mime, sizeof(odt_mime) - 1))
		return RQ_EVIDENCE_ODT;
	/* the end of central directory record: 22 bytes + a comment of up to 65535 */
	if (len < 22)
		return -1;
	for (size_t i = len - 22;; i--) {
		if (!memcmp(d + i, "PK\5\6", 4)) {
			eocd = i;
			found = 1;
			break;
		}
		if (i == 0 || len - i > 22 + 65535)
			break;
	}
	if (!found)
		return -1;
	size_t entries = le16(d + eocd + 10), cd_size = le32(d + eocd + 12), cd_off = le32(d + eocd + 16);
	if (cd_off > eocd || cd_size > eocd - cd_off)
		return -1;
	size_t p = cd_off, end = cd_off + cd_size;
	for (size_t k = 0; k < entries && k < RQ_EVIDENCE_ZIP_ENTRIES; k++) {
		if (end - p < 46 || memcmp(d + p, "PK\1\2", 4))
			return -1;
		size_t n = le16(d + p + 28), extra = le16(d + p + 30), comment = le16(d + p + 32);
		if (end - p - 46 < n + extra + comment)
			return -1;
		const unsigned char *name = d + p + 46;
		has_types |= name_is(name, n, "[Content_Types].xml");
		has_word |= name_is(name, n, "word/document.xml");
		has_xl |= name_is(name, n, "xl/workbook.xml");
		p += 46 + n + extra + comment;
	}
	if (has_types && has_word && !has_xl)
		return RQ_EVIDENCE_DOCX;
	if (has_types && has_xl && !has_word)
		return RQ_EVIDENCE_XLSX;
	return -1;
}

int rq_evidence_sniff(const unsigned char *data, size_t len)
{
	if (!data)
		return -1;
	if (len >= 8 && !memcmp(data, "%PDF-", 5))
		return RQ_EVIDENCE_PDF;
	if (len >= 16 && !memcmp(data, "\x89PNG\r\n\x1a\n", 8))
		return RQ_EVIDENCE_PNG;
	if (len >= 16 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF)
		return RQ_EVIDENCE_JPEG;
	if (len >= 30 && !memcmp(data, "PK\3\4", 4))
		return sniff_zip(data, len);
	return -1;
}

/* Length of the valid UTF-8 sequence at s (1-4) with its code point, or 0. */
static size_t utf8_char(const unsigned char *s, uint32_t *cp)
{
	size_t n;
	uint32_t c = s[0], min;
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if ((c & 0xE0) == 0xC0)
		n = 2, c &= 0x1F, min = 0x80;
	else if ((c & 0xF0) == 0xE0)
		n = 3, c &= 0x0F, min = 0x800;
	else if ((c & 0xF8) == 0xF0)
		n = 4, c &= 0x07, min = 0x10000;
	else
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3F);
	}
	if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	*cp = c;
	return n;
}

/* Characters dropped from names: controls, direction and invisible marks. */
static int dropped(uint32_t c)
{
	return c < 0x20 || (c >= 0x7F && c <= 0x9F) || c == 0x061C || (c >= 0x200B && c <= 0x200F) ||
	       (c >= 0x202A && c <= 0x202E) || (c >= 0x2060 && c <= 0x2069) || c == 0xFEFF;
}

static int ends_with_ci(const char *s, size_t n, const char *suffix)
{
	size_t k = strlen(suffix);
	if (n < k)
		return 0;
	for (size_t i = 0; i < k; i++) {
		char a = s[n - k + i], b = suffix[i];
		if (a >= 'A' && a <= 'Z')
			a = (char)(a - 'A' + 'a');
		if (a != b)
			return 0;
	}
	return 1;
}

void rq_evidence_clean_name(const char *name, rq_evidence_type t, char *out)
{
	const char *ext = rq_evidence_extension(t);
	size_t ext_len = strlen(ext), n = 0;
	const unsigned char *p = (const unsigned char *)(name ? name : "");
	/* the last path component */
	for (const unsigned char *q = p; *q; q++)
		if (*q == '/' || *q == '\\')
			p = q + 1;
	while (*p) {
		uint32_t cp;
		size_t k = utf8_char(p, &cp);
		if (k == 0) {
			p++;
			continue;
		}
		if (!dropped(cp) && !(n == 0 && (cp == '.' || cp == ' '))) {
			if (n + k > RQ_EVIDENCE_NAME_MAX - ext_len)
				break;
			if (cp < 0x80 && strchr("<>:\"|?*", (int)cp))
				out[n++] = '_';
			else {
				memcpy(out + n, p, k);
				n += k;
			}
		}
		p += k;
	}
	while (n > 0 && (out[n - 1] == '.' || out[n - 1] == ' '))
		n--;
	if (n == 0) {
		memcpy(out, "evidence", 8);
		n = 8;
	}
	if (!ends_with_ci(out, n, ext) && !(t == RQ_EVIDENCE_JPEG && ends_with_ci(out, n, ".jpeg"))) {
		memcpy(out + n, ext, ext_len);
		n += ext_len;
	}
	out[n] = '\0';
}
