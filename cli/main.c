/*
 * The raquet command: dispatches subcommands (`raquet scan ...`) and the
 * global --version and help. Each subcommand lives in its own *_cmd.c;
 * reference in docs/cli.md.
 */
#include <stdio.h>
#include <string.h>

#include "raquet/raquet.h"
#include "agent_cmd.h"
#include "db_cmd.h"
#include "quarantine_cmd.h"
#include "scan_cmd.h"
#include "scan_options.h"
#include "update_cmd.h"

static void usage(FILE *f)
{
	fputs("Usage: raquet COMMAND [OPTIONS] [ARGS...]\n"
	      "\n"
	      "Commands:\n"
	      "  scan [OPTIONS] [PATH...]   scan files and folders (clamscan-compatible)\n"
	      "  quarantine COMMAND ...     review, restore and delete quarantined files\n"
	      "  db COMMAND ...             build, inspect and verify signed databases (.rqdb)\n"
	      "  update [OPTIONS]           install new databases from a mirror (URL or folder)\n"
	      "  mirror publish ...         add databases to a mirror folder and sign its index\n"
	      "  agent enroll|status ...    enroll this machine with raquet-server; agent status\n"
	      "  help [COMMAND]             show help for raquet or a command\n"
	      "\n"
	      "  raquet --version           print the version\n"
	      "\n"
	      "See 'raquet help scan' or raquet-scan(1).\n",
	      f);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	const char *cmd = argv[1];
	if (!strcmp(cmd, "scan"))
		return scan_main(argc - 1, argv + 1);
	if (!strcmp(cmd, "quarantine"))
		return quarantine_main(argc - 1, argv + 1);
	if (!strcmp(cmd, "db"))
		return db_main(argc - 1, argv + 1);
	if (!strcmp(cmd, "update"))
		return update_main(argc - 1, argv + 1);
	if (!strcmp(cmd, "mirror"))
		return mirror_main(argc - 1, argv + 1);
	if (!strcmp(cmd, "agent"))
		return agent_main(argc - 1, argv + 1);
	if (!strcmp(cmd, "--version") || !strcmp(cmd, "-V") || !strcmp(cmd, "version")) {
		printf("raquet %s\n", rq_version());
		return 0;
	}
	if (!strcmp(cmd, "help") || !strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
		if (argc > 2 && !strcmp(argv[2], "scan")) {
			scan_options_help(stdout);
			return 0;
		}
		if (argc > 2 && !strcmp(argv[2], "quarantine")) {
			quarantine_help(stdout);
			return 0;
		}
		if (argc > 2 && !strcmp(argv[2], "db")) {
			db_help(stdout);
			return 0;
		}
		if (argc > 2 && !strcmp(argv[2], "update")) {
			update_help(stdout);
			return 0;
		}
		if (argc > 2 && !strcmp(argv[2], "agent")) {
			agent_help(stdout);
			return 0;
		}
		if (argc > 2 && !strcmp(argv[2], "mirror")) {
			mirror_help(stdout);
			return 0;
		}
		if (argc > 2) {
			fprintf(stderr, "raquet: no help for unknown command '%s'\n", argv[2]);
			return 2;
		}
		usage(stdout);
		return 0;
	}
	fprintf(stderr, "raquet: unknown command '%s'\n", cmd);
	usage(stderr);
	return 2;
}
