/*
 * The signature set: everything the loaders (one file per format in this
 * folder) have read, before rq_engine_compile turns it into matchers.
 * Loaders add entries and report malformed or unsupported lines through
 * rq_sigset_warn, which counts them and applies --strict.
 */
#ifndef RQ_SIGS_SIGSET_H
#define RQ_SIGS_SIGSET_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "core/util.h"
#include "raquet/engine.h"

/* Digest kinds as bit flags, so "which digests does this size need" is a mask. */
enum {
	RQ_DIGEST_MD5 = 1,
	RQ_DIGEST_SHA1 = 2,
	RQ_DIGEST_SHA256 = 4,
};

#define RQ_SIZE_ANY UINT64_MAX

/*
 * The ClamAV functionality level (FLEVEL) this engine claims for the MinFL
 * and MaxFL fields of .hdb/.hsb/.ndb lines: the level of ClamAV 1.4, measured
 * as cl_retflevel() of Debian 12's libclamav 1.4.6, the clamscan raquet is
 * compared with. A line asking for more is reported as unsupported.
 */
#define RQ_CLAMAV_FLEVEL 216

/* One hash signature (.hdb/.hsb/IOC) or allow-list entry (.fp/.sfp). */
typedef struct rq_hashsig {
	uint8_t digest[32];   /* first 16/20/32 bytes used, by `digest_type` */
	uint8_t digest_type;  /* one RQ_DIGEST_* */
	uint8_t sig_type;     /* rq_sig_type: MD5/SHA1/SHA256/IOC/BUILTIN */
	uint64_t size;        /* file size, or RQ_SIZE_ANY */
	const char *name;     /* in the set's pool */
	const char *source;   /* in the set's pool */
} rq_hashsig;

/* Bytes of a digest type (16, 20, 32). */
size_t rq_digest_len(unsigned digest_type);

typedef struct rq_bodysig rq_bodysig; /* lib/sigs/hexsig.h */

/* A network indicator from an IOC list: an address (or network) or a domain. */
enum { RQ_NETIOC_IP = 1, RQ_NETIOC_DOMAIN = 2 };
typedef struct rq_netioc {
	uint8_t kind;        /* RQ_NETIOC_* */
	uint8_t prefix;      /* IP: network bits over 128 (IPv4 is ::ffff:a.b.c.d, so /24 is 120) */
	uint8_t addr[16];    /* IP: the address, host bits zero */
	const char *domain;  /* DOMAIN: lower case, no trailing dot; matches its subdomains too */
	const char *name;    /* detection name, in the pool */
	const char *source;
} rq_netioc;

/* A YARA input waiting for compilation: a source file or a compiled .yarc. */
typedef struct rq_yara_input {
	const char *name;   /* path or buffer name, in the pool */
	uint8_t *data;      /* the file's bytes (malloc'd), NUL-terminated for sources */
	size_t len;
	int compiled;       /* 1 for .yarc */
} rq_yara_input;

typedef struct rq_sigset {
	rq_strpool pool;
	rq_hashsig *hashes; size_t hash_count, hash_cap;
	rq_hashsig *allow;  size_t allow_count, allow_cap;
	rq_bodysig **bodies; size_t body_count, body_cap;
	rq_yara_input *yara; size_t yara_count, yara_cap;
	const char **ignored; size_t ignored_count, ignored_cap; /* names from .ign/.ign2 */
	rq_netioc *netiocs; size_t netioc_count, netioc_cap; /* addresses and domains from IOC lists */
	rq_engine_stats stats;
	int strict;
	rq_load_warning_cb on_warning;
	void *warning_payload;
	/* Optional hooks of rq_sigset_load_path: each signature file read (its
	 * bytes, before parsing; non-zero stops the load with that code), and
	 * each .rqdb met (`named`: given as a path itself rather than found in
	 * a folder). Without on_rqdb, .rqdb files are not signature files. */
	int (*on_file)(const char *path, const uint8_t *data, size_t len, void *payload);
	int (*on_rqdb)(const char *path, int named, void *payload);
	void *hook_payload;
} rq_sigset;

void rq_sigset_init(rq_sigset *set, const rq_engine_options *opts);
void rq_sigset_free(rq_sigset *set);

/* Pool copy of a string; NULL on ENOMEM. */
const char *rq_sigset_str(rq_sigset *set, const char *s, size_t len);

/*
 * Report a problem with `file` at `line` (0: the whole file). `unsupported`
 * says whether the line is well-formed but unusable (counted apart from
 * malformed lines). Returns 0 to skip the line and go on, or an error code
 * (strict mode, or the callback asked to stop) that the loader returns as is;
 * the last-error message is then "file:line: message".
 */
int rq_sigset_warn(rq_sigset *set, const char *file, unsigned line, int unsupported,
		   const char *fmt, ...) RQ_PRINTF(5, 6);

int rq_sigset_add_hash(rq_sigset *set, const rq_hashsig *sig);
int rq_sigset_add_allow(rq_sigset *set, const rq_hashsig *sig);
/* Takes ownership of `sig` (freed with rq_bodysig_free even on error). */
int rq_sigset_add_body(rq_sigset *set, rq_bodysig *sig);
/* Takes ownership of `data` (malloc'd; freed even on error). */
int rq_sigset_add_yara(rq_sigset *set, const char *name, uint8_t *data, size_t len, int compiled);
int rq_sigset_add_ignored(rq_sigset *set, const char *name, size_t len);
int rq_sigset_add_netioc(rq_sigset *set, const rq_netioc *ioc);
/* Sort the ignore list; call once after loading, before rq_sigset_is_ignored. */
void rq_sigset_sort_ignored(rq_sigset *set);
/* Sort the ignore list and drop the hash and body signatures it names (counted in stats.ignored). */
void rq_sigset_apply_ignored(rq_sigset *set);
/* Whether `name` was listed in an .ign/.ign2 file. */
int rq_sigset_is_ignored(const rq_sigset *set, const char *name);

/*
 * Loaders, one per format; `name` names the source in messages and
 * detections; `data` is the whole file. Each returns 0 (bad lines skipped
 * and reported) or the error that stopped it.
 */
int rq_load_clamav_hash(rq_sigset *set, const char *name, const char *ext,
			const uint8_t *data, size_t len); /* hdb hsb fp sfp */
int rq_load_clamav_ign(rq_sigset *set, const char *name, const char *ext,
		       const uint8_t *data, size_t len); /* ign ign2 */
int rq_load_clamav_ndb(rq_sigset *set, const char *name, const uint8_t *data, size_t len);
/*
 * ClamAV .cvd/.cld container (`ext` "cvd" or "cld"): the header is checked
 * (and a .cvd's MD5) before anything loads; members with an extension above
 * are loaded as "<name>/<member>", other members counted as unsupported.
 * A damaged container fails whole (RQ_EPARSE; RQ_ELIMIT for oversized members).
 */
int rq_load_clamav_cvd(rq_sigset *set, const char *name, const char *ext,
		       const uint8_t *data, size_t len); /* cvd cld */
int rq_load_ioc(rq_sigset *set, const char *name, const uint8_t *data, size_t len);
/* YARA files are only checked and kept here; lib/match/yara_rules.c compiles them. */
int rq_load_yara(rq_sigset *set, const char *name, const uint8_t *data, size_t len, int compiled);
/* The built-in EICAR test signature. */
int rq_load_builtin(rq_sigset *set);

#endif
