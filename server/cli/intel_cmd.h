/*
 * `raquet-server intel`: the operator commands of threat intelligence --
 * `import` a list, MISP event, YARA file or MISP feed (a folder on a USB
 * key, or an https:// URL) into the store, and `publish` the indicators
 * into the mirror now instead of waiting for the running server.
 * Reference: docs/intel.md.
 */
#ifndef RQ_SERVER_INTEL_CMD_H
#define RQ_SERVER_INTEL_CMD_H

/* argv[0] is "intel". Exit status: 0 done, 1 failed, 2 usage. */
int rq_intel_cmd_main(int argc, char **argv);

#endif
