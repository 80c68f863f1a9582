/*
 * Tests of the quarantine vault (lib/remedy/vault*.c) on real files:
 * round trips of odd, binary, empty and foreign-owned files, tamper
 * detection, restore rules, a symlink swapped in before removal, purge by
 * age, a crash after every step of the protocol, a full disk, two
 * processes quarantining the same file, and backup items.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"
#include "core/util.h"
#include "raquet/vault.h"

static char *tmp;   /* scratch folder of the current test */
static char vdir[4096];

static int setup(void **state)
{
	tmp = rq_test_tmpdir();
	snprintf(vdir, sizeof vdir, "%s/vault", tmp);
	unsetenv("RQ_VAULT_NOW");
	unsetenv("RQ_VAULT_CRASH_AT");
	return 0;
}

static int teardown(void **state)
{
	rq_test_rmtree(tmp);
	free(tmp);
	tmp = NULL;
	return 0;
}

static rq_vault *open_vault(void)
{
	rq_vault *v = NULL;
	int rc = rq_vault_open(&v, vdir);
	if (rc != 0)
		fail_msg("open vault: %s", rq_error_last());
	return v;
}

static size_t count_items(rq_vault *v)
{
	rq_vault_item **items = NULL;
	size_t n = 0;
	assert_int_equal(rq_vault_list(v, &items, &n), 0);
	rq_vault_items_free(items, n);
	return n;
}

/* Files in the vault folder other than vault.key and .lock. */
static int vault_files(void)
{
	char cmd[4200];
	snprintf(cmd, sizeof cmd, "exit $(ls -A '%s' | grep -v -e '^vault.key$' -e '^.lock$' | wc -l)",
		 vdir);
	return WEXITSTATUS(system(cmd));
}

static int file_equals(const char *path, const void *data, size_t len)
{
	uint8_t *got = NULL;
	size_t got_len = 0;
	int same = rq_read_file(path, len + 1, &got, &got_len) == 0 && got_len == len &&
		   (len == 0 || memcmp(got, data, len) == 0);
	free(got);
	return same;
}

static void round_trip(const char *name, const void *data, size_t len)
{
	rq_vault *v = open_vault();
	char *path = rq_test_write(tmp, name, data, len);
	char id[RQ_VAULT_ID_LEN + 1];
	const char *names[] = { "Test.Name-1", "Other" };
	struct timespec times[2] = { { 1500000000, 123456789 }, { 1600000000, 987654321 } };
	assert_int_equal(chmod(path, 0751), 0);
	assert_int_equal(utimensat(AT_FDCWD, path, times, 0), 0);

	assert_int_equal(rq_vault_quarantine_path(v, path, names, 2, id), 0);
	assert_int_equal(access(path, F_OK), -1);

	rq_vault_item *it = NULL;
	assert_int_equal(rq_vault_get(v, id, &it), 0);
	assert_string_equal(it->original_path, path);
	assert_int_equal(it->size, len);
	assert_int_equal(it->mode & 07777, 0751);
	assert_int_equal(it->n_detections, 2);
	assert_string_equal(it->detections[1], "Other");
	assert_true(it->mtime_ns == 1600000000987654321LL);
	rq_vault_item_free(it);

	char *out = NULL;
	assert_int_equal(rq_vault_restore(v, id, NULL, 0, &out), 0);
	assert_string_equal(out, path);
	struct stat st; /* before reading it back, which may update atime */
	assert_int_equal(stat(path, &st), 0);
	assert_true(file_equals(path, data, len));
	assert_int_equal(st.st_mode & 07777, 0751);
	assert_int_equal(st.st_mtim.tv_sec, 1600000000);
	assert_int_equal(st.st_mtim.tv_nsec, 987654321);
	assert_int_equal(st.st_atim.tv_sec, 1500000000);
	assert_int_equal(count_items(v), 0);
	assert_int_equal(vault_files(), 0);
	free(out);
	free(path);
	rq_vault_close(v);
}

