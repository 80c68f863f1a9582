/*
 * Tests of native evaluation of simple YARA rules (lib/sigs/yara_native.c):
 * translation of every hex-string construct and of text strings, which
 * rules are converted and why others are not, blanking that keeps libyara's
 * line numbers, detections as seen through the public API, and a
 * differential test against libyara on random rules and planted data.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/limits.h"
#include "sigs/hexsig.h"
#include "sigs/sigset.h"
#include "sigs/yara_native.h"

/* --- translation --- */

static void hex_is(const char *yara, const char *want)
{
	char *out = NULL;
	int rc = rq_yara_native_hex(yara, strlen(yara), &out);
	if (rc != RQ_YN_OK)
		fail_msg("'%s': refused (%d), want '%s'", yara, rc, want);
	if (strcmp(out, want))
		fail_msg("'%s': got '%s', want '%s'", yara, out, want);
	free(out);
}

static void hex_refused(const char *yara, int want)
{
	char *out = NULL;
	int rc = rq_yara_native_hex(yara, strlen(yara), &out);
	if (rc != want)
		fail_msg("'%s': got %d ('%s'), want %d", yara, rc, out ? out : "", want);
	assert_null(out);
}

static void test_hex_translation(void **state)
{
	(void)state;
	hex_is(" 41 42 43 ", "414243");
	hex_is("4142\t43\r\n", "414243");
	hex_is("aa Bb cC", "aaBbcC");
	hex_is("4? ?2 ?? 43 44", "4??2??4344");
	hex_is("41 42 [4] 43", "4142{4}43");
	hex_is("41 42 [2-5] 43", "4142{2-5}43");
	hex_is("41 42 [0-0] 43", "4142{0}43");
	hex_is("41 42 [3-] 43", "4142{3-}43");
	hex_is("41 42 [0-] 43", "4142*43");
	hex_is("41 42 [-] 43", "4142*43");
	hex_is("41 42 [300] 43 44", "4142{300}4344");
	hex_is("41 42 [100-900] 43 44", "4142{100-900}4344");
	hex_is("41 ( 42 43 | 4? | ?? 44 ) 45", "41(4243|4?|??44)45");
	hex_is("( 41 42 | 43 44 ) 45", "(4142|4344)45");
	hex_is("41 42 /* ] } ( */ 43 // [ (\n 44", "41424344");
	/* variable width is fine inside a piece and in the last piece */
	hex_is("41 42 ( 43 | 43 44 ) [10-20] 45 46", "4142(43|4344){10-20}4546");
	hex_is("41 42 [300] 43 ( 44 | 44 45 ) [1-9] 46", "4142{300}43(44|4445){1-9}46");
	/* a fixed piece before a chained jump, jumps inside it included */
	hex_is("41 42 [3] 43 [-] 44 45", "4142{3}43*4445");

	/* valid YARA the ClamAV syntax cannot say exactly: left to libyara */
	hex_refused("41 ( 42 [1] 43 | 44 ) 45", RQ_YN_UNSUPPORTED);
	hex_refused("41 ( 42 ( 43 | 44 ) | 45 ) 46", RQ_YN_UNSUPPORTED);
	hex_refused("41 42 [1] [2] 43", RQ_YN_UNSUPPORTED);
	hex_refused("41 ~42 43", RQ_YN_UNSUPPORTED);
	hex_refused("41 42 [ 1 ] 43", RQ_YN_UNSUPPORTED);
	hex_refused("41 42 [-5] 43", RQ_YN_UNSUPPORTED);
	hex_refused("41 42 [1234567890] 43", RQ_YN_UNSUPPORTED);
	/* libyara keeps one end per start of a piece cut off by a long jump:
	 * the shortest (enough before an open jump) unless alternatives differ */
	hex_refused("41 42 ( 43 | 43 44 ) [-] 45 46", RQ_YN_UNSUPPORTED);
	hex_refused("41 42 ( 43 44 | 43 ) [5-] 45 46", RQ_YN_UNSUPPORTED);
	hex_refused("41 42 [1-2] 43 [300] 45 46", RQ_YN_UNSUPPORTED);
	hex_refused("41 42 [1-2] 43 [5-201] 45 46", RQ_YN_UNSUPPORTED);
	hex_is("41 42 [1-2] 43 [5-] 45 46", "4142{1-2}43{5-}4546");
	hex_is("41 42 [1-2] 43 ( 44 | 45 ) [-] 45 46 [0-9] 47 [-] 48 49",
	       "4142{1-2}43(44|45)*4546{0-9}47*4849");
	hex_is("41 42 [300] 43 44 ( 45 | 45 46 ) [9] 47", "4142{300}4344(45|4546){9}47");
	/* pieces wider than libyara's scan window */
	{
		char big[3 * (RQ_YARA_NATIVE_MAX_PIECE + 1) + 1];
		for (int i = 0; i <= RQ_YARA_NATIVE_MAX_PIECE; i++)
			memcpy(big + 3 * i, "41 ", 3);
		big[3 * (RQ_YARA_NATIVE_MAX_PIECE + 1)] = '\0';
		hex_refused(big, RQ_YN_UNSUPPORTED);
		hex_is("41 42 [150-200] 43 [150-200] 44", "4142{150-200}43{150-200}44");
		/* short jumps stay inside a piece: 21 of them make it too wide */
		char jumps[21 * 9 + 8] = "41 42";
		for (int i = 0; i < 21; i++)
			strcat(jumps, " [200] 43");
		hex_refused(jumps, RQ_YN_UNSUPPORTED);
	}

	/* what libyara refuses */
	hex_refused("", RQ_YN_INVALID);
	hex_refused(" /* only */ ", RQ_YN_INVALID);
	hex_refused("41 4", RQ_YN_INVALID);
	hex_refused("41 4 2", RQ_YN_INVALID);
	hex_refused("41 [0] 42", RQ_YN_INVALID);
	hex_refused("41 [5-2] 42", RQ_YN_INVALID);
	hex_refused("[1] 41 42", RQ_YN_INVALID);
	hex_refused("41 42 [1]", RQ_YN_INVALID);
	hex_refused("41 ( | 42 ) 43", RQ_YN_INVALID);
	hex_refused("41 ( 42 | ) 43", RQ_YN_INVALID);
	hex_refused("41 ( 42 43", RQ_YN_INVALID);
	hex_refused("41 42 ) 43", RQ_YN_INVALID);
	hex_refused("41 | 42", RQ_YN_INVALID);
	hex_refused("41 - 42", RQ_YN_INVALID);
	hex_refused("41 /* 42", RQ_YN_INVALID);
	hex_refused("41 gg", RQ_YN_INVALID);
}

