/*
 * TAXII status resources (table taxii_status, migration 12): the status
 * JSON of each POST of objects to the TAXII collection, kept so that
 * GET /taxii2/{root}/status/{id}/ answers it afterwards.
 */
#ifndef RQ_SERVER_STORE_TAXII_STATUS_H
#define RQ_SERVER_STORE_TAXII_STATUS_H

#include <stdint.h>

#include "store/store.h"

/* Keep status `id` (a UUID) with its JSON text. */
int rq_store_taxii_status_put(rq_store *s, const char *id, int64_t created_at, const char *body);

/* The JSON text of status `id` into *out (free it); RQ_ENOTFOUND if none. */
int rq_store_taxii_status_get(rq_store *s, const char *id, char **out);

#endif
