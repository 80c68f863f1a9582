/* `raquet scan`: options -> engine -> tree walk -> results (scan_cmd.c). */
#ifndef RQ_CLI_SCAN_CMD_H
#define RQ_CLI_SCAN_CMD_H

/* argv[0] is "scan". Returns the exit status: 0 clean, 1 found, 2 error. */
int scan_main(int argc, char **argv);

#endif
