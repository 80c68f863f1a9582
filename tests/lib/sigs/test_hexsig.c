/*
 * Tests of the hex pattern compiler (lib/sigs/hexsig.c): every syntax
 * element accepted or refused with the right code, the segment / variant /
 * anchor structure it produces, and exact variant verification.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/limits.h"
#include "sigs/hexsig.h"

static rq_hexprog *parse_ok(const char *hex)
{
	rq_hexprog *p = NULL;
	int rc = rq_hexprog_parse(&p, hex, strlen(hex));
	if (rc)
		fail_msg("'%s' refused: %s", hex, rq_error_last());
	assert_non_null(p);
	return p;
}

static void parse_fails(const char *hex, int code, const char *words)
{
	rq_hexprog *p = NULL;
	int rc = rq_hexprog_parse(&p, hex, strlen(hex));
	if (rc != code)
		fail_msg("'%s': got %d (%s), want %d", hex, rc, rq_error_last(), code);
	assert_null(p);
	if (words && !strstr(rq_error_last(), words))
		fail_msg("'%s': message '%s' lacks '%s'", hex, rq_error_last(), words);
}

/* Whether single-part pattern `hex` matches exactly `data` (len bytes) with some variant. */
static int whole_match(const char *hex, const void *data, size_t len)
{
	rq_hexprog *p = parse_ok(hex);
	assert_int_equal(p->seg_count, 1);
	int found = 0;
	for (uint32_t i = 0; i < p->segs[0].variant_count; i++) {
		const rq_hexvariant *v = &p->variants[p->segs[0].first_variant + i];
		if (v->width == len && rq_hexvariant_match(p, v, data))
			found = 1;
	}
	rq_hexprog_free(p);
	return found;
}

static void test_literal_and_case(void **state)
{
	(void)state;
	assert_true(whole_match("414243", "ABC", 3));
	assert_true(whole_match("4a4B4c", "JKL", 3));
	assert_false(whole_match("414243", "ACC", 3));
	rq_hexprog *p = parse_ok("41424344");
	assert_int_equal(p->seg_count, 1);
	assert_int_equal(p->variants[0].width, 4);
	assert_int_equal(p->variants[0].anchor_off, 0);
	assert_int_equal(p->variants[0].anchor_len, 4);
	rq_hexprog_free(p);
}

static void test_wildcards(void **state)
{
	(void)state;
	assert_true(whole_match("41??4243", "A\x00" "BC", 4));
	assert_true(whole_match("41??4243", "A\xff" "BC", 4));
	assert_false(whole_match("41??4243", "A\xff" "BD", 4));
	/* high nibble */
	assert_true(whole_match("4?4243", "OBC", 3));
	assert_true(whole_match("4?4243", "@BC", 3));
	assert_false(whole_match("4?4243", "PBC", 3));
	/* low nibble */
	assert_true(whole_match("?14243", "ABC", 3));
	assert_true(whole_match("?14243", "qBC", 3));
	assert_false(whole_match("?14243", "BBC", 3));
	/* {n} stays inside the part as skipped bytes */
	rq_hexprog *p = parse_ok("4142{3}4344");
	assert_int_equal(p->seg_count, 1);
	assert_int_equal(p->variants[0].width, 7);
	rq_hexprog_free(p);
	assert_true(whole_match("4142{3}4344", "ABxyzCD", 7));
	assert_false(whole_match("4142{3}4344", "ABxyzCE", 7));
	assert_true(whole_match("4142{0}4344", "ABCD", 4));
}

