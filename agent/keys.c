/*
 * Installing the mirror's public keys from a server answer (keys.h): the
 * whole set checked first (names, contents, count, digest) so a hostile
 * or broken server gets nothing written, then each file written atomically
 * into the trusted keys folder, and the set recorded in status.json as
 * {"mirror_keys": {"digest", "dir", "files": [NAME, ...]}}.
 */
#include "keys.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent_limits.h"
#include "core/error.h"
#include "core/limits.h"
#include "db/dbfs.h"
#include "db/keyfiles.h"
#include "db/sign.h"
#include "log.h"

#define STATUS_KEY "mirror_keys"

/* A name from the server as it may be shown: at most 64 bytes, control and non-ASCII bytes as '?'. */
static const char *shown(const char *name, char *buf, size_t size)
{
	size_t i = 0;
	for (; name[i] && i + 1 < size && i < 64; i++)
		buf[i] = (unsigned char)name[i] < 0x20 || (unsigned char)name[i] >= 0x7f ? '?' : name[i];
	buf[i] = '\0';
	return buf;
}

/* Every key of the set checked against the rules and the digest; nothing is written here. */
static int check_set(const json_t *keys, const char *digest)
{
	const char *names[RQ_AGENT_MAX_MIRROR_KEYS], *texts[RQ_AGENT_MAX_MIRROR_KEYS];
	size_t lens[RQ_AGENT_MAX_MIRROR_KEYS], n = 0;
	char buf[80], want[RQ_KEYFILES_DIGEST_HEX + 1];
	rq_keyring *ring = NULL;
	const char *name;
	json_t *v;
	int rc = 0;
	if (!json_is_object(keys))
		return rq_fail(RQ_EVERIFY, "mirror_keys: expected an object of NAME.pub: PEM text");
	if (json_object_size(keys) > RQ_AGENT_MAX_MIRROR_KEYS)
		return rq_fail(RQ_ELIMIT, "mirror_keys: %zu keys, more than the %d an agent takes", json_object_size(keys),
			       RQ_AGENT_MAX_MIRROR_KEYS);
	if (!digest || strlen(digest) != RQ_KEYFILES_DIGEST_HEX)
		return rq_fail(RQ_EVERIFY, "mirror_keys_digest: missing or not a SHA-256 in hex");
	if ((rc = rq_keyring_new(&ring)))
		return rc;
	json_object_foreach((json_t *)keys, name, v) {
		const char *text = json_string_value(v);
		if (!rq_keyfile_name_ok(name)) {
			rc = rq_fail(RQ_EVERIFY, "mirror key '%s' refused: a key file name is letters, digits, '.', '_' "
				     "and '-' ending in .pub, no path", shown(name, buf, sizeof(buf)));
			goto done;
		}
		if (!text || strlen(text) != json_string_length(v)) {
			rc = rq_fail(RQ_EVERIFY, "mirror key %s refused: not PEM text", name);
			goto done;
		}
		if ((rc = rq_keyring_add_pem(ring, text, json_string_length(v), name))) {
			rc = rq_fail(RQ_EVERIFY, "mirror key refused: %s", rq_error_last());
			goto done;
		}
		names[n] = name;
		texts[n] = text;
		lens[n++] = json_string_length(v);
	}
	if ((rc = rq_keyfiles_digest(want, names, texts, lens, n)))
		goto done;
	if (strcmp(want, digest))
		rc = rq_fail(RQ_EVERIFY, "mirror_keys_digest %s does not match the keys sent (%s)",
			     shown(digest, buf, sizeof(buf)), want);
done:
	rq_keyring_free(ring);
	return rc;
}

