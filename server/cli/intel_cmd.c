/*
 * The `raquet-server intel` operator commands (intel_cmd.h). The store and
 * the [intel]/[mirror] keys come from the configuration file unless given
 * as options; the store is migrated first. Imports are audited as done by
 * "system" from the command line.
 */
#include "cli/intel_cmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config/config.h"
#include "core/error.h"
#include "core/util.h"
#include "intel/import.h"
#include "intel/limits.h"
#include "intel/publish.h"
#include "intel/stix.h"
#include "intel/taxii_pull.h"
#include "store/audit.h"
#include "store/store.h"
#include "store/taxii_pull.h"

static void usage(FILE *f)
{
	fputs("Usage: raquet-server intel import --kind KIND --path PATH [--source NAME] [--confidence N]\n"
	      "                                  [--expires-days N] [--ca-file FILE] [--config FILE] [--store URL]\n"
	      "       raquet-server intel publish [--config FILE] [--store URL]\n"
	      "       raquet-server intel pull [--source NAME] [--from-start] [--config FILE] [--store URL]\n"
	      "  --kind KIND        ioc-list, misp-event, yara, stix-bundle (PATH a file) or misp-feed (PATH a\n"
	      "                     folder holding manifest.json or hashes.csv, e.g. a USB key, or an https:// URL)\n"
	      "  --source NAME      the source the indicators are kept under (default: PATH); for pull, the\n"
	      "                     [taxii-pull NAME] section (default: every enabled one)\n"
	      "  --confidence N     0-100 for every indicator (default: the format's: 50, MISP by threat level)\n"
	      "  --expires-days N   the indicators expire in N days (1-3650; default: their own valid_until,\n"
	      "                     else [intel] max_age after the import, else never)\n"
	      "  --ca-file FILE     CA certificates for an https:// feed (default: the system's)\n"
	      "  publish            compile the indicators and publish the database into [mirror] dir now,\n"
	      "                     signed with [intel] signing_key (the running server does it by itself)\n"
	      "  pull               pull the TAXII collections of the [taxii-pull NAME] sections now, each from\n"
	      "                     where its last pull ended (the running server pulls on schedule by itself)\n"
	      "  --from-start       pull the whole collection again, not only what was added since the last pull\n"
	      "  --config FILE      the server's configuration (default /etc/raquet-server/raquet-server.conf)\n"
	      "  --store URL        the store, overriding the file's\n",
	      f);
}

static int audit_cli(rq_store *s, const rq_intel_result *r, void *payload)
{
	char obj[32], details[512];
	snprintf(obj, sizeof(obj), "%lld", (long long)r->source_id);
	snprintf(details, sizeof(details), "{\"by\":\"cli\",\"kind\":\"%s\",\"indicators\":%zu,\"created\":%zu}",
		 (const char *)payload, r->indicators, r->created);
	rq_audit_entry e = { .at = (int64_t)time(NULL), .actor = "system", .action = "intel.import",
			     .object_type = "intel_source", .object_id = obj, .details_json = details };
	return rq_store_audit_add(s, &e);
}

