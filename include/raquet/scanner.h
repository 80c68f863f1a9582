/*
 * Scanning one file or buffer against a compiled engine. A scanner holds the
 * per-thread scratch space (matcher state, read buffers, YARA scanner); use
 * one scanner per thread, any number of them on one engine.
 * Tree walking with a thread pool is in walk.h.
 */
#ifndef RAQUET_SCANNER_H
#define RAQUET_SCANNER_H

#include <stddef.h>
#include <stdint.h>

#include "engine.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct rq_scanner rq_scanner;

/* Limits on what one scan may read and unpack; 0 means "no limit". */
typedef struct rq_scan_limits {
	uint64_t max_filesize;   /* larger files/members are not scanned */
	uint64_t max_scansize;   /* total bytes scanned for one file, members included */
	unsigned max_recursion;  /* archive nesting depth */
	unsigned max_files;      /* members scanned per file, all levels */
	unsigned max_ratio;      /* member size / compressed size above this is a bomb */
} rq_scan_limits;

/* Fill `out` with the defaults (see lib/core/limits.h for the values). */
void rq_scan_limits_default(rq_scan_limits *out);

typedef struct rq_scan_options {
	rq_scan_limits limits;
	int all_matches;     /* report every signature that matches, not only the first */
	int want_sha256;     /* always compute the SHA-256 of each top-level file */
	int scan_archives;   /* look inside archives (default on via rq_scan_options_default) */
} rq_scan_options;

void rq_scan_options_default(rq_scan_options *out);

typedef enum rq_finding_kind {
	RQ_FINDING_DETECTION = 0, /* a signature matched */
	RQ_FINDING_LIMIT,         /* part of the file was not scanned: a limit was hit */
	RQ_FINDING_ENCRYPTED,     /* an encrypted member could not be scanned */
} rq_finding_kind;

typedef struct rq_finding {
	rq_finding_kind kind;
	const char *name;     /* signature name, or "Heuristics.Limits.Exceeded.MaxFileSize"-style */
	rq_sig_type sig_type; /* RQ_SIG_HEURISTIC for limits and encryption */
	const char *source;   /* signature file it came from, "builtin"; NULL for heuristics */
	const char *member;   /* NULL for the file itself, else the path inside it:
				 "dir/a.zip//x.exe" (members of nested archives joined by "//") */
} rq_finding;

typedef struct rq_result {
	const char *path;       /* as given to the scan */
	uint64_t size;          /* bytes of the file itself */
	uint64_t bytes_scanned; /* bytes fed to matchers, archive members included */
	const char *sha256;     /* lower-case hex, or NULL when not computed */
	const char *file_type;  /* "pe", "elf", "macho", "text", "zip", ... or "data" */
	int infected;           /* at least one RQ_FINDING_DETECTION */
	const rq_finding *findings;
	size_t finding_count;
	int error;              /* 0, or the RQ_E* code that stopped the scan of this file */
	const char *error_message; /* NULL when error == 0 */
	int fd;                 /* the descriptor given to rq_scanner_scan_fd, still open
				   during the callback (so an action -- quarantine, removal --
				   can work on exactly the file that was scanned); -1 for
				   buffers. The callback must not close it. */
} rq_result;

/*
 * Result callback. Everything `result` points to is owned by the scanner and
 * valid only during the call. Return 0 to go on; any other value stops the
 * current walk (rq_scan_paths) as soon as possible.
 */
typedef int (*rq_result_cb)(const rq_result *result, void *payload);

/* Create a scanner for `engine` (which must be compiled). Free with rq_scanner_free. */
int rq_scanner_new(rq_scanner **out, const rq_engine *engine, const rq_scan_options *opts);
void rq_scanner_free(rq_scanner *scanner);

/*
 * Scan the open file `fd` (read from its current offset to its end; it is
 * not closed). `path` names it in results and sets YARA's filename/filepath.
 * Calls `cb` exactly once with the result unless a hard error happens before
 * anything was read, in which case the error is returned and `cb` is still
 * called with result->error set. Returns 0, or the RQ_E* error.
 */
int rq_scanner_scan_fd(rq_scanner *scanner, int fd, const char *path,
		       rq_result_cb cb, void *payload);

/* Same for a buffer in memory. */
int rq_scanner_scan_buffer(rq_scanner *scanner, const void *data, size_t len,
			   const char *path, rq_result_cb cb, void *payload);

#ifdef __cplusplus
}
#endif

#endif
