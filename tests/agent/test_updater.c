/*
 * Tests of the agent's signature updates (agent/updater.c) against a real
 * raquet-server serving a published mirror over HTTPS (`tls-init` files):
 * installed with the enrollment's CA and pin and verifying, current on the
 * next run, a newer version installed; a wrong CA, a wrong pin, an unknown
 * signing key refused with nothing changed; the configured mirror (a folder,
 * the server's own URL), no keys, not enrolled, a stop request.
 * raquet-server is found beside the test's build folder, or with $RQ_SERVER.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <openssl/x509.h>

#include "testutil.h"
#include "core/util.h"
#include "db/dbfs.h"
#include "db/mirror.h"
#include "db/rqdb.h"
#include "db/sign.h"
#include "updater.h"

static char *tmp;
static char server_bin[4096], mirror[4096], keydir[4096], dbdir[4096], url[128];
static rq_signkey *key, *evil;
static rq_keyring *ring;
static pid_t server_pid;
static rq_agent_config cfg;
static rq_agent_state st;

static char *path_of(const char *name)
{
	char *p = NULL;
	if (asprintf(&p, "%s/%s", tmp, name) < 0)
		fail_msg("asprintf");
	return p;
}

/* raquet-server: $RQ_SERVER, else beside this test's build folder. */
static void find_server(void)
{
	const char *env = getenv("RQ_SERVER");
	if (env && *env) {
		snprintf(server_bin, sizeof(server_bin), "%s", env);
		return;
	}
	char exe[2048];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	assert_true(n > 0);
	exe[n] = '\0';
	for (int up = 0; up < 4; up++) {
		char *slash = strrchr(exe, '/');
		if (!slash)
			break;
		*slash = '\0';
		snprintf(server_bin, sizeof(server_bin), "%s/raquet-server", exe);
		if (access(server_bin, X_OK) == 0)
			return;
	}
	fail_msg("raquet-server not found beside the build folder: build it, or set RQ_SERVER");
}

/* Run raquet-server with `args` (NULL-terminated), output to tmp/cmd.log; its exit status. */
static int run_server_cmd(const char *const *args)
{
	char *log = path_of("cmd.log");
	pid_t pid = fork();
	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);
		dup2(fd, 1);
		dup2(fd, 2);
		char *argv[16] = { server_bin };
		for (int i = 0; args[i] && i < 14; i++)
			argv[i + 1] = (char *)args[i];
		execv(server_bin, argv);
		_exit(127);
	}
	int status = 0;
	waitpid(pid, &status, 0);
	free(log);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* The server on a free loopback port, HTTPS with tls/, serving tmp/mirror at /mirror. */
static void server_start(void)
{
	char *log = path_of("server.log"), *store = NULL, *cert = path_of("tls/server.crt"),
	     *tkey = path_of("tls/server.key");
	assert_true(asprintf(&store, "sqlite:%s/store.sqlite", tmp) > 0);
	server_pid = fork();
	if (server_pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		dup2(fd, 1); /* the first start prints the administrator's password */
		dup2(fd, 2);
		execl(server_bin, server_bin, "--foreground", "--listen", "127.0.0.1:0", "--store", store,
		      "--mirror-dir", mirror, "--tls-cert", cert, "--tls-key", tkey, (char *)NULL);
		_exit(127);
	}
	int port = 0;
	for (int i = 0; i < 200 && !port; i++) {
		char line[1024];
		FILE *f = fopen(log, "r");
		while (f && fgets(line, sizeof(line), f)) {
			const char *p = strstr(line, "listening on https://127.0.0.1:");
			if (p)
				port = atoi(p + strlen("listening on https://127.0.0.1:"));
		}
		if (f)
			fclose(f);
		if (!port)
			usleep(50 * 1000);
	}
	if (!port)
		fail_msg("raquet-server did not start (see %s)", log);
	snprintf(url, sizeof(url), "https://127.0.0.1:%d", port);
	free(log);
	free(store);
	free(cert);
	free(tkey);
}

