/* Which quarantine vault folder a command uses (vault_path.c). */
#ifndef RQ_CLI_VAULT_PATH_H
#define RQ_CLI_VAULT_PATH_H

/*
 * The vault folder: `option` (--vault) when given and not empty, else
 * $RAQUET_VAULT when set and not empty, else RQ_VAULT_DEFAULT_DIR. Never
 * NULL; the string is `option`, the environment's or a constant (not owned).
 */
const char *vault_path_choose(const char *option);

#endif
