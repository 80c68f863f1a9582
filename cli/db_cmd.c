/*
 * `raquet db build|info|list|verify` (db_keygen.c does `keygen`): compiling
 * signature sources into a signed .rqdb and inspecting one. Reference:
 * docs/cli.md; format: docs/formats/rqdb.md.
 */
#include "db_cmd.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "cmd_args.h"
#include "core/binbuf.h"
#include "core/limits.h"
#include "core/util.h"
#include "db/rqdb.h"
#include "db/rqdb_build.h"
#include "raquet/raquet.h"

#define MAX_SOURCES 1024
#define MAX_KEYS 64

void db_help(FILE *f)
{
	fputs("Usage: raquet db COMMAND [OPTIONS]\n"
	      "\n"
	      "Commands:\n"
	      "  keygen --out NAME          create a signing key pair: NAME.key (secret) and NAME.pub\n"
	      "  build --name NAME --version N [--key NAME.key] -o FILE.rqdb SOURCE...\n"
	      "                             compile signature files or folders into one database\n"
	      "  info FILE.rqdb [--json]    show the header and whether the signature is trusted\n"
	      "  verify FILE.rqdb           check digests and signature; exit 0 only if trusted\n"
	      "  list FILE.rqdb [--json]    list the signatures with their names and types\n"
	      "\n"
	      "Options:\n"
	      "  --trusted-keys DIR         folder of trusted public keys (*.pub)\n"
	      "                             (default $RAQUET_KEYS, else /etc/raquet/keys)\n"
	      "  --pubkey FILE.pub          trust this public key (repeatable) instead of the folder\n"
	      "  --allow-unsigned           list/info: accept an unsigned or unknown-key database\n"
	      "  --built UNIXTIME           build: the build time to record (default: now)\n"
	      "  --strict                   build: any malformed or unsupported line is fatal\n",
	      f);
}

typedef struct dbopts {
	const char *name, *version, *key, *out, *trusted, *built;
	const char *pubkeys[MAX_KEYS];
	size_t n_pubkeys;
	const char *args[MAX_SOURCES];
	size_t n_args;
	int json, allow_unsigned, strict;
} dbopts;

static int parse(const char *cmd, int argc, char **argv, dbopts *o)
{
	memset(o, 0, sizeof(*o));
	for (int i = 1; i < argc; i++) {
		const char *v = NULL;
		int r;
		if ((r = cmd_arg_value(cmd, argc, argv, &i, "--name", &o->name)) ||
		    (r = cmd_arg_value(cmd, argc, argv, &i, "--version", &o->version)) ||
		    (r = cmd_arg_value(cmd, argc, argv, &i, "--key", &o->key)) ||
		    (r = cmd_arg_value(cmd, argc, argv, &i, "--out", &o->out)) ||
		    (r = cmd_arg_value(cmd, argc, argv, &i, "-o", &o->out)) ||
		    (r = cmd_arg_value(cmd, argc, argv, &i, "--built", &o->built)) ||
		    (r = cmd_arg_value(cmd, argc, argv, &i, "--trusted-keys", &o->trusted))) {
			if (r < 0)
				return -1;
			continue;
		}
		if ((r = cmd_arg_value(cmd, argc, argv, &i, "--pubkey", &v))) {
			if (r < 0)
				return -1;
			if (o->n_pubkeys == MAX_KEYS) {
				fprintf(stderr, "%s: at most %d --pubkey options\n", cmd, MAX_KEYS);
				return -1;
			}
			o->pubkeys[o->n_pubkeys++] = v;
		} else if (!strcmp(argv[i], "--json")) {
			o->json = 1;
		} else if (!strcmp(argv[i], "--allow-unsigned")) {
			o->allow_unsigned = 1;
		} else if (!strcmp(argv[i], "--strict")) {
			o->strict = 1;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			fprintf(stderr, "%s: unknown option '%s' (see 'raquet help db')\n", cmd, argv[i]);
			return -1;
		} else if (o->n_args == MAX_SOURCES) {
			fprintf(stderr, "%s: at most %d sources\n", cmd, MAX_SOURCES);
			return -1;
		} else {
			o->args[o->n_args++] = argv[i];
		}
	}
	return 0;
}

