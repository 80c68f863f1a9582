/*
 * `raquet-server ncsc report`: make the report to the national monitoring
 * centre from the command line -- with --dry-run, write the signed and
 * validated document to a file without sending or queueing it; without,
 * queue it for the running server to deliver; `raquet-server ncsc schema`
 * prints the XSD built into the program. Reference: docs/ncsc.md.
 */
#ifndef RQ_SERVER_NCSC_CMD_H
#define RQ_SERVER_NCSC_CMD_H

/* argv[0] is "ncsc". Exit status: 0 done, 1 failed, 2 usage. */
int rq_ncsc_cmd_main(int argc, char **argv);

#endif
