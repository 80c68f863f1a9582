/*
 * Evidence files (server/campaign/evidence.c): types recognised by their
 * bytes only (PDF, PNG, JPEG, DOCX, XLSX, ODT; executables, HTML, plain
 * ZIPs and truncated or lying ZIP directories refused, never read out of
 * bounds), and file names cleaned of paths, control characters, direction
 * overrides and reserved characters, cut to length at a character.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "campaign/evidence.h"

/* A minimal ZIP with the given member names (stored, empty). */
static size_t make_zip(unsigned char *out, const char *const *names, int n, int odt)
{
	size_t len = 0, cd_start, offsets[8];
	for (int i = 0; i < n; i++) {
		const char *content = odt && i == 0 ? "application/vnd.oasis.opendocument.text" : "";
		size_t nl = strlen(names[i]), cl = strlen(content);
		offsets[i] = len;
		memset(out + len, 0, 30);
		memcpy(out + len, "PK\3\4", 4);
		out[len + 18] = (unsigned char)cl;
		out[len + 22] = (unsigned char)cl;
		out[len + 26] = (unsigned char)nl;
		memcpy(out + len + 30, names[i], nl);
		memcpy(out + len + 30 + nl, content, cl);
		len += 30 + nl + cl;
	}
	cd_start = len;
	for (int i = 0; i < n; i++) {
		size_t nl = strlen(names[i]);
		memset(out + len, 0, 46);
		memcpy(out + len, "PK\1\2", 4);
		out[len + 28] = (unsigned char)nl;
		out[len + 42] = (unsigned char)offsets[i];
		memcpy(out + len + 46, names[i], nl);
		len += 46 + nl;
	}
	memset(out + len, 0, 22);
	memcpy(out + len, "PK\5\6", 4);
	out[len + 10] = (unsigned char)n;
	out[len + 12] = (unsigned char)((len - cd_start) & 0xff);
	out[len + 13] = (unsigned char)((len - cd_start) >> 8);
	out[len + 16] = (unsigned char)(cd_start & 0xff);
	out[len + 17] = (unsigned char)(cd_start >> 8);
	return len + 22;
}