static void test_round_trip_binary(void **state)
{
	uint8_t data[300000];
	for (size_t i = 0; i < sizeof data; i++)
		data[i] = (uint8_t)(i * 7 + (i >> 9));
	round_trip("bin.dat", data, sizeof data);
}

static void test_round_trip_empty(void **state)
{
	round_trip("empty", "", 0);
}

static void test_round_trip_odd_names(void **state)
{
	round_trip("a b\tc\nd 'q\" ü *?", "x", 1);
	round_trip("\xff\xfe not utf8", "yz", 2);
	round_trip("-rf", "z", 1);
}

static void test_other_owner(void **state)
{
	if (geteuid() != 0)
		skip();
	rq_vault *v = open_vault();
	char *path = rq_test_write(tmp, "owned", "data of uid 1234", 16);
	char id[RQ_VAULT_ID_LEN + 1];
	assert_int_equal(chown(path, 1234, 4321), 0);
	assert_int_equal(rq_vault_quarantine_path(v, path, NULL, 0, id), 0);
	assert_int_equal(rq_vault_restore(v, id, NULL, 0, NULL), 0);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_uid, 1234);
	assert_int_equal(st.st_gid, 4321);
	assert_true(file_equals(path, "data of uid 1234", 16));
	free(path);
	rq_vault_close(v);
}

static void flip_byte(const char *path, long off_from_end, long off)
{
	int fd = open(path, O_RDWR);
	assert_true(fd >= 0);
	off_t size = lseek(fd, 0, SEEK_END);
	off_t at = off_from_end ? size - off_from_end : off;
	uint8_t b;
	assert_int_equal(pread(fd, &b, 1, at), 1);
	b ^= 0x01;
	assert_int_equal(pwrite(fd, &b, 1, at), 1);
	close(fd);
}

static void test_tamper_content(void **state)
{
	rq_vault *v = open_vault();
	char *path = rq_test_write(tmp, "t", "some content to protect", 23);
	char id[RQ_VAULT_ID_LEN + 1], data[4200];
	assert_int_equal(rq_vault_quarantine_path(v, path, NULL, 0, id), 0);
	snprintf(data, sizeof data, "%s/%s.data", vdir, id);
	flip_byte(data, 0, 25); /* inside the ciphertext */
	assert_int_equal(rq_vault_restore(v, id, NULL, 0, NULL), RQ_EPARSE);
	assert_non_null(strstr(rq_error_last(), "tamper"));
	assert_int_equal(access(path, F_OK), -1);
	assert_int_equal(count_items(v), 1); /* still there for a person to look at */
	/* a truncated content file is refused too */
	flip_byte(data, 0, 25);
	assert_int_equal(truncate(data, 30), 0);
	assert_int_equal(rq_vault_restore(v, id, NULL, 0, NULL), RQ_EPARSE);
	free(path);
	rq_vault_close(v);
}

static void test_tamper_meta(void **state)
{
	rq_vault *v = open_vault();
	char *path = rq_test_write(tmp, "m", "content", 7);
	char id[RQ_VAULT_ID_LEN + 1], meta[4200], cmd[8600];
	assert_int_equal(rq_vault_quarantine_path(v, path, NULL, 0, id), 0);
	snprintf(meta, sizeof meta, "%s/%s.meta", vdir, id);
	/* change the original path's last letter: valid JSON, wrong MAC */
	snprintf(cmd, sizeof cmd, "sed -i 's#/m\"#/n\"#' '%s'", meta);
	assert_int_equal(system(cmd), 0);
	rq_vault_item *it = NULL;
	assert_int_equal(rq_vault_get(v, id, &it), RQ_EPARSE);
	assert_null(it);
	assert_int_equal(rq_vault_restore(v, id, NULL, 0, NULL), RQ_EPARSE);
	rq_vault_item **items = NULL;
	size_t n = 0;
	assert_int_equal(rq_vault_list(v, &items, &n), 0);
	assert_int_equal(n, 1);
	assert_true(items[0]->damaged);
	rq_vault_items_free(items, n);
	/* a flipped byte that breaks the JSON is refused the same way */
	flip_byte(meta, 0, 1);
	assert_int_equal(rq_vault_restore(v, id, NULL, 0, NULL), RQ_EPARSE);
	assert_int_equal(rq_vault_delete(v, id), 0);
	assert_int_equal(vault_files(), 0);
	free(path);
	rq_vault_close(v);
}

