/*
 * The inside of rq_engine, shared by engine.c (load, compile) and
 * scanner.c (which reads the compiled matchers). Nothing else includes it.
 */
#ifndef RQ_SCAN_ENGINE_IMPL_H
#define RQ_SCAN_ENGINE_IMPL_H

#include "db/rqdb.h"
#include "match/pack.h"
#include "raquet/engine.h"
#include "sigs/sigset.h"

struct rq_engine {
	rq_sigset set;          /* text sources: owns names, body signatures, YARA inputs */
	rq_engine_options opts;
	int no_builtin;
	int compiled;
	rq_keyring *keys;       /* trusted keys, read at the first .rqdb */
	rq_rqdb **dbs;          /* mapped databases, one per name (highest version) */
	size_t db_count, db_cap;
	rq_sigset *db_sets;     /* db_count sets owning each database's body signatures */
	rq_pack *packs;         /* [0]: text sources; then one per database */
	size_t pack_count;
	rq_engine_stats stats;
};

/* Whether any pack's ignore list (.ign/.ign2) names `name`. */
int rq_engine_ignores(const rq_engine *engine, const char *name);

#endif
