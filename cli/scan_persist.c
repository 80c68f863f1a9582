/*
 * `raquet scan --persistence`: collects every persistence entry, scans each
 * distinct target once (under the persistence root), with
 * --disable-persistence disables the entries starting a detected file (one
 * vault item per holding file), and prints "persistence KIND FILE:LINE ->
 * TARGET: NAME FOUND" lines and their action lines, or one JSON object per
 * entry whose target is detected. Reference: docs/cli.md.
 */
#include "scan_persist.h"

#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jsonw.h"
#include "output.h"
#include "raquet/persist.h"
#include "vault_path.h"

/* Detection names kept with a disabled file's vault item. */
#define DISABLE_MAX_NAMES 64

typedef struct entry {
	rq_persist_kind kind;
	char *file;
	unsigned line;
	char *target;
	char *names;   /* detection names joined by '\n'; NULL if clean or not scanned */
	int scanned;
	/* --disable-persistence, for an entry with names: */
	int acted, ok, whole_file;
	size_t links_removed;
	char id[RQ_VAULT_ID_LEN + 1];
	char error[512];
} entry;

typedef struct entries {
	entry *v;
	size_t n, cap;
	int nomem;
} entries;

static int on_entry(const rq_persist_entry *e, void *payload)
{
	entries *l = payload;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		entry *v = realloc(l->v, cap * sizeof(*v));
		if (!v) {
			l->nomem = 1;
			return 1;
		}
		l->v = v;
		l->cap = cap;
	}
	entry *x = &l->v[l->n];
	memset(x, 0, sizeof(*x));
	x->kind = e->kind;
	x->line = e->line;
	x->file = strdup(e->file);
	x->target = strdup(e->target);
	l->n++;
	if (!x->file || !x->target) {
		l->nomem = 1;
		return 1;
	}
	return 0;
}

/* Joins the detection names of a result into *(char **)payload. */
static int on_result(const rq_result *r, void *payload)
{
	char **names = payload;
	for (size_t i = 0; i < r->finding_count; i++) {
		if (r->findings[i].kind != RQ_FINDING_DETECTION)
			continue;
		size_t old = *names ? strlen(*names) + 1 : 0, add = strlen(r->findings[i].name);
		char *s = realloc(*names, old + add + 1);
		if (!s)
			return 1;
		if (old)
			s[old - 1] = '\n';
		memcpy(s + old, r->findings[i].name, add + 1);
		*names = s;
	}
	return 0;
}

/* Scan root+target if it is a regular file; *names gets its detections. */
static void scan_target(rq_scanner *scanner, const char *root, const char *target, char **names)
{
	char path[PATH_MAX];
	size_t rl = strlen(root);
	while (rl > 0 && root[rl - 1] == '/')
		rl--;
	if (snprintf(path, sizeof(path), "%.*s%s", (int)rl, root, target) >= (int)sizeof(path))
		return;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	struct stat st;
	if (fd < 0)
		return;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
		rq_scanner_scan_fd(scanner, fd, target, on_result, names);
	close(fd);
}