static int do_import(rq_store *s, const char *kind, const char *path, const char *source, int confidence,
		     const char *ca_file, const rq_intel_expiry *expiry)
{
	uint8_t *data = NULL;
	size_t len = 0;
	rq_intel_result r;
	rq_stix_info stix = { 0 };
	int rc;
	int64_t now = (int64_t)time(NULL);
	if (!strcmp(kind, "misp-feed")) {
		rc = rq_intel_import_feed(s, path, source, confidence, ca_file, expiry, now, audit_cli, (void *)kind,
					  &r);
	} else if (!strcmp(kind, "ioc-list") || !strcmp(kind, "misp-event") || !strcmp(kind, "yara") ||
		   !strcmp(kind, "stix-bundle")) {
		rc = rq_read_file(path, RQ_INTEL_MAX_FILE, &data, &len);
		if (rc == RQ_ELIMIT)
			rc = rq_fail(RQ_ELIMIT, "%s: larger than %llu bytes", path, (unsigned long long)RQ_INTEL_MAX_FILE);
		else if (rc < 0)
			rc = rq_fail(rc, "%s: cannot read", path);
		if (rc == 0 && !strcmp(kind, "stix-bundle"))
			rc = rq_intel_import_stix(s, path, data, len, NULL, source, confidence, expiry, now, audit_cli,
						  (void *)kind, &r, &stix);
		else if (rc == 0)
			rc = rq_intel_import_input(s, kind, path, data, len, source, confidence, expiry, now, audit_cli,
						   (void *)kind, &r);
	} else {
		rc = rq_fail(RQ_EINVAL, "unknown --kind '%s' (ioc-list, misp-event, yara, stix-bundle, misp-feed)",
			     kind);
	}
	if (rc == 0) {
		printf("imported %zu indicators (%zu new, %zu updated) as source %lld", r.indicators, r.created,
		       r.indicators - r.created, (long long)r.source_id);
		if (!strcmp(kind, "misp-feed"))
			printf("; %zu events read, %zu unchanged and skipped", r.events, r.events_skipped);
		if (!strcmp(kind, "stix-bundle"))
			printf("; %zu objects read, %zu of %zu indicator objects skipped", stix.objects, stix.skipped,
			       stix.indicators);
		printf("\n");
		for (size_t i = 0; i < stix.outcome_count; i++)
			if (!stix.outcomes[i].imported && stix.outcomes[i].indicator)
				printf("skipped %s: %s\n", stix.outcomes[i].id, stix.outcomes[i].reason);
	}
	rq_stix_info_free(&stix);
	free(data);
	return rc;
}

static int do_publish(rq_store *s, const rq_srv_config *cfg)
{
	uint64_t version = 0;
	rq_intel_compiled c;
	int rc = rq_srv_config_check_intel(cfg);
	if (rc == 0 && (!*cfg->intel_signing_key || !*cfg->mirror_dir))
		rc = rq_fail(RQ_EINVAL, "[intel] signing_key and [mirror] dir are needed to publish");
	if (rc < 0)
		return rc;
	rq_intel_publish_opts o = { .mirror_dir = cfg->mirror_dir, .key_path = cfg->intel_signing_key,
				    .db_name = cfg->intel_database };
	rc = rq_intel_publish(s, &o, (int64_t)time(NULL), &version, &c);
	if (rc == 0)
		printf("published %s version %llu into %s (%zu hashes, %zu addresses, %zu YARA files, %zu allow-listed)\n",
		       cfg->intel_database, (unsigned long long)version, cfg->mirror_dir, c.hashes, c.addresses, c.yara,
		       c.allowlisted);
	return rc;
}

/* Pull the named source (or every enabled one) now; 0 when all went well. */
static int do_pull(rq_store *s, const rq_srv_config *cfg, const char *name, int from_start)
{
	int rc = 0, failed = 0, any = 0;
	if (name && !rq_srv_config_taxii_pull(cfg, name))
		return rq_fail(RQ_ENOTFOUND, "no [taxii-pull %s] section in the configuration", name);
	if (!cfg->taxii_pull_count)
		return rq_fail(RQ_ENOTFOUND, "no [taxii-pull NAME] section in the configuration");
	for (size_t i = 0; i < cfg->taxii_pull_count; i++) {
		const rq_taxii_pull_cfg *src = &cfg->taxii_pulls[i];
		rq_taxii_pull_result r;
		if (name ? strcmp(src->name, name) : !src->enabled)
			continue;
		any = 1;
		if (from_start && (rc = rq_store_taxii_pull_reset(s, src->name)) < 0)
			return rc;
		rc = rq_taxii_pull_run(s, src, (int64_t)cfg->intel_max_age, NULL, NULL, &r);
		if (rc == 1) {
			printf("%s: another pull of it is running; nothing done\n", src->name);
			failed = 1;
		} else if (rc < 0) {
			fprintf(stderr, "raquet-server intel pull: %s: %s (%zu pages imported before it)\n", src->name,
				rq_error_last(), r.pages);
			failed = 1;
		} else {
			printf("%s: %zu pages, %zu objects, %zu indicators imported (%zu indicator objects skipped)\n",
			       src->name, r.pages, r.objects, r.indicators, r.skipped);
		}
	}
	if (!any)
		return rq_fail(RQ_ENOTFOUND, "every [taxii-pull] section is disabled (enabled = no)");
	return failed ? rq_fail(RQ_ERROR, "not every source was pulled") : 0;
}

