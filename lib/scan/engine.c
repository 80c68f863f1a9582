/*
 * The engine's life cycle: loading signature sources into the signature set,
 * then compiling them (ignore lists applied, built-in signatures added) into
 * the hash indexes, the body matcher and the YARA rules that every scanner
 * shares read-only. Overview: docs/architecture.md.
 */
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "db/rqdb_build.h"
#include "scan/engine_impl.h"
#include "sigs/hexsig.h"
#include "sigs/loader.h"

#ifndef RQ_VERSION
#define RQ_VERSION "0.0.0"
#endif

const char *rq_version(void) { return RQ_VERSION; }

const char *rq_sig_type_name(rq_sig_type type)
{
	static const char *const names[RQ_SIG_TYPE_COUNT] = {
		[RQ_SIG_MD5] = "md5",   [RQ_SIG_SHA1] = "sha1",       [RQ_SIG_SHA256] = "sha256",
		[RQ_SIG_BODY] = "body", [RQ_SIG_YARA] = "yara",       [RQ_SIG_IOC] = "ioc",
		[RQ_SIG_BUILTIN] = "builtin", [RQ_SIG_HEURISTIC] = "heuristic",
	};
	return (unsigned)type < RQ_SIG_TYPE_COUNT ? names[type] : "unknown";
}

/*
 * A .rqdb met while loading: verify and map it now (a refused database
 * fails the load, like a malformed file in strict mode would); of two with
 * the same name keep the higher version.
 */
static int on_rqdb(const char *path, int named, void *payload)
{
	rq_engine *e = payload;
	int rc = 0;
	rq_rqdb *db = NULL;
	if (!e->keys) {
		if ((rc = rq_keyring_new(&e->keys)) ||
		    (rc = rq_keyring_add_dir(e->keys, e->opts.trusted_keys ? e->opts.trusted_keys
									 : rq_keyring_default_dir())))
			return rc;
	}
	if ((rc = rq_rqdb_open_async(&db, path, e->keys, named && e->opts.allow_unsigned)))
		return rc;
	e->set.stats.files++;
	const rq_rqdb_info *in = rq_rqdb_get_info(db);
	for (size_t i = 0; i < e->db_count; i++) {
		const rq_rqdb_info *old = rq_rqdb_get_info(e->dbs[i]);
		if (strcmp(old->name, in->name))
			continue;
		if (in->version > old->version) {
			rq_rqdb_close(e->dbs[i]);
			e->dbs[i] = db;
		} else {
			rq_rqdb_close(db);
		}
		return 0;
	}
	if ((rc = rq_grow((void **)&e->dbs, &e->db_cap, e->db_count + 1, sizeof(*e->dbs)))) {
		rq_rqdb_close(db);
		return rc;
	}
	e->dbs[e->db_count++] = db;
	return 0;
}

static int found_address(const rq_engine *e, const rq_netioc *ioc, rq_address_match *m)
{
	if (!ioc || rq_engine_ignores(e, ioc->name))
		return 0;
	if (m)
		*m = (rq_address_match){ ioc->name, ioc->source };
	return 1;
}

int rq_engine_match_ip(const rq_engine *engine, const uint8_t addr[16], rq_address_match *m)
{
	for (size_t i = 0; engine && engine->compiled && i < engine->pack_count; i++)
		if (found_address(engine, rq_netidx_find_ip(engine->packs[i].net, addr), m))
			return 1;
	return 0;
}

int rq_engine_match_address(const rq_engine *engine, const char *address, rq_address_match *m)
{
	uint8_t a[16];
	if (!address)
		return 0;
	if (rq_netidx_parse_ip(address, a))
		return rq_engine_match_ip(engine, a, m);
	for (size_t i = 0; engine && engine->compiled && i < engine->pack_count; i++)
		if (found_address(engine, rq_netidx_find_domain(engine->packs[i].net, address), m))
			return 1;
	return 0;
}

int rq_engine_ignores(const rq_engine *engine, const char *name)
{
	for (size_t i = 0; i < engine->pack_count; i++)
		if (rq_sigset_is_ignored(engine->packs[i].set, name))
			return 1;
	return 0;
}

int rq_engine_new(rq_engine **out, const rq_engine_options *opts)
{
	*out = NULL;
	rq_engine *e = calloc(1, sizeof(*e));
	if (!e)
		return rq_fail(RQ_ENOMEM, "out of memory");
	rq_sigset_init(&e->set, opts);
	if (opts)
		e->opts = *opts;
	e->no_builtin = opts ? opts->no_builtin : 0;
	e->set.on_rqdb = on_rqdb;
	e->set.hook_payload = e;
	*out = e;
	return 0;
}

static int check_loading(const rq_engine *engine)
{
	if (!engine)
		return rq_fail(RQ_EINVAL, "no engine");
	if (engine->compiled)
		return rq_fail(RQ_EINVAL, "the engine is already compiled: load before rq_engine_compile");
	return 0;
}