static void text_is(const char *yara, int wide, const char *want)
{
	char *out = NULL;
	int rc = rq_yara_native_text(yara, strlen(yara), wide, &out);
	if (rc != RQ_YN_OK)
		fail_msg("\"%s\": refused (%d), want '%s'", yara, rc, want);
	if (strcmp(out, want))
		fail_msg("\"%s\": got '%s', want '%s'", yara, out, want);
	free(out);
}

static void text_refused(const char *yara)
{
	char *out = NULL;
	int rc = rq_yara_native_text(yara, strlen(yara), 0, &out);
	if (rc != RQ_YN_INVALID)
		fail_msg("\"%s\": got %d ('%s'), want invalid", yara, rc, out ? out : "");
	assert_null(out);
}

static void test_text_translation(void **state)
{
	(void)state;
	text_is("abc", 0, "616263");
	text_is("ab", 1, "61006200");
	text_is("a\\\"b\\\\c", 0, "6122625c63");
	text_is("\\t\\n\\r", 0, "090a0d");
	text_is("\\x41\\xfF\\x00", 0, "41ff00");
	text_is("\\x41\\xfF", 1, "4100ff00");
	text_is("caf\xc3\xa9", 0, "636166c3a9");
	text_refused("");
	text_refused("a\\a");
	text_refused("a\\x4");
	text_refused("a\\x4g");
	text_refused("a\\");
	text_refused("a\"b");
}

/* --- which rules are converted --- */

typedef struct loaded {
	rq_sigset set;
	unsigned warnings;
} loaded;

static int count_warning(const char *file, unsigned line, const char *message, void *payload)
{
	(void)file;
	(void)line;
	(void)message;
	((loaded *)payload)->warnings++;
	return 0;
}

static void load(loaded *l, const char *text)
{
	memset(l, 0, sizeof(*l));
	rq_engine_options opts = { .on_warning = count_warning, .warning_payload = l };
	rq_sigset_init(&l->set, &opts);
	if (rq_load_yara(&l->set, "dir/t.yar", (const uint8_t *)text, strlen(text), 0))
		fail_msg("load: %s", rq_error_last());
}

/* The rule names converted, in order, joined by ","; one per rule. */
static void converted_names(const loaded *l, char *out, size_t size)
{
	out[0] = '\0';
	for (size_t i = 0; i < l->set.body_count; i++) {
		const rq_bodysig *b = l->set.bodies[i];
		assert_true(b->from_yara);
		if (b->yara_string)
			continue;
		if (out[0])
			strncat(out, ",", size - strlen(out) - 1);
		strncat(out, b->name, size - strlen(out) - 1);
	}
}

/* Load `text`; check the rules converted and whether libyara still gets the file. */
static void converts(const char *text, const char *want, int libyara_keeps_file)
{
	loaded l;
	char names[1024];
	load(&l, text);
	converted_names(&l, names, sizeof(names));
	if (strcmp(names, want))
		fail_msg("converted '%s', want '%s' in:\n%s", names, want, text);
	if ((int)l.set.yara_count != libyara_keeps_file)
		fail_msg("libyara gets %zu files, want %d, for:\n%s", l.set.yara_count,
			 libyara_keeps_file, text);
	assert_int_equal(l.warnings, 0);
	rq_sigset_free(&l.set);
}

#define NATIVE_R(name, strings, cond) \
	"rule " name " { strings: " strings " condition: " cond " }\n"

