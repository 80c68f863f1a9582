/*
 * Tests of the .ndb loader (lib/sigs/clamav_ndb.c): fields, offsets, target
 * types and functionality levels; malformed and unsupported lines reported
 * with their line numbers and counted apart; strict mode; garbage.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sigs/hexsig.h"
#include "sigs/sigset.h"

#define MAX_WARN 64

typedef struct warnings {
	unsigned line[MAX_WARN];
	char msg[MAX_WARN][512];
	int count;
	int stop_at; /* return nonzero on this warning (1-based), 0 never */
} warnings;

static int on_warning(const char *file, unsigned line, const char *message, void *payload)
{
	warnings *w = payload;
	assert_string_equal(file, "t.ndb");
	if (w->count < MAX_WARN) {
		w->line[w->count] = line;
		snprintf(w->msg[w->count], sizeof(w->msg[0]), "%s", message);
	}
	w->count++;
	return w->stop_at && w->count == w->stop_at;
}

static int load(rq_sigset *set, warnings *w, int strict, const char *text)
{
	rq_engine_options opts = { .strict = strict, .on_warning = on_warning,
				   .warning_payload = w };
	memset(w, 0, sizeof(*w));
	rq_sigset_init(set, &opts);
	return rq_load_clamav_ndb(set, "t.ndb", (const uint8_t *)text, strlen(text));
}

static void test_good_lines(void **state)
{
	(void)state;
	rq_sigset set;
	warnings w;
	const char *text =
		"# a comment\n"
		"\n"
		"Any.One:0:*:41424344\n"
		"Pe.Two:1:100:4d5a*5045\r\n"
		"Elf.Three:6:10,20:7f454c46\n"
		"  Text.Four:7:*:68656c6c6f  \n"
		"Macho.Five:9:EOF-50:cafebabe\n"
		"Float.Six:0:EOF-50,10:41424344\n"
		"Levels.Seven:0:*:41424344:50:300\n"
		"Levels.Eight:0:*:41424344::\n"
		"Levels.Nine:0:*:41424344:216\n";
	assert_int_equal(load(&set, &w, 0, text), 0);
	assert_int_equal(w.count, 0);
	assert_int_equal(set.body_count, 9);
	assert_int_equal(set.stats.by_type[RQ_SIG_BODY], 9);
	const rq_bodysig *s = set.bodies[0];
	assert_string_equal(s->name, "Any.One");
	assert_string_equal(s->source, "t.ndb");
	assert_int_equal(s->line, 3);
	assert_int_equal(s->target, RQ_TARGET_ANY);
	assert_int_equal(s->offset.kind, RQ_OFFSET_ANY);
	assert_non_null(s->prog);
	s = set.bodies[1];
	assert_int_equal(s->target, RQ_TARGET_PE);
	assert_int_equal(s->offset.kind, RQ_OFFSET_ABS);
	assert_int_equal(s->offset.value, 100);
	assert_int_equal(s->offset.shift, 0);
	assert_int_equal(s->prog->seg_count, 2);
	s = set.bodies[2];
	assert_int_equal(s->target, RQ_TARGET_ELF);
	assert_int_equal(s->offset.value, 10);
	assert_int_equal(s->offset.shift, 20);
	s = set.bodies[3];
	assert_string_equal(s->name, "Text.Four");
	assert_int_equal(s->target, RQ_TARGET_TEXT);
	assert_int_equal(s->line, 6);
	s = set.bodies[4];
	assert_int_equal(s->target, RQ_TARGET_MACHO);
	assert_int_equal(s->offset.kind, RQ_OFFSET_EOF);
	assert_int_equal(s->offset.value, 50);
	s = set.bodies[5];
	assert_int_equal(s->offset.kind, RQ_OFFSET_EOF);
	assert_int_equal(s->offset.shift, 10);
	rq_sigset_free(&set);
}

static void test_malformed_lines(void **state)
{
	(void)state;
	rq_sigset set;
	warnings w;
	const char *text =
		"Good.1:0:*:41424344\n"            /* 1 */
		"OnlyThree:0:*\n"                  /* 2 too few fields */
		"Bad.Hex:0:*:4142434\n"            /* 3 odd digits */
		"Bad.Target:x:*:41424344\n"        /* 4 */
		"Bad.Offset:0:12x:41424344\n"      /* 5 */
		":0:*:41424344\n"                  /* 6 empty name */
		"Bad.Range:0:*:4142{5-2}4344\n"    /* 7 */
		"Bad.Fl:0:*:41424344:abc\n"        /* 8 */
		"Too.Many:0:*:41424344:1:2:3\n"    /* 9 */
		"Bad.Eof:0:EOF-:41424344\n"        /* 10 */
		"Bad.Paren:0:*:(4142|4344\n"       /* 11 */
		"Bad.Gap:0:*:*41424344\n"          /* 12 */
		"Good.2:0:*:45464748\n";           /* 13 */
	assert_int_equal(load(&set, &w, 0, text), 0);
	assert_int_equal(set.body_count, 2);
	assert_int_equal(w.count, 11);
	for (int i = 0; i < 11; i++)
		assert_int_equal(w.line[i], (unsigned)(i + 2));
	assert_int_equal(set.stats.malformed, 11);
	assert_int_equal(set.stats.unsupported, 0);
	assert_non_null(strstr(w.msg[1], "odd"));
	assert_non_null(strstr(w.msg[5], "{5-2}"));
	assert_non_null(strstr(w.msg[2], "target"));
	rq_sigset_free(&set);
}

