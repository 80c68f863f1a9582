/*
 * `raquet db keygen --out NAME`: makes an Ed25519 key pair for signing
 * databases and mirror indexes, NAME.key (private, mode 0600) and NAME.pub
 * (public, to copy into the agents' trusted keys folder). Guide: docs/mirror.md.
 */
#include <stdio.h>
#include <string.h>

#include "raquet/errors.h"
#include "core/util.h"
#include "db/sign.h"
#include "db_cmd.h"

static void keygen_help(FILE *f)
{
	fputs("Usage: raquet db keygen --out NAME\n"
	      "\n"
	      "Writes the private key NAME.key (mode 0600; refused if it exists) and the\n"
	      "public key NAME.pub, and prints the key id. Copy NAME.pub into the trusted\n"
	      "keys folder of every agent ($RAQUET_KEYS, else /etc/raquet/keys).\n",
	      f);
}

int db_keygen_main(int argc, char **argv)
{
	const char *out = NULL;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			keygen_help(stdout);
			return 0;
		}
		if (!strcmp(a, "--out") || !strcmp(a, "-o")) {
			if (i + 1 >= argc) {
				fprintf(stderr, "raquet db keygen: %s needs a value\n", a);
				return 2;
			}
			out = argv[++i];
		} else if (!strncmp(a, "--out=", 6)) {
			out = a + 6;
		} else {
			fprintf(stderr, "raquet db keygen: unexpected argument '%s' (see --help)\n", a);
			return 2;
		}
	}
	if (!out || !*out) {
		fputs("raquet db keygen: --out NAME is required\n", stderr);
		return 2;
	}
	char priv[4096], pub[4096];
	if ((size_t)snprintf(priv, sizeof priv, "%s.key", out) >= sizeof priv ||
	    (size_t)snprintf(pub, sizeof pub, "%s.pub", out) >= sizeof pub) {
		fputs("raquet db keygen: name too long\n", stderr);
		return 2;
	}
	rq_signkey *key = NULL;
	int rc = rq_sign_keygen(priv, pub);
	if (rc == 0)
		rc = rq_signkey_load(&key, priv);
	if (rc != 0) {
		fprintf(stderr, "raquet db keygen: %s\n", rq_error_last());
		return 1;
	}
	uint8_t trailer[RQ_SIGTRAILER_LEN];
	char id[2 * RQ_KEYID_LEN + 1];
	rc = rq_sign_trailer(key, (const uint8_t *)"", 0, trailer);
	rq_signkey_free(key);
	if (rc != 0) {
		fprintf(stderr, "raquet db keygen: %s\n", rq_error_last());
		return 1;
	}
	rq_hex_encode(id, trailer + 8, RQ_KEYID_LEN); /* the key id follows the 8-byte magic */
	printf("private key: %s\npublic key:  %s\nkey id:      %s\n", priv, pub, id);
	return 0;
}
