/*
 * File-type sniffing from a file's first bytes (see filetype.h): magic
 * numbers of executables and archives, checked in that order, then a text
 * test (no NUL, at least 95% printable ASCII or valid UTF-8), else data.
 * Where a magic is weak the check is conservative and answers "data".
 */
#include "match/filetype.h"

#include <string.h>

/* Offset of the ISO 9660 primary volume descriptor's "CD001" (sector 16, byte 1). */
#define ISO9660_MAGIC_OFFSET 32769
/* POSIX/GNU tar: "ustar" in the 512-byte header. */
#define TAR_MAGIC_OFFSET 257
#define TAR_BLOCK 512
#define TAR_CHKSUM_OFFSET 148
#define TAR_CHKSUM_LEN 8
/* A fat Mach-O names at most a handful of architectures; Java class files
 * share the 0xcafebabe magic but have their version (>= 45) there. */
#define MACHO_FAT_MAX_ARCHS 30
/* Text: at most 1 byte in 20 outside printable ASCII, common controls and UTF-8. */
#define TEXT_MAX_BAD_PER_20 1

static const char *const names[RQ_FT_COUNT] = {
	[RQ_FT_DATA] = "data",   [RQ_FT_TEXT] = "text",   [RQ_FT_PE] = "pe",
	[RQ_FT_ELF] = "elf",     [RQ_FT_MACHO] = "macho", [RQ_FT_ZIP] = "zip",
	[RQ_FT_7Z] = "7z",       [RQ_FT_RAR] = "rar",     [RQ_FT_TAR] = "tar",
	[RQ_FT_GZIP] = "gzip",   [RQ_FT_BZIP2] = "bzip2", [RQ_FT_XZ] = "xz",
	[RQ_FT_CAB] = "cab",     [RQ_FT_ISO9660] = "iso9660", [RQ_FT_CPIO] = "cpio",
	[RQ_FT_AR] = "ar",       [RQ_FT_LHA] = "lha",
};

const char *rq_filetype_name(rq_filetype type)
{
	if ((unsigned)type >= RQ_FT_COUNT)
		return "data";
	return names[type];
}

int rq_filetype_is_archive(rq_filetype type)
{
	return type >= RQ_FT_ZIP && type <= RQ_FT_LHA;
}

/* Whether `magic` (n bytes) is at `off` in the head. */
static int has(const uint8_t *head, size_t len, size_t off, const void *magic, size_t n)
{
	return len >= off && len - off >= n && !memcmp(head + off, magic, n);
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

/* "MZ" and e_lfanew pointing at "PE\0\0" inside the head; otherwise not PE. */
static int is_pe(const uint8_t *head, size_t len)
{
	if (len < 0x40 || head[0] != 'M' || head[1] != 'Z')
		return 0;
	uint32_t lfanew = le32(head + 0x3c);
	return has(head, len, lfanew, "PE\0\0", 4);
}

static int is_macho(const uint8_t *head, size_t len)
{
	static const uint8_t thin[][4] = {
		{ 0xfe, 0xed, 0xfa, 0xce }, { 0xfe, 0xed, 0xfa, 0xcf },
		{ 0xce, 0xfa, 0xed, 0xfe }, { 0xcf, 0xfa, 0xed, 0xfe },
	};
	if (len < 8)
		return 0;
	for (size_t i = 0; i < sizeof(thin) / sizeof(thin[0]); i++)
		if (!memcmp(head, thin[i], 4))
			return 1;
	/* Fat (universal) binaries, 32- and 64-bit offsets; nfat_arch is big-endian. */
	if (!memcmp(head, "\xca\xfe\xba\xbe", 4) || !memcmp(head, "\xca\xfe\xba\xbf", 4)) {
		uint32_t archs = be32(head + 4);
		return archs >= 1 && archs <= MACHO_FAT_MAX_ARCHS;
	}
	return 0;
}

static int is_lha(const uint8_t *head, size_t len)
{
	/* "-lh?-" or "-lz?-" at offset 2, the method's variant a digit or letter. */
	if (len < 7 || head[2] != '-' || head[3] != 'l' || (head[4] != 'h' && head[4] != 'z') ||
	    head[6] != '-')
		return 0;
	uint8_t v = head[5];
	return (v >= '0' && v <= '9') || (v >= 'a' && v <= 'z');
}

static int is_cpio(const uint8_t *head, size_t len)
{
	if (has(head, len, 0, "070707", 6) || has(head, len, 0, "070701", 6) ||
	    has(head, len, 0, "070702", 6))
		return 1;
	/* Old binary cpio: the short 070707 (0x71c7) in the writer's byte order. */
	return len >= 26 && ((head[0] == 0xc7 && head[1] == 0x71) ||
			      (head[0] == 0x71 && head[1] == 0xc7));
}

/*
 * Pre-POSIX (v7) tar: no magic, so require a header whose octal checksum
 * field equals the sum of its bytes (the field counted as spaces) and a
 * non-empty name.
 */
static int is_v7_tar(const uint8_t *head, size_t len)
{
	if (len < TAR_BLOCK || head[0] == 0)
		return 0;
	const uint8_t *f = head + TAR_CHKSUM_OFFSET;
	size_t i = 0;
	while (i < TAR_CHKSUM_LEN && f[i] == ' ')
		i++;
	unsigned long stored = 0;
	size_t digits = 0;
	for (; i < TAR_CHKSUM_LEN && f[i] >= '0' && f[i] <= '7'; i++, digits++)
		stored = stored * 8 + (unsigned long)(f[i] - '0');
	for (; i < TAR_CHKSUM_LEN; i++)
		if (f[i] != ' ' && f[i] != 0)
			return 0;
	if (!digits)
		return 0;
	unsigned long sum = 0;
	for (size_t j = 0; j < TAR_BLOCK; j++)
		sum += (j >= TAR_CHKSUM_OFFSET && j < TAR_CHKSUM_OFFSET + TAR_CHKSUM_LEN) ? ' '
											 : head[j];
	return sum == stored;
}

/*
 * Length of the valid UTF-8 multi-byte sequence at p (2-4), 0 if invalid,
 * or -1 if it is cut by the end of the head but valid so far.
 */
static int utf8_seq(const uint8_t *p, size_t avail)
{
	uint8_t c = p[0];
	int n;
	uint8_t lo = 0x80, hi = 0xbf; /* allowed range of the second byte */
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		if (c == 0xe0)
			lo = 0xa0; /* no overlong forms */
		else if (c == 0xed)
			hi = 0x9f; /* no UTF-16 surrogates */
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f; /* nothing past U+10FFFF */
	} else {
		return 0;
	}
	for (int i = 1; i < n; i++) {
		if ((size_t)i >= avail)
			return -1;
		uint8_t lo_i = i == 1 ? lo : 0x80, hi_i = i == 1 ? hi : 0xbf;
		if (p[i] < lo_i || p[i] > hi_i)
			return 0;
	}
	return n;
}