static void test_conditions(void **state)
{
	(void)state;
	const char *one = "$a = { 41 42 43 44 }";
	const char *two = "$a = { 41 42 43 44 } $b = \"hello\"";
	const char *three = "$a = { 41 42 43 44 } $b = \"hello\" $c = \"world\"";
	char text[1024];
	struct {
		const char *strings, *cond;
		int native;
	} cases[] = {
		{ one, "$a", 1 },
		{ one, "any of them", 1 },
		{ one, "1 of them", 1 },
		{ one, "all of them", 1 },
		{ one, "any of ($*)", 1 },
		{ one, "any of ($a)", 1 },
		{ two, "any of them", 1 },
		{ two, "1 of them", 1 },
		{ two, "$a or $b", 1 },
		{ two, "$b or $a", 1 },
		{ two, "any of ($*)", 1 },
		{ two, "any of ($a, $b)", 1 },
		{ three, "$a or $b or $c", 1 },
		{ "$ = \"hello\" $ = \"world\"", "any of them", 1 },
		{ "$ = \"hello\" $ = \"world\"", "any of ($*)", 1 },
		{ two, "$a", 0 },             /* libyara: unreferenced string */
		{ three, "$a or $b", 0 },     /* idem */
		{ two, "$a or $a", 0 },
		{ two, "$a and $b", 0 },
		{ two, "all of them", 0 },
		{ two, "2 of them", 0 },
		{ two, "any of ($a*)", 0 },
		{ two, "any of ($a, $a)", 0 },
		{ one, "any of them and filesize < 100", 0 },
		{ one, "#a > 1", 0 },
		{ one, "$a at 0", 0 },
		{ one, "($a)", 0 },
		{ one, "not $a", 0 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(text, sizeof(text), "rule r%zu { strings: %s condition: %s }\n", i,
			 cases[i].strings, cases[i].cond);
		char want[16];
		snprintf(want, sizeof(want), "r%zu", i);
		converts(text, cases[i].native ? want : "", !cases[i].native);
	}
}

static void test_exclusions(void **state)
{
	(void)state;
	const char *base = NATIVE_R("n", "$a = \"needle\"", "$a");
	char text[2048];
#define WITH(extra) (snprintf(text, sizeof(text), "%s%s", base, extra), text)
	/* rules that stay with libyara while the simple one is converted */
	converts(WITH("private rule p { strings: $a = \"abcd\" condition: $a }"), "n", 1);
	converts(WITH(NATIVE_R("x", "$a = \"abcd\"", "$a") "rule y { condition: x }"), "n", 1);
	converts(WITH(NATIVE_R("x", "$a = \"abcd\"", "$a") "rule y { condition: x* }"), "n", 1);
	converts(WITH(NATIVE_R("x", "$a = \"abcd\"", "$a") "rule y { condition: x and true }"),
		 "n", 1);
	converts(WITH("rule nostr { condition: true }"), "n", 1);
	converts(WITH(NATIVE_R("re", "$a = /abcd/", "$a")), "n", 1);
	converts(WITH(NATIVE_R("re2", "$a = \"abcd\" $b = /abcd/", "any of them")), "n", 1);
	static const char *const mods[] = { "nocase", "fullword", "private", "xor", "xor(1-3)",
					     "base64", "base64wide", "base64(\"abc\")", "ascii nocase",
					     "wide fullword" };
	for (size_t i = 0; i < sizeof(mods) / sizeof(mods[0]); i++) {
		char extra[256];
		snprintf(extra, sizeof(extra), "rule m { strings: $a = \"abcdef\" %s condition: $a }",
			 mods[i]);
		converts(WITH(extra), "n", 1);
	}
	converts(WITH(NATIVE_R("hp", "$a = { 41 42 43 44 } private", "$a")), "n", 1);
	/* too generic or too short for the body matcher: the whole rule stays, silently */
	converts(WITH(NATIVE_R("g1", "$a = { 41 ?? 42 ?? 43 }", "$a")), "n", 1);
	converts(WITH(NATIVE_R("g2", "$a = \"ab\"", "$a")), "n", 1);
	converts(WITH(NATIVE_R("g3", "$a = \"abcdef\" $b = { 41 ?? 42 }", "any of them")), "n", 1);
	converts(WITH(NATIVE_R("g4", "$a = { 41 42 ( 43 | 43 44 ) [-] 45 46 }", "$a")), "n", 1);
	converts(WITH(NATIVE_R("g5", "$a = { 41 42 43 [1] [2] 44 45 }", "$a")), "n", 1);
	/* a global rule anywhere: nothing converted */
	converts(WITH("global rule gl { condition: filesize > 0 }"), "", 1);
	converts(WITH("global private rule gl { condition: filesize > 0 }"), "", 1);
	/* anything unexpected or that libyara refuses: nothing converted */
	converts(WITH("include \"other.yar\""), "", 1);
	converts(WITH("/* unterminated"), "", 1);
	converts(WITH("rule s { strings: $a = \"abc"), "", 1);
	converts(WITH(NATIVE_R("n", "$a = \"other\"", "$a")), "", 1);
	converts(WITH(NATIVE_R("filename", "$a = \"other\"", "$a")), "", 1);
	converts(WITH(NATIVE_R("all", "$a = \"other\"", "$a")), "", 1);
	converts(WITH(NATIVE_R("t : a a", "$a = \"other\"", "$a")), "", 1);
	converts(WITH(NATIVE_R("d", "$a = \"abcd\" $a = \"efgh\"", "any of them")), "", 1);
	converts(WITH(NATIVE_R("d", "$a = \"abcd\" wide wide", "$a")), "", 1);
	converts(WITH(NATIVE_R("d", "$a = \"ab\\qcd\"", "$a")), "", 1);
	converts(WITH(NATIVE_R("d", "$a = \"\"", "$a")), "", 1);
	converts(WITH(NATIVE_R("d", "$a = { 41 42 [0] 43 }", "$a")), "", 1);
	converts(WITH(NATIVE_R("d", "$a = { 41 42 43 [1] }", "$a")), "", 1);
	converts(WITH(NATIVE_R("d", "$a = { 41 42 @ 43 }", "$a")), "", 1);
	converts(WITH(NATIVE_R("d", "$a = \"abcd\" bogus", "$a")), "", 1);
	converts(WITH("rule e { strings: $a = \"abcd\" }"), "", 1);
	converts(WITH("rule e { strings: condition: true }"), "", 1);
	converts(WITH("rule e { condition: }"), "", 1);
	converts(WITH("rule e { condition: true"), "", 1);
	converts(WITH("rule e { meta: a = -\"x\" condition: true }"), "", 1);
	converts(WITH("rule e { meta: a = b condition: true }"), "", 1);
	converts(WITH("rule e { condition: filesize == { 41 } }"), "", 1);
	converts(WITH("import \"nosuchmodule\""), "", 1);
	converts(WITH("rule \xc3\xa9 { condition: true }"), "", 1);
	{
		char longname[RQ_YARA_MAX_IDENTIFIER + 2];
		memset(longname, 'a', sizeof(longname) - 1);
		longname[sizeof(longname) - 1] = '\0';
		char extra[512];
		snprintf(extra, sizeof(extra), NATIVE_R("%s", "$a = \"abcd\"", "$a"), longname);
		converts(WITH(extra), "", 1);
		longname[RQ_YARA_MAX_IDENTIFIER] = '\0';
		snprintf(extra, sizeof(extra), NATIVE_R("%s", "$a = \"abcd\"", "$a"), longname);
		snprintf(text, sizeof(text), "%s%s", base, extra);
		char want[RQ_YARA_MAX_IDENTIFIER + 8];
		snprintf(want, sizeof(want), "n,%s", longname);
		converts(text, want, 0);
	}
#undef WITH
}

static void test_whole_file(void **state)
{
	(void)state;
	/* every rule converted: the file is not given to libyara, imports or not */
	converts("import \"pe\"\nimport \"math\"\n"
		 "rule a : t1 t2 { meta: author = \"x { y\" n = -3 ok = true strings: "
		 "$a = \"abcd\" ascii wide $b = { 41 42 43 44 } condition: any of them }\n"
		 "// done } {\n",
		 "a", 0);
	/* a file with no rule at all is given to libyara as it is */
	converts("import \"pe\"\n", "", 1);
	converts("", "", 1);
	/* a rule referenced before being converted: tags, meta and comments between */
	converts("rule a { strings: $a = \"abcd\" condition: $a }\n"
		 "rule b { meta: s = \"a\" condition: /* a */ a // a\n }\n",
		 "", 1);
	/* the diagnostic switch */
	setenv("RAQUET_YARA_NATIVE", "0", 1);
	converts(NATIVE_R("a", "$a = \"abcd\"", "$a"), "", 1);
	setenv("RAQUET_YARA_NATIVE", "1", 1);
	converts(NATIVE_R("a", "$a = \"abcd\"", "$a"), "a", 0);
	unsetenv("RAQUET_YARA_NATIVE");
	converts(NATIVE_R("a", "$a = \"abcd\"", "$a"), "a", 0);
}

/* Signatures of one rule: ascii + wide + hex gives three, counted as one rule. */
static void test_signatures_made(void **state)
{
	(void)state;
	loaded l;
	load(&l, "\n\nrule first { strings: $a = \"abcd\" $b = { 41 42 43 44 } condition: any of them }\n"
		 "\n  rule\nsecond { strings: $w = \"xyz1\" ascii wide condition: $w }\n");
	assert_int_equal(l.set.body_count, 4);
	assert_int_equal(l.set.yara_count, 0);
	const char *names[] = { "first", "first", "second", "second" };
	const unsigned lines[] = { 3, 3, 5, 5 };
	const uint32_t index[] = { 0, 1, 0, 1 };
	for (size_t i = 0; i < 4; i++) {
		const rq_bodysig *b = l.set.bodies[i];
		assert_string_equal(b->name, names[i]);
		assert_string_equal(b->source, "dir/t.yar");
		assert_int_equal(b->line, lines[i]);
		assert_int_equal(b->target, RQ_TARGET_ANY);
		assert_int_equal(b->offset.kind, RQ_OFFSET_ANY);
		assert_int_equal(b->yara_string, index[i]);
		assert_non_null(b->prog);
	}
	/* "xyz1" wide: 78 00 79 00 7a 00 31 00 in one part of 8 bytes */
	assert_int_equal(l.set.bodies[3]->prog->seg_count, 1);
	assert_int_equal(l.set.bodies[3]->prog->segs[0].max_width, 8);
	rq_sigset_free(&l.set);
}

/* --- blanking and libyara's line numbers --- */

typedef struct warn_log {
	char text[2048];
} warn_log;

static int log_warning(const char *file, unsigned line, const char *message, void *payload)
{
	warn_log *w = payload;
	char one[512];
	snprintf(one, sizeof(one), "%s:%u: %s\n", file, line, message);
	strncat(w->text, one, sizeof(w->text) - strlen(w->text) - 1);
	return 0;
}

static void test_blanking(void **state)
{
	(void)state;
	const char *text = "import \"pe\"\r\n"
			   "rule n1\r\n{\r\n  strings:\r\n    $a = \"needle\"\r\n  condition:\r\n    $a\r\n}\r\n"
			   "rule keep { condition: pe.number_of_sections > 100 }\n"
			   "/* a comment */ rule n2 { strings: $a = { 41 42 43 44 } condition: $a }\n"
			   "rule broken { condition: true and and }\n";
	loaded l;
	load(&l, text);
	assert_int_equal(l.set.yara_count, 1);
	const rq_yara_input *in = &l.set.yara[0];
	assert_int_equal(in->len, strlen(text));
	/* same bytes, except the converted rules' which are spaces, newlines kept */
	const char *n1 = strstr(text, "rule n1"), *n1_end = strchr(strstr(n1, "$a\r\n}"), '}') + 1;
	const char *n2 = strstr(text, "rule n2"), *n2_end = strstr(n2, "$a }") + 4;
	for (size_t i = 0; i < in->len; i++) {
		const char *p = text + i;
		int blanked = (p >= n1 && p < n1_end) || (p >= n2 && p < n2_end);
		char want = blanked && *p != '\n' ? ' ' : *p;
		if (in->data[i] != (uint8_t)want)
			fail_msg("byte %zu: got '%c', want '%c'", i, in->data[i], want);
	}
	rq_sigset_free(&l.set);

	/* libyara still reports the later syntax error at its original line */
	warn_log w = { { 0 } };
	rq_engine_options opts = { .no_builtin = 1, .on_warning = log_warning, .warning_payload = &w };
	rq_engine *e = NULL;
	assert_int_equal(rq_engine_new(&e, &opts), 0);
	assert_int_equal(rq_engine_load_buffer(e, "yar", "lines.yar", text, strlen(text)), 0);
	assert_int_equal(rq_engine_compile(e), 0);
	if (!strstr(w.text, "lines.yar:11: "))
		fail_msg("warnings: %s", w.text);
	rq_engine_stats st;
	rq_engine_stats_get(e, &st);
	assert_int_equal(st.by_type[RQ_SIG_YARA], 2); /* n1 and n2; the file failed in libyara */
	assert_int_equal(st.by_type[RQ_SIG_BODY], 0);
	rq_engine_free(e);
}

/* --- through the public API --- */

typedef struct found {
	char names[64][64];
	rq_sig_type types[64];
	char sources[64][64];
	size_t count;
} found;

static int on_result(const rq_result *r, void *payload)
{
	found *f = payload;
	for (size_t i = 0; i < r->finding_count && f->count < 64; i++) {
		if (r->findings[i].kind != RQ_FINDING_DETECTION)
			continue;
		snprintf(f->names[f->count], 64, "%s", r->findings[i].name);
		snprintf(f->sources[f->count], 64, "%s", r->findings[i].source ? r->findings[i].source : "");
		f->types[f->count++] = r->findings[i].sig_type;
	}
	return 0;
}

static void scan(const rq_engine *e, const void *data, size_t len, found *f)
{
	rq_scan_options opts;
	rq_scan_options_default(&opts);
	opts.all_matches = 1;
	rq_scanner *s = NULL;
	assert_int_equal(rq_scanner_new(&s, e, &opts), 0);
	memset(f, 0, sizeof(*f));
	if (rq_scanner_scan_buffer(s, data, len, "buffer", on_result, f))
		fail_msg("scan: %s", rq_error_last());
	rq_scanner_free(s);
}

static void test_detections(void **state)
{
	(void)state;
	const char *rules =
		"rule two_strings { strings: $a = \"needle\" $b = { 6E 65 65 64 6C 65 } condition: $a or $b }\n"
		"rule wide_one { strings: $w = \"pin!\" wide condition: $w }\n"
		"rule lower { strings: $a = \"quiet storm\" condition: $a }\n"
		"rule by_libyara { strings: $a = \"needle\" condition: #a == 2 }\n";
	rq_engine_options opts = { .no_builtin = 1 };
	rq_engine *e = NULL;
	assert_int_equal(rq_engine_new(&e, &opts), 0);
	assert_int_equal(rq_engine_load_buffer(e, "yar", "r.yar", rules, strlen(rules)), 0);
	assert_int_equal(rq_engine_load_buffer(e, "ndb", "b.ndb", "Body.X:0:*:6e65656466", 21), 0);
	assert_int_equal(rq_engine_compile(e), 0);
	rq_engine_stats st;
	rq_engine_stats_get(e, &st);
	assert_int_equal(st.by_type[RQ_SIG_YARA], 4); /* rules, not strings */
	assert_int_equal(st.by_type[RQ_SIG_BODY], 1);

	found f;
	static const char data[] = "..needle..needle..p\0i\0n\0!\0..";
	scan(e, data, sizeof(data) - 1, &f);
	/* one detection per rule however many of its strings matched */
	assert_int_equal(f.count, 3);
	assert_string_equal(f.names[0], "two_strings");
	assert_string_equal(f.names[1], "wide_one");
	assert_string_equal(f.names[2], "by_libyara");
	for (size_t i = 0; i < f.count; i++) {
		assert_int_equal(f.types[i], RQ_SIG_YARA);
		assert_string_equal(f.sources[i], "r.yar");
	}
	/* "pin!" as ascii is not the wide string */
	scan(e, "..pin!..", 8, &f);
	assert_int_equal(f.count, 0);
	/* YARA strings match raw bytes only: never the normalised text of a text file */
	static const char text[] = "Some text: Quiet   Storm and more text\n";
	scan(e, text, sizeof(text) - 1, &f);
	assert_int_equal(f.count, 0);
	scan(e, "some text: quiet storm\n", 23, &f);
	assert_int_equal(f.count, 1);
	rq_engine_free(e);

	/* .ign2 drops a native rule by name, all its strings */
	assert_int_equal(rq_engine_new(&e, &opts), 0);
	assert_int_equal(rq_engine_load_buffer(e, "yar", "r.yar", rules, strlen(rules)), 0);
	assert_int_equal(rq_engine_load_buffer(e, "ign2", "x.ign2", "two_strings\n", 12), 0);
	assert_int_equal(rq_engine_compile(e), 0);
	rq_engine_stats_get(e, &st);
	assert_int_equal(st.by_type[RQ_SIG_YARA], 3);
	scan(e, data, sizeof(data) - 1, &f);
	assert_int_equal(f.count, 2);
	assert_string_equal(f.names[0], "wide_one");
	rq_engine_free(e);
}

/*
 * libyara cuts a hex string at jumps longer than 200 bytes and keeps one end
 * per match of the piece before the cut (its regex engine's preferred one),
 * so a piece of variable width there can miss what a full search finds.
 * Such rules must stay with libyara: same answer with the switch on or off.
 */
static void test_chained_pieces(void **state)
{
	(void)state;
	const char *rules =
		"rule alt_first { strings: $a = { 41 42 ( 43 44 | 43 ) [5-] 45 46 } condition: $a }\n"
		"rule short_jump { strings: $a = { 41 42 43 [0-1] 44 44 [300] 45 46 } condition: $a }\n";
	uint8_t data1[] = "xxABCDwxyzEFxx";
	uint8_t data2[4 + 1 + 3 + 300 + 4];
	memcpy(data2, "xxABCDDD", 8);
	memset(data2 + 8, 'q', 300);
	memcpy(data2 + 308, "EFxx", 4);
	loaded l;
	load(&l, rules);
	assert_int_equal(l.set.body_count, 0);
	rq_sigset_free(&l.set);
	for (int native = 0; native < 2; native++) {
		setenv("RAQUET_YARA_NATIVE", native ? "1" : "0", 1);
		rq_engine_options opts = { .no_builtin = 1 };
		rq_engine *e = NULL;
		assert_int_equal(rq_engine_new(&e, &opts), 0);
		assert_int_equal(rq_engine_load_buffer(e, "yar", "c.yar", rules, strlen(rules)), 0);
		assert_int_equal(rq_engine_compile(e), 0);
		found f;
		scan(e, data1, sizeof(data1) - 1, &f);
		assert_int_equal(f.count, 0);
		scan(e, data2, sizeof(data2), &f); /* alt_first does match here */
		assert_int_equal(f.count, 1);
		assert_string_equal(f.names[0], "alt_first");
		rq_engine_free(e);
	}
	unsetenv("RAQUET_YARA_NATIVE");
}

/* --- differential: native on and off give the same rules --- */

/* A small deterministic generator (xorshift64*). */
static uint64_t rng_state;
static uint32_t rnd(uint32_t n)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return n ? (uint32_t)((rng_state * 2685821657736338717ULL) >> 33) % n : 0;
}

