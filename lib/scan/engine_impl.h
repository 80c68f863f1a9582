/*
 * The inside of rq_engine, shared by engine.c (load, compile) and
 * scanner.c (which reads the compiled matchers). Nothing else includes it.
 */
#ifndef RQ_SCAN_ENGINE_IMPL_H
#define RQ_SCAN_ENGINE_IMPL_H

#include "match/bodymatch.h"
#include "match/hashidx.h"
#include "match/yara_rules.h"
#include "raquet/engine.h"
#include "sigs/sigset.h"

struct rq_engine {
	rq_sigset set;          /* owns names, body signatures, YARA inputs */
	int no_builtin;
	int compiled;
	rq_hashidx *hashes;     /* detections: .hdb/.hsb/IOC/builtin */
	rq_hashidx *allow;      /* .fp/.sfp: a matching file is clean */
	rq_bodydb *bodies;      /* .ndb */
	rq_yaradb *yara;        /* NULL when no YARA rules */
	rq_engine_stats stats;
};

#endif