static void test_alternatives(void **state)
{
	(void)state;
	/* one-byte alternatives become a class */
	assert_true(whole_match("4142(43|44)", "ABC", 3));
	assert_true(whole_match("4142(43|44)", "ABD", 3));
	assert_false(whole_match("4142(43|44)", "ABE", 3));
	/* multi-byte, same length */
	assert_true(whole_match("4142(4344|4546)", "ABEF", 4));
	assert_false(whole_match("4142(4344|4546)", "ABEG", 4));
	/* different lengths: one variant per length */
	rq_hexprog *p = parse_ok("4142(43|444546)47");
	assert_int_equal(p->segs[0].variant_count, 2);
	assert_int_equal(p->segs[0].min_width, 4);
	assert_int_equal(p->segs[0].max_width, 6);
	rq_hexprog_free(p);
	assert_true(whole_match("4142(43|444546)47", "ABCG", 4));
	assert_true(whole_match("4142(43|444546)47", "ABDEFG", 6));
	assert_false(whole_match("4142(43|444546)47", "ABDG", 4));
	/* wildcards and {n} inside alternatives */
	assert_true(whole_match("4142(4?45|??46)", "ABOE", 4));
	assert_true(whole_match("4142(4?45|??46)", "AB\x01" "F", 4));
	assert_false(whole_match("4142(4?45|??46)", "ABPE", 4));
	assert_true(whole_match("4142(43{2}44|45)", "ABCxyD", 6));
	/* an alternative group can be the anchor */
	p = parse_ok("(41424344|45464748)");
	assert_int_equal(p->variants[0].anchor_len, 4);
	rq_hexprog_free(p);
}

static void test_negated(void **state)
{
	(void)state;
	assert_true(whole_match("4142!(43|44)", "ABE", 3));
	assert_false(whole_match("4142!(43|44)", "ABC", 3));
	assert_false(whole_match("4142!(43|44)", "ABD", 3));
	assert_true(whole_match("4142!(4344|4546)", "ABCE", 4));
	assert_true(whole_match("4142!(4344|4546)", "ABEE", 4));
	assert_false(whole_match("4142!(4344|4546)", "ABCD", 4));
	assert_false(whole_match("4142!(4344|4546)", "ABEF", 4));
	parse_fails("4142!(43|4445)", RQ_EPARSE, "different lengths");
	parse_fails("4142!(4?|44)", RQ_EUNSUPPORTED, "negated");
	parse_fails("4142!(43??|4445)", RQ_EUNSUPPORTED, "negated");
}