/* "sha256//BASE64" of the public key of a PEM certificate file. */
static void pin_of(const char *cert_name, char out[RQ_AGENT_PIN_LEN + 1])
{
	char *path = path_of(cert_name);
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	X509 *x = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	assert_non_null(x);
	unsigned char *der = NULL, md[SHA256_DIGEST_LENGTH], b64[64];
	int len = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(x), &der);
	assert_true(len > 0);
	SHA256(der, (size_t)len, md);
	EVP_EncodeBlock(b64, md, (int)sizeof(md));
	snprintf(out, RQ_AGENT_PIN_LEN + 1, "sha256//%.44s", (const char *)b64);
	OPENSSL_free(der);
	X509_free(x);
	free(path);
}

static rq_signkey *new_key(const char *name, int trusted)
{
	char priv[8300], pub[8300];
	snprintf(priv, sizeof(priv), "%s/%s.key", tmp, name);
	snprintf(pub, sizeof(pub), "%s/%s.pub", trusted ? keydir : tmp, name);
	assert_int_equal(rq_sign_keygen(priv, pub), 0);
	rq_signkey *k = NULL;
	assert_int_equal(rq_signkey_load(&k, priv), 0);
	return k;
}

static int setup(void **state)
{
	find_server();
	tmp = rq_test_tmpdir();
	snprintf(mirror, sizeof(mirror), "%s/mirror", tmp);
	snprintf(keydir, sizeof(keydir), "%s/keys", tmp);
	assert_int_equal(mkdir(keydir, 0755), 0);
	assert_int_equal(mkdir(mirror, 0755), 0);
	key = new_key("prov", 1);
	evil = new_key("evil", 0);
	assert_int_equal(rq_keyring_new(&ring), 0);
	assert_int_equal(rq_keyring_add_dir(ring, keydir), 0);
	char *tls = path_of("tls"), *other = path_of("other");
	const char *init_tls[] = { "tls-init", "--dir", tls, "--host", "127.0.0.1", NULL };
	const char *init_other[] = { "tls-init", "--dir", other, "--host", "127.0.0.1", NULL };
	assert_int_equal(run_server_cmd(init_tls), 0);
	assert_int_equal(run_server_cmd(init_other), 0);
	free(tls);
	free(other);
	server_start();

	/* an agent enrolled with this server: its CA and pinned key */
	rq_agent_config_defaults(&cfg);
	snprintf(cfg.state_dir, sizeof(cfg.state_dir), "%s/state", tmp);
	assert_int_equal(rq_agent_state_dir_make(cfg.state_dir), 0); /* as enrollment leaves it */
	snprintf(cfg.trusted_keys, sizeof(cfg.trusted_keys), "%s", keydir);
	rq_agent_config_db_dir(&cfg, dbdir, sizeof(dbdir));
	memset(&st, 0, sizeof(st));
	snprintf(st.server_url, sizeof(st.server_url), "%s", url);
	snprintf(st.ca_file, sizeof(st.ca_file), "%s/tls/ca.crt", tmp);
	pin_of("tls/server.crt", st.pin);
	setenv("RQ_UPDATE_BACKOFF_MS", "10", 1);
	return 0;
}

static int teardown(void **state)
{
	if (server_pid > 0) {
		kill(server_pid, SIGKILL);
		waitpid(server_pid, NULL, 0);
		server_pid = 0;
	}
	rq_keyring_free(ring);
	rq_signkey_free(key);
	rq_signkey_free(evil);
	rq_test_rmtree(tmp);
	free(tmp);
	return 0;
}

/* A real database tmp/NAME-VERSION.rqdb signed by k; the path, malloc'd. */
static char *make_db(const char *name, uint64_t version, rq_signkey *k)
{
	char file[256], header[512];
	snprintf(file, sizeof(file), "%s-%llu.rqdb", name, (unsigned long long)version);
	char *path = path_of(file);
	snprintf(header, sizeof(header),
		 "{\"name\":\"%s\",\"version\":%llu,\"built\":%llu,\"counts\":{},\"sources\":[]}", name,
		 (unsigned long long)version, 1700000000ULL + version);
	uint8_t data[3000];
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 31 + version);
	rq_rqdb_part part = { 99, data, sizeof(data) };
	if (rq_rqdb_write(path, header, &part, 1, k) != 0)
		fail_msg("write %s: %s", path, rq_error_last());
	return path;
}

