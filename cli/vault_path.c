/*
 * The one rule for finding the quarantine vault, shared by `raquet
 * quarantine` and `raquet scan --action=quarantine`: --vault, then
 * $RAQUET_VAULT, then the built-in default (docs/quarantine.md).
 */
#include "vault_path.h"

#include <stdlib.h>

#include "raquet/vault.h"

const char *vault_path_choose(const char *option)
{
	const char *env = getenv("RAQUET_VAULT");
	if (option && *option)
		return option;
	if (env && *env)
		return env;
	return RQ_VAULT_DEFAULT_DIR;
}