static void test_restore_rules(void **state)
{
	rq_vault *v = open_vault();
	char *path = rq_test_write(tmp, "r", "original", 8);
	char id[RQ_VAULT_ID_LEN + 1], other[4200], *out = NULL;
	assert_int_equal(rq_vault_quarantine_path(v, path, NULL, 0, id), 0);
	free(rq_test_write(tmp, "r", "newer file", 10));
	assert_int_equal(rq_vault_restore(v, id, NULL, 0, NULL), RQ_EINVAL);
	assert_true(file_equals(path, "newer file", 10));
	/* --to a folder: restored inside it under the original name */
	snprintf(other, sizeof other, "%s/elsewhere", tmp);
	assert_int_equal(mkdir(other, 0700), 0);
	assert_int_equal(rq_vault_restore(v, id, other, 0, &out), 0);
	assert_non_null(strstr(out, "/elsewhere/r"));
	assert_true(file_equals(out, "original", 8));
	free(out);
	/* --force replaces */
	assert_int_equal(rq_vault_quarantine_path(v, path, NULL, 0, id), 0);
	free(rq_test_write(tmp, "r", "third", 5));
	assert_int_equal(rq_vault_restore(v, id, NULL, RQ_VAULT_FORCE, NULL), 0);
	assert_true(file_equals(path, "newer file", 10));
	assert_int_equal(rq_vault_restore(v, id, NULL, 0, NULL), RQ_ENOTFOUND);
	assert_int_equal(rq_vault_delete(v, "zz"), RQ_ENOTFOUND);
	assert_int_equal(vault_files(), 0);
	free(path);
	rq_vault_close(v);
}

static void test_restore_deleted_folder(void **state)
{
	rq_vault *v = open_vault();
	char sub[4200], to[4300], *path;
	char id[RQ_VAULT_ID_LEN + 1];
	snprintf(sub, sizeof sub, "%s/gone", tmp);
	assert_int_equal(mkdir(sub, 0755), 0);
	path = rq_test_write(sub, "f", "abc", 3);
	assert_int_equal(rq_vault_quarantine_path(v, path, NULL, 0, id), 0);
	assert_int_equal(rmdir(sub), 0);
	assert_int_equal(rq_vault_restore(v, id, NULL, 0, NULL), RQ_ENOTFOUND);
	assert_non_null(strstr(rq_error_last(), "--to"));
	assert_int_equal(count_items(v), 1);
	snprintf(to, sizeof to, "%s/renamed", tmp);
	assert_int_equal(rq_vault_restore(v, id, to, 0, NULL), 0);
	assert_true(file_equals(to, "abc", 3));
	free(path);
	rq_vault_close(v);
}

static void test_symlink_swapped(void **state)
{
	rq_vault *v = open_vault();
	char *path = rq_test_write(tmp, "victim", "scanned", 7);
	char *target = rq_test_write(tmp, "precious", "not malware", 11);
	char moved[4200];
	int fd = open(path, O_RDONLY | O_NOFOLLOW);
	assert_true(fd >= 0);
	/* after the scan opened it, the path is replaced by a symlink */
	snprintf(moved, sizeof moved, "%s/victim.moved", tmp);
	assert_int_equal(rename(path, moved), 0);
	assert_int_equal(symlink(target, path), 0);
	assert_int_equal(rq_vault_quarantine_fd(v, fd, path, NULL, 0, NULL), RQ_ENOTFOUND);
	close(fd);
	assert_true(file_equals(target, "not malware", 11));
	assert_true(file_equals(moved, "scanned", 7));
	assert_int_equal(vault_files(), 0);
	/* and a symlink given directly is refused */
	assert_int_equal(rq_vault_quarantine_path(v, path, NULL, 0, NULL), RQ_EINVAL);
	free(path);
	free(target);
	rq_vault_close(v);
}

