/*
 * Running processes (Linux /proc): scan the executable and the executable
 * mappings of every process, each distinct image once, report the processes
 * that run a detected image, and stop them with a SIGKILL that is never sent
 * to a recycled pid. Overview and officer's guide: docs/remediation.md.
 */
#ifndef RAQUET_PROCS_H
#define RAQUET_PROCS_H

#include <stddef.h>
#include <stdint.h>

#include "scanner.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One detected image of a process: its executable or a file mapped executable. */
typedef struct rq_proc_hit {
	const char *path;   /* as the kernel names it, without " (deleted)" */
	int deleted;        /* the file was deleted (or replaced) on disk */
	int is_exe;         /* the process's executable, else a mapped library */
	const char *const *names; /* detection names (RQ_FINDING_DETECTION only) */
	size_t name_count;
} rq_proc_hit;

/* A process with at least one detected image. */
typedef struct rq_proc_report {
	int pid;
	uint64_t start_time;  /* /proc/PID/stat field 22: identifies the process */
	const char *comm;     /* /proc/PID/comm, "" if unreadable */
	const char *exe;      /* executable path without " (deleted)"; "" if unknown */
	int exe_deleted;
	const rq_proc_hit *hits;
	size_t hit_count;
} rq_proc_report;

/* Counters of one rq_procs_scan. */
typedef struct rq_procs_stats {
	uint64_t processes;   /* processes whose images were read */
	uint64_t unreadable;  /* processes skipped: no access, or gone while read */
	uint64_t images;      /* distinct images scanned */
	uint64_t image_errors;/* images that could not be opened or scanned */
	uint64_t bytes;       /* bytes of the images scanned */
} rq_procs_stats;

/*
 * Called for each process running a detected image. Everything `report`
 * points to is owned by rq_procs_scan and valid only during the call.
 * Return 0 to go on; any other value stops the scan (RQ_ESTOPPED).
 */
typedef int (*rq_proc_cb)(const rq_proc_report *report, void *payload);

/*
 * Scan the images of every process listed in /proc with `scanner`: /proc/PID/exe (readable even when the file was
 * deleted) and each regular file mapped executable in /proc/PID/maps
 * (through /proc/PID/map_files when possible). An image shared by many
 * processes, identified by device and inode, is scanned once. Processes
 * that cannot be read (other users' without root, kernel threads, exited)
 * are counted, not errors. `stats` may be NULL. Returns 0, RQ_ESTOPPED,
 * or an error (RQ_EIO if /proc cannot be listed, RQ_ENOMEM, RQ_ELIMIT).
 */
int rq_procs_scan(rq_scanner *scanner, rq_proc_cb cb, void *payload, rq_procs_stats *stats);

/* Read the start time (field 22 of /proc/PID/stat) of `pid`. RQ_ENOTFOUND
 * if there is no such process. */
int rq_proc_start_time(uint64_t *out, int pid);

/*
 * Send SIGKILL to `pid` only if it is still the process that started at
 * `start_time` (so a pid reused since the scan is never killed); never to
 * pid 1 or to the calling process (RQ_EINVAL). The process is pinned with a
 * pidfd before its identity is checked where the kernel has pidfd_open.
 * Returns 0, RQ_ENOTFOUND (exited, or a different process now has the pid),
 * RQ_EINVAL, or RQ_EIO (e.g. no permission), with rq_error_last() set.
 */
int rq_proc_kill(int pid, uint64_t start_time);

#ifdef __cplusplus
}
#endif

#endif
