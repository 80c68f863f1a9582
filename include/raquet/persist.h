/*
 * Persistence entries (Linux): find the lines of the usual autostart places
 * -- ld.so.preload, rc.local, systemd units and timers, crontabs, cron.daily
 * style folders, at jobs, shell start-up files, XDG autostart -- that would
 * start a given kind of file (e.g. a detected one), and disable them with a
 * backup in the quarantine vault. Every place is looked up under a root folder, so tests use a fake
 * root. Overview and officer's guide: docs/remediation.md.
 */
#ifndef RAQUET_PERSIST_H
#define RAQUET_PERSIST_H

#include <stddef.h>

#include "vault.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Where an entry was found. */
typedef enum rq_persist_kind {
	RQ_PERSIST_PRELOAD,   /* /etc/ld.so.preload: each listed library */
	RQ_PERSIST_RCLOCAL,   /* /etc/rc.local: absolute path tokens */
	RQ_PERSIST_SYSTEMD,   /* *.service: ExecStart=, ExecStartPre=, ExecStartPost= */
	RQ_PERSIST_CRON,      /* /etc/crontab, /etc/cron.d/, /var/spool/cron/crontabs/ */
	RQ_PERSIST_SHELL,     /* profile.d *.sh files, bash.bashrc, .bashrc, .profile */
	RQ_PERSIST_AUTOSTART, /* XDG autostart *.desktop: Exec= program */
	/* Added later (values appended, so existing ones keep their numbers): */
	RQ_PERSIST_TIMER,     /* *.timer whose unit (Unit=, else NAME.service) starts the
				 target: `line` is the Unit= line, or 1 */
	RQ_PERSIST_CRONDIR,   /* /etc/cron.{hourly,daily,weekly,monthly}/ scripts: the
				 script itself (line 1) and absolute path tokens */
	RQ_PERSIST_AT         /* `at` jobs, /var/spool/cron/atjobs/: the job file itself
				 (line 1) and absolute path tokens */
} rq_persist_kind;

/* One entry. The strings are valid only during the callback. */
typedef struct rq_persist_entry {
	rq_persist_kind kind;
	const char *file;   /* the file holding it, as named on the machine
			       (without the root prefix), e.g. "/etc/crontab" */
	unsigned line;      /* 1-based line number in `file` */
	const char *target; /* the absolute path it starts, as written */
} rq_persist_entry;

/* "PRELOAD", "RCLOCAL", "SYSTEMD", "CRON", "SHELL", "AUTOSTART", "TIMER",
 * "CRONDIR", "AT". */
const char *rq_persist_kind_name(rq_persist_kind kind);

/* Nonzero if the entries starting `target` (as written, not under the root)
 * are wanted, e.g. because the file is detected. */
typedef int (*rq_persist_pred)(const char *target, void *payload);

/* Called for each wanted entry; return 0 to go on, else the search stops
 * with RQ_ESTOPPED. */
typedef int (*rq_persist_cb)(const rq_persist_entry *entry, void *payload);

/*
 * Find the persistence entries under `root` ("/" for the machine; a place
 * /etc/x is read from root/etc/x; home folders are root/root and
 * root/home/NAME) whose target satisfies `wanted` (NULL: every entry), and
 * pass each to `cb`, in a fixed order of places. Missing or unreadable
 * files are skipped; files larger than RQ_PERSIST_MAX_FILE are skipped.
 * Returns 0, RQ_ESTOPPED, RQ_EINVAL (root too long) or RQ_ENOMEM.
 */
int rq_persist_find(const char *root, rq_persist_pred wanted, rq_persist_cb cb, void *payload);

/*
 * Nonzero if disabling an entry of `kind` takes its whole holding file to
 * the vault (systemd units and timers, cron.daily style scripts, at jobs,
 * autostart .desktop files); zero if it comments out the entry's line
 * (ld.so.preload, rc.local, crontabs, shell start-up files).
 */
int rq_persist_whole_file(rq_persist_kind kind);

/* One line of a holding file to disable. */
typedef struct rq_persist_line {
	unsigned line;      /* 1-based, as in rq_persist_entry */
	const char *target; /* the entry's target: must still be on that line */
} rq_persist_line;

/* What rq_persist_disable did. */
typedef struct rq_persist_disabled {
	char id[RQ_VAULT_ID_LEN + 1]; /* the vault item: the file itself (whole_file)
					 or the backup of its original content */
	int whole_file;               /* 1: the file went to the vault */
	size_t links_removed;         /* systemd *.wants/ links removed (recorded in the item) */
} rq_persist_disabled;

/*
 * Disable the entries of one holding file `file` (as named on the machine;
 * read as root+file) of kind `kind`, so that it no longer starts anything:
 *  - whole-file kinds: the file is quarantined (rq_vault_quarantine_ex);
 *    for units and timers, the symlinks to it in the *.wants/, *.requires/
 *    and *.upholds/ folders of its own folder and /etc/systemd/system are
 *    recorded in the item, then removed. Each listed line must still hold
 *    its target (not checked for timers, nor for an entry whose target is
 *    the file itself), else nothing is done (RQ_ENOTFOUND).
 *  - line kinds: the original content is stored in the vault as a backup
 *    item (the file stays), then the file is rewritten crash-safely (a new
 *    file beside it, same owner and mode, fsync, rename) with each line of
 *    `lines` turned into "# raquet: disabled (quarantine ID ID): LINE" (shell
 *    files get ": " in front, a no-op command, so an emptied block stays
 *    valid shell). Every listed line must still hold its target and not be a
 *    comment, else nothing is changed (RQ_ENOTFOUND).
 * A symlink as `file` is refused (RQ_EINVAL). `names` are the detection
 * names kept with the item. Returns 0 and fills `out`, or a negative code
 * with nothing changed (if the rewrite fails, the backup is deleted again).
 * Test hook: RQ_PERSIST_CRASH_AT=1 exits after the backup is stored, =2
 * after the new content is written beside the file, before the rename.
 */
int rq_persist_disable(rq_vault *vault, const char *root, rq_persist_kind kind, const char *file,
		       const rq_persist_line *lines, size_t n_lines,
		       const char *const *names, size_t n_names, rq_persist_disabled *out);

#ifdef __cplusplus
}
#endif

#endif
