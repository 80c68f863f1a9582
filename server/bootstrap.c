/*
 * First-start administrator (bootstrap.h): counted and created in one
 * transaction, so two servers starting on one empty database make one
 * account; the password is printed after the commit, never logged.
 */
#include "bootstrap.h"

#include <string.h>
#include <sys/random.h>
#include <time.h>

#include <openssl/crypto.h>

#include "auth/authz.h"
#include "auth/password.h"
#include "core/error.h"
#include "store/audit.h"
#include "store/users.h"

static const char alphabet[] = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";

int rq_random_password(char *out, size_t size, size_t len)
{
	const size_t n = sizeof(alphabet) - 1;
	/* bytes at or above `limit` are dropped: every letter equally likely */
	const unsigned limit = 256 - 256 % n;
	size_t o = 0;
	unsigned char buf[64];
	int rc = 0;
	if (len >= size)
		return rq_fail(RQ_EINVAL, "password buffer too small");
	while (o < len) {
		if (getrandom(buf, sizeof(buf), 0) != (ssize_t)sizeof(buf)) {
			rc = rq_fail(RQ_ERROR, "no random bytes for a password");
			goto done;
		}
		for (size_t i = 0; i < sizeof(buf) && o < len; i++)
			if (buf[i] < limit)
				out[o++] = alphabet[buf[i] % n];
	}
	out[o] = '\0';
done:
	OPENSSL_cleanse(buf, sizeof(buf));
	return rc;
}

typedef struct boot {
	const char *hash;
	int created;
} boot;

static int boot_in_txn(rq_store *s, void *payload)
{
	boot *b = payload;
	int64_t n = 0, id = 0, now = (int64_t)time(NULL);
	b->created = 0;
	int rc = rq_store_user_count(s, &n);
	if (rc || n > 0)
		return rc;
	rc = rq_store_user_create(s, &id, RQ_BOOTSTRAP_LOGIN, "Administrator", RQ_ROLE_ADMIN, 0, b->hash, now);
	if (!rc) {
		char obj[32];
		snprintf(obj, sizeof(obj), "%lld", (long long)id);
		rq_audit_entry e = { .at = now, .actor = "system", .action = "user.create", .object_type = "user",
				     .object_id = obj, .details_json = "{\"login\":\"" RQ_BOOTSTRAP_LOGIN
								       "\",\"role\":\"admin\",\"bootstrap\":true}" };
		rc = rq_store_audit_add(s, &e);
	}
	b->created = rc == 0;
	return rc;
}

int rq_bootstrap_admin(rq_store *s, FILE *out)
{
	char pw[RQ_BOOTSTRAP_PASSWORD_LEN + 1], hash[RQ_PASSWORD_HASH_MAX];
	int64_t n = 0;
	boot b = { hash, 0 };
	int rc = rq_store_user_count(s, &n);
	if (rc || n > 0) /* the usual case: nothing to hash */
		goto done;
	if ((rc = rq_random_password(pw, sizeof(pw), RQ_BOOTSTRAP_PASSWORD_LEN)) ||
	    (rc = rq_password_hash(pw, strlen(pw), hash)))
		goto done;
	rc = rq_store_transact(s, boot_in_txn, &b);
	if (rc == RQ_STORE_ECONSTRAINT) { /* another server made it a moment ago */
		rc = 0;
		goto done;
	}
	if (rc || !b.created)
		goto done;
	fprintf(out, "raquet-server: first start: created the administrator account\n"
		     "    login:    %s\n"
		     "    password: %s\n"
		     "This password is shown only this once and will not be shown again. Log in and change it now\n"
		     "(dashboard, or POST /api/v1/auth/password); `raquet-server user passwd --login %s\n"
		     "--password-stdin` sets a new one if it is lost.\n",
		RQ_BOOTSTRAP_LOGIN, pw, RQ_BOOTSTRAP_LOGIN);
	fflush(out);
done:
	OPENSSL_cleanse(pw, sizeof(pw));
	OPENSSL_cleanse(hash, sizeof(hash));
	return rc;
}
