/*
 * `raquet update`: install new signed databases from a mirror (URL or
 * folder) into the database folder, or roll back to the kept previous
 * version. One line (or JSON object) per database. Guide: docs/mirror.md;
 * options: docs/cli.md and raquet-update(1).
 */
#include "update_cmd.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "raquet/errors.h"
#include "cmd_args.h"
#include "db/update.h"

#define CMD "raquet update"
#define DEFAULT_DB_DIR "/var/lib/raquet/sigs"

void update_help(FILE *f)
{
	fputs("Usage: raquet update --mirror URL|DIR [OPTIONS]\n"
	      "       raquet update --rollback [--name NAME] [OPTIONS]\n"
	      "\n"
	      "Installs the databases of a mirror that are newer than the installed ones,\n"
	      "after checking their size, SHA-256 and signature; the replaced version is\n"
	      "kept as NAME.rqdb.prev.\n"
	      "\n"
	      "Options:\n"
	      "  --mirror URL|DIR       http(s):// or file:// URL, or a folder (e.g. a USB key)\n"
	      "  --db-dir DIR           installed databases (default $RAQUET_DB, else " DEFAULT_DB_DIR ")\n"
	      "  --trusted-keys DIR     public keys (*.pub) the mirror must be signed by\n"
	      "                         (default $RAQUET_KEYS, else /etc/raquet/keys)\n"
	      "  --ca FILE              CA certificates (PEM) an https mirror must chain to\n"
	      "                         (default: the system's)\n"
	      "  --allow-downgrade      accept a mirror version older than the installed one\n"
	      "  --rollback             put the kept previous version back (all, or --name)\n"
	      "  --name NAME            with --rollback: only this database\n"
	      "  --json                 one JSON object per database\n"
	      "  --timeout SECS         seconds per download (default 600)\n"
	      "  --retries N            retries of a failed download (default 3)\n"
	      "  -h, --help             print this help\n"
	      "\n"
	      "Exit status: 0 updated or already current, 1 refused or failed, 2 usage error.\n"
	      "See docs/mirror.md.\n",
	      f);
}

typedef struct uopts {
	const char *mirror, *db_dir, *keys, *name, *ca;
	int allow_downgrade, rollback, json;
	long timeout, retries;
} uopts;

static int usage_error(const char *msg, const char *arg)
{
	fprintf(stderr, CMD ": %s%s%s (see 'raquet help update')\n", msg, arg ? ": " : "",
		arg ? arg : "");
	return 2;
}

/* 0 parsed, 1 help printed, 2 usage error. */
static int parse(uopts *o, int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = NULL;
		const char *names[] = { "--mirror", "--db-dir", "--trusted-keys", "--name",
					"--timeout", "--retries", "--ca" };
		int which = -1, got = 0;
		for (int k = 0; k < 7 && !got; k++) {
			got = cmd_arg_value(CMD, argc, argv, &i, names[k], &v);
			which = k;
		}
		if (got < 0)
			return 2;
		if (got) {
			if (which == 0)
				o->mirror = v;
			else if (which == 1)
				o->db_dir = v;
			else if (which == 2)
				o->keys = v;
			else if (which == 3)
				o->name = v;
			else if (which == 4 && (cmd_arg_number(v, 86400, &o->timeout) || !o->timeout))
				return usage_error("--timeout needs 1..86400 seconds", v);
			else if (which == 5 && cmd_arg_number(v, 100, &o->retries))
				return usage_error("--retries needs 0..100", v);
			else if (which == 6)
				o->ca = v;
		} else if (!strcmp(a, "--allow-downgrade")) {
			o->allow_downgrade = 1;
		} else if (!strcmp(a, "--rollback")) {
			o->rollback = 1;
		} else if (!strcmp(a, "--json")) {
			o->json = 1;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			update_help(stdout);
			return 1;
		} else {
			return usage_error(a[0] == '-' ? "unknown option" : "unexpected argument", a);
		}
	}
	if (!o->rollback && !o->mirror)
		return usage_error("--mirror URL|DIR is required", NULL);
	if (o->rollback && o->mirror)
		return usage_error("--rollback takes no --mirror", NULL);
	if (o->name && !o->rollback)
		return usage_error("--name goes with --rollback", NULL);
	if (o->ca && o->rollback)
		return usage_error("--ca goes with --mirror", NULL);
	if (!o->db_dir || !*o->db_dir) {
		const char *env = getenv("RAQUET_DB");
		o->db_dir = env && *env ? env : DEFAULT_DB_DIR;
	}
	if (!o->keys || !*o->keys)
		o->keys = rq_keyring_default_dir();
	return 0;
}