static void test_gaps_make_parts(void **state)
{
	(void)state;
	static const struct {
		const char *hex;
		uint32_t min, max;
	} cases[] = {
		{ "4142*4344", 0, RQ_HEX_GAP_INF },
		{ "4142{5-}4344", 5, RQ_HEX_GAP_INF },
		{ "4142{-5}4344", 0, 5 },
		{ "4142{2-5}4344", 2, 5 },
		{ "4142{200-200}4344", 200, 200 },
		{ "4142{200}4344", 200, 200 }, /* large {n} splits */
		{ "4142{2-5}*4344", 2, RQ_HEX_GAP_INF }, /* consecutive gaps add up */
		{ "4142{2-5}{1-2}4344", 3, 7 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		rq_hexprog *p = parse_ok(cases[i].hex);
		assert_int_equal(p->seg_count, 2);
		assert_int_equal(p->segs[1].gap_min, cases[i].min);
		assert_int_equal(p->segs[1].gap_max, cases[i].max);
		assert_int_equal(p->segs[0].gap_min, 0);
		rq_hexprog_free(p);
	}
	rq_hexprog *p = parse_ok("4142{3-3}4344"); /* same as {3} */
	assert_int_equal(p->seg_count, 1);
	rq_hexprog_free(p);
	p = parse_ok("4142{127}4344");
	assert_int_equal(p->seg_count, 1);
	assert_int_equal(p->variants[0].width, 131);
	rq_hexprog_free(p);
	p = parse_ok("4142*4344*4546{1-2}4748");
	assert_int_equal(p->seg_count, 4);
	rq_hexprog_free(p);
}

static void test_anchor_choice(void **state)
{
	(void)state;
	/* a plain literal run of 4 bytes wins over a wider window with nibbles:
	 * literals compile and match fastest */
	rq_hexprog *p = parse_ok("4?4?4?41424344");
	assert_int_equal(p->variants[0].anchor_off, 3);
	assert_int_equal(p->variants[0].anchor_len, 4);
	rq_hexprog_free(p);
	/* a shorter literal run is widened with the nibbles next to it */
	p = parse_ok("4?4?4?4142");
	assert_int_equal(p->variants[0].anchor_off, 0);
	assert_int_equal(p->variants[0].anchor_len, 5);
	rq_hexprog_free(p);
	/* a run of 4 literal bytes is a good enough anchor on its own */
	p = parse_ok("4142??43444546");
	assert_int_equal(p->variants[0].anchor_off, 3);
	assert_int_equal(p->variants[0].anchor_len, 4);
	rq_hexprog_free(p);
	/* weaker ones take skips inside, never at their ends */
	p = parse_ok("4142??4344");
	assert_int_equal(p->variants[0].anchor_off, 0);
	assert_int_equal(p->variants[0].anchor_len, 5);
	rq_hexprog_free(p);
	/* 00 and ff count less than other bytes */
	p = parse_ok("0000??4142");
	assert_int_equal(p->variants[0].anchor_off, 0);
	assert_int_equal(p->variants[0].anchor_len, 5);
	rq_hexprog_free(p);
	p = parse_ok("00000000??41424344");
	assert_int_equal(p->variants[0].anchor_off, 5);
	assert_int_equal(p->variants[0].anchor_len, 4);
	rq_hexprog_free(p);
	p = parse_ok("??4142{3}43??");
	assert_int_equal(p->variants[0].anchor_off, 1);
	assert_int_equal(p->variants[0].anchor_len, 6);
	rq_hexprog_free(p);
	/* a negated group breaks runs; the more specific side wins */
	p = parse_ok("4142!(4344|4546)43444546");
	assert_int_equal(p->variants[0].anchor_off, 4);
	assert_int_equal(p->variants[0].anchor_len, 4);
	rq_hexprog_free(p);
	/* anchors are capped at RQ_MAX_ANCHOR_LEN bytes */
	char hex[2 * 100 + 1];
	for (int i = 0; i < 100; i++)
		memcpy(hex + 2 * i, "41", 2);
	hex[200] = '\0';
	p = parse_ok(hex);
	assert_int_equal(p->variants[0].anchor_len, RQ_MAX_ANCHOR_LEN);
	assert_int_equal(p->variants[0].width, 100);
	rq_hexprog_free(p);
	/* a variant's anchor in each part */
	p = parse_ok("4142*??4?4344");
	assert_int_equal(p->seg_count, 2);
	const rq_hexvariant *v = &p->variants[p->segs[1].first_variant];
	assert_int_equal(v->anchor_off, 1);
	assert_int_equal(v->anchor_len, 3);
	rq_hexprog_free(p);
}

static void test_too_generic(void **state)
{
	(void)state;
	parse_fails("41??42", RQ_EUNSUPPORTED, "too generic");
	parse_fails("4?4?4?4?", RQ_EUNSUPPORTED, "too generic");
	parse_fails("(41|42)(43|44)", RQ_EUNSUPPORTED, "too generic");
	parse_fails("41424344*45", RQ_EUNSUPPORTED, "part 2");
	parse_fails("41424344{200}45", RQ_EUNSUPPORTED, "part 2");
	parse_fails("4142*??*4344", RQ_EUNSUPPORTED, "part 2");
	/* two fixed bytes are enough, also from a group of literals */
	rq_hexprog_free(parse_ok("41(4243|4445)"));
	rq_hexprog_free(parse_ok("(4142|4344)"));
}

static void test_malformed(void **state)
{
	(void)state;
	parse_fails("", RQ_EPARSE, "empty");
	/* ClamAV refuses plain patterns shorter than 3 bytes */
	parse_fails("41", RQ_EPARSE, "shorter than 3");
	parse_fails("4142", RQ_EPARSE, "shorter than 3");
	rq_hexprog_free(parse_ok("414243"));
	rq_hexprog_free(parse_ok("4142??"));
	parse_fails("414", RQ_EPARSE, "odd");
	parse_fails("41424", RQ_EPARSE, "odd");
	parse_fails("4142g1", RQ_EPARSE, "bad character");
	parse_fails("4142 4344", RQ_EPARSE, "bad character");
	parse_fails("(4142|4344", RQ_EPARSE, "unbalanced");
	parse_fails("41424344)", RQ_EPARSE, "unbalanced");
	parse_fails("4142|4344", RQ_EPARSE, "unbalanced");
	parse_fails("4142}4344", RQ_EPARSE, "unbalanced");
	parse_fails("4142(|43)44", RQ_EPARSE, "empty alternative");
	parse_fails("4142()44", RQ_EPARSE, "empty alternative");
	parse_fails("4142{5-2}4344", RQ_EPARSE, "{5-2}");
	parse_fails("4142{}4344", RQ_EPARSE, "bad range");
	parse_fails("4142{-}4344", RQ_EPARSE, "bad range");
	parse_fails("4142{x}4344", RQ_EPARSE, "bad range");
	parse_fails("4142{5", RQ_EPARSE, "unterminated");
	parse_fails("*41424344", RQ_EPARSE, "starts with a gap");
	parse_fails("{3}41424344", RQ_EPARSE, "starts with a gap");
	parse_fails("41424344*", RQ_EPARSE, "ends with a gap");
	parse_fails("41424344{2-3}", RQ_EPARSE, "ends with a gap");
	parse_fails("41424344{3}", RQ_EPARSE, "ends with a gap");
	parse_fails("4142!43", RQ_EPARSE, "bad character");
	parse_fails("4142!(00|01|02|03|04|05|06|07|08|09|0a|0b|0c|0d|0e|0f|10|11|12|13|14|15|16|17"
		    "|18|19|1a|1b|1c|1d|1e|1f|20|21|22|23|24|25|26|27|28|29|2a|2b|2c|2d|2e|2f|30"
		    "|31|32|33|34|35|36|37|38|39|3a|3b|3c|3d|3e|3f|40|41|42|43|44|45|46|47|48|49"
		    "|4a|4b|4c|4d|4e|4f|50|51|52|53|54|55|56|57|58|59|5a|5b|5c|5d|5e|5f|60|61|62"
		    "|63|64|65|66|67|68|69|6a|6b|6c|6d|6e|6f|70|71|72|73|74|75|76|77|78|79|7a|7b"
		    "|7c|7d|7e|7f|80|81|82|83|84|85|86|87|88|89|8a|8b|8c|8d|8e|8f|90|91|92|93|94"
		    "|95|96|97|98|99|9a|9b|9c|9d|9e|9f|a0|a1|a2|a3|a4|a5|a6|a7|a8|a9|aa|ab|ac|ad"
		    "|ae|af|b0|b1|b2|b3|b4|b5|b6|b7|b8|b9|ba|bb|bc|bd|be|bf|c0|c1|c2|c3|c4|c5|c6"
		    "|c7|c8|c9|ca|cb|cc|cd|ce|cf|d0|d1|d2|d3|d4|d5|d6|d7|d8|d9|da|db|dc|dd|de|df"
		    "|e0|e1|e2|e3|e4|e5|e6|e7|e8|e9|ea|eb|ec|ed|ee|ef|f0|f1|f2|f3|f4|f5|f6|f7|f8"
		    "|f9|fa|fb|fc|fd|fe|ff)", RQ_EPARSE, "every byte");
}

static void test_unsupported(void **state)
{
	(void)state;
	parse_fails("4142(B)4344", RQ_EUNSUPPORTED, "(B)");
	parse_fails("4142(L)4344", RQ_EUNSUPPORTED, "(L)");
	parse_fails("4142(W)4344", RQ_EUNSUPPORTED, "(W)");
	parse_fails("4142[2-4]43", RQ_EUNSUPPORTED, "[..]");
	parse_fails("4142(43*44|45)", RQ_EUNSUPPORTED, "'*'");
	parse_fails("4142(43{1-2}44|45)", RQ_EUNSUPPORTED, "variable gap");
	parse_fails("4142((43|44)|45)", RQ_EUNSUPPORTED, "nested");
	parse_fails("4142{2000000000}4344", RQ_EUNSUPPORTED, "too large");
	/* more than RQ_MAX_ALTERNATIVES alternatives */
	char big[8 + 5 * (RQ_MAX_ALTERNATIVES + 1) + 2];
	strcpy(big, "4142(");
	for (int i = 0; i <= RQ_MAX_ALTERNATIVES; i++)
		sprintf(big + strlen(big), "%04x|", i);
	big[strlen(big) - 1] = ')';
	parse_fails(big, RQ_EUNSUPPORTED, "alternatives");
	/* too many combinations of lengths */
	parse_fails("4142(43|4344)(43|4344)(43|4344)(43|4344)(43|4344)(43|4344)(43|4344)",
		    RQ_EUNSUPPORTED, "combinations");
}

static void test_limits(void **state)
{
	(void)state;
	/* a part wider than RQ_MAX_SEGMENT_LEN */
	size_t n = RQ_MAX_SEGMENT_LEN / 100 + 2;
	char *hex = malloc(n * 8 + 16);
	strcpy(hex, "4142");
	for (size_t i = 0; i < n; i++)
		strcat(hex, "{100}");
	strcat(hex, "4344");
	parse_fails(hex, RQ_EUNSUPPORTED, "longer than");
	free(hex);
	/* more elements than RQ_MAX_SIG_ELEMENTS */
	n = RQ_MAX_SIG_ELEMENTS + 10;
	hex = malloc(2 * n + 1);
	for (size_t i = 0; i < n; i++)
		memcpy(hex + 2 * i, "41", 2);
	hex[2 * n] = '\0';
	parse_fails(hex, RQ_EUNSUPPORTED, "elements");
	free(hex);
}

/* Garbage never crashes and never takes long: every prefix of a nasty string. */
static void test_garbage(void **state)
{
	(void)state;
	static const char nasty[] =
		"41(42|!(43|{3-}*?\?)){-}{99999999999999999999}((((||))))!!(4?|?4)[1-2](B)"
		"\x00\xff{12-3}4142{-0}*{0-}*";
	uint64_t seed = 42;
	for (size_t len = 0; len < sizeof(nasty); len++) {
		rq_hexprog *p = NULL;
		if (rq_hexprog_parse(&p, nasty, len) == 0)
			rq_hexprog_free(p);
	}
	static const char alphabet[] = "0123456789abcdef??**{}--||()!![]4142";
	char buf[64];
	for (int iter = 0; iter < 20000; iter++) {
		size_t len = (size_t)(seed >> 33) % sizeof(buf);
		for (size_t i = 0; i < len; i++) {
			seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
			buf[i] = alphabet[(seed >> 33) % (sizeof(alphabet) - 1)];
		}
		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		rq_hexprog *p = NULL;
		int rc = rq_hexprog_parse(&p, buf, len);
		assert_true(rc == 0 || rc == RQ_EPARSE || rc == RQ_EUNSUPPORTED);
		if (!rc) {
			assert_true(p->seg_count >= 1);
			rq_hexprog_free(p);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_literal_and_case),
		cmocka_unit_test(test_wildcards),
		cmocka_unit_test(test_alternatives),
		cmocka_unit_test(test_negated),
		cmocka_unit_test(test_gaps_make_parts),
		cmocka_unit_test(test_anchor_choice),
		cmocka_unit_test(test_too_generic),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_unsupported),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_garbage),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
