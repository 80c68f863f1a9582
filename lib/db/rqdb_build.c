/*
 * `raquet db build` and its inverse (rqdb_build.h): sources are loaded and
 * compiled exactly as the engine does, then each matcher is saved as one
 * section; loading reads the sections back into matchers without parsing
 * text or compiling anything.
 */
#include "db/rqdb_build.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/binbuf.h"
#include "core/error.h"
#include "core/util.h"
#include "db/dbfs.h"
#include "db/rqdb_sigs.h"
#include "sigs/loader.h"

#ifndef RQ_VERSION
#define RQ_VERSION "0.0.0"
#endif

/* Each source file read: its name, size and SHA-256, for the header. */
static int note_source(const char *path, const uint8_t *data, size_t len, void *payload)
{
	json_t *list = payload;
	char hex[65];
	rq_sha256_hex(data, len, hex);
	json_t *o = json_pack("{s:s, s:I, s:s}", "file", path, "size", (json_int_t)len, "sha256", hex);
	if (!o || json_array_append_new(list, o))
		return rq_fail(RQ_ENOMEM, "out of memory");
	return 0;
}

static int refuse_rqdb(const char *path, int named, void *payload)
{
	(void)named;
	(void)payload;
	return rq_fail(RQ_EUNSUPPORTED, "%s: a .rqdb cannot be a source of another database", path);
}

int rq_rqdb_build(const rq_rqdb_build_opts *o, const char *const *paths, size_t count,
		  rq_rqdb_info *info)
{
	int rc = 0;
	rq_sigset set;
	rq_pack pack = { 0 };
	rq_binbuf sec[7] = { 0 };
	const rq_bodysig **live = NULL;
	char *header = NULL;
	json_t *sources = json_array(), *root = NULL;
	rq_sigset_init(&set, o->load);
	if (!sources) {
		rc = rq_fail(RQ_ENOMEM, "out of memory");
		goto done;
	}
	if (!rq_rqdb_name_ok(o->name)) {
		rc = rq_fail(RQ_EINVAL, "database name '%s': use 1 to %d letters, digits, '-' or '_'",
			     o->name ? o->name : "", RQ_RQDB_NAME_MAX);
		goto done;
	}
	set.on_file = note_source;
	set.on_rqdb = refuse_rqdb;
	set.hook_payload = sources;
	for (size_t i = 0; i < count && !rc; i++)
		rc = rq_sigset_load_path(&set, paths[i]);
	if (rc)
		goto done;
	rq_sigset_apply_ignored(&set);
	if ((rc = rq_hashidx_build(&pack.hashes, set.hashes, set.hash_count)) ||
	    (rc = rq_hashidx_build(&pack.allow, set.allow, set.allow_count)) ||
	    (rc = rq_bodydb_build_ex(&pack.bodies, &set, set.bodies, set.body_count, 1, NULL, 0)) ||
	    (rc = rq_yaradb_build(&pack.yara, &set)))
		goto done;
	size_t nlive = rq_bodydb_count(pack.bodies), native = 0;
	if (nlive && !(live = malloc(nlive * sizeof(*live)))) {
		rc = rq_fail(RQ_ENOMEM, "out of memory");
		goto done;
	}
	nlive = rq_bodydb_live(pack.bodies, live);
	for (size_t i = 0; i < nlive; i++)
		native += live[i]->from_yara && !live[i]->yara_string;
	size_t native_strings = 0;
	for (size_t i = 0; i < nlive; i++)
		native_strings += live[i]->from_yara;
	if ((rc = rq_hashidx_save(pack.hashes, &sec[0])) || (rc = rq_hashidx_save(pack.allow, &sec[1])) ||
	    (rc = rq_rqdb_save_bodies(live, nlive, &sec[2])) || (rc = rq_yaradb_save(pack.yara, &sec[4])) ||
	    (rc = rq_rqdb_save_ignored(&set, &sec[5])) || (rc = rq_rqdb_save_netiocs(&set, &sec[6])))
		goto done;
	if ((rc = rq_bodydb_save(pack.bodies, &sec[3])))
		goto done;
	uint64_t by_type[RQ_SIG_TYPE_COUNT] = { 0 };
	rq_hashsig hs;
	rq_hashhit names;
	for (size_t i = 0; rq_hashidx_entry(pack.hashes, i, &hs, &names); i++)
		if (hs.sig_type < RQ_SIG_TYPE_COUNT)
			by_type[hs.sig_type]++;
	int64_t built = o->built ? o->built : (int64_t)time(NULL);
	root = json_pack("{s:s, s:I, s:I, s:s, s:s, s:{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}, s:O}",
			 "name", o->name, "version", (json_int_t)o->version, "built", (json_int_t)built,
			 "builder", "raquet " RQ_VERSION, "cpu", "x86-64 baseline",
			 "counts", "hashes", (json_int_t)rq_hashidx_count(pack.hashes),
			 "allow", (json_int_t)rq_hashidx_count(pack.allow),
			 "bodies", (json_int_t)(nlive - native_strings),
			 "yara", (json_int_t)(rq_yaradb_rule_count(pack.yara) + native),
			 "ignored", (json_int_t)set.ignored_count, "md5", (json_int_t)by_type[RQ_SIG_MD5],
			 "sha1", (json_int_t)by_type[RQ_SIG_SHA1], "sha256", (json_int_t)by_type[RQ_SIG_SHA256],
			 "ioc", (json_int_t)by_type[RQ_SIG_IOC], "addresses", (json_int_t)set.netioc_count,
			 "sources", sources);
	if (!root || !(header = json_dumps(root, JSON_COMPACT | JSON_SORT_KEYS))) {
		rc = rq_fail(RQ_ENOMEM, "out of memory");
		goto done;
	}
	rq_rqdb_part parts[] = {
		{ RQ_SEC_HASHES, sec[0].p, sec[0].len },  { RQ_SEC_ALLOW, sec[1].p, sec[1].len },
		{ RQ_SEC_BODYSIGS, sec[2].p, sec[2].len }, { RQ_SEC_BODYDB, sec[3].p, sec[3].len },
		{ RQ_SEC_YARA, sec[4].p, sec[4].len },     { RQ_SEC_IGNORED, sec[5].p, sec[5].len },
		{ RQ_SEC_NETIOC, sec[6].p, sec[6].len },
	};
	rc = rq_rqdb_write(o->out_path, header, parts, sizeof(parts) / sizeof(parts[0]), o->key);
	if (!rc && info) {
		memset(info, 0, sizeof(*info));
		snprintf(info->name, sizeof(info->name), "%s", o->name);
		info->version = o->version;
		info->built = built;
		info->format = RQ_RQDB_FORMAT;
		info->hashes = rq_hashidx_count(pack.hashes);
		info->allow = rq_hashidx_count(pack.allow);
		info->bodies = nlive - native_strings;
		info->yara_rules = rq_yaradb_rule_count(pack.yara) + native;
		info->ignored = set.ignored_count;
		info->md5 = by_type[RQ_SIG_MD5];
		info->sha1 = by_type[RQ_SIG_SHA1];
		info->sha256 = by_type[RQ_SIG_SHA256];
		info->ioc = by_type[RQ_SIG_IOC];
		info->addresses = set.netioc_count;
	}
done:
	free(header);
	json_decref(root);
	json_decref(sources);
	free(live);
	for (int i = 0; i < 7; i++)
		rq_bin_free(&sec[i]);
	rq_pack_free_matchers(&pack);
	rq_sigset_free(&set);
	return rc;
}

