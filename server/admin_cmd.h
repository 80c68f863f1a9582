/*
 * Operator commands of raquet-server that work on the store directly, for
 * a first install and for scripts: `raquet-server unit add`,
 * `raquet-server token create` (an enrollment token for a unit's machines),
 * `raquet-server user add` and `user passwd` (a lost password).
 * Reference: docs/server.md.
 */
#ifndef RQ_SERVER_ADMIN_CMD_H
#define RQ_SERVER_ADMIN_CMD_H

/* argv[0] is "unit", "token" or "user". Exit status: 0 done, 1 failed, 2 usage. */
int rq_admin_main(int argc, char **argv);

#endif
