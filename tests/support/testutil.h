/*
 * Helpers for the cmocka unit tests: temporary folders and files, and
 * building an engine from signature text in one call.
 */
#ifndef RQ_TESTUTIL_H
#define RQ_TESTUTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "raquet/raquet.h"

/* A new empty folder under $TMPDIR (or /tmp); free the string with free(). */
char *rq_test_tmpdir(void);
/* Remove a folder tree made by a test (best effort). */
void rq_test_rmtree(const char *path);
/* Write `len` bytes to dir/name (creating it); returns the malloc'd full path. */
char *rq_test_write(const char *dir, const char *name, const void *data, size_t len);

/*
 * Compile an engine from signature text: pairs of (extension, text),
 * terminated by NULL, e.g. rq_test_engine(0, "ndb", "X:0:*:4142", NULL).
 * Fails the test if loading or compiling fails. `no_builtin` drops EICAR.
 */
rq_engine *rq_test_engine(int no_builtin, ...);

/* Scan `len` bytes; returns the detection names joined by "," ("" if clean), malloc'd. */
char *rq_test_scan_buffer(const rq_engine *engine, const void *data, size_t len, int all_matches);

/*
 * Warnings collected from a signature set under test (the first 64 kept),
 * and an rq_sigset initialised to report into it. `stop_after` (0: never)
 * makes the callback ask the loader to stop at that warning.
 */
typedef struct rq_test_warnings {
	unsigned lines[64];
	char msgs[64][512]; /* "file:line: message" */
	size_t count;
	size_t stop_after;
} rq_test_warnings;

struct rq_sigset;
void rq_test_sigset_init(struct rq_sigset *set, rq_test_warnings *w, int strict);

/* The EICAR test string (68 bytes). */
extern const char rq_test_eicar[];

#endif
