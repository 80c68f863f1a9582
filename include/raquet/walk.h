/*
 * Scanning files and whole trees with a pool of worker threads: a walker
 * opens each regular file (never following symlinks unless asked, never
 * blocking on FIFOs or devices) and hands it to the next free scanner.
 */
#ifndef RAQUET_WALK_H
#define RAQUET_WALK_H

#include <stdint.h>

#include "scanner.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct rq_walk_options {
	unsigned threads;          /* workers; 0 = one per online CPU */
	int recursive;             /* descend into folders given as paths */
	int follow_dir_symlinks;   /* follow symlinks to folders met inside trees */
	int follow_file_symlinks;  /* follow symlinks to files met inside trees */
	int one_file_system;       /* stay on the file system of each starting path */
	const char *const *exclude; /* fnmatch globs on the full path; NULL-terminated or NULL */
	const char *const *include; /* if set, only files whose path matches one glob */
	const char *const *exclude_dir; /* folders skipped (glob on full path) */
	/* Path arguments that are symlinks are followed unless these are set
	 * (clamscan's --follow-*-symlinks=0). */
	int nofollow_arg_dir_symlinks;
	int nofollow_arg_file_symlinks;
} rq_walk_options;

void rq_walk_options_default(rq_walk_options *out);

/* Counters, updated while the walk runs (read with rq_walk_progress). */
typedef struct rq_walk_stats {
	uint64_t files_found;     /* regular files queued for scanning */
	uint64_t files_scanned;   /* results delivered */
	uint64_t dirs;            /* folders entered */
	uint64_t bytes_found;     /* sizes of the files queued */
	uint64_t bytes_scanned;   /* sizes of the files scanned */
	uint64_t bytes_read;      /* bytes fed to matchers (members included) */
	uint64_t infected;
	uint64_t errors;          /* files or folders that could not be read */
	uint64_t skipped;         /* non-regular files, excluded paths */
	int walk_done;            /* the walker has queued every file */
} rq_walk_stats;

/*
 * Called for paths that cannot be scanned at all (unreadable folder, a path
 * that does not exist): `path`, the RQ_E* code and a one-line message.
 * Called from the walker thread, serialised with the result callback.
 */
typedef void (*rq_walk_error_cb)(const char *path, int error, const char *message, void *payload);

/*
 * Scan `paths` (count `n`) with `engine`. Results arrive through `cb`,
 * one call at a time (calls are serialised by the library, from worker
 * threads). If `stats` is not NULL the library keeps its counters current
 * while the walk runs; another thread reads them with rq_walk_stats_read.
 * Blocks until done; returns 0, RQ_ESTOPPED if a callback asked to stop,
 * or an error that prevented the walk from starting.
 */
int rq_scan_paths(const rq_engine *engine, const char *const *paths, size_t n,
		  const rq_scan_options *scan_opts, const rq_walk_options *walk_opts,
		  rq_result_cb cb, rq_walk_error_cb on_error, void *payload,
		  rq_walk_stats *stats);

/* A consistent-enough copy of live counters, safe while the walk runs. */
void rq_walk_stats_read(const rq_walk_stats *live, rq_walk_stats *out);

#ifdef __cplusplus
}
#endif

#endif