/* Write one checked key as `name` in the folder `dirfd` (`dir`), unless it is there already. */
static int install_one(int dirfd, const char *dir, const char *name, const char *text, size_t len,
		       rq_agent_key_cb cb, void *payload)
{
	char tmp[RQ_KEYFILE_MAX_NAME + 8], path[PATH_MAX];
	rq_mapped old;
	int rc = 0, same = 0;
	snprintf(tmp, sizeof(tmp), ".%s.tmp", name); /* hidden: the keyring never reads it */
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path))
		return rq_fail(RQ_ELIMIT, "%s/%s: path too long", dir, name);
	if (rq_map_at(&old, dirfd, name, RQ_MAX_KEY_FILE) == 0) {
		same = old.len == len && (!len || !memcmp(old.data, text, len));
		rq_unmap(&old);
	}
	rq_error_clear(); /* a missing or unreadable old file is simply replaced */
	if (!same) {
		unlinkat(dirfd, tmp, 0); /* left by a crash */
		if ((rc = rq_write_synced(dirfd, dir, tmp, text, len, 0644, 1)))
			return rc;
		if (fchmodat(dirfd, tmp, 0644, 0) || renameat(dirfd, tmp, dirfd, name)) { /* 0644 whatever the umask */
			rc = rq_fail_errno(RQ_EIO, errno, "%s: cannot put it in place", path);
			unlinkat(dirfd, tmp, 0);
			return rc;
		}
	}
	cb(path, !same, payload);
	return 0;
}

static void log_key(const char *path, int written, void *payload)
{
	if (written)
		rq_alog(RQ_ALOG_INFO, "trusted key installed: %s", path);
	else
		rq_alog(RQ_ALOG_DEBUG, "trusted key current: %s", path);
}

int rq_agent_keys_apply(const rq_agent_config *cfg, const json_t *answer, json_t *status, rq_agent_key_cb cb,
			void *payload)
{
	const json_t *keys = json_object_get(answer, "mirror_keys");
	const char *digest = json_string_value(json_object_get(answer, "mirror_keys_digest"));
	const char *dir = rq_agent_config_keys_dir(cfg);
	const char *name;
	json_t *v;
	int dirfd = -1, rc;
	if (!keys)
		return 0;
	if ((rc = check_set(keys, digest)))
		goto done;
	if (mkdir(dir, 0755) && errno != EEXIST) {
		rc = rq_fail_errno(RQ_EIO, errno, "%s: cannot create the trusted keys folder", dir);
		goto done;
	}
	if ((dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		rc = rq_fail_errno(RQ_EIO, errno, "%s: cannot open the trusted keys folder", dir);
		goto done;
	}
	json_object_foreach((json_t *)keys, name, v) {
		if ((rc = install_one(dirfd, dir, name, json_string_value(v), json_string_length(v), cb ? cb : log_key,
				      payload)))
			goto done;
	}
	if ((rc = rq_fsync_dir(dirfd, dir)))
		goto done;
	json_t *files = json_array();
	json_object_foreach((json_t *)keys, name, v)
		json_array_append_new(files, json_string(name));
	/* "o" takes files, also when packing fails */
	json_t *record = json_pack("{s:s, s:s, s:o}", "digest", digest, "dir", dir, "files", files);
	if (!record || json_object_set_new(status, STATUS_KEY, record))
		rc = rq_fail(RQ_ENOMEM, "out of memory");
done:
	if (dirfd >= 0)
		close(dirfd);
	return rc;
}

const char *rq_agent_keys_digest(const rq_agent_config *cfg, const json_t *status)
{
	const json_t *record = json_object_get(status, STATUS_KEY), *files = json_object_get(record, "files");
	const char *digest = json_string_value(json_object_get(record, "digest"));
	const char *dir = json_string_value(json_object_get(record, "dir"));
	char path[PATH_MAX];
	size_t i;
	json_t *f;
	if (!digest || strlen(digest) != RQ_KEYFILES_DIGEST_HEX || !dir || strcmp(dir, rq_agent_config_keys_dir(cfg)) ||
	    !json_is_array(files))
		return NULL;
	json_array_foreach(files, i, f) { /* a handful of stat calls per heartbeat */
		const char *name = json_string_value(f);
		if (!name || !rq_keyfile_name_ok(name) ||
		    (size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path) || access(path, F_OK))
			return NULL;
	}
	return digest;
}
