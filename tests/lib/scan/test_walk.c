/*
 * Tests of the tree walker (lib/scan/walk.c) on real folders: symlinks
 * followed or not, loops, FIFOs, missing paths, odd names, very deep
 * trees, globs, one file system and stopping early.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"

/* What a walk delivered: sorted list of paths, infected count, errors. */
struct seen {
	char **paths;
	size_t count, cap;
	size_t infected;
	char **errors;
	size_t error_count, error_cap;
	int error_codes[64];
	int stop_after;  /* return 1 from the callback after this many (0: never) */
};

static rq_engine *engine;

static int setup_engine(void **state)
{
	engine = rq_test_engine(0, NULL);
	return 0;
}

static int free_engine(void **state)
{
	rq_engine_free(engine);
	engine = NULL;
	return 0;
}

static void push(char ***arr, size_t *count, size_t *cap, const char *s)
{
	if (*count == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		*arr = realloc(*arr, *cap * sizeof(**arr));
		assert_non_null(*arr);
	}
	(*arr)[(*count)++] = strdup(s);
}

static int on_result(const rq_result *r, void *payload)
{
	struct seen *s = payload;
	push(&s->paths, &s->count, &s->cap, r->path);
	if (r->infected)
		s->infected++;
	return s->stop_after && s->count >= (size_t)s->stop_after;
}

static void on_error(const char *path, int code, const char *message, void *payload)
{
	struct seen *s = payload;
	if (s->error_count < 64)
		s->error_codes[s->error_count] = code;
	push(&s->errors, &s->error_count, &s->error_cap, path);
	assert_non_null(message);
	assert_true(message[0] != '\0');
}

static void seen_free(struct seen *s)
{
	for (size_t i = 0; i < s->count; i++)
		free(s->paths[i]);
	for (size_t i = 0; i < s->error_count; i++)
		free(s->errors[i]);
	free(s->paths);
	free(s->errors);
	memset(s, 0, sizeof(*s));
}

static int has_path(const struct seen *s, const char *path)
{
	for (size_t i = 0; i < s->count; i++)
		if (!strcmp(s->paths[i], path))
			return 1;
	return 0;
}

static char *join(const char *a, const char *b)
{
	char *p = NULL;
	assert_true(asprintf(&p, "%s/%s", a, b) > 0);
	return p;
}

static void mkdir_in(const char *dir, const char *name)
{
	char *p = join(dir, name);
	assert_int_equal(mkdir(p, 0755), 0);
	free(p);
}

static void write_in(const char *dir, const char *name, const char *text)
{
	free(rq_test_write(dir, name, text, strlen(text)));
}

static int walk(const char *const *paths, size_t n, const rq_walk_options *wo,
		struct seen *s, rq_walk_stats *stats)
{
	rq_scan_options so;
	rq_scan_options_default(&so);
	return rq_scan_paths(engine, paths, n, &so, wo, on_result, on_error, s, stats);
}

