/*
 * YARA rules through libyara: compiling the sources kept by the signature
 * set (each file in its own namespace, a bad file reported and skipped),
 * loading compiled .yarc files, and running the rules on a file or buffer
 * with the external variables public rule sets use (filename, filepath,
 * extension, filetype, owner) set per file.
 */
#ifndef RQ_MATCH_YARA_RULES_H
#define RQ_MATCH_YARA_RULES_H

#include <stddef.h>
#include <stdint.h>

#include "core/binbuf.h"
#include "sigs/sigset.h"

typedef struct rq_yaradb rq_yaradb;     /* compiled rules, shared by threads */
typedef struct rq_yarascan rq_yarascan; /* one per thread */

/*
 * Compile the YARA inputs of `set`. Sets *out to NULL (and returns 0) when
 * the set has no YARA inputs. Files that fail to compile are reported
 * through rq_sigset_warn ("file:line: message") and left out.
 */
int rq_yaradb_build(rq_yaradb **out, rq_sigset *set);
size_t rq_yaradb_rule_count(const rq_yaradb *db);

/* Call `cb` for each public rule: its identifier and the file it came from. */
void rq_yaradb_each(const rq_yaradb *db, void (*cb)(const char *rule, const char *source, void *payload),
		    void *payload);

/* Append the compiled rules (NULL db: none) in their saved form to `out`. */
int rq_yaradb_save(const rq_yaradb *db, rq_binbuf *out);
/* Rules from their saved form; *out NULL when it holds none. RQ_EPARSE if malformed. */
int rq_yaradb_load(rq_yaradb **out, const uint8_t *data, size_t len);
void rq_yaradb_free(rq_yaradb *db);

int rq_yarascan_new(rq_yarascan **out, const rq_yaradb *db);
void rq_yarascan_free(rq_yarascan *scan);

/* Per-file facts given to the rules as external variables. */
typedef struct rq_yara_file {
	const char *path;     /* filepath; filename and extension derive from it */
	const char *filetype; /* rq_filetype_name() in upper case, e.g. "PE", "ELF" */
	const char *owner;    /* user name owning the file, "" if unknown */
} rq_yara_file;

/*
 * Called for each matching rule; `rule` is "namespace-free" rule name,
 * `source` the file it came from. Return 0 to go on, 1 to stop scanning.
 */
typedef int (*rq_yara_match_cb)(const char *rule, const char *source, void *payload);

/* Run all rules on a buffer / on an open file (mapped by libyara). */
int rq_yarascan_buffer(rq_yarascan *scan, const uint8_t *data, size_t len,
		       const rq_yara_file *file, rq_yara_match_cb cb, void *payload);
int rq_yarascan_fd(rq_yarascan *scan, int fd, const rq_yara_file *file,
		   rq_yara_match_cb cb, void *payload);

#endif
