/*
 * `raquet db ...` (db_cmd.c: build, info, list, verify) and `raquet db keygen`
 * (db_keygen.c). Reference: docs/cli.md.
 */
#ifndef RQ_CLI_DB_CMD_H
#define RQ_CLI_DB_CMD_H

#include <stdio.h>

int db_main(int argc, char **argv);
void db_help(FILE *f);
/* `raquet db keygen --out NAME`: writes NAME.key (0600) and NAME.pub. argv[0] is "keygen". */
int db_keygen_main(int argc, char **argv);

#endif