static void print_entry(FILE *out, const scan_config *cfg, jsonw *w, const entry *e)
{
	if (cfg->json) {
		jsonw_reset(w);
		jsonw_object_begin(w);
		jsonw_key(w, "persistence");
		jsonw_object_begin(w);
		jsonw_field_string(w, "kind", rq_persist_kind_name(e->kind));
		jsonw_field_bytes(w, "file", e->file);
		jsonw_field_u64(w, "line", e->line);
		jsonw_field_bytes(w, "target", e->target);
		jsonw_object_end(w);
		jsonw_field_string(w, "status", "infected");
		jsonw_key(w, "detections");
		jsonw_array_begin(w);
		for (const char *p = e->names; p && *p;) {
			const char *nl = strchr(p, '\n');
			size_t len = nl ? (size_t)(nl - p) : strlen(p);
			char name[1024];
			snprintf(name, sizeof(name), "%.*s", (int)len, p);
			jsonw_string(w, name);
			p += len + (nl != NULL);
		}
		jsonw_array_end(w);
		if (e->acted) {
			jsonw_key(w, "action");
			jsonw_object_begin(w);
			jsonw_field_string(w, "kind", "disable");
			jsonw_key(w, "ok");
			jsonw_bool(w, e->ok);
			if (e->ok) {
				jsonw_field_string(w, "id", e->id);
				jsonw_field_string(w, "how", e->whole_file ? "quarantined" : "commented");
				jsonw_field_u64(w, "links_removed", e->links_removed);
			} else {
				jsonw_field_bytes(w, "error", e->error);
			}
			jsonw_object_end(w);
		}
		jsonw_object_end(w);
		jsonw_emit(w, out);
		return;
	}
	if (cfg->quiet)
		return;
	for (const char *p = e->names; p && *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char name[1024];
		snprintf(name, sizeof(name), "%.*s", (int)len, p);
		fprintf(out, "persistence %s ", rq_persist_kind_name(e->kind));
		text_put_escaped(out, e->file);
		fprintf(out, ":%u -> ", e->line);
		text_put_escaped(out, e->target);
		fputs(": ", out);
		text_put_escaped(out, name);
		fputs(" FOUND\n", out);
		p += len + (nl != NULL);
	}
	if (!e->acted || (e->ok && cfg->quiet))
		return;
	fprintf(out, "persistence %s ", rq_persist_kind_name(e->kind));
	text_put_escaped(out, e->file);
	fprintf(out, ":%u: ", e->line);
	if (!e->ok) {
		fputs("cannot disable: ", out);
		text_put_escaped(out, e->error);
		fputs(" ERROR\n", out);
	} else if (e->whole_file) {
		fprintf(out, "disabled, file quarantined as %s", e->id);
		if (e->links_removed)
			fprintf(out, " (%zu enablement link%s removed)", e->links_removed,
				e->links_removed == 1 ? "" : "s");
		fputs(".\n", out);
	} else {
		fprintf(out, "disabled (line commented out), backup quarantined as %s.\n", e->id);
	}
}

/* Add the names of `joined` ('\n'-separated) not yet in names[]. */
static void add_names(const char **names, size_t *n, char *joined)
{
	for (char *p = joined, *next; p && *p && *n < DISABLE_MAX_NAMES; p = next) {
		next = strchr(p, '\n');
		if (next)
			*next++ = '\0';
		int seen = 0;
		for (size_t k = 0; k < *n && !seen; k++)
			seen = !strcmp(names[k], p);
		if (!seen)
			names[(*n)++] = p;
	}
}

/* The library's message without the holding file's full path in front. */
static void set_error(entry *e, const char *root, const char *msg)
{
	char full[PATH_MAX];
	size_t rl = strlen(root);
	while (rl > 0 && root[rl - 1] == '/')
		rl--;
	int n = snprintf(full, sizeof(full), "%.*s%s: ", (int)rl, root, e->file);
	if (n > 0 && n < (int)sizeof(full) && !strncmp(msg, full, (size_t)n))
		msg += n;
	snprintf(e->error, sizeof(e->error), "%s", msg);
}

/*
 * --disable-persistence: one rq_persist_disable per holding file with a
 * detected entry, covering all of that file's detected entries; each of
 * them gets the outcome. Entries whose target is clean are never touched.
 */
static void disable_entries(entries *l, const char *root, const scan_config *cfg)
{
	rq_vault *vault = NULL;
	rq_persist_line *lines = calloc(l->n ? l->n : 1, sizeof(*lines));
	char open_error[512] = "out of memory";
	int rc = lines ? rq_vault_open(&vault, vault_path_choose(cfg->vault_dir)) : RQ_ENOMEM;
	if (rc != 0 && lines)
		snprintf(open_error, sizeof(open_error), "%s",
			 *rq_error_last() ? rq_error_last() : rq_error_name(rc));
	for (size_t i = 0; i < l->n; i++) {
		entry *e = &l->v[i];
		if (!e->names || e->acted)
			continue;
		const char *names[DISABLE_MAX_NAMES];
		size_t n_lines = 0, n_names = 0;
		char *joined = NULL; /* every entry's names; add_names cuts it into names[] */
		size_t jlen = 0;
		for (size_t j = i; j < l->n; j++) {
			entry *o = &l->v[j];
			if (!o->names || o->acted || strcmp(o->file, e->file) != 0)
				continue;
			o->acted = 1;
			if (!lines)
				continue;
			lines[n_lines].line = o->line;
			lines[n_lines++].target = o->target;
			size_t add = strlen(o->names);
			char *grown = realloc(joined, jlen + add + 2);
			if (grown) {
				joined = grown;
				memcpy(joined + jlen, o->names, add);
				jlen += add;
				joined[jlen++] = '\n';
				joined[jlen] = '\0';
			}
		}
		rq_persist_disabled done;
		memset(&done, 0, sizeof(done));
		if (vault) {
			add_names(names, &n_names, joined);
			rc = rq_persist_disable(vault, root, e->kind, e->file, lines, n_lines, names,
						n_names, &done);
		}
		free(joined);
		for (size_t j = i; j < l->n; j++) {
			entry *o = &l->v[j];
			if (!o->acted || o->ok || o->error[0] || strcmp(o->file, e->file) != 0)
				continue;
			if (!vault) {
				snprintf(o->error, sizeof(o->error), "%s", open_error);
				continue;
			}
			o->ok = rc == 0;
			if (rc != 0) {
				set_error(o, root, *rq_error_last() ? rq_error_last() : rq_error_name(rc));
				continue;
			}
			memcpy(o->id, done.id, sizeof(o->id));
			o->whole_file = done.whole_file;
			o->links_removed = done.links_removed;
		}
	}
	rq_vault_close(vault);
	free(lines);
}

