/*
 * The `raquet-server ncsc` operator command (ncsc_cmd.h). The [ncsc]
 * section is read from the configuration file and checked like at server
 * start; the store is the file's unless --store is given, migrated first.
 */
#include "cli/ncsc_cmd.h"

#include "cli/cli.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config/config.h"
#include "core/error.h"
#include "ncsc/queue.h"
#include "ncsc/report.h"
#include "ncsc/schema.h"
#include "ncsc/sign.h"
#include "store/audit.h"
#include "store/store.h"

static void usage(FILE *f)
{
	fputs("Usage: raquet-server ncsc report --dry-run -o FILE [--config FILE] [--store URL]\n"
	      "       raquet-server ncsc report [--config FILE] [--store URL]\n"
	      "       raquet-server ncsc schema   (print the AVReport XSD the server validates with)\n"
	      "  --dry-run -o FILE  write the signed, schema-checked AVReport to FILE ('-': standard output);\n"
	      "                     nothing is sent or queued\n"
	      "  without --dry-run  queue the report; the running server delivers it\n"
	      "  --config FILE      the server's configuration (default /etc/raquet-server/raquet-server.conf)\n"
	      "  --store URL        the store, overriding the file's\n",
	      f);
}


static int audit_cli(rq_store *s, int64_t id, void *payload)
{
	(void)payload;
	char obj[32];
	snprintf(obj, sizeof(obj), "%lld", (long long)id);
	rq_audit_entry e = { .at = (int64_t)time(NULL), .actor = "system", .action = "ncsc.submit",
			     .object_type = "ncsc_submission", .object_id = obj, .details_json = "{\"by\":\"cli\"}" };
	return rq_store_audit_add(s, &e);
}

int rq_ncsc_cmd_main(int argc, char **argv)
{
	const char *config = NULL, *store_url = NULL, *out = NULL;
	int dry_run = 0, status = 1, rc;
	rq_srv_config cfg;
	rq_store *s = NULL;
	char *xml = NULL;
	size_t len = 0;

	memset(&cfg, 0, sizeof(cfg));
	if (argc == 2 && !strcmp(argv[1], "schema"))
		return fwrite(rq_ncsc_xsd, 1, rq_ncsc_xsd_len, stdout) == rq_ncsc_xsd_len && fflush(stdout) == 0 ? 0 : 1;
	if (argc < 2 || strcmp(argv[1], "report") != 0) {
		usage(argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) ? stdout : stderr);
		return argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) ? 0 : 2;
	}
	for (int i = 2; i < argc; i++) {
		const char **slot = NULL;
		if (!strcmp(argv[i], "--dry-run")) {
			dry_run = 1;
			continue;
		}
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage(stdout);
			return 0;
		}
		if (!strcmp(argv[i], "--config"))
			slot = &config;
		else if (!strcmp(argv[i], "--store"))
			slot = &store_url;
		else if (!strcmp(argv[i], "-o") || !strcmp(argv[i], "--output"))
			slot = &out;
		if (!slot || i + 1 >= argc) {
			fprintf(stderr, "raquet-server ncsc: %s '%s'\n", slot ? "needs a value:" : "unknown option",
				argv[i]);
			usage(stderr);
			return 2;
		}
		*slot = argv[++i];
	}
	if (dry_run != (out != NULL)) {
		fputs("raquet-server ncsc report: --dry-run and -o FILE go together\n", stderr);
		return 2;
	}
	if ((rc = rq_srv_config_init(&cfg)) < 0)
		goto fail;
	if (!config && access(RQ_SRV_DEFAULT_CONFIG, F_OK) == 0)
		config = RQ_SRV_DEFAULT_CONFIG;
	if (config && (rc = rq_srv_config_load(&cfg, config)) < 0)
		goto fail;
	if ((rc = rq_srv_config_check_ncsc(&cfg, !dry_run)) < 0)
		goto fail;
	if (dry_run && (!*cfg.ncsc_sign_cert || !*cfg.ncsc_organ_id)) {
		rc = rq_fail(RQ_EINVAL, "%s: [ncsc] organ_id, organ_name, sign_cert and sign_key are needed to make "
			     "a report", config ? config : "the configuration");
		goto fail;
	}
	if ((rc = rq_store_open(&s, store_url ? store_url : cfg.store_url)) < 0 || (rc = rq_store_migrate(s)) < 0)
		goto fail;
	if (dry_run) {
		if ((rc = rq_ncsc_report_make(s, &cfg, (int64_t)time(NULL), &xml, &len)) < 0 ||
		    (rc = rq_cli_write_file(out, xml, len)) < 0)
			goto fail;
		if (strcmp(out, "-") != 0)
			printf("report written to %s (%zu bytes, signed, schema-valid; not sent)\n", out, len);
	} else {
		int64_t id = 0;
		if ((rc = rq_ncsc_enqueue(s, &cfg, (int64_t)time(NULL), "cli", 0, &id, audit_cli, NULL)) < 0)
			goto fail;
		printf("report queued as submission %lld; the running server delivers it to %s\n", (long long)id,
		       cfg.ncsc_url);
	}
	status = 0;
	goto done;
fail:
	fprintf(stderr, "raquet-server ncsc report: %s\n", rq_error_last());
done:
	free(xml);
	rq_store_close(s);
	rq_srv_config_free(&cfg);
	rq_ncsc_sign_shutdown();
	return status;
}
