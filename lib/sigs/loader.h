/* Loading signature files and folders into a signature set, by extension. */
#ifndef RQ_SIGS_LOADER_H
#define RQ_SIGS_LOADER_H

#include "sigs/sigset.h"

/* A file (format by extension) or a folder of such files (not recursive). */
int rq_sigset_load_path(rq_sigset *set, const char *path);
/* One file's bytes; `ext` without the dot picks the format. */
int rq_sigset_load_buffer(rq_sigset *set, const char *ext, const char *name,
			  const uint8_t *data, size_t len);

#endif
