/*
 * Hard limits and configuration bounds of raquet-server's HTTP layer and
 * configuration, each with the reason for its value (libraquet's own limits
 * live in lib/core/limits.h). Operators tune the configurable ones in the
 * config file within the bounds below; see docs/server.md.
 */
#ifndef RQ_SERVER_LIMITS_H
#define RQ_SERVER_LIMITS_H

#define RQ_SRV_KIB 1024ULL
#define RQ_SRV_MIB (1024ULL * 1024ULL)

/* --- configuration file --- */

/* A config file is a few dozen lines; anything larger is not one. */
#define RQ_CONFIG_MAX_FILE (1ULL * RQ_SRV_MIB)
/* Longest line of a config file (paths and URLs stay well below). */
#define RQ_CONFIG_MAX_LINE 4096

/* --- configurable limits: defaults and bounds --- */

/* Request body: an event batch of a few thousand detections fits in 4 MiB;
 * the upper bound keeps one request from pinning much memory. */
#define RQ_HTTP_DEFAULT_BODY_LIMIT (4ULL * RQ_SRV_MIB)
#define RQ_HTTP_MIN_BODY_LIMIT (1ULL * RQ_SRV_KIB)
#define RQ_HTTP_MAX_BODY_LIMIT (256ULL * RQ_SRV_MIB)
/* Idle keep-alive connections: agents heartbeat every minute or so and
 * reconnecting costs a TLS handshake, so keep them a while. */
#define RQ_HTTP_DEFAULT_CONN_TIMEOUT 120
#define RQ_HTTP_MAX_CONN_TIMEOUT 3600
/* Whole request (headers to last body byte): a 4 MiB batch over a slow
 * provincial link takes seconds, not minutes. */
#define RQ_HTTP_DEFAULT_REQUEST_TIMEOUT 60
#define RQ_HTTP_MAX_REQUEST_TIMEOUT 3600
/* Concurrent connections: the target is 1,000 keep-alive agents per
 * server with headroom; each costs one socket and RQ_HTTP_CONN_MEMORY. */
#define RQ_HTTP_DEFAULT_MAX_CONNECTIONS 4096
#define RQ_HTTP_MAX_MAX_CONNECTIONS 65536
/* Worker threads (0 = one per CPU); more than this only adds contention. */
#define RQ_HTTP_MAX_THREADS 256
/* Dashboard sessions: ended after session_idle unused (a workday's pause)
 * and session_max after login whatever happens (a week); both at most a
 * year, at least a second (tests use seconds). */
#define RQ_AUTH_MAX_SESSION (365ULL * 86400ULL)

/* --- hard limits --- */

/* [mirror] keys: public keys handed to agents. A province signs with one
 * key and holds a second while rotating; 32 leaves room for national and
 * regional keys, and keeps an enrollment or heartbeat answer that carries
 * them all small (at most 32 x 8 KiB). */
#define RQ_SRV_MAX_MIRROR_KEYS 32
/* One key file: an Ed25519 public key PEM is 113 bytes; anything near
 * this size is not one. */
#define RQ_SRV_MAX_MIRROR_KEY_FILE (8 * 1024)

/* Per-connection memory for the request line, headers and query string:
 * longer requests get 414/431 from libmicrohttpd. Cookies and bearer
 * tokens are far shorter. */
#define RQ_HTTP_CONN_MEMORY (64 * 1024)
/* Path parameters of one route ({id} segments) and segments of a pattern. */
#define RQ_HTTP_MAX_PARAMS 8
#define RQ_HTTP_MAX_SEGMENTS 24
/* Longest decoded path, query or cookie value handed to a handler: ids,
 * tokens and filters; longer values are treated as absent. */
#define RQ_HTTP_MAX_VALUE 2048
/* Extra response headers a handler may set (cookies, ETag, Location...). */
#define RQ_HTTP_MAX_RESP_HEADERS 16
/* Seconds in-flight requests get to finish after SIGTERM before the
 * remaining connections are closed. */
#define RQ_HTTP_SHUTDOWN_GRACE 10
/* Longest JSON string value accepted by default (a field spec may set less). */
#define RQ_JSON_DEFAULT_MAX_STRING (64 * 1024)
/* Nesting depth of a JSON body checked against a field spec. */
#define RQ_JSON_MAX_DEPTH 16

#endif