static void test_purge(void **state)
{
	char id[RQ_VAULT_ID_LEN + 1];
	size_t removed = 99;
	rq_vault *v = open_vault();
	setenv("RQ_VAULT_NOW", "1700000000", 1);
	char *a = rq_test_write(tmp, "old", "old", 3);
	assert_int_equal(rq_vault_quarantine_path(v, a, NULL, 0, id), 0);
	setenv("RQ_VAULT_NOW", "1700864000", 1); /* +10 days */
	char *b = rq_test_write(tmp, "new", "new", 3);
	assert_int_equal(rq_vault_quarantine_path(v, b, NULL, 0, NULL), 0);
	setenv("RQ_VAULT_NOW", "1701000000", 1);
	assert_int_equal(rq_vault_purge(v, 30, &removed), 0);
	assert_int_equal(removed, 0);
	assert_int_equal(rq_vault_purge(v, 5, &removed), 0);
	assert_int_equal(removed, 1);
	assert_int_equal(rq_vault_get(v, id, &(rq_vault_item *){ NULL }), RQ_ENOTFOUND);
	assert_int_equal(count_items(v), 1);
	unsetenv("RQ_VAULT_NOW");
	free(a);
	free(b);
	rq_vault_close(v);
}

static void test_recovery_cleans_temps(void **state)
{
	rq_vault *v = open_vault();
	char *junk = rq_test_write(vdir, "0000000000000001aabbccdd.data.tmp", "x", 1);
	char *keep = rq_test_write(vdir, "notes.txt", "officer's notes", 15);
	size_t fixed = 0;
	assert_int_equal(rq_vault_recover(v, &fixed), 0);
	assert_int_equal(fixed, 1);
	assert_int_equal(access(junk, F_OK), -1);
	assert_int_equal(access(keep, F_OK), 0);
	free(junk);
	free(keep);
	rq_vault_close(v);
}

/* Crash (_exit 137) after each step, then recover: original or item, never neither. */
static void test_crash_every_step(void **state)
{
	static const char content[] = "crash test content \x01\x02\x03";
	for (int step = 1; step <= 5; step++) {
		char name[32];
		snprintf(name, sizeof name, "crash%d", step);
		char *path = rq_test_write(tmp, name, content, sizeof content);
		pid_t pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			rq_vault *cv = NULL;
			char env[8];
			snprintf(env, sizeof env, "%d", step);
			setenv("RQ_VAULT_CRASH_AT", env, 1);
			if (rq_vault_open(&cv, vdir) != 0)
				_exit(3);
			rq_vault_quarantine_path(cv, path, NULL, 0, NULL);
			_exit(4); /* the crash point was not reached */
		}
		int st = 0;
		assert_int_equal(waitpid(pid, &st, 0), pid);
		assert_true(WIFEXITED(st));
		assert_int_equal(WEXITSTATUS(st), 137);

		rq_vault *v = open_vault(); /* runs recovery */
		rq_vault_item **items = NULL;
		size_t n = 0;
		assert_int_equal(rq_vault_list(v, &items, &n), 0);
		int original = access(path, F_OK) == 0;
		if (original) {
			assert_true(file_equals(path, content, sizeof content));
			assert_int_equal(n, 0); /* rolled back */
		} else {
			assert_int_equal(n, 1);
			assert_int_equal(rq_vault_restore(v, items[0]->id, NULL, 0, NULL), 0);
			assert_true(file_equals(path, content, sizeof content));
		}
		/* steps 1-2 must roll back, 3-5 must complete */
		assert_int_equal(original, step <= 2);
		assert_int_equal(vault_files(), 0);
		rq_vault_items_free(items, n);
		rq_vault_close(v);
		free(path);
	}
}