static void test_unsupported_lines(void **state)
{
	(void)state;
	rq_sigset set;
	warnings w;
	const char *text =
		"Ep.1:1:EP+10:41424344\n"           /* 1 */
		"Ep.2:1:EP-10:41424344\n"           /* 2 */
		"Sect.3:1:S2+10:41424344\n"         /* 3 */
		"Sect.4:1:SE1:41424344\n"           /* 4 */
		"Sect.5:1:SL+4:41424344\n"          /* 5 */
		"Vi.6:1:VI:41424344\n"              /* 6 */
		"Type.7:3:*:41424344\n"             /* 7 HTML */
		"Type.8:12:*:41424344\n"            /* 8 */
		"Fl.9:0:*:41424344:999\n"           /* 9 needs a newer engine */
		"Fl.10:0:*:41424344:1:100\n"        /* 10 only for older engines */
		"Gen.11:0:*:41??42\n"               /* 11 too generic */
		"Cls.12:0:*:4142(B)4344\n"          /* 12 */
		"Text.13:7:EOF-10:41424344\n"       /* 13 EOF on normalised text */
		"Good:0:*:41424344\n";              /* 14 */
	assert_int_equal(load(&set, &w, 0, text), 0);
	assert_int_equal(set.body_count, 1);
	assert_int_equal(w.count, 13);
	for (int i = 0; i < 13; i++) {
		assert_int_equal(w.line[i], (unsigned)(i + 1));
		if (!strstr(w.msg[i], "unsupported"))
			fail_msg("line %d: '%s'", i + 1, w.msg[i]);
	}
	assert_int_equal(set.stats.unsupported, 13);
	assert_int_equal(set.stats.malformed, 0);
	assert_non_null(strstr(w.msg[8], "needs engine level 999"));
	assert_non_null(strstr(w.msg[9], "only for engine levels <= 100"));
	assert_non_null(strstr(w.msg[10], "too generic"));
	assert_non_null(strstr(w.msg[6], "target type 3"));
	rq_sigset_free(&set);
}

static void test_strict(void **state)
{
	(void)state;
	rq_sigset set;
	warnings w;
	int rc = load(&set, &w, 1, "Good:0:*:41424344\nBad:0:*:4142434\nGood2:0:*:45464748\n");
	assert_int_equal(rc, RQ_EPARSE);
	assert_non_null(strstr(rq_error_last(), "t.ndb:2:"));
	assert_int_equal(set.body_count, 1);
	rq_sigset_free(&set);
	rc = load(&set, &w, 1, "Good:0:*:41424344\nEp:1:EP+1:41424344\n");
	assert_int_equal(rc, RQ_EUNSUPPORTED);
	assert_non_null(strstr(rq_error_last(), "t.ndb:2:"));
	rq_sigset_free(&set);
	/* the callback can stop the load */
	rq_engine_options opts = { .on_warning = on_warning, .warning_payload = &w };
	memset(&w, 0, sizeof(w));
	w.stop_at = 2;
	rq_sigset_init(&set, &opts);
	const char *text = "A:0:*:41\nB:0:*:41\nC:0:*:41\n";
	rc = rq_load_clamav_ndb(&set, "t.ndb", (const uint8_t *)text, strlen(text));
	assert_int_equal(rc, RQ_ESTOPPED);
	assert_int_equal(w.count, 2);
	rq_sigset_free(&set);
}

static void test_empty_and_garbage(void **state)
{
	(void)state;
	rq_sigset set;
	warnings w;
	rq_engine_options opts = { .on_warning = on_warning, .warning_payload = &w };
	memset(&w, 0, sizeof(w));
	rq_sigset_init(&set, &opts);
	assert_int_equal(rq_load_clamav_ndb(&set, "t.ndb", NULL, 0), 0);
	assert_int_equal(set.body_count, 0);
	uint64_t seed = 7;
	uint8_t buf[4096];
	for (int iter = 0; iter < 200; iter++) {
		for (size_t i = 0; i < sizeof(buf); i++) {
			seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
			uint8_t r = (uint8_t)(seed >> 56);
			/* mostly signature-like characters, some bytes of anything */
			static const char chars[] = "0123456789abcdef:*?{}-|()!,\nEOF+A.#";
			buf[i] = r < 240 ? (uint8_t)chars[r % (sizeof(chars) - 1)] : r;
		}
		int rc = rq_load_clamav_ndb(&set, "t.ndb", buf, sizeof(buf));
		assert_int_equal(rc, 0);
	}
	rq_sigset_free(&set);
	/* a NUL byte inside a line */
	memset(&w, 0, sizeof(w));
	rq_sigset_init(&set, &opts);
	static const char nul[] = "A\0B:0:*:41424344\nC:0:*:4142\0" "4344\n";
	assert_int_equal(rq_load_clamav_ndb(&set, "t.ndb", (const uint8_t *)nul, sizeof(nul) - 1), 0);
	assert_int_equal(set.body_count, 0);
	assert_int_equal(w.count, 2);
	rq_sigset_free(&set);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_lines),
		cmocka_unit_test(test_malformed_lines),
		cmocka_unit_test(test_unsupported_lines),
		cmocka_unit_test(test_strict),
		cmocka_unit_test(test_empty_and_garbage),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