enum { E_BYTE, E_HI, E_LO, E_ANY, E_JUMP, E_ALT };

typedef struct gel {
	int kind;
	uint8_t v;
	uint32_t lo, hi;            /* E_JUMP; hi == UINT32_MAX: open */
	uint8_t alt[4][3], alt_len[4];
	int alts;
} gel;

typedef struct gstr {
	int is_text;
	gel els[24];
	int n;
	uint8_t text[12];
	int text_len;
	int ascii, wide;
} gstr;

typedef struct grule {
	gstr s[3];
	int n;
} grule;

#define RULES 300
#define BUFS 48

static void gen_hex(gstr *g)
{
	g->n = 0;
	int lead = 2 + (int)rnd(4);
	for (int i = 0; i < lead; i++)
		g->els[g->n++] = (gel){ .kind = E_BYTE, .v = (uint8_t)rnd(256) };
	int middle = (int)rnd(8);
	int last_jump = 0;
	for (int i = 0; i < middle && g->n < 18; i++) {
		gel e = { .kind = (int)rnd(6) };
		if (e.kind == E_JUMP && last_jump)
			e.kind = E_BYTE;
		switch (e.kind) {
		case E_BYTE:
		case E_HI:
		case E_LO:
			e.v = (uint8_t)rnd(256);
			break;
		case E_JUMP:
			switch (rnd(6)) {
			case 0: e.lo = e.hi = 1 + rnd(12); break;
			case 1: e.lo = e.hi = 150 + rnd(120); break;
			case 2: e.lo = rnd(6); e.hi = e.lo + rnd(10); break;
			case 3: e.lo = rnd(6); e.hi = 190 + rnd(200); break;
			case 4: e.lo = rnd(20); e.hi = UINT32_MAX; break;
			default: e.lo = 0; e.hi = UINT32_MAX; break;
			}
			break;
		case E_ALT:
			e.alts = 1 + (int)rnd(3);
			for (int a = 0; a < e.alts; a++) {
				e.alt_len[a] = (uint8_t)(1 + rnd(rnd(3) ? 1 : 3));
				for (int k = 0; k < e.alt_len[a]; k++)
					e.alt[a][k] = (uint8_t)rnd(256);
			}
			break;
		default:
			break;
		}
		last_jump = e.kind == E_JUMP;
		g->els[g->n++] = e;
	}
	int tail = 2 + (int)rnd(3);
	for (int i = 0; i < tail; i++)
		g->els[g->n++] = (gel){ .kind = E_BYTE, .v = (uint8_t)rnd(256) };
}

