/*
 * Tests of mirror publishing and updates (lib/db/mirror.c, lib/db/update.c)
 * on real signed databases: installs, "current", flipped bytes in the index,
 * its signature or a database, wrong keys, hash and size mismatches, the
 * rollback attack, --rollback, a crash after each step of the swap, and
 * HTTP mirrors (a local python server) that serve, drop halfway or hang.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"
#include "core/util.h"
#include "db/dbfs.h"
#include "db/mirror.h"
#include "db/rqdb.h"
#include "db/update.h"

static char *tmp;
static char mirror[4096], dbdir[4096], keydir[4096];
static rq_signkey *key, *evil;
static rq_keyring *ring;

static char *path_of(const char *dir, const char *name)
{
	char *p = NULL;
	if (asprintf(&p, "%s/%s", dir, name) < 0)
		fail_msg("asprintf");
	return p;
}

static rq_signkey *new_key(const char *name, int trusted)
{
	char priv[8300], pub[8300];
	snprintf(priv, sizeof priv, "%s/%s.key", tmp, name);
	snprintf(pub, sizeof pub, "%s/%s.pub", trusted ? keydir : tmp, name);
	assert_int_equal(rq_sign_keygen(priv, pub), 0);
	rq_signkey *k = NULL;
	assert_int_equal(rq_signkey_load(&k, priv), 0);
	return k;
}

static int setup(void **state)
{
	tmp = rq_test_tmpdir();
	snprintf(mirror, sizeof mirror, "%s/mirror", tmp);
	snprintf(dbdir, sizeof dbdir, "%s/db", tmp);
	snprintf(keydir, sizeof keydir, "%s/keys", tmp);
	assert_int_equal(mkdir(keydir, 0755), 0);
	key = new_key("prov", 1);
	evil = new_key("evil", 0);
	assert_int_equal(rq_keyring_new(&ring), 0);
	assert_int_equal(rq_keyring_add_dir(ring, keydir), 0);
	unsetenv("RQ_UPDATE_CRASH_AT");
	setenv("RQ_UPDATE_BACKOFF_MS", "10", 1);
	return 0;
}

static int teardown(void **state)
{
	rq_keyring_free(ring);
	rq_signkey_free(key);
	rq_signkey_free(evil);
	rq_test_rmtree(tmp);
	free(tmp);
	return 0;
}

/* A real database tmp/NAME-VERSION.rqdb signed by k, with `filler` bytes of section data. */
static char *make_db(const char *name, uint64_t version, rq_signkey *k, size_t filler)
{
	char file[256], header[512];
	snprintf(file, sizeof file, "%s-%llu.rqdb", name, (unsigned long long)version);
	char *path = path_of(tmp, file);
	snprintf(header, sizeof header,
		 "{\"name\":\"%s\",\"version\":%llu,\"built\":%llu,\"counts\":{},\"sources\":[]}", name,
		 (unsigned long long)version, 1700000000ULL + version);
	uint8_t *data = malloc(filler + 1);
	for (size_t i = 0; i < filler; i++)
		data[i] = (uint8_t)(i * 31 + version);
	rq_rqdb_part part = { 99, data, filler };
	if (rq_rqdb_write(path, header, &part, 1, k) != 0)
		fail_msg("write %s: %s", path, rq_error_last());
	free(data);
	return path;
}

static void publish(rq_signkey *k, int force, const char *db_path)
{
	const char *files[1] = { db_path };
	if (rq_mirror_publish(mirror, k, NULL, files, 1, force, NULL, NULL) != 0)
		fail_msg("publish %s: %s", db_path, rq_error_last());
}

typedef struct outcome {
	int status[8];
	uint64_t old_v[8], new_v[8];
	char reason[8][512];
	size_t n;
} outcome;

static void collect(const rq_update_result *r, void *payload)
{
	outcome *o = payload;
	if (o->n >= 8)
		return;
	o->status[o->n] = r->status;
	o->old_v[o->n] = r->old_version;
	o->new_v[o->n] = r->new_version;
	snprintf(o->reason[o->n], sizeof o->reason[0], "%s", r->reason ? r->reason : "");
	o->n++;
}

