/*
 * Option values for the small commands (`raquet update`, `raquet mirror`):
 * `--name VALUE` or `--name=VALUE`, and bounded numbers. The scan command
 * has its own table-driven parser (scan_options.c).
 */
#include "cmd_args.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cmd_arg_value(const char *cmd, int argc, char **argv, int *i, const char *name,
		  const char **value)
{
	const char *a = argv[*i];
	size_t n = strlen(name);
	if (strncmp(a, name, n))
		return 0;
	if (a[n] == '=') {
		*value = a + n + 1;
		return 1;
	}
	if (a[n] != '\0')
		return 0;
	if (*i + 1 >= argc) {
		fprintf(stderr, "%s: %s needs a value\n", cmd, name);
		return -1;
	}
	*value = argv[++*i];
	return 1;
}

int cmd_arg_number(const char *text, long max, long *out)
{
	char *end = NULL;
	errno = 0;
	long v = strtol(text, &end, 10);
	if (!*text || *end || errno || v < 0 || v > max)
		return -1;
	*out = v;
	return 0;
}
