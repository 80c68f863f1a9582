/*
 * raquet-server's operator commands on the store (cli.h): the options they
 * share, parsed once, the dispatch to each command's file, and the helpers
 * they share.
 */
#include "cli/cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config/config.h"
#include "core/error.h"
#include "store/audit.h"

static void usage(FILE *f)
{
	fputs("Usage: raquet-server unit add --name NAME --code CODE [--parent CODE] [--contact TEXT]\n"
	      "       raquet-server token create --unit CODE [--uses N] [--days D] [--label TEXT]\n"
	      "       raquet-server downstream create --unit CODE [--days D] [--label TEXT]\n"
	      "  (a credential for the downstream server reporting for that unit: docs/tier.md)\n"
	      "       raquet-server downstream revoke --id CREDENTIAL_ID\n"
	      "       raquet-server user add --login LOGIN --role admin|officer|viewer [--unit CODE]\n"
	      "                              [--display NAME] [--email ADDRESS] [--password-stdin]\n"
	      "       raquet-server user passwd --login LOGIN [--password-stdin]\n"
	      "  (without --password-stdin a random password is made and printed once)\n"
	      "       raquet-server task add --endpoint HOSTNAME|ID --kind scan_quick|scan_full|update\n"
	      "                              [--kind scan_path --path /ABS/PATH] [--wait SECONDS]\n"
	      "       raquet-server task wait --id TASK_ID [--wait SECONDS]\n"
	      "  (--wait: until the agent reports the task done or failed; prints its result;\n"
	      "   task wait without --wait prints the task's state now)\n"
	      "       raquet-server report --kind province|unit [--unit CODE] --from DD/MM/YYYY\n"
	      "                            --to DD/MM/YYYY --format xlsx|pdf|csv [--lang vi|en] -o FILE\n"
	      "  (report: the period's days from and to both included, Vietnam time)\n"
	      "       raquet-server report --campaign ID --format xlsx|pdf|csv [--lang vi|en] -o FILE\n"
	      "  (a campaign's report: its units and period so far, with the units' obligations)\n"
	      "Common options: --config FILE (default /etc/raquet-server/raquet-server.conf),\n"
	      "                --store URL (sqlite:PATH or postgresql://...; overrides the file)\n",
	      f);
}

