/*
 * Freeing a pack's matchers (pack.h).
 */
#include "match/pack.h"

void rq_pack_free_matchers(rq_pack *p)
{
	rq_netidx_free(p->net);
	p->net = NULL;
	rq_yaradb_free(p->yara);
	rq_bodydb_free(p->bodies);
	rq_hashidx_free(p->allow);
	rq_hashidx_free(p->hashes);
	p->yara = NULL;
	p->bodies = NULL;
	p->allow = p->hashes = NULL;
}
