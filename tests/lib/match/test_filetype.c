/*
 * Tests of file-type sniffing (lib/match/filetype.c): hand-built headers of
 * every type and near misses, the text test, and real files: /bin/ls and
 * archives made by the system's tar, gzip, bzip2, xz, ar, zip and cpio when
 * they are installed.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/limits.h"
#include "match/filetype.h"

static uint8_t buf[40000];

/* Sniff `n` bytes of buf after putting `magic` at `off` (rest zero). */
static rq_filetype sniff_magic(size_t off, const void *magic, size_t mlen, size_t n)
{
	memset(buf, 0, sizeof(buf));
	memcpy(buf + off, magic, mlen);
	return rq_filetype_sniff(buf, n);
}

#define SNIFF(off, lit, n) sniff_magic((off), (lit), sizeof(lit) - 1, (n))

static void test_executables(void **state)
{
	memset(buf, 0, sizeof(buf));
	memcpy(buf, "MZ", 2);
	buf[0x3c] = 0x80;
	memcpy(buf + 0x80, "PE\0\0", 4);
	assert_int_equal(rq_filetype_sniff(buf, 0x100), RQ_FT_PE);
	assert_int_equal(rq_filetype_sniff(buf, 0x84), RQ_FT_PE);
	/* "PE\0\0" beyond what we were given: not called PE. */
	assert_int_equal(rq_filetype_sniff(buf, 0x83), RQ_FT_DATA);
	buf[0x3c] = 0x00; buf[0x3d] = 0x02; /* e_lfanew 0x200, nothing there */
	assert_int_equal(rq_filetype_sniff(buf, 0x100), RQ_FT_DATA);
	memset(buf + 0x3c, 0xff, 4); /* e_lfanew 0xffffffff: no overflow */
	assert_int_equal(rq_filetype_sniff(buf, sizeof(buf)), RQ_FT_DATA);
	assert_int_equal(rq_filetype_sniff((const uint8_t *)"MZ", 2), RQ_FT_TEXT);

	assert_int_equal(SNIFF(0, "\x7f" "ELF\x02\x01\x01", 64), RQ_FT_ELF);
	assert_int_equal(SNIFF(0, "\x7f" "EL", 3), RQ_FT_DATA);

	assert_int_equal(SNIFF(0, "\xfe\xed\xfa\xce", 32), RQ_FT_MACHO);
	assert_int_equal(SNIFF(0, "\xfe\xed\xfa\xcf", 32), RQ_FT_MACHO);
	assert_int_equal(SNIFF(0, "\xce\xfa\xed\xfe", 32), RQ_FT_MACHO);
	assert_int_equal(SNIFF(0, "\xcf\xfa\xed\xfe", 32), RQ_FT_MACHO);
	assert_int_equal(SNIFF(0, "\xca\xfe\xba\xbe\x00\x00\x00\x02", 64), RQ_FT_MACHO);
	/* Java class file: same magic, then minor 0 and major 52. */
	assert_int_equal(SNIFF(0, "\xca\xfe\xba\xbe\x00\x00\x00\x34", 64), RQ_FT_DATA);
	assert_int_equal(SNIFF(0, "\xca\xfe\xba\xbe\x00\x00\x00\x00", 64), RQ_FT_DATA);
}