static int run_update(const char *source, int allow_downgrade, outcome *out)
{
	memset(out, 0, sizeof *out);
	rq_update_options o = { .mirror = source, .db_dir = dbdir, .ring = ring,
				.allow_downgrade = allow_downgrade, .timeout = 5, .retries = 1 };
	return rq_update_run(&o, collect, out);
}

/* Version of the installed dbdir/NAME (verified), 0 if none or bad. */
static uint64_t installed(const char *file)
{
	rq_mapped m;
	rq_rqdb_info info;
	uint64_t v = 0;
	int dirfd = open(dbdir, O_RDONLY | O_DIRECTORY);
	if (dirfd >= 0 && rq_map_at(&m, dirfd, file, 1ULL << 32) == 0) {
		if (rq_rqdb_verify(m.data, m.len, ring, 0, NULL) == 0 &&
		    rq_rqdb_peek(m.data, m.len, &info) == 0)
			v = info.version;
		rq_unmap(&m);
	}
	if (dirfd >= 0)
		close(dirfd);
	return v;
}

/* Names in dbdir (not the lock file), sorted, joined by spaces. */
static void listing(char *out, size_t cap)
{
	char cmd[8192];
	snprintf(cmd, sizeof cmd, "ls -A '%s' 2>/dev/null | grep -v '^.update.lock$' | tr '\\n' ' '", dbdir);
	FILE *p = popen(cmd, "r");
	size_t n = fread(out, 1, cap - 1, p);
	out[n] = '\0';
	pclose(p);
}

static void flip_byte(const char *path, size_t at)
{
	int fd = open(path, O_RDWR);
	uint8_t b;
	assert_int_equal(pread(fd, &b, 1, (off_t)at), 1);
	b ^= 0x20;
	assert_int_equal(pwrite(fd, &b, 1, (off_t)at), 1);
	close(fd);
}

static size_t file_size(const char *path)
{
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	return (size_t)st.st_size;
}

static void test_install_current_update(void **state)
{
	char *v1 = make_db("main", 1, key, 5000), *d1 = make_db("daily", 10, key, 100);
	const char *files[2] = { v1, d1 };
	assert_int_equal(rq_mirror_publish(mirror, key, NULL, files, 2, 0, NULL, NULL), 0);
	outcome o;
	assert_int_equal(run_update(mirror, 0, &o), 0);
	assert_int_equal(o.n, 2);
	assert_int_equal(o.status[0], RQ_UPDATE_INSTALLED); /* daily, sorted by name */
	assert_int_equal(o.status[1], RQ_UPDATE_INSTALLED);
	assert_int_equal(installed("main.rqdb"), 1);
	assert_int_equal(installed("daily.rqdb"), 10);
	/* again: current, nothing fetched */
	assert_int_equal(run_update(mirror, 0, &o), 0);
	assert_int_equal(o.status[0], RQ_UPDATE_CURRENT);
	assert_int_equal(o.status[1], RQ_UPDATE_CURRENT);
	/* a damaged installed file is replaced even at the same version */
	char *inst = path_of(dbdir, "main.rqdb");
	flip_byte(inst, 300);
	assert_int_equal(installed("main.rqdb"), 0);
	assert_int_equal(run_update(mirror, 0, &o), 0);
	assert_int_equal(o.status[1], RQ_UPDATE_INSTALLED);
	assert_int_equal(o.old_v[1], 0);
	assert_int_equal(installed("main.rqdb"), 1);
	free(inst);
	/* v2 of main only */
	char *v2 = make_db("main", 2, key, 6000);
	publish(key, 0, v2);
	char url[4200];
	snprintf(url, sizeof url, "file://%s/", mirror);
	assert_int_equal(run_update(url, 0, &o), 0);
	assert_int_equal(o.status[0], RQ_UPDATE_CURRENT);
	assert_int_equal(o.status[1], RQ_UPDATE_INSTALLED);
	assert_int_equal(o.old_v[1], 1);
	assert_int_equal(o.new_v[1], 2);
	assert_int_equal(installed("main.rqdb"), 2);
	assert_int_equal(installed("main.rqdb.prev"), 1);
	char names[1024];
	listing(names, sizeof names);
	assert_string_equal(names, "daily.rqdb main.rqdb main.rqdb.prev ");
	/* the mirror keeps two versions of main */
	char *m1 = path_of(mirror, "main-1.rqdb"), *m2 = path_of(mirror, "main-2.rqdb");
	assert_int_equal(access(m1, F_OK), 0);
	assert_int_equal(access(m2, F_OK), 0);
	char *v3 = make_db("main", 3, key, 100);
	publish(key, 0, v3);
	assert_int_equal(access(m1, F_OK), -1);
	assert_int_equal(access(m2, F_OK), 0);
	/* publishing an older or equal version is refused without force */
	const char *old[1] = { v2 };
	assert_int_equal(rq_mirror_publish(mirror, key, NULL, old, 1, 0, NULL, NULL), RQ_EVERIFY);
	if (!strstr(rq_error_last(), "not newer"))
		fail_msg("want %s in: %s", "not newer", rq_error_last());
	free(m1);
	free(m2);
	free(v1);
	free(v2);
	free(v3);
	free(d1);
}

