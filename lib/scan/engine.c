/*
 * The engine's life cycle: loading signature sources into the signature set,
 * then compiling them (ignore lists applied, built-in signatures added) into
 * the hash indexes, the body matcher and the YARA rules that every scanner
 * shares read-only. Overview: docs/architecture.md.
 */
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
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

int rq_engine_new(rq_engine **out, const rq_engine_options *opts)
{
	*out = NULL;
	rq_engine *e = calloc(1, sizeof(*e));
	if (!e)
		return rq_fail(RQ_ENOMEM, "out of memory");
	rq_sigset_init(&e->set, opts);
	e->no_builtin = opts ? opts->no_builtin : 0;
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

/* Drop the hash signatures and body signatures named in .ign/.ign2 files. */
static void apply_ignore_list(rq_sigset *set)
{
	rq_sigset_sort_ignored(set);
	if (!set->ignored_count)
		return;
	size_t kept = 0;
	for (size_t i = 0; i < set->hash_count; i++) {
		if (rq_sigset_is_ignored(set, set->hashes[i].name))
			set->stats.ignored++;
		else
			set->hashes[kept++] = set->hashes[i];
	}
	set->hash_count = kept;
	kept = 0;
	for (size_t i = 0; i < set->body_count; i++) {
		if (rq_sigset_is_ignored(set, set->bodies[i]->name)) {
			set->stats.ignored++;
			rq_bodysig_free(set->bodies[i]);
		} else {
			set->bodies[kept++] = set->bodies[i];
		}
	}
	set->body_count = kept;
}

static void count_signatures(rq_engine *e)
{
	rq_engine_stats *st = &e->stats;
	*st = e->set.stats;
	memset(st->by_type, 0, sizeof(st->by_type));
	for (size_t i = 0; i < e->set.hash_count; i++)
		st->by_type[e->set.hashes[i].sig_type]++;
	/* strings of natively evaluated YARA rules count as YARA rules, once per rule */
	size_t native_sigs = 0, native_rules = 0, body = rq_bodydb_count(e->bodies);
	for (size_t i = 0; i < e->set.body_count; i++) {
		native_sigs += e->set.bodies[i]->from_yara;
		native_rules += e->set.bodies[i]->from_yara && !e->set.bodies[i]->yara_string;
	}
	st->by_type[RQ_SIG_BODY] = body > native_sigs ? body - native_sigs : 0;
	st->by_type[RQ_SIG_YARA] = (e->yara ? rq_yaradb_rule_count(e->yara) : 0) + native_rules;
	st->allow_hashes = e->set.allow_count;
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
	apply_ignore_list(set);
	if ((rc = rq_hashidx_build(&engine->hashes, set->hashes, set->hash_count)) ||
	    (rc = rq_hashidx_build(&engine->allow, set->allow, set->allow_count)) ||
	    (rc = rq_bodydb_build(&engine->bodies, set, set->bodies, set->body_count)) ||
	    (rc = rq_yaradb_build(&engine->yara, set)))
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
	rq_yaradb_free(engine->yara);
	rq_bodydb_free(engine->bodies);
	rq_hashidx_free(engine->allow);
	rq_hashidx_free(engine->hashes);
	rq_sigset_free(&engine->set);
	free(engine);
}
