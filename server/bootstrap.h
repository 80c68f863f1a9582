/*
 * The first start of raquet-server: when the store has no user at all, the
 * administrator "admin" is created with a random password, printed once on
 * stdout (only its argon2id hash is kept). Later starts print nothing.
 */
#ifndef RQ_SERVER_BOOTSTRAP_H
#define RQ_SERVER_BOOTSTRAP_H

#include <stdio.h>

#include "store/store.h"

/* Login of the first administrator. */
#define RQ_BOOTSTRAP_LOGIN "admin"
/* Length of its random password: 24 characters of a 57-letter alphabet,
 * about 140 bits. */
#define RQ_BOOTSTRAP_PASSWORD_LEN 24

/*
 * Create the first administrator if the user table is empty and print its
 * login and password to `out` (flushed). 0 also when users exist already
 * (or another server created them at the same moment).
 */
int rq_bootstrap_admin(rq_store *s, FILE *out);

/* A random password of `len` (< size) letters and digits, easy to copy
 * (no 0/O, 1/l/I). */
int rq_random_password(char *out, size_t size, size_t len);

#endif