int scan_persistence(const rq_engine *engine, const scan_config *cfg, const rq_scan_options *so,
		     pthread_mutex_t *out_lock, volatile const sig_atomic_t *stop,
		     persist_totals *out)
{
	const char *root = cfg->persistence_root ? cfg->persistence_root : "/";
	rq_scanner *scanner = NULL;
	entries l = { NULL, 0, 0, 0 };
	jsonw doc;
	int status = 0;
	memset(out, 0, sizeof(*out));
	jsonw_init(&doc);
	int rc = rq_scanner_new(&scanner, engine, so);
	if (rc == 0)
		rc = rq_persist_find(root, NULL, on_entry, &l);
	if (rc == RQ_ESTOPPED && l.nomem)
		rc = RQ_ENOMEM;
	if (rc != 0) {
		fprintf(stderr, "ERROR: persistence: %s\n",
			*rq_error_last() ? rq_error_last() : rq_error_name(rc));
		out->errors++;
		status = -1;
		goto done;
	}
	out->entries = l.n;
	for (size_t i = 0; i < l.n && !*stop; i++) {
		entry *e = &l.v[i];
		size_t j = 0;
		while (j < i && strcmp(l.v[j].target, e->target) != 0)
			j++;
		if (j < i) { /* the same target as an earlier entry: same verdict */
			if (l.v[j].names && !(e->names = strdup(l.v[j].names)))
				continue;
		} else {
			scan_target(scanner, root, e->target, &e->names);
			out->targets++;
		}
	}
	if (cfg->persistence == PERSIST_DISABLE && !*stop)
		disable_entries(&l, root, cfg);
	for (size_t i = 0; i < l.n; i++) {
		entry *e = &l.v[i];
		if (!e->names)
			continue;
		pthread_mutex_lock(out_lock);
		out->infected++;
		out->disabled += (uint64_t)(e->acted && e->ok);
		out->errors += (uint64_t)(e->acted && !e->ok);
		print_entry(stdout, cfg, &doc, e);
		pthread_mutex_unlock(out_lock);
	}
done:
	for (size_t i = 0; i < l.n; i++) {
		free(l.v[i].file);
		free(l.v[i].target);
		free(l.v[i].names);
	}
	free(l.v);
	rq_scanner_free(scanner);
	jsonw_free(&doc);
	return status;
}

void persist_summary(FILE *out, const scan_config *cfg, const persist_totals *t)
{
	if (cfg->json) {
		jsonw w;
		jsonw_init(&w);
		jsonw_object_begin(&w);
		jsonw_key(&w, "persistence_summary");
		jsonw_object_begin(&w);
		jsonw_field_u64(&w, "entries", t->entries);
		jsonw_field_u64(&w, "targets", t->targets);
		jsonw_field_u64(&w, "infected", t->infected);
		if (cfg->persistence == PERSIST_DISABLE)
			jsonw_field_u64(&w, "disabled", t->disabled);
		jsonw_object_end(&w);
		jsonw_object_end(&w);
		jsonw_emit(&w, out);
		jsonw_free(&w);
		return;
	}
	fprintf(out, "Persistence entries: %" PRIu64 " (%" PRIu64 " distinct targets)\n",
		t->entries, t->targets);
	fprintf(out, "Infected persistence entries: %" PRIu64 "\n", t->infected);
	if (cfg->persistence == PERSIST_DISABLE)
		fprintf(out, "Disabled persistence entries: %" PRIu64 "\n", t->disabled);
}