static void test_sniff(void **state)
{
	(void)state;
	unsigned char buf[2048];
	const char *docx[] = {"[Content_Types].xml", "_rels/.rels", "word/document.xml"};
	const char *xlsx[] = {"[Content_Types].xml", "xl/workbook.xml"};
	const char *both[] = {"[Content_Types].xml", "xl/workbook.xml", "word/document.xml"};
	const char *plain[] = {"readme.txt", "word/document.xml"};
	const char *odt[] = {"mimetype", "content.xml"};
	size_t n;
	assert_int_equal(rq_evidence_sniff((const unsigned char *)"%PDF-1.7\n%\xe2\xe3", 12), RQ_EVIDENCE_PDF);
	assert_int_equal(rq_evidence_sniff((const unsigned char *)"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16), RQ_EVIDENCE_PNG);
	assert_int_equal(rq_evidence_sniff((const unsigned char *)"\xff\xd8\xff\xe0\0\x10JFIF\0\1\1\0\0\1", 16),
			 RQ_EVIDENCE_JPEG);
	n = make_zip(buf, docx, 3, 0);
	assert_int_equal(rq_evidence_sniff(buf, n), RQ_EVIDENCE_DOCX);
	/* every truncation of a DOCX is refused or still a DOCX, never a crash */
	for (size_t k = 0; k < n; k++) {
		unsigned char *cut = malloc(k ? k : 1);
		memcpy(cut, buf, k);
		int t = rq_evidence_sniff(cut, k);
		assert_true(t == -1 || t == RQ_EVIDENCE_DOCX);
		free(cut);
	}
	n = make_zip(buf, xlsx, 2, 0);
	assert_int_equal(rq_evidence_sniff(buf, n), RQ_EVIDENCE_XLSX);
	n = make_zip(buf, both, 3, 0);
	assert_int_equal(rq_evidence_sniff(buf, n), -1);
	n = make_zip(buf, plain, 2, 0);
	assert_int_equal(rq_evidence_sniff(buf, n), -1);
	n = make_zip(buf, odt, 2, 1);
	assert_int_equal(rq_evidence_sniff(buf, n), RQ_EVIDENCE_ODT);
	/* a directory pointing past the end */
	n = make_zip(buf, docx, 3, 0);
	buf[n - 22 + 17] = 0x7f;
	assert_int_equal(rq_evidence_sniff(buf, n), -1);
	n = make_zip(buf, docx, 3, 0);
	buf[n - 22 + 10] = 200; /* more entries than there are */
	assert_int_equal(rq_evidence_sniff(buf, n), -1);
	assert_int_equal(rq_evidence_sniff((const unsigned char *)"MZ\x90\0\3\0\0\0\4\0\0\0\xff\xff\0\0", 16), -1);
	assert_int_equal(rq_evidence_sniff((const unsigned char *)"<html><body>%PDF-", 17), -1);
	assert_int_equal(rq_evidence_sniff((const unsigned char *)"%PDF", 4), -1);
	assert_int_equal(rq_evidence_sniff(NULL, 0), -1);
	assert_string_equal(rq_evidence_media_type(RQ_EVIDENCE_PDF), "application/pdf");
	assert_string_equal(rq_evidence_extension(RQ_EVIDENCE_XLSX), ".xlsx");
}

static void check_name(const char *in, rq_evidence_type t, const char *want)
{
	char out[RQ_EVIDENCE_NAME_MAX + 1];
	rq_evidence_clean_name(in, t, out);
	if (strcmp(out, want))
		fail_msg("clean(\"%s\") = \"%s\", want \"%s\"", in ? in : "(null)", out, want);
}

static void test_names(void **state)
{
	(void)state;
	check_name("Biên bản tập huấn.pdf", RQ_EVIDENCE_PDF, "Biên bản tập huấn.pdf");
	check_name("BIEN-BAN.PDF", RQ_EVIDENCE_PDF, "BIEN-BAN.PDF");
	check_name("photo.jpeg", RQ_EVIDENCE_JPEG, "photo.jpeg");
	check_name("../../etc/passwd", RQ_EVIDENCE_PDF, "passwd.pdf");
	check_name("..\\..\\boot.ini", RQ_EVIDENCE_PDF, "boot.ini.pdf");
	check_name("/", RQ_EVIDENCE_PDF, "evidence.pdf");
	check_name(NULL, RQ_EVIDENCE_PNG, "evidence.png");
	check_name("...", RQ_EVIDENCE_PDF, "evidence.pdf");
	check_name(" .hidden", RQ_EVIDENCE_PDF, "hidden.pdf");
	check_name("a.pdf.exe", RQ_EVIDENCE_PDF, "a.pdf.exe.pdf");
	check_name("invoice\xe2\x80\xae" "fdp.exe", RQ_EVIDENCE_PDF, "invoicefdp.exe.pdf"); /* RLO */
	check_name("a\xe2\x81\xa6" "b\xe2\x80\x8f" "c.pdf", RQ_EVIDENCE_PDF, "abc.pdf");       /* LRI, RLM */
	check_name("a\r\nb\tc\x7f" "d\xc2\x85.pdf", RQ_EVIDENCE_PDF, "abcd.pdf");                /* C0, DEL, NEL */
	check_name("a<b>c:d\"e|f?g*h.pdf", RQ_EVIDENCE_PDF, "a_b_c_d_e_f_g_h.pdf");
	check_name("bad\xff\xfeutf8\xc3.pdf", RQ_EVIDENCE_PDF, "badutf8.pdf");
	check_name("over\xc0\xaflong.pdf", RQ_EVIDENCE_PDF, "overlong.pdf");                      /* overlong '/' */
	check_name("name. . .", RQ_EVIDENCE_PDF, "name.pdf");
	/* long names cut at a character, the extension kept within the limit */
	char longname[1000] = "";
	for (int i = 0; i < 200; i++)
		strcat(longname, "đ");
	char out[RQ_EVIDENCE_NAME_MAX + 1];
	rq_evidence_clean_name(longname, RQ_EVIDENCE_DOCX, out);
	assert_true(strlen(out) <= RQ_EVIDENCE_NAME_MAX);
	assert_string_equal(out + strlen(out) - 5, ".docx");
	assert_int_equal((strlen(out) - 5) % 2, 0); /* whole two-byte characters */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sniff),
		cmocka_unit_test(test_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
