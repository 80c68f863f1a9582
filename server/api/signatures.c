/*
 * Admin API handler of the signature standing (signatures.h): the mirror's
 * newest databases (rq_mirror_latest, cached by the mirror code) compared
 * with what the endpoints of the caller's subtree report, through
 * rq_store_signature_standing -- range counts, one pair per database.
 */
#include "api/signatures.h"

#include <stdlib.h>
#include <string.h>

#include "api/admin.h"
#include "api/endpoints.h"
#include "api/mirror_latest.h"
#include "store/signatures.h"

static int by_name(const void *a, const void *b)
{
	return strcmp(((const rq_fleet_db *)a)->name, ((const rq_fleet_db *)b)->name);
}

int rq_api_mirror_dbs(const rq_api_ctx *ctx, json_t **latest, rq_fleet_db out[RQ_FLEET_OUTDATED_MAX],
		      size_t *count)
{
	const char *name;
	json_t *db;
	*count = 0;
	if (!(*latest = rq_mirror_latest(ctx->mirror_dir)))
		return rq_fail(RQ_ENOMEM, "out of memory reading the mirror's index");
	json_object_foreach(*latest, name, db) {
		if (*count == RQ_FLEET_OUTDATED_MAX)
			return rq_fail(RQ_ELIMIT, "the mirror publishes more than %d databases", RQ_FLEET_OUTDATED_MAX);
		out[*count].name = name;
		out[*count].version = (int64_t)json_integer_value(json_object_get(db, "version"));
		(*count)++;
	}
	qsort(out, *count, sizeof(*out), by_name);
	return 0;
}

static int get_signatures(const rq_http_req *req, rq_http_resp *resp, void *arg)
{
	const rq_api_ctx *ctx = arg;
	rq_caller c;
	rq_fleet_db dbs[RQ_FLEET_OUTDATED_MAX];
	rq_db_standing st;
	size_t count = 0;
	int64_t root = 0, endpoints = 0;
	json_t *latest = NULL, *items = NULL;
	int rc;
	if (rq_admin_begin(arg, req, resp, &c) || rq_admin_list_root(&c, resp, &root))
		return 0;
	if ((rc = rq_api_mirror_dbs(ctx, &latest, dbs, &count)) < 0) {
		rq_api_store_error(resp, rc, "reading the mirror's databases");
		goto done;
	}
	if (!(items = json_array())) {
		rc = RQ_ENOMEM;
		goto failed;
	}
	if ((rc = rq_store_signature_endpoints(c.store, root, &endpoints)) < 0)
		goto failed;
	for (size_t i = 0; i < count; i++) {
		json_t *db = json_object_get(latest, dbs[i].name);
		if ((rc = rq_store_signature_standing(c.store, root, &dbs[i], endpoints, &st)) < 0)
			goto failed;
		if (rq_fleet_append(items, json_pack("{s:s, s:I, s:I, s:I, s:I, s:I}", "name", dbs[i].name, "version",
						     (json_int_t)dbs[i].version, "built",
						     json_integer_value(json_object_get(db, "built")), "current",
						     (json_int_t)st.current, "behind", (json_int_t)st.behind, "unknown",
						     (json_int_t)st.unknown)) < 0) {
			rc = RQ_ENOMEM;
			goto failed;
		}
	}
	rq_http_resp_json(resp, 200, json_pack("{s:o, s:I}", "databases", items, "endpoints", (json_int_t)endpoints));
	items = NULL;
	goto done;
failed:
	rq_api_store_error(resp, rc, "counting signature versions");
done:
	json_decref(items);
	json_decref(latest);
	return 0;
}

int rq_api_signatures_routes(rq_http_router *router, const rq_api_ctx *ctx)
{
	return rq_http_router_add(router, "GET", "/api/v1/signatures", get_signatures, (void *)ctx);
}
