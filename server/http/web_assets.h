/*
 * The dashboard's files (web/) compiled into raquet-server: the table is
 * generated at build time by cmake/embed_web.cmake and served by
 * server/http/static.c. Overview: docs/dashboard.md.
 */
#ifndef RQ_SERVER_WEB_ASSETS_H
#define RQ_SERVER_WEB_ASSETS_H

#include <stddef.h>

/* One file: its path under web/ ("index.html", "i18n/vi.js"), media type,
 * bytes (static, NUL-terminated past `size`) and strong ETag with quotes. */
typedef struct rq_web_asset {
	const char *path;
	const char *content_type;
	const unsigned char *data;
	size_t size;
	const char *etag;
} rq_web_asset;

extern const rq_web_asset rq_web_assets[];
extern const size_t rq_web_asset_count;

#endif