static int is_text(const uint8_t *head, size_t len)
{
	if (!len || memchr(head, 0, len))
		return 0;
	size_t bad = 0;
	for (size_t i = 0; i < len;) {
		uint8_t c = head[i];
		if ((c >= 0x20 && c < 0x7f) || c == '\t' || c == '\n' || c == '\r' || c == '\f') {
			i++;
			continue;
		}
		int n = c >= 0x80 ? utf8_seq(head + i, len - i) : 0;
		if (n < 0)
			break; /* a character cut by the end of the head */
		if (n > 0) {
			i += (size_t)n;
			continue;
		}
		bad++;
		i++;
	}
	return bad * 20 <= len * TEXT_MAX_BAD_PER_20;
}

rq_filetype rq_filetype_sniff(const uint8_t *head, size_t len)
{
	if (!head || !len)
		return RQ_FT_DATA;
	/* Executables first: an installer is a PE even when an archive follows. */
	if (is_pe(head, len))
		return RQ_FT_PE;
	if (has(head, len, 0, "\x7f" "ELF", 4))
		return RQ_FT_ELF;
	if (is_macho(head, len))
		return RQ_FT_MACHO;
	if (has(head, len, 0, "PK\x03\x04", 4) || has(head, len, 0, "PK\x05\x06", 4) ||
	    has(head, len, 0, "PK\x07\x08", 4))
		return RQ_FT_ZIP;
	if (has(head, len, 0, "7z\xbc\xaf\x27\x1c", 6))
		return RQ_FT_7Z;
	if (has(head, len, 0, "Rar!\x1a\x07", 6))
		return RQ_FT_RAR;
	if (has(head, len, 0, "\x1f\x8b\x08", 3)) /* 8: deflate, gzip's only method */
		return RQ_FT_GZIP;
	if (len >= 4 && has(head, len, 0, "BZh", 3) && head[3] >= '1' && head[3] <= '9')
		return RQ_FT_BZIP2;
	if (has(head, len, 0, "\xfd" "7zXZ\0", 6))
		return RQ_FT_XZ;
	if (has(head, len, 0, "MSCF\0\0\0\0", 8))
		return RQ_FT_CAB;
	if (has(head, len, 0, "!<arch>\n", 8))
		return RQ_FT_AR;
	if (has(head, len, TAR_MAGIC_OFFSET, "ustar", 5) || is_v7_tar(head, len))
		return RQ_FT_TAR;
	if (has(head, len, ISO9660_MAGIC_OFFSET, "CD001", 5))
		return RQ_FT_ISO9660;
	if (is_cpio(head, len))
		return RQ_FT_CPIO;
	if (is_lha(head, len))
		return RQ_FT_LHA;
	if (is_text(head, len))
		return RQ_FT_TEXT;
	return RQ_FT_DATA;
}
