/*
 * The quarantine vault's metadata file: one JSON object per item (written
 * with libjansson) whose "hmac" member authenticates every other member,
 * computed over their compact, key-sorted serialisation. Format in
 * docs/quarantine.md.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/crypto.h>

#include "core/error.h"
#include "core/limits.h"
#include "core/util.h"
#include "vault_impl.h"

/* A string member; names that are not UTF-8 go hex-encoded under key_hex. */
static int set_str(json_t *obj, const char *key, const char *key_hex, const char *s)
{
	json_t *v = json_string(s);
	int rc = 0;
	if (!v && key_hex) {
		size_t n = strlen(s);
		char *hex = malloc(2 * n + 1);
		if (!hex)
			return rq_fail(RQ_ENOMEM, "vault: out of memory");
		rq_hex_encode(hex, (const uint8_t *)s, n);
		hex[2 * n] = '\0';
		v = json_string(hex);
		free(hex);
		key = key_hex;
	} else if (!v) {
		v = json_string("");
	}
	if (!v || json_object_set_new(obj, key, v) != 0)
		rc = rq_fail(RQ_ENOMEM, "vault: out of memory");
	return rc;
}

static char *dup_member(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return strdup(s ? s : "");
}

/* The members added for disabled persistence entries, only when set, so
 * that items without them keep the layout (and MAC) of earlier versions. */
static int encode_extra(json_t *o, const rq_vault_item *item)
{
	int rc = 0;
	if (item->backup && json_object_set_new(o, "backup", json_true()) != 0)
		return rq_fail(RQ_ENOMEM, "vault: out of memory");
	if (item->replaced_sha256[0] &&
	    json_object_set_new(o, "replaced_sha256", json_string(item->replaced_sha256)) != 0)
		return rq_fail(RQ_ENOMEM, "vault: out of memory");
	if (item->note && item->note[0] && (rc = set_str(o, "note", NULL, item->note)) != 0)
		return rc;
	if (item->n_links == 0)
		return 0;
	json_t *links = json_array();
	if (!links || json_object_set_new(o, "links", links) != 0)
		return rq_fail(RQ_ENOMEM, "vault: out of memory");
	for (size_t i = 0; i < item->n_links && rc == 0; i++) {
		json_t *l = json_object();
		if (!l || json_array_append_new(links, l) != 0)
			return rq_fail(RQ_ENOMEM, "vault: out of memory");
		if ((rc = set_str(l, "path", "path_hex", item->link_paths[i])) == 0)
			rc = set_str(l, "target", "target_hex", item->link_targets[i]);
	}
	return rc;
}

/* A string member written by set_str (plain, or hex under key_hex); NULL if absent or bad. */
static char *get_str(json_t *o, const char *key, const char *key_hex)
{
	const char *s = json_string_value(json_object_get(o, key));
	const char *hex = json_string_value(json_object_get(o, key_hex));
	if (s)
		return strdup(s);
	if (!hex || strlen(hex) % 2)
		return NULL;
	size_t n = strlen(hex) / 2;
	char *out = calloc(1, n + 1);
	if (out && rq_hex_decode((uint8_t *)out, hex, n) != 0) {
		free(out);
		out = NULL;
	}
	return out;
}

static int decode_extra(rq_vault_item *it, json_t *o, int *bad)
{
	const char *rsha = json_string_value(json_object_get(o, "replaced_sha256"));
	json_t *links = json_object_get(o, "links");
	it->backup = json_is_true(json_object_get(o, "backup"));
	if (rsha && strlen(rsha) == 64)
		memcpy(it->replaced_sha256, rsha, 65);
	else if (rsha)
		*bad = 1;
	if (!(it->note = dup_member(o, "note")))
		return rq_fail(RQ_ENOMEM, "vault: out of memory");
	if (!links)
		return 0;
	size_t n = json_array_size(links);
	if (!json_is_array(links) || n > RQ_VAULT_MAX_LINKS) {
		*bad = 1;
		return 0;
	}
	it->link_paths = calloc(n + 1, sizeof(char *));
	it->link_targets = calloc(n + 1, sizeof(char *));
	if (!it->link_paths || !it->link_targets)
		return rq_fail(RQ_ENOMEM, "vault: out of memory");
	for (size_t i = 0; i < n; i++) {
		json_t *l = json_array_get(links, i);
		it->link_paths[i] = get_str(l, "path", "path_hex");
		it->link_targets[i] = get_str(l, "target", "target_hex");
		it->n_links = i + 1;
		if (!it->link_paths[i] || !it->link_targets[i] || it->link_paths[i][0] != '/') {
			*bad = 1;
			return 0;
		}
	}
	return 0;
}

