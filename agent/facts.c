/*
 * The heartbeat's machine facts (facts.h): sysinfo.c's view of the machine,
 * completed with the agent version, the databases' versions and build
 * times read from their headers, the free space of the quarantine vault's
 * file system, and the states the daemon keeps in status.json.
 */
#include "facts.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/statvfs.h>

#include "core/error.h"
#include "core/limits.h"
#include "db/dbfs.h"
#include "db/rqdb.h"
#include "keys.h"
#include "raquet/raquet.h"
#include "sysinfo.h"

json_t *rq_agent_databases(const char *db_dir)
{
	json_t *dbs = json_object();
	DIR *d = dbs ? opendir(db_dir) : NULL;
	struct dirent *e;
	size_t count = 0;
	while (d && count < RQ_AGENT_MAX_DATABASES && (e = readdir(d))) {
		size_t n = strlen(e->d_name);
		if (n <= 5 || strcmp(e->d_name + n - 5, ".rqdb") || e->d_name[0] == '.')
			continue;
		char path[PATH_MAX];
		rq_mapped m;
		rq_rqdb_info info;
		snprintf(path, sizeof(path), "%s/%s", db_dir, e->d_name);
		if (rq_map_at(&m, AT_FDCWD, path, RQ_RQDB_MAX_SIZE) == 0 && rq_rqdb_peek(m.data, m.len, &info) == 0) {
			json_object_set_new(dbs, info.name, json_pack("{s:I, s:I}", "version", (json_int_t)info.version,
								      "built", (json_int_t)info.built));
			count++;
		}
		rq_unmap(&m);
	}
	if (d)
		closedir(d);
	rq_error_clear(); /* a damaged file is simply not reported; the scanner says why */
	return dbs;
}

/* Copy status[key] (a positive integer: a time, a version) into facts when the daemon knows it. */
static void copy_known(json_t *facts, const json_t *status, const char *key)
{
	json_t *v = json_object_get(status, key);
	if (json_is_integer(v) && json_integer_value(v) > 0)
		json_object_set_new(facts, key, json_integer(json_integer_value(v)));
}

/*
 * Keep the interface list within the API's limits: interfaces without an
 * address go first (a container host's veths), then the surplus.
 */
static void fit_interfaces(json_t *facts)
{
	json_t *ifs = json_object_get(facts, "interfaces");
	for (size_t i = json_array_size(ifs); i-- > 0 && json_array_size(ifs) > RQ_AGENT_MAX_INTERFACES;)
		if (!json_array_size(json_object_get(json_array_get(ifs, i), "addresses")))
			json_array_remove(ifs, i);
	while (json_array_size(ifs) > RQ_AGENT_MAX_INTERFACES)
		json_array_remove(ifs, json_array_size(ifs) - 1);
	size_t i;
	json_t *e;
	json_array_foreach(ifs, i, e) {
		json_t *addrs = json_object_get(e, "addresses");
		while (json_array_size(addrs) > RQ_AGENT_MAX_ADDRESSES)
			json_array_remove(addrs, json_array_size(addrs) - 1);
	}
}

/* Bytes of `blocks` blocks of `size`, held to what a JSON integer of the API carries. */
static json_int_t block_bytes(uint64_t blocks, uint64_t size)
{
	if (size && blocks > (uint64_t)INT64_MAX / size)
		return INT64_MAX;
	return (json_int_t)(blocks * size);
}

/*
 * {"free_bytes", "total_bytes"} of the file system holding the vault, or of
 * its nearest existing parent before the first quarantine creates it; NULL
 * when that cannot be read (the fact is then left out, not guessed). Free is
 * what `df` shows as available: the blocks an ordinary writer may use.
 */
static json_t *vault_space(const char *vault_dir)
{
	char path[PATH_MAX];
	struct statvfs sv;
	snprintf(path, sizeof(path), "%s", vault_dir);
	while (statvfs(path, &sv)) {
		char *slash = strrchr(path, '/');
		if (errno != ENOENT || !path[0] || !strcmp(path, "/") || !strcmp(path, "."))
			return NULL;
		if (!slash)
			snprintf(path, sizeof(path), ".");
		else if (slash == path)
			path[1] = '\0';
		else
			*slash = '\0';
	}
	return json_pack("{s:I, s:I}", "free_bytes", block_bytes(sv.f_bavail, sv.f_frsize), "total_bytes",
			 block_bytes(sv.f_blocks, sv.f_frsize));
}

json_t *rq_agent_facts(const rq_agent_config *cfg, const json_t *status)
{
	char db_dir[PATH_MAX], vault_dir[PATH_MAX];
	json_t *f = rq_sysinfo_json("/");
	if (!f)
		return NULL;
	fit_interfaces(f);
	json_object_set_new(f, "agent_version", json_string(rq_version()));
	if (cfg->kind[0])
		json_object_set_new(f, "kind", json_string(cfg->kind));
	json_object_set_new(f, "databases", rq_agent_databases(rq_agent_config_db_dir(cfg, db_dir, sizeof(db_dir))));
	json_t *vault = vault_space(rq_agent_config_vault_dir(cfg, vault_dir, sizeof(vault_dir)));
	if (vault)
		json_object_set_new(f, "vault", vault);
	json_t *rt = json_object_get(status, "realtime");
	if (json_is_object(rt) && json_is_string(json_object_get(rt, "state")))
		json_object_set(f, "realtime", rt);
	else
		json_object_set_new(f, "realtime", json_pack("{s:s, s:s}", "state", "off", "reason",
							     "real-time protection is not started by this raquetd"));
	copy_known(f, status, "last_full_scan");
	copy_known(f, status, "last_update");
	copy_known(f, status, "policy_version"); /* the server then sends the policy only when it changed */
	const char *keys = rq_agent_keys_digest(cfg, status); /* and the mirror's keys likewise (keys.c) */
	if (keys)
		json_object_set_new(f, "mirror_keys_digest", json_string(keys));
	return f;
}
