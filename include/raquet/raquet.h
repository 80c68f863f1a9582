/* libraquet: the whole public API. See docs/api.md. */
#ifndef RAQUET_H
#define RAQUET_H

#include "errors.h"
#include "engine.h"
#include "scanner.h"
#include "walk.h"
#include "vault.h"
#include "netconn.h"
#include "procs.h"
#include "persist.h"

#endif