/* --- loading --- */

int rq_rqdb_load_pack(rq_pack *pack, rq_sigset *set, const struct rq_rqdb *db,
		      const rq_engine_options *opts)
{
	int rc = 0;
	size_t n;
	const uint8_t *p;
	memset(pack, 0, sizeof(*pack));
	rq_sigset_init(set, opts);
	pack->set = set;
	if (!(p = rq_rqdb_section(db, RQ_SEC_HASHES, &n)) || (rc = rq_hashidx_view(&pack->hashes, p, n)) ||
	    !(p = rq_rqdb_section(db, RQ_SEC_ALLOW, &n)) || (rc = rq_hashidx_view(&pack->allow, p, n)) ||
	    !(p = rq_rqdb_section(db, RQ_SEC_IGNORED, &n)) || (rc = rq_rqdb_load_ignored(set, p, n)) ||
	    !(p = rq_rqdb_section(db, RQ_SEC_BODYSIGS, &n)) || (rc = rq_rqdb_load_bodies(set, p, n)) ||
	    !(p = rq_rqdb_section(db, RQ_SEC_BODYDB, &n)) ||
	    (rc = rq_bodydb_build_ex(&pack->bodies, set, set->bodies, set->body_count, 1, p, n)) ||
	    !(p = rq_rqdb_section(db, RQ_SEC_YARA, &n)) || (rc = rq_yaradb_load(&pack->yara, p, n)) ||
	    /* optional: databases built before network indicators have none */
	    ((p = rq_rqdb_section(db, RQ_SEC_NETIOC, &n)) && (rc = rq_rqdb_load_netiocs(set, p, n))) ||
	    (rc = rq_netidx_build(&pack->net, set->netiocs, set->netioc_count))) {
		if (!rc)
			rc = rq_fail(RQ_EPARSE, "a section is missing");
		rc = rq_fail(rc, "%s: %s", rq_rqdb_path(db), rq_error_last());
		rq_pack_free_matchers(pack);
		rq_sigset_free(set);
		return rc;
	}
	if (rq_bodydb_count(pack->bodies) != set->body_count) {
		rc = rq_fail(RQ_EVERIFY, "%s: %zu of %zu body signatures refused by the matcher",
			     rq_rqdb_path(db), set->body_count - rq_bodydb_count(pack->bodies),
			     set->body_count);
		rq_pack_free_matchers(pack);
		rq_sigset_free(set);
		return rc;
	}
	pack->db = (struct rq_rqdb *)db;
	return 0;
}
