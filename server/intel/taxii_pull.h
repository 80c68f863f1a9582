/*
 * Pulling indicators from TAXII 2.1 collections (docs/intel.md, "TAXII
 * sources"): each [taxii-pull NAME] section of the configuration is read
 * page by page from the added_after the store keeps for it, every page
 * imported through the STIX importer in one transaction together with its
 * X-TAXII-Date-Added-Last, so a crash or a hostile answer never half-
 * imports a page and the next pull resumes after the last page committed.
 * A background worker pulls each enabled source every `interval` (after a
 * failed pull sooner: 1, 2, 4 ... 64 minutes) and whenever the API asks for
 * it; `raquet-server intel pull` pulls at once.
 */
#ifndef RQ_SERVER_INTEL_TAXII_PULL_H
#define RQ_SERVER_INTEL_TAXII_PULL_H

#include <stddef.h>
#include <stdint.h>

#include "config/config.h"
#include "store/store.h"

/* What one pull did (also when it failed part-way: the pages before). */
typedef struct rq_taxii_pull_result {
	size_t pages;          /* imported */
	size_t objects;        /* STIX objects in them */
	size_t indicators;     /* indicators imported */
	size_t skipped;        /* indicator objects not imported (their reasons are in the audit log) */
	long http_status;      /* of the last request; 0: none answered */
} rq_taxii_pull_result;

/* Seconds a pull whose process vanished still holds its claim, beyond the
 * source's `timeout`: a page's import is well under this. */
#define RQ_TAXII_PULL_LEASE_SLACK 10

/*
 * Pull source `src` once now (whether due or not, enabled or not: the
 * caller decides), with `default_max_age` the [intel] max_age. `stop`
 * (may be NULL) is asked between pages. 0 when the collection was read to
 * its end; 1 when another server or command is pulling this source
 * (nothing done); a negative code when a request, an answer or an import
 * failed -- RQ_EIO (network, timeout, HTTP status), RQ_EPARSE (not a TAXII
 * envelope, malformed objects), RQ_ELIMIT (a page over
 * RQ_INTEL_MAX_TAXII_PAGE) -- the pages before it stay imported. The
 * outcome and its error are recorded in the store (taxii_pull_state);
 * neither holds the token or password.
 */
int rq_taxii_pull_run(rq_store *s, const rq_taxii_pull_cfg *src, int64_t default_max_age, int (*stop)(void *payload),
		      void *payload, rq_taxii_pull_result *out);

typedef struct rq_taxii_puller rq_taxii_puller;

/* Seconds between two looks at the sources' schedules and requests. */
#define RQ_TAXII_PULL_TICK 1

/* Start the worker (*out NULL when the configuration has no [taxii-pull]
 * section). `cfg` must outlive it. */
int rq_taxii_puller_start(rq_taxii_puller **out, const rq_srv_config *cfg);
/* Stop and join it (a pull in progress stops after its current page); NULL is a no-op. */
void rq_taxii_puller_stop(rq_taxii_puller *p);

#endif
