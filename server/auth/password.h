/*
 * Passwords of dashboard users: argon2id hashes in the standard encoded
 * form ($argon2id$v=19$m=...,t=...,p=...$salt$hash), verified in constant
 * time, with a check that tells when a stored hash uses weaker parameters
 * than today's and should be replaced at the next successful login.
 */
#ifndef RQ_SERVER_AUTH_PASSWORD_H
#define RQ_SERVER_AUTH_PASSWORD_H

#include <stddef.h>

/* Longest encoded hash rq_password_hash writes, NUL included. */
#define RQ_PASSWORD_HASH_MAX 128
/* Passwords: at least 10 bytes (the dashboard tells users), at most 1024. */
#define RQ_PASSWORD_MIN 10
#define RQ_PASSWORD_MAX 1024

/* Hash `pw` (len bytes) with a fresh random salt into out (RQ_PASSWORD_HASH_MAX). */
int rq_password_hash(const char *pw, size_t len, char out[RQ_PASSWORD_HASH_MAX]);

/* 1 if `pw` matches `encoded`, 0 if not (or `encoded` is malformed). */
int rq_password_verify(const char *encoded, const char *pw, size_t len);

/* 1 if `encoded` was made with other parameters than rq_password_hash uses now. */
int rq_password_needs_rehash(const char *encoded);

/* 0 if `pw` is acceptable as a new password, else RQ_EINVAL with the reason. */
int rq_password_check_new(const char *pw, size_t len);

#endif
