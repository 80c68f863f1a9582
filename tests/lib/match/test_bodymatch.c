/*
 * Tests of the body-signature matcher (lib/match/bodymatch.c) and of the
 * text normalisation of target type 7 (lib/match/textnorm.c): every syntax
 * element in a stream, gap bounds and offsets at their exact boundaries,
 * target types, chunk boundaries (one byte at a time, random splits),
 * all-matches on and off, stream reuse, and a randomized differential test
 * against a naive backtracking matcher written here.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/limits.h"
#include "match/bodymatch.h"
#include "match/textnorm.h"
#include "sigs/hexsig.h"
#include "sigs/sigset.h"

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static size_t rnd_below(size_t n) { return n ? (size_t)(rnd() % n) : 0; }

/* --- a matcher built from .ndb text --- */

typedef struct fixture {
	rq_sigset set;
	rq_bodydb *db;
	rq_bodyscan *scan;
	int warnings;
} fixture;

static int count_warning(const char *file, unsigned line, const char *message, void *payload)
{
	(void)file;
	(void)line;
	(void)message;
	((fixture *)payload)->warnings++;
	return 0;
}

static fixture *fx_new(const char *ndb)
{
	fixture *f = calloc(1, sizeof(*f));
	assert_non_null(f);
	rq_engine_options opts = { .on_warning = count_warning, .warning_payload = f };
	rq_sigset_init(&f->set, &opts);
	int rc = rq_load_clamav_ndb(&f->set, "t.ndb", (const uint8_t *)ndb, strlen(ndb));
	if (rc)
		fail_msg("load: %s", rq_error_last());
	rc = rq_bodydb_build(&f->db, &f->set, f->set.bodies, f->set.body_count);
	if (rc)
		fail_msg("build: %s", rq_error_last());
	assert_int_equal(rq_bodyscan_new(&f->scan, f->db), 0);
	return f;
}

static void fx_free(fixture *f)
{
	rq_bodyscan_free(f->scan);
	rq_bodydb_free(f->db);
	rq_sigset_free(&f->set);
	free(f);
}

enum { WHOLE, ONE_BYTE, RANDOM_SPLITS, MODES };

