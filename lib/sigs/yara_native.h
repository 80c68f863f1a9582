/*
 * Evaluating simple YARA rules with the native body matcher: a conservative
 * reader of YARA source finds the rules made only of plain hex or text
 * strings under a condition such as `$a` or `any of them`, turns each of
 * their strings into a ClamAV-syntax body signature and blanks those rules
 * in the text libyara will compile. Design: docs/internals/yara-native.md.
 */
#ifndef RQ_SIGS_YARA_NATIVE_H
#define RQ_SIGS_YARA_NATIVE_H

#include <stddef.h>

#include "sigs/sigset.h"

/*
 * Convert the simple rules of the YARA source `text` (`len` bytes followed
 * by a NUL, byte-order mark already removed). Each string of a converted
 * rule becomes one body signature in `set` (name: the rule's identifier,
 * source: `name`, line: the line of its `rule` keyword), and the rule's
 * bytes in `text` are overwritten with spaces (newlines kept, so libyara's
 * line numbers for the other rules do not move).
 *
 * When the file holds anything this reader does not fully understand
 * (including every error libyara would report in a rule it would convert),
 * nothing is converted and `text` is left as it was: libyara then reports
 * what it finds, as without native evaluation.
 *
 * *rules is set to the number of rules found (0 when the file was not
 * understood), *converted to the number converted (0..*rules). Returns 0,
 * or RQ_ENOMEM (signatures of rules converted before the failure stay in
 * `set`).
 */
int rq_yara_native_convert(rq_sigset *set, const char *name, char *text, size_t len,
			   size_t *rules, size_t *converted);

/* Outcome of translating one YARA string into a ClamAV hex pattern. */
enum {
	RQ_YN_OK = 0,
	RQ_YN_UNSUPPORTED = 1, /* valid YARA, but not expressible exactly: libyara keeps the rule */
	RQ_YN_INVALID = 2,     /* libyara would refuse it: nothing in the file is converted */
};

/*
 * Translate the body of a YARA hex string (the text between `{` and `}`,
 * comments allowed) into ClamAV hex syntax. On RQ_YN_OK, *out is a
 * malloc'd NUL-terminated pattern the caller frees. Returns RQ_YN_* or
 * RQ_ENOMEM (negative).
 */
int rq_yara_native_hex(const char *body, size_t len, char **out);

/*
 * Translate the inside of a YARA text string (between the quotes, escapes
 * not yet decoded) into a ClamAV hex pattern of its bytes, each followed by
 * 00 when `wide`. Returns RQ_YN_* or RQ_ENOMEM; *out as above.
 */
int rq_yara_native_text(const char *body, size_t len, int wide, char **out);

#endif
