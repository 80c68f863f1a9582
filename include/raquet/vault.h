/*
 * The quarantine vault: a root-only folder holding detected files encrypted
 * (AES-256-GCM, key kept in the vault) with authenticated metadata, moved in
 * and out by a crash-safe protocol. Design and on-disk format: docs/quarantine.md.
 */
#ifndef RAQUET_VAULT_H
#define RAQUET_VAULT_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "errors.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Default vault folder (the CLI's --vault / $RAQUET_VAULT override it). */
#define RQ_VAULT_DEFAULT_DIR "/var/lib/raquet/quarantine"
/* Item IDs: 16 hex digits of the quarantine time in ns + 8 random hex digits. */
#define RQ_VAULT_ID_LEN 24

/* An open vault (opaque). One handle may be used by one thread at a time;
 * separate processes are serialised by a lock file inside the vault. */
typedef struct rq_vault rq_vault;

/* One quarantined item's metadata, as stored (and authenticated). */
typedef struct rq_vault_item {
	char id[RQ_VAULT_ID_LEN + 1];
	int damaged;              /* metadata unreadable or failing its MAC: only id is set */
	char *original_path;      /* absolute path the file was taken from */
	uint64_t size;
	uint32_t uid, gid, mode;  /* mode: st_mode (type and permission bits) */
	char *owner, *group;      /* user and group names at quarantine time ("" if none) */
	int64_t atime_ns, mtime_ns;
	char sha256[65];          /* of the original content, lowercase hex */
	char **detections;        /* detection names */
	size_t n_detections;
	int64_t quarantined;      /* unix time (s) */
	char *host;
	/* Added with disabled persistence entries (items written before read as
	 * backup = 0, empty note, no links): */
	int backup;               /* 1: a copy of a file that stayed in place and was then
				     rewritten by raquet; restore puts this content back */
	char replaced_sha256[65]; /* backup: SHA-256 of the content raquet wrote in place
				     ("" if unknown) */
	char *note;               /* what the item is for, e.g. which entry was disabled ("") */
	char **link_paths;        /* symbolic links removed along with the file (systemd
				     enablement links), re-created by a restore to the
				     original path; link_targets[i] is what link_paths[i]
				     pointed to */
	char **link_targets;
	size_t n_links;
} rq_vault_item;

/*
 * Open the vault in `dir` (NULL: RQ_VAULT_DEFAULT_DIR), creating the folder
 * (0700) and its key (32 random bytes, 0600) when missing, then run the
 * recovery pass (rq_vault_recover). Free with rq_vault_close().
 */
int rq_vault_open(rq_vault **out, const char *dir);

/* Close a vault; NULL is a no-op. */
void rq_vault_close(rq_vault *vault);

/* The vault folder (owned by the handle). */
const char *rq_vault_dir(const rq_vault *vault);

/*
 * Quarantine the regular file open as `fd` (read from offset 0), whose path
 * is `path`: copy it encrypted into the vault, verify the copy, then remove
 * the original -- only if `path` still names the same inode as `fd`. Returns
 * RQ_ENOTFOUND if the file was already removed or replaced, RQ_EIO on I/O
 * errors (ENOSPC included); in every failure the original stays untouched
 * and nothing is left in the vault. On success writes the new item's ID
 * (RQ_VAULT_ID_LEN chars + NUL) into `out_id` if not NULL. `names` are the
 * detection names (n_names may be 0). `fd` stays the caller's.
 */
int rq_vault_quarantine_fd(rq_vault *vault, int fd, const char *path,
			   const char *const *names, size_t n_names, char *out_id);

/* Extra choices of rq_vault_quarantine_ex; zero-initialise, then set. */
typedef struct rq_vault_extra {
	const char *id;              /* the item's ID, made with rq_vault_new_id (so the
					caller can name it beforehand); NULL: a new one */
	int backup;                  /* store a copy and leave the original in place */
	const char *replaced_sha256; /* backup: SHA-256 (hex) of the content the caller
					will write in place of the original, or NULL */
	const char *note;            /* free text kept with the item, or NULL */
	const char *const *link_paths;   /* symlinks to record (see rq_vault_item) */
	const char *const *link_targets;
	size_t n_links;
} rq_vault_extra;

/* A new item ID (RQ_VAULT_ID_LEN chars + NUL) for rq_vault_extra.id. */
int rq_vault_new_id(char *out_id);

/*
 * rq_vault_quarantine_fd with `extra` (may be NULL: the same as
 * rq_vault_quarantine_fd). With extra->backup the original is left as it
 * is: the item is complete once its copy is committed and verified. An ID
 * already used in the vault fails with RQ_EIO and changes nothing.
 */
int rq_vault_quarantine_ex(rq_vault *vault, int fd, const char *path,
			   const char *const *names, size_t n_names,
			   const rq_vault_extra *extra, char *out_id);

/* Same, opening `path` with O_NOFOLLOW (a symlink is refused, RQ_EINVAL). */
int rq_vault_quarantine_path(rq_vault *vault, const char *path,
			     const char *const *names, size_t n_names, char *out_id);

/*
 * Every item, oldest first, in `*out` (array of `*out_count` pointers).
 * Items whose metadata fails verification are listed with damaged = 1.
 * Free with rq_vault_items_free(*out, *out_count).
 */
int rq_vault_list(rq_vault *vault, rq_vault_item ***out, size_t *out_count);
void rq_vault_items_free(rq_vault_item **items, size_t count);

/* One item's verified metadata; RQ_ENOTFOUND if no such ID, RQ_EPARSE if it
 * was tampered with. Free with rq_vault_item_free(). */
int rq_vault_get(rq_vault *vault, const char *id, rq_vault_item **out);
void rq_vault_item_free(rq_vault_item *item);

#define RQ_VAULT_FORCE 1u /* restore: replace an existing file */

/*
 * Put an item back, byte-identical, with its mode, owner (when run as root)
 * and times: to its original path, or to `to` (a file path, or an existing
 * folder to restore into under the original name). The parent folder must
 * exist. Refuses (RQ_EINVAL) to replace an existing file unless
 * RQ_VAULT_FORCE -- except a backup item restored to its original path,
 * which replaces the file there when that file still holds what raquet
 * wrote (replaced_sha256) or already the backup's content. Recorded links
 * are re-created (never replacing anything) when restoring to the original
 * path. Refuses (RQ_EPARSE) a tampered item. The item leaves the vault only
 * once the restored file is complete and synced. If `out_path` is not NULL
 * it receives the restored path (free() it).
 */
int rq_vault_restore(rq_vault *vault, const char *id, const char *to, unsigned flags,
		     char **out_path);

/* Delete an item for good; RQ_ENOTFOUND if no such ID. */
int rq_vault_delete(rq_vault *vault, const char *id);

/* Delete the items quarantined more than `days` days ago; the count removed
 * goes to `*out_removed` (may be NULL). Damaged items are left alone. */
int rq_vault_purge(rq_vault *vault, unsigned days, size_t *out_removed);

/*
 * Finish or roll back operations interrupted by a crash (run by
 * rq_vault_open): temporary files are removed; a complete item whose
 * original still exists unchanged is completed by removing the original.
 * `*out_fixed` (may be NULL) counts the operations fixed up.
 */
int rq_vault_recover(rq_vault *vault, size_t *out_fixed);

#ifdef __cplusplus
}
#endif

#endif