static void test_enospc(void **state)
{
	char cmd[4400];
	if (geteuid() != 0)
		skip();
	assert_int_equal(mkdir(vdir, 0700), 0);
	snprintf(cmd, sizeof cmd, "mount -t tmpfs -o size=1m,mode=0700 tmpfs '%s' 2>/dev/null", vdir);
	if (system(cmd) != 0) {
		print_message("cannot mount a tmpfs here; ENOSPC test skipped\n");
		skip();
	}
	size_t len = 3 * 1024 * 1024;
	uint8_t *data = malloc(len);
	assert_non_null(data);
	for (size_t i = 0; i < len; i++)
		data[i] = (uint8_t)(i * 31 + 7);
	char *path = rq_test_write(tmp, "big", data, len);
	rq_vault *v = open_vault();
	int rc = rq_vault_quarantine_path(v, path, NULL, 0, NULL);
	const char *msg = rq_error_last();
	assert_int_equal(rc, RQ_EIO);
	assert_non_null(strstr(msg, "No space left"));
	assert_true(file_equals(path, data, len));
	assert_int_equal(vault_files(), 0);
	rq_vault_close(v);
	snprintf(cmd, sizeof cmd, "umount '%s'", vdir);
	assert_int_equal(system(cmd), 0);
	free(path);
	free(data);
}