static void gen_text(gstr *g)
{
	static const char extra[] = "\"\\\t\n\r\x01\xe9";
	g->is_text = 1;
	g->text_len = 3 + (int)rnd(8);
	for (int i = 0; i < g->text_len; i++)
		g->text[i] = rnd(6) ? (uint8_t)('a' + rnd(26)) : (uint8_t)extra[rnd(sizeof(extra) - 1)];
	switch (rnd(4)) {
	case 0: break;
	case 1: g->ascii = 1; break;
	case 2: g->wide = 1; break;
	default: g->ascii = g->wide = 1; break;
	}
}

static void put(char **p, const char *fmt, unsigned a, unsigned b)
{
	*p += sprintf(*p, fmt, a, b);
}

static void write_string(const gstr *g, char **p)
{
	if (g->is_text) {
		*(*p)++ = '"';
		for (int i = 0; i < g->text_len; i++) {
			uint8_t c = g->text[i];
			if (c == '"' || c == '\\')
				put(p, "\\%c", c, 0);
			else if (c == '\t')
				put(p, "\\t", 0, 0);
			else if (c == '\n')
				put(p, "\\n", 0, 0);
			else if (c == '\r')
				put(p, "\\r", 0, 0);
			else if (c < 0x20 || c >= 0x7f)
				put(p, "\\x%02x", c, 0);
			else
				*(*p)++ = (char)c;
		}
		*(*p)++ = '"';
		if (g->ascii)
			put(p, " ascii", 0, 0);
		if (g->wide)
			put(p, " wide", 0, 0);
		return;
	}
	put(p, "{", 0, 0);
	for (int i = 0; i < g->n; i++) {
		const gel *e = &g->els[i];
		switch (e->kind) {
		case E_BYTE: put(p, " %02X", e->v, 0); break;
		case E_HI: put(p, " %X?", e->v >> 4, 0); break;
		case E_LO: put(p, " ?%x", e->v & 15, 0); break;
		case E_ANY: put(p, " ??", 0, 0); break;
		case E_JUMP:
			if (e->hi == UINT32_MAX && !e->lo)
				put(p, " [-]", 0, 0);
			else if (e->hi == UINT32_MAX)
				put(p, " [%u-]", e->lo, 0);
			else if (e->lo == e->hi)
				put(p, " [%u]", e->lo, 0);
			else
				put(p, " [%u-%u]", e->lo, e->hi);
			break;
		default:
			put(p, " (", 0, 0);
			for (int a = 0; a < e->alts; a++) {
				put(p, a ? " |" : "", 0, 0);
				for (int k = 0; k < e->alt_len[a]; k++)
					put(p, " %02x", e->alt[a][k], 0);
			}
			put(p, " )", 0, 0);
			break;
		}
	}
	put(p, " }", 0, 0);
}

