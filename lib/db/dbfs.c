/*
 * File helpers of lib/db (see dbfs.h): read-only mappings, durable writes
 * beside the final name, folder fsync, locks and SHA-256 digests, used by
 * the mirror publisher (mirror.c) and the updater (update.c).
 */
#include "db/dbfs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/sha.h>

#include "core/error.h"
#include "core/util.h"

int rq_map_at(rq_mapped *out, int dirfd, const char *name, uint64_t max_len)
{
	int rc = 0;
	struct stat st;
	out->data = NULL;
	out->len = 0;
	int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return rq_fail_errno(errno == ENOENT ? RQ_ENOTFOUND : RQ_EIO, errno, "%s", name);
	if (fstat(fd, &st) != 0) {
		rc = rq_fail_errno(RQ_EIO, errno, "%s: stat failed", name);
		goto done;
	}
	if (!S_ISREG(st.st_mode)) {
		rc = rq_fail(RQ_EIO, "%s: not a regular file", name);
		goto done;
	}
	if ((uint64_t)st.st_size > max_len) {
		rc = rq_fail(RQ_ELIMIT, "%s: %lld bytes, more than the %llu allowed", name,
			     (long long)st.st_size, (unsigned long long)max_len);
		goto done;
	}
	if (st.st_size == 0)
		goto done;
	void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (p == MAP_FAILED) {
		rc = rq_fail_errno(RQ_EIO, errno, "%s: mmap failed", name);
		goto done;
	}
	out->data = p;
	out->len = (size_t)st.st_size;
done:
	close(fd);
	return rc;
}

void rq_unmap(rq_mapped *m)
{
	if (m->data)
		munmap((void *)m->data, m->len);
	m->data = NULL;
	m->len = 0;
}

int rq_write_synced(int dirfd, const char *where, const char *name, const void *data, size_t len,
		    unsigned mode, int exclusive)
{
	int rc = 0;
	const char *sep = where ? "/" : "";
	where = where ? where : "";
	int flags = O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW | (exclusive ? O_EXCL : O_TRUNC);
	int fd = openat(dirfd, name, flags, (mode_t)mode);
	if (fd < 0)
		return rq_fail_errno(errno == EEXIST ? RQ_EINVAL : RQ_EIO, errno, "%s%s%s", where, sep, name);
	if (rq_write_all(fd, data, len) != 0)
		rc = rq_fail_errno(RQ_EIO, errno, "%s%s%s: write failed", where, sep, name);
	else if (fsync(fd) != 0)
		rc = rq_fail_errno(RQ_EIO, errno, "%s%s%s: fsync failed", where, sep, name);
	if (close(fd) != 0 && rc == 0)
		rc = rq_fail_errno(RQ_EIO, errno, "%s%s%s: close failed", where, sep, name);
	if (rc != 0)
		unlinkat(dirfd, name, 0);
	return rc;
}

int rq_write_all(int fd, const void *data, size_t len)
{
	const uint8_t *p = data;
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int rq_fsync_dir(int dirfd, const char *where)
{
	if (fsync(dirfd) != 0)
		return rq_fail_errno(RQ_EIO, errno, "%s: fsync failed", where);
	return 0;
}

void rq_sha256_hex(const uint8_t *data, size_t len, char out[65])
{
	uint8_t digest[SHA256_DIGEST_LENGTH];
	SHA256(data, len, digest);
	rq_hex_encode(out, digest, sizeof digest);
}

int rq_lock_at(int *out_fd, int dirfd, const char *where, const char *name)
{
	*out_fd = -1;
	int fd = openat(dirfd, name, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return rq_fail_errno(RQ_EIO, errno, "%s/%s", where, name);
	while (flock(fd, LOCK_EX) != 0) {
		if (errno != EINTR) {
			int e = errno;
			close(fd);
			return rq_fail_errno(RQ_EIO, e, "%s/%s: lock failed", where, name);
		}
	}
	*out_fd = fd;
	return 0;
}

int rq_fail_context(int code, const char *context)
{
	return rq_fail(code, "%s: %s", context, rq_error_last()); /* rq_fail formats aside */
}
