/*
 * `raquet scan --quick`: the places where malware usually lives, added to
 * the paths of the scan (the running processes are scanned by --processes,
 * which --quick turns on). Reference: docs/cli.md.
 */
#ifndef RQ_CLI_SCAN_QUICK_H
#define RQ_CLI_SCAN_QUICK_H

#include <stddef.h>

#include "scan_options.h"

/* The folders found by quick_locations; free with quick_free. */
typedef struct quick_list {
	char **v;
	size_t n;
} quick_list;

/*
 * Add to `paths` the quick-scan folders that exist: /tmp, /var/tmp,
 * /dev/shm and the Downloads folder of every home folder in the password
 * database, each folder once. The strings are owned by `out`, which must
 * outlive `paths`. Returns 0, or -1 after printing an error (out of memory).
 */
int quick_locations(strlist *paths, quick_list *out);
void quick_free(quick_list *list);

#endif
