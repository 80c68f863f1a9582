/*
 * Parsers of the indicator formats a province receives (docs/intel.md):
 * plain IOC lists (hashes, addresses, domains, one per line) and MISP
 * event JSON. Each parses a whole input into a batch or refuses it whole:
 * RQ_EPARSE naming the file and line(s) or the JSON path, RQ_ELIMIT past
 * a limit of intel/limits.h. On error the batch is left empty.
 */
#ifndef RQ_SERVER_INTEL_PARSE_H
#define RQ_SERVER_INTEL_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include "intel/indicator.h"

/*
 * A plain list: one indicator per line, "VALUE", "VALUE;comment",
 * "VALUE,comment" or "VALUE<blanks>comment"; blank lines and '#' lines
 * skipped; a hash is told by its length (MD5, SHA-1, SHA-256), otherwise
 * an IPv4/IPv6 address or a domain (defanged forms accepted). The comment
 * names the indicator. `name` labels errors; `confidence` is given to
 * every indicator. Every bad line is counted; the message names the first
 * RQ_INTEL_MAX_BAD_REPORTED of them ("feed.txt:3: bad sha256 '...' (bad
 * lines: 3, 7)").
 */
int rq_intel_parse_list(rq_intel_batch *out, const char *name, const void *data, size_t len, int confidence);

/* What a MISP event says about itself (strings valid as long as the batch's source text). */
typedef struct rq_misp_event_info {
	char uuid[37];
	char info[256];
	int64_t threat_level;  /* 1..4; 0: absent */
	int64_t timestamp;     /* 0: absent */
	size_t attributes;     /* read (with those of its objects) */
	size_t skipped;        /* of a type that is no indicator here, or to_ids false */
} rq_misp_event_info;

/*
 * A MISP event: {"Event": {...}} or the event object itself. Attributes
 * (and those of its Objects) of types md5, sha1, sha256, filename|md5,
 * filename|sha1, filename|sha256, ip-src, ip-dst, ip-src|port,
 * ip-dst|port, domain, hostname, domain|ip and yara become indicators when
 * to_ids is true (or absent); other types are counted as skipped. The
 * confidence follows the threat level (1 high: 90, 2: 70, 3 low: 50,
 * 4 undefined: 30) unless `confidence` >= 0. `name` labels errors, which
 * give the JSON path ("event.json: Event.Attribute[3].value: bad sha256").
 * YARA attributes are checked by the engine. `info` may be NULL.
 */
int rq_intel_parse_misp_event(rq_intel_batch *out, rq_misp_event_info *info, const char *name, const void *data,
			      size_t len, int confidence);

/*
 * A YARA rules file uploaded by the department: compiled with the engine
 * (libyara, strict) before it is accepted; one indicator whose value is
 * the SHA-256 of the text and whose name is `name`.
 */
int rq_intel_parse_yara(rq_intel_batch *out, const char *name, const void *data, size_t len, int confidence);

/* Check that `text` compiles as YARA rules in the engine: 0 or RQ_EPARSE ("name:LINE: reason"). */
int rq_intel_yara_check(const char *name, const char *text, size_t len);

#endif