/* Publish NAME-VERSION signed by `db_key` into the mirror, the index signed by `index_key`. */
static void publish(const char *name, uint64_t version, rq_signkey *db_key, rq_signkey *index_key)
{
	char *db = make_db(name, version, db_key);
	const char *files[1] = { db };
	rq_keyring *also = NULL; /* the publisher re-publishes what db_key signed */
	assert_int_equal(rq_keyring_new(&also), 0);
	assert_int_equal(rq_keyring_add_signkey(also, db_key), 0);
	if (rq_mirror_publish(mirror, index_key, also, files, 1, 0, NULL, NULL) != 0)
		fail_msg("publish %s: %s", db, rq_error_last());
	rq_keyring_free(also);
	free(db);
}

/* Version of the installed dbdir/NAME.rqdb verified with the trusted keys; 0 if none or bad. */
static uint64_t installed(const char *name)
{
	char file[128];
	rq_mapped m;
	rq_rqdb_info info;
	uint64_t v = 0;
	snprintf(file, sizeof(file), "%s.rqdb", name);
	int dirfd = open(dbdir, O_RDONLY | O_DIRECTORY);
	if (dirfd >= 0 && rq_map_at(&m, dirfd, file, 1ULL << 32) == 0) {
		if (rq_rqdb_verify(m.data, m.len, ring, 0, NULL) == 0 && rq_rqdb_peek(m.data, m.len, &info) == 0)
			v = info.version;
		rq_unmap(&m);
	}
	if (dirfd >= 0)
		close(dirfd);
	return v;
}

/* The database folder's names and sizes, to see that nothing changed. */
static char *listing(void)
{
	char cmd[8300], *out = calloc(1, 8192);
	snprintf(cmd, sizeof(cmd), "cd '%s' 2>/dev/null && ls -lA --time-style=+%%s.%%N | grep -v update.lock", dbdir);
	FILE *p = popen(cmd, "r");
	size_t n = fread(out, 1, 8191, p);
	out[n] = '\0';
	pclose(p);
	return out;
}

static const char *db_field(const rq_agent_update_report *r, size_t i, const char *field)
{
	return json_string_value(json_object_get(json_array_get(r->databases, i), field));
}

static long long db_number(const rq_agent_update_report *r, size_t i, const char *field)
{
	return json_integer_value(json_object_get(json_array_get(r->databases, i), field));
}

static int update(rq_agent_update_report *r)
{
	return rq_agent_update(&cfg, &st, NULL, r);
}

static void test_from_server(void **state)
{
	rq_agent_update_report r;
	char want[512];
	publish("main", 1, key, key);
	if (update(&r) != 0)
		fail_msg("update: %s", r.error);
	snprintf(want, sizeof(want), "%s/mirror", url);
	assert_string_equal(r.mirror, want);
	assert_int_equal(r.server_trust, 1);
	assert_int_equal(r.installed, 1);
	assert_int_equal(r.current + r.refused + r.failed, 0);
	assert_int_equal(json_array_size(r.databases), 1);
	assert_string_equal(db_field(&r, 0, "name"), "main");
	assert_string_equal(db_field(&r, 0, "status"), "updated");
	assert_int_equal(db_number(&r, 0, "old_version"), 0);
	assert_int_equal(db_number(&r, 0, "new_version"), 1);
	assert_null(json_object_get(json_array_get(r.databases, 0), "reason"));
	assert_string_equal(r.error, "");
	/* the file served, byte for byte, and it verifies */
	assert_int_equal(installed("main"), 1);
	char *served = NULL, *got = NULL;
	assert_true(asprintf(&served, "cmp -s '%s/main-1.rqdb' '%s/main.rqdb'", mirror, dbdir) > 0);
	assert_int_equal(system(served), 0);
	free(served);

	/* the report as the event's payload / the task's result */
	json_t *j = rq_agent_update_report_json(&r);
	assert_non_null(j);
	got = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	snprintf(want, sizeof(want),
		 "{\"current\":0,\"databases\":[{\"name\":\"main\",\"new_version\":1,\"old_version\":0,"
		 "\"status\":\"updated\"}],\"failed\":0,\"installed\":1,\"mirror\":\"%s/mirror\","
		 "\"refused\":0,\"server_trust\":true}",
		 url);
	assert_string_equal(got, want);
	free(got);
	json_decref(j);
	rq_agent_update_report_clear(&r);
	assert_null(r.databases);

	/* again: current, nothing changed */
	char *before = listing();
	assert_int_equal(update(&r), 0);
	assert_int_equal(r.current, 1);
	assert_int_equal(r.installed, 0);
	assert_string_equal(db_field(&r, 0, "status"), "current");
	char *after = listing();
	assert_string_equal(before, after);
	free(before);
	free(after);
	rq_agent_update_report_clear(&r);

	/* a newer version published: installed, the previous one kept */
	publish("main", 2, key, key);
	publish("daily", 7, key, key);
	assert_int_equal(update(&r), 0);
	assert_int_equal(r.installed, 2);
	assert_string_equal(db_field(&r, 1, "name"), "main"); /* the index's order: by name */
	assert_int_equal(db_number(&r, 1, "old_version"), 1);
	assert_int_equal(db_number(&r, 1, "new_version"), 2);
	assert_int_equal(installed("main"), 2);
	assert_int_equal(installed("daily"), 7);
	assert_true(asprintf(&got, "%s/main.rqdb.prev", dbdir) > 0);
	assert_int_equal(access(got, F_OK), 0);
	free(got);
	rq_agent_update_report_clear(&r);
}

