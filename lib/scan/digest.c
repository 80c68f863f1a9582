/* Per-object digests through OpenSSL 3's EVP interface (see digest.h). */
#include "scan/digest.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/error.h"
#include "core/util.h"
#include "sigs/sigset.h"

#define KINDS 3

struct rq_digests {
	EVP_MD *md[KINDS];
	EVP_MD_CTX *ctx[KINDS];
	unsigned active;    /* mask being computed */
	unsigned finished;  /* mask with values in out[] */
	uint8_t out[KINDS][EVP_MAX_MD_SIZE];
};

static const char *const algorithm[KINDS] = { "MD5", "SHA1", "SHA256" };

int rq_digests_new(rq_digests **out)
{
	*out = NULL;
	rq_digests *d = calloc(1, sizeof(*d));
	if (!d)
		return rq_fail(RQ_ENOMEM, "out of memory");
	for (int i = 0; i < KINDS; i++) {
		/* fetched once: an implicit fetch per object would cost a lookup per file */
		d->md[i] = EVP_MD_fetch(NULL, algorithm[i], NULL);
		d->ctx[i] = EVP_MD_CTX_new();
		if (!d->md[i] || !d->ctx[i]) {
			rq_digests_free(d);
			return rq_fail(RQ_ERROR, "OpenSSL cannot provide %s", algorithm[i]);
		}
	}
	*out = d;
	return 0;
}

void rq_digests_free(rq_digests *d)
{
	if (!d)
		return;
	for (int i = 0; i < KINDS; i++) {
		EVP_MD_CTX_free(d->ctx[i]);
		EVP_MD_free(d->md[i]);
	}
	free(d);
}

int rq_digests_begin(rq_digests *d, unsigned mask)
{
	d->active = 0;
	d->finished = 0;
	for (int i = 0; i < KINDS; i++) {
		if (!(mask & (1u << i)))
			continue;
		if (!EVP_DigestInit_ex2(d->ctx[i], d->md[i], NULL))
			return rq_fail(RQ_ERROR, "%s init failed", algorithm[i]);
		d->active |= 1u << i;
	}
	return 0;
}

int rq_digests_update(rq_digests *d, const uint8_t *data, size_t len)
{
	for (int i = 0; i < KINDS; i++)
		if ((d->active & (1u << i)) && !EVP_DigestUpdate(d->ctx[i], data, len))
			return rq_fail(RQ_ERROR, "%s update failed", algorithm[i]);
	return 0;
}

int rq_digests_end(rq_digests *d)
{
	for (int i = 0; i < KINDS; i++) {
		if (!(d->active & (1u << i)))
			continue;
		if (!EVP_DigestFinal_ex(d->ctx[i], d->out[i], NULL))
			return rq_fail(RQ_ERROR, "%s final failed", algorithm[i]);
		d->finished |= 1u << i;
	}
	d->active = 0;
	return 0;
}

const uint8_t *rq_digests_get(const rq_digests *d, unsigned kind)
{
	for (int i = 0; i < KINDS; i++)
		if (kind == (1u << i))
			return (d->finished & kind) ? d->out[i] : NULL;
	return NULL;
}

int rq_digests_file_hex(const char *path, char md5[33], char sha256[65])
{
	md5[0] = sha256[0] = '\0';
	rq_digests *d = NULL;
	struct stat st;
	int rc = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0 || fstat(fd, &st) != 0) {
		rc = rq_fail_errno(RQ_EIO, errno, "%s", path);
		goto done;
	}
	if (!S_ISREG(st.st_mode)) { /* a FIFO or device would block or never end */
		rc = rq_fail(RQ_EIO, "%s: not a regular file", path);
		goto done;
	}
	if ((rc = rq_digests_new(&d)) || (rc = rq_digests_begin(d, RQ_DIGEST_MD5 | RQ_DIGEST_SHA256)))
		goto done;
	uint8_t buf[65536];
	ssize_t n;
	while (!rc && (n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0)
			rc = errno == EINTR ? 0 : rq_fail_errno(RQ_EIO, errno, "%s", path);
		else
			rc = rq_digests_update(d, buf, (size_t)n);
	}
	if (rc || (rc = rq_digests_end(d)))
		goto done;
	rq_hex_encode(md5, rq_digests_get(d, RQ_DIGEST_MD5), 16);
	rq_hex_encode(sha256, rq_digests_get(d, RQ_DIGEST_SHA256), 32);
done:
	rq_digests_free(d);
	if (fd >= 0)
		close(fd);
	return rc;
}