int rq_intel_cmd_main(int argc, char **argv)
{
	const char *config = NULL, *store_url = NULL, *kind = NULL, *path = NULL, *source = NULL, *conf = NULL,
		   *ca_file = NULL, *expires = NULL;
	int status = 1, rc, confidence = -1, from_start = 0;
	rq_intel_expiry expiry = { 0 };
	rq_srv_config cfg;
	rq_store *s = NULL;
	memset(&cfg, 0, sizeof(cfg));
	int help = argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"));
	if (argc < 2 || (strcmp(argv[1], "import") && strcmp(argv[1], "publish") && strcmp(argv[1], "pull"))) {
		usage(help ? stdout : stderr);
		return help ? 0 : 2;
	}
	int importing = !strcmp(argv[1], "import"), pulling = !strcmp(argv[1], "pull");
	for (int i = 2; i < argc; i++) {
		const char **slot = NULL;
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage(stdout);
			return 0;
		}
		if (!strcmp(argv[i], "--config"))
			slot = &config;
		else if (!strcmp(argv[i], "--store"))
			slot = &store_url;
		else if (importing && !strcmp(argv[i], "--kind"))
			slot = &kind;
		else if (importing && !strcmp(argv[i], "--path"))
			slot = &path;
		else if ((importing || pulling) && !strcmp(argv[i], "--source"))
			slot = &source;
		else if (importing && !strcmp(argv[i], "--expires-days"))
			slot = &expires;
		else if (pulling && !strcmp(argv[i], "--from-start")) {
			from_start = 1;
			continue;
		}
		else if (importing && !strcmp(argv[i], "--confidence"))
			slot = &conf;
		else if (importing && !strcmp(argv[i], "--ca-file"))
			slot = &ca_file;
		if (!slot || i + 1 >= argc) {
			fprintf(stderr, "raquet-server intel: %s '%s'\n", slot ? "needs a value:" : "unknown option", argv[i]);
			usage(stderr);
			return 2;
		}
		*slot = argv[++i];
	}
	if (importing && (!kind || !path)) {
		fputs("raquet-server intel import: --kind and --path are needed\n", stderr);
		return 2;
	}
	if (conf) {
		char *end = NULL;
		long v = strtol(conf, &end, 10);
		if (end == conf || *end || v < 0 || v > 100) {
			fprintf(stderr, "raquet-server intel import: --confidence: '%s' is not 0-100\n", conf);
			return 2;
		}
		confidence = (int)v;
	}
	if (expires) {
		char *end = NULL;
		long v = strtol(expires, &end, 10);
		if (end == expires || *end || v < 1 || v > RQ_INTEL_MAX_EXPIRY_DAYS) {
			fprintf(stderr, "raquet-server intel import: --expires-days: '%s' is not 1-%d\n", expires,
				RQ_INTEL_MAX_EXPIRY_DAYS);
			return 2;
		}
		expiry.expires_at = (int64_t)time(NULL) + v * 86400;
	}
	if ((rc = rq_srv_config_init(&cfg)) < 0)
		goto fail;
	if (!config && access(RQ_SRV_DEFAULT_CONFIG, F_OK) == 0)
		config = RQ_SRV_DEFAULT_CONFIG;
	if (config && (rc = rq_srv_config_load(&cfg, config)) < 0)
		goto fail;
	if ((rc = rq_store_open(&s, store_url ? store_url : cfg.store_url)) < 0 || (rc = rq_store_migrate(s)) < 0)
		goto fail;
	expiry.max_age = (int64_t)cfg.intel_max_age;
	rc = importing ? do_import(s, kind, path, source, confidence, ca_file, &expiry)
	     : pulling ? do_pull(s, &cfg, source, from_start)
		       : do_publish(s, &cfg);
	if (rc < 0)
		goto fail;
	status = 0;
	goto done;
fail:
	fprintf(stderr, "raquet-server intel %s: %s\n", argv[1], rq_error_last());
done:
	rq_store_close(s);
	rq_srv_config_free(&cfg);
	return status;
}