static void test_publish_refuses_unsigned_or_foreign(void **state)
{
	char *e = make_db("main", 1, evil, 100);
	const char *files[1] = { e };
	assert_int_equal(rq_mirror_publish(mirror, key, NULL, files, 1, 0, NULL, NULL), RQ_EVERIFY);
	if (!strstr(rq_error_last(), "trusted keys"))
		fail_msg("want %s in: %s", "trusted keys", rq_error_last());
	/* accepted when its key is trusted explicitly */
	rq_keyring *extra = NULL;
	assert_int_equal(rq_keyring_new(&extra), 0);
	assert_int_equal(rq_keyring_add_signkey(extra, evil), 0);
	assert_int_equal(rq_mirror_publish(mirror, key, extra, files, 1, 0, NULL, NULL), 0);
	assert_int_equal(rq_mirror_publish(mirror, key, extra, files, 1, 0, NULL, NULL), RQ_EVERIFY);
	if (!strstr(rq_error_last(), "not newer"))
		fail_msg("want 'not newer' in: %s", rq_error_last());
	rq_keyring_free(extra);
	/* ... but agents refuse it: they do not trust that key */
	outcome o;
	assert_int_equal(run_update(mirror, 0, &o), RQ_EVERIFY);
	assert_int_equal(o.status[0], RQ_UPDATE_REFUSED);
	if (!strstr(o.reason[0], "trusted keys"))
		fail_msg("want %s in: %s", "trusted keys", o.reason[0]);
	assert_int_equal(installed("main.rqdb"), 0);
	free(e);
}

/* Every byte of index.json and of its signature flipped: refused, nothing changes. */
static void test_index_flips(void **state)
{
	char *v1 = make_db("main", 1, key, 100), *v2 = make_db("main", 2, key, 100);
	publish(key, 0, v1);
	outcome o;
	assert_int_equal(run_update(mirror, 0, &o), 0);
	publish(key, 0, v2);
	char before[1024], after[1024];
	listing(before, sizeof before);
	setenv("RQ_UPDATE_BACKOFF_MS", "0", 1);
	const char *names[2] = { RQ_MIRROR_INDEX, RQ_MIRROR_INDEX_SIG };
	for (int f = 0; f < 2; f++) {
		char *p = path_of(mirror, names[f]);
		size_t n = file_size(p);
		for (size_t i = 0; i < n; i++) {
			flip_byte(p, i);
			int rc = run_update(mirror, 0, &o);
			if (rc == 0 || o.n != 0)
				fail_msg("%s byte %zu flipped: accepted", names[f], i);
			flip_byte(p, i);
		}
		free(p);
	}
	listing(after, sizeof after);
	assert_string_equal(before, after);
	assert_int_equal(installed("main.rqdb"), 1);
	/* an index signed by an unknown key */
	char *idx = path_of(mirror, RQ_MIRROR_INDEX), *sig = path_of(mirror, RQ_MIRROR_INDEX_SIG);
	uint8_t *text = NULL, t[RQ_SIGTRAILER_LEN];
	size_t len = 0;
	assert_int_equal(rq_read_file(idx, 1 << 20, &text, &len), 0);
	assert_int_equal(rq_sign_trailer(evil, text, len, t), 0);
	free(rq_test_write(mirror, RQ_MIRROR_INDEX_SIG, t, sizeof t));
	assert_int_equal(run_update(mirror, 0, &o), RQ_EVERIFY);
	if (!strstr(rq_error_last(), "trusted keys"))
		fail_msg("want %s in: %s", "trusted keys", rq_error_last());
	/* no signature at all */
	unlink(sig);
	assert_int_not_equal(run_update(mirror, 0, &o), 0);
	assert_int_equal(installed("main.rqdb"), 1);
	free(text);
	free(idx);
	free(sig);
	free(v1);
	free(v2);
}

