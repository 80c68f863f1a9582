/*
 * Mirror folders: the signed index (index.json plus the detached signature
 * index.json.sig) listing the newest version of each database, reading and
 * writing that index, and `raquet mirror publish` adding databases to a
 * folder crash-safely. Guide and format: docs/mirror.md.
 */
#ifndef RQ_DB_MIRROR_H
#define RQ_DB_MIRROR_H

#include <stddef.h>
#include <stdint.h>

#include "db/sign.h"

#define RQ_MIRROR_INDEX "index.json"
#define RQ_MIRROR_INDEX_SIG "index.json.sig"
#define RQ_MIRROR_FORMAT 1
#define RQ_MIRROR_NAME_MAX 63  /* as RQ_RQDB_NAME_MAX */
#define RQ_MIRROR_FILE_MAX 127 /* "NAME-VERSION.rqdb" */

/* One database listed by an index. */
typedef struct rq_mirror_db {
	char name[RQ_MIRROR_NAME_MAX + 1];
	uint64_t version;
	uint64_t size;                      /* bytes of the file */
	char sha256[65];                    /* lower-case hex of the file's SHA-256 */
	int64_t built;                      /* build time from its header, Unix seconds */
	char file[RQ_MIRROR_FILE_MAX + 1];  /* a plain file name inside the mirror folder */
} rq_mirror_db;

typedef struct rq_mirror_index {
	int64_t generated;  /* when the index was written, Unix seconds */
	rq_mirror_db *dbs;  /* sorted by name, names unique; free with rq_mirror_index_clear */
	size_t count;
} rq_mirror_index;

/*
 * Parse and validate index.json held in data[0..len) (the signature is
 * checked separately, over the same bytes). Every field is checked: names,
 * plain file names (no '/', no leading '.'), sizes within RQ_MAX_DB_DOWNLOAD,
 * 64 hex digits of SHA-256, no name twice. Returns 0, RQ_EPARSE ("index.json:
 * databases[3]: bad sha256") or RQ_EUNSUPPORTED (a newer format). On error
 * *out is empty.
 */
int rq_mirror_index_parse(rq_mirror_index *out, const uint8_t *data, size_t len);

/* The index as JSON text (malloc'd, NUL-terminated, ends with "\n"); free with free(). */
int rq_mirror_index_dump(const rq_mirror_index *idx, char **out, size_t *out_len);

void rq_mirror_index_clear(rq_mirror_index *idx);

/* The entry named `name`, or NULL. Borrowed from idx. */
const rq_mirror_db *rq_mirror_index_find(const rq_mirror_index *idx, const char *name);

/* Whether `file` is acceptable as a file name listed by an index. */
int rq_mirror_file_name_ok(const char *file);

/* Told once per database published: `old_version` 0 when the name is new. */
typedef void (*rq_mirror_publish_cb)(const rq_mirror_db *db, uint64_t old_version, void *payload);

/*
 * Add the databases `files[0..n)` to the mirror folder `dir` (created if
 * missing) and re-sign its index with `key`. Each file must be a database
 * whose signature verifies with `key` or with a key of `trusted` (may be
 * NULL), and whose version is higher than the one listed (unless `force`).
 * All files are checked before anything changes; then each is copied in as
 * NAME-VERSION.rqdb (written beside, fsync, rename), the index and its
 * signature are replaced (signature first, then index, see docs/mirror.md),
 * and of each name's files only the new one and the one listed before stay.
 * Concurrent publishers are serialised by a lock file (.publish.lock).
 */
int rq_mirror_publish(const char *dir, const rq_signkey *key, const rq_keyring *trusted,
		      const char *const *files, size_t n, int force, rq_mirror_publish_cb cb,
		      void *payload);

#endif
