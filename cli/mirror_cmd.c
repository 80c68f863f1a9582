/*
 * `raquet mirror publish --dir MIRROR --key KEY FILE.rqdb...`: add signed
 * databases to a mirror folder and re-sign its index (lib/db/mirror.c).
 * Guide: docs/mirror.md; options: docs/cli.md.
 */
#include "update_cmd.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "raquet/errors.h"
#include "cmd_args.h"
#include "db/mirror.h"

#define CMD "raquet mirror publish"

void mirror_help(FILE *f)
{
	fputs("Usage: raquet mirror publish --dir MIRROR --key KEY [OPTIONS] FILE.rqdb...\n"
	      "\n"
	      "Copies signed databases into the mirror folder as NAME-VERSION.rqdb, then\n"
	      "rewrites and signs index.json (index.json.sig). Of each database the new\n"
	      "file and the one listed before are kept. Serve the folder with any web\n"
	      "server, or copy it to a USB key.\n"
	      "\n"
	      "Options:\n"
	      "  --dir MIRROR           the mirror folder (created if missing)\n"
	      "  --key KEY              private key (from 'raquet db keygen') signing index.json\n"
	      "  --trusted-keys DIR     also accept databases signed by these public keys\n"
	      "                         (by default they must be signed by --key)\n"
	      "  --force                publish even a version not newer than the listed one\n"
	      "  -h, --help             print this help\n"
	      "\n"
	      "Exit status: 0 published, 1 refused or failed, 2 usage error. See docs/mirror.md.\n",
	      f);
}

static int usage_error(const char *msg, const char *arg)
{
	fprintf(stderr, CMD ": %s%s%s (see 'raquet help mirror')\n", msg, arg ? ": " : "",
		arg ? arg : "");
	return 2;
}

static void on_published(const rq_mirror_db *db, uint64_t old_version, void *payload)
{
	(void)payload;
	if (old_version)
		printf("%s: %" PRIu64 " -> %" PRIu64 " (%s)\n", db->name, old_version, db->version, db->file);
	else
		printf("%s: new, version %" PRIu64 " (%s)\n", db->name, db->version, db->file);
}

int mirror_main(int argc, char **argv)
{
	const char *dir = NULL, *key_path = NULL, *keys = NULL;
	int force = 0, rc = 0, status = 1;
	const char **files = calloc((size_t)argc + 1, sizeof *files);
	size_t n = 0;
	rq_signkey *key = NULL;
	rq_keyring *trusted = NULL;
	if (!files) {
		fputs(CMD ": out of memory\n", stderr);
		return 1;
	}
	if (argc < 2 || strcmp(argv[1], "publish")) {
		if (argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
			mirror_help(stdout);
			status = 0;
		} else {
			status = usage_error("expected 'raquet mirror publish ...'", argc >= 2 ? argv[1] : NULL);
		}
		goto done;
	}
	for (int i = 2; i < argc; i++) {
		const char *v = NULL;
		int got = cmd_arg_value(CMD, argc, argv, &i, "--dir", &v);
		if (got > 0) {
			dir = v;
			continue;
		}
		if (got == 0 && (got = cmd_arg_value(CMD, argc, argv, &i, "--key", &v)) > 0) {
			key_path = v;
			continue;
		}
		if (got == 0 && (got = cmd_arg_value(CMD, argc, argv, &i, "--trusted-keys", &v)) > 0) {
			keys = v;
			continue;
		}
		if (got < 0) {
			status = 2;
			goto done;
		}
		if (!strcmp(argv[i], "--force")) {
			force = 1;
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			mirror_help(stdout);
			status = 0;
			goto done;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			status = usage_error("unknown option", argv[i]);
			goto done;
		} else {
			files[n++] = argv[i];
		}
	}
	if (!dir || !key_path || n == 0) {
		status = usage_error("--dir, --key and at least one FILE.rqdb are required", NULL);
		goto done;
	}
	rc = rq_signkey_load(&key, key_path);
	if (rc == 0 && keys) {
		rc = rq_keyring_new(&trusted);
		if (rc == 0)
			rc = rq_keyring_add_dir(trusted, keys);
	}
	if (rc == 0)
		rc = rq_mirror_publish(dir, key, trusted, files, n, force, on_published, NULL);
	if (rc != 0)
		fprintf(stderr, CMD ": %s\n", rq_error_last());
	status = rc == 0 ? 0 : 1;
done:
	rq_keyring_free(trusted);
	rq_signkey_free(key);
	free(files);
	return status;
}
