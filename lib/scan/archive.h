/*
 * Opening archives and compressed streams with libarchive and handing each
 * member's bytes to a callback, under the scan limits: member size, the
 * expansion ratio of decompression bombs, encrypted members. The recursion
 * itself (scanning a member, which may be an archive again) is the
 * scanner's: see scanner.c.
 */
#ifndef RQ_SCAN_ARCHIVE_H
#define RQ_SCAN_ARCHIVE_H

#include <stddef.h>
#include <stdint.h>

#include "raquet/scanner.h"

/* Why a member was not (fully) handed over. */
typedef enum rq_member_problem {
	RQ_MEMBER_OK = 0,
	RQ_MEMBER_TOO_LARGE,  /* bigger than max_filesize (or the scan budget) */
	RQ_MEMBER_RATIO,      /* expands beyond max_ratio: decompression bomb */
	RQ_MEMBER_ENCRYPTED,  /* encrypted: cannot be read */
} rq_member_problem;

typedef struct rq_member {
	const char *name;     /* path inside the archive, as stored */
	const uint8_t *data;  /* the member's bytes (valid during the callback) */
	size_t len;
	rq_member_problem problem; /* when not OK, data holds what was read before */
} rq_member;

/* Return 0 to go on, nonzero to stop iterating (returned by rq_archive_each). */
typedef int (*rq_member_cb)(const rq_member *member, void *payload);

/* Reusable buffers of one scanner for one nesting level. */
typedef struct rq_archive_buf {
	uint8_t *data;
	size_t cap;
} rq_archive_buf;

void rq_archive_buf_free(rq_archive_buf *buf);

/*
 * Iterate the members of the archive in `data` (len bytes) or, when data is
 * NULL, of the seekable file `fd`. `budget` is how many bytes of members may
 * still be read in all (max_scansize left); `limits` gives max_filesize and
 * max_ratio. Directories, links and other non-regular entries are skipped.
 * `display_name` names the archive for single-stream formats (gzip of a
 * non-tar file), whose one member is named after it without the .gz/.bz2/.xz.
 * `compressed_stream` says the data is gzip/bzip2/xz: only a tar or cpio
 * inside is opened directly, anything else is handed over decompressed.
 * Returns 0 at the end of the archive (a damaged archive simply ends early),
 * or the callback's nonzero value, or RQ_ENOMEM.
 */
int rq_archive_each(rq_archive_buf *buf, int fd, const uint8_t *data, size_t len,
		    const char *display_name, int compressed_stream, const rq_scan_limits *limits, uint64_t budget,
		    rq_member_cb cb, void *payload);

#endif
