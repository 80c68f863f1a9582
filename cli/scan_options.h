/*
 * Options of `raquet scan`: one table (name, short letter, argument, help
 * line) drives both the parser and the --help text; docs/cli.md and the man
 * page are checked against --help by tests/cli/test_docs.sh.
 */
#ifndef RQ_CLI_SCAN_OPTIONS_H
#define RQ_CLI_SCAN_OPTIONS_H

#include <stddef.h>
#include <stdio.h>

#include "raquet/raquet.h"
#include "scan_actions.h"

/* A NULL-terminated, growable list of borrowed or owned strings. */
typedef struct strlist {
	const char **v; /* v[n] == NULL when n > 0 */
	size_t n, cap;
} strlist;

int strlist_add(strlist *l, const char *s);
void strlist_free(strlist *l);

typedef struct scan_config {
	strlist databases;      /* -d */
	strlist paths;          /* operands */
	strlist file_lists;     /* -f: newline-separated lists */
	strlist file_lists0;    /* --file-list0: NUL-separated lists */
	strlist exclude, include, exclude_dir;
	int recursive;
	int infected_only;      /* -i / -o */
	int quiet;
	int no_summary;
	int verbose;
	int all_matches;
	int json;
	int strict;
	const char *trusted_keys; /* NULL: the default folder */
	int allow_unsigned;
	int alert_exceeds_max;
	int alert_encrypted;
	int scan_archives;
	int progress;           /* -1: when stderr is a terminal */
	int cross_fs;
	int follow_dir_symlinks;  /* clamscan's 0 never, 1 path arguments only, 2 always */
	int follow_file_symlinks;
	unsigned threads;       /* 0: one per CPU */
	rq_scan_limits limits;
	scan_action_kind action;  /* on files reported as FOUND */
	const char *action_dir;   /* --move / --copy folder */
	const char *vault_dir;    /* --vault, NULL if not given */
	int processes;            /* --processes: scan the running processes' images */
	int connections;          /* --connections: list connections to malicious addresses */
	int kill;                 /* --kill: SIGKILL the detected processes */
	int quick;                /* --quick: processes and the usual malware folders */
	int persistence;          /* --persistence: scan persistence entries' targets */
	const char *persistence_root; /* --persistence-root (tests), NULL: "/" */
} scan_config;

/* Result of parsing. */
enum {
	SCAN_OPTIONS_OK = 0,
	SCAN_OPTIONS_EXIT = 1,   /* --help or --version printed: exit 0 */
	SCAN_OPTIONS_USAGE = 2,  /* message printed on stderr: exit 2 */
};

/* Parse argv[1..argc) (argv[0] is "scan"). Free cfg with scan_config_free. */
int scan_options_parse(scan_config *cfg, int argc, char **argv);
void scan_config_free(scan_config *cfg);

/* The --help text, generated from the option table. */
void scan_options_help(FILE *f);

#endif
