/*
 * The folders of `raquet scan --quick`: the world-writable temporary folders
 * and the users' Downloads folders, those that exist, without repeating a
 * folder reached twice (two users sharing a home). The persistence places
 * are read by scan_persist.c, which --quick turns on (scan_options.c).
 */
#include "scan_quick.h"

#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Folders scanned by --quick besides the Downloads folders. */
static const char *const fixed_folders[] = { "/tmp", "/var/tmp", "/dev/shm" };

typedef struct seen_dirs {
	dev_t *dev;
	ino_t *ino;
	size_t n;
} seen_dirs;

/* Add `path` (copied) if it is a folder not added yet. 0, or -1 on OOM. */
static int add_folder(strlist *paths, quick_list *out, seen_dirs *seen, const char *path)
{
	struct stat st;
	if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
		return 0;
	for (size_t i = 0; i < seen->n; i++)
		if (seen->dev[i] == st.st_dev && seen->ino[i] == st.st_ino)
			return 0;
	dev_t *dev = realloc(seen->dev, (seen->n + 1) * sizeof(*dev));
	if (dev)
		seen->dev = dev;
	ino_t *ino = dev ? realloc(seen->ino, (seen->n + 1) * sizeof(*ino)) : NULL;
	if (ino)
		seen->ino = ino;
	char **v = ino ? realloc(out->v, (out->n + 1) * sizeof(*v)) : NULL;
	if (v)
		out->v = v;
	char *copy = v ? strdup(path) : NULL;
	if (!copy)
		return -1;
	if (strlist_add(paths, copy)) {
		free(copy);
		return -1;
	}
	out->v[out->n++] = copy;
	seen->dev[seen->n] = st.st_dev;
	seen->ino[seen->n++] = st.st_ino;
	return 0;
}

int quick_locations(strlist *paths, quick_list *out)
{
	seen_dirs seen = { NULL, NULL, 0 };
	int rc = 0;
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; rc == 0 && i < sizeof(fixed_folders) / sizeof(fixed_folders[0]); i++)
		rc = add_folder(paths, out, &seen, fixed_folders[i]);
	setpwent();
	struct passwd *pw;
	while (rc == 0 && (pw = getpwent()) != NULL) {
		char path[4096];
		if (!pw->pw_dir || pw->pw_dir[0] != '/' || !strcmp(pw->pw_dir, "/"))
			continue;
		if ((size_t)snprintf(path, sizeof(path), "%s/Downloads", pw->pw_dir) >= sizeof(path))
			continue;
		rc = add_folder(paths, out, &seen, path);
	}
	endpwent();
	if (rc != 0)
		fprintf(stderr, "ERROR: --quick: out of memory\n");
	free(seen.dev);
	free(seen.ino);
	return rc;
}

void quick_free(quick_list *list)
{
	for (size_t i = 0; i < list->n; i++)
		free(list->v[i]);
	free(list->v);
	memset(list, 0, sizeof(*list));
}