static void test_concurrent_same_file(void **state)
{
	static const char content[] = "two scanners found me";
	char *path = rq_test_write(tmp, "both", content, sizeof content);
	rq_vault_close(open_vault());
	pid_t pids[2];
	for (int i = 0; i < 2; i++) {
		pids[i] = fork();
		assert_true(pids[i] >= 0);
		if (pids[i] == 0) {
			rq_vault *cv = NULL;
			int fd = open(path, O_RDONLY | O_NOFOLLOW); /* both "scanned" it */
			usleep(100000);
			if (fd < 0 || rq_vault_open(&cv, vdir) != 0)
				_exit(3);
			int rc = rq_vault_quarantine_fd(cv, fd, path, NULL, 0, NULL);
			_exit(rc == 0 ? 0 : rc == RQ_ENOTFOUND ? 1 : 2);
		}
	}
	int ok = 0, refused = 0;
	for (int i = 0; i < 2; i++) {
		int st = 0;
		assert_int_equal(waitpid(pids[i], &st, 0), pids[i]);
		assert_true(WIFEXITED(st));
		ok += WEXITSTATUS(st) == 0;
		refused += WEXITSTATUS(st) == 1;
	}
	assert_int_equal(ok, 1);
	assert_int_equal(refused, 1);
	rq_vault *v = open_vault();
	rq_vault_item **items = NULL;
	size_t n = 0;
	assert_int_equal(rq_vault_list(v, &items, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(access(path, F_OK), -1);
	assert_int_equal(rq_vault_restore(v, items[0]->id, NULL, 0, NULL), 0);
	assert_true(file_equals(path, content, sizeof content));
	rq_vault_items_free(items, n);
	rq_vault_close(v);
	free(path);
}

static void test_vault_permissions(void **state)
{
	rq_vault *v = open_vault();
	struct stat st;
	char key[4200];
	assert_int_equal(stat(vdir, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	snprintf(key, sizeof key, "%s/vault.key", vdir);
	assert_int_equal(stat(key, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(st.st_size, 32);
	rq_vault_close(v);
	/* a vault others can read is refused */
	assert_int_equal(chmod(vdir, 0755), 0);
	rq_vault *bad = NULL;
	assert_int_equal(rq_vault_open(&bad, vdir), RQ_EINVAL);
	assert_null(bad);
}

/* A backup item (rq_vault_quarantine_ex): the original stays, the ID is the
 * caller's, a reused ID is refused, and an item without the added members
 * keeps the metadata layout of earlier versions. A backup interrupted before
 * its pending marker went is kept by recovery, with its original. */
static void test_backup_extra(void **state)
{
	(void)state;
	rq_vault *v = open_vault();
	char *path = rq_test_write(tmp, "kept.txt", "keep", 4);
	char id[RQ_VAULT_ID_LEN + 1], got[RQ_VAULT_ID_LEN + 1];
	assert_int_equal(rq_vault_new_id(id), 0);
	rq_vault_extra extra = { .id = id, .backup = 1, .note = "why" };
	int fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(rq_vault_quarantine_ex(v, fd, path, NULL, 0, &extra, got), 0);
	assert_string_equal(got, id);
	assert_true(file_equals(path, "keep", 4));
	assert_int_equal(rq_vault_quarantine_ex(v, fd, path, NULL, 0, &extra, got), RQ_EIO);
	assert_int_equal(count_items(v), 1);
	rq_vault_item *it = NULL;
	assert_int_equal(rq_vault_get(v, id, &it), 0);
	assert_true(it->backup);
	assert_string_equal(it->note, "why");
	assert_int_equal(it->n_links, 0);
	rq_vault_item_free(it);

	/* a plain item has none of the added members */
	char *plain = rq_test_write(tmp, "plain.txt", "x", 1), meta[4200], pid[RQ_VAULT_ID_LEN + 1];
	assert_int_equal(rq_vault_quarantine_path(v, plain, NULL, 0, pid), 0);
	snprintf(meta, sizeof meta, "%s/%s.meta", vdir, pid);
	uint8_t *text = NULL;
	size_t len = 0;
	assert_int_equal(rq_read_file(meta, 1 << 20, &text, &len), 0);
	text = realloc(text, len + 1);
	text[len] = '\0';
	assert_null(strstr((char *)text, "\"backup\""));
	assert_null(strstr((char *)text, "\"links\""));
	assert_null(strstr((char *)text, "\"note\""));
	free(text);

	/* a crash before the end of a backup: recovery keeps the original */
	close(fd);
	rq_vault_close(v);
	pid_t child = fork();
	if (child == 0) {
		setenv("RQ_VAULT_CRASH_AT", "4", 1);
		rq_vault *cv = NULL;
		char cid[RQ_VAULT_ID_LEN + 1];
		rq_vault_extra ce = { .backup = 1 };
		int cfd = open(path, O_RDONLY);
		if (rq_vault_open(&cv, vdir) == 0)
			rq_vault_quarantine_ex(cv, cfd, path, NULL, 0, &ce, cid);
		_exit(0);
	}
	int wst = 0;
	waitpid(child, &wst, 0);
	assert_int_equal(WEXITSTATUS(wst), 137);
	v = open_vault();
	assert_true(file_equals(path, "keep", 4));
	assert_int_equal(count_items(v), 3);
	rq_vault_close(v);
	free(plain);
	free(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_round_trip_binary, setup, teardown),
		cmocka_unit_test_setup_teardown(test_round_trip_empty, setup, teardown),
		cmocka_unit_test_setup_teardown(test_round_trip_odd_names, setup, teardown),
		cmocka_unit_test_setup_teardown(test_other_owner, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tamper_content, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tamper_meta, setup, teardown),
		cmocka_unit_test_setup_teardown(test_restore_rules, setup, teardown),
		cmocka_unit_test_setup_teardown(test_restore_deleted_folder, setup, teardown),
		cmocka_unit_test_setup_teardown(test_symlink_swapped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_purge, setup, teardown),
		cmocka_unit_test_setup_teardown(test_recovery_cleans_temps, setup, teardown),
		cmocka_unit_test_setup_teardown(test_crash_every_step, setup, teardown),
		cmocka_unit_test_setup_teardown(test_enospc, setup, teardown),
		cmocka_unit_test_setup_teardown(test_concurrent_same_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vault_permissions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_backup_extra, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