static void test_archives(void **state)
{
	assert_int_equal(SNIFF(0, "PK\x03\x04\x14\x00", 64), RQ_FT_ZIP);
	assert_int_equal(SNIFF(0, "PK\x05\x06", 22), RQ_FT_ZIP);
	assert_int_equal(SNIFF(0, "PK\x07\x08PK\x03\x04", 64), RQ_FT_ZIP);
	assert_int_equal(SNIFF(0, "PK\x01\x02", 64), RQ_FT_DATA);
	assert_int_equal(SNIFF(0, "7z\xbc\xaf\x27\x1c\x00\x04", 64), RQ_FT_7Z);
	assert_int_equal(SNIFF(0, "Rar!\x1a\x07\x00", 64), RQ_FT_RAR);
	assert_int_equal(SNIFF(0, "Rar!\x1a\x07\x01\x00", 64), RQ_FT_RAR);
	assert_int_equal(SNIFF(0, "\x1f\x8b\x08\x00", 20), RQ_FT_GZIP);
	assert_int_equal(SNIFF(0, "BZh91AY&SY", 40), RQ_FT_BZIP2);
	assert_int_equal(rq_filetype_sniff((const uint8_t *)"BZh0 text", 9), RQ_FT_TEXT);
	assert_int_equal(SNIFF(0, "\xfd" "7zXZ\x00\x00", 32), RQ_FT_XZ);
	assert_int_equal(SNIFF(0, "MSCF\0\0\0\0", 64), RQ_FT_CAB);
	assert_int_equal(SNIFF(32769, "CD001", 32774), RQ_FT_ISO9660);
	assert_int_equal(SNIFF(32769, "CD001", 32773), RQ_FT_DATA);
	assert_int_equal(SNIFF(0, "070707", 76), RQ_FT_CPIO);
	assert_int_equal(SNIFF(0, "070701", 110), RQ_FT_CPIO);
	assert_int_equal(SNIFF(0, "070702", 110), RQ_FT_CPIO);
	assert_int_equal(SNIFF(0, "\xc7\x71", 26), RQ_FT_CPIO);
	assert_int_equal(SNIFF(0, "\x71\xc7", 26), RQ_FT_CPIO);
	assert_int_equal(SNIFF(0, "!<arch>\n", 68), RQ_FT_AR);
	assert_int_equal(SNIFF(0, "\x20\x00-lh5-", 32), RQ_FT_LHA);
	assert_int_equal(SNIFF(0, "\x20\x00-lz4-", 32), RQ_FT_LHA);
	assert_int_equal(SNIFF(0, "\x20\x00-lhX-", 32), RQ_FT_DATA);
	assert_int_equal(SNIFF(257, "ustar\0" "00", 512), RQ_FT_TAR);
	assert_int_equal(SNIFF(257, "ustar  \0", 512), RQ_FT_TAR);
	assert_int_equal(SNIFF(257, "ustar", 261), RQ_FT_DATA);
}

/* A pre-POSIX tar header: name, mode, sizes in octal, a valid checksum, no magic. */
static void test_v7_tar(void **state)
{
	memset(buf, 0, sizeof(buf));
	strcpy((char *)buf, "hello.txt");
	strcpy((char *)buf + 100, "0000644");
	strcpy((char *)buf + 124, "00000000005");
	strcpy((char *)buf + 136, "14600000000");
	memset(buf + 148, ' ', 8);
	unsigned sum = 0;
	for (int i = 0; i < 512; i++)
		sum += buf[i];
	snprintf((char *)buf + 148, 8, "%06o", sum);
	assert_int_equal(rq_filetype_sniff(buf, 1024), RQ_FT_TAR);
	buf[0] ^= 1; /* checksum no longer right */
	assert_int_equal(rq_filetype_sniff(buf, 1024), RQ_FT_DATA);
}

static void test_text(void **state)
{
	assert_int_equal(rq_filetype_sniff(NULL, 0), RQ_FT_DATA);
	assert_int_equal(rq_filetype_sniff((const uint8_t *)"", 0), RQ_FT_DATA);
	const char *ascii = "#!/bin/sh\r\necho 'hello'\tworld\f\n";
	assert_int_equal(rq_filetype_sniff((const uint8_t *)ascii, strlen(ascii)), RQ_FT_TEXT);
	const char *vi = "\xef\xbb\xbfMã độc: phần mềm độc hại — 危险 😀\n";
	assert_int_equal(rq_filetype_sniff((const uint8_t *)vi, strlen(vi)), RQ_FT_TEXT);
	/* Cut in the middle of a character by the end of the head. */
	const char *cut = "Xin chào \xe1\xbb";
	assert_int_equal(rq_filetype_sniff((const uint8_t *)cut, strlen(cut)), RQ_FT_TEXT);
	/* One NUL makes it data. */
	assert_int_equal(rq_filetype_sniff((const uint8_t *)"abc\0def", 7), RQ_FT_DATA);

	/* 5% junk bytes (invalid UTF-8) is still text, 6% is not. */
	memset(buf, 'a', 1000);
	for (int i = 0; i < 50; i++)
		buf[i * 20] = 0xff;
	assert_int_equal(rq_filetype_sniff(buf, 1000), RQ_FT_TEXT);
	for (int i = 0; i < 60; i++)
		buf[i * 16] = 0x01;
	assert_int_equal(rq_filetype_sniff(buf, 1000), RQ_FT_DATA);
	/* Overlong encodings and surrogates are not valid UTF-8. */
	memset(buf, 'a', 100);
	for (int i = 0; i < 10; i++)
		memcpy(buf + i * 10, i % 2 ? "\xc0\x80" : "\xed\xa0\x80", i % 2 ? 2 : 3);
	assert_int_equal(rq_filetype_sniff(buf, 100), RQ_FT_DATA);
}