static int load_keys(const char *cmd, const dbopts *o, rq_keyring **ring)
{
	int rc = rq_keyring_new(ring);
	for (size_t i = 0; i < o->n_pubkeys && !rc; i++)
		rc = rq_keyring_add_file(*ring, o->pubkeys[i]);
	if (!rc && !o->n_pubkeys)
		rc = rq_keyring_add_dir(*ring, o->trusted ? o->trusted : rq_keyring_default_dir());
	if (rc)
		fprintf(stderr, "%s: %s\n", cmd, rq_error_last());
	return rc;
}

static int on_warning(const char *file, unsigned line, const char *message, void *payload)
{
	(void)payload;
	if (line)
		fprintf(stderr, "raquet db build: %s:%u: %s\n", file, line, message);
	else
		fprintf(stderr, "raquet db build: %s: %s\n", file, message);
	return 0;
}

static void date_text(int64_t t, char *buf, size_t n)
{
	time_t tt = (time_t)t;
	struct tm tm;
	if (!gmtime_r(&tt, &tm) || !strftime(buf, n, "%d/%m/%Y %H:%M:%S UTC", &tm))
		snprintf(buf, n, "%" PRId64, t);
}

static int cmd_build(int argc, char **argv)
{
	const char *cmd = "raquet db build";
	dbopts o;
	long version = 0, built = 0;
	if (parse(cmd, argc, argv, &o))
		return 2;
	if (!o.name || !o.version || !o.out || !o.n_args) {
		fprintf(stderr, "%s: --name, --version, -o and at least one source are required\n", cmd);
		return 2;
	}
	if (cmd_arg_number(o.version, INT64_MAX, &version) ||
	    (o.built && cmd_arg_number(o.built, INT64_MAX, &built))) {
		fprintf(stderr, "%s: --version and --built take a non-negative whole number\n", cmd);
		return 2;
	}
	rq_signkey *key = NULL;
	if (o.key && rq_signkey_load(&key, o.key)) {
		fprintf(stderr, "%s: %s\n", cmd, rq_error_last());
		return 1;
	}
	if (!o.key)
		fprintf(stderr, "%s: warning: no --key: the database is unsigned and loads only "
				"with --allow-unsigned\n", cmd);
	rq_engine_options eo = { .strict = o.strict, .on_warning = on_warning };
	rq_rqdb_build_opts bo = { o.name, (uint64_t)version, built, key, o.out, &eo };
	rq_rqdb_info info;
	int rc = rq_rqdb_build(&bo, o.args, o.n_args, &info);
	rq_signkey_free(key);
	if (rc) {
		fprintf(stderr, "%s: %s\n", cmd, rq_error_last());
		return 1;
	}
	printf("%s: %s version %" PRIu64 ": %" PRIu64 " hash, %" PRIu64 " allow-list, %" PRIu64
	       " body, %" PRIu64 " YARA signatures, %" PRIu64 " ignored names%s\n",
	       o.out, info.name, info.version, info.hashes, info.allow, info.bodies, info.yara_rules,
	       info.ignored, o.key ? "" : " (unsigned)");
	return 0;
}

/* "trusted", "unsigned", or the refusal; returns 0 when trusted. */
static int check(const uint8_t *data, size_t len, const rq_keyring *ring, char *status, size_t n)
{
	rq_rqdb_trust t;
	int rc = rq_rqdb_verify(data, len, ring, 0, &t);
	if (!rc) {
		snprintf(status, n, "trusted");
		return 0;
	}
	snprintf(status, n, "%s", rq_error_last());
	return rc;
}

