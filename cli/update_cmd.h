/*
 * `raquet update` (update_cmd.c) and `raquet mirror publish` (mirror_cmd.c):
 * fetching signed databases from a mirror and maintaining a mirror folder.
 * Reference: docs/cli.md, docs/mirror.md.
 */
#ifndef RQ_CLI_UPDATE_CMD_H
#define RQ_CLI_UPDATE_CMD_H

#include <stdio.h>

int update_main(int argc, char **argv);
void update_help(FILE *f);
int mirror_main(int argc, char **argv);
void mirror_help(FILE *f);

#endif
