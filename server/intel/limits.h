/*
 * Every hard limit of the indicator imports (server/intel/, docs/intel.md),
 * with its reason. An input past one is refused whole (RQ_ELIMIT) and
 * nothing of it is imported.
 */
#ifndef RQ_SERVER_INTEL_LIMITS_H
#define RQ_SERVER_INTEL_LIMITS_H

/* Indicators in one import (a list, an event, a whole feed): the largest
 * public hash feeds hold a few hundred thousand. Measured on SQLite (2
 * cores): 200,000 SHA-256 lines import in 9-10 s as one transaction, so a
 * million take under a minute -- while the store's write lock is held. */
#define RQ_INTEL_MAX_INDICATORS 1000000
/* One list, event or STIX bundle file read from disk (the CLI; uploads and
 * TAXII POSTs are bounded by [server] body_limit first): 1,000,000 SHA-256
 * lines with comments. */
#define RQ_INTEL_MAX_FILE (128ULL * 1024 * 1024)
/* A line of a plain list: a SHA-256, a URL or a domain plus a comment. */
#define RQ_INTEL_MAX_LINE 4096
/* Name and description kept per indicator (longer ones are cut at a
 * UTF-8 boundary: they are labels, not data). */
#define RQ_INTEL_MAX_TEXT 512
/* A YARA rule file uploaded by the department: rules are kilobytes. */
#define RQ_INTEL_MAX_YARA (1024 * 1024)
/* Events of one MISP feed manifest: public feeds carry a few thousand. */
#define RQ_INTEL_MAX_FEED_EVENTS 100000
/* The manifest.json of a feed (about 300 bytes per event). */
#define RQ_INTEL_MAX_MANIFEST (64ULL * 1024 * 1024)
/* Bad lines named in one error message (all of them are counted). */
#define RQ_INTEL_MAX_BAD_REPORTED 10
/* Longest source name, location (path or URL) and reference kept. */
#define RQ_INTEL_MAX_SOURCE_NAME 128
#define RQ_INTEL_MAX_LOCATION 1024
#define RQ_INTEL_MAX_REF 128
/* Objects in one STIX bundle or TAXII envelope (each indicator object
 * may hold several comparisons): as many as the indicators of an import. */
#define RQ_INTEL_MAX_STIX_OBJECTS 1000000
/* A STIX pattern we read: the simple comparisons we import are short;
 * longer ones are skipped unread. */
#define RQ_INTEL_MAX_STIX_PATTERN 8192
/* Comparisons joined by OR in one pattern. */
#define RQ_INTEL_MAX_STIX_TERMS 64
/* Skip reasons listed in an import's answer (all are counted). */
#define RQ_INTEL_MAX_STIX_REASONS 20
/* Longest expiry an import may give (expires_days, expires_at): ten years
 * is "for ever" for an indicator; longer is a typo. */
#define RQ_INTEL_MAX_EXPIRY_DAYS 3650
/* One page of a TAXII collection pulled: page_size objects of a few KiB
 * each at most; a larger answer is refused (nothing of it imported). */
#define RQ_INTEL_MAX_TAXII_PAGE (64ULL * 1024 * 1024)
/* Pages of one pull: a server whose `more` never ends is cut off here (the
 * next pull goes on from the last page committed). */
#define RQ_INTEL_MAX_TAXII_PAGES 100000
/* Seconds one feed download may take (manifest or one event). */
#define RQ_INTEL_FETCH_TIMEOUT 120

#endif
