/*
 * The digests of one scanned object (MD5, SHA-1, SHA-256), computed only
 * for the kinds some signature needs, in the same pass as the matchers.
 * One set per scanner, reused for every object. Also the MD5 and SHA-256
 * of a whole file in one call, as reports name a program by them.
 */
#ifndef RQ_SCAN_DIGEST_H
#define RQ_SCAN_DIGEST_H

#include <stddef.h>
#include <stdint.h>

typedef struct rq_digests rq_digests;

int rq_digests_new(rq_digests **out);
void rq_digests_free(rq_digests *d);

/* Start a new object computing the RQ_DIGEST_* kinds in `mask`. */
int rq_digests_begin(rq_digests *d, unsigned mask);
int rq_digests_update(rq_digests *d, const uint8_t *data, size_t len);
/* Finish; afterwards rq_digests_get gives each computed value. */
int rq_digests_end(rq_digests *d);
/* The finished digest of one kind, or NULL if it was not computed. */
const uint8_t *rq_digests_get(const rq_digests *d, unsigned kind);

/*
 * MD5 and SHA-256 of the regular file at `path` (links followed, so
 * /proc/PID/exe gives a process's executable, deleted or not) as lower-case
 * hex into the caller's buffers. 0, or RQ_EIO / RQ_ENOMEM / RQ_ERROR with
 * both buffers set to "".
 */
int rq_digests_file_hex(const char *path, char md5[33], char sha256[65]);

#endif
