/*
 * JSON-lines results: one object per scanned file or error, then one
 * {"summary": {...}} object. Field reference in docs/cli.md, "JSON output";
 * paths that are not UTF-8 also come as exact bytes in "path_hex".
 */
#include "jsonw.h"
#include "output.h"

static jsonw doc; /* reused: calls are serialised by the output lock */

static void emit(FILE *out)
{
	jsonw_emit(&doc, out);
}

static void action_object(const scan_outcome *act)
{
	jsonw_key(&doc, "action");
	jsonw_object_begin(&doc);
	jsonw_field_string(&doc, "kind", scan_action_name(act->kind));
	jsonw_key(&doc, "ok");
	jsonw_bool(&doc, act->ok);
	if (act->ok && act->kind == ACTION_QUARANTINE)
		jsonw_field_string(&doc, "id", act->id);
	if (act->ok && act->dest)
		jsonw_field_bytes(&doc, "dest", act->dest);
	if (!act->ok)
		jsonw_field_bytes(&doc, "error", act->error);
	jsonw_object_end(&doc);
}

void json_result(FILE *out, const scan_config *cfg, const rq_result *r, const scan_outcome *act)
{
	int alerts = 0;
	for (size_t i = 0; i < r->finding_count; i++)
		alerts += finding_alerts(cfg, &r->findings[i]);
	jsonw_reset(&doc);
	jsonw_object_begin(&doc);
	jsonw_field_bytes(&doc, "path", r->path);
	jsonw_field_u64(&doc, "size", r->size);
	jsonw_key(&doc, "sha256");
	jsonw_string(&doc, r->sha256);
	jsonw_field_string(&doc, "file_type", r->file_type ? r->file_type : "data");
	jsonw_field_string(&doc, "status", alerts ? "infected" : r->error ? "error" : "clean");
	jsonw_field_u64(&doc, "bytes_scanned", r->bytes_scanned);
	jsonw_key(&doc, "detections");
	jsonw_array_begin(&doc);
	for (size_t i = 0; i < r->finding_count; i++) {
		const rq_finding *f = &r->findings[i];
		if (!finding_alerts(cfg, f))
			continue;
		jsonw_object_begin(&doc);
		jsonw_field_bytes(&doc, "name", f->name);
		jsonw_field_string(&doc, "type", rq_sig_type_name(f->sig_type));
		jsonw_key(&doc, "source");
		jsonw_string(&doc, f->source);
		if (f->member)
			jsonw_field_bytes(&doc, "member", f->member);
		jsonw_object_end(&doc);
	}
	jsonw_array_end(&doc);
	jsonw_key(&doc, "notices");
	jsonw_array_begin(&doc);
	for (size_t i = 0; i < r->finding_count; i++) {
		const rq_finding *f = &r->findings[i];
		if (finding_alerts(cfg, f))
			continue;
		jsonw_object_begin(&doc);
		jsonw_field_bytes(&doc, "name", f->name);
		jsonw_field_string(&doc, "kind", f->kind == RQ_FINDING_ENCRYPTED ? "encrypted" : "limit");
		if (f->member)
			jsonw_field_bytes(&doc, "member", f->member);
		jsonw_object_end(&doc);
	}
	jsonw_array_end(&doc);
	if (r->error)
		jsonw_field_bytes(&doc, "error", output_error_text(r->path, r->error_message));
	if (act && act->kind != ACTION_REPORT)
		action_object(act);
	jsonw_object_end(&doc);
	emit(out);
}

void json_error(FILE *out, const scan_config *cfg, const char *path, const char *message)
{
	jsonw_reset(&doc);
	jsonw_object_begin(&doc);
	jsonw_field_bytes(&doc, "path", path);
	jsonw_field_string(&doc, "status", "error");
	jsonw_field_bytes(&doc, "error", output_error_text(path, message));
	jsonw_object_end(&doc);
	emit(out);
}

static void date_field(const char *key, time_t t)
{
	struct tm tm;
	char buf[32];
	gmtime_r(&t, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	jsonw_field_string(&doc, key, buf);
}

void json_summary(FILE *out, const scan_summary *s)
{
	jsonw_reset(&doc);
	jsonw_object_begin(&doc);
	jsonw_key(&doc, "summary");
	jsonw_object_begin(&doc);
	jsonw_field_u64(&doc, "known_signatures", s->known_signatures);
	jsonw_field_string(&doc, "engine_version", s->engine_version);
	jsonw_field_u64(&doc, "scanned_directories", s->dirs);
	jsonw_field_u64(&doc, "scanned_files", s->files);
	jsonw_field_u64(&doc, "infected_files", s->infected);
	jsonw_field_u64(&doc, "limits_exceeded", s->limits);
	jsonw_field_u64(&doc, "encrypted", s->encrypted);
	jsonw_field_u64(&doc, "errors", s->errors);
	jsonw_field_u64(&doc, "skipped", s->skipped);
	jsonw_field_u64(&doc, "quarantined", s->quarantined);
	jsonw_field_u64(&doc, "removed", s->removed);
	jsonw_field_u64(&doc, "moved", s->moved);
	jsonw_field_u64(&doc, "copied", s->copied);
	jsonw_field_u64(&doc, "bytes_scanned", s->bytes_matched);
	jsonw_field_u64(&doc, "bytes_read", s->bytes_read);
	jsonw_key(&doc, "seconds");
	jsonw_double(&doc, s->seconds, 3);
	date_field("start_date", s->start);
	date_field("end_date", s->end);
	jsonw_key(&doc, "interrupted");
	jsonw_bool(&doc, s->interrupted);
	jsonw_object_end(&doc);
	jsonw_object_end(&doc);
	emit(out);
	jsonw_free(&doc);
}
