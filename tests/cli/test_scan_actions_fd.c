/*
 * Unit tests of the remove/move/copy actions of `raquet scan`
 * (cli/scan_actions.c, compiled into this test): they work on the scanned
 * descriptor, refuse when the path was swapped for a symlink or another
 * file after the scan, never replace an existing file, and leave nothing
 * behind when they refuse.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"

#include "../../cli/scan_actions.c"

static char *tmp;
static char err[512];

static int setup(void **state)
{
	(void)state;
	tmp = rq_test_tmpdir();
	err[0] = '\0';
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	rq_test_rmtree(tmp);
	free(tmp);
	return 0;
}

static char *path_in(const char *name)
{
	size_t n = strlen(tmp) + strlen(name) + 2;
	char *p = malloc(n);
	assert_non_null(p);
	snprintf(p, n, "%s/%s", tmp, name);
	return p;
}

static int open_file(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	return fd;
}

/* The whole content of a file (NUL-terminated, malloc'd), or NULL if it is missing. */
static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	char *buf = calloc(1, 4096);
	assert_non_null(buf);
	size_t n = fread(buf, 1, 4095, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static int exists(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0;
}

/* Entries in a folder, "." and ".." excepted. */
static int entries(const char *dir)
{
	char cmd[4200];
	snprintf(cmd, sizeof cmd, "test $(ls -A '%s' | wc -l) -eq 0", dir);
	int empty = system(cmd) == 0;
	return empty ? 0 : 1;
}

static void remove_unchanged_file(void **state)
{
	(void)state;
	char *p = rq_test_write(tmp, "bad.exe", "malware", 7);
	int fd = open_file(p);
	assert_int_equal(scan_action_remove(fd, p, err, sizeof err), 0);
	assert_false(exists(p));
	close(fd);
	free(p);
}

static void remove_refuses_symlink_swapped_in(void **state)
{
	(void)state;
	char *p = rq_test_write(tmp, "bad.exe", "malware", 7);
	char *victim = rq_test_write(tmp, "important.txt", "precious", 8);
	int fd = open_file(p);
	assert_int_equal(unlink(p), 0);
	assert_int_equal(symlink(victim, p), 0); /* after the scan, before the action */
	assert_int_equal(scan_action_remove(fd, p, err, sizeof err), RQ_ENOTFOUND);
	assert_non_null(strstr(err, "symbolic link"));
	struct stat st;
	assert_int_equal(lstat(p, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	char *c = slurp(victim);
	assert_string_equal(c, "precious");
	free(c);
	close(fd);
	free(p);
	free(victim);
}

static void remove_refuses_other_file_renamed_over(void **state)
{
	(void)state;
	char *p = rq_test_write(tmp, "bad.exe", "malware", 7);
	char *other = rq_test_write(tmp, "other", "innocent", 8);
	int fd = open_file(p);
	assert_int_equal(rename(other, p), 0);
	assert_int_equal(scan_action_remove(fd, p, err, sizeof err), RQ_ENOTFOUND);
	assert_string_equal(err, "changed since it was scanned");
	char *c = slurp(p);
	assert_string_equal(c, "innocent");
	free(c);
	close(fd);
	free(p);
	free(other);
}

static void remove_gone_file(void **state)
{
	(void)state;
	char *p = rq_test_write(tmp, "bad.exe", "malware", 7);
	int fd = open_file(p);
	assert_int_equal(unlink(p), 0);
	assert_int_equal(scan_action_remove(fd, p, err, sizeof err), RQ_ENOTFOUND);
	assert_string_equal(err, "no longer exists");
	close(fd);
	free(p);
}

static void copy_reads_the_descriptor_and_numbers_names(void **state)
{
	(void)state;
	char *p = rq_test_write(tmp, "bad.exe", "malware", 7);
	char *out = path_in("out");
	assert_int_equal(mkdir(out, 0755), 0);
	assert_int_equal(chmod(p, 04751), 0);
	struct timespec times[2] = { { 1000000000, 0 }, { 1234567890, 500 } };
	assert_int_equal(utimensat(AT_FDCWD, p, times, 0), 0);
	int fd = open_file(p);
	char *taken = rq_test_write(out, "bad.exe", "already here", 12);
	/* the path now holds other bytes: the copy must still be what was scanned */
	char *other = rq_test_write(tmp, "other", "innocent", 8);
	assert_int_equal(rename(other, p), 0);

	char *dest = NULL;
	assert_int_equal(scan_action_copy(fd, p, out, 0, &dest, err, sizeof err), 0);
	assert_non_null(dest);
	assert_non_null(strstr(dest, "/out/bad.exe.1"));
	char *c = slurp(dest);
	assert_string_equal(c, "malware");
	free(c);
	struct stat st;
	assert_int_equal(stat(dest, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0751); /* setuid dropped */
	assert_int_equal(st.st_mtim.tv_sec, 1234567890);
	assert_int_equal(st.st_mtim.tv_nsec, 500);
	c = slurp(taken);
	assert_string_equal(c, "already here");
	free(c);
	free(dest);

	dest = NULL;
	assert_int_equal(scan_action_copy(fd, p, out, 0, &dest, err, sizeof err), 0);
	assert_non_null(strstr(dest, "/out/bad.exe.2"));
	free(dest);
	c = slurp(p);
	assert_string_equal(c, "innocent"); /* copy never touches the original */
	free(c);
	close(fd);
	free(p);
	free(out);
	free(taken);
	free(other);
}

static void move_removes_original(void **state)
{
	(void)state;
	char *p = rq_test_write(tmp, "bad.exe", "malware", 7);
	char *out = path_in("out");
	assert_int_equal(mkdir(out, 0755), 0);
	int fd = open_file(p);
	char *dest = NULL;
	assert_int_equal(scan_action_copy(fd, p, out, 1, &dest, err, sizeof err), 0);
	assert_false(exists(p));
	char *c = slurp(dest);
	assert_string_equal(c, "malware");
	free(c);
	free(dest);
	close(fd);
	free(p);
	free(out);
}

static void move_refuses_symlink_and_leaves_nothing(void **state)
{
	(void)state;
	char *p = rq_test_write(tmp, "bad.exe", "malware", 7);
	char *victim = rq_test_write(tmp, "important.txt", "precious", 8);
	char *out = path_in("out");
	assert_int_equal(mkdir(out, 0755), 0);
	int fd = open_file(p);
	assert_int_equal(unlink(p), 0);
	assert_int_equal(symlink(victim, p), 0);
	char *dest = NULL;
	assert_int_equal(scan_action_copy(fd, p, out, 1, &dest, err, sizeof err), RQ_ENOTFOUND);
	assert_null(dest);
	assert_int_equal(entries(out), 0);
	char *c = slurp(victim);
	assert_string_equal(c, "precious");
	free(c);
	close(fd);
	free(p);
	free(victim);
	free(out);
}

static void copy_refuses_into_its_own_folder(void **state)
{
	(void)state;
	char *p = rq_test_write(tmp, "bad.exe", "malware", 7);
	int fd = open_file(p);
	char *dest = NULL;
	assert_int_equal(scan_action_copy(fd, p, tmp, 0, &dest, err, sizeof err), RQ_EINVAL);
	assert_non_null(strstr(err, "already in"));
	assert_null(dest);
	close(fd);
	free(p);
}

static void refuses_non_regular_descriptor(void **state)
{
	(void)state;
	int pipefd[2];
	assert_int_equal(pipe(pipefd), 0);
	char *p = rq_test_write(tmp, "bad.exe", "malware", 7);
	assert_int_equal(scan_action_remove(pipefd[0], p, err, sizeof err), RQ_EINVAL);
	assert_true(exists(p));
	close(pipefd[0]);
	close(pipefd[1]);
	free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(remove_unchanged_file, setup, teardown),
		cmocka_unit_test_setup_teardown(remove_refuses_symlink_swapped_in, setup, teardown),
		cmocka_unit_test_setup_teardown(remove_refuses_other_file_renamed_over, setup, teardown),
		cmocka_unit_test_setup_teardown(remove_gone_file, setup, teardown),
		cmocka_unit_test_setup_teardown(copy_reads_the_descriptor_and_numbers_names, setup, teardown),
		cmocka_unit_test_setup_teardown(move_removes_original, setup, teardown),
		cmocka_unit_test_setup_teardown(move_refuses_symlink_and_leaves_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(copy_refuses_into_its_own_folder, setup, teardown),
		cmocka_unit_test_setup_teardown(refuses_non_regular_descriptor, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
