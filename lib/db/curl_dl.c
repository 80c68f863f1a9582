/*
 * Loading libcurl on first use (curl_dl.h).
 */
#include "db/curl_dl.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "core/error.h"

#define SONAME "libcurl.so.4"

static rq_curl_api api;
static const rq_curl_api *loaded;
static char why[300];
static pthread_once_t once = PTHREAD_ONCE_INIT;

/* Resolve `name` into *slot; 0 or -1. */
static int resolve(void *lib, const char *name, void *slot)
{
	void *sym = dlsym(lib, name);
	if (!sym) {
		snprintf(why, sizeof(why), "%s has no %s", SONAME, name);
		return -1;
	}
	*(void **)slot = sym;
	return 0;
}

static void load(void)
{
	void *lib = dlopen(SONAME, RTLD_NOW | RTLD_LOCAL);
	if (!lib) {
		snprintf(why, sizeof(why), "%s is not installed (Debian package libcurl4): %s", SONAME,
			 dlerror());
		return;
	}
	if (resolve(lib, "curl_global_init", &api.global_init) ||
	    resolve(lib, "curl_easy_init", &api.easy_init) ||
	    resolve(lib, "curl_easy_setopt", &api.easy_setopt) ||
	    resolve(lib, "curl_easy_perform", &api.easy_perform) ||
	    resolve(lib, "curl_easy_getinfo", &api.easy_getinfo) ||
	    resolve(lib, "curl_easy_reset", &api.easy_reset) ||
	    resolve(lib, "curl_easy_cleanup", &api.easy_cleanup) ||
	    resolve(lib, "curl_easy_strerror", &api.easy_strerror) ||
	    resolve(lib, "curl_slist_append", &api.slist_append) ||
	    resolve(lib, "curl_slist_free_all", &api.slist_free_all))
		return; /* the library stays loaded: harmless, and dlclose races other threads */
	if (api.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		snprintf(why, sizeof(why), "libcurl failed to initialise");
		return;
	}
	loaded = &api;
}

const rq_curl_api *rq_curl(void)
{
	pthread_once(&once, load);
	if (!loaded)
		rq_fail(RQ_EUNSUPPORTED, "%s", why);
	return loaded;
}

void rq_curl_verify_tls(const rq_curl_api *C, CURL *h, const char *ca_file, const char *pin)
{
	C->easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
	C->easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
	if (ca_file)
		C->easy_setopt(h, CURLOPT_CAINFO, ca_file);
	if (pin)
		C->easy_setopt(h, CURLOPT_PINNEDPUBLICKEY, pin);
}

size_t rq_curl_keep_head(char *data, size_t size, size_t n, void *head)
{
	rq_curl_head *s = head;
	size_t bytes = size * n, room = s->max - s->len;
	size_t take = bytes < room ? bytes : room;
	memcpy(s->buf + s->len, data, take);
	s->len += take;
	s->buf[s->len] = '\0';
	return bytes;
}