static void write_rule(const grule *r, int index, char **p)
{
	static const char ids[] = "abc";
	put(p, "rule R%u {\n  strings:\n", (unsigned)index, 0);
	for (int i = 0; i < r->n; i++) {
		put(p, "    $%c = ", (unsigned)ids[i], 0);
		write_string(&r->s[i], p);
		put(p, "\n", 0, 0);
	}
	put(p, "  condition:\n    ", 0, 0);
	switch (rnd(r->n == 1 ? 4 : 5)) {
	case 0: put(p, "any of them", 0, 0); break;
	case 1: put(p, "1 of them", 0, 0); break;
	case 2: put(p, "any of ($*)", 0, 0); break;
	case 3:
		for (int i = 0; i < r->n; i++)
			put(p, i ? " or $%c" : "$%c", (unsigned)ids[r->n - 1 - i], 0);
		break;
	default:
		put(p, "any of (", 0, 0);
		for (int i = 0; i < r->n; i++)
			put(p, i ? ", $%c" : "$%c", (unsigned)ids[i], 0);
		put(p, ")", 0, 0);
		break;
	}
	put(p, "\n}\n", 0, 0);
}

/*
 * Bytes of one instance of string `g` at `out` (room for 4096); with
 * `near_miss`, something that almost matches. Returns the length.
 */
static size_t instance(const gstr *g, uint8_t *out, int near_miss)
{
	size_t n = 0;
	if (g->is_text) {
		int wide = g->wide && (!g->ascii || rnd(2));
		for (int i = 0; i < g->text_len; i++) {
			out[n++] = g->text[i];
			if (wide)
				out[n++] = 0;
		}
		if (near_miss)
			out[rnd((uint32_t)n)] ^= 0x20;
		return n;
	}
	/* a near miss breaks one element, a jump's bounds by preference */
	int miss_at = near_miss ? (int)rnd((uint32_t)g->n) : -1;
	for (int i = 0; near_miss && i < g->n; i++)
		if (g->els[i].kind == E_JUMP && rnd(3))
			miss_at = i;
	for (int i = 0; i < g->n; i++) {
		const gel *e = &g->els[i];
		uint8_t r = (uint8_t)rnd(256);
		switch (e->kind) {
		case E_BYTE: out[n++] = (uint8_t)(e->v ^ (i == miss_at)); break;
		case E_HI: out[n++] = (uint8_t)((e->v & 0xf0) | (r & 15)); break;
		case E_LO: out[n++] = (uint8_t)((r & 0xf0) | (e->v & 15)); break;
		case E_ANY: out[n++] = r; break;
		case E_JUMP: {
			uint32_t hi = e->hi == UINT32_MAX ? e->lo + 300 : e->hi;
			uint32_t len = e->lo + rnd(hi - e->lo + 1);
			if (rnd(2)) /* the bounds themselves, often */
				len = rnd(2) ? e->lo : hi;
			if (i == miss_at)
				len = e->hi != UINT32_MAX && rnd(2) ? e->hi + 1 : (e->lo ? e->lo - 1 : e->lo);
			for (uint32_t k = 0; k < len; k++)
				out[n++] = (uint8_t)rnd(256);
			break;
		}
		default: {
			int a = (int)rnd((uint32_t)e->alts);
			for (int k = 0; k < e->alt_len[a]; k++)
				out[n++] = e->alt[a][k];
			break;
		}
		}
	}
	return n;
}

