/*
 * Archive members through libarchive, under the scan limits (see
 * archive.h). Every format libarchive reads is enabled, plus "raw" for
 * single compressed streams; the scanner only calls this for data whose
 * type lib/match/filetype.c recognised as an archive.
 */
#include "scan/archive.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/error.h"
#include "core/limits.h"
#include "core/util.h"

/* Client side of libarchive over a seekable file descriptor, with pread so
 * the descriptor's own offset is left alone. */
typedef struct fd_source {
	int fd;
	int64_t pos;
	int64_t size;
	uint8_t block[64 * 1024];
} fd_source;

static la_ssize_t fd_read(struct archive *a, void *client, const void **out)
{
	fd_source *src = client;
	for (;;) {
		ssize_t n = pread(src->fd, src->block, sizeof(src->block), src->pos);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			archive_set_error(a, errno, "read failed");
			return -1;
		}
		src->pos += n;
		*out = src->block;
		return n;
	}
}

static la_int64_t fd_seek(struct archive *a, void *client, la_int64_t offset, int whence)
{
	fd_source *src = client;
	int64_t base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? src->pos : src->size;
	if (offset > INT64_MAX - base || base + offset < 0) {
		archive_set_error(a, EINVAL, "bad seek");
		return ARCHIVE_FATAL;
	}
	src->pos = base + offset;
	return src->pos;
}

static la_int64_t fd_skip(struct archive *a, void *client, la_int64_t request)
{
	fd_source *src = client;
	if (request < 0 || request > src->size - src->pos)
		request = src->size > src->pos ? src->size - src->pos : 0;
	src->pos += request;
	return request;
}

void rq_archive_buf_free(rq_archive_buf *buf)
{
	free(buf->data);
	buf->data = NULL;
	buf->cap = 0;
}

/* Name of the single member of a compressed stream: "x.gz" -> "x". */
static void stream_member_name(char *out, size_t cap, const char *display_name)
{
	const char *base = display_name ? rq_basename(display_name) : "";
	static const char *const exts[] = { ".gz", ".tgz", ".bz2", ".xz", ".lzma", ".z", ".Z", NULL };
	size_t n = strlen(base);
	for (int i = 0; exts[i]; i++) {
		size_t e = strlen(exts[i]);
		if (n > e && !strcmp(base + n - e, exts[i])) {
			n -= e;
			break;
		}
	}
	if (n == 0) {
		snprintf(out, cap, "data");
		return;
	}
	snprintf(out, cap, "%.*s", (int)n, base);
}

/*
 * Read the current member into buf, stopping at `max_len` bytes (problem
 * TOO_LARGE) or when the expansion ratio shows a bomb (problem RATIO).
 * The ratio compares everything decompressed from this archive so far
 * (*total_out) with the bytes libarchive has read of the archive itself.
 */
static int read_member(struct archive *a, rq_archive_buf *buf, uint64_t max_len,
		       const rq_scan_limits *limits, uint64_t *total_out, rq_member *m)
{
	size_t len = 0;
	for (;;) {
		size_t want = RQ_READ_CHUNK;
		if (len + want > buf->cap) {
			uint64_t need = (uint64_t)len + want;
			if (need > SIZE_MAX)
				return rq_fail(RQ_ENOMEM, "member too large for memory");
			int rc = rq_grow((void **)&buf->data, &buf->cap, (size_t)need, 1);
			if (rc)
				return rc;
		}
		la_ssize_t n = archive_read_data(a, buf->data + len, want);
		if (n == 0)
			break;
		if (n < 0) {
			/* libarchive has no code of its own for encrypted data; its message says it */
			const char *err = archive_error_string(a);
			if (err && (strstr(err, "ncrypt") || strstr(err, "assword")))
				m->problem = RQ_MEMBER_ENCRYPTED;
			break; /* damaged data: scan what we have */
		}
		len += (size_t)n;
		*total_out += (uint64_t)n;
		if (len > max_len) {
			len = (size_t)max_len;
			m->problem = RQ_MEMBER_TOO_LARGE;
			break;
		}
		if (limits->max_ratio && *total_out > RQ_RATIO_MIN_SIZE) {
			int64_t in = archive_filter_bytes(a, -1);
			if (in > 0 && *total_out / (uint64_t)in > limits->max_ratio) {
				m->problem = RQ_MEMBER_RATIO;
				break;
			}
		}
	}
	m->data = buf->data;
	m->len = len;
	return 0;
}

