/*
 * A pack: one group of compiled matchers -- hash indexes, body matcher,
 * YARA rules -- with the signature set that owns their signatures' names.
 * The engine holds one pack for the text sources it compiled itself and
 * one per .rqdb file it mapped; a scanner runs every pack on each file.
 */
#ifndef RQ_MATCH_PACK_H
#define RQ_MATCH_PACK_H

#include "match/bodymatch.h"
#include "match/hashidx.h"
#include "match/netidx.h"
#include "match/yara_rules.h"
#include "sigs/sigset.h"

struct rq_rqdb;

typedef struct rq_pack {
	rq_sigset *set;         /* names, body signatures, ignore list */
	rq_hashidx *hashes;     /* detections: .hdb/.hsb/IOC/builtin */
	rq_hashidx *allow;      /* .fp/.sfp: a matching file is clean */
	rq_bodydb *bodies;      /* .ndb and native YARA */
	rq_yaradb *yara;        /* NULL when no libyara rules */
	rq_netidx *net;         /* addresses and domains of IOC lists */
	struct rq_rqdb *db;     /* the mapped file, NULL for text sources */
} rq_pack;

/* Free the matchers (not `set` itself nor `db`). */
void rq_pack_free_matchers(rq_pack *p);

#endif