static size_t open_fds(void)
{
	size_t n = 0;
	DIR *d = opendir("/proc/self/fd");
	assert_non_null(d);
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

/* a/1, a/sub/2, a/sub/deeper/eicar: everything found, EICAR detected. */
static void test_basic_tree(void **state)
{
	char *root = rq_test_tmpdir();
	write_in(root, "1", "one");
	mkdir_in(root, "sub");
	write_in(root, "sub/2", "two");
	mkdir_in(root, "sub/deeper");
	free(rq_test_write(root, "sub/deeper/eicar", rq_test_eicar, strlen(rq_test_eicar)));
	size_t fds_before = open_fds();

	rq_walk_options wo;
	rq_walk_options_default(&wo);
	assert_int_equal(wo.recursive, 1);
	wo.threads = 3;
	struct seen s = { 0 };
	rq_walk_stats st;
	const char *paths[] = { root };
	assert_int_equal(walk(paths, 1, &wo, &s, &st), 0);
	assert_int_equal(s.count, 3);
	assert_int_equal(s.infected, 1);
	assert_int_equal(s.error_count, 0);
	char *p = join(root, "sub/deeper/eicar");
	assert_true(has_path(&s, p));
	free(p);

	rq_walk_stats copy;
	rq_walk_stats_read(&st, &copy);
	assert_int_equal(copy.files_found, 3);
	assert_int_equal(copy.files_scanned, 3);
	assert_int_equal(copy.dirs, 3);
	assert_int_equal(copy.infected, 1);
	assert_int_equal(copy.bytes_found, 3 + 3 + strlen(rq_test_eicar));
	assert_int_equal(copy.bytes_scanned, copy.bytes_found);
	assert_true(copy.walk_done);
	assert_int_equal(open_fds(), fds_before);
	seen_free(&s);

	/* Trailing slashes are not doubled in result paths. */
	char *slashed = NULL;
	assert_true(asprintf(&slashed, "%s//", root) > 0);
	paths[0] = slashed;
	assert_int_equal(walk(paths, 1, &wo, &s, NULL), 0);
	p = join(root, "1");
	assert_true(has_path(&s, p));
	free(p);
	free(slashed);
	seen_free(&s);

	/* Not recursive: only the files directly in the folder. */
	wo.recursive = 0;
	paths[0] = root;
	assert_int_equal(walk(paths, 1, &wo, &s, &st), 0);
	assert_int_equal(s.count, 1);
	assert_int_equal(st.dirs, 1);
	seen_free(&s);
	rq_test_rmtree(root);
	free(root);
}

static void test_symlinks(void **state)
{
	char *root = rq_test_tmpdir();
	char *other = rq_test_tmpdir();
	mkdir_in(root, "tree");
	write_in(root, "tree/real", "x");
	write_in(other, "outside", "y");
	char *tree = join(root, "tree");
	char *l1 = join(tree, "filelink");
	char *l2 = join(tree, "dirlink");
	char *l3 = join(tree, "loop");
	char *l4 = join(tree, "dangling");
	char *outside = join(other, "outside");
	assert_int_equal(symlink(outside, l1), 0);
	assert_int_equal(symlink(other, l2), 0);
	assert_int_equal(symlink(".", l3), 0);
	assert_int_equal(symlink("/nonexistent/raquet", l4), 0);

	rq_walk_options wo;
	rq_walk_options_default(&wo);
	struct seen s = { 0 };
	rq_walk_stats st;
	const char *paths[] = { tree };

	/* Default: nothing behind a symlink inside the tree. */
	assert_int_equal(walk(paths, 1, &wo, &s, &st), 0);
	assert_int_equal(s.count, 1);
	assert_int_equal(s.error_count, 0);
	assert_int_equal(st.skipped, 4);
	seen_free(&s);

	/* Following files only. */
	wo.follow_file_symlinks = 1;
	assert_int_equal(walk(paths, 1, &wo, &s, &st), 0);
	assert_int_equal(s.count, 2);
	assert_true(has_path(&s, l1));
	seen_free(&s);

	/* Following folders too; "loop -> ." points at an ancestor and is cut. */
	wo.follow_dir_symlinks = 1;
	assert_int_equal(walk(paths, 1, &wo, &s, &st), 0);
	char *via = join(l2, "outside");
	assert_true(has_path(&s, via));
	free(via);
	/* tree/real, tree/filelink, tree/dirlink/outside; tree/loop is tree. */
	assert_int_equal(s.count, 3);
	assert_int_equal(s.error_count, 0);
	seen_free(&s);

	/* A symlink given as the path itself is followed ... */
	rq_walk_options_default(&wo);
	paths[0] = l2;
	assert_int_equal(walk(paths, 1, &wo, &s, &st), 0);
	assert_int_equal(s.count, 1);
	seen_free(&s);
	paths[0] = l1;
	assert_int_equal(walk(paths, 1, &wo, &s, &st), 0);
	assert_int_equal(s.count, 1);
	assert_string_equal(s.paths[0], l1);
	seen_free(&s);
	/* ... unless told not to (clamscan --follow-*-symlinks=0). */
	wo.nofollow_arg_file_symlinks = 1;
	wo.nofollow_arg_dir_symlinks = 1;
	assert_int_equal(walk(paths, 1, &wo, &s, &st), 0);
	assert_int_equal(s.count, 0);
	paths[0] = l2;
	assert_int_equal(walk(paths, 1, &wo, &s, &st), 0);
	assert_int_equal(s.count, 0);
	assert_int_equal(s.error_count, 0);
	seen_free(&s);

	/* A dangling symlink given as a path is an error. */
	paths[0] = l4;
	assert_int_equal(walk(paths, 1, &wo, &s, &st), 0);
	assert_int_equal(s.error_count, 1);
	assert_int_equal(st.errors, 1);
	seen_free(&s);

	free(tree); free(l1); free(l2); free(l3); free(l4); free(outside);
	rq_test_rmtree(root);
	rq_test_rmtree(other);
	free(root);
	free(other);
}

/* A FIFO with no writer would block open() forever; the walk must skip it. */
static void test_fifo_and_missing(void **state)
{
	char *root = rq_test_tmpdir();
	char *fifo = join(root, "fifo");
	assert_int_equal(mkfifo(fifo, 0644), 0);
	write_in(root, "file", "data");
	char *missing = join(root, "does-not-exist");

	rq_walk_options wo;
	rq_walk_options_default(&wo);
	struct seen s = { 0 };
	rq_walk_stats st;
	const char *paths[] = { missing, root, fifo };
	assert_int_equal(walk(paths, 3, &wo, &s, &st), 0);
	assert_int_equal(s.count, 1);
	/* the missing path and the FIFO named directly are errors; the walk goes on */
	assert_int_equal(s.error_count, 2);
	assert_string_equal(s.errors[0], missing);
	assert_int_equal(s.error_codes[0], RQ_ENOTFOUND);
	assert_string_equal(s.errors[1], fifo);
	assert_int_equal(st.errors, 2);
	assert_int_equal(st.skipped, 1);
	seen_free(&s);
	free(fifo);
	free(missing);
	rq_test_rmtree(root);
	free(root);
}

static void test_odd_names(void **state)
{
	char *root = rq_test_tmpdir();
	const char *names[] = { "new\nline", "tab\tand space", "\xff\xfe invalid utf8", "-dash", "back\\slash" };
	for (size_t i = 0; i < 5; i++)
		write_in(root, names[i], "odd");
	mkdir_in(root, "dir\nwith newline");
	write_in(root, "dir\nwith newline/inner\n", "odd");

	struct seen s = { 0 };
	const char *paths[] = { root };
	assert_int_equal(walk(paths, 1, NULL, &s, NULL), 0);
	assert_int_equal(s.count, 6);
	for (size_t i = 0; i < 5; i++) {
		char *p = join(root, names[i]);
		assert_true(has_path(&s, p));
		free(p);
	}
	char *p = join(root, "dir\nwith newline/inner\n");
	assert_true(has_path(&s, p));
	free(p);
	seen_free(&s);
	rq_test_rmtree(root);
	free(root);
}

/*
 * Make `levels` nested folders named "level-NNNN" under dir_fd, each with a
 * file "f"; returns the number of bytes of the deepest relative path.
 */
static size_t make_deep(int dir_fd, int levels)
{
	size_t len = 0;
	int fd = dup(dir_fd);
	for (int i = 0; i < levels; i++) {
		char name[32];
		snprintf(name, sizeof(name), "level-%04d", i);
		assert_int_equal(mkdirat(fd, name, 0755), 0);
		int f = openat(fd, "f", O_WRONLY | O_CREAT | O_TRUNC, 0644);
		assert_true(f >= 0);
		assert_int_equal(write(f, "deep", 4), 4);
		close(f);
		int next = openat(fd, name, O_RDONLY | O_DIRECTORY);
		assert_true(next >= 0);
		close(fd);
		fd = next;
		len += strlen(name) + 1;
	}
	int f = openat(fd, "eicar", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(f >= 0);
	assert_int_equal(write(f, rq_test_eicar, strlen(rq_test_eicar)), (ssize_t)strlen(rq_test_eicar));
	close(f);
	close(fd);
	return len;
}

/* 2000 levels: paths of 22 KB, far past PATH_MAX; descriptors stay bounded. */
static void test_deep_tree(void **state)
{
	char *root = rq_test_tmpdir();
	int rfd = open(root, O_RDONLY | O_DIRECTORY);
	assert_true(rfd >= 0);
	size_t deepest = make_deep(rfd, 2000);
	close(rfd);
	assert_true(deepest > 8192);
	size_t fds_before = open_fds();

	rq_walk_options wo;
	rq_walk_options_default(&wo);
	wo.threads = 2;
	struct seen s = { 0 };
	rq_walk_stats st;
	const char *paths[] = { root };
	assert_int_equal(walk(paths, 1, &wo, &s, &st), 0);
	assert_int_equal(s.error_count, 0);
	assert_int_equal(s.count, 2001);
	assert_int_equal(s.infected, 1);
	assert_int_equal(st.dirs, 2001);
	size_t longest = 0;
	for (size_t i = 0; i < s.count; i++)
		if (strlen(s.paths[i]) > longest)
			longest = strlen(s.paths[i]);
	assert_int_equal(longest, strlen(root) + 1 + deepest + strlen("eicar"));
	assert_int_equal(open_fds(), fds_before);
	seen_free(&s);
	rq_test_rmtree(root);
	free(root);
}

/*
 * A followed folder symlink deep in a deep tree: on the way back the walker
 * cannot use ".." to find the evicted parent of the link and must reopen it
 * by names.
 */
static void test_deep_symlink_reopen(void **state)
{
	char *root = rq_test_tmpdir();
	char *other = rq_test_tmpdir();
	int rfd = open(root, O_RDONLY | O_DIRECTORY);
	int ofd = open(other, O_RDONLY | O_DIRECTORY);
	make_deep(rfd, 100);
	make_deep(ofd, 100);
	/* root/level-0000/.../level-0079/link -> other */
	int fd = dup(rfd);
	for (int i = 0; i < 80; i++) {
		char name[32];
		snprintf(name, sizeof(name), "level-%04d", i);
		int next = openat(fd, name, O_RDONLY | O_DIRECTORY);
		assert_true(next >= 0);
		close(fd);
		fd = next;
	}
	assert_int_equal(symlinkat(other, fd, "link"), 0);
	close(fd);
	close(rfd);
	close(ofd);

	rq_walk_options wo;
	rq_walk_options_default(&wo);
	wo.follow_dir_symlinks = 1;
	struct seen s = { 0 };
	rq_walk_stats st;
	const char *paths[] = { root };
	assert_int_equal(walk(paths, 1, &wo, &s, &st), 0);
	assert_int_equal(s.error_count, 0);
	assert_int_equal(s.count, 202);
	assert_int_equal(s.infected, 2);
	seen_free(&s);
	rq_test_rmtree(root);
	rq_test_rmtree(other);
	free(root);
	free(other);
}

static void test_globs(void **state)
{
	char *root = rq_test_tmpdir();
	write_in(root, "a.txt", "a");
	write_in(root, "b.exe", "b");
	mkdir_in(root, "sub");
	write_in(root, "sub/c.txt", "c");
	mkdir_in(root, "skipdir");
	write_in(root, "skipdir/d.txt", "d");
	const char *paths[] = { root };
	rq_walk_options wo;
	struct seen s = { 0 };
	rq_walk_stats st;

	const char *ex_txt[] = { "*.txt", NULL };
	rq_walk_options_default(&wo);
	wo.exclude = ex_txt;
	assert_int_equal(walk(paths, 1, &wo, &s, &st), 0);
	assert_int_equal(s.count, 1);
	assert_true(strstr(s.paths[0], "b.exe") != NULL);
	assert_int_equal(st.skipped, 3);
	seen_free(&s);

	rq_walk_options_default(&wo);
	wo.include = ex_txt;
	assert_int_equal(walk(paths, 1, &wo, &s, &st), 0);
	assert_int_equal(s.count, 3);
	seen_free(&s);

	/* basename match for folders, and a full-path glob ('*' crosses '/') */
	const char *ex_dirs[] = { "skipdir", "*/s?b", NULL };
	rq_walk_options_default(&wo);
	wo.exclude_dir = ex_dirs;
	assert_int_equal(walk(paths, 1, &wo, &s, &st), 0);
	assert_int_equal(s.count, 2);
	assert_int_equal(st.dirs, 1);
	seen_free(&s);

	/* a file named directly is filtered too */
	char *a = join(root, "a.txt");
	paths[0] = a;
	rq_walk_options_default(&wo);
	wo.exclude = ex_txt;
	assert_int_equal(walk(paths, 1, &wo, &s, &st), 0);
	assert_int_equal(s.count, 0);
	seen_free(&s);
	free(a);
	rq_test_rmtree(root);
	free(root);
}

/* A callback returning nonzero stops the walk; queued descriptors are closed. */
static void test_stop(void **state)
{
	char *root = rq_test_tmpdir();
	for (int i = 0; i < 300; i++) {
		char name[16];
		snprintf(name, sizeof(name), "f%03d", i);
		write_in(root, name, "some data");
	}
	size_t fds_before = open_fds();
	rq_walk_options wo;
	rq_walk_options_default(&wo);
	wo.threads = 2;
	struct seen s = { .stop_after = 5 };
	rq_walk_stats st;
	const char *paths[] = { root, root };
	assert_int_equal(walk(paths, 2, &wo, &s, &st), RQ_ESTOPPED);
	assert_int_equal(s.count, 5);
	assert_true(st.files_scanned < 600);
	assert_int_equal(open_fds(), fds_before);
	seen_free(&s);
	rq_test_rmtree(root);
	free(root);
}

/* /dev/shm is usually its own tmpfs below /dev: one_file_system stays out. */
static void test_one_file_system(void **state)
{
	struct stat a, b;
	if (stat("/dev", &a) != 0 || stat("/dev/shm", &b) != 0 || a.st_dev == b.st_dev)
		skip();
	char tmpl[] = "/dev/shm/rqwalk.XXXXXX";
	if (!mkdtemp(tmpl))
		skip();
	write_in(tmpl, "probe", "probe");
	const char *inc[] = { "/dev/shm/rqwalk.*/probe", NULL };
	const char *paths[] = { "/dev" };
	rq_walk_options wo;
	rq_walk_options_default(&wo);
	wo.include = inc;
	struct seen s = { 0 };
	assert_int_equal(walk(paths, 1, &wo, &s, NULL), 0);
	assert_true(s.count >= 1);
	seen_free(&s);
	wo.one_file_system = 1;
	assert_int_equal(walk(paths, 1, &wo, &s, NULL), 0);
	assert_int_equal(s.count, 0);
	seen_free(&s);
	rq_test_rmtree(tmpl);
}

static void test_bad_arguments(void **state)
{
	const char *paths[] = { "/" };
	assert_int_equal(rq_scan_paths(NULL, paths, 1, NULL, NULL, NULL, NULL, NULL, NULL), RQ_EINVAL);
	assert_int_equal(rq_scan_paths(engine, NULL, 0, NULL, NULL, NULL, NULL, NULL, NULL), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basic_tree),
		cmocka_unit_test(test_symlinks),
		cmocka_unit_test(test_fifo_and_missing),
		cmocka_unit_test(test_odd_names),
		cmocka_unit_test(test_deep_tree),
		cmocka_unit_test(test_deep_symlink_reopen),
		cmocka_unit_test(test_globs),
		cmocka_unit_test(test_stop),
		cmocka_unit_test(test_one_file_system),
		cmocka_unit_test(test_bad_arguments),
	};
	return cmocka_run_group_tests(tests, setup_engine, free_engine);
}
