/*
 * Enrollment (enroll.h): check the URL and the trust material first, copy
 * the CA certificate into the state folder (the agent must not depend on
 * where the officer kept it), send the token with the machine facts,
 * store the answer with the pin of the key the server presented, and
 * install the mirror keys it handed out.
 */
#include "enroll.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <openssl/pem.h>
#include <openssl/x509.h>

#include "client.h"
#include "core/error.h"
#include "core/util.h"
#include "db/dbfs.h"
#include "facts.h"

/* Largest CA file copied: a bundle of a few certificates. */
#define MAX_CA_FILE (1024 * 1024)

/* Check that `path` holds at least one PEM certificate and copy it to STATE_DIR. */
static int install_ca(const char *path, const char *state_dir, char *out, size_t size)
{
	uint8_t *data = NULL;
	size_t len = 0;
	int rc = rq_read_file(path, MAX_CA_FILE, &data, &len), dirfd = -1;
	if (rc)
		goto done;
	BIO *bio = BIO_new_mem_buf(data, (int)len);
	X509 *x = bio ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
	int ok = x != NULL;
	X509_free(x);
	BIO_free(bio);
	if (!ok) {
		rc = rq_fail(RQ_EPARSE, "%s: not a PEM certificate (expected the server's ca.crt)", path);
		goto done;
	}
	if ((dirfd = open(state_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		rc = rq_fail_errno(RQ_EIO, errno, "%s: cannot open", state_dir);
		goto done;
	}
	unlinkat(dirfd, RQ_AGENT_CA_FILE ".tmp", 0);
	if ((rc = rq_write_synced(dirfd, state_dir, RQ_AGENT_CA_FILE ".tmp", data, len, 0644, 1)))
		goto done;
	if (renameat(dirfd, RQ_AGENT_CA_FILE ".tmp", dirfd, RQ_AGENT_CA_FILE)) {
		rc = rq_fail_errno(RQ_EIO, errno, "%s/%s: cannot rename into place", state_dir, RQ_AGENT_CA_FILE);
		goto done;
	}
	if ((rc = rq_fsync_dir(dirfd, state_dir)))
		goto done;
	if (snprintf(out, size, "%s/%s", state_dir, RQ_AGENT_CA_FILE) >= (int)size)
		rc = rq_fail(RQ_ELIMIT, "%s: path too long", state_dir);
done:
	if (dirfd >= 0)
		close(dirfd);
	free(data);
	return rc;
}

static int pin_well_formed(const char *pin)
{
	return strlen(pin) == RQ_AGENT_PIN_LEN && !strncmp(pin, "sha256//", 8) && pin[RQ_AGENT_PIN_LEN - 1] == '=';
}

int rq_agent_enroll(const rq_enroll_options *o, rq_agent_state *out)
{
	const char *sd = o->cfg->state_dir;
	char abs_sd[PATH_MAX];
	rq_client *c = NULL;
	json_t *body = NULL, *answer = NULL, *keys_status = NULL;
	rq_agent_state st;
	memset(&st, 0, sizeof(st));
	memset(out, 0, sizeof(*out));
	int rc = rq_client_url_check(o->server);
	if (rc)
		goto done;
	int https = !strncasecmp(o->server, "https://", 8);
	if (o->pin && *o->pin && !pin_well_formed(o->pin)) {
		rc = rq_fail(RQ_EINVAL, "--pin-sha256: expected sha256// and 44 base64 characters");
		goto done;
	}
	if (https && !(o->ca_file && *o->ca_file) && !(o->pin && *o->pin)) {
		rc = rq_fail(RQ_EINVAL, "%s: https needs the server's CA certificate so the token goes only to the "
			     "real server: copy ca.crt from the server (the folder given to 'raquet-server tls-init', "
			     "which also prints its SHA-256 to compare) and pass --ca FILE; or pass --pin-sha256 PIN "
			     "for a server whose certificate the system already trusts", o->server);
		goto done;
	}
	if (!o->token || !*o->token || strlen(o->token) > 128) {
		rc = rq_fail(RQ_EINVAL, "--token: expected the unit's enrollment token (rqe_...)");
		goto done;
	}
	if ((rc = rq_agent_state_dir_make(sd)))
		goto done;
	/* the stored CA path must not depend on the folder enroll ran in */
	if (!realpath(sd, abs_sd)) {
		rc = rq_fail_errno(RQ_EIO, errno, "%s: cannot resolve", sd);
		goto done;
	}
	sd = abs_sd;
	if (!o->force) {
		rq_agent_state old;
		int lrc = rq_agent_state_load(&old, sd);
		explicit_bzero(&old, sizeof(old));
		if (lrc != RQ_ENOTFOUND) {
			rc = rq_fail(RQ_EINVAL, "%s/%s: this machine is already enrolled (or the file is damaged); "
				     "--force enrolls it again as a new endpoint", sd, RQ_AGENT_STATE_FILE);
			goto done;
		}
	}
	if (https && o->ca_file && *o->ca_file && (rc = install_ca(o->ca_file, sd, st.ca_file, sizeof(st.ca_file))))
		goto done;
	if (!(body = rq_agent_facts(o->cfg, NULL)) || json_object_set_new(body, "token", json_string(o->token))) {
		rc = rq_fail(RQ_ENOMEM, "out of memory");
		goto done;
	}
	rq_client_options co = { .url = o->server, .ca_file = st.ca_file, .pin = o->pin, .learn_pin = https };
	if ((rc = rq_client_new(&c, &co)))
		goto done;
	long status = 0;
	if ((rc = rq_client_post(c, "/api/v1/agent/enroll", body, &status, &answer)))
		goto done;
	if (status == 403) {
		rc = rq_fail(RQ_EVERIFY, "the server refused the enrollment token (unknown, expired, used up or "
			     "revoked): ask the provincial administrator for a new one");
		goto done;
	}
	json_t *ep = json_object_get(answer, "endpoint_id"), *cred = json_object_get(answer, "credential");
	if (status != 201 || !json_is_integer(ep) || !json_is_string(cred) ||
	    json_string_length(cred) >= sizeof(st.credential)) {
		rc = rq_fail(RQ_ERROR, "enrollment failed: the server answered %ld: %s", status,
			     rq_client_reason(answer, "no usable answer"));
		goto done;
	}
	if (https && !*rq_client_seen_pin(c)) {
		rc = rq_fail(RQ_EVERIFY, "enrolled as endpoint %lld, but the server's key could not be read to "
			     "pin it; enroll again with --force --pin-sha256", (long long)json_integer_value(ep));
		goto done;
	}
	snprintf(st.server_url, sizeof(st.server_url), "%s", o->server);
	snprintf(st.credential, sizeof(st.credential), "%s", json_string_value(cred));
	snprintf(st.pin, sizeof(st.pin), "%s", https ? rq_client_seen_pin(c) : "");
	st.endpoint_id = (int64_t)json_integer_value(ep);
	st.unit_id = (int64_t)json_integer_value(json_object_get(answer, "unit_id"));
	st.enrolled_at = (int64_t)time(NULL);
	if ((rc = rq_agent_state_save(&st, sd)))
		goto done;
	char status_path[PATH_MAX + 32];
	snprintf(status_path, sizeof(status_path), "%s/%s", sd, RQ_AGENT_STATUS_FILE);
	unlink(status_path); /* the previous enrollment's last contact is not this one's */
	*out = st;
	/* enrolled: what follows cannot undo it, only say what is missing */
	if (!(keys_status = json_object()))
		rc = rq_fail(RQ_ENOMEM, "out of memory");
	else if (!(rc = rq_agent_keys_apply(o->cfg, answer, keys_status, o->on_key, o->key_payload)) &&
		 json_object_size(keys_status)) /* the digest, which the heartbeat sends back */
		rc = rq_agent_json_write(keys_status, sd, RQ_AGENT_STATUS_FILE);
	if (rc)
		rc = rq_fail(rc, "enrolled as endpoint %lld in unit %lld, but the server's mirror keys were not installed: "
			     "%s; updates need them, and raquetd asks for them again at every heartbeat",
			     (long long)st.endpoint_id, (long long)st.unit_id, rq_error_last());
done:
	explicit_bzero(&st, sizeof(st));
	rq_client_free(c);
	json_decref(body);
	json_decref(answer);
	json_decref(keys_status);
	return rc;
}