/* Scan `data` fed as `mode` says; returns the matched names joined by ',' in discovery order. */
static char *scan_mode(fixture *f, const void *data, size_t len, rq_filetype type, int all,
		       int mode)
{
	const uint8_t *p = data;
	assert_int_equal(rq_bodyscan_begin(f->scan, len, type, all), 0);
	size_t off = 0;
	while (off < len) {
		size_t n = len - off;
		if (mode == ONE_BYTE) /* big inputs: 1 to 16 bytes, to keep the test fast */
			n = len <= 16384 ? 1 : 1 + rnd_below(16);
		else if (mode == RANDOM_SPLITS)
			n = rnd_below(4) == 0 ? 0 : 1 + rnd_below(n < 300 ? n : 300);
		if (n > len - off)
			n = len - off;
		int rc = rq_bodyscan_feed(f->scan, p + off, n);
		assert_true(rc == 0 || rc == 1);
		if (rc == 1) {
			assert_false(all);
			break;
		}
		off += n;
	}
	assert_int_equal(rq_bodyscan_end(f->scan), 0);
	const rq_bodysig *const *m;
	size_t count = rq_bodyscan_matches(f->scan, &m);
	if (!all)
		assert_true(count <= 1);
	char *out = calloc(1, 4096);
	assert_non_null(out);
	for (size_t i = 0; i < count; i++) {
		if (i)
			strcat(out, ",");
		strncat(out, m[i]->name, 4096 - strlen(out) - 2);
	}
	return out;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names of a ','-list sorted, as a new ','-list. */
static char *sorted(const char *list)
{
	char *copy = strdup(list), *parts[512], *save = NULL;
	size_t n = 0;
	for (char *t = strtok_r(copy, ",", &save); t && n < 512; t = strtok_r(NULL, ",", &save))
		parts[n++] = t;
	qsort(parts, n, sizeof(*parts), cmp_str);
	char *out = calloc(1, strlen(list) + 2);
	for (size_t i = 0; i < n; i++) {
		if (i)
			strcat(out, ",");
		strcat(out, parts[i]);
	}
	free(copy);
	return out;
}

/*
 * The sorted names matched in `data` must be `want` whatever the feeding,
 * and with all_matches off exactly one of them (or none) is reported.
 */
static void expect_type(fixture *f, const void *data, size_t len, rq_filetype type,
			const char *want)
{
	char *want_sorted = sorted(want);
	for (int mode = 0; mode < MODES; mode++) {
		char *got = scan_mode(f, data, len, type, 1, mode);
		char *got_sorted = sorted(got);
		if (strcmp(got_sorted, want_sorted))
			fail_msg("mode %d: got '%s', want '%s'", mode, got_sorted, want_sorted);
		free(got);
		free(got_sorted);
		char *first = scan_mode(f, data, len, type, 0, mode);
		if (!*want_sorted)
			assert_string_equal(first, "");
		else if (!*first || strchr(first, ',') || !strstr(want_sorted, first))
			fail_msg("mode %d, first match only: got '%s' of '%s'", mode, first, want);
		free(first);
	}
	free(want_sorted);
}

static void expect(fixture *f, const char *data, const char *want)
{
	expect_type(f, data, strlen(data), RQ_FT_DATA, want);
}

/* "AB" + n bytes of filler + "CD" */
static char *gapped(const char *head, size_t n, const char *tail)
{
	char *s = malloc(strlen(head) + n + strlen(tail) + 1);
	strcpy(s, head);
	memset(s + strlen(head), '.', n);
	strcpy(s + strlen(head) + n, tail);
	return s;
}

/* --- element by element --- */

static void test_elements(void **state)
{
	(void)state;
	fixture *f = fx_new("Lit:0:*:41424344\n"
			    "Any:0:*:5151??5252\n"
			    "Hi:0:*:53534?\n"
			    "Lo:0:*:5454?5\n"
			    "Skip:0:*:5555{3}5656\n"
			    "Alt:0:*:5757(58|5a5a|5b5b5b)5959\n"
			    "Neg:0:*:6161!(62|63)6464\n"
			    "NegMulti:0:*:6565!(6666|6767)6868\n"
			    "AltWild:0:*:6969(6a??|?b6c)6d6d\n");
	expect(f, "..ABCD..", "Lit");
	expect(f, "..ABCE..", "");
	expect(f, "QQ\xffRR", "Any");
	expect(f, "QQRR", "");
	expect(f, "SSO", "Hi");
	expect(f, "SSP", "");
	expect(f, "TT%", "Lo");
	expect(f, "TT&", "");
	expect(f, "UUabcVV", "Skip");
	expect(f, "UUabVV", "");
	expect(f, "UUabcdVV", "");
	expect(f, "WWXYY", "Alt");
	expect(f, "WWZZYY", "Alt");
	expect(f, "WW[[[YY", "Alt");
	expect(f, "WWZYY", "");
	expect(f, "WW[[YY", "");
	expect(f, "aaxdd", "Neg");
	expect(f, "aabdd", "");
	expect(f, "aacdd", "");
	expect(f, "eefghh", "NegMulti");
	expect(f, "eeffhh", "");
	expect(f, "eegghh", "");
	expect(f, "iij!mm", "AltWild");
	expect(f, "ii\x0bkmm", "");
	expect(f, "ii{lmm", "AltWild");
	expect(f, "ABCD QQ?RR WWXYY", "Lit,Any,Alt");
	fx_free(f);
}

static void test_gap_bounds(void **state)
{
	(void)state;
	fixture *f = fx_new("Range:0:*:4142{3-5}4344\n"
			    "AtLeast:0:*:4546{3-}4748\n"
			    "AtMost:0:*:494a{-3}4b4c\n"
			    "Star:0:*:4d4e*4f50\n"
			    "Split:0:*:5152{200}5354\n"
			    "Far:0:*:5556{200-300}5758\n");
	static const struct {
		const char *head, *tail, *name;
		size_t n;
		int match;
	} cases[] = {
		{ "AB", "CD", "Range", 2, 0 },     { "AB", "CD", "Range", 3, 1 },
		{ "AB", "CD", "Range", 5, 1 },     { "AB", "CD", "Range", 6, 0 },
		{ "EF", "GH", "AtLeast", 2, 0 },   { "EF", "GH", "AtLeast", 3, 1 },
		{ "EF", "GH", "AtLeast", 5000, 1 },
		{ "IJ", "KL", "AtMost", 0, 1 },    { "IJ", "KL", "AtMost", 3, 1 },
		{ "IJ", "KL", "AtMost", 4, 0 },
		{ "MN", "OP", "Star", 0, 1 },      { "MN", "OP", "Star", 100000, 1 },
		{ "QR", "ST", "Split", 199, 0 },   { "QR", "ST", "Split", 200, 1 },
		{ "QR", "ST", "Split", 201, 0 },
		{ "UV", "WX", "Far", 199, 0 },     { "UV", "WX", "Far", 200, 1 },
		{ "UV", "WX", "Far", 300, 1 },     { "UV", "WX", "Far", 301, 0 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *d = gapped(cases[i].head, cases[i].n, cases[i].tail);
		expect(f, d, cases[i].match ? cases[i].name : "");
		free(d);
	}
	/* parts in the wrong order do not match */
	expect(f, "CD...AB", "");
	expect(f, "OP..MN", "");
	/* parts may not overlap */
	expect(f, "MNOP", "Star");
	fx_free(f);
}

/* Ends of a first part far back still count after newer ones pushed them out of the window. */
static void test_gap_window(void **state)
{
	(void)state;
	fixture *f = fx_new("Old:0:*:4141{0-1000}4142\n"
			    "Many:0:*:4344{300-310}4546\n");
	/* AA at 0 ends at 2; AA at 202 ends at 204 > start of AB at 203 */
	char *d = gapped("AA", 200, "AAB");
	expect(f, d, "Old");
	free(d);
	d = gapped("AA", 1001, "AB");
	expect(f, d, "");
	free(d);
	/* CD every other byte then EF: some CD end at the right distance */
	char buf[1200];
	memset(buf, '.', sizeof(buf));
	for (int i = 0; i < 600; i += 2)
		memcpy(buf + i, "CD", 2);
	memcpy(buf + 900, "EF", 2);
	buf[902] = '\0';
	expect(f, buf, "Many");
	/* CD only up to 100: EF at 450 needs an end in [140, 150] */
	memset(buf, '.', sizeof(buf));
	for (int i = 0; i < 100; i += 2)
		memcpy(buf + i, "CD", 2);
	memcpy(buf + 450, "EF", 2);
	buf[452] = '\0';
	expect(f, buf, "");
	fx_free(f);
}

/*
 * Candidates must be verified in the order their parts end, not the order
 * their anchors were found: here the first part's anchor (AB) comes before
 * its 120 skipped bytes, so the end of AB@30 (152) and of AB@100 (222) would
 * otherwise be recorded before CD@150 asks for an end in [0, 150], pushing
 * the end 122 of AB@0 out of the small window of recent ends.
 */
static void test_gap_order(void **state)
{
	(void)state;
	fixture *f = fx_new("Order:0:*:4142{120}{0-200}4344\n");
	char buf[300];
	memset(buf, '.', sizeof(buf));
	memcpy(buf + 0, "AB", 2);
	memcpy(buf + 30, "AB", 2);
	memcpy(buf + 100, "AB", 2);
	memcpy(buf + 150, "CD", 2);
	buf[260] = '\0';
	expect(f, buf, "Order");
	fx_free(f);
}

/*
 * Weak later parts (0000) in long runs of zeros: their hits are dropped while
 * no earlier part was seen, so 20 such signatures over 128 KiB of zeros
 * neither queue more than RQ_MAX_BODY_CANDIDATES nor miss the real match.
 */
static void test_weak_later_parts(void **state)
{
	(void)state;
	char ndb[20 * 40] = "";
	for (int i = 0; i < 20; i++)
		sprintf(ndb + strlen(ndb), "Weak%02d:0:*:414243%02x*0000\n", i, 0x50 + i);
	fixture *f = fx_new(ndb);
	size_t len = 2 * RQ_BODY_SCAN_BLOCK;
	uint8_t *data = calloc(1, len);
	expect_type(f, data, len, RQ_FT_DATA, "");
	memcpy(data + RQ_BODY_SCAN_BLOCK, "ABCS", 4); /* Weak03 */
	expect_type(f, data, len, RQ_FT_DATA, "Weak03");
	memset(data + RQ_BODY_SCAN_BLOCK + 4, 'x', len - RQ_BODY_SCAN_BLOCK - 4);
	expect_type(f, data, len, RQ_FT_DATA, "");
	free(data);
	fx_free(f);
}

static void test_offsets(void **state)
{
	(void)state;
	fixture *f = fx_new("Abs:0:5:414243\n"
			    "Float:0:10,3:444546\n"
			    "Eof:0:EOF-4:474849\n"
			    "EofFloat:0:EOF-10,2:4a4b4c\n"
			    "AbsParts:0:3:494a*4b4c\n"
			    "Zero:0:0:4d4e4f\n");
	static const struct {
		const char *what, *name;
		int from, to;      /* positions tried */
		int lo, hi;        /* positions that match */
	} cases[] = {
		{ "ABC", "Abs", 3, 7, 5, 5 },
		{ "DEF", "Float", 8, 14, 10, 13 },
		{ "GHI", "Eof", 13, 17, 16, 16 },      /* length 20: EOF-4 is 16 */
		{ "JKL", "EofFloat", 8, 14, 10, 12 },  /* EOF-10,2: 10..12 */
		{ "MNO", "Zero", 0, 2, 0, 0 },
	};
	char buf[32];
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		for (int at = cases[c].from; at <= cases[c].to; at++) {
			memset(buf, '.', 20);
			buf[20] = '\0';
			memcpy(buf + at, cases[c].what, 3);
			expect(f, buf, at >= cases[c].lo && at <= cases[c].hi ? cases[c].name : "");
		}
	}
	expect(f, "...IJ.....KL", "AbsParts");
	expect(f, "....IJ....KL", "");
	expect(f, "..IJ..IJ..KL", "");
	/* a stream shorter than n for EOF-n */
	expect(f, "GHI", "");
	fx_free(f);
}

static void test_targets(void **state)
{
	(void)state;
	fixture *f = fx_new("Any:0:*:41424344\n"
			    "Pe:1:*:41424344\n"
			    "Elf:6:*:41424344\n"
			    "Macho:9:*:41424344\n"
			    "Text:7:*:61626364\n");
	const char *d = "..ABCD..";
	expect_type(f, d, strlen(d), RQ_FT_DATA, "Any");
	expect_type(f, d, strlen(d), RQ_FT_PE, "Any,Pe");
	expect_type(f, d, strlen(d), RQ_FT_ELF, "Any,Elf");
	expect_type(f, d, strlen(d), RQ_FT_MACHO, "Any,Macho");
	expect_type(f, d, strlen(d), RQ_FT_TEXT, "Any,Text");
	expect_type(f, d, strlen(d), RQ_FT_ZIP, "Any");
	fx_free(f);
	/* a database holding only PE signatures scans other types cheaply, and correctly */
	f = fx_new("Pe:1:*:41424344\n");
	expect_type(f, d, strlen(d), RQ_FT_ELF, "");
	expect_type(f, d, strlen(d), RQ_FT_PE, "Pe");
	fx_free(f);
}

static void test_text_normalisation(void **state)
{
	(void)state;
	fixture *f = fx_new("Hello:7:*:68656c6c6f20776f726c64\n" /* "hello world" */
			    "Start:7:0:616263\n"                  /* "abc" at normalised 0 */
			    "Shift:7:4:78797a\n"                  /* "xyz" at normalised 4 */
			    "Raw:0:*:48454c4c4f\n");              /* "HELLO", raw bytes */
	const char *d = "Say HeLLo \t\r\n  WORLD!";
	expect_type(f, d, strlen(d), RQ_FT_TEXT, "Hello");
	expect_type(f, d, strlen(d), RQ_FT_DATA, "");
	d = "HELLO world";
	expect_type(f, d, strlen(d), RQ_FT_TEXT, "Hello,Raw");
	d = "hel\x80lo\x01 \x02\x03world";  /* dropped bytes vanish */
	expect_type(f, d, strlen(d), RQ_FT_TEXT, "Hello");
	d = "hello_world";
	expect_type(f, d, strlen(d), RQ_FT_TEXT, "");
	d = "ABC...";
	expect_type(f, d, strlen(d), RQ_FT_TEXT, "Start");
	d = "  \n\tABC";  /* a leading run becomes one space: "abc" is at 1 */
	expect_type(f, d, strlen(d), RQ_FT_TEXT, "");
	d = "a\r\n\r\n b XYZ"; /* "a b xyz" */
	expect_type(f, d, strlen(d), RQ_FT_TEXT, "Shift");
	fx_free(f);

	/* type-0 signatures also see the normalised text of text files (as in
	 * ClamAV), with their own part state, reported once */
	f = fx_new("Low:0:*:6d616c77617265\n"          /* "malware" */
		   "Parts:0:*:4142*6364\n"             /* "AB" then "cd" */
		   "AtZero:0:0:616263\n"               /* "abc" at 0 */
		   "AtEof:0:EOF-3:616263\n");          /* "abc" 3 bytes before the end */
	d = "some MalWare here";
	expect_type(f, d, strlen(d), RQ_FT_TEXT, "Low");
	expect_type(f, d, strlen(d), RQ_FT_DATA, "");
	d = "malware and MALWARE";
	expect_type(f, d, strlen(d), RQ_FT_TEXT, "Low");
	d = "AB .. CD"; /* raw has AB, not cd; normalised has cd, not AB */
	expect_type(f, d, strlen(d), RQ_FT_TEXT, "");
	d = ".AB .. cd";
	expect_type(f, d, strlen(d), RQ_FT_TEXT, "Parts");
	d = "\x01\x02" "ABC...";  /* normalised: "abc..." */
	expect_type(f, d, strlen(d), RQ_FT_TEXT, "AtZero");
	d = "...ABC\x01";      /* EOF-relative offsets stay raw-only */
	expect_type(f, d, strlen(d), RQ_FT_TEXT, "");
	d = "...abc";
	expect_type(f, d, strlen(d), RQ_FT_TEXT, "AtEof");
	fx_free(f);
}

static void test_textnorm_unit(void **state)
{
	(void)state;
	rq_textnorm st;
	uint8_t out[64];
	rq_textnorm_init(&st);
	const char *in = "  A\tb\r\n\vC\x80\x01Z~\x7f";
	size_t n = rq_textnorm_run(&st, out, (const uint8_t *)in, strlen(in));
	assert_int_equal(n, 9);
	assert_memory_equal(out, " a b cz~\x7f", 9);
	/* state carries across calls: a run split between chunks stays one space */
	rq_textnorm_init(&st);
	n = rq_textnorm_run(&st, out, (const uint8_t *)"x ", 2);
	n += rq_textnorm_run(&st, out + n, (const uint8_t *)"\x81 \ty", 4);
	assert_int_equal(n, 3);
	assert_memory_equal(out, "x y", 3);
}

/* A long part with wildcards planted across the 64 KiB blocks and any chunking. */
static void test_chunk_boundaries(void **state)
{
	(void)state;
	char ndb[2048] = "Long:0:*:";
	for (int i = 0; i < 150; i++)
		strcat(ndb, i % 7 == 3 ? "??" : i % 11 == 5 ? "4?" : "41");
	strcat(ndb, "\nTwo:0:*:4243{10-20}444546\n");
	fixture *f = fx_new(ndb);
	size_t len = 3 * RQ_BODY_SCAN_BLOCK + 100;
	uint8_t *data = malloc(len);
	for (size_t i = 0; i < len; i++)
		data[i] = (uint8_t)('a' + rnd_below(20));
	uint8_t longpart[150];
	for (int i = 0; i < 150; i++)
		longpart[i] = i % 11 == 5 ? 0x4f : 'A';
	size_t spots[] = { RQ_BODY_SCAN_BLOCK - 75, 2 * RQ_BODY_SCAN_BLOCK - 1 };
	for (int k = 0; k < 2; k++)
		memcpy(data + spots[k], longpart, sizeof(longpart));
	memcpy(data + 3 * RQ_BODY_SCAN_BLOCK - 8, "BC", 2);
	memcpy(data + 3 * RQ_BODY_SCAN_BLOCK + 9, "DEF", 3);
	expect_type(f, data, len, RQ_FT_DATA, "Long,Two");
	/* cut the last byte of the long part's second copy: still the first one */
	data[spots[1] + 149] = 'z';
	data[spots[0] + 12] = 'z';
	expect_type(f, data, len, RQ_FT_DATA, "Two");
	free(data);
	fx_free(f);
}

static void test_all_matches_and_once(void **state)
{
	(void)state;
	fixture *f = fx_new("A:0:*:41414141\n"
			    "B:0:*:42424242\n"
			    "C:0:*:4343*4444\n");
	const char *d = "AAAAAAAA BBBB CC DD AAAA CC DD";
	char *got = scan_mode(f, d, strlen(d), RQ_FT_DATA, 1, ONE_BYTE);
	assert_string_equal(got, "A,B,C"); /* discovery order, each once */
	free(got);
	got = scan_mode(f, d, strlen(d), RQ_FT_DATA, 0, WHOLE);
	assert_string_equal(got, "A");
	free(got);
	/* feed says stop once a match is in and all_matches is off */
	assert_int_equal(rq_bodyscan_begin(f->scan, 12, RQ_FT_DATA, 0), 0);
	assert_int_equal(rq_bodyscan_feed(f->scan, (const uint8_t *)"..BB", 4), 0);
	assert_int_equal(rq_bodyscan_feed(f->scan, (const uint8_t *)"BB..", 4), 1);
	assert_int_equal(rq_bodyscan_feed(f->scan, (const uint8_t *)"AAAA", 4), 1);
	assert_int_equal(rq_bodyscan_end(f->scan), 0);
	const rq_bodysig *const *m;
	assert_int_equal(rq_bodyscan_matches(f->scan, &m), 1);
	assert_string_equal(m[0]->name, "B");
	fx_free(f);
}

/* Per-stream state does not leak into the next stream. */
static void test_stream_reuse(void **state)
{
	(void)state;
	fixture *f = fx_new("Parts:0:*:4142*4344\n"
			    "One:0:*:45464748\n");
	for (int i = 0; i < 3; i++) {
		char *got = scan_mode(f, "..AB..", 6, RQ_FT_DATA, 1, WHOLE);
		assert_string_equal(got, "");
		free(got);
		got = scan_mode(f, "..CD..", 6, RQ_FT_DATA, 1, WHOLE);
		assert_string_equal(got, "");
		free(got);
		got = scan_mode(f, "AB.CD.EFGH", 10, RQ_FT_DATA, 1, WHOLE);
		char *names = sorted(got);
		assert_string_equal(names, "One,Parts");
		free(names);
		free(got);
	}
	/* a stream abandoned mid-way (no end) then a new one */
	assert_int_equal(rq_bodyscan_begin(f->scan, 100, RQ_FT_DATA, 1), 0);
	assert_int_equal(rq_bodyscan_feed(f->scan, (const uint8_t *)"ABxxEF", 6), 0);
	char *got = scan_mode(f, "GHCD", 4, RQ_FT_DATA, 1, WHOLE);
	assert_string_equal(got, "");
	free(got);
	fx_free(f);
}

static void test_build_checks(void **state)
{
	(void)state;
	/* a bounded gap starting too far is refused at build time with a warning */
	fixture *f = fx_new("Far:0:*:4142{70000-70010}4344\nOk:0:*:45464748\n");
	assert_int_equal(f->warnings, 1);
	assert_int_equal(rq_bodydb_count(f->db), 1);
	expect(f, "EFGH", "Ok");
	fx_free(f);
	/* an anchor whose vectorscan expression would be huge is refused with a warning:
	 * 130 alternatives of 30 low-nibble positions, each a class of 16 bytes */
	size_t cap = 64 + 130 * 61;
	char *ndb = malloc(cap);
	strcpy(ndb, "Huge:0:*:4142(");
	for (int b = 0; b < 130; b++) {
		for (int i = 0; i < 30; i++)
			strcat(ndb, "?1");
		strcat(ndb, b == 129 ? ")\n" : "|");
	}
	f = fx_new(ndb);
	free(ndb);
	assert_int_equal(f->warnings, 1);
	assert_int_equal(rq_bodydb_count(f->db), 0);
	fx_free(f);
	/* empty database */
	f = fx_new("");
	assert_int_equal(rq_bodydb_count(f->db), 0);
	expect(f, "anything", "");
	fx_free(f);
	/* identical anchors shared by several signatures */
	f = fx_new("S1:0:*:41424344\nS2:0:*:41424344\nS3:0:0:41424344\nS4:0:*:4142434445\n");
	assert_int_equal(rq_bodydb_count(f->db), 4);
	expect(f, "ABCDE", "S1,S2,S3,S4");
	expect(f, ".ABCD", "S1,S2");
	fx_free(f);
}

static void test_public_api(void **state)
{
	(void)state;
	rq_engine *e = rq_test_engine(1, "ndb",
				      "Api.Test:0:*:6d616c77617265{2-4}7061796c6f6164\n", NULL);
	char *got = rq_test_scan_buffer(e, "a malware..payload here", 23, 1);
	assert_string_equal(got, "Api.Test");
	free(got);
	got = rq_test_scan_buffer(e, "a malware.payload here", 22, 1);
	assert_string_equal(got, "");
	free(got);
	rq_engine_free(e);
}

/* --- differential test against a naive matcher --- */

enum { R_BYTE, R_SKIP, R_GAP, R_ALT, R_NALT };

typedef struct rbranch {
	int len;
	uint8_t v[4], m[4];
} rbranch;

typedef struct rtok {
	int kind;
	uint8_t v, m;    /* BYTE */
	uint32_t a, b;   /* SKIP: a; GAP: [a, b] with b = RQ_HEX_GAP_INF when open */
	int nbr;
	rbranch br[3];
} rtok;

typedef struct rsig {
	rtok t[24];
	int n;
	int target;
	rq_offset off;
	char hex[512];
	char offtext[48];
} rsig;

static const uint8_t raw_alpha[] = { 'A', 'B', 'C', 'a' };
static const uint8_t text_alpha[] = { 'a', 'b', 'c', ' ' };

static void rand_byte(uint8_t *v, uint8_t *m, const uint8_t *alpha, int allow_any)
{
	uint8_t c = alpha[rnd_below(4)];
	size_t k = rnd_below(allow_any ? 8 : 6);
	if (k < 4) {
		*v = c;
		*m = 0xff;
	} else if (k == 4) {
		*v = c & 0xf0;
		*m = 0xf0;
	} else if (k == 5) {
		*v = c & 0x0f;
		*m = 0x0f;
	} else {
		*v = 0;
		*m = 0;
	}
}

static void put_byte(char *hex, uint8_t v, uint8_t m)
{
	char s[3];
	static const char digits[] = "0123456789abcdef";
	s[0] = (m & 0xf0) ? digits[v >> 4] : '?';
	s[1] = (m & 0x0f) ? digits[v & 15] : '?';
	s[2] = '\0';
	strcat(hex, s);
}

/* One part: a fixed pair somewhere among 0..3 other elements. */
static void gen_part(rsig *s, const uint8_t *alpha, int first, int last)
{
	int extras = (int)rnd_below(4), pair_at = (int)rnd_below((size_t)extras + 1);
	for (int e = 0; e <= extras; e++) {
		int edge = (first && e == 0) || (last && e == extras);
		if (e == pair_at) {
			for (int i = 0; i < 2; i++)
				s->t[s->n++] = (rtok){ .kind = R_BYTE, .v = alpha[rnd_below(4)], .m = 0xff };
			continue;
		}
		rtok t = { .kind = R_BYTE };
		switch (rnd_below(6)) {
		case 0:
		case 1:
			rand_byte(&t.v, &t.m, alpha, 0);
			break;
		case 2:
			t.kind = R_SKIP;
			t.a = edge ? 1 : 1 + (uint32_t)rnd_below(3); /* `{n}` may not start or end */
			break;
		case 3:
		case 4:
			t.kind = R_ALT;
			t.nbr = 2 + (int)rnd_below(2);
			for (int b = 0; b < t.nbr; b++) {
				t.br[b].len = 1 + (int)rnd_below(3);
				for (int i = 0; i < t.br[b].len; i++)
					rand_byte(&t.br[b].v[i], &t.br[b].m[i], alpha, 1);
			}
			break;
		default:
			t.kind = R_NALT;
			t.nbr = 2;
			int len = 1 + (int)rnd_below(2);
			for (int b = 0; b < 2; b++) {
				t.br[b].len = len;
				for (int i = 0; i < len; i++) {
					t.br[b].v[i] = alpha[rnd_below(4)];
					t.br[b].m[i] = 0xff;
				}
			}
			break;
		}
		s->t[s->n++] = t;
	}
}

static void render(rsig *s)
{
	char *h = s->hex;
	h[0] = '\0';
	for (int i = 0; i < s->n; i++) {
		const rtok *t = &s->t[i];
		char tmp[48];
		switch (t->kind) {
		case R_BYTE:
			put_byte(h, t->v, t->m);
			break;
		case R_SKIP:
			if (t->a == 1) {
				strcat(h, "??");
			} else {
				snprintf(tmp, sizeof(tmp), "{%u}", t->a);
				strcat(h, tmp);
			}
			break;
		case R_GAP:
			if (t->b == RQ_HEX_GAP_INF && t->a == 0 && rnd_below(2))
				snprintf(tmp, sizeof(tmp), "*");
			else if (t->b == RQ_HEX_GAP_INF)
				snprintf(tmp, sizeof(tmp), "{%u-}", t->a);
			else if (t->a == 0 && rnd_below(2))
				snprintf(tmp, sizeof(tmp), "{-%u}", t->b);
			else
				snprintf(tmp, sizeof(tmp), "{%u-%u}", t->a, t->b);
			strcat(h, tmp);
			break;
		default:
			strcat(h, t->kind == R_NALT ? "!(" : "(");
			for (int b = 0; b < t->nbr; b++) {
				if (b)
					strcat(h, "|");
				for (int k = 0; k < t->br[b].len; k++)
					put_byte(h, t->br[b].v[k], t->br[b].m[k]);
			}
			strcat(h, ")");
			break;
		}
	}
}

static void gen_sig(rsig *s, int text)
{
	memset(s, 0, sizeof(*s));
	s->target = text && rnd_below(2) ? RQ_TARGET_TEXT : RQ_TARGET_ANY;
	const uint8_t *alpha = s->target == RQ_TARGET_TEXT ? text_alpha : raw_alpha;
	int parts = 1 + (int)rnd_below(3);
	for (int p = 0; p < parts; p++) {
		if (p) {
			rtok g = { .kind = R_GAP };
			switch (rnd_below(4)) {
			case 0:
				g.a = 0;
				g.b = RQ_HEX_GAP_INF;
				break;
			case 1:
				g.a = (uint32_t)rnd_below(6);
				g.b = RQ_HEX_GAP_INF;
				break;
			case 2:
				g.a = 0;
				g.b = (uint32_t)rnd_below(7);
				break;
			default:
				g.a = (uint32_t)rnd_below(6);
				g.b = g.a + (uint32_t)rnd_below(6);
				break;
			}
			s->t[s->n++] = g;
		}
		gen_part(s, alpha, p == 0, p == parts - 1);
	}
	int plain = 1; /* ClamAV refuses plain patterns under 3 bytes */
	for (int i = 0; i < s->n; i++)
		plain &= s->t[i].kind == R_BYTE && s->t[i].m == 0xff;
	if (plain && s->n < 3)
		s->t[s->n++] = (rtok){ .kind = R_BYTE, .v = alpha[rnd_below(4)], .m = 0xff };
	render(s);
	switch (rnd_below(s->target == RQ_TARGET_TEXT ? 3 : 5)) {
	case 0:
	case 1:
		s->off.kind = RQ_OFFSET_ANY;
		strcpy(s->offtext, "*");
		break;
	case 2:
		s->off.kind = RQ_OFFSET_ABS;
		s->off.value = rnd_below(20);
		s->off.shift = rnd_below(2) ? rnd_below(10) : 0;
		break;
	default:
		s->off.kind = RQ_OFFSET_EOF;
		s->off.value = rnd_below(40);
		s->off.shift = rnd_below(2) ? rnd_below(10) : 0;
		break;
	}
	if (s->off.kind != RQ_OFFSET_ANY)
		snprintf(s->offtext, sizeof(s->offtext), "%s%llu%s%.0llu",
			 s->off.kind == RQ_OFFSET_EOF ? "EOF-" : "",
			 (unsigned long long)s->off.value, s->off.shift ? "," : "",
			 (unsigned long long)s->off.shift);
}

static int byte_ok(uint8_t c, uint8_t v, uint8_t m) { return (c & m) == v; }

static int branch_at(const rbranch *b, const uint8_t *d, size_t len, size_t pos)
{
	if (pos + (size_t)b->len > len)
		return 0;
	for (int i = 0; i < b->len; i++)
		if (!byte_ok(d[pos + i], b->v[i], b->m[i]))
			return 0;
	return 1;
}

/* Naive backtracking, memoising failures of (token, position). */
static int ref_at(const rsig *s, int ti, const uint8_t *d, size_t len, size_t pos, uint8_t *fail)
{
	if (ti == s->n)
		return 1;
	if (fail[(size_t)ti * (len + 1) + pos])
		return 0;
	const rtok *t = &s->t[ti];
	int ok = 0;
	switch (t->kind) {
	case R_BYTE:
		ok = pos < len && byte_ok(d[pos], t->v, t->m) && ref_at(s, ti + 1, d, len, pos + 1, fail);
		break;
	case R_SKIP:
		ok = pos + t->a <= len && ref_at(s, ti + 1, d, len, pos + t->a, fail);
		break;
	case R_GAP:
		for (uint64_t g = t->a; !ok && pos + g <= len && g <= t->b; g++)
			ok = ref_at(s, ti + 1, d, len, pos + (size_t)g, fail);
		break;
	case R_ALT:
		for (int b = 0; !ok && b < t->nbr; b++)
			ok = branch_at(&t->br[b], d, len, pos) &&
			     ref_at(s, ti + 1, d, len, pos + (size_t)t->br[b].len, fail);
		break;
	default: {
		size_t l = (size_t)t->br[0].len;
		if (pos + l > len)
			break;
		int hit = 0;
		for (int b = 0; b < t->nbr; b++)
			hit |= branch_at(&t->br[b], d, len, pos);
		ok = !hit && ref_at(s, ti + 1, d, len, pos + l, fail);
		break;
	}
	}
	if (!ok)
		fail[(size_t)ti * (len + 1) + pos] = 1;
	return ok;
}

static int ref_match(const rsig *s, const uint8_t *d, size_t len)
{
	uint8_t *fail = calloc((size_t)s->n * (len + 1) + 1, 1);
	int ok = 0;
	for (size_t st = 0; st <= len && !ok; st++) {
		uint64_t base;
		if (s->off.kind == RQ_OFFSET_ABS)
			base = s->off.value;
		else if (s->off.kind == RQ_OFFSET_EOF && len >= s->off.value)
			base = len - s->off.value;
		else if (s->off.kind == RQ_OFFSET_EOF)
			break;
		else
			base = st;
		if (st < base || st - base > s->off.shift)
			continue;
		ok = ref_at(s, 0, d, len, st, fail);
	}
	free(fail);
	return ok;
}

/* Bytes that match `s` (gaps kept short), for planting. */
static size_t instance(const rsig *s, uint8_t *out, size_t cap, const uint8_t *alpha)
{
	size_t n = 0;
	for (int i = 0; i < s->n && n + 16 < cap; i++) {
		const rtok *t = &s->t[i];
		switch (t->kind) {
		case R_BYTE:
			out[n++] = (uint8_t)(t->v | (alpha[rnd_below(4)] & ~t->m));
			break;
		case R_SKIP:
			for (uint32_t k = 0; k < t->a; k++)
				out[n++] = alpha[rnd_below(4)];
			break;
		case R_GAP: {
			uint32_t span = t->b == RQ_HEX_GAP_INF ? 6 : t->b - t->a;
			uint32_t g = t->a + (uint32_t)rnd_below((size_t)span + 1);
			for (uint32_t k = 0; k < g && n + 16 < cap; k++)
				out[n++] = alpha[rnd_below(4)];
			break;
		}
		case R_ALT: {
			const rbranch *b = &t->br[rnd_below((size_t)t->nbr)];
			for (int k = 0; k < b->len; k++)
				out[n++] = (uint8_t)(b->v[k] | (alpha[rnd_below(4)] & ~b->m[k]));
			break;
		}
		default:
			for (int k = 0; k < t->br[0].len; k++)
				out[n++] = alpha[rnd_below(4)];
			break;
		}
	}
	return n;
}

static void dump(const char *what, const uint8_t *d, size_t len)
{
	fprintf(stderr, "%s (%zu): ", what, len);
	for (size_t i = 0; i < len; i++)
		fprintf(stderr, "%02x", d[i]);
	fprintf(stderr, "\n");
}

#define DIFF_SIGS 12

/* Reference outcomes seen, so the test proves it exercised both answers. */
static unsigned diff_hits, diff_misses;

static void differential_round(int text, int disorder)
{
	rsig sigs[DIFF_SIGS];
	char ndb[DIFF_SIGS * 600] = "";
	for (int i = 0; i < DIFF_SIGS; i++) {
		gen_sig(&sigs[i], text);
		char line[600];
		snprintf(line, sizeof(line), "S%02d:%d:%s:%s\n", i, sigs[i].target, sigs[i].offtext,
			 sigs[i].hex);
		strcat(ndb, line);
	}
	fixture *f = fx_new(ndb);
	rq_bodyscan_test_disorder(f->scan, disorder);
	if (f->set.body_count != DIFF_SIGS || rq_bodydb_count(f->db) != DIFF_SIGS)
		fail_msg("generated signatures refused (%d warnings): %s", f->warnings, ndb);
	static const uint8_t text_data_alpha[] = { 'a', 'b', 'c', 'A', 'B', ' ', '\n', '\t', 0x80 };
	for (int sample = 0; sample < 4; sample++) {
		uint8_t data[600];
		size_t len = rnd_below(300);
		for (size_t i = 0; i < len; i++)
			data[i] = text ? text_data_alpha[rnd_below(sizeof(text_data_alpha))]
				       : raw_alpha[rnd_below(4)];
		for (int plant = 0; plant < 3; plant++) {
			const rsig *s = &sigs[rnd_below(DIFF_SIGS)];
			uint8_t inst[128];
			size_t n = instance(s, inst, sizeof(inst),
					    s->target == RQ_TARGET_TEXT ? text_alpha : raw_alpha);
			if (n > len)
				continue;
			size_t at = rnd_below(len - n + 1);
			if (s->off.kind == RQ_OFFSET_ABS && s->off.value + n <= len)
				at = (size_t)s->off.value + rnd_below((size_t)s->off.shift + 1);
			else if (s->off.kind == RQ_OFFSET_EOF && s->off.value <= len)
				at = len - (size_t)s->off.value + rnd_below((size_t)s->off.shift + 1);
			if (at + n <= len)
				memcpy(data + at, inst, n);
		}
		uint8_t norm[600];
		rq_textnorm st;
		rq_textnorm_init(&st);
		size_t norm_len = rq_textnorm_run(&st, norm, data, len);
		char want[DIFF_SIGS * 4 + 1] = "";
		for (int i = 0; i < DIFF_SIGS; i++) {
			/* type 0 also matches the normalised text of text files, like ClamAV */
			int hit = sigs[i].target == RQ_TARGET_TEXT
					  ? ref_match(&sigs[i], norm, norm_len)
					  : ref_match(&sigs[i], data, len) ||
						    (text && sigs[i].off.kind != RQ_OFFSET_EOF &&
						     ref_match(&sigs[i], norm, norm_len));
			if (hit)
				diff_hits++;
			else
				diff_misses++;
			if (hit) {
				char name[8];
				snprintf(name, sizeof(name), "%sS%02d", *want ? "," : "", i);
				strcat(want, name);
			}
		}
		rq_filetype type = text ? RQ_FT_TEXT : RQ_FT_DATA;
		for (int mode = 0; mode < MODES; mode++) {
			char *got = scan_mode(f, data, len, type, 1, mode);
			char *got_sorted = sorted(got);
			if (strcmp(got_sorted, want)) {
				fprintf(stderr, "signatures:\n%s", ndb);
				dump("data", data, len);
				fail_msg("mode %d: got '%s', reference '%s'", mode, got_sorted, want);
			}
			free(got);
			free(got_sorted);
		}
		char *first = scan_mode(f, data, len, type, 0, RANDOM_SPLITS);
		assert_true(*want ? (*first && strstr(want, first) != NULL) : !*first);
		free(first);
	}
	fx_free(f);
}

static void test_differential(void **state)
{
	(void)state;
	const char *seed = getenv("RQ_TEST_SEED");
	if (seed)
		rng_state = strtoull(seed, NULL, 0) | 1;
	for (int round = 0; round < 150; round++)
		differential_round(round % 3 == 2, round % 5 == 4);
	if (diff_hits < 300 || diff_misses < 300)
		fail_msg("differential test too one-sided: %u hits, %u misses", diff_hits, diff_misses);
	fprintf(stderr, "differential: %u hits, %u misses\n", diff_hits, diff_misses);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_elements),
		cmocka_unit_test(test_gap_bounds),
		cmocka_unit_test(test_gap_window),
		cmocka_unit_test(test_gap_order),
		cmocka_unit_test(test_weak_later_parts),
		cmocka_unit_test(test_offsets),
		cmocka_unit_test(test_targets),
		cmocka_unit_test(test_text_normalisation),
		cmocka_unit_test(test_textnorm_unit),
		cmocka_unit_test(test_chunk_boundaries),
		cmocka_unit_test(test_all_matches_and_once),
		cmocka_unit_test(test_stream_reuse),
		cmocka_unit_test(test_build_checks),
		cmocka_unit_test(test_public_api),
		cmocka_unit_test(test_differential),
	};
	if (getenv("RQ_TEST_FILTER")) /* run one test: RQ_TEST_FILTER=test_name */
		cmocka_set_test_filter(getenv("RQ_TEST_FILTER"));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
