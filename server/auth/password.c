/*
 * argon2id password hashing (password.h). Parameters follow the OWASP
 * recommendation for argon2id: 19 MiB of memory, 2 passes, 1 lane -- about
 * 20 ms per login on this project's 2-core reference machine, which with
 * the login throttle (throttle.h) bounds what guessing can cost the server.
 */
#include "auth/password.h"

#include <argon2.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include "core/error.h"

#define T_COST 2
#define M_COST_KIB (19 * 1024)
#define LANES 1
#define SALT_LEN 16
#define HASH_LEN 32

int rq_password_hash(const char *pw, size_t len, char out[RQ_PASSWORD_HASH_MAX])
{
	uint8_t salt[SALT_LEN];
	if (len > RQ_PASSWORD_MAX)
		return rq_fail(RQ_EINVAL, "password longer than %d bytes", RQ_PASSWORD_MAX);
	if (getrandom(salt, sizeof(salt), 0) != (ssize_t)sizeof(salt))
		return rq_fail(RQ_ERROR, "no random bytes for a salt");
	int rc = argon2id_hash_encoded(T_COST, M_COST_KIB, LANES, pw, len, salt, sizeof(salt),
				       HASH_LEN, out, RQ_PASSWORD_HASH_MAX);
	if (rc != ARGON2_OK)
		return rq_fail(rc == ARGON2_MEMORY_ALLOCATION_ERROR ? RQ_ENOMEM : RQ_ERROR,
			       "argon2id: %s", argon2_error_message(rc));
	return 0;
}

int rq_password_verify(const char *encoded, const char *pw, size_t len)
{
	if (!encoded || strncmp(encoded, "$argon2id$", 10) || len > RQ_PASSWORD_MAX)
		return 0;
	return argon2id_verify(encoded, pw, len) == ARGON2_OK;
}

int rq_password_needs_rehash(const char *encoded)
{
	char want[64];
	snprintf(want, sizeof(want), "$argon2id$v=%d$m=%d,t=%d,p=%d$", ARGON2_VERSION_13, M_COST_KIB,
		 T_COST, LANES);
	return !encoded || strncmp(encoded, want, strlen(want)) != 0;
}

int rq_password_check_new(const char *pw, size_t len)
{
	if (len < RQ_PASSWORD_MIN)
		return rq_fail(RQ_EINVAL, "a password needs at least %d characters", RQ_PASSWORD_MIN);
	if (len > RQ_PASSWORD_MAX)
		return rq_fail(RQ_EINVAL, "a password has at most %d characters", RQ_PASSWORD_MAX);
	if (memchr(pw, '\0', len))
		return rq_fail(RQ_EINVAL, "a password cannot contain a NUL byte");
	return 0;
}
