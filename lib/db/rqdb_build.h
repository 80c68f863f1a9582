/*
 * Compiling signature sources into a .rqdb (`raquet db build`) and turning
 * an opened .rqdb back into a pack of matchers (the engine's load path).
 */
#ifndef RQ_DB_RQDB_BUILD_H
#define RQ_DB_RQDB_BUILD_H

#include <stddef.h>
#include <stdint.h>

#include "db/rqdb.h"
#include "match/pack.h"
#include "raquet/engine.h"

typedef struct rq_rqdb_build_opts {
	const char *name;          /* rq_rqdb_name_ok */
	uint64_t version;
	int64_t built;             /* Unix time; 0: now */
	const rq_signkey *key;     /* NULL: unsigned */
	const char *out_path;
	const rq_engine_options *load; /* strict, warning callback; may be NULL */
} rq_rqdb_build_opts;

/*
 * Load `paths` (files or folders, as `raquet scan -d`), apply the ignore
 * lists, compile the matchers for a baseline x86-64 CPU and write the
 * database. *info (may be NULL) gets what the header says.
 */
int rq_rqdb_build(const rq_rqdb_build_opts *o, const char *const *paths, size_t count,
		  rq_rqdb_info *info);

/*
 * Fill `pack` from `db` (borrowed; it must outlive the pack): the hash
 * indexes are used in place, body signatures read into `set` (initialised
 * here with `opts`), the body matcher deserialized (no compilation), the
 * YARA rules loaded. On error everything built is freed.
 */
int rq_rqdb_load_pack(rq_pack *pack, rq_sigset *set, const struct rq_rqdb *db,
		      const rq_engine_options *opts);

#endif
