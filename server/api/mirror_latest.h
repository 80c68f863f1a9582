/*
 * The newest signature databases the server's mirror folder publishes, as
 * the heartbeat answer tells agents ("databases": {"main": {"version": 7,
 * "built": 1764000000}}): read from the mirror's index.json, re-read only
 * when that file changes, shared by every server thread.
 */
#ifndef RQ_SERVER_API_MIRROR_LATEST_H
#define RQ_SERVER_API_MIRROR_LATEST_H

#include <jansson.h>

/*
 * A new reference to {"NAME": {"version", "built", "file"}} for the
 * mirror folder `dir`, or an empty object when `dir` is NULL or empty or
 * has no readable, well-formed index (the cause is logged once per change).
 * NULL only when out of memory.
 */
json_t *rq_mirror_latest(const char *dir);

#endif
