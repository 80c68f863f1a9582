/*
 * Public key files as raquet-server hands them to its agents (keyfiles.c):
 * which file names an agent accepts into its trusted keys folder, and the
 * digest of a set of files by which server and agent tell whether the
 * agent's copy is current. Protocol: docs/api-agent.md ("mirror_keys").
 */
#ifndef RQ_DB_KEYFILES_H
#define RQ_DB_KEYFILES_H

#include <stddef.h>

/* Longest key file name handed out (a folder entry, far below NAME_MAX). */
#define RQ_KEYFILE_MAX_NAME 128
/* Length of the digest in hex, without the NUL. */
#define RQ_KEYFILES_DIGEST_HEX 64

/*
 * 1 when `name` is a key file name an agent writes: letters, digits, '.',
 * '_' and '-' only (so no path separator), ending in ".pub", not starting
 * with '.' (the keyring skips hidden files), at most RQ_KEYFILE_MAX_NAME
 * bytes; 0 otherwise.
 */
int rq_keyfile_name_ok(const char *name);

/*
 * The digest of a set of key files: SHA-256, lower-case hex, over each file
 * in ascending byte order of the names: the name, a NUL byte, the content,
 * a NUL byte. names[i] (distinct, NUL-terminated) has content texts[i] of
 * lens[i] bytes; n may be 0. 0, or RQ_ENOMEM / RQ_ERROR.
 */
int rq_keyfiles_digest(char out[RQ_KEYFILES_DIGEST_HEX + 1], const char *const *names,
		       const char *const *texts, const size_t *lens, size_t n);

#endif
