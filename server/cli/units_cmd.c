/*
 * `raquet-server unit add` (a unit of the province's tree) and `token create`
 * (an enrollment token for a unit's machines, printed once).
 */
#include "cli/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth/token.h"
#include "core/error.h"
#include "store/tokens.h"
#include "store/units.h"

/* Longest validity of an enrollment token: a campaign, not forever. */
#define MAX_TOKEN_DAYS 366

int rq_cli_unit_add(const rq_cli_args *a)
{
	if (!a->name || !a->code) {
		fputs("raquet-server unit add: --name and --code are required\n", stderr);
		return 2;
	}
	rq_store *s = rq_cli_open_store(a, NULL);
	if (!s)
		return 1;
	int status = 1;
	int64_t parent = 0, id = 0;
	if (a->parent && (parent = rq_cli_unit_by_code(s, a->parent)) <= 0) {
		fprintf(stderr, "raquet-server unit add: no unit with code '%s'\n", a->parent);
		goto done;
	}
	if (rq_store_unit_create(s, &id, parent, a->name, a->code, a->contact, (int64_t)time(NULL))) {
		fprintf(stderr, "raquet-server unit add: %s\n", rq_error_last());
		goto done;
	}
	printf("unit %lld: %s (%s)\n", (long long)id, a->name, a->code);
	status = 0;
done:
	rq_store_close(s);
	return status;
}

int rq_cli_token_create(const rq_cli_args *a)
{
	if (!a->unit) {
		fputs("raquet-server token create: --unit CODE is required\n", stderr);
		return 2;
	}
	if (a->days > MAX_TOKEN_DAYS) {
		fprintf(stderr, "raquet-server token create: --days is at most %d\n", MAX_TOKEN_DAYS);
		return 2;
	}
	rq_store *s = rq_cli_open_store(a, NULL);
	if (!s)
		return 1;
	int status = 1;
	int64_t unit = rq_cli_unit_by_code(s, a->unit), id = 0, now = (int64_t)time(NULL);
	char token[RQ_TOKEN_MAX], hash[RQ_TOKEN_HASH_LEN];
	if (unit <= 0) {
		fprintf(stderr, "raquet-server token create: no unit with code '%s'\n", a->unit);
		goto done;
	}
	if (rq_token_new("rqe", token) || rq_token_hash(token, strlen(token), hash) ||
	    rq_store_token_create(s, &id, unit, hash, a->label ? a->label : "", now + a->days * 86400,
				  a->uses, 0, now)) {
		fprintf(stderr, "raquet-server token create: %s\n", rq_error_last());
		goto done;
	}
	time_t exp = (time_t)(now + a->days * 86400);
	struct tm tm;
	char when[32] = "";
	if (gmtime_r(&exp, &tm))
		strftime(when, sizeof(when), "%d/%m/%Y %H:%M UTC", &tm);
	/* the token is shown once: only its hash is stored */
	printf("%s\n", token);
	fprintf(stderr, "enrollment token %lld for unit %s: %ld use(s), valid until %s (shown once)\n",
		(long long)id, a->unit, a->uses, when);
	status = 0;
done:
	memset(token, 0, sizeof(token));
	rq_store_close(s);
	return status;
}

