/*
 * clamscan-style text results: "PATH: NAME FOUND", "PATH: OK",
 * "PATH: MESSAGE ERROR", our "PATH//MEMBER: NAME LIMIT" notices, and the
 * SCAN SUMMARY block. Paths are escaped so one result is one line
 * (docs/cli.md, "Output").
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "output.h"

void text_put_escaped(FILE *out, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '\\') {
			fputs("\\\\", out);
		} else if (*p < 0x20 || *p == 0x7f) {
			char esc[4] = { '\\', 'x', hex[*p >> 4], hex[*p & 15] };
			fwrite(esc, 1, 4, out);
		} else {
			fputc(*p, out);
		}
	}
}

const char *output_error_text(const char *path, const char *message)
{
	size_t n = strlen(path);
	if (!message || !*message)
		return "error";
	if (!strncmp(message, path, n) && message[n] == ':' && message[n + 1] == ' ')
		return message + n + 2;
	return message;
}

/* "PATH[//MEMBER]: [WHAT ]TAG" */
static void line(FILE *out, const char *path, const char *member, const char *what, const char *tag)
{
	text_put_escaped(out, path);
	if (member) {
		fputs("//", out);
		text_put_escaped(out, member);
	}
	fputs(": ", out);
	if (what) {
		text_put_escaped(out, what);
		fputc(' ', out);
	}
	fputs(tag, out);
	fputc('\n', out);
}

void text_result(FILE *out, const scan_config *cfg, const rq_result *r)
{
	int alerts = 0;
	for (size_t i = 0; i < r->finding_count; i++) {
		const rq_finding *f = &r->findings[i];
		int alert = finding_alerts(cfg, f);
		alerts += alert;
		if (cfg->quiet)
			continue;
		const char *tag = alert ? "FOUND" : f->kind == RQ_FINDING_ENCRYPTED ? "ENCRYPTED" : "LIMIT";
		line(out, r->path, f->member, f->name, tag);
	}
	if (r->error)
		text_error(out, cfg, r->path, r->error_message);
	else if (!alerts && !cfg->infected_only)
		line(out, r->path, NULL, NULL, "OK");
}

void text_action(FILE *out, const scan_config *cfg, const char *path, const scan_outcome *act)
{
	const char *dest = act->dest ? act->dest : cfg->action_dir;
	if (act->kind == ACTION_REPORT)
		return;
	if (!act->ok) {
		char what[600];
		snprintf(what, sizeof(what), "cannot %s: %s", scan_action_name(act->kind), act->error);
		line(out, path, NULL, what, "ERROR");
		return;
	}
	if (cfg->quiet)
		return;
	text_put_escaped(out, path);
	switch (act->kind) {
	case ACTION_REMOVE:
		fputs(": Removed.\n", out);
		break;
	case ACTION_QUARANTINE:
		fprintf(out, ": quarantined as %s.\n", act->id);
		break;
	default:
		fputs(act->kind == ACTION_MOVE ? ": moved to '" : ": copied to '", out);
		text_put_escaped(out, dest ? dest : "");
		fputs("'.\n", out);
		break;
	}
}

void text_error(FILE *out, const scan_config *cfg, const char *path, const char *message)
{
	line(out, path, NULL, output_error_text(path, message), "ERROR");
}

void text_summary(FILE *out, const scan_summary *s)
{
	struct tm tm_start, tm_end;
	char start[32], end[32];
	localtime_r(&s->start, &tm_start);
	localtime_r(&s->end, &tm_end);
	strftime(start, sizeof(start), "%Y:%m:%d %H:%M:%S", &tm_start);
	strftime(end, sizeof(end), "%Y:%m:%d %H:%M:%S", &tm_end);
	double matched = (double)s->bytes_matched / (1024.0 * 1024.0);
	double read = (double)s->bytes_read / (1024.0 * 1024.0);
	unsigned ms = (unsigned)(s->seconds * 1000.0 + 0.5);
	fprintf(out, "\n----------- SCAN SUMMARY -----------\n");
	fprintf(out, "Known viruses: %" PRIu64 "\n", s->known_signatures);
	fprintf(out, "Engine version: %s\n", s->engine_version);
	fprintf(out, "Scanned directories: %" PRIu64 "\n", s->dirs);
	fprintf(out, "Scanned files: %" PRIu64 "\n", s->files);
	fprintf(out, "Infected files: %" PRIu64 "\n", s->infected);
	if (s->limits)
		fprintf(out, "Limits exceeded: %" PRIu64 "\n", s->limits);
	if (s->encrypted)
		fprintf(out, "Encrypted: %" PRIu64 "\n", s->encrypted);
	if (s->errors)
		fprintf(out, "Total errors: %" PRIu64 "\n", s->errors);
	if (s->quarantined)
		fprintf(out, "Quarantined: %" PRIu64 "\n", s->quarantined);
	if (s->removed)
		fprintf(out, "Removed: %" PRIu64 "\n", s->removed);
	if (s->moved)
		fprintf(out, "Moved: %" PRIu64 "\n", s->moved);
	if (s->copied)
		fprintf(out, "Copied: %" PRIu64 "\n", s->copied);
	fprintf(out, "Data scanned: %.2f MB\n", matched);
	fprintf(out, "Data read: %.2f MB (ratio %.2f:1)\n", read,
		s->bytes_read ? (double)s->bytes_matched / (double)s->bytes_read : 0.0);
	fprintf(out, "Time: %u.%03u sec (%u m %u s)\n", ms / 1000, ms % 1000, ms / 60000,
		(ms / 1000) % 60);
	fprintf(out, "Start Date: %s\n", start);
	fprintf(out, "End Date:   %s\n", end);
}