int rq_engine_load_path(rq_engine *engine, const char *path)
{
	int rc = check_loading(engine);
	return rc ? rc : rq_sigset_load_path(&engine->set, path);
}

int rq_engine_load_buffer(rq_engine *engine, const char *kind_ext, const char *name,
			  const void *data, size_t len)
{
	int rc = check_loading(engine);
	if (rc)
		return rc;
	rc = rq_sigset_load_buffer(&engine->set, kind_ext, name, data, len);
	if (!rc)
		engine->set.stats.files++;
	return rc;
}

static void count_signatures(rq_engine *e)
{
	rq_engine_stats *st = &e->stats;
	const rq_pack *text = &e->packs[0];
	*st = e->set.stats;
	memset(st->by_type, 0, sizeof(st->by_type));
	for (size_t i = 0; i < e->set.hash_count; i++)
		st->by_type[e->set.hashes[i].sig_type]++;
	/* strings of natively evaluated YARA rules count as YARA rules, once per rule */
	size_t native_sigs = 0, native_rules = 0, body = rq_bodydb_count(text->bodies);
	for (size_t i = 0; i < e->set.body_count; i++) {
		native_sigs += e->set.bodies[i]->from_yara;
		native_rules += e->set.bodies[i]->from_yara && !e->set.bodies[i]->yara_string;
	}
	st->by_type[RQ_SIG_BODY] = body > native_sigs ? body - native_sigs : 0;
	st->by_type[RQ_SIG_YARA] = rq_yaradb_rule_count(text->yara) + native_rules;
	st->allow_hashes = e->set.allow_count;
	st->addresses = 0;
	for (size_t i = 0; i < e->pack_count; i++)
		st->addresses += rq_netidx_count(e->packs[i].net);
	for (size_t i = 0; i < e->db_count; i++) {
		const rq_rqdb_info *in = rq_rqdb_get_info(e->dbs[i]);
		st->by_type[RQ_SIG_MD5] += in->md5;
		st->by_type[RQ_SIG_SHA1] += in->sha1;
		st->by_type[RQ_SIG_SHA256] += in->sha256;
		st->by_type[RQ_SIG_IOC] += in->ioc;
		st->by_type[RQ_SIG_BODY] += in->bodies;
		st->by_type[RQ_SIG_YARA] += in->yara_rules;
		st->allow_hashes += in->allow;
	}
	st->total = 0;
	for (int t = 0; t < RQ_SIG_TYPE_COUNT; t++)
		st->total += st->by_type[t];
}

int rq_engine_compile(rq_engine *engine)
{
	int rc = check_loading(engine);
	if (rc)
		return rc;
	rq_sigset *set = &engine->set;
	if (!engine->no_builtin && (rc = rq_load_builtin(set)))
		return rc;
	rq_sigset_apply_ignored(set);
	if (!(engine->packs = calloc(engine->db_count + 1, sizeof(*engine->packs))) ||
	    (engine->db_count && !(engine->db_sets = calloc(engine->db_count, sizeof(*engine->db_sets)))))
		return rq_fail(RQ_ENOMEM, "out of memory");
	rq_pack *text = &engine->packs[0];
	text->set = set;
	engine->pack_count = 1;
	if ((rc = rq_hashidx_build(&text->hashes, set->hashes, set->hash_count)) ||
	    (rc = rq_hashidx_build(&text->allow, set->allow, set->allow_count)) ||
	    (rc = rq_bodydb_build(&text->bodies, set, set->bodies, set->body_count)) ||
	    (rc = rq_yaradb_build(&text->yara, set)) ||
	    (rc = rq_netidx_build(&text->net, set->netiocs, set->netioc_count)))
		return rc;
	for (size_t i = 0; i < engine->db_count; i++) {
		if ((rc = rq_rqdb_load_pack(&engine->packs[i + 1], &engine->db_sets[i], engine->dbs[i],
					    &engine->opts)))
			return rc;
		engine->pack_count++;
	}
	/* the hash indexes were being checked meanwhile: nothing is used before this */
	for (size_t i = 0; i < engine->db_count; i++)
		if ((rc = rq_rqdb_wait(engine->dbs[i])))
			return rc;
	count_signatures(engine);
	engine->compiled = 1;
	return 0;
}

void rq_engine_stats_get(const rq_engine *engine, rq_engine_stats *out)
{
	if (engine->compiled) {
		*out = engine->stats;
		return;
	}
	*out = engine->set.stats;
}

void rq_engine_free(rq_engine *engine)
{
	if (!engine)
		return;
	for (size_t i = 0; i < engine->pack_count; i++)
		rq_pack_free_matchers(&engine->packs[i]);
	for (size_t i = 1; i < engine->pack_count; i++)
		rq_sigset_free(engine->packs[i].set);
	for (size_t i = 0; i < engine->db_count; i++)
		rq_rqdb_close(engine->dbs[i]);
	free(engine->packs);
	free(engine->db_sets);
	free(engine->dbs);
	rq_keyring_free(engine->keys);
	rq_sigset_free(&engine->set);
	free(engine);
}
