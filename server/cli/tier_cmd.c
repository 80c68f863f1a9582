/*
 * `raquet-server downstream create` (a credential bound to a unit, for the
 * downstream server that reports for it, printed once) and `downstream
 * revoke`: the operator's side of the national tier (docs/tier.md), the
 * same as the API's, audited as the operator ("system").
 */
#include "cli/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/tier.h"
#include "auth/token.h"
#include "config/config.h"
#include "core/error.h"
#include "store/tier.h"

int rq_cli_downstream_create(const rq_cli_args *a)
{
	long days = a->days_given ? a->days : RQ_TIER_CRED_DEFAULT_DAYS;
	if (!a->unit) {
		fputs("raquet-server downstream create: --unit CODE is required\n", stderr);
		return 2;
	}
	if (days > RQ_TIER_CRED_MAX_DAYS) {
		fprintf(stderr, "raquet-server downstream create: --days is at most %d\n", RQ_TIER_CRED_MAX_DAYS);
		return 2;
	}
	rq_store *s = rq_cli_open_store(a, NULL);
	if (!s)
		return 1;
	int status = 1;
	int64_t unit = rq_cli_unit_by_code(s, a->unit), mirrored = 0, id = 0, now = (int64_t)time(NULL);
	char token[RQ_TOKEN_MAX], hash[RQ_TOKEN_HASH_LEN], details[128];
	if (unit <= 0) {
		fprintf(stderr, "raquet-server downstream create: no unit with code '%s'\n", a->unit);
		goto done;
	}
	if (rq_store_tier_mirrored(s, unit, &mirrored) == 0 && mirrored) {
		fprintf(stderr, "raquet-server downstream create: unit '%s' is reported by a downstream server itself\n",
			a->unit);
		goto done;
	}
	if (rq_token_new(RQ_TIER_TOKEN_PREFIX, token) || rq_token_hash(token, strlen(token), hash) ||
	    rq_store_tier_cred_create(s, &id, unit, hash, a->label ? a->label : "", now + days * 86400, 0, now)) {
		fprintf(stderr, "raquet-server downstream create: %s\n", rq_error_last());
		goto done;
	}
	snprintf(details, sizeof(details), "{\"expires_at\": %lld}", (long long)(now + days * 86400));
	rq_cli_audit(s, "tier.credential.create", "downstream_credential", id, unit, details);
	time_t exp = (time_t)(now + days * 86400);
	struct tm tm;
	char when[32] = "";
	if (gmtime_r(&exp, &tm))
		strftime(when, sizeof(when), "%d/%m/%Y %H:%M UTC", &tm);
	/* shown once: only its hash is stored */
	printf("%s\n", token);
	fprintf(stderr,
		"downstream credential %lld for unit %s, valid until %s (shown once): put it in the downstream's "
		"[upstream] credential_file\n",
		(long long)id, a->unit, when);
	status = 0;
done:
	memset(token, 0, sizeof(token));
	rq_store_close(s);
	return status;
}

int rq_cli_downstream_revoke(const rq_cli_args *a)
{
	char *end = NULL;
	long long id = a->id ? strtoll(a->id, &end, 10) : 0;
	if (!a->id || !end || *end || id <= 0) {
		fputs("raquet-server downstream revoke: --id CREDENTIAL_ID is required\n", stderr);
		return 2;
	}
	rq_store *s = rq_cli_open_store(a, NULL);
	if (!s)
		return 1;
	rq_tier_cred cred;
	int status = 1, rc = rq_store_tier_cred_get(s, id, &cred);
	if (rc == 0)
		rc = rq_store_tier_cred_revoke(s, id);
	if (rc < 0) {
		fprintf(stderr, "raquet-server downstream revoke: %s\n", rq_error_last());
		goto done;
	}
	rq_cli_audit(s, "tier.credential.revoke", "downstream_credential", id, cred.unit_id, NULL);
	fprintf(stderr, "downstream credential %lld revoked\n", id);
	status = 0;
done:
	rq_store_tier_cred_clear(&cred); /* the get set it, found or not */
	rq_store_close(s);
	return status;
}
