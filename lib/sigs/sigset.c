/*
 * The signature set's storage and the shared warning path of all loaders
 * (see sigset.h). Loaders live in their own files, one per format.
 */
#include "sigset.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hexsig.h"

size_t rq_digest_len(unsigned digest_type)
{
	switch (digest_type) {
	case RQ_DIGEST_MD5: return 16;
	case RQ_DIGEST_SHA1: return 20;
	case RQ_DIGEST_SHA256: return 32;
	default: return 0;
	}
}

void rq_sigset_init(rq_sigset *set, const rq_engine_options *opts)
{
	memset(set, 0, sizeof(*set));
	if (opts) {
		set->strict = opts->strict;
		set->on_warning = opts->on_warning;
		set->warning_payload = opts->warning_payload;
	}
}

void rq_sigset_free(rq_sigset *set)
{
	if (!set)
		return;
	for (size_t i = 0; i < set->body_count; i++)
		rq_bodysig_free(set->bodies[i]);
	for (size_t i = 0; i < set->yara_count; i++)
		free(set->yara[i].data);
	free(set->bodies);
	free(set->yara);
	free(set->hashes);
	free(set->allow);
	free(set->ignored);
	free(set->netiocs);
	rq_strpool_free(&set->pool);
	memset(set, 0, sizeof(*set));
}

const char *rq_sigset_str(rq_sigset *set, const char *s, size_t len)
{
	return rq_strpool_add(&set->pool, s, len);
}

int rq_sigset_warn(rq_sigset *set, const char *file, unsigned line, int unsupported,
		   const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (unsupported)
		set->stats.unsupported++;
	else
		set->stats.malformed++;
	if (set->on_warning && set->on_warning(file, line, msg, set->warning_payload))
		return rq_fail(RQ_ESTOPPED, "%s:%u: %s", file, line, msg);
	if (set->strict)
		return rq_fail(unsupported ? RQ_EUNSUPPORTED : RQ_EPARSE, "%s:%u: %s", file, line, msg);
	return 0;
}

int rq_sigset_add_hash(rq_sigset *set, const rq_hashsig *sig)
{
	int rc = rq_grow((void **)&set->hashes, &set->hash_cap, set->hash_count + 1, sizeof(*sig));
	if (rc)
		return rc;
	set->hashes[set->hash_count++] = *sig;
	return 0;
}

int rq_sigset_add_netioc(rq_sigset *set, const rq_netioc *ioc)
{
	int rc = rq_grow((void **)&set->netiocs, &set->netioc_cap, set->netioc_count + 1, sizeof(*ioc));
	if (rc)
		return rc;
	set->netiocs[set->netioc_count++] = *ioc;
	return 0;
}

int rq_sigset_add_allow(rq_sigset *set, const rq_hashsig *sig)
{
	int rc = rq_grow((void **)&set->allow, &set->allow_cap, set->allow_count + 1, sizeof(*sig));
	if (rc)
		return rc;
	set->allow[set->allow_count++] = *sig;
	return 0;
}

int rq_sigset_add_body(rq_sigset *set, rq_bodysig *sig)
{
	int rc = rq_grow((void **)&set->bodies, &set->body_cap, set->body_count + 1, sizeof(sig));
	if (rc) {
		rq_bodysig_free(sig);
		return rc;
	}
	set->bodies[set->body_count++] = sig;
	return 0;
}

int rq_sigset_add_yara(rq_sigset *set, const char *name, uint8_t *data, size_t len, int compiled)
{
	const char *pname = rq_sigset_str(set, name, strlen(name));
	int rc = pname ? rq_grow((void **)&set->yara, &set->yara_cap, set->yara_count + 1,
				 sizeof(*set->yara))
		       : rq_fail(RQ_ENOMEM, "out of memory");
	if (rc) {
		free(data);
		return rc;
	}
	set->yara[set->yara_count++] = (rq_yara_input){ pname, data, len, compiled };
	return 0;
}

int rq_sigset_add_ignored(rq_sigset *set, const char *name, size_t len)
{
	const char *p = rq_sigset_str(set, name, len);
	if (!p)
		return rq_fail(RQ_ENOMEM, "out of memory");
	int rc = rq_grow((void **)&set->ignored, &set->ignored_cap, set->ignored_count + 1,
			 sizeof(*set->ignored));
	if (rc)
		return rc;
	set->ignored[set->ignored_count++] = p;
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

void rq_sigset_sort_ignored(rq_sigset *set)
{
	if (set->ignored_count)
		qsort(set->ignored, set->ignored_count, sizeof(*set->ignored), cmp_str);
}

int rq_sigset_is_ignored(const rq_sigset *set, const char *name)
{
	if (!set->ignored_count)
		return 0;
	return bsearch(&name, set->ignored, set->ignored_count, sizeof(*set->ignored), cmp_str) != NULL;
}

/* Drop the hash signatures and body signatures named in .ign/.ign2 files. */
void rq_sigset_apply_ignored(rq_sigset *set)
{
	rq_sigset_sort_ignored(set);
	if (!set->ignored_count)
		return;
	size_t kept = 0;
	for (size_t i = 0; i < set->hash_count; i++) {
		if (rq_sigset_is_ignored(set, set->hashes[i].name))
			set->stats.ignored++;
		else
			set->hashes[kept++] = set->hashes[i];
	}
	set->hash_count = kept;
	kept = 0;
	for (size_t i = 0; i < set->body_count; i++) {
		if (rq_sigset_is_ignored(set, set->bodies[i]->name)) {
			set->stats.ignored++;
			rq_bodysig_free(set->bodies[i]);
		} else {
			set->bodies[kept++] = set->bodies[i];
		}
	}
	set->body_count = kept;
}
