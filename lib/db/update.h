/*
 * Updating the installed databases from a mirror (update.c): fetch and
 * verify the signed index, download only what changed, verify each file,
 * and swap it in atomically keeping the previous version for rollback.
 * Guide: docs/mirror.md; command: `raquet update` (docs/cli.md).
 */
#ifndef RQ_DB_UPDATE_H
#define RQ_DB_UPDATE_H

#include <signal.h>
#include <stdint.h>

#include "db/sign.h"

typedef struct rq_update_options {
	/* http:// or https:// URL (libcurl, proxy variables honoured), file://
	 * URL or a plain folder: the mirror folder holding index.json. */
	const char *mirror;
	const char *db_dir;      /* installed databases: NAME.rqdb (+ NAME.rqdb.prev) */
	const rq_keyring *ring;  /* keys the index and the databases must be signed by */
	int allow_downgrade;     /* accept a mirror version older than the installed one */
	long timeout;            /* seconds per transfer; 0: RQ_UPDATE_DEFAULT_TIMEOUT */
	int retries;             /* retries of a failed transfer; < 0: RQ_UPDATE_DEFAULT_RETRIES */
	/*
	 * Trust of https:// transfers, applied to every one (the index, its
	 * signature, each database, redirects). The peer and its host name are
	 * always verified; these narrow whom to trust. The strings are read
	 * during the call only.
	 */
	const char *ca_file;     /* PEM file of the CAs the mirror must chain to; NULL: the system's */
	const char *pinned_key;  /* "sha256//BASE64" the mirror's public key must match (libcurl's
				  * CURLOPT_PINNEDPUBLICKEY); NULL: none. Set, only https:// is
				  * fetched, redirects included */
	int no_proxy;            /* connect directly, ignoring the proxy variables */
	const volatile sig_atomic_t *cancel; /* non-zero stops the run within about a second: the
					      * transfer in flight is aborted, the database it was for
					      * left as it was; NULL: never */
} rq_update_options;

enum rq_update_status {
	RQ_UPDATE_CURRENT,     /* the installed version is the mirror's */
	RQ_UPDATE_INSTALLED,   /* new_version is now installed */
	RQ_UPDATE_REFUSED,     /* a verification refused it; nothing changed */
	RQ_UPDATE_FAILED,      /* download or disk failure; nothing changed */
	RQ_UPDATE_ROLLED_BACK, /* the kept previous version is back (rollback) */
};

/* The outcome for one database, given to the callback; pointers live during the call. */
typedef struct rq_update_result {
	const char *name;
	uint64_t old_version; /* installed before; 0 when none */
	uint64_t new_version; /* installed after, or offered when refused/failed */
	int status;           /* enum rq_update_status */
	const char *reason;   /* why it was refused or failed, else NULL */
} rq_update_result;

typedef void (*rq_update_cb)(const rq_update_result *r, void *payload);

/*
 * Bring db_dir up to date with the mirror. The callback is told about each
 * database the index lists. Returns 0 when every one is current or was
 * installed, RQ_EVERIFY when one was refused or failed (others may still
 * have been installed), RQ_ESTOPPED when *cancel stopped it (databases told
 * before stay installed), or an error before any database was looked at (the
 * index could not be fetched, or was refused: last error says why; the
 * mirror's certificate or pinned key not verifying is RQ_EVERIFY).
 *
 * Test hook: environment RQ_UPDATE_CRASH_AT=STEP makes the process _exit(137)
 * right after STEP of the first database reaching it: "download" (.part
 * written and fsync'd), "verify", "prev" (NAME.rqdb.prev in place),
 * "rename" (new NAME.rqdb in place), "sync" (folder fsync'd).
 * RQ_UPDATE_BACKOFF_MS=N sets the first retry delay (default
 * RQ_UPDATE_BACKOFF_MS of limits.h) so tests of retries run fast.
 */
int rq_update_run(const rq_update_options *o, rq_update_cb cb, void *payload);

/*
 * Swap NAME.rqdb.prev back in as NAME.rqdb (the replaced version becomes
 * .prev, so a second rollback undoes the first). `name` NULL: every database
 * with a kept previous version. The previous file must still verify with
 * `ring`. Returns 0, RQ_ENOTFOUND when there is nothing to roll back, or
 * RQ_EVERIFY when one was refused or failed (told to the callback).
 */
int rq_update_rollback(const char *db_dir, const rq_keyring *ring, const char *name,
		       rq_update_cb cb, void *payload);

/* Name of a status for output: "current", "updated", "refused", "failed", "rolled back". */
const char *rq_update_status_name(int status);

#endif
