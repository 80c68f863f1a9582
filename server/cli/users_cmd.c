/*
 * `raquet-server user add` and `user passwd` (a lost password): the
 * password from stdin or made at random and printed once, never kept.
 */
#include "cli/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "api/admin.h"
#include "auth/password.h"
#include "bootstrap.h"
#include "core/error.h"
#include "mail/address.h"
#include "store/users.h"

/*
 * The password for `user add` / `user passwd` into pw (RQ_PASSWORD_MAX + 1):
 * the first line of stdin, or a random one (*random_out set). Checked
 * against the password policy; 0 or prints why.
 */
static int read_password(const rq_cli_args *a, char *pw, size_t size, int *random_out)
{
	*random_out = 0;
	if (!a->password_stdin) {
		*random_out = 1;
		if (rq_random_password(pw, size, RQ_BOOTSTRAP_PASSWORD_LEN)) {
			fprintf(stderr, "raquet-server: %s\n", rq_error_last());
			return -1;
		}
		return 0;
	}
	size_t n = fread(pw, 1, size - 1, stdin);
	pw[n] = '\0';
	if (n == size - 1 && !feof(stdin)) {
		fprintf(stderr, "raquet-server: the password has at most %d characters\n", RQ_PASSWORD_MAX);
		return -1;
	}
	char *nl = memchr(pw, '\n', n);
	if (nl) /* the first line; a final CR of CRLF goes too */
		n = (size_t)(nl - pw);
	if (n && pw[n - 1] == '\r')
		n--;
	pw[n] = '\0';
	if (rq_password_check_new(pw, n)) {
		fprintf(stderr, "raquet-server: %s\n", rq_error_last());
		return -1;
	}
	return 0;
}

/* read_password, then its argon2id hash into `hash`; 0 or prints why. */
static int new_password(const rq_cli_args *a, char *pw, size_t size, char hash[RQ_PASSWORD_HASH_MAX], int *random_out)
{
	if (read_password(a, pw, size, random_out))
		return -1;
	if (rq_password_hash(pw, strlen(pw), hash)) {
		fprintf(stderr, "raquet-server: %s\n", rq_error_last());
		return -1;
	}
	return 0;
}

/* Print a random password once (show), then wipe it and its hash. */
static void forget_password(int show, char *pw, size_t size, char hash[RQ_PASSWORD_HASH_MAX])
{
	if (show)
		printf("password: %s\n(shown once: only its hash is stored)\n", pw);
	OPENSSL_cleanse(pw, size);
	OPENSSL_cleanse(hash, RQ_PASSWORD_HASH_MAX);
}

int rq_cli_user_add(const rq_cli_args *a)
{
	int role = rq_role_parse(a->role);
	char pw[RQ_PASSWORD_MAX + 2], hash[RQ_PASSWORD_HASH_MAX];
	int random = 0, status = 1;
	rq_store *s = NULL;
	if (!a->login || !*a->login || !a->role) {
		fputs("raquet-server user add: --login and --role are required\n", stderr);
		return 2;
	}
	if (role < 0) {
		fputs("raquet-server user add: --role is admin, officer or viewer\n", stderr);
		return 2;
	}
	if (strlen(a->login) > RQ_LOGIN_MAX) {
		fprintf(stderr, "raquet-server user add: --login has at most %d characters\n", RQ_LOGIN_MAX);
		return 2;
	}
	if (a->email && rq_mail_address_check(a->email) < 0) {
		fprintf(stderr, "raquet-server user add: --email: %s\n", rq_error_last());
		return 2;
	}
	if (new_password(a, pw, sizeof(pw), hash, &random) || !(s = rq_cli_open_store(a, NULL)))
		goto done;
	int64_t unit = 0, id = 0;
	rq_user_change email = RQ_USER_KEEP;
	email.email = a->email;
	if (a->unit && (unit = rq_cli_unit_by_code(s, a->unit)) <= 0) {
		fprintf(stderr, "raquet-server user add: no unit with code '%s'\n", a->unit);
		goto done;
	}
	/* the user and its address together */
	int rc = rq_store_begin(s);
	if (rc == 0)
		rc = rq_store_user_create(s, &id, a->login, a->display ? a->display : "", (rq_role)role, unit, hash,
					  (int64_t)time(NULL));
	if (rc == 0 && a->email)
		rc = rq_store_user_update(s, id, &email, (int64_t)time(NULL));
	if (rc == 0)
		rc = rq_store_commit(s);
	else
		rq_store_rollback(s);
	if (rc == RQ_STORE_ECONSTRAINT) {
		fprintf(stderr, "raquet-server user add: a user with this login exists already\n");
		goto done;
	}
	if (rc) {
		fprintf(stderr, "raquet-server user add: %s\n", rq_error_last());
		goto done;
	}
	rq_cli_audit(s, "user.create", "user", id, unit, role == RQ_ROLE_ADMIN ? "{\"role\":\"admin\"}"
					 : role == RQ_ROLE_OFFICER ? "{\"role\":\"officer\"}"
								   : "{\"role\":\"viewer\"}");
	printf("user %lld: %s (%s%s%s)\n", (long long)id, a->login, a->role, a->unit ? ", unit " : "",
	       a->unit ? a->unit : "");
	status = 0;
done:
	forget_password(status == 0 && random, pw, sizeof(pw), hash);
	rq_store_close(s);
	return status;
}

int rq_cli_user_passwd(const rq_cli_args *a)
{
	char pw[RQ_PASSWORD_MAX + 2], hash[RQ_PASSWORD_HASH_MAX];
	int random = 0, status = 1;
	rq_store *s = NULL;
	rq_user u;
	memset(&u, 0, sizeof(u));
	if (!a->login) {
		fputs("raquet-server user passwd: --login is required\n", stderr);
		return 2;
	}
	if (new_password(a, pw, sizeof(pw), hash, &random) || !(s = rq_cli_open_store(a, NULL)))
		goto done;
	int rc = rq_store_user_by_login(s, a->login, &u);
	if (rc == RQ_ENOTFOUND) {
		fprintf(stderr, "raquet-server user passwd: no user with this login\n");
		goto done;
	}
	rq_user_change ch = RQ_USER_KEEP;
	ch.password_hash = hash;
	int64_t ended = 0;
	/* a forgotten or leaked password: every session with the old one ends */
	if (rc || (rc = rq_store_begin(s)) || (rc = rq_store_user_update(s, u.id, &ch, (int64_t)time(NULL))) ||
	    (rc = rq_store_session_delete_user(s, u.id, NULL, &ended)) || (rc = rq_store_commit(s))) {
		fprintf(stderr, "raquet-server user passwd: %s\n", rq_error_last());
		rq_store_rollback(s);
		goto done;
	}
	rq_cli_audit(s, "auth.password", "user", u.id, u.unit_id, "{\"by\":\"operator command\"}");
	printf("user %lld: %s: password changed, %lld session(s) ended\n", (long long)u.id, u.login,
	       (long long)ended);
	status = 0;
done:
	forget_password(status == 0 && random, pw, sizeof(pw), hash);
	rq_store_user_clear(&u);
	rq_store_close(s);
	return status;
}

