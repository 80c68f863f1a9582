/* `raquet quarantine`: review, restore and delete quarantined files (quarantine_cmd.c). */
#ifndef RQ_CLI_QUARANTINE_CMD_H
#define RQ_CLI_QUARANTINE_CMD_H

#include <stdio.h>

/* argv[0] is "quarantine". Returns 0 ok, 1 not found or refused, 2 error. */
int quarantine_main(int argc, char **argv);

/* The usage text of `raquet quarantine`. */
void quarantine_help(FILE *f);

#endif
