/*
 * Loading [mirror] keys (mirror_keys.h): the folder's *.pub files in name
 * order, each checked as agents will check it (lib/db/keyfiles.h for the
 * name, the keyring for the key), kept as text with the set's digest.
 */
#include "config/mirror_keys.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/limits.h"
#include "core/error.h"
#include "core/util.h"
#include "db/keyfiles.h"
#include "db/sign.h"

struct rq_mirror_keys {
	size_t count;
	char *names[RQ_SRV_MAX_MIRROR_KEYS];
	char *texts[RQ_SRV_MAX_MIRROR_KEYS];
	size_t lens[RQ_SRV_MAX_MIRROR_KEYS];
	char digest[RQ_KEYFILES_DIGEST_HEX + 1];
};

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names of the *.pub files of `dir`, sorted, into k->names. */
static int list_names(rq_mirror_keys *k, const char *dir)
{
	int rc = 0;
	DIR *d = opendir(dir);
	if (!d)
		return rq_fail_errno(RQ_EIO, errno, "%s", dir);
	for (struct dirent *e; (e = readdir(d));) {
		size_t len = strlen(e->d_name);
		if (e->d_name[0] == '.' || len < 5 || strcmp(e->d_name + len - 4, ".pub"))
			continue;
		if (k->count == RQ_SRV_MAX_MIRROR_KEYS) {
			rc = rq_fail(RQ_ELIMIT, "%s: more than %d keys (*.pub)", dir, RQ_SRV_MAX_MIRROR_KEYS);
			goto done;
		}
		if (!rq_keyfile_name_ok(e->d_name)) {
			rc = rq_fail(RQ_EINVAL, "%s/%s: agents accept only names of letters, digits, '.', '_' and '-' "
				     "(at most %d bytes)", dir, e->d_name, RQ_KEYFILE_MAX_NAME);
			goto done;
		}
		if (!(k->names[k->count] = strdup(e->d_name))) {
			rc = rq_fail(RQ_ENOMEM, "%s: out of memory", dir);
			goto done;
		}
		k->count++;
	}
	if (k->count == 0)
		rc = rq_fail(RQ_EINVAL, "%s: no public key (*.pub, as 'raquet db keygen' writes them) to hand to agents",
			     dir);
	qsort(k->names, k->count, sizeof(k->names[0]), by_name);
done:
	closedir(d);
	return rc;
}

/* Read key file i of `dir` and check that agents will take it. */
static int read_key(rq_mirror_keys *k, size_t i, const char *dir, rq_keyring *ring)
{
	char path[4096];
	uint8_t *data = NULL;
	size_t len = 0;
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, k->names[i]) >= sizeof(path))
		return rq_fail(RQ_ELIMIT, "%s/%s: path too long", dir, k->names[i]);
	int rc = rq_read_file(path, RQ_SRV_MAX_MIRROR_KEY_FILE, &data, &len);
	if (rc == RQ_ELIMIT)
		rc = rq_fail(rc, "%s: larger than a public key file (at most %d bytes)", path,
			     RQ_SRV_MAX_MIRROR_KEY_FILE);
	for (size_t b = 0; rc == 0 && b < len; b++)
		if (data[b] == 0 || data[b] >= 0x80) /* a PEM is ASCII; JSON carries it as a string */
			rc = rq_fail(RQ_EPARSE, "%s: not a PEM text file (byte %zu)", path, b);
	if (rc == 0)
		rc = rq_keyring_add_pem(ring, data, len, path);
	if (rc == 0 && !(k->texts[i] = strndup((const char *)data, len)))
		rc = rq_fail(RQ_ENOMEM, "%s: out of memory", path);
	k->lens[i] = len;
	free(data);
	return rc;
}

int rq_mirror_keys_load(rq_mirror_keys **out, const char *dir)
{
	rq_keyring *ring = NULL;
	rq_mirror_keys *k = calloc(1, sizeof(*k));
	int rc = k ? rq_keyring_new(&ring) : rq_fail(RQ_ENOMEM, "out of memory");
	*out = NULL;
	if (rc == 0)
		rc = list_names(k, dir);
	for (size_t i = 0; rc == 0 && i < k->count; i++)
		rc = read_key(k, i, dir, ring);
	if (rc == 0)
		rc = rq_keyfiles_digest(k->digest, (const char *const *)k->names, (const char *const *)k->texts,
					k->lens, k->count);
	if (rc == 0) {
		*out = k;
		k = NULL;
	}
	rq_keyring_free(ring);
	rq_mirror_keys_free(k);
	return rc;
}

void rq_mirror_keys_free(rq_mirror_keys *keys)
{
	if (!keys)
		return;
	for (size_t i = 0; i < keys->count; i++) {
		free(keys->names[i]);
		free(keys->texts[i]);
	}
	free(keys);
}

size_t rq_mirror_keys_count(const rq_mirror_keys *keys)
{
	return keys ? keys->count : 0;
}

const char *rq_mirror_keys_digest(const rq_mirror_keys *keys)
{
	return keys->digest;
}

json_t *rq_mirror_keys_json(const rq_mirror_keys *keys)
{
	json_t *o = json_object();
	for (size_t i = 0; o && i < keys->count; i++)
		if (json_object_set_new(o, keys->names[i], json_stringn(keys->texts[i], keys->lens[i])) < 0) {
			json_decref(o);
			o = NULL;
		}
	return o;
}
