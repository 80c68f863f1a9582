/*
 * `raquet scan --persistence`: collects every persistence entry, scans each
 * distinct target once (under the persistence root), and prints
 * "persistence KIND FILE:LINE -> TARGET: NAME FOUND" lines or one JSON
 * object per entry whose target is detected. Reference: docs/cli.md.
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

typedef struct entry {
	rq_persist_kind kind;
	char *file;
	unsigned line;
	char *target;
	char *names;   /* detection names joined by '\n'; NULL if clean or not scanned */
	int scanned;
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
		jsonw_object_end(w);
		if (jsonw_print_line(w, out) != 0)
			fputs("raquet: a JSON result could not be written (out of memory)\n", stderr);
		jsonw_reset(w);
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
		if (!e->names)
			continue;
		pthread_mutex_lock(out_lock);
		out->infected++;
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
		jsonw_object_end(&w);
		jsonw_object_end(&w);
		if (jsonw_print_line(&w, out) != 0)
			fputs("raquet: a JSON result could not be written (out of memory)\n", stderr);
		jsonw_free(&w);
		return;
	}
	fprintf(out, "Persistence entries: %" PRIu64 " (%" PRIu64 " distinct targets)\n",
		t->entries, t->targets);
	fprintf(out, "Infected persistence entries: %" PRIu64 "\n", t->infected);
}
