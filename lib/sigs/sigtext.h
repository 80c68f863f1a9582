/*
 * Small text helpers shared by the line-based signature loaders of this
 * folder (hash lists, ignore lists, IOC lists, .ndb): the line loop,
 * splitting fields, trimming, digests told apart by length, checked decimal
 * numbers, signature-name checks and quoting a bad token safely inside a
 * one-line warning.
 */
#ifndef RQ_SIGS_SIGTEXT_H
#define RQ_SIGS_SIGTEXT_H

#include <stddef.h>
#include <stdint.h>

/* Room for a quoted token: at most RQ_SIGTEXT_QUOTE_MAX source bytes, escaped. */
#define RQ_SIGTEXT_QUOTE_MAX 40
#define RQ_SIGTEXT_QUOTE_SIZE (RQ_SIGTEXT_QUOTE_MAX * 4 + 4)

/*
 * Write `s` (`len` bytes, any bytes) into `buf` (RQ_SIGTEXT_QUOTE_SIZE bytes)
 * for a warning message: non-printable bytes as \xNN, cut after
 * RQ_SIGTEXT_QUOTE_MAX bytes with "...". Returns `buf`.
 */
const char *rq_sigtext_quote(char *buf, const char *s, size_t len);

/* Drop spaces, tabs, CR, VT and FF at both ends of (*s, *len). */
void rq_sigtext_trim(const char **s, size_t *len);

/*
 * Decode a hex digest (either case) whose kind is told by its length:
 * 32 digits MD5, 40 SHA-1, 64 SHA-256. Returns the RQ_DIGEST_* kind and
 * fills `out` (32 bytes, unused tail zeroed), or 0 if `hex` is not one.
 */
unsigned rq_sigtext_digest(uint8_t out[32], const char *hex, size_t len);

/* Lower-case name of a digest kind: "md5", "sha1", "sha256" ("" if unknown). */
const char *rq_sigtext_digest_name(unsigned digest_type);

/* Parse a non-empty run of decimal digits; -1 on anything else or overflow. */
int rq_sigtext_u64(uint64_t *out, const char *s, size_t len);

/*
 * Why `name` cannot be a signature name, or NULL if it can: it must have
 * 1..RQ_MAX_SIG_NAME bytes and no control bytes (NUL included).
 */
const char *rq_sigtext_bad_name(const char *name, size_t len);

/* One field of a split line: `len` bytes at `s`, not NUL-terminated. */
typedef struct rq_sigtext_field {
	const char *s;
	size_t len;
} rq_sigtext_field;

/*
 * Split (s, len) on `sep` into at most `max` fields; returns the count, or
 * max + 1 when there are more.
 */
size_t rq_sigtext_split(rq_sigtext_field *f, size_t max, char sep, const char *s, size_t len);

/*
 * Call `line_cb(ctx, lineno, line, len)` for each line of a text signature
 * file, trimmed, skipping blank lines and lines starting with '#'. Stops at
 * and returns the first nonzero value the callback returns.
 */
typedef int (*rq_sigtext_line_cb)(void *ctx, unsigned lineno, const char *line, size_t len);
int rq_sigtext_each_line(const uint8_t *data, size_t len, rq_sigtext_line_cb line_cb, void *ctx);

#endif