/* Rewrite the mirror's index entry for `name` (size/sha) and re-sign it with `k`. */
static void edit_index(const char *name, long size_delta, const char *sha, rq_signkey *k)
{
	char *idx = path_of(mirror, RQ_MIRROR_INDEX);
	uint8_t *text = NULL;
	size_t len = 0;
	rq_mirror_index mi;
	assert_int_equal(rq_read_file(idx, 1 << 20, &text, &len), 0);
	assert_int_equal(rq_mirror_index_parse(&mi, text, len), 0);
	free(text);
	rq_mirror_db *db = (rq_mirror_db *)rq_mirror_index_find(&mi, name);
	assert_non_null(db);
	db->size = (uint64_t)((long)db->size + size_delta);
	if (sha)
		snprintf(db->sha256, sizeof db->sha256, "%s", sha);
	char *out = NULL;
	assert_int_equal(rq_mirror_index_dump(&mi, &out, &len), 0);
	uint8_t t[RQ_SIGTRAILER_LEN];
	assert_int_equal(rq_sign_trailer(k, (uint8_t *)out, len, t), 0);
	free(rq_test_write(mirror, RQ_MIRROR_INDEX, out, len));
	free(rq_test_write(mirror, RQ_MIRROR_INDEX_SIG, t, sizeof t));
	free(out);
	free(idx);
	rq_mirror_index_clear(&mi);
}

static void sha_of(const char *path, char out[65])
{
	uint8_t *data = NULL;
	size_t len = 0;
	assert_int_equal(rq_read_file(path, 1 << 26, &data, &len), 0);
	rq_sha256_hex(data, len, out);
	free(data);
}

/* Every flipped byte of a served database: refused by the index's hash, and by its own
 * signature or digests when the index is made to match; truncated files; a database signed by an unknown key. */
