/* Reading `--name VALUE` / `--name=VALUE` options in the small commands (cmd_args.c). */
#ifndef RQ_CLI_CMD_ARGS_H
#define RQ_CLI_CMD_ARGS_H

/*
 * If argv[*i] is the option `name`, store its value (after '=' or the next
 * argument, advancing *i) in *value and return 1; 0 if it is another
 * argument; -1 (message printed, prefixed by `cmd`) when the value is missing.
 */
int cmd_arg_value(const char *cmd, int argc, char **argv, int *i, const char *name,
		  const char **value);

/* Parse a non-negative decimal number no larger than max; 0 or -1. */
int cmd_arg_number(const char *text, long max, long *out);

#endif
