/*
 * What `raquet scan` does to a file reported as FOUND (scan_actions.c):
 * nothing, quarantine, remove, move or copy -- always on the descriptor that
 * was scanned, never on whatever the path names by the time of the action.
 */
#ifndef RQ_CLI_SCAN_ACTIONS_H
#define RQ_CLI_SCAN_ACTIONS_H

#include <stddef.h>

#include "raquet/vault.h"

typedef enum scan_action_kind {
	ACTION_REPORT = 0, /* only print the result */
	ACTION_QUARANTINE,
	ACTION_REMOVE,
	ACTION_MOVE,
	ACTION_COPY,
} scan_action_kind;

/* "report", "quarantine", "remove", "move", "copy". */
const char *scan_action_name(scan_action_kind kind);

/* What one action did. `dest` is owned: free it with scan_outcome_clear. */
typedef struct scan_outcome {
	scan_action_kind kind; /* ACTION_REPORT: nothing was attempted */
	int ok;
	char id[RQ_VAULT_ID_LEN + 1]; /* quarantine: the vault item */
	char *dest;                   /* move, copy: the new file's path */
	char error[512];              /* when !ok: why, without the path in front */
} scan_outcome;

void scan_outcome_clear(scan_outcome *o);

/*
 * Remove `path` only if it still names the regular file open as `fd` (same
 * device and inode, not a symlink); otherwise refuse, leaving it alone.
 * Returns 0, or a negative RQ_E* code with the reason in `err`.
 */
int scan_action_remove(int fd, const char *path, char *err, size_t err_cap);

/*
 * Copy the content of `fd` (from offset 0) to DIR/<last name of path>, or
 * DIR/<name>.1, .2 ... when taken, through a temporary file that is synced
 * and renamed without replacing anything; the copy keeps the permission
 * bits (without setuid, setgid and sticky) and the times. With `move`, the
 * original is then removed as scan_action_remove does, and if that is
 * refused the copy is removed again. `*out_dest` (free() it) gets the path
 * of the copy on success. Returns 0, or a negative RQ_E* code with `err`.
 */
int scan_action_copy(int fd, const char *path, const char *dir, int move, char **out_dest,
		     char *err, size_t err_cap);

#endif