static void test_database_refusals(void **state)
{
	char *v1 = make_db("main", 1, key, 100), *v2 = make_db("main", 2, key, 200);
	publish(key, 0, v1);
	outcome o;
	assert_int_equal(run_update(mirror, 0, &o), 0);
	publish(key, 0, v2);
	char before[1024], after[1024], sha[65];
	listing(before, sizeof before);
	char *served = path_of(mirror, "main-2.rqdb");
	size_t n = file_size(served);
	for (size_t i = 0; i < n; i++) {
		flip_byte(served, i);
		/* the index's hash refuses it */
		assert_int_equal(run_update(mirror, 0, &o), RQ_EVERIFY);
		assert_int_equal(o.status[0], RQ_UPDATE_REFUSED);
		if (!strstr(o.reason[0], "SHA-256"))
		fail_msg("want %s in: %s", "SHA-256", o.reason[0]);
		/* an index made to match: the database's own signature refuses it */
		sha_of(served, sha);
		edit_index("main", 0, sha, key);
		assert_int_equal(run_update(mirror, 0, &o), RQ_EVERIFY);
		if (o.status[0] != RQ_UPDATE_REFUSED)
			fail_msg("byte %zu of the database flipped: %s", i, rq_update_status_name(o.status[0]));
		flip_byte(served, i);
		sha_of(served, sha);
		edit_index("main", 0, sha, key);
	}
	listing(after, sizeof after);
	assert_string_equal(before, after);
	assert_int_equal(installed("main.rqdb"), 1);
	/* truncated in the mirror, index unchanged: size differs */
	assert_int_equal(truncate(served, (off_t)n - 10), 0);
	assert_int_equal(run_update(mirror, 0, &o), RQ_EVERIFY);
	if (!strstr(o.reason[0], "bytes, the index says"))
		fail_msg("want %s in: %s", "bytes, the index says", o.reason[0]);
	/* truncated and an index that matches it: the database's check refuses it */
	sha_of(served, sha);
	edit_index("main", -10, sha, key);
	assert_int_equal(run_update(mirror, 0, &o), RQ_EVERIFY);
	assert_int_equal(o.status[0], RQ_UPDATE_REFUSED);
	/* signed by an unknown key, index fine */
	char *e = make_db("main", 2, evil, 200);
	char cmd[8400];
	snprintf(cmd, sizeof cmd, "cp '%s' '%s'", e, served);
	assert_int_equal(system(cmd), 0);
	sha_of(served, sha);
	edit_index("main", 10, sha, key);
	assert_int_equal(run_update(mirror, 0, &o), RQ_EVERIFY);
	if (!strstr(o.reason[0], "trusted keys"))
		fail_msg("want %s in: %s", "trusted keys", o.reason[0]);
	/* a valid database of another name or version than the index says */
	char *other = make_db("main", 5, key, 200);
	snprintf(cmd, sizeof cmd, "cp '%s' '%s'", other, served);
	assert_int_equal(system(cmd), 0);
	sha_of(served, sha);
	edit_index("main", 0, sha, key);
	assert_int_equal(run_update(mirror, 0, &o), RQ_EVERIFY);
	if (!strstr(o.reason[0], "header says main version 5"))
		fail_msg("want %s in: %s", "header says main version 5", o.reason[0]);
	listing(after, sizeof after);
	assert_string_equal(before, after);
	assert_int_equal(installed("main.rqdb"), 1);
	free(other);
	free(e);
	free(served);
	free(v1);
	free(v2);
}

static void test_rollback_attack_and_rollback(void **state)
{
	char *v3 = make_db("main", 3, key, 100), *v2 = make_db("main", 2, key, 100);
	publish(key, 0, v3);
	outcome o;
	assert_int_equal(run_update(mirror, 0, &o), 0);
	/* a mirror now offering version 2 (validly signed, published with force) */
	publish(key, 1, v2);
	assert_int_equal(run_update(mirror, 0, &o), RQ_EVERIFY);
	assert_int_equal(o.status[0], RQ_UPDATE_REFUSED);
	if (!strstr(o.reason[0], "rollback attack"))
		fail_msg("want %s in: %s", "rollback attack", o.reason[0]);
	assert_int_equal(installed("main.rqdb"), 3);
	/* the operator accepts it */
	assert_int_equal(run_update(mirror, 1, &o), 0);
	assert_int_equal(o.status[0], RQ_UPDATE_INSTALLED);
	assert_int_equal(installed("main.rqdb"), 2);
	assert_int_equal(installed("main.rqdb.prev"), 3);
	/* --rollback swaps the kept version back, twice is a round trip */
	memset(&o, 0, sizeof o);
	if (rq_update_rollback(dbdir, ring, NULL, collect, &o) != 0)
		fail_msg("rollback: %s / %s", rq_error_last(), o.reason[0]);
	assert_int_equal(o.n, 1);
	assert_int_equal(o.status[0], RQ_UPDATE_ROLLED_BACK);
	assert_int_equal(o.old_v[0], 2);
	assert_int_equal(o.new_v[0], 3);
	assert_int_equal(installed("main.rqdb"), 3);
	assert_int_equal(installed("main.rqdb.prev"), 2);
	memset(&o, 0, sizeof o);
	assert_int_equal(rq_update_rollback(dbdir, ring, "main", collect, &o), 0);
	assert_int_equal(installed("main.rqdb"), 2);
	/* nothing kept for that name; a damaged .prev is refused */
	memset(&o, 0, sizeof o);
	assert_int_not_equal(rq_update_rollback(dbdir, ring, "daily", collect, &o), 0);
	char *prev = path_of(dbdir, "main.rqdb.prev");
	flip_byte(prev, 100);
	memset(&o, 0, sizeof o);
	assert_int_equal(rq_update_rollback(dbdir, ring, "main", collect, &o), RQ_EVERIFY);
	assert_int_equal(o.status[0], RQ_UPDATE_REFUSED);
	assert_int_equal(installed("main.rqdb"), 2);
	free(prev);
	free(v2);
	free(v3);
}