static int mac_of(char out_hex[65], json_t *obj, const uint8_t key[VAULT_KEY_LEN])
{
	uint8_t mac[32];
	char *canon = json_dumps(obj, JSON_COMPACT | JSON_SORT_KEYS);
	int rc = canon ? vault_hmac(mac, key, canon, strlen(canon))
		       : rq_fail(RQ_ENOMEM, "vault: out of memory");
	if (rc == 0) {
		rq_hex_encode(out_hex, mac, 32);
		out_hex[64] = '\0';
	}
	free(canon);
	return rc;
}

int vault_meta_encode(char **out, const rq_vault_item *item, uint64_t dev, uint64_t ino,
		      const uint8_t key[VAULT_KEY_LEN])
{
	int rc = 0;
	char mac[65];
	json_t *o = json_object(), *names = json_array();
	if (!o || !names) {
		json_decref(names);
		rc = rq_fail(RQ_ENOMEM, "vault: out of memory");
		goto done;
	}
	for (size_t i = 0; i < item->n_detections; i++) {
		json_t *s = json_string(item->detections[i]);
		if (!s)
			s = json_string("(name not UTF-8)");
		if (!s || json_array_append_new(names, s) != 0) {
			json_decref(names);
			rc = rq_fail(RQ_ENOMEM, "vault: out of memory");
			goto done;
		}
	}
	if (json_object_set_new(o, "format", json_integer(VAULT_FORMAT)) != 0 ||
	    json_object_set_new(o, "id", json_string(item->id)) != 0 ||
	    json_object_set_new(o, "size", json_integer((json_int_t)item->size)) != 0 ||
	    json_object_set_new(o, "uid", json_integer(item->uid)) != 0 ||
	    json_object_set_new(o, "gid", json_integer(item->gid)) != 0 ||
	    json_object_set_new(o, "mode", json_integer(item->mode)) != 0 ||
	    json_object_set_new(o, "atime_ns", json_integer(item->atime_ns)) != 0 ||
	    json_object_set_new(o, "mtime_ns", json_integer(item->mtime_ns)) != 0 ||
	    json_object_set_new(o, "dev", json_integer((json_int_t)dev)) != 0 ||
	    json_object_set_new(o, "ino", json_integer((json_int_t)ino)) != 0 ||
	    json_object_set_new(o, "sha256", json_string(item->sha256)) != 0 ||
	    json_object_set_new(o, "quarantined", json_integer(item->quarantined)) != 0 ||
	    json_object_set_new(o, "detections", names) != 0 ||
	    (rc = set_str(o, "original_path", "original_path_hex", item->original_path)) != 0 ||
	    (rc = set_str(o, "owner", NULL, item->owner)) != 0 ||
	    (rc = set_str(o, "group", NULL, item->group)) != 0 ||
	    (rc = set_str(o, "host", NULL, item->host)) != 0 ||
	    (rc = encode_extra(o, item)) != 0) {
		if (rc == 0)
			rc = rq_fail(RQ_ENOMEM, "vault: out of memory");
		goto done;
	}
	if ((rc = mac_of(mac, o, key)) != 0)
		goto done;
	if (json_object_set_new(o, "hmac", json_string(mac)) != 0 ||
	    !(*out = json_dumps(o, JSON_INDENT(2) | JSON_SORT_KEYS)))
		rc = rq_fail(RQ_ENOMEM, "vault: out of memory");
done:
	json_decref(o);
	return rc;
}

static int64_t int_member(json_t *o, const char *key, int *bad)
{
	json_t *v = json_object_get(o, key);
	if (!json_is_integer(v)) {
		*bad = 1;
		return 0;
	}
	return (int64_t)json_integer_value(v);
}

