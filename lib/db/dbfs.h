/*
 * File helpers shared by the mirror publisher and the updater (dbfs.c):
 * read-only mappings of whole files, files written beside their final name
 * and fsync'd, folder fsync and SHA-256 in hex.
 */
#ifndef RQ_DB_DBFS_H
#define RQ_DB_DBFS_H

#include <stddef.h>
#include <stdint.h>

/* A whole file mapped read-only (an empty file has data == NULL, len 0). */
typedef struct rq_mapped {
	const uint8_t *data;
	size_t len;
} rq_mapped;

/*
 * Map `name` relative to `dirfd` (AT_FDCWD for a path), a regular file of at
 * most `max_len` bytes (RQ_ELIMIT beyond). RQ_ENOTFOUND if it does not exist.
 * Unmap with rq_unmap.
 */
int rq_map_at(rq_mapped *out, int dirfd, const char *name, uint64_t max_len);
void rq_unmap(rq_mapped *m);

/*
 * Create (or truncate; with `exclusive`, only create: an existing file is an
 * error) `name` in `dirfd` with `mode`, write data[0..len) and fsync it. On
 * failure a file it created is removed. `where` names the folder in
 * messages (NULL: `name` alone).
 */
int rq_write_synced(int dirfd, const char *where, const char *name, const void *data, size_t len,
		    unsigned mode, int exclusive);

/* Write all of data[0..len) to fd, retrying short writes and EINTR; 0, or -1 with errno. */
int rq_write_all(int fd, const void *data, size_t len);

/* fsync a folder, so renames and unlinks in it are durable. */
int rq_fsync_dir(int dirfd, const char *where);

/* Lower-case hex SHA-256 of data[0..len) into out (65 bytes with the NUL). */
void rq_sha256_hex(const uint8_t *data, size_t len, char out[65]);

/* Take an exclusive flock on `name` in `dirfd` (created 0600), waiting; *out_fd to close. */
int rq_lock_at(int *out_fd, int dirfd, const char *where, const char *name);

/*
 * Raise `code` with "CONTEXT: <the current last-error message>" (the
 * same as rq_fail(code, "%s: %s", context, rq_error_last())).
 */
int rq_fail_context(int code, const char *context);

#endif