/* A crash (_exit) after each step leaves NAME.rqdb whole, old or new; the next run finishes. */
static void test_crash_each_step(void **state)
{
	static const struct { const char *step; uint64_t want; } steps[] = {
		{ "download", 1 }, { "verify", 1 }, { "prev", 1 }, { "rename", 2 }, { "sync", 2 },
	};
	for (size_t s = 0; s < sizeof steps / sizeof steps[0]; s++) {
		rq_test_rmtree(mirror);
		rq_test_rmtree(dbdir);
		char *v1 = make_db("main", 1, key, 2000), *v2 = make_db("main", 2, key, 2000);
		publish(key, 0, v1);
		outcome o;
		assert_int_equal(run_update(mirror, 0, &o), 0);
		publish(key, 0, v2);
		pid_t pid = fork();
		if (pid == 0) {
			setenv("RQ_UPDATE_CRASH_AT", steps[s].step, 1);
			run_update(mirror, 0, &o);
			_exit(0);
		}
		int status = 0;
		assert_int_equal(waitpid(pid, &status, 0), pid);
		assert_true(WIFEXITED(status));
		if (WEXITSTATUS(status) != 137)
			fail_msg("step %s: no crash (exit %d)", steps[s].step, WEXITSTATUS(status));
		if (installed("main.rqdb") != steps[s].want)
			fail_msg("after a crash at %s: installed %llu", steps[s].step,
				 (unsigned long long)installed("main.rqdb"));
		assert_int_equal(run_update(mirror, 0, &o), 0);
		assert_int_equal(installed("main.rqdb"), 2);
		char names[1024];
		listing(names, sizeof names);
		if (strcmp(names, "main.rqdb main.rqdb.prev "))
			fail_msg("after a crash at %s and a new run: %s", steps[s].step, names);
		free(v1);
		free(v2);
	}
}

/* --- HTTP --- */

typedef struct server {
	pid_t pid;
	int out_fd, in_fd;
	char url[128];
	char log[4096];
} server;