typedef struct nameset {
	char names[RULES][8];
	size_t count;
} nameset;

static int on_names(const rq_result *r, void *payload)
{
	nameset *ns = payload;
	for (size_t i = 0; i < r->finding_count; i++)
		if (r->findings[i].kind == RQ_FINDING_DETECTION && ns->count < RULES)
			snprintf(ns->names[ns->count++], 8, "%s", r->findings[i].name);
	return 0;
}

static int cmp_names(const void *a, const void *b) { return strcmp(a, b); }

static void scan_names(rq_scanner *s, const uint8_t *data, size_t len, nameset *ns)
{
	ns->count = 0;
	if (rq_scanner_scan_buffer(s, data, len, "buffer", on_names, ns))
		fail_msg("scan: %s", rq_error_last());
	qsort(ns->names, ns->count, sizeof(ns->names[0]), cmp_names);
}

static rq_engine *engine_with(const char *native, const char *text)
{
	setenv("RAQUET_YARA_NATIVE", native, 1);
	rq_engine_options opts = { .no_builtin = 1 };
	rq_engine *e = NULL;
	assert_int_equal(rq_engine_new(&e, &opts), 0);
	if (rq_engine_load_buffer(e, "yar", "random.yar", text, strlen(text)) || rq_engine_compile(e))
		fail_msg("engine (native=%s): %s", native, rq_error_last());
	unsetenv("RAQUET_YARA_NATIVE");
	return e;
}

static void test_differential(void **state)
{
	(void)state;
	rng_state = 0x9e3779b97f4a7c15ULL;
	grule *rules = calloc(RULES, sizeof(*rules));
	char *text = malloc((size_t)RULES * 1024);
	uint8_t *buf = malloc(1 << 16);
	assert_non_null(rules);
	assert_non_null(text);
	assert_non_null(buf);
	char *p = text;
	for (int i = 0; i < RULES; i++) {
		rules[i].n = 1 + (int)rnd(3);
		for (int k = 0; k < rules[i].n; k++) {
			if (rnd(3))
				gen_hex(&rules[i].s[k]);
			else
				gen_text(&rules[i].s[k]);
		}
		write_rule(&rules[i], i, &p);
	}
	*p = '\0';

	/* the test only means something if most rules take the native path */
	loaded l;
	load(&l, text);
	size_t native = 0;
	for (size_t i = 0; i < l.set.body_count; i++)
		native += !l.set.bodies[i]->yara_string;
	assert_int_equal(l.warnings, 0);
	rq_sigset_free(&l.set);
	if (native < RULES / 2)
		fail_msg("only %zu of %d rules native", native, RULES);

	rq_engine *on = engine_with("1", text), *off = engine_with("0", text);
	rq_scan_options opts;
	rq_scan_options_default(&opts);
	opts.all_matches = 1;
	rq_scanner *son = NULL, *soff = NULL;
	assert_int_equal(rq_scanner_new(&son, on, &opts), 0);
	assert_int_equal(rq_scanner_new(&soff, off, &opts), 0);
	static nameset a, b;
	size_t detections = 0;
	for (int t = 0; t < BUFS; t++) {
		size_t len = 4096 + rnd(1 << 14);
		int text_like = t % 4 == 3;
		for (size_t i = 0; i < len; i++)
			buf[i] = text_like ? (uint8_t)(rnd(5) ? 'a' + rnd(26) : ' ') : (uint8_t)rnd(256);
		int plants = 4 + (int)rnd(12);
		for (int k = 0; k < plants; k++) {
			const grule *r = &rules[rnd(RULES)];
			uint8_t one[4096];
			size_t n = instance(&r->s[rnd((uint32_t)r->n)], one, rnd(3) == 0);
			if (n >= len)
				continue;
			memcpy(buf + rnd((uint32_t)(len - n)), one, n);
		}
		scan_names(son, buf, len, &a);
		scan_names(soff, buf, len, &b);
		int same = a.count == b.count;
		for (size_t i = 0; same && i < a.count; i++)
			same = !strcmp(a.names[i], b.names[i]);
		if (!same) {
			char la[2048] = "", lb[2048] = "";
			for (size_t i = 0; i < a.count; i++)
				strncat(strncat(la, " ", sizeof(la) - strlen(la) - 1), a.names[i],
					sizeof(la) - strlen(la) - 1);
			for (size_t i = 0; i < b.count; i++)
				strncat(strncat(lb, " ", sizeof(lb) - strlen(lb) - 1), b.names[i],
					sizeof(lb) - strlen(lb) - 1);
			fail_msg("buffer %d: native [%s] vs libyara [%s]", t, la, lb);
		}
		detections += a.count;
	}
	fprintf(stderr, "differential: %zu native rules of %d, %zu detections\n", native, RULES, detections);
	if (detections < BUFS)
		fail_msg("only %zu detections: the planted data does not exercise the rules",
			 detections);
	rq_scanner_free(son);
	rq_scanner_free(soff);
	rq_engine_free(on);
	rq_engine_free(off);
	free(rules);
	free(text);
	free(buf);
}

/*
 * Pieces of variable width before an open jump, on data built so that they
 * can end at several places: the native answer ("some end leaves room") must
 * equal libyara's (which keeps the shortest end per start).
 */
