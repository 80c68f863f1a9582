/*
 * Indicators become protection (docs/intel.md): the store's active
 * indicators compiled into one signature database (by default `daily`):
 * hashes and addresses as an IOC list, YARA rules one file each, allow-
 * listed hashes as .sfp entries; built and signed with the province key
 * ([intel] signing_key) and published into the server's mirror folder with
 * the same crash-safe publish as `raquet mirror publish`, one version up.
 * A background worker does it when indicators changed, at most once per
 * [intel] publish_interval.
 */
#ifndef RQ_SERVER_INTEL_PUBLISH_H
#define RQ_SERVER_INTEL_PUBLISH_H

#include <stddef.h>
#include <stdint.h>

#include "config/config.h"
#include "store/store.h"

/* What one compile wrote. */
typedef struct rq_intel_compiled {
	size_t hashes, addresses, yara, allowlisted;
} rq_intel_compiled;

/*
 * Write the indicators active at `now` as signature files into the
 * existing folder `dir`: intel.txt (hashes, addresses, domains), intel.sfp
 * (allow-listed hashes, any size), intel-yara-ID.yar (one per rule file).
 */
int rq_intel_compile(rq_store *s, int64_t now, const char *dir, rq_intel_compiled *out);

typedef struct rq_intel_publish_opts {
	const char *mirror_dir;   /* [mirror] dir */
	const char *key_path;     /* [intel] signing_key */
	const char *db_name;      /* [intel] database */
} rq_intel_publish_opts;

/*
 * Compile, build the database signed with the key, and publish it into the
 * mirror folder as version (listed version, or the last published, + 1);
 * record the outcome in the store (intel_state). *out_version (may be
 * NULL) gets the version published. A failure leaves the mirror as it was.
 */
int rq_intel_publish(rq_store *s, const rq_intel_publish_opts *o, int64_t now, uint64_t *out_version,
		     rq_intel_compiled *out_counts);

typedef struct rq_intel_publisher rq_intel_publisher;

/* Seconds between two looks at the change counter. */
#define RQ_INTEL_TICK 1

/* Start the worker (*out NULL when [intel] signing_key or [mirror] dir is
 * empty). `cfg` must outlive it. */
int rq_intel_publisher_start(rq_intel_publisher **out, const rq_srv_config *cfg);
/* Stop and join it (a publish in progress finishes); NULL is a no-op. */
void rq_intel_publisher_stop(rq_intel_publisher *p);

#endif