/* One refused run: `rc`, the error containing `want`, the database folder untouched. */
static void refused_run(int rc, const char *want)
{
	rq_agent_update_report r;
	char *before = listing();
	struct timespec t0, t1;
	unsetenv("RQ_UPDATE_BACKOFF_MS"); /* the real delays: a retry would show */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	int got = update(&r);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	setenv("RQ_UPDATE_BACKOFF_MS", "10", 1);
	assert_int_equal(got, rc);
	if (!strstr(r.error, want))
		fail_msg("'%s' not in '%s'", want, r.error);
	assert_int_equal(r.installed + r.current + r.refused + r.failed, 0);
	assert_int_equal(json_array_size(r.databases), 0);
	char *after = listing();
	assert_string_equal(before, after);
	/* a certificate refused once is not tried again (retries would take 7 s) */
	if (t1.tv_sec - t0.tv_sec >= 4)
		fail_msg("refused after %ld s: retried?", (long)(t1.tv_sec - t0.tv_sec));
	free(before);
	free(after);
	rq_agent_update_report_clear(&r);
}

static void test_wrong_ca_or_pin(void **state)
{
	rq_agent_update_report r;
	publish("main", 1, key, key);
	assert_int_equal(update(&r), 0);
	rq_agent_update_report_clear(&r);
	publish("main", 2, key, key);
	char right_ca[PATH_MAX], right_pin[sizeof(st.pin)];
	memcpy(right_ca, st.ca_file, sizeof(right_ca));
	memcpy(right_pin, st.pin, sizeof(right_pin));

	/* another CA: the server's certificate does not chain to it */
	snprintf(st.ca_file, sizeof(st.ca_file), "%s/other/ca.crt", tmp);
	refused_run(RQ_EVERIFY, "certificate did not verify");
	/* agent.conf's [server] ca_file wins over the enrollment's, as for the API calls */
	memcpy(st.ca_file, right_ca, sizeof(right_ca));
	snprintf(cfg.ca_file, sizeof(cfg.ca_file), "%s/other/ca.crt", tmp);
	refused_run(RQ_EVERIFY, "certificate did not verify");
	cfg.ca_file[0] = '\0';

	/* the right CA, another key pinned: a new server key under the same CA */
	pin_of("other/server.crt", st.pin);
	refused_run(RQ_EVERIFY, "certificate did not verify");
	assert_int_equal(installed("main"), 1);

	memcpy(st.pin, right_pin, sizeof(right_pin));
	assert_int_equal(update(&r), 0);
	assert_int_equal(installed("main"), 2);
	rq_agent_update_report_clear(&r);
}

static void test_unknown_key(void **state)
{
	rq_agent_update_report r;
	/* a database signed by a key the agent does not trust, listed by a trusted index */
	publish("daily", 3, key, key);
	publish("main", 5, evil, key);
	assert_int_equal(update(&r), RQ_EVERIFY);
	assert_int_equal(r.installed, 1);
	assert_int_equal(r.refused, 1);
	assert_string_equal(db_field(&r, 1, "name"), "main");
	assert_string_equal(db_field(&r, 1, "status"), "refused");
	assert_int_equal(db_number(&r, 1, "new_version"), 5);
	if (!strstr(db_field(&r, 1, "reason"), "unknown key"))
		fail_msg("reason: %s", db_field(&r, 1, "reason"));
	assert_int_equal(installed("daily"), 3);
	assert_int_equal(installed("main"), 0);
	char *part = NULL;
	assert_true(asprintf(&part, "%s/main.rqdb", dbdir) > 0);
	assert_int_not_equal(access(part, F_OK), 0);
	free(part);
	rq_agent_update_report_clear(&r);

	/* the whole mirror signed by an unknown key: its index is refused */
	publish("daily", 4, key, evil);
	refused_run(RQ_EVERIFY, "unknown key");
	assert_int_equal(installed("daily"), 3);
}

