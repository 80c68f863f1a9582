/*
 * The engine: a set of signatures loaded from ClamAV files, YARA rules and
 * IOC lists, compiled once and then shared read-only by every scanner thread.
 * Life cycle: rq_engine_new -> rq_engine_load* (any number) ->
 * rq_engine_compile -> scanners (scanner.h) -> rq_engine_free.
 * Overview: docs/architecture.md.
 */
#ifndef RAQUET_ENGINE_H
#define RAQUET_ENGINE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct rq_engine rq_engine;

/* Kinds of signature, as reported in detections and load statistics. */
typedef enum rq_sig_type {
	RQ_SIG_MD5 = 0,     /* ClamAV .hdb */
	RQ_SIG_SHA1,        /* ClamAV .hsb, 40 hex digits */
	RQ_SIG_SHA256,      /* ClamAV .hsb, 64 hex digits */
	RQ_SIG_BODY,        /* ClamAV .ndb hex body signature */
	RQ_SIG_YARA,        /* YARA rule (source or compiled) */
	RQ_SIG_IOC,         /* plain IOC hash list entry */
	RQ_SIG_BUILTIN,     /* compiled into the engine (EICAR test file) */
	RQ_SIG_HEURISTIC,   /* engine heuristics: limits, encryption */
	RQ_SIG_TYPE_COUNT
} rq_sig_type;

/* Short lower-case name of a signature type ("md5", "body", "yara", ...). */
const char *rq_sig_type_name(rq_sig_type type);

/*
 * Called for every problem met while loading: a malformed or unsupported
 * line, an unreadable file. `file` and `line` locate it (line 0 when the
 * problem concerns the whole file); `message` is one line of text. Return 0
 * to go on; any other value makes the load fail with RQ_ESTOPPED.
 */
typedef int (*rq_load_warning_cb)(const char *file, unsigned line,
				  const char *message, void *payload);

typedef struct rq_engine_options {
	/* Treat every malformed or unsupported line as a fatal load error. */
	int strict;
	/* Do not add the built-in EICAR test signature. */
	int no_builtin;
	rq_load_warning_cb on_warning; /* may be NULL: warnings are only counted */
	void *warning_payload;
	/* Folder of trusted public keys (*.pub) for .rqdb databases; NULL: the
	 * default ($RAQUET_KEYS, else /etc/raquet/keys). */
	const char *trusted_keys;
	/* Accept an intact .rqdb that is unsigned or signed by an unknown key,
	 * only when the file itself is given to rq_engine_load_path (never for
	 * databases found in a folder). */
	int allow_unsigned;
} rq_engine_options;

/* Counters of what was loaded, filled by rq_engine_stats(). */
typedef struct rq_engine_stats {
	uint64_t by_type[RQ_SIG_TYPE_COUNT]; /* signatures in use, per type */
	uint64_t allow_hashes;   /* .fp/.sfp entries */
	uint64_t ignored;        /* signatures dropped by .ign/.ign2 */
	uint64_t malformed;      /* lines rejected as malformed */
	uint64_t unsupported;    /* well-formed lines this engine cannot use */
	uint64_t files;          /* signature files read */
	uint64_t total;          /* sum of by_type */
	uint64_t addresses;      /* network indicators (IP addresses, networks, domains) */
} rq_engine_stats;

/* Create an empty engine. `opts` may be NULL for defaults. Free with rq_engine_free. */
int rq_engine_new(rq_engine **out, const rq_engine_options *opts);

/*
 * Load signatures from `path`: a signature file (its format chosen by
 * extension: .hdb .hsb .fp .sfp .ign .ign2 .ndb .cvd .cld .yar .yara .yarc .txt .csv,
 * or a compiled database .rqdb, mapped and verified against the trusted
 * keys) or a folder, whose files with known extensions are all loaded (not
 * recursively). Of two .rqdb with the same name the higher version is used.
 * Only before rq_engine_compile.
 */
int rq_engine_load_path(rq_engine *engine, const char *path);

/*
 * Load one signature file from memory, its format given by `kind_ext`
 * (an extension such as "ndb"); `name` is used in messages and as the
 * detections' source. For tests and fuzzing; the data is copied as needed.
 */
int rq_engine_load_buffer(rq_engine *engine, const char *kind_ext,
			  const char *name, const void *data, size_t len);

/* Build the matchers; after this the engine is immutable and thread-safe. */
int rq_engine_compile(rq_engine *engine);

void rq_engine_stats_get(const rq_engine *engine, rq_engine_stats *out);

/* A network indicator matched by an address. */
typedef struct rq_address_match {
	const char *name;   /* detection name, e.g. "IOC.C2_server"; valid while the engine lives */
	const char *source; /* the list it came from */
} rq_address_match;

/*
 * Whether `address` -- an IPv4 or IPv6 literal, or a host name (matched
 * with its parent domains) -- is a known malicious address of a loaded IOC
 * list. Returns 1 and fills *m (may be NULL), or 0. Compiled engines only.
 */
int rq_engine_match_address(const rq_engine *engine, const char *address, rq_address_match *m);

/* The same for a 16-byte address (IPv4 as ::ffff:a.b.c.d). */
int rq_engine_match_ip(const rq_engine *engine, const uint8_t addr[16], rq_address_match *m);

/* Frees everything; NULL is a no-op. No scanner may be alive. */
void rq_engine_free(rq_engine *engine);

/* Library version string, e.g. "0.1.0". */
const char *rq_version(void);

#ifdef __cplusplus
}
#endif

#endif