/* Options of a command taking exactly one database file: 0, or the exit status 2. */
static int parse_one_file(const char *cmd, int argc, char **argv, dbopts *o)
{
	if (parse(cmd, argc, argv, o))
		return 2;
	if (o->n_args != 1) {
		fprintf(stderr, "%s: give exactly one database file\n", cmd);
		return 2;
	}
	return 0;
}

static int cmd_info(int argc, char **argv, int verify_only)
{
	const char *cmd = verify_only ? "raquet db verify" : "raquet db info";
	dbopts o;
	if (parse_one_file(cmd, argc, argv, &o))
		return 2;
	rq_keyring *ring = NULL;
	uint8_t *data = NULL;
	size_t len = 0;
	int rc = load_keys(cmd, &o, &ring);
	if (!rc && (rc = rq_read_file(o.args[0], (size_t)RQ_RQDB_MAX_SIZE, &data, &len)))
		fprintf(stderr, "%s: %s\n", cmd, rq_error_last());
	if (rc) {
		rq_keyring_free(ring);
		return 1;
	}
	char status[512];
	rq_rqdb_info info;
	int vrc = check(data, len, ring, status, sizeof(status));
	int prc = rq_rqdb_peek(data, len, &info);
	char keyid[2 * RQ_KEYID_LEN + 1] = "";
	if (len >= RQ_SIGTRAILER_LEN)
		rq_hex_encode(keyid, data + len - RQ_SIGTRAILER_LEN + 8, RQ_KEYID_LEN);
	if (verify_only) {
		if (vrc)
			fprintf(stderr, "%s: %s: %s\n", cmd, o.args[0], status);
		else
			printf("%s: trusted (key %s)\n", o.args[0], keyid);
	} else if (prc) {
		fprintf(stderr, "%s: %s: %s\n", cmd, o.args[0], rq_error_last());
	} else if (o.json) {
		json_t *h = json_loadb((const char *)data + 32, rq_le32(data + 12), 0, NULL);
		json_t *out = json_pack("{s:s, s:o, s:s, s:s, s:b, s:I}", "file", o.args[0],
					"header", h ? h : json_null(), "key", keyid, "signature",
					status, "trusted", !vrc, "size", (json_int_t)len);
		char *text = out ? json_dumps(out, JSON_INDENT(2) | JSON_SORT_KEYS) : NULL;
		if (text)
			puts(text);
		free(text);
		json_decref(out);
	} else {
		char when[64];
		date_text(info.built, when, sizeof(when));
		printf("File:       %s (%zu bytes)\n"
		       "Name:       %s\nVersion:    %" PRIu64 "\nBuilt:      %s\nFormat:     %u\n"
		       "Signatures: %" PRIu64 " hash (MD5 %" PRIu64 ", SHA-1 %" PRIu64 ", SHA-256 %" PRIu64
		       ", IOC %" PRIu64 "), %" PRIu64 " body, %" PRIu64 " YARA, %" PRIu64
		       " allow-list, %" PRIu64 " ignored names\n"
		       "Key:        %s\nSignature:  %s\n",
		       o.args[0], len, info.name, info.version, when, info.format, info.hashes, info.md5,
		       info.sha1, info.sha256, info.ioc, info.bodies, info.yara_rules, info.allow,
		       info.ignored, keyid, status);
	}
	free(data);
	rq_keyring_free(ring);
	if (verify_only)
		return vrc ? 1 : 0;
	return prc ? 1 : 0;
}

typedef struct lister {
	int json;
	json_t *arr;
} lister;

static void emit(lister *l, const char *type, const char *name, const char *detail, const char *source)
{
	if (l->json) {
		json_t *o = json_pack("{s:s, s:s, s:s, s:s}", "type", type, "name", name, "detail",
				      detail ? detail : "", "source", source ? source : "");
		if (o)
			json_array_append_new(l->arr, o);
		return;
	}
	printf("%-7s %s%s%s\n", type, name, detail && *detail ? "  " : "", detail ? detail : "");
}

