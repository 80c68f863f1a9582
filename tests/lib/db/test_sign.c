/*
 * Tests of Ed25519 signing (lib/db/sign.c): key generation and loading,
 * sign/verify round trips, every single flipped byte of data or trailer
 * refused, unknown keys, keys of the wrong type, keyrings from folders and
 * keys from PEM text.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include "testutil.h"
#include "core/limits.h"
#include "core/util.h"
#include "db/sign.h"

static char *tmp;

static int setup(void **state)
{
	tmp = rq_test_tmpdir();
	return 0;
}

static int teardown(void **state)
{
	rq_test_rmtree(tmp);
	free(tmp);
	return 0;
}

/* Make tmp/NAME.key and tmp/NAME.pub; returns the loaded private key. */
static rq_signkey *make_key(const char *name)
{
	char priv[4096], pub[4096];
	snprintf(priv, sizeof priv, "%s/%s.key", tmp, name);
	snprintf(pub, sizeof pub, "%s/%s.pub", tmp, name);
	if (rq_sign_keygen(priv, pub) != 0)
		fail_msg("keygen: %s", rq_error_last());
	rq_signkey *key = NULL;
	if (rq_signkey_load(&key, priv) != 0)
		fail_msg("load: %s", rq_error_last());
	return key;
}

static rq_keyring *ring_of(const char *name)
{
	char pub[4096];
	snprintf(pub, sizeof pub, "%s/%s.pub", tmp, name);
	rq_keyring *ring = NULL;
	assert_int_equal(rq_keyring_new(&ring), 0);
	if (rq_keyring_add_file(ring, pub) != 0)
		fail_msg("add %s: %s", pub, rq_error_last());
	return ring;
}