static void print_json(json_t *obj)
{
	char *s = json_dumps(obj, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (s)
		puts(s);
	free(s);
	json_decref(obj);
}

static void on_result(const rq_update_result *r, void *payload)
{
	const uopts *o = payload;
	if (o->json) {
		json_t *obj = json_object();
		json_object_set_new(obj, "name", json_string(r->name));
		json_object_set_new(obj, "status", json_string(rq_update_status_name(r->status)));
		json_object_set_new(obj, "old_version", json_integer((json_int_t)r->old_version));
		json_object_set_new(obj, "new_version", json_integer((json_int_t)r->new_version));
		if (r->reason)
			json_object_set_new(obj, "reason", json_string(r->reason));
		print_json(obj);
		fflush(stdout);
		return;
	}
	switch (r->status) {
	case RQ_UPDATE_CURRENT:
		printf("%s: current (version %" PRIu64 ")\n", r->name, r->old_version);
		break;
	case RQ_UPDATE_INSTALLED:
	case RQ_UPDATE_ROLLED_BACK:
		if (r->old_version)
			printf("%s: %s %" PRIu64 " -> %" PRIu64 "\n", r->name,
			       r->status == RQ_UPDATE_INSTALLED ? "updated" : "rolled back",
			       r->old_version, r->new_version);
		else
			printf("%s: %s %" PRIu64 " (none installed before)\n", r->name,
			       r->status == RQ_UPDATE_INSTALLED ? "installed" : "rolled back to",
			       r->new_version);
		break;
	default:
		printf("%s: %s: %s\n", r->name, rq_update_status_name(r->status),
		       r->reason ? r->reason : "");
		break;
	}
	fflush(stdout);
}

int update_main(int argc, char **argv)
{
	uopts o = { .retries = -1 };
	int st = parse(&o, argc, argv);
	if (st)
		return st == 1 ? 0 : 2;
	rq_keyring *ring = NULL;
	int rc = rq_keyring_new(&ring);
	if (rc == 0)
		rc = rq_keyring_add_dir(ring, o.keys);
	if (rc == 0 && rq_keyring_count(ring) == 0) {
		fprintf(stderr, CMD ": no trusted keys (*.pub) in %s; nothing can be verified\n", o.keys);
		rq_keyring_free(ring);
		return 1;
	}
	if (rc == 0 && o.rollback) {
		rc = rq_update_rollback(o.db_dir, ring, o.name, on_result, &o);
	} else if (rc == 0) {
		rq_update_options uo = { .mirror = o.mirror, .db_dir = o.db_dir, .ring = ring,
					 .allow_downgrade = o.allow_downgrade,
					 .timeout = o.timeout, .retries = (int)o.retries, .ca_file = o.ca };
		rc = rq_update_run(&uo, on_result, &o);
	}
	/* per-database problems were printed by on_result; others are said here */
	if (rc != 0) {
		fprintf(stderr, CMD ": %s\n", rq_error_last());
		if (o.json && rc != RQ_EVERIFY) {
			json_t *obj = json_object();
			json_object_set_new(obj, "status", json_string("failed"));
			json_object_set_new(obj, "reason", json_string(rq_error_last()));
			print_json(obj);
		}
	}
	rq_keyring_free(ring);
	return rc == 0 ? 0 : 1;
}