static void test_names(void **state)
{
	static const char *const want[RQ_FT_COUNT] = {
		"data", "text", "pe", "elf", "macho", "zip", "7z", "rar", "tar", "gzip",
		"bzip2", "xz", "cab", "iso9660", "cpio", "ar", "lha",
	};
	for (int t = 0; t < RQ_FT_COUNT; t++) {
		assert_string_equal(rq_filetype_name((rq_filetype)t), want[t]);
		assert_int_equal(rq_filetype_is_archive((rq_filetype)t), t >= RQ_FT_ZIP);
	}
	assert_string_equal(rq_filetype_name(RQ_FT_COUNT), "data");
	assert_false(rq_filetype_is_archive(RQ_FT_COUNT));
}

static rq_filetype sniff_file(const char *path)
{
	static uint8_t head[RQ_SNIFF_LEN];
	FILE *f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open %s", path);
	size_t n = fread(head, 1, sizeof(head), f);
	fclose(f);
	return rq_filetype_sniff(head, n);
}

static int have(const char *tool)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1", tool);
	if (system(cmd) == 0)
		return 1;
	print_message("skipping: %s is not installed\n", tool);
	return 0;
}

static void run(const char *dir, const char *cmd)
{
	char *full = NULL;
	assert_true(asprintf(&full, "cd '%s' && { %s; } >/dev/null 2>&1", dir, cmd) > 0);
	if (system(full) != 0)
		fail_msg("failed: %s", full);
	free(full);
}

static void check(const char *dir, const char *name, rq_filetype want)
{
	char *path = NULL;
	assert_true(asprintf(&path, "%s/%s", dir, name) > 0);
	rq_filetype got = sniff_file(path);
	if (got != want)
		fail_msg("%s: sniffed %s, want %s", name, rq_filetype_name(got),
			 rq_filetype_name(want));
	free(path);
}

static void test_real_files(void **state)
{
	if (access("/bin/ls", R_OK) == 0)
		assert_int_equal(sniff_file("/bin/ls"), RQ_FT_ELF);
	else
		print_message("skipping: no /bin/ls\n");

	char *dir = rq_test_tmpdir();
	const char *text = "Just a plain text file,\nwith two lines.\n";
	free(rq_test_write(dir, "a.txt", text, strlen(text)));
	uint8_t bin[3000];
	for (size_t i = 0; i < sizeof(bin); i++)
		bin[i] = (uint8_t)(i * 7 + i / 13);
	free(rq_test_write(dir, "b.bin", bin, sizeof(bin)));
	check(dir, "a.txt", RQ_FT_TEXT);
	check(dir, "b.bin", RQ_FT_DATA);

	if (have("tar")) {
		run(dir, "tar -cf gnu.tar a.txt b.bin");
		run(dir, "tar --format=posix -cf posix.tar a.txt b.bin");
		run(dir, "tar --format=v7 -cf v7.tar a.txt b.bin");
		check(dir, "gnu.tar", RQ_FT_TAR);
		check(dir, "posix.tar", RQ_FT_TAR);
		check(dir, "v7.tar", RQ_FT_TAR);
	}
	if (have("gzip")) {
		run(dir, "gzip -c a.txt > a.txt.gz");
		check(dir, "a.txt.gz", RQ_FT_GZIP);
	}
	if (have("bzip2")) {
		run(dir, "bzip2 -c a.txt > a.txt.bz2");
		check(dir, "a.txt.bz2", RQ_FT_BZIP2);
	}
	if (have("xz")) {
		run(dir, "xz -c a.txt > a.txt.xz");
		check(dir, "a.txt.xz", RQ_FT_XZ);
	}
	if (have("ar")) {
		run(dir, "ar rc a.a a.txt b.bin");
		check(dir, "a.a", RQ_FT_AR);
	}
	if (have("zip")) {
		run(dir, "zip -q a.zip a.txt b.bin");
		check(dir, "a.zip", RQ_FT_ZIP);
	}
	if (have("cpio")) {
		run(dir, "ls a.txt b.bin | cpio -o -H newc > newc.cpio");
		run(dir, "ls a.txt b.bin | cpio -o -H odc > odc.cpio");
		run(dir, "ls a.txt b.bin | cpio -o -H bin > bin.cpio");
		check(dir, "newc.cpio", RQ_FT_CPIO);
		check(dir, "odc.cpio", RQ_FT_CPIO);
		check(dir, "bin.cpio", RQ_FT_CPIO);
	}
	rq_test_rmtree(dir);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_executables),
		cmocka_unit_test(test_archives),
		cmocka_unit_test(test_v7_tar),
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_real_files),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