static void test_keygen_files(void **state)
{
	rq_signkey *key = make_key("k");
	rq_signkey_free(key);
	char priv[4096], pub[4096];
	snprintf(priv, sizeof priv, "%s/k.key", tmp);
	snprintf(pub, sizeof pub, "%s/k.pub", tmp);
	struct stat st;
	assert_int_equal(stat(priv, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	/* PKCS#8 and SPKI PEM */
	uint8_t buf[512];
	FILE *f = fopen(priv, "r");
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = 0;
	assert_non_null(strstr((char *)buf, "-----BEGIN PRIVATE KEY-----"));
	f = fopen(pub, "r");
	n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = 0;
	assert_non_null(strstr((char *)buf, "-----BEGIN PUBLIC KEY-----"));
	/* never overwritten */
	assert_int_not_equal(rq_sign_keygen(priv, pub), 0);
	char other[4096];
	snprintf(other, sizeof other, "%s/other.pub", tmp);
	assert_int_not_equal(rq_sign_keygen(priv, other), 0);
	assert_int_equal(access(other, F_OK), -1);
}

static void test_sign_verify_flips(void **state)
{
	rq_signkey *key = make_key("k");
	rq_keyring *ring = ring_of("k");
	assert_int_equal(rq_keyring_count(ring), 1);
	uint8_t data[200 + RQ_SIGTRAILER_LEN];
	for (size_t i = 0; i < 200; i++)
		data[i] = (uint8_t)(i * 7 + 3);
	assert_int_equal(rq_sign_trailer(key, data, 200, data + 200), 0);
	assert_memory_equal(data + 200, RQ_SIGTRAILER_MAGIC, 8);
	assert_int_equal(rq_keyring_verify(ring, data, 200, data + 200), 0);
	assert_int_equal(rq_keyring_verify_signed(ring, data, sizeof data), 0);
	for (size_t i = 0; i < sizeof data; i++) {
		data[i] ^= 0x01;
		int rc = rq_keyring_verify_signed(ring, data, sizeof data);
		if (rc != RQ_EVERIFY)
			fail_msg("flipped byte %zu accepted (rc %d)", i, rc);
		data[i] ^= 0x01;
	}
	assert_int_equal(rq_keyring_verify_signed(ring, data, sizeof data), 0);
	/* truncated, too short, no trailer */
	assert_int_equal(rq_keyring_verify_signed(ring, data, sizeof data - 1), RQ_EVERIFY);
	assert_int_equal(rq_keyring_verify_signed(ring, data, 79), RQ_EVERIFY);
	assert_non_null(strstr(rq_error_last(), "too short"));
	assert_int_equal(rq_keyring_verify_signed(ring, data, 150), RQ_EVERIFY);
	assert_non_null(strstr(rq_error_last(), "no signature"));
	/* empty data signs too */
	uint8_t t[RQ_SIGTRAILER_LEN];
	assert_int_equal(rq_sign_trailer(key, data, 0, t), 0);
	assert_int_equal(rq_keyring_verify(ring, data, 0, t), 0);
	rq_keyring_free(ring);
	rq_signkey_free(key);
}

static void test_unknown_key(void **state)
{
	rq_signkey *a = make_key("a");
	rq_signkey *b = make_key("b");
	rq_keyring *ring = ring_of("a");
	uint8_t data[32] = "some data", t[RQ_SIGTRAILER_LEN];
	assert_int_equal(rq_sign_trailer(b, data, sizeof data, t), 0);
	assert_int_equal(rq_keyring_verify(ring, data, sizeof data, t), RQ_EVERIFY);
	assert_non_null(strstr(rq_error_last(), "unknown key"));
	/* a trailer naming key a but signed by b: bad signature */
	uint8_t ta[RQ_SIGTRAILER_LEN];
	assert_int_equal(rq_sign_trailer(a, data, sizeof data, ta), 0);
	memcpy(t + 8, ta + 8, RQ_KEYID_LEN);
	assert_int_equal(rq_keyring_verify(ring, data, sizeof data, t), RQ_EVERIFY);
	assert_non_null(strstr(rq_error_last(), "bad signature"));
	/* empty ring and NULL ring */
	rq_keyring *empty = NULL;
	assert_int_equal(rq_keyring_new(&empty), 0);
	assert_int_equal(rq_keyring_verify(empty, data, sizeof data, ta), RQ_EVERIFY);
	assert_int_equal(rq_keyring_verify(NULL, data, sizeof data, ta), RQ_EVERIFY);
	/* trusting the signing key itself */
	assert_int_equal(rq_keyring_add_signkey(empty, a), 0);
	assert_int_equal(rq_keyring_verify(empty, data, sizeof data, ta), 0);
	rq_keyring_free(empty);
	rq_keyring_free(ring);
	rq_signkey_free(a);
	rq_signkey_free(b);
}

static void write_pem(const char *name, EVP_PKEY *pkey, int private)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", tmp, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	if (private)
		assert_int_equal(PEM_write_PrivateKey(f, pkey, NULL, NULL, 0, NULL, NULL), 1);
	else
		assert_int_equal(PEM_write_PUBKEY(f, pkey), 1);
	fclose(f);
}

static void test_wrong_key_type(void **state)
{
	EVP_PKEY *rsa = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
	assert_non_null(rsa);
	write_pem("rsa.key", rsa, 1);
	write_pem("rsa.pub", rsa, 0);
	EVP_PKEY_free(rsa);
	char path[4096];
	rq_signkey *key = NULL;
	snprintf(path, sizeof path, "%s/rsa.key", tmp);
	assert_int_equal(rq_signkey_load(&key, path), RQ_EUNSUPPORTED);
	assert_null(key);
	assert_non_null(strstr(rq_error_last(), "not an Ed25519 key (RSA)"));
	rq_keyring *ring = NULL;
	assert_int_equal(rq_keyring_new(&ring), 0);
	snprintf(path, sizeof path, "%s/rsa.pub", tmp);
	assert_int_equal(rq_keyring_add_file(ring, path), RQ_EUNSUPPORTED);
	assert_non_null(strstr(rq_error_last(), "not an Ed25519 key (RSA)"));
	/* garbage, missing file, a public key given as private */
	free(rq_test_write(tmp, "junk.pub", "hello\n", 6));
	snprintf(path, sizeof path, "%s/junk.pub", tmp);
	assert_int_equal(rq_keyring_add_file(ring, path), RQ_EPARSE);
	snprintf(path, sizeof path, "%s/missing.pub", tmp);
	assert_int_not_equal(rq_keyring_add_file(ring, path), 0);
	rq_signkey_free(make_key("ed"));
	snprintf(path, sizeof path, "%s/ed.pub", tmp);
	assert_int_equal(rq_signkey_load(&key, path), RQ_EPARSE);
	assert_int_equal(rq_keyring_count(ring), 0);
	rq_keyring_free(ring);
}

static void test_keyring_dir(void **state)
{
	char dir[4096], cmd[8300];
	snprintf(dir, sizeof dir, "%s/keys", tmp);
	rq_keyring *ring = NULL;
	assert_int_equal(rq_keyring_new(&ring), 0);
	/* a missing folder adds nothing */
	assert_int_equal(rq_keyring_add_dir(ring, dir), 0);
	assert_int_equal(rq_keyring_count(ring), 0);
	assert_int_equal(mkdir(dir, 0755), 0);
	rq_signkey *a = make_key("keys/a");
	rq_signkey *b = make_key("keys/b");
	rq_signkey *c = make_key("c"); /* not in the folder */
	/* not *.pub: ignored; the same key twice counts once */
	free(rq_test_write(dir, "notes.txt", "x", 1));
	snprintf(cmd, sizeof cmd, "cp '%s/keys/a.pub' '%s/keys/a-copy.pub'", tmp, tmp);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(rq_keyring_add_dir(ring, dir), 0);
	assert_int_equal(rq_keyring_count(ring), 2);
	uint8_t data[10] = "0123456789", t[RQ_SIGTRAILER_LEN];
	assert_int_equal(rq_sign_trailer(a, data, sizeof data, t), 0);
	assert_int_equal(rq_keyring_verify(ring, data, sizeof data, t), 0);
	assert_int_equal(rq_sign_trailer(b, data, sizeof data, t), 0);
	assert_int_equal(rq_keyring_verify(ring, data, sizeof data, t), 0);
	assert_int_equal(rq_sign_trailer(c, data, sizeof data, t), 0);
	assert_int_equal(rq_keyring_verify(ring, data, sizeof data, t), RQ_EVERIFY);
	/* a bad .pub in the folder is an error naming the file */
	free(rq_test_write(dir, "bad.pub", "nope", 4));
	rq_keyring *ring2 = NULL;
	assert_int_equal(rq_keyring_new(&ring2), 0);
	assert_int_equal(rq_keyring_add_dir(ring2, dir), RQ_EPARSE);
	assert_non_null(strstr(rq_error_last(), "bad.pub"));
	rq_keyring_free(ring2);
	rq_keyring_free(ring);
	rq_signkey_free(a);
	rq_signkey_free(b);
	rq_signkey_free(c);
}

/* A key from PEM text, as agents check the keys the server hands out. */
static void test_keyring_pem(void **state)
{
	char path[4096];
	uint8_t *pem = NULL;
	size_t len = 0;
	rq_signkey_free(make_key("m"));
	snprintf(path, sizeof path, "%s/m.pub", tmp);
	assert_int_equal(rq_read_file(path, 1 << 16, &pem, &len), 0);
	rq_keyring *ring = NULL;
	assert_int_equal(rq_keyring_new(&ring), 0);
	assert_int_equal(rq_keyring_add_pem(ring, pem, len, "m.pub"), 0); /* not NUL-terminated: fine */
	assert_int_equal(rq_keyring_count(ring), 1);
	assert_int_equal(rq_keyring_add_pem(ring, "no key\n", 7, "evil.pub"), RQ_EPARSE);
	assert_non_null(strstr(rq_error_last(), "evil.pub: not a PEM public key"));
	assert_int_equal(rq_keyring_add_pem(ring, pem, (size_t)RQ_MAX_KEY_FILE + 1, "big.pub"), RQ_ELIMIT);
	assert_int_equal(rq_keyring_count(ring), 1);
	rq_keyring_free(ring);
	free(pem);
}

static void test_default_dir(void **state)
{
	setenv("RAQUET_KEYS", "/x/keys", 1);
	assert_string_equal(rq_keyring_default_dir(), "/x/keys");
	unsetenv("RAQUET_KEYS");
	assert_string_equal(rq_keyring_default_dir(), "/etc/raquet/keys");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_keygen_files, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sign_verify_flips, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_key, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wrong_key_type, setup, teardown),
		cmocka_unit_test_setup_teardown(test_keyring_dir, setup, teardown),
		cmocka_unit_test_setup_teardown(test_keyring_pem, setup, teardown),
		cmocka_unit_test_setup_teardown(test_default_dir, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
