/*
 * Persistence entries (Linux): find the lines of the usual autostart places
 * -- ld.so.preload, rc.local, systemd units, crontabs, shell start-up files,
 * XDG autostart -- that would start a given kind of file (e.g. a detected
 * one). Every place is looked up under a root folder, so tests use a fake
 * root. Overview and officer's guide: docs/remediation.md.
 */
#ifndef RAQUET_PERSIST_H
#define RAQUET_PERSIST_H

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
	RQ_PERSIST_AUTOSTART  /* XDG autostart *.desktop: Exec= program */
} rq_persist_kind;

/* One entry. The strings are valid only during the callback. */
typedef struct rq_persist_entry {
	rq_persist_kind kind;
	const char *file;   /* the file holding it, as named on the machine
			       (without the root prefix), e.g. "/etc/crontab" */
	unsigned line;      /* 1-based line number in `file` */
	const char *target; /* the absolute path it starts, as written */
} rq_persist_entry;

/* "PRELOAD", "RCLOCAL", "SYSTEMD", "CRON", "SHELL", "AUTOSTART". */
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

#ifdef __cplusplus
}
#endif

#endif
