/*
 * Simple YARA rules evaluated by the native body matcher (yara_native.h):
 * a small tokenizer and rule reader for YARA source, the test that decides
 * which rules are simple enough, the translation of their hex and text
 * strings into ClamAV hex patterns, and the blanking of converted rules in
 * the text left to libyara. Design and proofs: docs/internals/yara-native.md.
 */
#include "sigs/yara_native.h"

#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/limits.h"
#include "core/strbuf.h"
#include "core/util.h"
#include "sigs/hexsig.h"

/* --- a growable text buffer --- */

/* Hand the buffer over as *out (RQ_YN_OK), or free it and give `result`. */
static int sb_finish(rq_strbuf *b, int result, char **out)
{
	*out = NULL;
	if (b->no_mem) {
		free(b->p);
		return rq_fail(RQ_ENOMEM, "out of memory");
	}
	if (b->too_long)
		result = RQ_YN_INVALID;
	if (result != RQ_YN_OK || !b->p) {
		free(b->p);
		return result == RQ_YN_OK ? RQ_YN_INVALID : result;
	}
	*out = b->p;
	return RQ_YN_OK;
}

/* --- hex strings --- */

static int is_hexdigit(int c) { return rq_hexval(c) >= 0; }

/* The whitespace YARA's hex-string lexer skips. */
static int is_hex_space(int c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

/*
 * Skip whitespace and comments at *i; RQ_YN_INVALID on an unterminated
 * block comment.
 */
static int hex_skip(const char *s, size_t len, size_t *i)
{
	while (*i < len) {
		if (is_hex_space((unsigned char)s[*i])) {
			(*i)++;
		} else if (s[*i] == '/' && *i + 1 < len && s[*i + 1] == '*') {
			size_t j = *i + 2;
			while (j + 1 < len && !(s[j] == '*' && s[j + 1] == '/'))
				j++;
			if (j + 1 >= len)
				return RQ_YN_INVALID;
			*i = j + 2;
		} else if (s[*i] == '/' && *i + 1 < len && s[*i + 1] == '/') {
			while (*i < len && s[*i] != '\n')
				(*i)++;
		} else {
			break;
		}
	}
	return RQ_YN_OK;
}

/* A decimal number of at most 9 digits at *i (YARA's jumps are small ints). */
static int hex_number(const char *s, size_t len, size_t *i, uint32_t *out)
{
	size_t start = *i;
	uint32_t v = 0;
	while (*i < len && s[*i] >= '0' && s[*i] <= '9') {
		if (*i - start >= 9)
			return 0;
		v = v * 10 + (uint32_t)(s[*i] - '0');
		(*i)++;
	}
	*out = v;
	return *i > start;
}

#define JUMP_INF UINT32_MAX

/*
 * A jump at *i (on the '['): `[n]`, `[n-m]`, `[n-]` or `[-]`, written with
 * no spaces inside (other spellings are left to libyara). *hi is JUMP_INF
 * for open jumps.
 */
static int hex_jump(const char *s, size_t len, size_t *i, uint32_t *lo, uint32_t *hi)
{
	size_t j = *i + 1;
	uint32_t a = 0, b = 0;
	int has_a = hex_number(s, len, &j, &a), has_b = 0, dash = 0;
	if (j < len && s[j] == '-') {
		dash = 1;
		j++;
		has_b = hex_number(s, len, &j, &b);
	}
	if (j >= len || s[j] != ']')
		return RQ_YN_UNSUPPORTED;
	*i = j + 1;
	if (!dash) {
		if (!has_a)
			return RQ_YN_UNSUPPORTED;
		if (a == 0)
			return RQ_YN_INVALID; /* libyara: "invalid jump length" */
		*lo = *hi = a;
	} else if (!has_a && !has_b) {
		*lo = 0;
		*hi = JUMP_INF;
	} else if (!has_a) {
		return RQ_YN_UNSUPPORTED; /* `[-m]` is not YARA 4.2 syntax */
	} else if (!has_b) {
		*lo = a;
		*hi = JUMP_INF;
	} else {
		if (a > b)
			return RQ_YN_INVALID; /* libyara: "invalid jump range" */
		*lo = a;
		*hi = b;
	}
	return RQ_YN_OK;
}

/*
 * libyara's string chains (see the design doc): libyara cuts a hex string at
 * every jump with a bound above RQ_YARA_CHAIN_THRESHOLD and keeps one end
 * per start for each piece, the end its regex engine reaches first. That end
 * is the shortest one when the piece is made of fixed-width tokens and
 * jumps, but not when it holds alternatives of different lengths (tried left
 * first). The shortest end is all an open jump (`[n-]`, `[-]`) needs; a
 * bounded one (`[300-400]`) needs every end. So a piece before an open cut
 * must not hold uneven alternatives, and a piece before a bounded cut must
 * have a single width. Every piece must also fit libyara's scan window.
 */
typedef struct pieces {
	uint64_t min, max; /* width of the piece under way */
	int uneven;        /* it holds alternatives of different lengths */
} pieces;

static int piece_add(pieces *pc, uint64_t lo, uint64_t hi)
{
	pc->min += lo;
	pc->max += hi;
	return pc->max > RQ_YARA_NATIVE_MAX_PIECE ? RQ_YN_UNSUPPORTED : RQ_YN_OK;
}

static int piece_cut(pieces *pc, int open)
{
	if (open ? pc->uneven : pc->min != pc->max)
		return RQ_YN_UNSUPPORTED;
	*pc = (pieces){ 0, 0, 0 };
	return RQ_YN_OK;
}

enum { LAST_NONE, LAST_TOKEN, LAST_JUMP };

static int hex_translate(const char *s, size_t len, rq_strbuf *out)
{
	int rc = RQ_YN_OK, last = LAST_NONE, in_group = 0, alt_tokens = 0;
	uint32_t alt_width = 0, group_min = 0, group_max = 0;
	pieces pc = { 0, 0, 0 };
	size_t i = 0;
	while (rc == RQ_YN_OK) {
		if ((rc = hex_skip(s, len, &i)) || i >= len)
			break;
		char c = s[i];
		if (is_hexdigit((unsigned char)c) || c == '?') {
			if (i + 1 >= len || !(is_hexdigit((unsigned char)s[i + 1]) || s[i + 1] == '?')) {
				rc = RQ_YN_INVALID; /* "uneven number of digits" */
				break;
			}
			char pair[2] = { c, s[i + 1] };
			rq_strbuf_put(out, pair, 2);
			i += 2;
			if (in_group) {
				alt_width++;
				alt_tokens = 1;
			} else {
				rc = piece_add(&pc, 1, 1);
				last = LAST_TOKEN;
			}
		} else if (c == '[') {
			uint32_t lo, hi;
			if (in_group) {
				rc = RQ_YN_UNSUPPORTED; /* jumps inside alternatives */
				break;
			}
			if ((rc = hex_jump(s, len, &i, &lo, &hi)))
				break;
			if (last == LAST_NONE) {
				rc = RQ_YN_INVALID; /* a hex string cannot start with a jump */
				break;
			}
			if (last == LAST_JUMP) {
				rc = RQ_YN_UNSUPPORTED; /* jumps side by side */
				break;
			}
			if (lo > RQ_YARA_CHAIN_THRESHOLD || hi > RQ_YARA_CHAIN_THRESHOLD)
				rc = piece_cut(&pc, hi == JUMP_INF);
			else
				rc = piece_add(&pc, lo, hi);
			if (hi == JUMP_INF && lo == 0) {
				rq_strbuf_puts(out, "*");
			} else {
				rq_strbuf_puts(out, "{");
				rq_strbuf_uint(out, lo);
				if (hi != lo) {
					rq_strbuf_puts(out, "-");
					if (hi != JUMP_INF)
						rq_strbuf_uint(out, hi);
				}
				rq_strbuf_puts(out, "}");
			}
			last = LAST_JUMP;
		} else if (c == '(') {
			if (in_group) {
				rc = RQ_YN_UNSUPPORTED; /* nested alternatives */
				break;
			}
			in_group = 1;
			alt_width = 0;
			alt_tokens = 0;
			group_min = UINT32_MAX;
			group_max = 0;
			rq_strbuf_puts(out, "(");
			i++;
		} else if (c == '|' || c == ')') {
			if (!in_group || !alt_tokens) {
				rc = RQ_YN_INVALID; /* stray '|' or ')', empty alternative */
				break;
			}
			if (alt_width < group_min)
				group_min = alt_width;
			if (alt_width > group_max)
				group_max = alt_width;
			alt_width = 0;
			alt_tokens = 0;
			rq_strbuf_put(out, &c, 1);
			i++;
			if (c == ')') {
				in_group = 0;
				pc.uneven |= group_min != group_max;
				rc = piece_add(&pc, group_min, group_max);
				last = LAST_TOKEN;
			}
		} else if (c == '~') {
			rc = RQ_YN_UNSUPPORTED; /* negation: not in ClamAV's syntax */
		} else {
			rc = RQ_YN_INVALID;
		}
	}
	if (rc == RQ_YN_OK && (in_group || last != LAST_TOKEN))
		rc = RQ_YN_INVALID; /* unbalanced, empty, or ending with a jump */
	return rc;
}

int rq_yara_native_hex(const char *body, size_t len, char **out)
{
	rq_strbuf b = rq_strbuf_init(RQ_MAX_SIG_LINE);
	int rc = hex_translate(body, len, &b);
	return sb_finish(&b, rc, out);
}

/* --- text strings --- */

int rq_yara_native_text(const char *body, size_t len, int wide, char **out)
{
	rq_strbuf b = rq_strbuf_init(RQ_MAX_SIG_LINE);
	int rc = RQ_YN_OK;
	size_t bytes = 0;
	for (size_t i = 0; i < len && rc == RQ_YN_OK; i++) {
		unsigned v = (unsigned char)body[i];
		if (v == '\\') {
			if (++i >= len) {
				rc = RQ_YN_INVALID;
				break;
			}
			switch (body[i]) {
			case '"': v = '"'; break;
			case '\\': v = '\\'; break;
			case 't': v = '\t'; break;
			case 'n': v = '\n'; break;
			case 'r': v = '\r'; break;
			case 'x': {
				int hi = i + 1 < len ? rq_hexval((unsigned char)body[i + 1]) : -1;
				int lo = i + 2 < len ? rq_hexval((unsigned char)body[i + 2]) : -1;
				if (hi < 0 || lo < 0) {
					rc = RQ_YN_INVALID; /* libyara: "illegal escape sequence" */
					break;
				}
				v = (unsigned)(hi << 4 | lo);
				i += 2;
				break;
			}
			default:
				rc = RQ_YN_INVALID;
				break;
			}
			if (rc != RQ_YN_OK)
				break;
		} else if (v == '\n' || v == '"') {
			rc = RQ_YN_INVALID;
			break;
		}
		rq_strbuf_hex(&b, v);
		if (wide)
			rq_strbuf_hex(&b, 0);
		bytes++;
	}
	if (rc == RQ_YN_OK && !bytes)
		rc = RQ_YN_INVALID; /* libyara: "empty string" */
	return sb_finish(&b, rc, out);
}

/* --- the tokenizer --- */

typedef enum tkind {
	T_EOF = 0,
	T_IDENT,  /* rule, any, Name */
	T_STRID,  /* $a, $, $a*, $* */
	T_STRREF, /* #a, @a, !a with an identifier (counts, offsets, lengths) */
	T_TEXT,   /* "..." */
	T_REGEX,  /* /.../flags */
	T_HEX,    /* { ... } right after '=' */
	T_NUMBER,
	T_PUNCT,  /* one character */
} tkind;

typedef struct tok {
	uint8_t kind;
	size_t off, len;
	unsigned line;
} tok;

typedef struct lexer {
	const char *s;
	size_t len, pos;
	unsigned line;
	tok *toks;
	size_t count, cap;
} lexer;

static int is_ident_start(int c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
static int is_ident_char(int c) { return is_ident_start(c) || (c >= '0' && c <= '9'); }

static int push(lexer *lx, tkind kind, size_t off, unsigned line)
{
	int rc = rq_grow((void **)&lx->toks, &lx->cap, lx->count + 1, sizeof(*lx->toks));
	if (!rc)
		lx->toks[lx->count++] = (tok){ (uint8_t)kind, off, lx->pos - off, line };
	return rc;
}

static void count_lines(lexer *lx, size_t from, size_t to)
{
	for (size_t i = from; i < to; i++)
		lx->line += lx->s[i] == '\n';
}

/* The characters YARA's lexer accepts inside a hex string, besides comments. */
static int is_hex_body_char(int c)
{
	return is_hexdigit(c) || is_hex_space(c) || (c && strchr("?-|~[]()", c));
}

/* A hex string at lx->pos (on the '{'); 0 and *ok = 0 when it is not one. */
static void lex_hex(lexer *lx, int *ok)
{
	const char *s = lx->s;
	size_t i = lx->pos + 1;
	*ok = 0;
	while (i < lx->len && s[i] != '}') {
		if (s[i] == '/' && i + 1 < lx->len && s[i + 1] == '*') {
			size_t j = i + 2;
			while (j + 1 < lx->len && !(s[j] == '*' && s[j + 1] == '/'))
				j++;
			if (j + 1 >= lx->len)
				return;
			i = j + 2;
		} else if (s[i] == '/' && i + 1 < lx->len && s[i + 1] == '/') {
			while (i < lx->len && s[i] != '\n')
				i++;
		} else if (is_hex_body_char((unsigned char)s[i])) {
			i++;
		} else {
			return;
		}
	}
	if (i >= lx->len)
		return;
	lx->pos = i + 1;
	*ok = 1;
}

/*
 * Split the source into tokens. Returns 0, RQ_ENOMEM, or 1 when the text
 * holds anything unexpected (unterminated string, comment or regex, a byte
 * outside strings and comments YARA would not accept, ...).
 */
static int lex(lexer *lx)
{
	const char *s = lx->s;
	int rc = 0;
	while (!rc) {
		while (lx->pos < lx->len) {
			char c = s[lx->pos];
			if (c == '\n') {
				lx->line++;
				lx->pos++;
			} else if (c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f') {
				lx->pos++;
			} else if (c == '/' && lx->pos + 1 < lx->len && s[lx->pos + 1] == '/') {
				while (lx->pos < lx->len && s[lx->pos] != '\n')
					lx->pos++;
			} else if (c == '/' && lx->pos + 1 < lx->len && s[lx->pos + 1] == '*') {
				const char *end = NULL;
				for (size_t j = lx->pos + 2; j + 1 < lx->len && !end; j++)
					if (s[j] == '*' && s[j + 1] == '/')
						end = s + j;
				if (!end)
					return 1;
				size_t to = (size_t)(end - s) + 2;
				count_lines(lx, lx->pos, to);
				lx->pos = to;
			} else {
				break;
			}
		}
		if (lx->pos >= lx->len)
			break;
		size_t off = lx->pos;
		unsigned line = lx->line;
		unsigned char c = (unsigned char)s[off];
		if (is_ident_start(c)) {
			while (lx->pos < lx->len && is_ident_char((unsigned char)s[lx->pos]))
				lx->pos++;
			rc = push(lx, T_IDENT, off, line);
		} else if (c == '$' || ((c == '#' || c == '@' || c == '!') && lx->pos + 1 < lx->len &&
					  is_ident_char((unsigned char)s[lx->pos + 1]))) {
			lx->pos++;
			while (lx->pos < lx->len && is_ident_char((unsigned char)s[lx->pos]))
				lx->pos++;
			if (c == '$' && lx->pos < lx->len && s[lx->pos] == '*')
				lx->pos++;
			rc = push(lx, c == '$' ? T_STRID : T_STRREF, off, line);
		} else if (c >= '0' && c <= '9') {
			while (lx->pos < lx->len) {
				char d = s[lx->pos];
				if (is_ident_char((unsigned char)d))
					lx->pos++;
				else if (d == '.' && lx->pos + 1 < lx->len && s[lx->pos + 1] >= '0' &&
					 s[lx->pos + 1] <= '9')
					lx->pos++;
				else
					break;
			}
			rc = push(lx, T_NUMBER, off, line);
		} else if (c == '"') {
			lx->pos++;
			while (lx->pos < lx->len && s[lx->pos] != '"' && s[lx->pos] != '\n') {
				if (s[lx->pos] == '\\' && lx->pos + 1 < lx->len && s[lx->pos + 1] != '\n')
					lx->pos++;
				lx->pos++;
			}
			if (lx->pos >= lx->len || s[lx->pos] != '"')
				return 1;
			lx->pos++;
			rc = push(lx, T_TEXT, off, line);
		} else if (c == '/') {
			lx->pos++;
			while (lx->pos < lx->len && s[lx->pos] != '/' && s[lx->pos] != '\n') {
				if (s[lx->pos] == '\\' && lx->pos + 1 < lx->len && s[lx->pos + 1] != '\n')
					lx->pos++;
				lx->pos++;
			}
			if (lx->pos >= lx->len || s[lx->pos] != '/')
				return 1;
			lx->pos++;
			while (lx->pos < lx->len && is_ident_char((unsigned char)s[lx->pos]))
				lx->pos++;
			rc = push(lx, T_REGEX, off, line);
		} else if (c == '{' && lx->count && lx->toks[lx->count - 1].kind == T_PUNCT &&
			   s[lx->toks[lx->count - 1].off] == '=') {
			int ok;
			lex_hex(lx, &ok);
			if (!ok)
				return 1;
			count_lines(lx, off, lx->pos);
			rc = push(lx, T_HEX, off, line);
		} else if (c > 0x20 && c < 0x7f) {
			lx->pos++;
			rc = push(lx, T_PUNCT, off, line);
		} else {
			return 1;
		}
	}
	if (!rc)
		rc = push(lx, T_EOF, lx->pos, lx->line);
	return rc;
}

/* --- reading rules --- */

/* String modifiers as bits. */
enum {
	MOD_ASCII = 1 << 0,
	MOD_WIDE = 1 << 1,
	MOD_OTHER = 1 << 2, /* nocase, fullword, private, xor, base64, base64wide */
};

typedef struct ystring {
	size_t tok;      /* its T_STRID token */
	size_t value;    /* its T_TEXT / T_HEX / T_REGEX token */
	unsigned mods;   /* MOD_* */
} ystring;

typedef struct yrule {
	size_t start, end;     /* bytes of the rule, modifiers to closing brace */
	unsigned line;         /* line of the `rule` keyword */
	size_t name;           /* its name token */
	int is_private, is_global;
	size_t first_string, string_count; /* in reader.strings */
	int has_strings;
	size_t cond, cond_end; /* condition tokens [cond, cond_end) */
	int referenced;
} yrule;

typedef struct reader {
	lexer lx;
	size_t at;             /* next token */
	yrule *rules;
	size_t rule_count, rule_cap;
	ystring *strings;
	size_t string_count, string_cap;
	int has_global;
} reader;

static const tok *peek(const reader *r) { return &r->lx.toks[r->at]; }

static int tok_is(const reader *r, const tok *t, tkind kind, const char *text)
{
	if (t->kind != kind)
		return 0;
	if (!text)
		return 1;
	size_t n = strlen(text);
	return t->len == n && !memcmp(r->lx.s + t->off, text, n);
}

static int punct_is(const reader *r, const tok *t, char c)
{
	return t->kind == T_PUNCT && r->lx.s[t->off] == c;
}

static int tok_eq(const reader *r, const tok *a, const tok *b)
{
	return a->len == b->len && !memcmp(r->lx.s + a->off, r->lx.s + b->off, a->len);
}

/* YARA 4.2's reserved words: none of them can name a rule, a tag or a meta. */
static const char *const keywords[] = {
	"all", "and", "any", "ascii", "at", "base64", "base64wide", "condition", "contains",
	"defined", "endswith", "entrypoint", "false", "filesize", "for", "fullword", "global",
	"icontains", "iendswith", "iequals", "import", "in", "include", "int16", "int16be",
	"int32", "int32be", "int8", "int8be", "istartswith", "matches", "meta", "nocase", "none",
	"not", "of", "or", "private", "rule", "startswith", "strings", "them", "true", "uint16",
	"uint16be", "uint32", "uint32be", "uint8", "uint8be", "wide", "xor", NULL,
};

/* The external variables raquet declares (lib/match/yara_rules.c): a rule so
 * named is a "duplicated identifier" error. */
static const char *const externals[] = { "filename", "filepath", "extension", "filetype",
					  "owner", NULL };

/* The modules of Debian 12's libyara 4.2.3 (checked with `yara`). */
static const char *const modules[] = { "pe", "elf", "math", "hash", "dotnet", "magic",
				       "cuckoo", "console", "time", "tests", "macho", "dex",
				       NULL };

static int in_list(const reader *r, const tok *t, const char *const *list)
{
	for (size_t i = 0; list[i]; i++)
		if (tok_is(r, t, T_IDENT, list[i]))
			return 1;
	return 0;
}

/* A name usable for a rule or a tag: not reserved, not too long. */
static int good_name(const reader *r, const tok *t)
{
	return t->kind == T_IDENT && t->len <= RQ_YARA_MAX_IDENTIFIER && !in_list(r, t, keywords);
}

/* Step over a modifier's `( ... )` arguments: numbers, strings, '-' and ','. */
static int skip_args(reader *r)
{
	if (!punct_is(r, peek(r), '('))
		return 0;
	r->at++;
	while (!punct_is(r, peek(r), ')')) {
		const tok *t = peek(r);
		if (t->kind == T_EOF || !(t->kind == T_NUMBER || t->kind == T_TEXT ||
					  punct_is(r, t, '-') || punct_is(r, t, ',')))
			return 1;
		r->at++;
	}
	r->at++;
	return 0;
}

static int read_meta(reader *r)
{
	while (!tok_is(r, peek(r), T_IDENT, "strings") && !tok_is(r, peek(r), T_IDENT, "condition")) {
		if (!good_name(r, peek(r)))
			return 1;
		r->at++;
		if (!punct_is(r, peek(r), '='))
			return 1;
		r->at++;
		if (punct_is(r, peek(r), '-')) {
			r->at++;
			if (peek(r)->kind != T_NUMBER)
				return 1;
		}
		const tok *v = peek(r);
		if (!(v->kind == T_TEXT || v->kind == T_NUMBER || tok_is(r, v, T_IDENT, "true") ||
		      tok_is(r, v, T_IDENT, "false")))
			return 1;
		r->at++;
	}
	return 0;
}

static int read_strings(reader *r, yrule *rule)
{
	static const char *const other_mods[] = { "nocase", "fullword", "private", "xor",
						  "base64", "base64wide", NULL };
	rule->first_string = r->string_count;
	while (!tok_is(r, peek(r), T_IDENT, "condition")) {
		const tok *id = peek(r);
		if (id->kind != T_STRID || r->lx.s[id->off + id->len - 1] == '*')
			return 1;
		ystring ys = { r->at, 0, 0 };
		r->at++;
		if (!punct_is(r, peek(r), '='))
			return 1;
		r->at++;
		const tok *v = peek(r);
		if (v->kind != T_TEXT && v->kind != T_HEX && v->kind != T_REGEX)
			return 1;
		ys.value = r->at++;
		while (peek(r)->kind == T_IDENT && !tok_is(r, peek(r), T_IDENT, "condition")) {
			const tok *m = peek(r);
			unsigned bit;
			if (tok_is(r, m, T_IDENT, "ascii"))
				bit = MOD_ASCII;
			else if (tok_is(r, m, T_IDENT, "wide"))
				bit = MOD_WIDE;
			else if (in_list(r, m, other_mods))
				bit = MOD_OTHER;
			else
				return 1;
			if (bit != MOD_OTHER && (ys.mods & bit))
				return 1; /* libyara: "duplicated modifier" */
			ys.mods |= bit;
			r->at++;
			if (skip_args(r))
				return 1;
		}
		for (size_t i = rule->first_string; i < r->string_count; i++) {
			const tok *prev = &r->lx.toks[r->strings[i].tok];
			if (id->len > 1 && tok_eq(r, prev, &r->lx.toks[ys.tok]))
				return 1; /* libyara: "duplicated string identifier" */
		}
		if (rq_grow((void **)&r->strings, &r->string_cap, r->string_count + 1,
			    sizeof(*r->strings)))
			return -1;
		r->strings[r->string_count++] = ys;
	}
	rule->string_count = r->string_count - rule->first_string;
	return rule->string_count ? 0 : 1;
}

/* One rule at r->at. Returns 0, 1 (unexpected) or -1 (out of memory). */
static int read_rule(reader *r)
{
	yrule rule;
	memset(&rule, 0, sizeof(rule));
	rule.start = peek(r)->off;
	for (;;) {
		if (tok_is(r, peek(r), T_IDENT, "private") && !rule.is_private)
			rule.is_private = 1;
		else if (tok_is(r, peek(r), T_IDENT, "global") && !rule.is_global)
			rule.is_global = 1;
		else
			break;
		r->at++;
	}
	if (!tok_is(r, peek(r), T_IDENT, "rule"))
		return 1;
	rule.line = peek(r)->line;
	r->at++;
	const tok *name = peek(r);
	if (!good_name(r, name) || in_list(r, name, externals))
		return 1;
	rule.name = r->at++;
	if (punct_is(r, peek(r), ':')) {
		r->at++;
		size_t first_tag = r->at;
		while (peek(r)->kind == T_IDENT) {
			if (!good_name(r, peek(r)))
				return 1;
			for (size_t t = first_tag; t < r->at; t++)
				if (tok_eq(r, &r->lx.toks[t], peek(r)))
					return 1; /* libyara: "duplicated tag identifier" */
			r->at++;
		}
		if (r->at == first_tag)
			return 1;
	}
	if (!punct_is(r, peek(r), '{'))
		return 1;
	r->at++;
	int rc;
	if (tok_is(r, peek(r), T_IDENT, "meta") && punct_is(r, &r->lx.toks[r->at + 1], ':')) {
		r->at += 2;
		if ((rc = read_meta(r)))
			return rc;
	}
	if (tok_is(r, peek(r), T_IDENT, "strings") && punct_is(r, &r->lx.toks[r->at + 1], ':')) {
		r->at += 2;
		rule.has_strings = 1;
		if ((rc = read_strings(r, &rule)))
			return rc;
	}
	if (!tok_is(r, peek(r), T_IDENT, "condition") || !punct_is(r, &r->lx.toks[r->at + 1], ':'))
		return 1;
	r->at += 2;
	rule.cond = r->at;
	while (peek(r)->kind != T_EOF && !punct_is(r, peek(r), '}')) {
		if (punct_is(r, peek(r), '{') || peek(r)->kind == T_HEX)
			return 1; /* not YARA: nothing in a condition opens a brace */
		r->at++;
	}
	if (peek(r)->kind == T_EOF || r->at == rule.cond)
		return 1;
	rule.cond_end = r->at;
	rule.end = peek(r)->off + 1;
	r->at++;
	if (rq_grow((void **)&r->rules, &r->rule_cap, r->rule_count + 1, sizeof(*r->rules)))
		return -1;
	r->has_global |= rule.is_global;
	r->rules[r->rule_count++] = rule;
	return 0;
}

/* The whole file: imports and rules. Returns 0, 1 (unexpected) or -1 (ENOMEM). */
static int read_file(reader *r)
{
	int rc = 0;
	while (!rc && peek(r)->kind != T_EOF) {
		if (tok_is(r, peek(r), T_IDENT, "import")) {
			const tok *m = &r->lx.toks[r->at + 1];
			int known = 0;
			for (size_t i = 0; m->kind == T_TEXT && modules[i] && !known; i++)
				known = m->len == strlen(modules[i]) + 2 &&
					!memcmp(r->lx.s + m->off + 1, modules[i], m->len - 2);
			if (!known)
				return 1;
			r->at += 2;
			continue;
		}
		rc = read_rule(r); /* `include` and anything else end here as unexpected */
	}
	return rc;
}

/* Rule names sorted, for duplicates and references. */
typedef struct name_ix {
	const char *p;
	size_t len, rule;
} name_ix;

static int cmp_bytes(const char *a, size_t alen, const char *b, size_t blen)
{
	int c = memcmp(a, b, alen < blen ? alen : blen);
	return c ? c : (alen > blen) - (alen < blen);
}

static int cmp_name(const void *x, const void *y)
{
	const name_ix *a = x, *b = y;
	return cmp_bytes(a->p, a->len, b->p, b->len);
}

/* First index whose name is >= (p, len). */
static size_t lower_bound(const name_ix *ix, size_t n, const char *p, size_t len)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (cmp_bytes(ix[mid].p, ix[mid].len, p, len) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * Check that rule names are unique (libyara: "duplicated identifier") and
 * mark the rules whose names appear in other rules' conditions. Returns 0,
 * 1 (a duplicate) or -1 (out of memory).
 */
static int find_references(reader *r)
{
	int rc = 0;
	size_t n = r->rule_count;
	name_ix *ix = n ? malloc(n * sizeof(*ix)) : NULL;
	if (n && !ix)
		return -1;
	for (size_t i = 0; i < n; i++) {
		const tok *t = &r->lx.toks[r->rules[i].name];
		ix[i] = (name_ix){ r->lx.s + t->off, t->len, i };
	}
	if (n)
		qsort(ix, n, sizeof(*ix), cmp_name);
	for (size_t i = 1; i < n && !rc; i++)
		if (!cmp_name(&ix[i - 1], &ix[i]))
			rc = 1;
	for (size_t i = 0; i < n && !rc; i++) {
		const yrule *user = &r->rules[i];
		for (size_t t = user->cond; t < user->cond_end; t++) {
			const tok *ref = &r->lx.toks[t];
			if (ref->kind != T_IDENT)
				continue;
			/* `Prefix*` names a set of rules in newer YARA versions */
			int prefix = t + 1 < user->cond_end && punct_is(r, &r->lx.toks[t + 1], '*') &&
				     r->lx.toks[t + 1].off == ref->off + ref->len;
			const char *p = r->lx.s + ref->off;
			for (size_t k = lower_bound(ix, n, p, ref->len); k < n; k++) {
				if (ix[k].len < ref->len || memcmp(ix[k].p, p, ref->len) ||
				    (!prefix && ix[k].len != ref->len))
					break;
				if (ix[k].rule != i)
					r->rules[ix[k].rule].referenced = 1;
			}
		}
	}
	free(ix);
	return rc;
}

/* --- which rules are native --- */

/*
 * Whether tokens [from, to) are string names separated by `sep_ident` (or
 * the punctuation `sep_punct`) naming every string of the rule exactly
 * once: `$a or $b or ...`, or the inside of `any of ($a, $b)`.
 */
static int covers_all(const reader *r, const yrule *rule, size_t from, size_t to,
		      const char *sep_ident, char sep_punct)
{
	size_t named = 0;
	uint8_t seen[RQ_YARA_NATIVE_MAX_STRINGS] = { 0 };
	if (rule->string_count > RQ_YARA_NATIVE_MAX_STRINGS)
		return 0;
	for (size_t t = from; t < to; t++) {
		const tok *x = &r->lx.toks[t];
		if ((t - from) % 2) {
			if (sep_ident ? !tok_is(r, x, T_IDENT, sep_ident) : !punct_is(r, x, sep_punct))
				return 0;
			continue;
		}
		if (x->kind != T_STRID || x->len < 2 || r->lx.s[x->off + x->len - 1] == '*')
			return 0;
		size_t k = 0;
		while (k < rule->string_count &&
		       !tok_eq(r, &r->lx.toks[r->strings[rule->first_string + k].tok], x))
			k++;
		if (k == rule->string_count || seen[k])
			return 0;
		seen[k] = 1;
		named++;
	}
	return to > from && (to - from) % 2 == 1 && named == rule->string_count;
}

/* Whether the condition is one that means "any string of the rule matches". */
static int simple_condition(const reader *r, const yrule *rule)
{
	const tok *c = &r->lx.toks[rule->cond];
	size_t n = rule->cond_end - rule->cond;
	/* `$a or $b or ...` (`$a` alone included) */
	if (c[0].kind == T_STRID)
		return covers_all(r, rule, rule->cond, rule->cond_end, "or", 0);
	/* `any of ...`, `1 of ...`, `all of them` with one string */
	int any = tok_is(r, &c[0], T_IDENT, "any") || tok_is(r, &c[0], T_NUMBER, "1");
	int all = tok_is(r, &c[0], T_IDENT, "all") && rule->string_count == 1;
	if (n < 3 || !(any || all) || !tok_is(r, &c[1], T_IDENT, "of"))
		return 0;
	if (n == 3)
		return tok_is(r, &c[2], T_IDENT, "them");
	if (!punct_is(r, &c[2], '(') || !punct_is(r, &c[n - 1], ')'))
		return 0;
	if (n == 5 && tok_is(r, &c[3], T_STRID, "$*"))
		return 1;
	return covers_all(r, rule, rule->cond + 3, rule->cond_end - 1, NULL, ',');
}

static int is_candidate(const reader *r, const yrule *rule)
{
	if (rule->is_private || rule->is_global || r->has_global || rule->referenced ||
	    !rule->has_strings || !rule->string_count)
		return 0;
	for (size_t i = 0; i < rule->string_count; i++) {
		const ystring *ys = &r->strings[rule->first_string + i];
		tkind kind = r->lx.toks[ys->value].kind;
		if (kind == T_REGEX || (ys->mods & MOD_OTHER) || (kind == T_HEX && ys->mods))
			return 0;
	}
	return simple_condition(r, rule);
}

/* --- conversion --- */

/* Whether the body matcher takes `prog` as is (lib/match/bodymatch.c's limit). */
static int matcher_takes(const rq_hexprog *prog)
{
	for (size_t s = 1; s < prog->seg_count; s++) {
		const rq_hexseg *seg = &prog->segs[s];
		if (seg->gap_max != RQ_HEX_GAP_INF &&
		    (uint64_t)seg->gap_min + seg->max_width + 1 > RQ_MAX_GAP_WINDOW)
			return 0;
	}
	return 1;
}

/*
 * The ClamAV patterns of one string (one, or two for `ascii wide`) into
 * pats[]; returns RQ_YN_* or RQ_ENOMEM.
 */
static int string_patterns(const reader *r, const ystring *ys, char *pats[2], size_t *count)
{
	const tok *v = &r->lx.toks[ys->value];
	const char *body = r->lx.s + v->off + 1;
	size_t len = v->len - 2;
	int rc;
	*count = 0;
	if (v->kind == T_HEX) {
		if ((rc = rq_yara_native_hex(body, len, &pats[0])))
			return rc;
		*count = 1;
		return 0;
	}
	if (!(ys->mods & MOD_WIDE) || (ys->mods & MOD_ASCII)) {
		if ((rc = rq_yara_native_text(body, len, 0, &pats[*count])))
			return rc;
		(*count)++;
	}
	if (ys->mods & MOD_WIDE) {
		if ((rc = rq_yara_native_text(body, len, 1, &pats[*count])))
			return rc;
		(*count)++;
	}
	return 0;
}

/*
 * Translate and compile every string of a candidate rule into *progs
 * (*prog_count programs, freed by the caller whatever the result).
 * RQ_YN_UNSUPPORTED when any is refused (the rule then stays with libyara),
 * RQ_YN_INVALID when libyara would refuse one, or RQ_ENOMEM.
 */
static int build_rule(const reader *r, const yrule *rule, rq_hexprog ***progs, size_t *prog_count)
{
	int rc = 0;
	size_t cap = 0;
	*progs = NULL;
	*prog_count = 0;
	for (size_t i = 0; i < rule->string_count && !rc; i++) {
		char *pats[2] = { NULL, NULL };
		size_t n = 0;
		rc = string_patterns(r, &r->strings[rule->first_string + i], pats, &n);
		for (size_t k = 0; k < n && !rc; k++) {
			rq_hexprog *prog = NULL;
			int prc = rq_hexprog_parse(&prog, pats[k], strlen(pats[k]));
			if (prc == RQ_ENOMEM)
				rc = prc;
			else if (prc || !matcher_takes(prog))
				rc = RQ_YN_UNSUPPORTED;
			else if (!(rc = rq_grow((void **)progs, &cap, *prog_count + 1, sizeof(**progs)))) {
				(*progs)[(*prog_count)++] = prog;
				prog = NULL;
			}
			rq_hexprog_free(prog);
		}
		free(pats[0]);
		free(pats[1]);
	}
	return rc;
}

static void free_progs(rq_hexprog **progs, size_t count)
{
	for (size_t i = 0; i < count; i++)
		rq_hexprog_free(progs[i]);
	free(progs);
}

/* Add the programs of a rule as body signatures (owning them from here). */
static int add_rule(rq_sigset *set, const reader *r, const yrule *rule, const char *source,
		    rq_hexprog **progs, size_t count)
{
	int rc = 0;
	const tok *name = &r->lx.toks[rule->name];
	const char *pooled = rq_sigset_str(set, r->lx.s + name->off, name->len);
	if (!pooled)
		rc = rq_fail(RQ_ENOMEM, "%s:%u: out of memory", source, rule->line);
	for (size_t i = 0; i < count; i++) {
		rq_bodysig *sig = rc ? NULL : calloc(1, sizeof(*sig));
		if (!sig) {
			if (!rc)
				rc = rq_fail(RQ_ENOMEM, "%s:%u: out of memory", source, rule->line);
			rq_hexprog_free(progs[i]);
			continue;
		}
		sig->name = pooled;
		sig->source = source;
		sig->line = rule->line;
		sig->target = RQ_TARGET_ANY;
		sig->offset = (rq_offset){ RQ_OFFSET_ANY, 0, 0 };
		sig->prog = progs[i];
		sig->from_yara = 1;
		sig->yara_string = (uint32_t)i;
		rc = rq_sigset_add_body(set, sig); /* owns sig, even on error */
	}
	free(progs);
	return rc;
}

/* Spaces over the rule's bytes, newlines kept: libyara's lines stay right. */
static void blank(char *text, size_t start, size_t end)
{
	for (size_t i = start; i < end; i++)
		if (text[i] != '\n')
			text[i] = ' ';
}

int rq_yara_native_convert(rq_sigset *set, const char *name, char *text, size_t len,
			   size_t *rules, size_t *converted)
{
	int rc = 0;
	reader r;
	memset(&r, 0, sizeof(r));
	r.lx = (lexer){ text, len, 0, 1, NULL, 0, 0 };
	rq_hexprog ***rule_progs = NULL;
	size_t *rule_prog_count = NULL;
	const char *source = NULL;
	*rules = *converted = 0;

	int lr = lex(&r.lx);
	if (lr == 1 || (lr == 0 && (lr = read_file(&r)) == 1))
		goto done; /* unexpected: libyara sees the file as it is */
	if (lr) {
		rc = rq_fail(RQ_ENOMEM, "%s: out of memory", name);
		goto done;
	}
	if ((lr = find_references(&r)) == 1)
		goto done;
	if (lr) {
		rc = rq_fail(RQ_ENOMEM, "%s: out of memory", name);
		goto done;
	}
	*rules = r.rule_count;
	if (!r.rule_count)
		goto done;
	if (!(rule_progs = calloc(r.rule_count, sizeof(*rule_progs))) ||
	    !(rule_prog_count = calloc(r.rule_count, sizeof(*rule_prog_count)))) {
		rc = rq_fail(RQ_ENOMEM, "%s: out of memory", name);
		goto done;
	}
	/* First translate every candidate: one string libyara would refuse
	 * means nothing in the file is converted. */
	for (size_t i = 0; i < r.rule_count; i++) {
		if (!is_candidate(&r, &r.rules[i]))
			continue;
		int br = build_rule(&r, &r.rules[i], &rule_progs[i], &rule_prog_count[i]);
		if (br == RQ_ENOMEM) {
			rc = br;
			goto done;
		}
		if (br == RQ_YN_INVALID)
			goto done;
		if (br) {
			free_progs(rule_progs[i], rule_prog_count[i]);
			rule_progs[i] = NULL;
			rule_prog_count[i] = 0;
		}
	}
	if (!(source = rq_sigset_str(set, name, strlen(name)))) {
		rc = rq_fail(RQ_ENOMEM, "%s: out of memory", name);
		goto done;
	}
	for (size_t i = 0; i < r.rule_count && !rc; i++) {
		if (!rule_prog_count[i])
			continue;
		rc = add_rule(set, &r, &r.rules[i], source, rule_progs[i], rule_prog_count[i]);
		rule_progs[i] = NULL;
		rule_prog_count[i] = 0;
		blank(text, r.rules[i].start, r.rules[i].end);
		(*converted)++;
	}
done:
	if (rule_progs)
		for (size_t i = 0; i < r.rule_count; i++)
			free_progs(rule_progs[i], rule_prog_count ? rule_prog_count[i] : 0);
	free(rule_progs);
	free(rule_prog_count);
	free(r.lx.toks);
	free(r.rules);
	free(r.strings);
	return rc;
}