static void test_open_chain_differential(void **state)
{
	(void)state;
	enum { N = 200, PER_RULE = 8 };
	static const uint8_t small[] = { 0x01, 0x02, 0x03 };
	typedef struct opart {
		unsigned lo, hi;  /* the jump before the token */
		uint8_t tok[3];   /* literal values; for '0?' a value 0x00..0x0f */
		uint8_t alt[3][2];
		int kind[3];      /* 0 literal, 1 nibble 0?, 2 alternatives ( a | b ) */
		int len;
	} opart;
	typedef struct orule {
		uint8_t lead[6];
		int lead_len, open_min, parts;
		opart part[2];
		uint8_t tail[3];
		int tail_len;
	} orule;
	orule *rules = calloc(N, sizeof(*rules));
	char *text = malloc((size_t)N * 256);
	assert_non_null(rules);
	assert_non_null(text);
	rng_state = 0x243f6a8885a308d3ULL;
	char *p = text;
	for (int i = 0; i < N; i++) {
		orule *r = &rules[i];
		r->lead_len = 4 + (int)rnd(3);
		r->lead[0] = (uint8_t)(0x80 + rnd(0x40));
		r->lead[1] = (uint8_t)i;
		for (int k = 2; k < r->lead_len; k++)
			r->lead[k] = (uint8_t)(0x10 + rnd(0x60));
		p += sprintf(p, "rule O%d { strings: $a = {", i);
		for (int k = 0; k < r->lead_len; k++)
			p += sprintf(p, " %02X", r->lead[k]);
		r->parts = 1 + (int)rnd(2);
		for (int k = 0; k < r->parts; k++) {
			opart *o = &r->part[k];
			o->lo = rnd(3);
			o->hi = o->lo + 1 + rnd(4);
			p += sprintf(p, " [%u-%u]", o->lo, o->hi);
			/* two fixed bytes (the body matcher's minimum per part), maybe a third */
			o->len = 2 + (int)rnd(2);
			for (int t = 0; t < o->len; t++) {
				o->kind[t] = t < 2 ? 0 : (int)rnd(3);
				o->tok[t] = small[rnd(3)];
				if (o->kind[t] == 0) {
					p += sprintf(p, " %02X", o->tok[t]);
				} else if (o->kind[t] == 1) {
					p += sprintf(p, " 0?");
				} else {
					o->alt[t][0] = small[rnd(3)];
					o->alt[t][1] = small[rnd(3)];
					p += sprintf(p, " ( %02X | %02X )", o->alt[t][0], o->alt[t][1]);
				}
			}
		}
		r->open_min = (int)rnd(7);
		p += r->open_min ? sprintf(p, " [%d-]", r->open_min) : sprintf(p, " [-]");
		r->tail_len = 2 + (int)rnd(2);
		for (int k = 0; k < r->tail_len; k++) {
			r->tail[k] = (uint8_t)(0xa0 + rnd(16));
			p += sprintf(p, " %02X", r->tail[k]);
		}
		p += sprintf(p, " } condition: $a }\n");
	}
	*p = '\0';

	loaded l;
	load(&l, text);
	size_t native = l.set.body_count;
	rq_sigset_free(&l.set);
	if (native < N * 9 / 10)
		fail_msg("only %zu of %d rules native", native, N);

	rq_engine *on = engine_with("1", text), *off = engine_with("0", text);
	rq_scan_options opts;
	rq_scan_options_default(&opts);
	opts.all_matches = 1;
	rq_scanner *son = NULL, *soff = NULL;
	assert_int_equal(rq_scanner_new(&son, on, &opts), 0);
	assert_int_equal(rq_scanner_new(&soff, off, &opts), 0);
	static nameset a, b;
	size_t detections = 0, misses = 0;
	uint8_t buf[160];
	for (int i = 0; i < N; i++) {
		const orule *r = &rules[i];
		for (int t = 0; t < PER_RULE; t++) {
			size_t len = 0;
			memset(buf, 0x55, sizeof(buf));
			buf[len++] = 0x55;
			memcpy(buf + len, r->lead, (size_t)r->lead_len);
			len += (size_t)r->lead_len;
			/* one path through the parts, and extra copies of each token
			 * elsewhere in its window: several ends for the same start */
			for (int k = 0; k < r->parts; k++) {
				const opart *o = &r->part[k];
				uint8_t tok[3];
				for (int x = 0; x < o->len; x++)
					tok[x] = o->kind[x] == 0 ? o->tok[x]
						 : o->kind[x] == 1 ? (uint8_t)rnd(16)
								   : o->alt[x][rnd(2)];
				size_t from = len;
				for (unsigned g = 0; g < o->hi + (unsigned)o->len; g++)
					buf[from + g] = 0x77;
				int copies = 1 + (int)rnd(3);
				size_t last = from + o->lo;
				for (int c = 0; c < copies; c++) {
					last = from + o->lo + rnd(o->hi - o->lo + 1);
					memcpy(buf + last, tok, (size_t)o->len);
				}
				len = last + (size_t)o->len;
			}
			/* the tail around the open jump's minimum from the path's end */
			int shift = r->open_min + (int)rnd(8) - 6;
			size_t at = (size_t)((int)len + (shift > -((int)len - 2) ? shift : 0));
			memcpy(buf + at, r->tail, (size_t)r->tail_len);
			if (at + (size_t)r->tail_len + 2 > len)
				len = at + (size_t)r->tail_len + 2;
			scan_names(son, buf, len, &a);
			scan_names(soff, buf, len, &b);
			int same = a.count == b.count;
			for (size_t k = 0; same && k < a.count; k++)
				same = !strcmp(a.names[k], b.names[k]);
			if (!same)
				fail_msg("rule O%d, buffer %d: native %zu vs libyara %zu detections "
					 "(first: %s / %s)", i, t, a.count, b.count,
					 a.count ? a.names[0] : "-", b.count ? b.names[0] : "-");
			detections += a.count;
			misses += !a.count;
		}
	}
	fprintf(stderr, "open chains: %zu native rules of %d, %zu detections, %zu clean\n",
		native, N, detections, misses);
	/* both outcomes must be common, or the data does not probe the boundary */
	if (detections < N * PER_RULE / 5 || misses < N * PER_RULE / 5)
		fail_msg("%zu detections, %zu clean buffers: data too easy", detections, misses);
	rq_scanner_free(son);
	rq_scanner_free(soff);
	rq_engine_free(on);
	rq_engine_free(off);
	free(rules);
	free(text);
}

int main(void)
{
	unsetenv("RAQUET_YARA_NATIVE");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hex_translation),
		cmocka_unit_test(test_text_translation),
		cmocka_unit_test(test_conditions),
		cmocka_unit_test(test_exclusions),
		cmocka_unit_test(test_whole_file),
		cmocka_unit_test(test_signatures_made),
		cmocka_unit_test(test_blanking),
		cmocka_unit_test(test_detections),
		cmocka_unit_test(test_chained_pieces),
		cmocka_unit_test(test_differential),
		cmocka_unit_test(test_open_chain_differential),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
