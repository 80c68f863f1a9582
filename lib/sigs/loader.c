/*
 * Choosing the loader for a signature file by its extension, and loading
 * every known file of a folder. The formats themselves are parsed in their
 * own files in this folder.
 */
#include "sigs/loader.h"

#include <dirent.h>
#include <stdio.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/limits.h"

/* Largest signature file read into memory (ClamAV's main.hsb is ~300 MB). */
#define MAX_SIG_FILE (2048ULL * RQ_MIB)

static int known_ext(const char *ext)
{
	static const char *const exts[] = { "hdb", "hsb", "fp", "sfp", "ign", "ign2", "ndb",
					    "cvd", "cld", "yar", "yara", "yarc", "txt", "csv", NULL };
	for (int i = 0; exts[i]; i++)
		if (!strcmp(ext, exts[i]))
			return 1;
	return 0;
}

int rq_sigset_load_buffer(rq_sigset *set, const char *ext, const char *name,
			  const uint8_t *data, size_t len)
{
	if (!strcmp(ext, "hdb") || !strcmp(ext, "hsb") || !strcmp(ext, "fp") || !strcmp(ext, "sfp"))
		return rq_load_clamav_hash(set, name, ext, data, len);
	if (!strcmp(ext, "ign") || !strcmp(ext, "ign2"))
		return rq_load_clamav_ign(set, name, ext, data, len);
	if (!strcmp(ext, "ndb"))
		return rq_load_clamav_ndb(set, name, data, len);
	if (!strcmp(ext, "cvd") || !strcmp(ext, "cld"))
		return rq_load_clamav_cvd(set, name, ext, data, len);
	if (!strcmp(ext, "txt") || !strcmp(ext, "csv"))
		return rq_load_ioc(set, name, data, len);
	if (!strcmp(ext, "yar") || !strcmp(ext, "yara") || !strcmp(ext, "yarc"))
		return rq_load_yara(set, name, data, len, !strcmp(ext, "yarc"));
	return rq_fail(RQ_EUNSUPPORTED, "%s: unknown signature file type '.%s'", name, ext);
}

static int load_file(rq_sigset *set, const char *path)
{
	uint8_t *data = NULL;
	size_t len = 0;
	int rc = rq_read_file(path, MAX_SIG_FILE, &data, &len);
	if (rc)
		return rc;
	if (set->on_file && (rc = set->on_file(path, data, len, set->hook_payload))) {
		free(data);
		return rc;
	}
	rc = rq_sigset_load_buffer(set, rq_extension(path), path, data, len);
	free(data);
	if (!rc)
		set->stats.files++;
	return rc;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Files of a folder in name order, so loading (and first-match naming) is deterministic. */
static int load_dir(rq_sigset *set, const char *dir)
{
	int rc = 0;
	char **names = NULL;
	size_t count = 0, cap = 0;
	DIR *d = opendir(dir);
	if (!d)
		return rq_fail_errno(RQ_EIO, errno, "%s: cannot open folder", dir);
	struct dirent *de;
	while ((de = readdir(d))) {
		const char *ext = rq_extension(de->d_name);
		if (de->d_name[0] == '.' || !(known_ext(ext) || (set->on_rqdb && !strcmp(ext, "rqdb"))))
			continue;
		rc = rq_grow((void **)&names, &cap, count + 1, sizeof(*names));
		if (rc)
			goto done;
		if (!(names[count] = strdup(de->d_name))) {
			rc = rq_fail(RQ_ENOMEM, "out of memory");
			goto done;
		}
		count++;
	}
	if (count) /* an empty folder: no array at all, and qsort must not see NULL */
		qsort(names, count, sizeof(*names), cmp_names);
	for (size_t i = 0; i < count && !rc; i++) {
		size_t n = strlen(dir) + strlen(names[i]) + 2;
		char *path = malloc(n);
		if (!path) {
			rc = rq_fail(RQ_ENOMEM, "out of memory");
			break;
		}
		snprintf(path, n, "%s/%s", dir, names[i]);
		struct stat st;
		if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
			rc = !strcmp(rq_extension(path), "rqdb")
				     ? set->on_rqdb(path, 0, set->hook_payload)
				     : load_file(set, path);
		free(path);
	}
done:
	for (size_t i = 0; i < count; i++)
		free(names[i]);
	free(names);
	closedir(d);
	return rc;
}

int rq_sigset_load_path(rq_sigset *set, const char *path)
{
	struct stat st;
	if (stat(path, &st) < 0)
		return rq_fail_errno(RQ_EIO, errno, "%s", path);
	if (S_ISDIR(st.st_mode))
		return load_dir(set, path);
	const char *ext = rq_extension(path);
	if (set->on_rqdb && !strcmp(ext, "rqdb"))
		return set->on_rqdb(path, 1, set->hook_payload);
	if (!known_ext(ext))
		return rq_fail(RQ_EUNSUPPORTED, "%s: unknown signature file type '.%s'", path, ext);
	return load_file(set, path);
}
