/*
 * The mirror index cache of mirror_latest.h: one parsed copy of
 * DIR/index.json kept as JSON, keyed by the file's device, inode, size and
 * modification time, so a `raquet mirror publish` (which renames a new
 * index in) is seen on the next heartbeat without re-reading per request.
 */
#include "api/mirror_latest.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config/config.h"
#include "core/util.h"
#include "db/mirror.h"
#include "http/log.h"

/* Largest index.json read: a mirror lists a handful of databases, each a
 * few hundred bytes; 1 MiB leaves room for thousands. */
#define MIRROR_INDEX_MAX (1024 * 1024)

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
	char *dir;
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime;
	json_t *latest;
} cache;

static int same_file(const char *dir, const struct stat *st)
{
	return cache.latest && cache.dir && !strcmp(cache.dir, dir) && cache.dev == st->st_dev &&
	       cache.ino == st->st_ino && cache.size == st->st_size &&
	       cache.mtime.tv_sec == st->st_mtim.tv_sec && cache.mtime.tv_nsec == st->st_mtim.tv_nsec;
}

/* Parse the index at `path` into a new JSON object; an empty one on failure. */
static json_t *load(const char *path)
{
	uint8_t *data = NULL;
	size_t len = 0;
	rq_mirror_index idx = { 0 };
	json_t *out = json_object();
	if (!out)
		goto done;
	if (rq_read_file(path, MIRROR_INDEX_MAX, &data, &len) < 0 || rq_mirror_index_parse(&idx, data, len) < 0) {
		rq_log(RQ_LOG_WARNING, "mirror: %s: %s (agents are told of no databases)", path, rq_error_last());
		goto done;
	}
	for (size_t i = 0; i < idx.count; i++) {
		const rq_mirror_db *db = &idx.dbs[i];
		json_t *o = json_pack("{s:I,s:I,s:s}", "version", (json_int_t)db->version, "built",
				      (json_int_t)db->built, "file", db->file);
		if (!o || json_object_set_new(out, db->name, o) < 0) {
			json_decref(out);
			out = NULL;
			goto done;
		}
	}
done:
	rq_mirror_index_clear(&idx);
	free(data);
	return out;
}

json_t *rq_mirror_latest(const char *dir)
{
	json_t *out = NULL;
	char path[4096];
	struct stat st;
	if (!dir || !*dir)
		return json_object();
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, RQ_MIRROR_INDEX) >= sizeof(path) ||
	    stat(path, &st) < 0)
		return json_object();
	pthread_mutex_lock(&lock);
	if (!same_file(dir, &st)) {
		json_t *fresh = load(path);
		char *copy = strdup(dir);
		if (fresh && copy) {
			json_decref(cache.latest);
			free(cache.dir);
			cache.latest = fresh;
			cache.dir = copy;
			cache.dev = st.st_dev;
			cache.ino = st.st_ino;
			cache.size = st.st_size;
			cache.mtime = st.st_mtim;
		} else {
			json_decref(fresh);
			free(copy);
		}
	}
	if (cache.latest && cache.dir && !strcmp(cache.dir, dir))
		out = json_deep_copy(cache.latest);
	pthread_mutex_unlock(&lock);
	return out ? out : json_object();
}