static int parse(int argc, char **argv, int first, rq_cli_args *a)
{
	memset(a, 0, sizeof(*a));
	a->uses = 1;
	a->days = 7;
	for (int i = first; i < argc; i++) {
		const char **slot = NULL;
		long *num = NULL;
		if (!strcmp(argv[i], "--config")) slot = &a->config;
		else if (!strcmp(argv[i], "--store")) slot = &a->store;
		else if (!strcmp(argv[i], "--name")) slot = &a->name;
		else if (!strcmp(argv[i], "--code")) slot = &a->code;
		else if (!strcmp(argv[i], "--parent")) slot = &a->parent;
		else if (!strcmp(argv[i], "--unit")) slot = &a->unit;
		else if (!strcmp(argv[i], "--label")) slot = &a->label;
		else if (!strcmp(argv[i], "--contact")) slot = &a->contact;
		else if (!strcmp(argv[i], "--login")) slot = &a->login;
		else if (!strcmp(argv[i], "--role")) slot = &a->role;
		else if (!strcmp(argv[i], "--display")) slot = &a->display;
		else if (!strcmp(argv[i], "--email")) slot = &a->email;
		else if (!strcmp(argv[i], "--endpoint")) slot = &a->endpoint;
		else if (!strcmp(argv[i], "--path")) slot = &a->path;
		else if (!strcmp(argv[i], "--id")) slot = &a->id;
		else if (!strcmp(argv[i], "--kind")) slot = &a->kind;
		else if (!strcmp(argv[i], "--from")) slot = &a->from;
		else if (!strcmp(argv[i], "--to")) slot = &a->to;
		else if (!strcmp(argv[i], "--format")) slot = &a->format;
		else if (!strcmp(argv[i], "--lang")) slot = &a->lang;
		else if (!strcmp(argv[i], "--campaign")) slot = &a->campaign;
		else if (!strcmp(argv[i], "-o") || !strcmp(argv[i], "--output")) slot = &a->output;
		else if (!strcmp(argv[i], "--password-stdin")) {
			a->password_stdin = 1;
			continue;
		}
		else if (!strcmp(argv[i], "--uses")) num = &a->uses;
		else if (!strcmp(argv[i], "--days")) num = &a->days, a->days_given = 1;
		else if (!strcmp(argv[i], "--wait")) num = &a->wait;
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

rq_store *rq_cli_open_store(const rq_cli_args *a, char **agency)
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
	if (!rc && agency && !(*agency = strdup(cfg.report_agency ? cfg.report_agency : ""))) {
		rq_store_close(s);
		s = NULL;
		rc = rq_fail(RQ_ENOMEM, "out of memory");
	}
	if (rc)
		fprintf(stderr, "raquet-server: %s\n", rq_error_last());
	rq_srv_config_free(&cfg);
	return s;
}


int64_t rq_cli_unit_by_code(rq_store *s, const char *code)
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

int rq_cli_write_file(const char *path, const char *data, size_t len)
{
	char tmp[4096];
	FILE *f = NULL;
	int rc = 0;
	if (!strcmp(path, "-")) {
		if (fwrite(data, 1, len, stdout) != len || fflush(stdout) != 0)
			rc = rq_fail_errno(RQ_EIO, errno, "writing to standard output");
		return rc;
	}
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp))
		return rq_fail(RQ_EINVAL, "%s: path too long", path);
	f = fopen(tmp, "wb");
	if (!f)
		return rq_fail_errno(RQ_EIO, errno, "cannot write '%s'", tmp);
	if (fwrite(data, 1, len, f) != len || fflush(f) != 0 || fsync(fileno(f)) != 0)
		rc = rq_fail_errno(RQ_EIO, errno, "writing '%s'", tmp);
	if (fclose(f) != 0 && rc == 0)
		rc = rq_fail_errno(RQ_EIO, errno, "writing '%s'", tmp);
	if (rc == 0 && rename(tmp, path) != 0)
		rc = rq_fail_errno(RQ_EIO, errno, "cannot rename '%s' to '%s'", tmp, path);
	if (rc < 0)
		unlink(tmp);
	return rc;
}

void rq_cli_audit(rq_store *s, const char *action, const char *object_type, int64_t object_id, int64_t unit_id,
		  const char *details_json)
{
	char obj[32];
	snprintf(obj, sizeof(obj), "%lld", (long long)object_id);
	rq_audit_entry e = {.at = (int64_t)time(NULL), .actor = "system", .action = action, .object_type = object_type,
			    .object_id = obj, .unit_id = unit_id, .details_json = details_json};
	if (rq_store_audit_add(s, &e))
		fprintf(stderr, "raquet-server: audit: %s\n", rq_error_last());
}

int rq_cli_main(int argc, char **argv)
{
	rq_cli_args a;
	if (argc < 2 || !strcmp(argv[1], "--help")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	int is_report = !strcmp(argv[0], "report");
	if (parse(argc, argv, is_report ? 1 : 2, &a)) {
		usage(stderr);
		return 2;
	}
	if (is_report)
		return rq_cli_report(&a);
	if (!strcmp(argv[0], "unit") && !strcmp(argv[1], "add"))
		return rq_cli_unit_add(&a);
	if (!strcmp(argv[0], "token") && !strcmp(argv[1], "create"))
		return rq_cli_token_create(&a);
	if (!strcmp(argv[0], "downstream") && !strcmp(argv[1], "create"))
		return rq_cli_downstream_create(&a);
	if (!strcmp(argv[0], "downstream") && !strcmp(argv[1], "revoke"))
		return rq_cli_downstream_revoke(&a);
	if (!strcmp(argv[0], "user") && !strcmp(argv[1], "add"))
		return rq_cli_user_add(&a);
	if (!strcmp(argv[0], "user") && !strcmp(argv[1], "passwd"))
		return rq_cli_user_passwd(&a);
	if (!strcmp(argv[0], "task") && !strcmp(argv[1], "add"))
		return rq_cli_task_add(&a);
	if (!strcmp(argv[0], "task") && !strcmp(argv[1], "wait"))
		return rq_cli_task_wait(&a);
	fprintf(stderr, "raquet-server: unknown command '%s %s'\n", argv[0], argv[1]);
	usage(stderr);
	return 2;
}

