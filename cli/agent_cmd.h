/*
 * `raquet agent enroll` and `raquet agent status` (agent_cmd.c): register
 * this machine with raquet-server and show what its agent knows.
 * Reference: docs/cli.md, raquet-agent(1); guide: docs/agent.md.
 */
#ifndef RQ_CLI_AGENT_CMD_H
#define RQ_CLI_AGENT_CMD_H

#include <stdio.h>

int agent_main(int argc, char **argv);
void agent_help(FILE *f);

#endif
