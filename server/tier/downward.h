/*
 * The downward path of a downstream server (docs/tier.md): its upstream's
 * published signature databases, taken like a secondary mirror. The
 * upstream's mirror (URL/mirror) is synced into [upstream] databases_dir
 * by the agents' own updater (lib/db/update.h: the signed index and every
 * file verified against the upstream's keys, [upstream] keys, before it is
 * kept), then each database newer than this server's mirror lists is
 * published into [mirror] dir (lib/db/mirror.h: verified again, the index
 * re-signed with [intel] signing_key), so this server's agents get it from
 * here. The database this server compiles itself ([intel] database, the
 * province's daily intelligence) is never replaced by the upstream's.
 */
#ifndef RQ_SERVER_TIER_DOWNWARD_H
#define RQ_SERVER_TIER_DOWNWARD_H

#include "config/config.h"

/*
 * One sync. *out_published (may be NULL) gets the number of databases
 * published into this server's mirror. 0 when the sync ran (a database
 * refused is logged and left out: RQ_EVERIFY is returned after the others
 * were published); negative when nothing could be synced. Does nothing
 * without [upstream] keys.
 */
int rq_tier_sync_databases(const rq_srv_config *cfg, int *out_published);

#endif
