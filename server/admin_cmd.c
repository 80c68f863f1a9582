/*
 * `raquet-server unit add` and `raquet-server token create` (admin_cmd.h):
 * the store is the one of the configuration (--config FILE, else the
 * default file) unless --store URL is given; schema migrations are applied
 * first, like at server start.
 */
#include "admin_cmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth/token.h"
#include "config/config.h"
#include "store/store.h"
#include "store/tokens.h"
#include "store/units.h"

/* Longest validity of an enrollment token: a campaign, not forever. */
#define MAX_TOKEN_DAYS 366

typedef struct args {
	const char *config, *store, *name, *code, *parent, *unit, *label;
	long uses, days;
} args;

static void usage(FILE *f)
{
	fputs("Usage: raquet-server unit add --name NAME --code CODE [--parent CODE] [--contact TEXT]\n"
	      "       raquet-server token create --unit CODE [--uses N] [--days D] [--label TEXT]\n"
	      "Common options: --config FILE (default /etc/raquet-server/raquet-server.conf),\n"
	      "                --store URL (sqlite:PATH or postgresql://...; overrides the file)\n",
	      f);
}

static int parse(int argc, char **argv, args *a, const char **contact)
{
	memset(a, 0, sizeof(*a));
	a->uses = 1;
	a->days = 7;
	for (int i = 2; i < argc; i++) {
		const char **slot = NULL;
		long *num = NULL;
		if (!strcmp(argv[i], "--config")) slot = &a->config;
		else if (!strcmp(argv[i], "--store")) slot = &a->store;
		else if (!strcmp(argv[i], "--name")) slot = &a->name;
		else if (!strcmp(argv[i], "--code")) slot = &a->code;
		else if (!strcmp(argv[i], "--parent")) slot = &a->parent;
		else if (!strcmp(argv[i], "--unit")) slot = &a->unit;
		else if (!strcmp(argv[i], "--label")) slot = &a->label;
		else if (!strcmp(argv[i], "--contact")) slot = contact;
		else if (!strcmp(argv[i], "--uses")) num = &a->uses;
		else if (!strcmp(argv[i], "--days")) num = &a->days;
		else {
			fprintf(stderr, "raquet-server: unknown option '%s'\n", argv[i]);
			return -1;
		}
		if (i + 1 >= argc) {
			fprintf(stderr, "raquet-server: %s needs a value\n", argv[i]);
			return -1;
		}
		if (slot) {
			*slot = argv[++i];
		} else {
			char *end = NULL;
			*num = strtol(argv[++i], &end, 10);
			if (!end || *end || *num < 1) {
				fprintf(stderr, "raquet-server: %s takes a whole number >= 1\n", argv[i - 1]);
				return -1;
			}
		}
	}
	return 0;
}

/* The store of the configuration, migrated; NULL after printing why. */
static rq_store *open_store(const args *a)
{
	rq_srv_config cfg;
	rq_store *s = NULL;
	const char *url = a->store;
	int rc = rq_srv_config_init(&cfg);
	if (!rc && !url) {
		const char *path = a->config;
		FILE *probe = path ? NULL : fopen(RQ_SRV_DEFAULT_CONFIG, "r");
		if (probe) {
			fclose(probe);
			path = RQ_SRV_DEFAULT_CONFIG;
		}
		if (path)
			rc = rq_srv_config_load(&cfg, path);
		url = cfg.store_url;
	}
	if (!rc && !(rc = rq_store_open(&s, url)) && (rc = rq_store_migrate(s))) {
		rq_store_close(s);
		s = NULL;
	}
	if (rc)
		fprintf(stderr, "raquet-server: %s\n", rq_error_last());
	rq_srv_config_free(&cfg);
	return s;
}

/* The id of the unit with `code`, 0 if none, -1 on error. */
static int64_t unit_by_code(rq_store *s, const char *code)
{
	rq_stmt *st = NULL;
	int64_t id = 0;
	int rc = rq_store_prepare(s, &st, "SELECT id FROM units WHERE code = $1");
	if (!rc)
		rc = rq_stmt_bind_text(st, 1, code);
	if (!rc)
		rc = rq_stmt_step_int64(st, &id);
	if (rc == RQ_ENOTFOUND)
		id = 0;
	else if (rc)
		id = -1;
	rq_stmt_finalize(st);
	return id;
}

static int unit_add(const args *a, const char *contact)
{
	if (!a->name || !a->code) {
		fputs("raquet-server unit add: --name and --code are required\n", stderr);
		return 2;
	}
	rq_store *s = open_store(a);
	if (!s)
		return 1;
	int status = 1;
	int64_t parent = 0, id = 0;
	if (a->parent && (parent = unit_by_code(s, a->parent)) <= 0) {
		fprintf(stderr, "raquet-server unit add: no unit with code '%s'\n", a->parent);
		goto done;
	}
	if (rq_store_unit_create(s, &id, parent, a->name, a->code, contact, (int64_t)time(NULL))) {
		fprintf(stderr, "raquet-server unit add: %s\n", rq_error_last());
		goto done;
	}
	printf("unit %lld: %s (%s)\n", (long long)id, a->name, a->code);
	status = 0;
done:
	rq_store_close(s);
	return status;
}

static int token_create(const args *a)
{
	if (!a->unit) {
		fputs("raquet-server token create: --unit CODE is required\n", stderr);
		return 2;
	}
	if (a->days > MAX_TOKEN_DAYS) {
		fprintf(stderr, "raquet-server token create: --days is at most %d\n", MAX_TOKEN_DAYS);
		return 2;
	}
	rq_store *s = open_store(a);
	if (!s)
		return 1;
	int status = 1;
	int64_t unit = unit_by_code(s, a->unit), id = 0, now = (int64_t)time(NULL);
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

int rq_admin_main(int argc, char **argv)
{
	args a;
	const char *contact = NULL;
	if (argc < 2 || !strcmp(argv[1], "--help")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (parse(argc, argv, &a, &contact)) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[0], "unit") && !strcmp(argv[1], "add"))
		return unit_add(&a, contact);
	if (!strcmp(argv[0], "token") && !strcmp(argv[1], "create"))
		return token_create(&a);
	fprintf(stderr, "raquet-server: unknown command '%s %s'\n", argv[0], argv[1]);
	usage(stderr);
	return 2;
}