int rq_archive_each(rq_archive_buf *buf, int fd, const uint8_t *data, size_t len,
		    const char *display_name, int compressed_stream, const rq_scan_limits *limits, uint64_t budget,
		    rq_member_cb cb, void *payload)
{
	int rc = 0;
	fd_source *src = NULL;
	struct archive *a = archive_read_new();
	if (!a)
		return rq_fail(RQ_ENOMEM, "out of memory");
	archive_read_support_filter_all(a);
	if (compressed_stream) {
		/* gzip/bzip2/xz: a tar (or cpio) inside is read as one archive; anything
		 * else comes out as one raw member and is recognised afresh by the
		 * scanner -- a 7z or zip inside cannot be read through a stream */
		archive_read_support_format_tar(a);
		archive_read_support_format_cpio(a);
	} else {
		archive_read_support_format_all(a);
	}
	archive_read_support_format_raw(a);
	int r;
	if (data) {
		r = archive_read_open_memory(a, data, len);
	} else {
		src = malloc(sizeof(*src));
		if (!src) {
			rc = rq_fail(RQ_ENOMEM, "out of memory");
			goto done;
		}
		src->fd = fd;
		src->pos = 0;
		off_t end = lseek(fd, 0, SEEK_END);
		src->size = end < 0 ? 0 : end;
		archive_read_set_read_callback(a, fd_read);
		archive_read_set_seek_callback(a, fd_seek);
		archive_read_set_skip_callback(a, fd_skip);
		archive_read_set_callback_data(a, src);
		r = archive_read_open1(a);
	}
	if (r != ARCHIVE_OK)
		goto done; /* not an archive libarchive can read: nothing inside */

	uint64_t total_out = 0;
	struct archive_entry *entry;
	for (;;) {
		r = archive_read_next_header(a, &entry);
		if (r == ARCHIVE_EOF || r == ARCHIVE_FATAL)
			break;
		if (r == ARCHIVE_RETRY)
			continue;
		/* ARCHIVE_WARN and ARCHIVE_FAILED still give a usable header. Some formats
		 * (ar) leave the type unset: anything not a folder, link or device is data. */
		switch (archive_entry_filetype(entry)) {
		case AE_IFDIR: case AE_IFLNK: case AE_IFCHR: case AE_IFBLK: case AE_IFIFO: case AE_IFSOCK:
			continue;
		default:
			break;
		}
		char stream_name[256];
		const char *name = archive_entry_pathname(entry);
		if (archive_format(a) == ARCHIVE_FORMAT_RAW) {
			stream_member_name(stream_name, sizeof(stream_name), display_name);
			name = stream_name;
		}
		rq_member m = { .name = name ? name : "?", .data = NULL, .len = 0,
				.problem = RQ_MEMBER_OK };
		uint64_t max_len = budget;
		if (limits->max_filesize && limits->max_filesize < max_len)
			max_len = limits->max_filesize;
		if (archive_entry_is_data_encrypted(entry)) {
			m.problem = RQ_MEMBER_ENCRYPTED;
		} else if (archive_entry_size_is_set(entry) &&
			   (uint64_t)archive_entry_size(entry) > max_len) {
			m.problem = RQ_MEMBER_TOO_LARGE;
		} else if ((rc = read_member(a, buf, max_len, limits, &total_out, &m))) {
			goto done;
		}
		if (m.len > budget)
			m.len = (size_t)budget;
		budget -= m.len;
		if ((rc = cb(&m, payload)))
			goto done;
		if (m.problem == RQ_MEMBER_RATIO)
			break; /* the rest of a bomb is not worth reading */
	}
done:
	archive_read_free(a);
	free(src);
	return rc;
}
