/*
 * The pieces raquet-server's operator commands share (server/cli/): their
 * options, the store of the configuration, units by code, files written
 * whole, audit entries. Each command is a file of this folder; cli.c
 * parses the options and dispatches. Reference: docs/server.md.
 */
#ifndef RQ_SERVER_CLI_H
#define RQ_SERVER_CLI_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

/* The options of `unit`, `token`, `user`, `task` and `report` (pointers into argv). */
typedef struct rq_cli_args {
	const char *config, *store;                      /* every command */
	const char *name, *code, *parent, *contact;      /* unit */
	const char *unit, *label, *login, *role, *display, *email;
	const char *kind;                                /* task, report */
	const char *endpoint, *path, *id;                /* task */
	const char *from, *to, *format, *lang, *output; /* report */
	const char *campaign;                            /* report of a campaign (its id) */
	long uses, days, wait;
	int days_given;                                  /* --days was set (else the command's default) */
	int password_stdin;
} rq_cli_args;

/*
 * `raquet-server unit|token|downstream|user|task ...` (argv[0] the noun, argv[1] the
 * verb) and `raquet-server report ...`. Exit status: 0 done, 1 failed, 2 usage.
 */
int rq_cli_main(int argc, char **argv);

/* The store of the configuration (--config FILE, else the default file if
 * present) or --store URL, migrated; NULL after printing why. *agency (may
 * be NULL) gets a copy of [report] agency (free()). */
rq_store *rq_cli_open_store(const rq_cli_args *a, char **agency);

/* The id of the unit with `code`, 0 if none, -1 on error. */
int64_t rq_cli_unit_by_code(rq_store *s, const char *code);

/* Write `len` bytes to `path` ("-": stdout) through a temporary file
 * synced and renamed into place. */
int rq_cli_write_file(const char *path, const char *data, size_t len);

/* An audit entry by the operator ("system"); a failure is printed, not returned. */
void rq_cli_audit(rq_store *s, const char *action, const char *object_type, int64_t object_id, int64_t unit_id,
		  const char *details_json);

/* The commands (the options parsed; exit status as rq_cli_main). */
int rq_cli_unit_add(const rq_cli_args *a);
int rq_cli_token_create(const rq_cli_args *a);
int rq_cli_downstream_create(const rq_cli_args *a);
int rq_cli_downstream_revoke(const rq_cli_args *a);
int rq_cli_user_add(const rq_cli_args *a);
int rq_cli_user_passwd(const rq_cli_args *a);
int rq_cli_task_add(const rq_cli_args *a);
int rq_cli_task_wait(const rq_cli_args *a);
int rq_cli_report(const rq_cli_args *a);

#endif