int vault_meta_decode(rq_vault_item **out, uint64_t *dev, uint64_t *ino, const char *text,
		      size_t len, const char *id, const uint8_t key[VAULT_KEY_LEN])
{
	int rc = 0, bad = 0;
	json_error_t jerr;
	char mac[65];
	rq_vault_item *it = NULL;
	json_t *o = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr), *names;
	const char *stored = json_string_value(json_object_get(o, "hmac"));
	if (!json_is_object(o) || !stored) {
		rc = rq_fail(RQ_EPARSE, "vault item %s: metadata is not valid (tampered?)", id);
		goto done;
	}
	char stored_copy[65];
	snprintf(stored_copy, sizeof stored_copy, "%s", stored);
	json_object_del(o, "hmac");
	if ((rc = mac_of(mac, o, key)) != 0)
		goto done;
	if (strlen(stored_copy) != 64 || CRYPTO_memcmp(mac, stored_copy, 64) != 0) {
		rc = rq_fail(RQ_EPARSE, "vault item %s: metadata fails authentication (tampered)", id);
		goto done;
	}
	if (!(it = calloc(1, sizeof *it))) {
		rc = rq_fail(RQ_ENOMEM, "vault: out of memory");
		goto done;
	}
	const char *sid = json_string_value(json_object_get(o, "id"));
	const char *sha = json_string_value(json_object_get(o, "sha256"));
	const char *phex = json_string_value(json_object_get(o, "original_path_hex"));
	names = json_object_get(o, "detections");
	if (!sid || strcmp(sid, id) != 0 || !sha || strlen(sha) != 64 || !json_is_array(names) ||
	    json_array_size(names) > RQ_VAULT_MAX_DETECTIONS ||
	    int_member(o, "format", &bad) != VAULT_FORMAT) {
		rc = rq_fail(RQ_EPARSE, "vault item %s: metadata lacks required members", id);
		goto done;
	}
	snprintf(it->id, sizeof it->id, "%s", id);
	memcpy(it->sha256, sha, 65);
	it->size = (uint64_t)int_member(o, "size", &bad);
	it->uid = (uint32_t)int_member(o, "uid", &bad);
	it->gid = (uint32_t)int_member(o, "gid", &bad);
	it->mode = (uint32_t)int_member(o, "mode", &bad);
	it->atime_ns = int_member(o, "atime_ns", &bad);
	it->mtime_ns = int_member(o, "mtime_ns", &bad);
	it->quarantined = int_member(o, "quarantined", &bad);
	*dev = (uint64_t)int_member(o, "dev", &bad);
	*ino = (uint64_t)int_member(o, "ino", &bad);
	if (phex) {
		size_t n = strlen(phex) / 2;
		it->original_path = calloc(1, n + 1);
		if (it->original_path && (strlen(phex) % 2 ||
					  rq_hex_decode((uint8_t *)it->original_path, phex, n) != 0))
			bad = 1;
	} else {
		it->original_path = dup_member(o, "original_path");
	}
	it->owner = dup_member(o, "owner");
	it->group = dup_member(o, "group");
	it->host = dup_member(o, "host");
	if ((rc = decode_extra(it, o, &bad)) != 0)
		goto done;
	it->n_detections = json_array_size(names);
	it->detections = calloc(it->n_detections + 1, sizeof *it->detections);
	for (size_t i = 0; it->detections && i < it->n_detections; i++) {
		const char *s = json_string_value(json_array_get(names, i));
		if (!(it->detections[i] = strdup(s ? s : "")))
			bad = 2;
	}
	if (!it->original_path || !it->owner || !it->group || !it->host || !it->detections) {
		rc = rq_fail(RQ_ENOMEM, "vault: out of memory");
		goto done;
	}
	if (bad || it->original_path[0] != '/') {
		rc = bad == 2 ? rq_fail(RQ_ENOMEM, "vault: out of memory")
			      : rq_fail(RQ_EPARSE, "vault item %s: metadata has a bad member", id);
		goto done;
	}
	*out = it;
	it = NULL;
done:
	rq_vault_item_free(it);
	json_decref(o);
	return rc;
}
