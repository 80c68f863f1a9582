/*
 * The compiled signature database file (.rqdb): written by `raquet db build`
 * from any mix of sources the engine reads, and opened by mmap after its
 * Ed25519 trailer is verified. Layout: docs/formats/rqdb.md.
 *
 *   0   8  magic "RQDB\r\n\x1a\n"
 *   8   4  format version (little-endian u32, RQ_RQDB_FORMAT)
 *  12   4  length J of the JSON header that follows at offset 32
 *  16   4  number S of sections
 *  20  12  zero
 *  32   J  JSON header: {"name","version","built","counts":{...},"sources":[...]}
 *      ..  zero padding to a multiple of 8
 *      24*S section table: u32 kind, u32 zero, u64 offset, u64 length
 *      ..  sections, each 64-byte aligned
 *   T      chunk table: SHA-256 of each 1 MiB chunk of bytes [0, T), then
 *          u64 T, u32 chunk size, u32 "RQCT"
 *  end-80  signature trailer (lib/db/sign.h) over the chunk table only: the
 *          table pins every other byte, and lets verification run on all
 *          cores. So a .rqdb is checked with rq_rqdb_verify, never with
 *          rq_keyring_verify_signed.
 */
#ifndef RQ_DB_RQDB_H
#define RQ_DB_RQDB_H

#include <stddef.h>
#include <stdint.h>

#include "db/sign.h"
#include "raquet/engine.h"

#define RQ_RQDB_MAGIC "RQDB\r\n\x1a\n"
#define RQ_RQDB_FORMAT 1
#define RQ_RQDB_NAME_MAX 63 /* names: [A-Za-z0-9_-], 1..63 characters */

/* What the header says (no signature check). */
typedef struct rq_rqdb_info {
	char name[RQ_RQDB_NAME_MAX + 1];
	uint64_t version;
	int64_t built;          /* build time, Unix seconds (UTC) */
	uint32_t format;
	uint64_t hashes, allow, bodies, yara_rules, ignored; /* counts */
	uint64_t md5, sha1, sha256, ioc; /* hashes by signature type */
	uint64_t addresses;              /* network indicators */
} rq_rqdb_info;

/*
 * Parse the fixed part and the JSON header of a database held in
 * data[0..len). Does not verify the signature. Returns 0, RQ_EPARSE ("not a
 * raquet database", "truncated header", ...) or RQ_EUNSUPPORTED (format
 * version newer than this program reads).
 */
int rq_rqdb_peek(const uint8_t *data, size_t len, rq_rqdb_info *info);

/* Whether `name` is a valid database name. */
int rq_rqdb_name_ok(const char *name);

/* How a database passed verification. */
typedef enum rq_rqdb_trust {
	RQ_RQDB_TRUSTED = 0,   /* signed by a key of the keyring */
	RQ_RQDB_UNSIGNED,      /* intact but unsigned or by an unknown key (allow_unsigned) */
} rq_rqdb_trust;

/*
 * Check a whole database in memory: structure, every chunk's SHA-256, and
 * the signature by a key of `ring` (NULL: no trusted key). With
 * `allow_unsigned`, an intact file that is unsigned or signed by an unknown
 * key passes as RQ_RQDB_UNSIGNED; a bad digest or bad signature by a
 * trusted key never passes. Returns 0 or RQ_EVERIFY / RQ_EPARSE /
 * RQ_EUNSUPPORTED with the reason.
 */
int rq_rqdb_verify(const uint8_t *data, size_t len, const rq_keyring *ring, int allow_unsigned,
		   rq_rqdb_trust *trust);

/* Section kinds. */
enum {
	RQ_SEC_HASHES = 2,  /* detection hash index (rq_hashidx_save) */
	RQ_SEC_ALLOW = 3,   /* allow-list hash index */
	RQ_SEC_BODYSIGS = 4,/* body signatures (rqdb_sigs.c) */
	RQ_SEC_BODYDB = 5,  /* compiled body matcher lanes */
	RQ_SEC_YARA = 6,    /* compiled YARA rules (rq_yaradb_save) */
	RQ_SEC_IGNORED = 7, /* names from .ign/.ign2: u32 count, strings */
	RQ_SEC_NETIOC = 8,  /* network indicators of IOC lists (rqdb_sigs.c) */
};

/* A database opened for use: mapped read-only and verified. */
typedef struct rq_rqdb rq_rqdb;

/*
 * Map and verify `path` (see rq_rqdb_verify). Messages name the file:
 * "PATH: refused: bad signature".
 */
int rq_rqdb_open(rq_rqdb **out, const char *path, const rq_keyring *ring, int allow_unsigned);
/*
 * The same, returning before the chunks inside the hash indexes are
 * checked (on background threads): the caller may read every other section
 * at once, and must call rq_rqdb_wait -- which fails like rq_rqdb_open
 * would have -- before using the hash indexes.
 */
int rq_rqdb_open_async(rq_rqdb **out, const char *path, const rq_keyring *ring, int allow_unsigned);
int rq_rqdb_wait(rq_rqdb *db);
void rq_rqdb_close(rq_rqdb *db);
const rq_rqdb_info *rq_rqdb_get_info(const rq_rqdb *db);
const char *rq_rqdb_path(const rq_rqdb *db);
rq_rqdb_trust rq_rqdb_get_trust(const rq_rqdb *db);
/* The JSON header text (NUL-terminated copy owned by db). */
const char *rq_rqdb_header_json(const rq_rqdb *db);
/* Section of `kind` (64-byte aligned in the mapping), or NULL with *len 0. */
const uint8_t *rq_rqdb_section(const rq_rqdb *db, uint32_t kind, size_t *len);

/* One section to write. */
typedef struct rq_rqdb_part {
	uint32_t kind;
	const uint8_t *data;
	size_t len;
} rq_rqdb_part;

/*
 * Write a database file: `header_json` (must carry name, version, built,
 * counts), the sections, the chunk table and the trailer signed by `key`
 * (NULL: an unsigned trailer, only loadable with allow_unsigned). Written
 * beside `path`, fsync'd and renamed over it.
 */
int rq_rqdb_write(const char *path, const char *header_json, const rq_rqdb_part *parts,
		  size_t part_count, const rq_signkey *key);

#endif
