/*
 * GET /mirror/{file} (mirror.h): the file opened without following links,
 * sent from its descriptor (no copy in memory), its ETag made from inode,
 * size and modification time -- which `raquet mirror publish` changes on
 * every publication because it writes beside and renames.
 */
#include "api/mirror.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "http/http.h"

/* Mirror file names: letters, digits, '.', '-', '_', not starting with '.'. */
static int name_ok(const char *n)
{
	size_t len = n ? strlen(n) : 0;
	if (!len || len > 128 || n[0] == '.')
		return 0;
	for (size_t i = 0; i < len; i++) {
		char c = n[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '-' || c == '_'))
			return 0;
	}
	return 1;
}

static void http_date(time_t t, char *out, size_t n)
{
	struct tm tm;
	out[0] = '\0';
	if (gmtime_r(&t, &tm))
		strftime(out, n, "%a, %d %b %Y %H:%M:%S GMT", &tm);
}

static int serve(const rq_http_req *req, rq_http_resp *resp, void *arg)
{
	const char *dir = arg, *name = rq_http_param(req, "file");
	if (!dir || !*dir)
		return rq_http_resp_error(resp, 404, "not_found", "this server has no signature mirror");
	if (!name_ok(name))
		return rq_http_resp_error(resp, 404, "not_found", "no such mirror file");
	char path[4096];
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path))
		return rq_http_resp_error(resp, 404, "not_found", "no such mirror file");
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		if (fd >= 0)
			close(fd);
		return rq_http_resp_error(resp, 404, "not_found", "no such mirror file");
	}
	char etag[96], modified[64];
	snprintf(etag, sizeof(etag), "\"%llx-%llx-%llx.%lx\"", (unsigned long long)st.st_ino,
		 (unsigned long long)st.st_size, (unsigned long long)st.st_mtim.tv_sec,
		 (unsigned long)st.st_mtim.tv_nsec);
	http_date(st.st_mtim.tv_sec, modified, sizeof(modified));
	const char *inm = rq_http_header_get(req, "If-None-Match");
	const char *ims = rq_http_header_get(req, "If-Modified-Since");
	int not_modified = inm ? strstr(inm, etag) != NULL : (ims && !strcmp(ims, modified));
	rq_http_resp_header(resp, "ETag", etag);
	rq_http_resp_header(resp, "Last-Modified", modified);
	if (not_modified) {
		close(fd);
		resp->cacheable = 1;
		return rq_http_resp_bytes(resp, 304, "", "", 0);
	}
	const char *type = strstr(name, ".json") ? "application/json" : "application/octet-stream";
	return rq_http_resp_file(resp, 200, type, fd, (unsigned long long)st.st_size);
}

int rq_api_mirror_routes(rq_http_router *router, const char *dir)
{
	return rq_http_router_add(router, "GET", "/mirror/{file}", serve, (void *)dir);
}