static void on_rule(const char *rule, const char *source, void *payload)
{
	emit(payload, "yara", rule, NULL, source);
}

static int cmd_list(int argc, char **argv)
{
	const char *cmd = "raquet db list";
	dbopts o;
	if (parse_one_file(cmd, argc, argv, &o))
		return 2;
	rq_keyring *ring = NULL;
	rq_rqdb *db = NULL;
	rq_pack pack;
	rq_sigset set;
	if (load_keys(cmd, &o, &ring))
		return 1;
	int rc = rq_rqdb_open(&db, o.args[0], ring, o.allow_unsigned);
	if (!rc)
		rc = rq_rqdb_load_pack(&pack, &set, db, NULL);
	if (rc) {
		fprintf(stderr, "%s: %s\n", cmd, rq_error_last());
		rq_rqdb_close(db);
		rq_keyring_free(ring);
		return 1;
	}
	lister l = { o.json, o.json ? json_array() : NULL };
	static const char *const kinds[] = { "", "md5", "sha1", "", "sha256" };
	const rq_hashidx *idx[2] = { pack.hashes, pack.allow };
	for (int k = 0; k < 2; k++) {
		rq_hashsig s;
		rq_hashhit names;
		for (size_t i = 0; rq_hashidx_entry(idx[k], i, &s, &names); i++) {
			char detail[100], hex[65];
			rq_hex_encode(hex, s.digest, rq_digest_len(s.digest_type));
			if (s.size == RQ_SIZE_ANY)
				snprintf(detail, sizeof(detail), "%s *", hex);
			else
				snprintf(detail, sizeof(detail), "%s %" PRIu64, hex, s.size);
			const char *type = k ? "allow" : rq_sig_type_name((rq_sig_type)s.sig_type);
			if (!k && s.sig_type != RQ_SIG_IOC && s.sig_type != RQ_SIG_BUILTIN)
				type = kinds[s.digest_type & 7];
			emit(&l, type, s.name, detail, s.source);
		}
	}
	for (size_t i = 0; i < set.body_count; i++) {
		const rq_bodysig *b = set.bodies[i];
		if (b->from_yara) {
			if (!b->yara_string)
				emit(&l, "yara", b->name, "native", b->source);
			continue;
		}
		char detail[32];
		snprintf(detail, sizeof(detail), "target %u", b->target);
		emit(&l, "body", b->name, detail, b->source);
	}
	rq_yaradb_each(pack.yara, on_rule, &l);
	for (size_t i = 0; i < set.ignored_count; i++)
		emit(&l, "ignore", set.ignored[i], NULL, NULL);
	if (l.json) {
		char *text = json_dumps(l.arr, JSON_INDENT(2));
		if (text)
			puts(text);
		free(text);
		json_decref(l.arr);
	}
	rq_pack_free_matchers(&pack);
	rq_sigset_free(&set);
	rq_rqdb_close(db);
	rq_keyring_free(ring);
	return 0;
}

int db_main(int argc, char **argv)
{
	if (argc < 2) {
		db_help(stderr);
		return 2;
	}
	const char *sub = argv[1];
	if (!strcmp(sub, "keygen"))
		return db_keygen_main(argc - 1, argv + 1);
	if (!strcmp(sub, "build"))
		return cmd_build(argc - 1, argv + 1);
	if (!strcmp(sub, "info"))
		return cmd_info(argc - 1, argv + 1, 0);
	if (!strcmp(sub, "verify"))
		return cmd_info(argc - 1, argv + 1, 1);
	if (!strcmp(sub, "list"))
		return cmd_list(argc - 1, argv + 1);
	if (!strcmp(sub, "help") || !strcmp(sub, "--help")) {
		db_help(stdout);
		return 0;
	}
	fprintf(stderr, "raquet db: unknown command '%s'\n", sub);
	db_help(stderr);
	return 2;
}
