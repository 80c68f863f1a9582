/*
 * Recognising a file's type from its first bytes: the executable formats
 * that body-signature target types name, text (for target type 7) and the
 * archive formats opened by lib/scan/archive.c.
 */
#ifndef RQ_MATCH_FILETYPE_H
#define RQ_MATCH_FILETYPE_H

#include <stddef.h>
#include <stdint.h>

typedef enum rq_filetype {
	RQ_FT_DATA = 0,
	RQ_FT_TEXT,
	RQ_FT_PE,
	RQ_FT_ELF,
	RQ_FT_MACHO,
	/* archives and compressed streams */
	RQ_FT_ZIP,
	RQ_FT_7Z,
	RQ_FT_RAR,
	RQ_FT_TAR,
	RQ_FT_GZIP,
	RQ_FT_BZIP2,
	RQ_FT_XZ,
	RQ_FT_CAB,
	RQ_FT_ISO9660,
	RQ_FT_CPIO,
	RQ_FT_AR,
	RQ_FT_LHA,
	RQ_FT_COUNT
} rq_filetype;

/*
 * Type of the data whose first `len` bytes are `head` (give at least
 * RQ_SNIFF_LEN bytes when the file has them; less is fine for small files).
 */
rq_filetype rq_filetype_sniff(const uint8_t *head, size_t len);

/* Lower-case short name: "pe", "elf", "macho", "text", "zip", ..., "data". */
const char *rq_filetype_name(rq_filetype type);

/* Whether lib/scan/archive.c should try to open it. */
int rq_filetype_is_archive(rq_filetype type);

#endif