static void server_start(server *s, const char *mode)
{
	int fds[2];
	char script[4096];
	const char *src = getenv("RQ_SOURCE_DIR");
	snprintf(script, sizeof script, "%s/tests/lib/db/mirror_server.py", src ? src : ".");
	snprintf(s->log, sizeof s->log, "%s/server-%s.log", tmp, mode);
	int in[2]; /* the server exits when its standard input closes */
	assert_int_equal(pipe(fds), 0);
	assert_int_equal(pipe(in), 0);
	s->pid = fork();
	if (s->pid == 0) {
		dup2(fds[1], 1);
		dup2(in[0], 0);
		close(fds[0]);
		close(in[1]);
		execlp("python3", "python3", script, mode, mirror, s->log, (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	close(in[0]);
	s->in_fd = in[1];
	/* the whole first line; the pipe stays open while the server runs */
	char port[32] = "";
	size_t len = 0;
	while (len < sizeof port - 1 && !strchr(port, '\n')) {
		ssize_t n = read(fds[0], port + len, sizeof port - 1 - len);
		if (n <= 0)
			fail_msg("the test server did not start (%s)", script);
		len += (size_t)n;
		port[len] = '\0';
	}
	s->out_fd = fds[0];
	port[strcspn(port, "\n")] = '\0';
	snprintf(s->url, sizeof s->url, "http://127.0.0.1:%s", port);
}

static void server_stop(server *s)
{
	kill(s->pid, SIGKILL);
	waitpid(s->pid, NULL, 0);
	close(s->out_fd);
	close(s->in_fd);
}

static int log_count(const server *s, const char *path)
{
	char line[512];
	int n = 0;
	FILE *f = fopen(s->log, "r");
	while (f && fgets(line, sizeof line, f)) {
		line[strcspn(line, "\n")] = '\0';
		n += !strcmp(line, path);
	}
	if (f)
		fclose(f);
	return n;
}

static void test_http(void **state)
{
	char *v1 = make_db("main", 1, key, 4000), *d1 = make_db("daily", 1, key, 4000);
	const char *files[2] = { v1, d1 };
	assert_int_equal(rq_mirror_publish(mirror, key, NULL, files, 2, 0, NULL, NULL), 0);
	server s;
	server_start(&s, "serve");
	outcome o;
	if (run_update(s.url, 0, &o) != 0)
		fail_msg("update over http: %s", rq_error_last());
	assert_int_equal(installed("main.rqdb"), 1);
	assert_int_equal(installed("daily.rqdb"), 1);
	/* only what changed is downloaded */
	char *v2 = make_db("main", 2, key, 4000);
	publish(key, 0, v2);
	assert_int_equal(run_update(s.url, 0, &o), 0);
	assert_int_equal(installed("main.rqdb"), 2);
	assert_int_equal(log_count(&s, "/main-1.rqdb"), 1);
	assert_int_equal(log_count(&s, "/main-2.rqdb"), 1);
	assert_int_equal(log_count(&s, "/daily-1.rqdb"), 1);
	assert_int_equal(log_count(&s, "/index.json"), 2);
	/* a missing mirror path: 404, not retried */
	char bad[256];
	snprintf(bad, sizeof bad, "%s/nothing", s.url);
	assert_int_equal(run_update(bad, 0, &o), RQ_ENOTFOUND);
	assert_int_equal(log_count(&s, "/nothing/index.json"), 1);
	server_stop(&s);

	/* the server drops the connection halfway, every time (retried once) */
	char *v3 = make_db("main", 3, key, 400000);
	publish(key, 0, v3);
	char before[1024], after[1024];
	listing(before, sizeof before);
	server_start(&s, "drop");
	assert_int_equal(run_update(s.url, 0, &o), RQ_EVERIFY);
	assert_int_equal(o.status[1], RQ_UPDATE_FAILED);
	assert_int_equal(log_count(&s, "/main-3.rqdb"), 2);
	server_stop(&s);
	listing(after, sizeof after);
	assert_string_equal(before, after);
	assert_int_equal(installed("main.rqdb"), 2);
	/* HTTP 500 */
	server_start(&s, "error");
	assert_int_equal(run_update(s.url, 0, &o), RQ_EVERIFY);
	assert_int_equal(o.status[1], RQ_UPDATE_FAILED);
	server_stop(&s);
	/* a server that never answers: the timeout ends it */
	server_start(&s, "hang");
	rq_update_options uo = { .mirror = s.url, .db_dir = dbdir, .ring = ring, .timeout = 1,
				 .retries = 0 };
	memset(&o, 0, sizeof o);
	time_t t0 = time(NULL);
	assert_int_equal(rq_update_run(&uo, collect, &o), RQ_EVERIFY);
	assert_true(time(NULL) - t0 < 10);
	assert_int_equal(o.status[1], RQ_UPDATE_FAILED);
	if (!strstr(o.reason[1], "timed out"))
		fail_msg("want %s in: %s", "timed out", o.reason[1]);
	server_stop(&s);
	listing(after, sizeof after);
	assert_string_equal(before, after);
	assert_int_equal(installed("main.rqdb"), 2);
	/* nothing listening */
	assert_int_equal(run_update("http://127.0.0.1:1", 0, &o), RQ_EIO);
	free(v1);
	free(v2);
	free(v3);
	free(d1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_install_current_update, setup, teardown),
		cmocka_unit_test_setup_teardown(test_publish_refuses_unsigned_or_foreign, setup, teardown),
		cmocka_unit_test_setup_teardown(test_index_flips, setup, teardown),
		cmocka_unit_test_setup_teardown(test_database_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rollback_attack_and_rollback, setup, teardown),
		cmocka_unit_test_setup_teardown(test_crash_each_step, setup, teardown),
		cmocka_unit_test_setup_teardown(test_http, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
