/*
 * Tests of [mirror] keys loading (server/config/mirror_keys.c): the keys of
 * a folder in name order with their digest and JSON form; hidden and other
 * files skipped; an empty folder, a file that is no key, a name agents
 * refuse, non-ASCII text, a file or a count over the limits refused with
 * the file named; and the error of the configuration names its line.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config/config.h"
#include "config/limits.h"
#include "config/mirror_keys.h"
#include "core/util.h"
#include "db/keyfiles.h"
#include "db/sign.h"
#include "../../agent/tmpdir_fixture.h" /* tmp, setup, teardown: the same scratch folder fixture */

/* A key pair DIR/NAME.pub (+ .key); DIR made when missing. */
static void keygen(const char *dir, const char *name)
{
	char d[4096], priv[4300], pub[4200];
	snprintf(d, sizeof(d), "%s/%s", tmp, dir);
	mkdir(d, 0755);
	snprintf(priv, sizeof(priv), "%s/%s-%s.key", tmp, dir, name); /* the private half out of the folder */
	snprintf(pub, sizeof(pub), "%s/%s.pub", d, name);
	assert_int_equal(rq_sign_keygen(priv, pub), 0);
}

static int load(rq_mirror_keys **out, const char *dir)
{
	char d[4096];
	snprintf(d, sizeof(d), "%s/%s", tmp, dir);
	return rq_mirror_keys_load(out, d);
}

static void test_load(void **state)
{
	keygen("keys", "zeta");
	keygen("keys", "alpha");
	free(rq_test_write(tmp, "keys/notes.txt", "not a key", 9));
	free(rq_test_write(tmp, "keys/.old.pub", "hidden: skipped", 15));
	rq_mirror_keys *k = NULL;
	assert_int_equal(load(&k, "keys"), 0);
	assert_int_equal(rq_mirror_keys_count(k), 2);
	json_t *o = rq_mirror_keys_json(k);
	assert_int_equal(json_object_size(o), 2);
	/* the digest is the one agents compute over what they receive */
	const char *names[2] = { "zeta.pub", "alpha.pub" }, *texts[2];
	size_t lens[2];
	for (int i = 0; i < 2; i++) {
		texts[i] = json_string_value(json_object_get(o, names[i]));
		assert_non_null(texts[i]);
		assert_non_null(strstr(texts[i], "BEGIN PUBLIC KEY"));
		lens[i] = strlen(texts[i]);
	}
	char want[RQ_KEYFILES_DIGEST_HEX + 1];
	assert_int_equal(rq_keyfiles_digest(want, names, texts, lens, 2), 0);
	assert_string_equal(rq_mirror_keys_digest(k), want);
	json_decref(o);
	rq_mirror_keys_free(k);
	rq_mirror_keys_free(NULL);
	assert_int_equal(rq_mirror_keys_count(NULL), 0);
}

/* load(dir) fails with `rc` and a message holding `text`. */
static void refused(const char *dir, int rc, const char *text)
{
	rq_mirror_keys *k = (rq_mirror_keys *)1;
	assert_int_equal(load(&k, dir), rc);
	assert_null(k);
	if (!strstr(rq_error_last(), text))
		fail_msg("'%s' not in: %s", text, rq_error_last());
}

static void test_refused(void **state)
{
	refused("missing", RQ_EIO, "missing");
	char empty[4200];
	snprintf(empty, sizeof(empty), "%s/empty", tmp);
	assert_int_equal(mkdir(empty, 0755), 0);
	refused("empty", RQ_EINVAL, "no public key");
	keygen("bad", "good");
	free(rq_test_write(tmp, "bad/oops.pub", "not a key\n", 10));
	refused("bad", RQ_EPARSE, "oops.pub: not a PEM public key");
	keygen("name", "good");
	free(rq_test_write(tmp, "name/b@d.pub", "x", 1));
	refused("name", RQ_EINVAL, "b@d.pub: agents accept only names");
	keygen("utf", "good");
	free(rq_test_write(tmp, "utf/x.pub", "k\xc3\xb3\n", 4));
	refused("utf", RQ_EPARSE, "x.pub: not a PEM text file");
	keygen("big", "good");
	char *big = calloc(1, RQ_SRV_MAX_MIRROR_KEY_FILE + 1);
	memset(big, 'A', RQ_SRV_MAX_MIRROR_KEY_FILE + 1);
	free(rq_test_write(tmp, "big/big.pub", big, RQ_SRV_MAX_MIRROR_KEY_FILE + 1));
	free(big);
	refused("big", RQ_ELIMIT, "big.pub: larger than a public key file");
	for (int i = 0; i <= RQ_SRV_MAX_MIRROR_KEYS; i++) {
		char name[32];
		snprintf(name, sizeof(name), "k%02d", i);
		keygen("many", name);
	}
	refused("many", RQ_ELIMIT, "more than 32 keys");
}

/* The configuration names the line that set [mirror] keys; empty: nothing loaded. */
static void test_config(void **state)
{
	rq_srv_config cfg;
	char text[4400];
	assert_int_equal(rq_srv_config_init(&cfg), 0);
	assert_int_equal(rq_srv_config_load_keys(&cfg), 0);
	assert_null(cfg.mirror_keys);
	snprintf(text, sizeof(text), "[mirror]\n\nkeys = %s/nowhere\n", tmp);
	assert_int_equal(rq_srv_config_parse(&cfg, "t.conf", text, strlen(text)), 0);
	assert_int_equal(rq_srv_config_load_keys(&cfg), RQ_EIO);
	assert_non_null(strstr(rq_error_last(), "t.conf:3: [mirror] keys: "));
	rq_srv_config_free(&cfg);
	keygen("cfg", "province");
	assert_int_equal(rq_srv_config_init(&cfg), 0);
	snprintf(text, sizeof(text), "[mirror]\nkeys = %s/cfg\n", tmp);
	assert_int_equal(rq_srv_config_parse(&cfg, "t.conf", text, strlen(text)), 0);
	assert_int_equal(rq_srv_config_load_keys(&cfg), 0);
	assert_int_equal(rq_mirror_keys_count(cfg.mirror_keys), 1);
	rq_srv_config_free(&cfg); /* frees the keys too */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_load, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_config, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
