/*
 * The state folder's JSON files (state.h): read with ownership and mode
 * checks through one descriptor (no check-then-open race), written beside
 * their final name, fsync'd, renamed over it and the folder fsync'd, so a
 * crash leaves either the old or the new file, never half of one.
 */
#include "state.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/error.h"
#include "db/dbfs.h"

int rq_agent_state_dir_make(const char *state_dir)
{
	char path[PATH_MAX];
	if (snprintf(path, sizeof(path), "%s", state_dir) >= (int)sizeof(path))
		return rq_fail(RQ_ELIMIT, "%s: path too long", state_dir);
	for (char *p = path + 1;; p++) {
		if (*p != '/' && *p)
			continue;
		char c = *p;
		*p = '\0';
		if (mkdir(path, 0700) && errno != EEXIST)
			return rq_fail_errno(RQ_EIO, errno, "%s: cannot create the state folder", path);
		*p = c;
		if (!c)
			break;
	}
	return 0;
}

int rq_agent_json_read(json_t **out, const char *state_dir, const char *name)
{
	*out = NULL;
	char *text = NULL;
	int rc = 0, fd = -1;
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/%s", state_dir, name);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY)) < 0) {
		rc = errno == ENOENT ? rq_fail(RQ_ENOTFOUND, "%s: no such file", path)
				     : rq_fail_errno(RQ_EIO, errno, "%s: cannot open", path);
		goto done;
	}
	struct stat st;
	if (fstat(fd, &st)) {
		rc = rq_fail_errno(RQ_EIO, errno, "%s: cannot stat", path);
		goto done;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > RQ_AGENT_MAX_STATE_FILE) {
		rc = rq_fail(RQ_EPARSE, "%s: not a regular file of at most %d bytes", path, RQ_AGENT_MAX_STATE_FILE);
		goto done;
	}
	if (st.st_mode & 077) {
		rc = rq_fail(RQ_EVERIFY, "%s: mode %04o lets other users read it (it holds the agent's "
			     "credential): refused; run chmod 600 and re-enroll if others could read it",
			     path, (unsigned)(st.st_mode & 07777));
		goto done;
	}
	if (st.st_uid != 0 && st.st_uid != geteuid()) {
		rc = rq_fail(RQ_EVERIFY, "%s: owned by uid %u, not root or this user: refused", path,
			     (unsigned)st.st_uid);
		goto done;
	}
	if (!(text = malloc((size_t)st.st_size + 1))) {
		rc = rq_fail(RQ_ENOMEM, "%s: out of memory", path);
		goto done;
	}
	size_t got = 0;
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, text + got, (size_t)st.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = rq_fail_errno(RQ_EIO, n < 0 ? errno : EIO, "%s: cannot read", path);
			goto done;
		}
		got += (size_t)n;
	}
	json_error_t err;
	if (!(*out = json_loadb(text, got, JSON_REJECT_DUPLICATES, &err)) || !json_is_object(*out)) {
		json_decref(*out);
		*out = NULL;
		rc = rq_fail(RQ_EPARSE, "%s:%d: damaged: %s", path, err.line, *err.text ? err.text : "not an object");
	}
done:
	free(text);
	if (fd >= 0)
		close(fd);
	return rc;
}

int rq_agent_json_write(const json_t *obj, const char *state_dir, const char *name)
{
	char *text = json_dumps(obj, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	char tmp[256];
	int rc = 0, dirfd = -1;
	if (!text) {
		rc = rq_fail(RQ_ENOMEM, "%s: out of memory", name);
		goto done;
	}
	snprintf(tmp, sizeof(tmp), ".%s.tmp", name);
	if ((dirfd = open(state_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		rc = rq_fail_errno(RQ_EIO, errno, "%s: cannot open the state folder", state_dir);
		goto done;
	}
	unlinkat(dirfd, tmp, 0); /* a leftover of a crash: its mode may not be ours */
	size_t len = strlen(text);
	text[len] = '\n'; /* the NUL becomes the final newline: the length below excludes none */
	rc = rq_write_synced(dirfd, state_dir, tmp, text, len + 1, 0600, 1);
	if (rc)
		goto done;
	if (renameat(dirfd, tmp, dirfd, name)) {
		rc = rq_fail_errno(RQ_EIO, errno, "%s/%s: cannot rename into place", state_dir, name);
		unlinkat(dirfd, tmp, 0);
		goto done;
	}
	rc = rq_fsync_dir(dirfd, state_dir);
done:
	if (dirfd >= 0)
		close(dirfd);
	free(text);
	return rc;
}

static void copy_str(char *dst, size_t size, const json_t *v)
{
	const char *s = json_string_value(v);
	snprintf(dst, size, "%s", s ? s : "");
}

int rq_agent_state_load(rq_agent_state *st, const char *state_dir)
{
	json_t *o = NULL;
	memset(st, 0, sizeof(*st));
	int rc = rq_agent_json_read(&o, state_dir, RQ_AGENT_STATE_FILE);
	if (rc)
		goto done;
	json_t *ep = json_object_get(o, "endpoint_id"), *cred = json_object_get(o, "credential");
	json_t *url = json_object_get(o, "server");
	if (!json_is_integer(ep) || !json_is_string(cred) || !json_is_string(url) ||
	    json_string_length(cred) >= sizeof(st->credential) || json_string_length(url) >= sizeof(st->server_url)) {
		rc = rq_fail(RQ_EPARSE, "%s/%s: damaged: server, endpoint_id or credential missing", state_dir,
			     RQ_AGENT_STATE_FILE);
		goto done;
	}
	copy_str(st->server_url, sizeof(st->server_url), url);
	copy_str(st->credential, sizeof(st->credential), cred);
	copy_str(st->pin, sizeof(st->pin), json_object_get(o, "pin"));
	copy_str(st->ca_file, sizeof(st->ca_file), json_object_get(o, "ca_file"));
	st->endpoint_id = (int64_t)json_integer_value(ep);
	st->unit_id = (int64_t)json_integer_value(json_object_get(o, "unit_id"));
	st->enrolled_at = (int64_t)json_integer_value(json_object_get(o, "enrolled_at"));
done:
	json_decref(o);
	return rc;
}

int rq_agent_state_save(const rq_agent_state *st, const char *state_dir)
{
	json_t *o = json_pack("{s:s, s:I, s:I, s:s, s:s, s:s, s:I}", "server", st->server_url, "endpoint_id",
			      (json_int_t)st->endpoint_id, "unit_id", (json_int_t)st->unit_id, "credential",
			      st->credential, "pin", st->pin, "ca_file", st->ca_file, "enrolled_at",
			      (json_int_t)st->enrolled_at);
	int rc = o ? rq_agent_json_write(o, state_dir, RQ_AGENT_STATE_FILE) : rq_fail(RQ_ENOMEM, "out of memory");
	json_decref(o);
	return rc;
}
