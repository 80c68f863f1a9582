/*
 * The two result formats of `raquet scan`: clamscan-style text lines
 * (output_text.c) and JSON lines (output_json.c). Both are called with the
 * output lock held, one result at a time; both write to stdout.
 */
#ifndef RQ_CLI_OUTPUT_H
#define RQ_CLI_OUTPUT_H

#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "raquet/raquet.h"
#include "scan_options.h"

/* Totals printed at the end. */
typedef struct scan_summary {
	uint64_t known_signatures;
	const char *engine_version;
	uint64_t dirs;
	uint64_t files;          /* files scanned without error */
	uint64_t infected;       /* files with at least one alert */
	uint64_t limits;         /* files with a limit notice that is not an alert */
	uint64_t encrypted;      /* files with an encrypted-member notice that is not an alert */
	uint64_t errors;
	uint64_t skipped;
	uint64_t quarantined, removed, moved, copied; /* actions that succeeded */
	uint64_t bytes_matched;  /* bytes fed to the matchers, members included */
	uint64_t bytes_read;     /* bytes of the files themselves */
	double seconds;
	time_t start, end;
	int interrupted;
} scan_summary;

/* A finding counts as an infection: detections always, heuristics when asked. */
static inline int finding_alerts(const scan_config *cfg, const rq_finding *f)
{
	return f->kind == RQ_FINDING_DETECTION ||
	       (f->kind == RQ_FINDING_LIMIT && cfg->alert_exceeds_max) ||
	       (f->kind == RQ_FINDING_ENCRYPTED && cfg->alert_encrypted);
}

/* The message of an error without a leading "PATH: " that repeats the path. */
const char *output_error_text(const char *path, const char *message);

void text_result(FILE *out, const scan_config *cfg, const rq_result *r);
/* The line saying what an action did: "PATH: Removed.", "PATH: moved to 'DEST'.",
 * "PATH: copied to 'DEST'.", "PATH: quarantined as ID." or
 * "PATH: cannot ACTION: MESSAGE ERROR". Nothing for ACTION_REPORT. */
void text_action(FILE *out, const scan_config *cfg, const char *path, const scan_outcome *act);
void text_error(FILE *out, const scan_config *cfg, const char *path, const char *message);
void text_summary(FILE *out, const scan_summary *s);
/* Write `s` with control bytes as \xHH and '\\' as "\\\\" (one result, one line). */
void text_put_escaped(FILE *out, const char *s);

/* `act` (may be NULL) adds the "action" object. */
void json_result(FILE *out, const scan_config *cfg, const rq_result *r, const scan_outcome *act);
void json_error(FILE *out, const scan_config *cfg, const char *path, const char *message);
void json_summary(FILE *out, const scan_summary *s);

#endif