static void test_configured_mirror(void **state)
{
	rq_agent_update_report r;
	publish("main", 1, key, key);
	/* a folder (a USB key): no server trust involved */
	snprintf(cfg.update_mirror, sizeof(cfg.update_mirror), "%s", mirror);
	assert_int_equal(update(&r), 0);
	assert_int_equal(r.server_trust, 0);
	assert_string_equal(r.mirror, mirror);
	assert_int_equal(installed("main"), 1);
	rq_agent_update_report_clear(&r);

	/* the server's own address written out (a password in it is not reported) */
	publish("main", 2, key, key);
	snprintf(cfg.update_mirror, sizeof(cfg.update_mirror), "https://user:secret@%s/mirror/", url + 8);
	assert_int_equal(update(&r), 0);
	assert_int_equal(r.server_trust, 1);
	assert_null(strstr(r.mirror, "secret"));
	assert_int_equal(installed("main"), 2);
	rq_agent_update_report_clear(&r);

	/* another origin (the same server by another name): the system's CAs, which do not know it */
	publish("main", 3, key, key);
	snprintf(cfg.update_mirror, sizeof(cfg.update_mirror), "https://localhost:%s/mirror", strrchr(url, ':') + 1);
	refused_run(RQ_EVERIFY, "certificate did not verify");
	rq_agent_update(&cfg, &st, NULL, &r);
	assert_int_equal(r.server_trust, 0);
	rq_agent_update_report_clear(&r);

	/* not enrolled: only a configured mirror can be used */
	snprintf(cfg.update_mirror, sizeof(cfg.update_mirror), "%s", mirror);
	assert_int_equal(rq_agent_update(&cfg, NULL, NULL, &r), 0);
	assert_int_equal(installed("main"), 3);
	rq_agent_update_report_clear(&r);
	cfg.update_mirror[0] = '\0';
	assert_int_equal(rq_agent_update(&cfg, NULL, NULL, &r), RQ_EINVAL);
	if (!strstr(r.error, "not enrolled"))
		fail_msg("error: %s", r.error);
	assert_string_equal(r.mirror, "");
	rq_agent_update_report_clear(&r);
}

static void test_no_keys(void **state)
{
	publish("main", 1, key, key);
	snprintf(cfg.trusted_keys, sizeof(cfg.trusted_keys), "%s/none", tmp);
	refused_run(RQ_ENOTFOUND, "no trusted keys");
	/* the default folder is the engine's */
	cfg.trusted_keys[0] = '\0';
	setenv("RAQUET_KEYS", keydir, 1);
	assert_string_equal(rq_agent_config_keys_dir(&cfg), keydir);
	rq_agent_update_report r;
	assert_int_equal(update(&r), 0);
	assert_int_equal(installed("main"), 1);
	rq_agent_update_report_clear(&r);
	unsetenv("RAQUET_KEYS");
}

static void test_stop(void **state)
{
	volatile sig_atomic_t stop = 1;
	rq_agent_update_report r;
	publish("main", 1, key, key);
	char *before = listing();
	assert_int_equal(rq_agent_update(&cfg, &st, &stop, &r), RQ_ESTOPPED);
	if (!strstr(r.error, "stopped"))
		fail_msg("error: %s", r.error);
	char *after = listing();
	assert_string_equal(before, after);
	rq_agent_update_report_clear(&r);
	free(before);
	free(after);
	stop = 0;
	assert_int_equal(rq_agent_update(&cfg, &st, &stop, &r), 0);
	assert_int_equal(installed("main"), 1);
	rq_agent_update_report_clear(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_from_server, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wrong_ca_or_pin, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_key, setup, teardown),
		cmocka_unit_test_setup_teardown(test_configured_mirror, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_keys, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stop, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
